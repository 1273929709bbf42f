"""The Array API backend: dense arrays of any Array API library, on any device.

The same operations as `sklogreg._backends._numpy`, written in Array API terms: no
``out=``, no SciPy special function, and never a copy to the host (the reductions
return Python floats, the one scalar a solver needs).
"""

from __future__ import annotations

import math

from sklearn.utils._array_api import _max_precision_float_dtype, indexing_dtype

from ._linear import TwoProductPass, linear_predictor

__all__ = ["ArrayAPIBackend"]

# Bytes per block of rows when squaring X for its column moments.
_BLOCK_BYTES = 2**20


class ArrayAPIBackend:
    """Operations on the arrays of one Array API namespace and device.

    Parameters
    ----------
    xp : module
        The Array API namespace (``array_api_strict``, PyTorch's compat namespace...).
    device : object
        The device the data lives on; arrays made here are made there.
    """

    def __init__(self, xp, device) -> None:
        self.xp = xp
        self.device = device
        self.index_dtype = indexing_dtype(xp)
        # Sums of weights are accumulated in the widest float the device has.
        self.accumulation_dtype = _max_precision_float_dtype(xp, device)

    def __repr__(self) -> str:
        return f"ArrayAPIBackend({self.xp.__name__}, device={self.device!r})"

    # -- reading X ------------------------------------------------------------------

    # The same operators on every kind of array (see sklogreg._backends).
    linear_predictor = staticmethod(linear_predictor)

    def adjoint(self, X, residual, fit_intercept: bool):
        """``[R.T @ X, R.sum(axis=0)]``: the adjoint of `linear_predictor`."""
        xp = self.xp
        if residual.ndim == 1:
            grad_coef = (X.T @ residual)[None, :]
            grad_intercept = xp.sum(residual, keepdims=True)[None, :]
        else:
            grad_coef = (X.T @ residual).T
            grad_intercept = xp.sum(residual, axis=0)[:, None]
        if not fit_intercept:
            return grad_coef
        return xp.concat([grad_coef, grad_intercept], axis=1)

    def data_pass(self, X, loss, target, weights, fit_intercept: bool):
        """The data term's value and gradient as two products (`TwoProductPass`)."""
        return TwoProductPass(self, X, loss, target, weights, fit_intercept)

    def column_moments(self, X, weights):
        """``X.T w`` and ``(X * X).T w``, squaring ``X`` one block of rows at a time."""
        xp = self.xp
        n_samples, n_features = X.shape
        first = X.T @ weights
        second = xp.zeros(n_features, dtype=X.dtype, device=self.device)
        row_bytes = max(n_features * xp.finfo(X.dtype).bits // 8, 1)
        block_bytes = min(_BLOCK_BYTES, n_samples * row_bytes // 16)
        rows = max(1, block_bytes // row_bytes)
        for start in range(0, n_samples, rows):
            # The Array API leaves out-of-bounds slice ends unspecified: clip them.
            stop = min(start + rows, n_samples)
            block = X[start:stop, :]
            second = second + (block * block).T @ weights[start:stop]
        return first, second

    def gram_row_sums(self, X, weights, v_features, offset: float):
        """``X.T (w * u)`` and ``sum(w * u)`` for ``u = X v + offset``."""
        weighted = weights * (X @ v_features + offset)
        return X.T @ weighted, self.xp.sum(weighted, keepdims=True)

    # -- element-wise kernels of the loss ---------------------------------------------

    def log1pexp(self, z):
        """``log(1 + exp(z))`` as ``max(z, 0) + log1p(exp(-|z|))``: no overflow."""
        xp = self.xp
        return xp.log1p(xp.exp(-xp.abs(z))) + xp.clip(z, min=0)

    def log1pexp_and_expit(self, z):
        """``log(1 + exp(z))`` and ``expit(z)`` from one exponential ``exp(-|z|)``."""
        xp = self.xp
        e = xp.exp(-xp.abs(z))
        log1pexp = xp.log1p(e) + xp.clip(z, min=0)
        return log1pexp, xp.where(z >= 0, 1.0, e) / (1 + e)

    def log_normalizer_and_softmax(self, Z):
        """``logsumexp`` and ``softmax`` over axis 1, shifted by the row maxima."""
        xp = self.xp
        row_max = xp.max(Z, axis=1, keepdims=True)
        exp_shifted = xp.exp(Z - row_max)
        row_sum = xp.sum(exp_shifted, axis=1, keepdims=True)
        return row_max[:, 0] + xp.log(row_sum[:, 0]), exp_shifted / row_sum

    def expit(self, z):
        """The sigmoid, overflow-free."""
        return self.log1pexp_and_expit(z)[1]

    def log_expit(self, z):
        """``log(expit(z)) = -log(1 + exp(-z))``, overflow-free."""
        return -self.log1pexp(-z)

    def softmax(self, Z):
        """Softmax over the classes (axis 1)."""
        return self.log_normalizer_and_softmax(Z)[1]

    def log_normalizer(self, Z):
        """``logsumexp(Z, axis=1)``."""
        return self.log_normalizer_and_softmax(Z)[0]

    def _is_label(self, Z, labels):
        xp = self.xp
        classes = xp.arange(Z.shape[1], dtype=labels.dtype, device=self.device)
        return labels[:, None] == classes

    def at_labels(self, Z, labels):
        """``Z[i, labels[i]]`` for every row ``i``."""
        xp = self.xp
        return xp.sum(xp.where(self._is_label(Z, labels), Z, 0.0), axis=1)

    def weighted_label_difference(self, probability, labels, weights):
        """``w_i (p_i - e_{labels[i]})``, row-weighted."""
        xp = self.xp
        is_label = xp.astype(self._is_label(probability, labels), probability.dtype)
        return weights[:, None] * (probability - is_label)

    def log_softmax(self, Z):
        """``log(softmax(Z, axis=1))``, exact where one class dominates.

        ``row_max + log(sum(exp(Z - row_max)))`` is ``log(1 + tiny)`` there, which
        keeps only the digits of ``tiny`` above ``eps``: the largest entries each
        contribute exactly 1, so ``log1p`` of the others' sum keeps every digit, as
        ``scipy.special.log_softmax`` does for NumPy.
        """
        xp = self.xp
        row_max = xp.max(Z, axis=1, keepdims=True)
        is_max = Z == row_max
        n_max = xp.sum(xp.astype(is_max, Z.dtype), axis=1, keepdims=True)
        others = xp.sum(
            xp.where(is_max, 0.0, xp.exp(Z - row_max)), axis=1, keepdims=True
        )
        return Z - row_max - xp.log(n_max) - xp.log1p(others / n_max)

    def weighted_difference(self, probability, target, weights):
        """``w * (p - y)``, row-weighted."""
        return weights * (probability - target)

    # -- reductions to Python floats ---------------------------------------------------

    def total(self, a) -> float:
        """The sum of all entries, as a Python float."""
        return float(self.xp.sum(a))

    def max_abs(self, a) -> float:
        """The largest magnitude of all entries, as a Python float."""
        return float(self.xp.max(self.xp.abs(a)))

    def norm(self, v) -> float:
        """The Euclidean norm, finite whenever the norm itself is.

        Only this Python float leaves the device, but for the rescaled second try
        when the sum of the squares overflows.
        """
        xp = self.xp
        norm = float(xp.sqrt(xp.sum(v * v)))
        if math.isinf(norm):
            largest = xp.max(xp.abs(v))
            scaled = v / largest
            norm = float(largest * xp.sqrt(xp.sum(scaled * scaled)))
        return norm

    def copy(self, array):
        """A copy of ``array``."""
        return self.xp.asarray(array, copy=True)

    def asarray(self, values, dtype=None):
        """``values`` (a NumPy array or list) moved here, once."""
        return self.xp.asarray(values, dtype=dtype, device=self.device)
