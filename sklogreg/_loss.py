"""The log-loss of a linear model, its gradient, and a bound on its curvature.

Everything here is a pure function of arrays: no scikit-learn, no estimator state.
The one objective the whole package minimises is stated once, in `sklogreg._objective`;
this module provides its data term.

Notation
--------
``X`` is ``(n_samples, n_features)``, dense or CSR. The coefficients are one 2-D array
``coef`` of shape ``(n_rows, n_features + fit_intercept)``: one row for two classes (the
sigmoid model), one row per class for three or more (the symmetric softmax model), and
the intercept, when fitted, in the *last column*, as in scikit-learn's
``LinearModelLoss``. The linear predictor is

    Z = X @ coef[:, :n_features].T + coef[:, n_features]

and the per-sample weights ``w`` passed here are already *normalised*, ``w_i = s_i / S``
with ``S = sum(s)``, so that every sum below is a weighted mean.

Binary (``n_rows == 1``, ``y`` in {0, 1}, ``z`` a vector)::

    loss_i = log(1 + exp(z_i)) - y_i z_i,        d loss_i / d z_i = expit(z_i) - y_i

Multinomial (``Y`` one-hot, ``Z`` a matrix)::

    loss_i = logsumexp(Z_i) - sum_k Y_ik Z_ik,
    d loss_i / d Z_ik = softmax(Z_i)_k - Y_ik

By the chain rule the gradient of the mean loss with respect to the coefficients is
``R.T @ X`` for the residual ``R = w * (P - Y)``, and ``R.sum(axis=0)`` for the
intercept: the textbook ``(y_hat - y) x``, averaged and vectorised.

Numerical stability: both losses are evaluated without ever forming ``exp(z)`` for a
positive ``z``, so no finite input overflows.

Array API. Every function that takes ``xp`` runs its original NumPy code for
``xp=None`` and, for another namespace (`sklogreg._array_api`), the same formulas in
Array API terms: no ``out=``, no SciPy special function, and never a copy to the host
(the returned losses are Python floats, the one scalar a solver needs).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.special import expit, softmax
from sklearn.externals import array_api_compat

__all__ = [
    "binary_loss",
    "binary_loss_and_residual",
    "binary_residual",
    "largest_eigenvalue",
    "linear_predictor",
    "linear_predictor_gradient",
    "lipschitz_constant",
    "lipschitz_constant_from_row_sums",
    "multinomial_loss",
    "multinomial_loss_and_residual",
    "multinomial_residual",
    "row_norms_squared",
    "weighted_gram_row_sums",
]

# Rows per block when squaring a dense X: the temporary stays far below X's size.
_ROW_BLOCK = 4096


def linear_predictor(X, coef: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """Return the linear predictor ``X @ W.T + b``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The data.
    coef : ndarray of shape (n_rows, n_features + fit_intercept)
        Coefficients, intercept in the last column when ``fit_intercept``.
    fit_intercept : bool
        Whether the last column of ``coef`` is an intercept.

    Returns
    -------
    Z : ndarray of shape (n_samples,) if ``n_rows == 1`` else (n_samples, n_rows)
        One margin per sample (binary) or per sample and class (multinomial).
    """
    n_features = X.shape[1]
    if coef.shape[0] == 1:
        # A matrix-vector product: one pass over X, and the cheapest BLAS call.
        z = X @ coef[0, :n_features]
        return z + coef[0, n_features] if fit_intercept else z
    Z = X @ coef[:, :n_features].T
    return Z + coef[:, n_features] if fit_intercept else Z


def linear_predictor_gradient(
    X, residual: np.ndarray, fit_intercept: bool, xp=None
) -> np.ndarray:
    """Pull a gradient with respect to the linear predictor back to the coefficients.

    This is the adjoint of `linear_predictor`: for ``R = dJ/dZ`` it returns
    ``dJ/dcoef = [R.T @ X, R.sum(axis=0)]`` in the layout of ``coef``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The data.
    residual : ndarray of shape (n_samples,) or (n_samples, n_rows)
        The gradient of the objective with respect to the linear predictor.
    fit_intercept : bool
        Whether to append the intercept's gradient as a last column.
    xp : module, default=None
        Array API namespace of ``X`` and ``residual``; ``None`` for NumPy.

    Returns
    -------
    gradient : ndarray of shape (n_rows, n_features + fit_intercept)
    """
    if xp is not None:
        if residual.ndim == 1:
            grad_coef = (X.T @ residual)[None, :]
            grad_intercept = xp.sum(residual, keepdims=True)[None, :]
        else:
            grad_coef = (X.T @ residual).T
            grad_intercept = xp.sum(residual, axis=0)[:, None]
        if not fit_intercept:
            return grad_coef
        return xp.concat([grad_coef, grad_intercept], axis=1)
    if residual.ndim == 1:
        grad_coef = (X.T @ residual)[None, :]
        grad_intercept = residual.sum(keepdims=True)[None, :]
    else:
        # X.T @ R rather than R.T @ X: for CSR X, X.T is a free CSC view.
        grad_coef = (X.T @ residual).T
        grad_intercept = residual.sum(axis=0)[:, None]
    grad_coef = np.asarray(grad_coef)
    if not fit_intercept:
        return grad_coef
    return np.concatenate([grad_coef, grad_intercept.astype(grad_coef.dtype)], axis=1)


def _log1pexp_and_expit(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``log(1 + exp(z))`` and ``expit(z)`` from a single exponential.

    Both come from ``e = exp(-|z|)``, which is at most 1 and so never overflows:
    ``log(1 + exp(z)) = max(z, 0) + log1p(e)`` and ``expit(z)`` is ``1 / (1 + e)`` for
    ``z >= 0`` and ``e / (1 + e)`` otherwise. One ``exp`` instead of the two that
    ``np.logaddexp`` and ``scipy.special.expit`` would spend: this is the costliest
    element-wise work of a gradient step.
    """
    # In place where possible: each temporary is a vector of n_samples, and on tall,
    # narrow data they are the fit's only memory beyond X.
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    log1pexp = np.log1p(e)
    log1pexp += np.maximum(z, 0)
    expit = np.where(z >= 0, 1, e)
    e += 1
    expit /= e
    return log1pexp, expit


