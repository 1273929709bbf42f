"""The data term on data held in memory: NumPy, SciPy CSR, or an Array API library.

`InMemoryData` is what `sklogreg._objective.LogisticObjective` reads the data through
when ``X`` is in this process (`sklogreg._dask` provides the same operations for a
row-chunked Dask array). It holds ``X``, the encoded target and the normalised
weights, and offers the few operations that read ``X``: the margins, the data term
with its gradient, the secant curvature from margins, the column moments and the
Lipschitz bound; and, for the stochastic solver, the same on a subset of rows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from sklearn.utils._array_api import move_to

from ._curvature import gram_lipschitz_constant
from ._loss import secant_curvature
from ._scaling import ColumnScaling

__all__ = ["InMemoryData", "WeightNormalization", "normalized_weights"]

# Margins per block of the secant curvature's sum over rows.
SECANT_BLOCK_ENTRIES = 2**16


@dataclass(frozen=True)
class WeightNormalization:
    """How sample weights ``s`` become the normalised ``w = s / S``, without overflow.

    Dividing by the largest weight before summing keeps weights near the float
    maximum from overflowing the sum; ``S`` itself may then be inf, which only means
    the penalty ``1 / (C S)`` vanishes. `normalized_weights` applies it to all the
    weights at once; the Dask data term to each row chunk, with the largest weight
    and the relative sum reduced over all the chunks.

    Attributes
    ----------
    largest : float
        The largest weight.
    relative_sum : float, default=1.0
        The sum of the weights divided by ``largest``; 1 until summed.
    """

    largest: float
    relative_sum: float = 1.0

    def relative(self, sample_weight):
        """``s / largest``: at most one, so that their sum cannot overflow."""
        return sample_weight / self.largest

    def normalize(self, relative):
        """``relative / relative_sum``: the weights ``w``, summing to one."""
        return relative / self.relative_sum

    @property
    def weight_sum(self) -> float:
        """``S = largest * relative_sum``, inf past the largest float."""
        with np.errstate(over="ignore"):
            return self.largest * self.relative_sum


def normalized_weights(sample_weight, backend):
    """The weights divided by their sum ``S``, and ``S`` (`WeightNormalization`)."""
    xp = backend.xp
    largest = float(xp.max(sample_weight))
    relative = WeightNormalization(largest).relative(sample_weight)
    relative_sum = float(xp.sum(relative, dtype=backend.accumulation_dtype))
    normalization = WeightNormalization(largest, relative_sum)
    return normalization.normalize(relative), normalization.weight_sum


class InMemoryData:
    """``X``, the encoded target and the normalised weights, in memory.

    Parameters
    ----------
    X : array or CSR matrix of shape (n_samples, n_features)
        The data; never copied or modified.
    target : array
        ``y`` in {0, 1}, or the class indices (`sklogreg._loss`).
    weights : array of shape (n_samples,)
        Normalised weights (summing to one).
    loss : BinaryLogLoss or MultinomialLogLoss
        The data term's loss.
    fit_intercept : bool
        Whether the coefficients end with an intercept column.
    backend : Backend
        The operations on ``X``'s kind of array.
    sample_rows : array of int, optional
        The rows minibatches are drawn from, by default all; the others must have
        weight zero (early stopping's validation rows).
    """

    def __init__(
        self,
        X,
        target,
        weights,
        *,
        loss,
        fit_intercept: bool,
        backend,
        sample_rows=None,
    ) -> None:
        self.X, self.target, self.weights = X, target, weights
        self.loss = loss
        self.fit_intercept = fit_intercept
        self.backend = backend
        self._sample_rows = sample_rows
        self._data_pass = None

    @property
    def sample_rows(self) -> np.ndarray:
        """The rows minibatches are drawn from: all, unless early stopping holds out."""
        if self._sample_rows is None:
            self._sample_rows = np.arange(self.X.shape[0])
        return self._sample_rows

    @property
    def n_features(self) -> int:
        """Columns of ``X``."""
        return self.X.shape[1]

    @property
    def dtype(self):
        """The dtype of ``X``: that of the coefficients too."""
        return self.X.dtype

    def margins(self, original):
        """``X @ W.T + b`` at the original coefficients: one pass over ``X``."""
        return self.backend.linear_predictor(self.X, original, self.fit_intercept)

    def value(self, margins, original) -> float:
        """The data term from the margins."""
        return self.loss.value(margins, self.target, self.weights)

    def value_and_gradient(self, margins, original):
        """The data term and its gradient in ``(W, b)``: one pass over ``X``."""
        value, residual = self.loss.value_and_residual(
            margins, self.target, self.weights
        )
        return value, self.backend.adjoint(self.X, residual, self.fit_intercept)

    def value_and_gradient_at(self, original):
        """The data term and its gradient at ``original``, margins not kept.

        Through the backend's `data_pass`, made at the first call and kept with its
        buffers: for NumPy and CSR one read of ``X`` by blocks of rows.
        """
        return self._pass().value_and_gradient(original)

    def weighted_squared_margins(self, original) -> float:
        """``sum_i w_i ||Z_i||^2`` for the margins of ``original``: one read."""
        return self._pass().weighted_squared_margins(original)

    def _pass(self):
        if self._data_pass is None:
            self._data_pass = self.backend.data_pass(
                self.X, self.loss, self.target, self.weights, self.fit_intercept
            )
        return self._data_pass

    def secant_curvature(self, margins_a, original_a, margins_b, original_b) -> float:
        """``<r(Z_b) - r(Z_a), Z_b - Z_a>``: no pass over ``X``.

        A sum over rows, taken by blocks of `SECANT_BLOCK_ENTRIES` margins: the
        residuals and differences are then block-sized, not four more arrays the
        size of the margins (with many classes, each is several times ``X``).
        """
        residual, target, weights = self.loss.residual, self.target, self.weights
        n_samples = weights.shape[0]
        step = max(1, SECANT_BLOCK_ENTRIES // self.loss.n_coef_rows)
        total = 0.0
        for start in range(0, n_samples, step):
            rows = slice(start, min(start + step, n_samples))
            # The ellipsis: the Array API has no implicit trailing axes.
            block_a, block_b = margins_a[rows, ...], margins_b[rows, ...]
            total += secant_curvature(
                residual(block_a, target[rows], weights[rows]),
                block_a,
                residual(block_b, target[rows], weights[rows]),
                block_b,
                self.backend.xp,
            )
        return total

    def plan_line_search(self, plan, to_original) -> None:
        """Nothing to prepare: in memory, a trial costs what it costs when tried."""

    def column_moments(self):
        """``X.T w`` and ``(X * X).T w``: one pass over ``X``."""
        return self.backend.column_moments(self.X, self.weights)

    def column_standard_deviations(self) -> np.ndarray:
        """The (unweighted) standard deviations of the columns, on the host.

        By the same blocked moments the preconditioner uses: no temporary the size
        of ``X``. A constant column reads as 1, as its scale would.
        """
        backend = self.backend
        n_samples = self.X.shape[0]
        uniform = backend.xp.full(
            n_samples, 1 / n_samples, dtype=self.X.dtype, device=backend.device
        )
        scaling = ColumnScaling.from_moments(
            *backend.column_moments(self.X, uniform),
            fit_intercept=True,
            l2_strength=0.0,
            backend=backend,
        )
        return move_to(scaling.scale, xp=np, device="cpu")

    def lipschitz_constant(
        self, scaling, *, rtol: float, n_power_iterations: int = 30
    ) -> float:
        """The data term's Lipschitz bound in the working coefficients."""
        return gram_lipschitz_constant(
            functools.partial(self.backend.gram_row_sums, self.X, self.weights),
            self.n_features,
            dtype=self.X.dtype,
            fit_intercept=self.fit_intercept,
            curvature_bound=self.loss.curvature_bound,
            scaling=scaling,
            backend=self.backend,
            n_power_iterations=n_power_iterations,
            rtol=rtol,
        )

    # -- minibatch view, for the stochastic solver (NumPy and SciPy only) -------------

    def rows(self, rows, weight_factor: float) -> InMemoryData:
        """The data of ``rows`` (a copy of those rows only), weights scaled."""
        return InMemoryData(
            self.X[rows],
            self.target[rows],
            self.weights[rows] * self.weights.dtype.type(weight_factor),
            loss=self.loss,
            fit_intercept=self.fit_intercept,
            backend=self.backend,
        )

    def batch_gradient(self, original, rows, weight_factor: float):
        """The data term's gradient on ``rows`` alone, their weights scaled.

        What `rows` followed by `value_and_gradient` computes, without making the
        subset an object: this runs once per minibatch.
        """
        X_batch = self.X[rows]
        weights = self.weights[rows] * self.weights.dtype.type(weight_factor)
        margins = self.backend.linear_predictor(X_batch, original, self.fit_intercept)
        _, residual = self.loss.value_and_residual(margins, self.target[rows], weights)
        return self.backend.adjoint(X_batch, residual, self.fit_intercept)

    def row_curvatures(self, scaling):
        """``c * n * w_i * ||Xt_i||^2``: a bound on each sample's loss curvature.

        ``Xt_i`` is the row in the working coefficients, ``[(x_i - mu) / s, 1]``.
        """
        norms = self.backend.row_norms_squared(self.X, scaling.shift, scaling.scale)
        if self.fit_intercept:
            norms = norms + 1.0
        return self.loss.curvature_bound * self.sample_rows.size * self.weights * norms
