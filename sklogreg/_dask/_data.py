"""The data term on a row-chunked Dask array (`DaskData`), and its objective.

`DaskData` offers `LogisticObjective` the operations of
`sklogreg._in_memory.InMemoryData`, each one graph of `RowChunks.reduce` running a
function of `sklogreg._dask._chunks` on every chunk; a line search's trials share one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import dask.array as da
import numpy as np

from .._backends import NumpyBackend
from .._curvature import gram_lipschitz_constant
from .._in_memory import WeightNormalization
from .._input_checks import check_combined_weights, check_penalty_scale
from .._objective import LogisticObjective
from ._chunks import (
    chunk_pass,
    gram_row_sums_of_chunk,
    largest_weight_of_chunk,
    relative_weight_sum_and_moments_of_chunk,
)
from ._encoding import RowEncoding
from ._graphs import RowChunks
from ._predictions import column_standard_deviations

__all__ = ["DaskData", "dask_objective"]

_NUMPY = NumpyBackend()


class _MarginsNotKept:
    """What `DaskData.margins` returns in place of the margins.

    The solvers carry margins as linear combinations (``A y - t A g``) to save passes
    over the data; here every pass recomputes them from the coefficients inside the
    tasks, at no extra read of ``X``, so the stand-in absorbs that arithmetic and
    nothing of length ``n_samples`` lives on the client.
    """

    def __add__(self, other):
        return self

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __add__


_NOT_KEPT = _MarginsNotKept()


@dataclass
class _PassResults:
    """What one pass computed: kept until the next, to answer the line search."""

    value_points: list = field(default_factory=list)
    values: list = field(default_factory=list)
    secant_base: np.ndarray | None = None
    secants: list = field(default_factory=list)
    gradient_points: list = field(default_factory=list)
    gradient_results: list = field(default_factory=list)


def _index_of(points: list, point: np.ndarray) -> int | None:
    """The position of ``point`` among ``points`` (equal values), or None."""
    return next(
        (i for i, candidate in enumerate(points) if np.array_equal(candidate, point)),
        None,
    )


class DaskData:
    """The data term on a row-chunked Dask array: each pass one reduction.

    The same operations as `sklogreg._in_memory.InMemoryData`, each one Dask graph
    with one task per row chunk (running the in-memory loss on its chunk) and a tree
    sum: only coefficient-sized arrays travel, ``X`` is never gathered, and nothing of
    length ``n_samples`` is kept between graphs. A line search's trials are
    evaluated together: `plan_line_search` learns them, and the first `value` asked
    for computes in one graph the value at every trial, its secant against the point
    of the last gradient, and the value and gradient at every possible next point.
    The results of that graph are kept until the next one, and found again by
    comparing the (few, coefficient-sized) points asked for with those planned.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Row-chunked data (dense or CSR chunks), as returned by `check_dask_input`.
    y : dask.array.Array of shape (n_samples,)
        Labels, chunked like ``X``'s rows.
    sample_weight : dask.array.Array of shape (n_samples,) or None
        Sample weights, chunked like ``X``'s rows.
    encoding : RowEncoding
        Classes and class weights; its weight normalisation is filled in here.
    fit_intercept : bool
        Whether the coefficients end with an intercept column.
    """

    # Trial points evaluated in one graph: each costs a column of one product
    # with the chunk. The longest backtracking ladder measured had 13 rungs.
    MAX_TRIALS_PER_PASS = 16
    # Bytes a task may spend on the margins and residuals of its points, about
    # (5 k + 2) * rows * classes floats for k trials: with many classes or large
    # chunks, fewer trials per pass (and a second graph when the line search goes
    # deeper) rather than a worker over its memory limit.
    TRIAL_BYTES_PER_TASK = 256 * 2**20
    # Up to this many features the weighted Gram matrix X.T diag(w) X is summed in
    # the same pass as the column moments (at most 2 MB per chunk's result), and the
    # power iteration for the step size runs on it locally: one graph instead of one
    # per power iteration (about 10-30).
    MAX_GRAM_FEATURES = 512

    backend = _NUMPY

    def __init__(
        self,
        X: da.Array,
        y: da.Array,
        sample_weight: da.Array | None,
        *,
        encoding: RowEncoding,
        fit_intercept: bool,
    ) -> None:
        self.X = X
        self.fit_intercept = fit_intercept
        self.n_features = X.shape[1]
        self.dtype = encoding.dtype
        self.loss = encoding.loss
        self._rows = RowChunks(X, y, sample_weight)
        # Graphs computed so far: the benchmark reports graphs per iteration.
        self.n_graphs = 0
        largest = self._reduce(largest_weight_of_chunk, encoding, combine=max)
        check_combined_weights(largest, encoding.dtype)
        encoding = replace(encoding, normalization=WeightNormalization(largest))
        with_gram = X.shape[1] <= self.MAX_GRAM_FEATURES
        relative_sum, mean, mean_square, gram = self._reduce(
            relative_weight_sum_and_moments_of_chunk, encoding, with_gram
        )
        # Weighted by the normalised weights (summing to one), like everything else.
        self._gram = gram / relative_sum if with_gram else None
        self._moments = (mean / relative_sum, mean_square / relative_sum)
        normalization = WeightNormalization(largest, relative_sum)
        self.encoding = replace(encoding, normalization=normalization)
        self.weight_sum = normalization.weight_sum
        self._planned: tuple[list, list] | None = None
        self._last_pass = _PassResults()
        # Where the last gradient was taken: the base of the next trials' secants.
        self._gradient_base: np.ndarray | None = None

    def _reduce(self, chunk_function, *arguments, **options):
        """One Dask graph, computed now and counted (see `RowChunks.reduce`)."""
        self.n_graphs += 1
        return self._rows.reduce(chunk_function, *arguments, **options)

    def margins(self, original) -> _MarginsNotKept:
        """A stand-in: the margins are recomputed from the point in every pass."""
        return _NOT_KEPT

    def plan_line_search(self, plan, to_original) -> None:
        """Note the points a line search may try, and the next gradient's for each.

        The next `value` computes in one graph the value at each trial (the first
        `trials_per_pass`) and the value and gradient at each next point, so that the
        line search's later trials and the next `value_and_gradient` cost no graph.
        """
        trials = plan.trials()[: self.trials_per_pass()]
        next_points = plan.next_points(trials)
        self._planned = (
            [to_original(trial) for trial in trials],
            [to_original(point) for point in next_points],
        )

    def trials_per_pass(self) -> int:
        """Trials evaluated in one graph, at most `MAX_TRIALS_PER_PASS`.

        Fewer when a task's temporaries for them would pass `TRIAL_BYTES_PER_TASK`.
        """
        rows = max(self.X.chunks[0])
        per_point = rows * self.loss.n_coef_rows * self.dtype.itemsize
        affordable = (self.TRIAL_BYTES_PER_TASK // max(per_point, 1) - 2) // 5
        return int(min(self.MAX_TRIALS_PER_PASS, max(1, affordable)))

    def _pass(self, value_points, gradient_points, secant_base) -> _PassResults:
        """One graph: values (and secants) at some points, gradients at others."""
        empty = np.empty((0, *self._shape), self.dtype)
        values, secants, gradient_values, gradients = self._reduce(
            chunk_pass,
            self.encoding,
            self.fit_intercept,
            np.stack(value_points) if value_points else empty,
            np.stack(gradient_points) if gradient_points else empty,
            secant_base,
        )
        return _PassResults(
            list(value_points),
            [float(v) for v in values],
            secant_base,
            [float(s) for s in secants],
            list(gradient_points),
            [(float(v), g) for v, g in zip(gradient_values, gradients, strict=True)],
        )

    @property
    def _shape(self) -> tuple[int, int]:
        return self.loss.n_coef_rows, self.n_features + self.fit_intercept

    def value(self, margins, original) -> float:
        """The data term at ``original``: from the planned pass, or a new one."""
        found = _index_of(self._last_pass.value_points, original)
        if found is not None:
            return self._last_pass.values[found]
        trials, next_points = self._planned or ([original], [original])
        self._planned = None
        if _index_of(trials, original) is None:
            trials, next_points = [original], [original]
        self._last_pass = self._pass(trials, next_points, self._gradient_base)
        return self._last_pass.values[_index_of(trials, original)]

    def value_and_gradient(self, margins, original):
        """The data term and its gradient in ``(W, b)``; usually planned already."""
        found = _index_of(self._last_pass.gradient_points, original)
        if found is None:
            self._last_pass = self._pass([], [original], None)
            found = 0
        # The line search's trials start from here: their secants are taken
        # against this point (see `chunk_pass`).
        self._gradient_base = original
        value, gradient = self._last_pass.gradient_results[found]
        # A copy: the caller adds the penalty's gradient in place.
        return value, gradient.copy()

    def value_and_gradient_at(self, original):
        """The data term and its gradient at ``original``: one pass, or the planned."""
        return self.value_and_gradient(self.margins(original), original)

    def secant_curvature(self, margins_a, original_a, margins_b, original_b) -> float:
        """``<r(Z_b) - r(Z_a), Z_b - Z_a>``; near the optimum, from the trials' pass."""
        results = self._last_pass
        found = _index_of(results.value_points, original_b)
        if (
            found is not None
            and results.secant_base is not None
            and np.array_equal(results.secant_base, original_a)
        ):
            return results.secants[found]
        return self._pass([original_b], [], original_a).secants[0]

    def column_moments(self):
        """``X.T w`` and ``(X * X).T w``, summed when the weights were."""
        return self._moments

    def column_standard_deviations(self) -> np.ndarray:
        """The (unweighted) standard deviations of the columns: one reduction.

        A constant column reads as 1, as its scale would, and as in memory.
        """
        deviations = column_standard_deviations(self.X)
        return np.where(deviations > 0, deviations, 1.0)

    def lipschitz_constant(self, scaling, *, rtol: float) -> float:
        """The data term's Lipschitz bound, on the local Gram matrix when small."""
        row_sums = self._gram_row_sums
        return gram_lipschitz_constant(
            row_sums,
            self.n_features,
            dtype=self.dtype,
            fit_intercept=self.fit_intercept,
            curvature_bound=self.loss.curvature_bound,
            scaling=scaling,
            backend=_NUMPY,
            rtol=rtol,
        )

    def weighted_squared_margins(self, original) -> float:
        """``sum_i w_i ||Z_i||^2`` for the margins of ``original``, as Gram forms.

        ``u^T diag(w) u`` for ``u = X v + b``, row by row of coefficients: free on
        the local Gram matrix, else one graph per row.
        """
        total = 0.0
        for row in original:
            v_features = row[: self.n_features]
            offset = float(row[self.n_features]) if self.fit_intercept else 0.0
            products, weighted_sum = self._gram_row_sums(v_features, offset)
            total += float(v_features @ products) + offset * float(weighted_sum[0])
        return total

    def _gram_row_sums(self, v_features, offset):
        """``X.T (w * u)`` and ``sum(w * u)`` for ``u = X v + offset``."""
        if self._gram is not None:
            mean = self._moments[0]
            return (
                self._gram @ v_features + mean * offset,
                np.atleast_1d(mean @ v_features + offset),
            )
        return self._reduce(gram_row_sums_of_chunk, self.encoding, v_features, offset)


def dask_objective(
    X: da.Array,
    y: da.Array,
    sample_weight: da.Array | None,
    *,
    encoding: RowEncoding,
    C: float,
    l1_ratio: float,
    fit_intercept: bool,
    precondition: bool = False,
) -> LogisticObjective:
    """The contract's objective on a row-chunked Dask array (see `DaskData`).

    Parameters
    ----------
    X, y, sample_weight : dask.array.Array
        As returned by `check_dask_input` (``sample_weight`` may be ``None``).
    encoding : RowEncoding
        The classes and their weights.
    C, l1_ratio, fit_intercept, precondition
        As in `sklogreg._objective.logistic_objective`.

    Returns
    -------
    LogisticObjective
        The objective, reading the data through a `DaskData`.
    """
    data = DaskData(X, y, sample_weight, encoding=encoding, fit_intercept=fit_intercept)
    check_penalty_scale(C, data.weight_sum, data.dtype)
    return LogisticObjective(
        data,
        C=C,
        l1_ratio=l1_ratio,
        weight_sum=data.weight_sum,
        precondition=precondition,
    )
