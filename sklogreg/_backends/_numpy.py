"""The NumPy and SciPy backend: dense arrays and CSR matrices in memory.

Every operation that reads ``X`` is here, with the element-wise kernels of the loss
written for NumPy: in place where that saves a temporary of ``n_samples`` entries,
and from one exponential where SciPy's special functions would spend two (the
costliest element-wise work of a step, measured in the benchmark).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit, log_softmax

from ._linear import TwoProductPass, linear_predictor
from ._row_blocks import (
    ONE_READ_BYTES,
    SPARSE_BLOCK_BYTES,
    RowBlockedPass,
    compressed_view,
    row_blocks,
)

__all__ = ["NumpyBackend"]

# Bytes per block of rows when squaring a dense X, at most 1/16 of X: the temporary
# stays far below X's size (a fixed 4096 rows made it 21% of a 20k x 1000 X, measured
# by the benchmark).
_BLOCK_BYTES = 2**20
# Rows per block when computing row norms in float64.
_ROW_BLOCK = 1024


class NumpyBackend:
    """Operations on NumPy arrays and SciPy sparse matrices.

    The same methods as `ArrayAPIBackend`: the losses, penalty, scaling and data
    terms hold one of the two and never ask which.
    """

    xp = np
    device = "cpu"
    index_dtype = np.intp
    # Sums of weights are accumulated in this dtype, whatever X's.
    accumulation_dtype = np.float64

    def __repr__(self) -> str:
        return "NumpyBackend()"

    # -- reading X ------------------------------------------------------------------

    # The same operators on every kind of array (see sklogreg._backends).
    linear_predictor = staticmethod(linear_predictor)

    def adjoint(self, X, residual: np.ndarray, fit_intercept: bool) -> np.ndarray:
        """``[R.T @ X, R.sum(axis=0)]``: the adjoint of `linear_predictor`."""
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
        return np.concatenate(
            [grad_coef, grad_intercept.astype(grad_coef.dtype)], axis=1
        )

    def data_pass(self, X, loss, target, weights, fit_intercept: bool):
        """The data term's value and gradient: by row blocks where that pays.

        Row blocks (`RowBlockedPass`, dense and CSR alike) read ``X`` once and
        use two threads; they are taken when ``X`` has at least `ONE_READ_BYTES`
        or when the two products' temporaries (about four arrays of margins) would
        pass 10% of ``X`` (narrow or sparse rows, many classes): the blocks' are
        block-sized. Otherwise the two products (`TwoProductPass`) are faster.
        """
        nbytes = X.data.nbytes + X.indices.nbytes if sparse.issparse(X) else X.nbytes
        margin_bytes = X.shape[0] * loss.n_coef_rows * X.dtype.itemsize
        if nbytes >= ONE_READ_BYTES or 40 * margin_bytes > nbytes:
            return RowBlockedPass(X, loss, target, weights, fit_intercept)
        return TwoProductPass(self, X, loss, target, weights, fit_intercept)

    def column_moments(self, X, weights: np.ndarray):
        """``X.T w`` and ``(X * X).T w`` without a temporary the size of ``X``.

        Both are sums over rows, taken one block of rows at a time (each at most
        1/16 of ``X``): the block is squared (for CSR, its stored values only)
        while it is in cache, so ``X`` is read from memory once.
        """
        first = np.zeros(X.shape[1], dtype=X.dtype)
        second = np.zeros(X.shape[1], dtype=X.dtype)
        if sparse.issparse(X):
            for rows, transposed, _, squared_transposed in _squared_csr_blocks(X):
                first += transposed @ weights[rows]
                second += squared_transposed @ weights[rows]
            return first, second
        block_bytes = min(_BLOCK_BYTES, X.nbytes // 16)
        rows = max(1, block_bytes // max(X[:1].nbytes, 1))
        for start in range(0, X.shape[0], rows):
            block = X[start : start + rows]
            block_weights = weights[start : start + rows]
            first += block.T @ block_weights
            second += (block * block).T @ block_weights
        return first, second

    def gram_row_sums(self, X, weights, v_features, offset: float):
        """``X.T (w * u)`` and ``sum(w * u)`` for ``u = X v + offset``."""
        weighted = weights * (X @ v_features + offset)
        return np.asarray(X.T @ weighted).ravel(), weighted.sum(keepdims=True)

    def row_norms_squared(self, X, column_shift=None, column_scale=None):
        """``||(x_i - mu) / s||^2`` for every row, without forming the rows.

        With ``u = 1 / s``: ``(x * x) @ u^2 - 2 x @ (mu u^2) + mu^2 @ u^2``.
        """
        n_features = X.shape[1]
        inverse_square = (
            np.ones(n_features) if column_scale is None else column_scale**-2.0
        ).astype(np.float64)
        if sparse.issparse(X):
            norms = np.empty(X.shape[0], dtype=np.float64)
            for rows, _, squared, _ in _squared_csr_blocks(X):
                norms[rows] = squared @ inverse_square
        else:
            norms = np.empty(X.shape[0], dtype=np.float64)
            for start in range(0, X.shape[0], _ROW_BLOCK):
                block = np.asarray(X[start : start + _ROW_BLOCK], dtype=np.float64)
                norms[start : start + block.shape[0]] = (block * block) @ inverse_square
        if column_shift is not None:
            weighted_shift = column_shift * inverse_square
            # In X's dtype: a float64 vector would make NumPy upcast a float32 X.
            shift_products = X @ weighted_shift.astype(X.dtype)
            norms += (
                float(column_shift @ weighted_shift)
                - 2.0 * np.asarray(shift_products, dtype=np.float64).ravel()
            )
            # Round-off can take a tiny norm below zero.
            np.maximum(norms, 0.0, out=norms)
        return norms

    # -- element-wise kernels of the loss ---------------------------------------------

    @staticmethod
    def log1pexp(z: np.ndarray) -> np.ndarray:
        """``log(1 + exp(z))`` as ``max(z, 0) + log1p(exp(-|z|))``: no overflow.

        1.6x faster than ``np.logaddexp(0, z)`` (measured on 50k margins); this runs
        at every line-search trial.
        """
        log1pexp = np.abs(z)
        np.negative(log1pexp, out=log1pexp)
        np.exp(log1pexp, out=log1pexp)
        np.log1p(log1pexp, out=log1pexp)
        log1pexp += np.maximum(z, 0)
        return log1pexp

    @staticmethod
    def log1pexp_and_expit(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``log(1 + exp(z))`` and ``expit(z)`` from one exponential ``exp(-|z|)``.

        ``expit(z)`` is ``1 / (1 + e)`` for ``z >= 0`` and ``e / (1 + e)`` otherwise;
        one ``exp`` instead of the two ``np.logaddexp`` and ``expit`` would spend.
        """
        # In place where possible: each temporary is a vector of n_samples, and on
        # tall, narrow data they are the fit's only memory beyond X.
        e = np.abs(z)
        np.negative(e, out=e)
        np.exp(e, out=e)
        log1pexp = np.log1p(e)
        log1pexp += np.maximum(z, 0)
        probability = np.where(z >= 0, 1, e)
        e += 1
        probability /= e
        return log1pexp, probability

    @staticmethod
    def log_normalizer_and_softmax(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``logsumexp(Z, axis=1)`` and ``softmax(Z, axis=1)`` from one exponential.

        Shifting each row by its maximum makes every exponent at most 0, so nothing
        overflows and the row sums are at least 1. The work is done one block of
        rows at a time on a ``(n_classes, block)`` transposed copy: reductions over
        a short last axis are slow in NumPy, over the first axis they are
        element-wise operations on long rows (3x faster on digits), and the copy
        stays in cache instead of being a second ``n_samples x n_classes`` array.
        Non-finite margins give NaN (the solvers treat a non-finite objective as
        divergence) without a warning.
        """
        return _softmax_by_blocks(Z, with_softmax=True)

    @staticmethod
    def log_normalizer(Z: np.ndarray) -> np.ndarray:
        """``logsumexp(Z, axis=1)``, without the softmax's ``n_samples x n_classes``."""
        return _softmax_by_blocks(Z, with_softmax=False)[0]

    @staticmethod
    def at_labels(Z: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """``Z[i, labels[i]]`` for every row ``i``."""
        return Z[np.arange(labels.shape[0]), labels]

    @staticmethod
    def weighted_label_difference(probability, labels, weights):
        """``w_i (p_i - e_{labels[i]})``, in the place of ``probability``."""
        probability[np.arange(labels.shape[0]), labels] -= 1
        probability *= weights[:, None]
        return probability

    @staticmethod
    def sigmoid_block_value_and_residual(z, weights, y, scratch) -> float:
        """The sigmoid loss of a block of margins; ``z`` becomes its residual.

        From one ``e = exp(-|z|)``: the value ``w log1p(e) + (w/2) |z| + c z`` and
        the residual ``copysign(w / (1 + e) - w/2, z) + c`` (``c = w (1/2 - y)``,
        `sklogreg._loss`). ``scratch`` holds four work vectors as long as ``z``:
        ``w/2`` and ``c`` are made there, not kept for all rows.
        """
        e, work, half_weights, offset_weights = scratch
        np.multiply(weights, 0.5, out=half_weights)
        np.multiply(weights, y, out=offset_weights)
        np.subtract(half_weights, offset_weights, out=offset_weights)
        np.copysign(z, -1, out=e)
        value = float(offset_weights @ z) - float(half_weights @ e)
        np.exp(e, out=e)
        np.log1p(e, out=work)
        value += float(weights @ work)
        e += 1
        np.divide(weights, e, out=e)
        e -= half_weights
        np.copysign(e, z, out=z)
        z += offset_weights
        return value

    @staticmethod
    def softmax_block_value_and_residual(ZT, labels, weights, scratch) -> float:
        """The softmax loss of a block, from its ``Z.T``; ``ZT`` becomes ``R.T``.

        The value ``sum_i w_i (logsumexp(Z_i) - Z_{i, y_i})`` and the residual
        ``w_i (softmax(Z_i) - e_{y_i})``, each row shifted by its maximum first.
        ``scratch`` holds (at least) two work vectors as long as the block.
        """
        row_max, row_sum = scratch[0], scratch[1]
        columns = np.arange(labels.shape[0])
        with np.errstate(invalid="ignore"):
            np.max(ZT, axis=0, out=row_max)
            ZT -= row_max
        value = -float(weights @ ZT[labels, columns])
        np.exp(ZT, out=ZT)
        np.sum(ZT, axis=0, out=row_sum)
        value += float(weights @ np.log(row_sum, out=row_max))
        np.divide(weights, row_sum, out=row_sum)
        ZT *= row_sum
        ZT[labels, columns] -= weights
        return value

    expit = staticmethod(expit)
    log_expit = staticmethod(log_expit)

    @staticmethod
    def softmax(Z: np.ndarray) -> np.ndarray:
        """Softmax over the classes (axis 1), by blocks of rows."""
        return _softmax_by_blocks(Z, with_softmax=True)[1]

    @staticmethod
    def log_softmax(Z: np.ndarray) -> np.ndarray:
        """Log-softmax over the classes, exact where one class dominates."""
        return log_softmax(Z, axis=1)

    @staticmethod
    def weighted_difference(probability, target, weights):
        """``w * (p - y)``, in the place of ``probability``."""
        probability -= target
        probability *= weights
        return probability

    # -- reductions to Python floats ---------------------------------------------------

    @staticmethod
    def total(a: np.ndarray) -> float:
        """The sum of all entries, as a Python float."""
        return float(a.sum())

    @staticmethod
    def max_abs(a: np.ndarray) -> float:
        """The largest magnitude of all entries, as a Python float."""
        return float(np.abs(a).max())

    @staticmethod
    def norm(v: np.ndarray) -> float:
        """The Euclidean norm in float64, finite whenever the norm itself is.

        The sum of the squares overflows from entries of the square root of the
        largest float on (features of 1e77 give a curvature of 1e154), long before
        the norm does: only then is ``v`` divided by its largest magnitude first, so
        that every other norm keeps its last bit.
        """
        v = v.astype(np.float64)
        with np.errstate(over="ignore"):
            norm = float(np.linalg.norm(v))
        if math.isinf(norm):
            largest = float(np.max(np.abs(v)))
            norm = largest * float(np.linalg.norm(v / largest))
        return norm

    @staticmethod
    def copy(array: np.ndarray) -> np.ndarray:
        """A copy of ``array``."""
        return array.copy()

    @staticmethod
    def asarray(values, dtype=None) -> np.ndarray:
        """``values`` (a NumPy array or list) as an array here, on the host."""
        return np.asarray(values, dtype=dtype)


def _squared_csr_blocks(X):
    """``(rows, X[rows].T, X[rows] ** 2, its .T)``, blocks of 1/16 of ``X`` at most.

    The squares are the block's only new array: the blocks share ``X``'s column
    indices (`row_blocks`).
    """
    X = X.tocsr()
    nbytes = X.data.nbytes + X.indices.nbytes
    for start, stop, block, transposed in row_blocks(
        X, block_bytes=min(SPARSE_BLOCK_BYTES, max(nbytes // 16, 1))
    ):
        squares = (block.data * block.data, block.indices, block.indptr)
        yield (
            slice(start, stop),
            transposed,
            compressed_view(sparse.csr_matrix, *squares, block.shape),
            compressed_view(sparse.csc_matrix, *squares, block.shape[::-1]),
        )


# Entries of the transposed block the softmax works on: 512 KiB in float64, in cache.
_SOFTMAX_BLOCK = 2**16


def _softmax_by_blocks(Z: np.ndarray, with_softmax: bool):
    """``logsumexp(Z, axis=1)`` and, if asked, ``softmax(Z, axis=1)`` (else None).

    Data of one block (minibatches, small sets) is done on one transposed copy,
    whose transpose is the softmax returned: no second copy.
    """
    n_samples, n_classes = Z.shape
    rows = max(1, _SOFTMAX_BLOCK // n_classes)
    if n_samples <= rows:
        exp_shifted = Z.T.copy()
        log_normalizer = _shifted_exp_in_place(exp_shifted, with_softmax)
        return log_normalizer, exp_shifted.T if with_softmax else None
    log_normalizer = np.empty(n_samples, dtype=Z.dtype)
    probability = np.empty_like(Z) if with_softmax else None
    block = np.empty((n_classes, rows), dtype=Z.dtype)
    for start in range(0, n_samples, rows):
        stop = min(start + rows, n_samples)
        exp_shifted = block[:, : stop - start]
        np.copyto(exp_shifted, Z[start:stop].T)
        log_normalizer[start:stop] = _shifted_exp_in_place(exp_shifted, with_softmax)
        if with_softmax:
            probability[start:stop] = exp_shifted.T
    return log_normalizer, probability


def _shifted_exp_in_place(exp_shifted: np.ndarray, normalize: bool) -> np.ndarray:
    """``logsumexp`` over axis 0 of ``Z.T``, which becomes its softmax if asked."""
    row_max = exp_shifted.max(axis=0)
    with np.errstate(invalid="ignore"):
        exp_shifted -= row_max
    np.exp(exp_shifted, out=exp_shifted)
    row_sum = exp_shifted.sum(axis=0)
    if normalize:
        exp_shifted /= row_sum
    row_max += np.log(row_sum)
    return row_max