def _log1pexp_and_expit_xp(z, xp):
    """`_log1pexp_and_expit` in Array API terms (no ``out=``), as overflow-free."""
    e = xp.exp(-xp.abs(z))
    log1pexp = xp.log1p(e) + xp.clip(z, min=0)
    return log1pexp, xp.where(z >= 0, 1.0, e) / (1 + e)


def binary_loss(z: np.ndarray, y: np.ndarray, weights: np.ndarray, xp=None) -> float:
    """Weighted mean log-loss of the sigmoid model.

    Parameters
    ----------
    z : ndarray of shape (n_samples,)
        Margins.
    y : ndarray of shape (n_samples,)
        Targets in {0, 1}.
    weights : ndarray of shape (n_samples,)
        Normalised sample weights (summing to one).
    xp : module, default=None
        Array API namespace of the arrays; ``None`` for NumPy.

    Returns
    -------
    loss : float
        ``sum_i w_i (log(1 + exp(z_i)) - y_i z_i)``.
    """
    if xp is not None:
        log1pexp = xp.log1p(xp.exp(-xp.abs(z))) + xp.clip(z, min=0)
        # One reduction, so one synchronisation with an accelerator.
        return float(weights @ (log1pexp - y * z))
    # max(z, 0) + log1p(exp(-|z|)) is log(1 + exp(z)) without overflow, and 1.6x
    # faster than np.logaddexp(0, z) (measured on 50k margins); this runs at every
    # line-search trial.
    log1pexp = np.abs(z)
    np.negative(log1pexp, out=log1pexp)
    np.exp(log1pexp, out=log1pexp)
    np.log1p(log1pexp, out=log1pexp)
    log1pexp += np.maximum(z, 0)
    return float(weights @ log1pexp) - float(weights @ (y * z))


