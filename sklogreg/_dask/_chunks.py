"""What each task of `DaskData` computes on its row chunk, where the chunk is.

Module-level functions, so that the workers unpickle them by reference. Each takes the
chunk of ``X``, of the labels and of the sample weights (``None`` when absent), then
the arguments of its graph, and returns what is summed over the chunks. The arithmetic
is the in-memory code's: the NumPy backend's products and the loss object's value and
residual, on the chunk's rows; what is particular here is only that one task serves
several coefficient points at once.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .._backends import NumpyBackend
from .._loss import secant_curvature
from ._encoding import RowEncoding

__all__ = [
    "chunk_pass",
    "column_moments_of_chunk",
    "gram_row_sums_of_chunk",
    "largest_weight_of_chunk",
    "relative_weight_sum_and_moments_of_chunk",
]

_NUMPY = NumpyBackend()

# A chunk of X: dense, or sparse (CSR once read).
Chunk = np.ndarray | sparse.spmatrix | sparse.sparray


def _chunk_rows(encoding: RowEncoding, X_chunk, labels, sample_weight):
    """The chunk as the in-memory data term holds its data: CSR, target, weights."""
    if sparse.issparse(X_chunk):
        X_chunk = X_chunk.tocsr()
    encoded = encoding.encode(labels)
    return X_chunk, encoding.target(encoded), encoding.weights(encoded, sample_weight)


def largest_weight_of_chunk(
    X_chunk: Chunk,
    labels: np.ndarray,
    sample_weight: np.ndarray | None,
    encoding: RowEncoding,
) -> float:
    """The chunk's largest combined (sample times class) weight, 0 for no rows."""
    encoded = encoding.encode(labels)
    return float(encoding.combined_weights(encoded, sample_weight).max(initial=0))


def relative_weight_sum_and_moments_of_chunk(
    X_chunk: Chunk,
    labels: np.ndarray,
    sample_weight: np.ndarray | None,
    encoding: RowEncoding,
    with_gram: bool,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray | float]:
    """The chunk's relative weights' sum, column moments and (if asked) Gram matrix.

    The weights are divided by the largest of all the chunks (``encoding`` knows
    it); the Gram matrix is ``X.T diag(w) X``. The client divides the sums by the
    total relative weight once it is known.

    Returns
    -------
    relative_sum : float
    mean, mean_square : ndarray of shape (n_features,)
    gram : ndarray of shape (n_features, n_features), or 0.0 without ``with_gram``
    """
    relative = encoding.relative_weights(encoding.encode(labels), sample_weight)
    first, second = _NUMPY.column_moments(X_chunk, relative)
    gram = _weighted_gram(X_chunk, relative) if with_gram else 0.0
    relative_sum = float(np.sum(relative, dtype=_NUMPY.accumulation_dtype))
    return relative_sum, first, second, gram


def _weighted_gram(X_chunk, weights) -> np.ndarray:
    """``X.T diag(w) X``, dense."""
    weighted = (
        X_chunk.multiply(weights[:, None]).tocsr()
        if sparse.issparse(X_chunk)
        else X_chunk * weights[:, None]
    )
    gram = X_chunk.T @ weighted
    return gram.toarray() if sparse.issparse(gram) else np.asarray(gram)