def binary_loss_and_residual(
    z: np.ndarray, y: np.ndarray, weights: np.ndarray, xp=None
) -> tuple[float, np.ndarray]:
    """Weighted mean log-loss of the sigmoid model and its gradient in ``z``.

    Parameters
    ----------
    z, y, weights : ndarray of shape (n_samples,)
        As in `binary_loss`.
    xp : module, default=None
        Array API namespace of the arrays; ``None`` for NumPy.

    Returns
    -------
    loss : float
        As `binary_loss`.
    residual : ndarray of shape (n_samples,)
        ``w * (expit(z) - y)``, the derivative of the loss with respect to ``z``.
    """
    if xp is not None:
        log1pexp, probability = _log1pexp_and_expit_xp(z, xp)
        return float(weights @ (log1pexp - y * z)), weights * (probability - y)
    log1pexp, probability = _log1pexp_and_expit(z)
    loss = float(weights @ log1pexp) - float(weights @ (y * z))
    probability -= y
    probability *= weights
    return loss, probability


def _log_normalizer_and_softmax(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``logsumexp(Z, axis=1)`` and ``softmax(Z, axis=1)`` from one exponential.

    Shifting each row by its maximum makes every exponent at most 0, so nothing
    overflows and the row sums are at least 1. Done by hand rather than with
    ``scipy.special.logsumexp`` and ``softmax``, which spend two exponentials and, on
    small data, more time in argument handling than in arithmetic (60% of a fit on
    digits, measured with cProfile). The work is done on a ``(n_classes, n_samples)``
    copy: reductions over a short last axis are slow in NumPy, while over the first
    axis they are element-wise operations on long rows (3x faster on digits). The
    softmax is returned as a transposed view. Non-finite margins give NaN (the solvers
    treat a non-finite objective as divergence) without a warning.
    """
    exp_shifted = Z.T.copy()
    row_max = exp_shifted.max(axis=0)
    with np.errstate(invalid="ignore"):
        exp_shifted -= row_max
    np.exp(exp_shifted, out=exp_shifted)
    row_sum = exp_shifted.sum(axis=0)
    exp_shifted /= row_sum
    return row_max + np.log(row_sum), exp_shifted.T


def _log_normalizer_and_softmax_xp(Z, xp):
    """`_log_normalizer_and_softmax` in Array API terms, shifted by the row maxima."""
    row_max = xp.max(Z, axis=1, keepdims=True)
    exp_shifted = xp.exp(Z - row_max)
    row_sum = xp.sum(exp_shifted, axis=1, keepdims=True)
    return row_max[:, 0] + xp.log(row_sum[:, 0]), exp_shifted / row_sum


def _log_softmax_xp(Z, xp):
    """``log(softmax(Z, axis=1))`` in Array API terms, exact where one class dominates.

    ``row_max + log(sum(exp(Z - row_max)))`` is ``log(1 + tiny)`` there, which keeps
    only the digits of ``tiny`` above ``eps`` (a relative error of 1e-6 on a
    log-probability of -2e-9): the largest entries each contribute exactly 1, so
    ``log1p`` of the others' sum keeps every digit, as ``scipy.special.log_softmax``
    does for NumPy.
    """
    row_max = xp.max(Z, axis=1, keepdims=True)
    is_max = Z == row_max
    n_max = xp.sum(xp.astype(is_max, Z.dtype), axis=1, keepdims=True)
    others = xp.sum(xp.where(is_max, 0.0, xp.exp(Z - row_max)), axis=1, keepdims=True)
    return Z - row_max - xp.log(n_max) - xp.log1p(others / n_max)


def binary_residual(
    z: np.ndarray, y: np.ndarray, weights: np.ndarray, xp=None
) -> np.ndarray:
    """Gradient of `binary_loss` in ``z``: ``w * (expit(z) - y)``."""
    if xp is not None:
        return weights * (_log1pexp_and_expit_xp(z, xp)[1] - y)
    return weights * (expit(z) - y)


def multinomial_residual(
    Z: np.ndarray, Y: np.ndarray, weights: np.ndarray, xp=None
) -> np.ndarray:
    """Gradient of `multinomial_loss` in ``Z``: ``w[:, None] * (softmax(Z) - Y)``."""
    if xp is not None:
        return weights[:, None] * (_log_normalizer_and_softmax_xp(Z, xp)[1] - Y)
    return weights[:, None] * (softmax(Z, axis=1) - Y)


def multinomial_loss(
    Z: np.ndarray, Y: np.ndarray, weights: np.ndarray, xp=None
) -> float:
    """Weighted mean log-loss of the softmax model.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_classes)
        Margins.
    Y : ndarray of shape (n_samples, n_classes)
        One-hot targets.
    weights : ndarray of shape (n_samples,)
        Normalised sample weights (summing to one).
    xp : module, default=None
        Array API namespace of the arrays; ``None`` for NumPy.

    Returns
    -------
    loss : float
        ``sum_i w_i (logsumexp(Z_i) - sum_k Y_ik Z_ik)``.
    """
    if xp is not None:
        log_normalizer, _ = _log_normalizer_and_softmax_xp(Z, xp)
        return float(weights @ (log_normalizer - xp.sum(Y * Z, axis=1)))
    log_normalizer, _ = _log_normalizer_and_softmax(Z)
    per_sample = log_normalizer - np.einsum("ij,ij->i", Y, Z)
    return float(weights @ per_sample)


def multinomial_loss_and_residual(
    Z: np.ndarray, Y: np.ndarray, weights: np.ndarray, xp=None
) -> tuple[float, np.ndarray]:
    """Weighted mean log-loss of the softmax model and its gradient in ``Z``.

    Parameters
    ----------
    Z, Y : ndarray of shape (n_samples, n_classes)
        As in `multinomial_loss`.
    weights : ndarray of shape (n_samples,)
        Normalised sample weights.
    xp : module, default=None
        Array API namespace of the arrays; ``None`` for NumPy.

    Returns
    -------
    loss : float
        As `multinomial_loss`.
    residual : ndarray of shape (n_samples, n_classes)
        ``w[:, None] * (softmax(Z) - Y)``.
    """
    if xp is not None:
        log_normalizer, probability = _log_normalizer_and_softmax_xp(Z, xp)
        per_sample = log_normalizer - xp.sum(Y * Z, axis=1)
        return float(weights @ per_sample), weights[:, None] * (probability - Y)
    log_normalizer, probability = _log_normalizer_and_softmax(Z)
    per_sample = log_normalizer - np.einsum("ij,ij->i", Y, Z)
    probability -= Y
    probability *= weights[:, None]
    return float(weights @ per_sample), probability


def largest_eigenvalue(
    matvec: Callable[[np.ndarray], np.ndarray],
    size: int,
    *,
    dtype=np.float64,
    n_power_iterations: int = 30,
    rtol: float = 1e-4,
    xp=None,
    device=None,
) -> float:
    """Largest eigenvalue of a symmetric positive semi-definite operator.

    Found by power iteration, ``v <- M v / ||M v||``, from a fixed start.

    Parameters
    ----------
    matvec : callable
        ``matvec(v)`` returns ``M @ v`` for a vector ``v`` of length ``size``: the only
        access to ``M``, so ``M`` may be implicit (``Xt.T @ diag(w) @ Xt`` from products
        with ``X``) or distributed (one reduction over row blocks per product).
    size : int
        Length of the vectors ``M`` acts on.
    dtype : dtype, default=np.float64
        Dtype of the iterates handed to ``matvec``.
    n_power_iterations : int, default=30
        Upper limit on the iterations.
    rtol : float, default=1e-4
        Stop once the estimate changes by less than this, relatively.
    xp, device : Array API namespace and device, optional
        Where the iterates live; ``None``: NumPy.

    Returns
    -------
    eigenvalue : float
        The estimate ``||M v_k||`` for unit ``v_k``: it approaches ``lambda_max`` from
        below. Not finite when ``M`` overflows.
    """
    # A fixed start vector: the estimate is deterministic, and the same for a
    # weighted sample as for its repeated rows.
    v = np.random.default_rng(0).standard_normal(size)
    v = v / np.linalg.norm(v)
    if xp is None:
        v = v.astype(dtype, copy=False)
    else:
        v = xp.asarray(v, dtype=dtype, device=device)  # moved once
    eigenvalue = 0.0
    for _ in range(n_power_iterations):
        Mv = matvec(v)
        norm = _euclidean_norm(Mv, xp)
        if norm == 0.0 or not math.isfinite(norm):
            return norm
        previous, eigenvalue = eigenvalue, norm
        v = Mv / norm if xp is not None else (Mv / norm).astype(dtype, copy=False)
        if abs(eigenvalue - previous) <= rtol * eigenvalue:
            break
    return eigenvalue


def _euclidean_norm(v, xp=None) -> float:
    """``||v||`` as a Python float, finite whenever the norm itself is.

    The sum of the squares overflows from entries of the square root of the largest
    float on (features of 1e77 give a curvature of 1e154), long before the norm
    does: only then is ``v`` divided by its largest magnitude first, so that every
    other norm keeps its last bit.
    """
    if xp is None:
        v = v.astype(np.float64)
        with np.errstate(over="ignore"):
            norm = float(np.linalg.norm(v))
        if math.isinf(norm):
            largest = float(np.max(np.abs(v)))
            norm = largest * float(np.linalg.norm(v / largest))
        return norm
    # Only this Python float leaves the device, but for the rescaled second try.
    norm = float(xp.sqrt(xp.sum(v * v)))
    if math.isinf(norm):
        largest = xp.max(xp.abs(v))
        scaled = v / largest
        norm = float(largest * xp.sqrt(xp.sum(scaled * scaled)))
    return norm


def lipschitz_constant(
    X,
    weights: np.ndarray,
    *,
    fit_intercept: bool,
    multinomial: bool,
    column_shift: np.ndarray | None = None,
    column_scale: np.ndarray | None = None,
    n_power_iterations: int = 30,
    rtol: float = 1e-4,
    xp=None,
) -> float:
    """Bound the curvature of the mean log-loss by power iteration.

    The Hessian of the data term is ``Xt.T @ diag(w * h) @ Xt`` with ``Xt = [X, 1]``
    and ``h <= 1/4`` for the sigmoid; for the softmax, ``diag(p) - p p.T`` has norm at
    most ``1/2``. So its gradient is Lipschitz with constant

        L = c * lambda_max(Xt.T @ diag(w) @ Xt),    c = 1/4 (binary) or 1/2 (softmax),

    and a gradient step of ``1 / L`` never increases the objective. The largest
    eigenvalue is found by power iteration using only products with ``X`` and
    ``X.T``: ``[X, 1]`` is never built, and CSR input stays sparse.

    With ``column_shift`` ``mu`` and ``column_scale`` ``s`` the matrix is that of the
    implicitly centred and scaled columns, ``Xt = [(X - mu) / s, 1]``, still without
    forming it (see `sklogreg._preconditioning`).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The data.
    weights : ndarray of shape (n_samples,)
        Normalised sample weights (summing to one).
    fit_intercept : bool
        Whether the column of ones is part of ``Xt``.
    multinomial : bool
        Softmax (``c = 1/2``) rather than sigmoid (``c = 1/4``).
    column_shift, column_scale : ndarray of shape (n_features,), optional
        Implicit centring and scaling of the columns.
    n_power_iterations : int, default=30
        Upper limit on the iterations.
    rtol : float, default=1e-4
        Stop once the eigenvalue estimate changes by less than this, relatively.
    xp : module, default=None
        Array API namespace of ``X`` and the other arrays; ``None`` for NumPy.

    Returns
    -------
    L : float
        The Lipschitz constant of the gradient of the data term (the penalty's
        curvature is added by the caller). Power iteration approaches
        ``lambda_max`` from below, so callers guard the step with a line search.
    """
    return lipschitz_constant_from_row_sums(
        functools.partial(weighted_gram_row_sums, X, weights, xp=xp),
        X.shape[1],
        dtype=X.dtype,
        fit_intercept=fit_intercept,
        multinomial=multinomial,
        column_shift=column_shift,
        column_scale=column_scale,
        n_power_iterations=n_power_iterations,
        rtol=rtol,
        xp=xp,
        device=None if xp is None else array_api_compat.device(X),
    )


def weighted_gram_row_sums(
    X, weights: np.ndarray, v_features: np.ndarray, offset: float, xp=None
) -> tuple[np.ndarray, np.ndarray]:
    """The sums over rows in a product with ``[X, 1].T diag(w) [X, 1]``.

    With ``u = X v + offset``, returns ``X.T (w * u)`` and ``sum(w * u)``: sums over
    rows, so those of row blocks add up to those of the whole.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The data (or a block of its rows).
    weights : ndarray of shape (n_samples,)
        Row weights.
    v_features : ndarray of shape (n_features,)
        The vector's part on the columns of ``X``.
    offset : float
        Its part on the column of ones (0 without an intercept).
    xp : Array API namespace, optional
        That of the arrays; ``None``: NumPy (or SciPy sparse).

    Returns
    -------
    features_part : ndarray of shape (n_features,)
    ones_part : ndarray of shape (1,)
    """
    weighted = weights * (X @ v_features + offset)
    if xp is not None:
        return X.T @ weighted, xp.sum(weighted, keepdims=True)
    return np.asarray(X.T @ weighted).ravel(), weighted.sum(keepdims=True)


def lipschitz_constant_from_row_sums(
    row_sums: Callable[[np.ndarray, float], tuple[np.ndarray, np.ndarray]],
    n_features: int,
    *,
    dtype,
    fit_intercept: bool,
    multinomial: bool,
    column_shift: np.ndarray | None = None,
    column_scale: np.ndarray | None = None,
    n_power_iterations: int = 30,
    rtol: float = 1e-4,
    xp=None,
    device=None,
) -> float:
    """`lipschitz_constant`, given a function computing `weighted_gram_row_sums`.

    Each power iteration needs one call ``row_sums(v_features, offset)``: one pass over
    the rows, wherever they are (in memory here, or in a cluster's row chunks). The
    implicit centring and scaling act on vectors of the size of the coefficients
    only. See `lipschitz_constant` for the parameters; ``xp`` and ``device`` are
    those of the arrays ``row_sums`` takes and returns (``None``: NumPy).
    """

    def gram_product(v: np.ndarray) -> np.ndarray:
        v_features = v[:n_features]
        if column_scale is not None:
            v_features = v_features / column_scale
        offset = 0.0
        if fit_intercept:
            offset = v[n_features]
            if column_shift is not None:
                offset = offset - column_shift @ v_features
        Mv, weighted_sum = row_sums(v_features, offset)
        if fit_intercept and column_shift is not None:
            Mv = Mv - column_shift * weighted_sum
        if column_scale is not None:
            Mv = Mv / column_scale
        if fit_intercept:
            Mv = (np.concatenate if xp is None else xp.concat)([Mv, weighted_sum])
        return Mv

    eigenvalue = largest_eigenvalue(
        gram_product,
        n_features + fit_intercept,
        dtype=dtype,
        n_power_iterations=n_power_iterations,
        rtol=rtol,
        xp=xp,
        device=device,
    )
    curvature_bound = 0.5 if multinomial else 0.25
    return curvature_bound * eigenvalue


def row_norms_squared(
    X,
    *,
    fit_intercept: bool,
    column_shift: np.ndarray | None = None,
    column_scale: np.ndarray | None = None,
) -> np.ndarray:
    """Squared Euclidean norm of each row of ``Xt = [(X - mu) / s, 1]``.

    This is the curvature scale of one sample's loss: the Hessian of ``loss_i`` in the
    coefficients is at most ``c * ||Xt_i||^2`` (``c`` as in `lipschitz_constant`).
    The centred and scaled rows are never formed: with ``u = 1 / s``,
    ``||(x - mu) u||^2 = (x * x) @ u^2 - 2 x @ (mu u^2) + mu^2 @ u^2``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The data.
    fit_intercept : bool
        Whether the column of ones is part of ``Xt`` (it adds 1 to every norm).
    column_shift, column_scale : ndarray of shape (n_features,), optional
        Implicit centring and scaling of the columns.

    Returns
    -------
    norms : ndarray of shape (n_samples,)
    """
    n_features = X.shape[1]
    inverse_square = (
        np.ones(n_features) if column_scale is None else column_scale**-2.0
    ).astype(np.float64)
    if sparse.issparse(X):
        squared = X.multiply(X).tocsr()
        norms = np.asarray(squared @ inverse_square, dtype=np.float64).ravel()
    else:
        norms = np.empty(X.shape[0], dtype=np.float64)
        for start in range(0, X.shape[0], _ROW_BLOCK):
            block = np.asarray(X[start : start + _ROW_BLOCK], dtype=np.float64)
            norms[start : start + block.shape[0]] = (block * block) @ inverse_square
    if column_shift is not None:
        weighted_shift = column_shift * inverse_square
        norms += (
            float(column_shift @ weighted_shift)
            - 2.0 * np.asarray(X @ weighted_shift, dtype=np.float64).ravel()
        )
        # Round-off can take a tiny norm below zero.
        np.maximum(norms, 0.0, out=norms)
    return norms + 1.0 if fit_intercept else norms