def gram_row_sums_of_chunk(
    X_chunk: Chunk,
    labels: np.ndarray,
    sample_weight: np.ndarray | None,
    encoding: RowEncoding,
    v_features: np.ndarray,
    offset: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The chunk's ``X.T (w * u)`` and ``sum(w * u)`` for ``u = X v + offset``."""
    X_chunk, _, weights = _chunk_rows(encoding, X_chunk, labels, sample_weight)
    return _NUMPY.gram_row_sums(X_chunk, weights, v_features, offset)


def column_moments_of_chunk(
    X_chunk: Chunk, weight: float
) -> tuple[np.ndarray, np.ndarray]:
    """``X.T w`` and ``(X * X).T w`` of the chunk, every row of weight ``weight``."""
    return _NUMPY.column_moments(
        X_chunk, np.full(X_chunk.shape[0], weight, dtype=X_chunk.dtype)
    )


def chunk_pass(
    X_chunk: Chunk,
    labels: np.ndarray,
    sample_weight: np.ndarray | None,
    encoding: RowEncoding,
    fit_intercept: bool,
    value_points: np.ndarray,
    gradient_points: np.ndarray,
    secant_base: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The chunk's data term at ``value_points``; value and gradient at others.

    With ``secant_base`` ``a``, also the data term's secant curvature
    ``<r(Z_b) - r(Z_a), Z_b - Z_a>`` for each value point ``b``. The margins of all
    the points come from one product with the chunk, the gradients from one
    product with its transpose (its rows are read twice, however many points); the
    loss is the same object as in memory.

    Returns
    -------
    values, secants : ndarray of shape (n_value_points,)
    gradient_values : ndarray of shape (n_gradient_points,)
    gradients : ndarray of shape (n_gradient_points, n_rows, n_columns)
    """
    X_chunk, target, weights = _chunk_rows(encoding, X_chunk, labels, sample_weight)
    loss = encoding.loss
    n_values, n_gradients = len(value_points), len(gradient_points)
    points = [value_points, gradient_points]
    if secant_base is not None:
        points.append(secant_base[None])
    margins = _margins_of_points(X_chunk, np.concatenate(points), fit_intercept)
    values, secants = _values_and_secants(
        loss,
        margins[:n_values],
        None if secant_base is None else margins[-1],
        target,
        weights,
    )
    gradient_values, gradients = _values_and_gradients(
        loss,
        X_chunk,
        margins[n_values : n_values + n_gradients],
        target,
        weights,
        fit_intercept,
    )
    return values, secants, gradient_values, gradients


def _margins_of_points(X_chunk, points: np.ndarray, fit_intercept: bool):
    """The margins at every point, from one product with the chunk.

    Returns an array of shape (n_points, n_samples) for one coefficient row, else
    (n_points, n_samples, n_rows).
    """
    n_points, n_rows, n_columns = points.shape
    n_samples = X_chunk.shape[0]
    margins = _NUMPY.linear_predictor(
        X_chunk, points.reshape(n_points * n_rows, n_columns), fit_intercept
    ).reshape(n_samples, n_points, n_rows)
    # One contiguous block of margins per point: the elementwise loss runs 2-3x
    # faster than on the strided columns of the product (measured).
    margins = np.ascontiguousarray(np.moveaxis(margins, 1, 0))
    return margins[:, :, 0] if n_rows == 1 else margins


def _values_and_secants(loss, margins, base_margins, target, weights):
    """The loss at each point's margins and, with ``base_margins``, the secants."""
    values = np.zeros(len(margins))
    secants = np.zeros(len(margins))
    if base_margins is None:
        for k in range(len(margins)):
            values[k] = loss.value(margins[k], target, weights)
        return values, secants
    base_residual = loss.residual(base_margins, target, weights)
    for k in range(len(margins)):
        # The value and the residual from the same exponentials.
        values[k], trial_residual = loss.value_and_residual(margins[k], target, weights)
        secants[k] = secant_curvature(
            base_residual, base_margins, trial_residual, margins[k], np
        )
    return values, secants


def _values_and_gradients(loss, X_chunk, margins, target, weights, fit_intercept):
    """The loss and its gradient at each point's margins: one adjoint product."""
    n_points, n_samples = len(margins), X_chunk.shape[0]
    n_rows = loss.n_coef_rows
    values = np.zeros(n_points)
    residuals = np.empty((n_samples, n_points, n_rows), dtype=margins.dtype)
    for k in range(n_points):
        values[k], residual = loss.value_and_residual(margins[k], target, weights)
        residuals[:, k, :] = residual.reshape(n_samples, n_rows)
    gradients = _NUMPY.adjoint(
        X_chunk, residuals.reshape(n_samples, n_points * n_rows), fit_intercept
    ).reshape(n_points, n_rows, X_chunk.shape[1] + fit_intercept)
    return values, gradients
