"""Fitting on Dask arrays: every pass over ``X`` is one reduction over its row chunks.

The log-loss, its gradient and everything the solvers need from the data are sums over
rows. `DaskLogisticObjective` computes each as one Dask graph: a task per row chunk
(the NumPy functions of `sklogreg._loss` applied to that chunk, on the worker holding
it) and a tree of additions, so only coefficient-sized arrays travel: the
coefficients to the workers, the partial sums back. ``X`` is never gathered to the
client, and no array of length ``n_samples`` is kept between passes either: the
margins are recomputed from the coefficients inside each task (``X`` is read anyway),
so a worker lost mid-fit costs only the recomputation of its chunks.

Everything else (the solvers, the line search, the preconditioner's change of
variables, the penalties) is the in-memory code, run on the client on small arrays:
`DaskLogisticObjective` overrides only the methods of `LogisticObjective` that read
the data. A Dask graph has a fixed cost (milliseconds on a cluster) whatever the data
size, so the objective evaluates in one graph everything an iteration may need
(`DaskLogisticObjective.plan_line_search`): the value at every step the line search
may try (its whole backtracking ladder), the secant test against each, and the value and
gradient at every possible next point. An iteration is one graph however many steps
its line search tries, at the price of more arithmetic per chunk than one pass.

Labels stay on the workers too: each task encodes its chunk's labels against the
classes found by a first reduction, and forms its sample weights (times class
weights) there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import dask
import dask.array as da
import numpy as np
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from scipy import sparse

from ._backends import NumpyBackend
from ._curvature import gram_lipschitz_constant
from ._input_checks import (
    check_combined_weights,
    check_feature_magnitude,
    check_penalty_scale,
    largest_magnitude,
    raise_non_finite_labels,
)
from ._loss import log_loss_for, secant_curvature
from ._objective import LogisticObjective

_NUMPY = NumpyBackend()

__all__ = [
    "DaskData",
    "check_dask_input",
    "dask_objective",
    "scan_labels_and_weights",
]


def check_dask_input(
    X,
    y=None,
    sample_weight=None,
    *,
    n_features: int | None = None,
    known_chunks: bool = True,
):
    """Validate Dask input and align ``y`` and ``sample_weight`` with ``X``'s rows.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Chunked along rows only; dense or with CSR chunks.
    y, sample_weight : dask or NumPy array of shape (n_samples,), optional
        NumPy arrays are split like ``X``'s rows; Dask arrays must already be.
    n_features : int, optional
        The number of features ``X`` must have (that seen in ``fit``).
    known_chunks : bool, default=True
        Require row chunks of known size, which lining up labels and weights with
        them needs; predictions, chunk by chunk, do without.

    Returns
    -------
    X, y, sample_weight
        ``X`` as float64 unless it is float32 already; ``y`` and ``sample_weight`` as
        Dask arrays with ``X``'s row chunks (``None`` stays ``None``).

    Raises
    ------
    ValueError
        With the fix in the message, for column-chunked ``X``, unknown chunk sizes,
        mismatched lengths or misaligned chunks.
    """
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D Dask array for X, got {X.ndim} dimension(s) with shape "
            f"{X.shape}."
        )
    if known_chunks and any(np.isnan(size) for size in X.chunks[0]):
        raise ValueError(
            "X has row chunks of unknown size (as after boolean indexing): call "
            "X.compute_chunk_sizes() first."
        )
    if X.numblocks[1] != 1:
        raise ValueError(
            f"X is chunked along its columns ({X.numblocks[1]} column chunks): every "
            "chunk must hold whole rows, since each task computes the margins of its "
            "rows. Rechunk with X.rechunk({1: -1})."
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but GDLogisticRegression is expecting "
            f"{n_features} features as input."
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return (
        X,
        _aligned_with_rows(y, X, "y"),
        _aligned_with_rows(sample_weight, X, "sample_weight"),
    )


def _aligned_with_rows(values, X, name: str):
    if values is None:
        return None
    if not isinstance(values, da.Array):
        values = np.asarray(values)
        if values.ndim == 0:  # a scalar sample weight
            values = np.full(X.shape[0], values, dtype=X.dtype)
        if values.shape != (X.shape[0],):
            raise ValueError(
                f"{name} has shape {values.shape}, but X has {X.shape[0]} rows."
            )
        return da.from_array(values, chunks=(X.chunks[0],))
    if values.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {values.shape}.")
    if values.chunks[0] != X.chunks[0]:
        raise ValueError(
            f"The row chunks of {name} {values.chunks[0]} do not match those of X "
            f"{X.chunks[0]}: each task needs the labels and weights of its own rows. "
            f"Rechunk with {name}.rechunk(X.chunks[0])."
        )
    return values


@dataclass(frozen=True)
class RowEncoding:
    """How a task turns its chunk's labels and weights into the objective's.

    Attributes
    ----------
    classes : ndarray
        The sorted classes; labels are encoded as their index.
    class_weight : ndarray or None
        Weight per encoded class, multiplied into the sample weights.
    dtype : dtype
        Dtype of ``X``, and of the targets and weights.
    weight_max, relative_sum : float
        The largest combined weight, and the sum of the weights divided by it: the
        weights are normalised as in `LogisticObjective` (divided by the largest
        first, so that huge weights cannot overflow the sum). 1 until known.
    """

    classes: np.ndarray
    class_weight: np.ndarray | None
    dtype: np.dtype
    weight_max: float = 1.0
    relative_sum: float = 1.0

    @property
    def multinomial(self) -> bool:
        """Softmax model (three or more classes)."""
        return self.classes.size > 2

    def encode(self, labels: np.ndarray) -> np.ndarray:
        """Labels to class indices."""
        return np.searchsorted(self.classes, labels)

    def combined_weights(self, encoded: np.ndarray, sample_weight) -> np.ndarray:
        """Sample weights (1 when absent) times class weights, before normalising."""
        if sample_weight is None:
            weights = np.ones(encoded.shape[0], dtype=self.dtype)
        else:
            weights = np.asarray(sample_weight, dtype=self.dtype)
        if self.class_weight is not None:
            # An overflow is reported on the client, by the check of the largest
            # weight (see `check_combined_weights`).
            with np.errstate(over="ignore"):
                weights = weights * self.class_weight[encoded].astype(self.dtype)
        return weights

    def weights(self, encoded: np.ndarray, sample_weight) -> np.ndarray:
        """Normalised weights, as `LogisticObjective.weights` for these rows."""
        relative = self.combined_weights(encoded, sample_weight) / self.dtype.type(
            self.weight_max
        )
        return relative / relative.dtype.type(self.relative_sum)

    def target(self, encoded: np.ndarray) -> np.ndarray:
        """``y`` in {0, 1} for two classes, one-hot for more."""
        if not self.multinomial:
            return encoded.astype(self.dtype)
        return (encoded[:, None] == np.arange(self.classes.size)).astype(self.dtype)


def scan_labels_and_weights(X, y, sample_weight):
    """One pass over the chunks: the classes, their weighted counts and data checks.

    Returns
    -------
    classes : ndarray
        Sorted distinct labels.
    class_totals : ndarray
        Sum of the sample weights (count when absent) of each class.
    counts : ndarray
        Number of samples of each class.

    Raises
    ------
    ValueError
        For NaN or infinite labels (scikit-learn's error), non-finite values in
        ``X``, features whose squares overflow, negative or non-finite sample
        weights.
    """
    total = _tree_reduce(
        [
            dask.delayed(_scan_chunk, pure=True)(X_chunk, y_chunk, weight_chunk)
            for X_chunk, y_chunk, weight_chunk in _chunks(X, y, sample_weight)
        ],
        _merge_scans,
    )
    scan = dask.compute(total)[0]
    # Before the classes are read: NaN labels are distinct keys that no lookup finds.
    raise_non_finite_labels(scan["y_nan"], scan["y_inf"], y.dtype)
    if not scan["finite"]:
        raise ValueError(
            "Input X contains NaN or infinity: the log-loss is undefined there. Drop "
            "or impute those values first."
        )
    check_feature_magnitude(scan["largest"], X.shape[1], X.dtype)
    if scan["min_weight"] < 0 or not np.isfinite(scan["max_weight"]):
        raise ValueError(
            "sample_weight must be finite and non-negative: found values from "
            f"{scan['min_weight']} to {scan['max_weight']}."
        )
    classes = np.array(sorted(scan["totals"]))
    totals = np.array([scan["totals"][label] for label in classes])
    counts = np.array([scan["counts"][label] for label in classes])
    return classes, totals, counts


def _scan_chunk(X_chunk, labels, sample_weight) -> dict:
    values = X_chunk.data if sparse.issparse(X_chunk) else X_chunk
    classes, encoded, counts = np.unique(
        labels, return_inverse=True, return_counts=True
    )
    weights = (
        np.ones(labels.shape[0])
        if sample_weight is None
        else np.asarray(sample_weight, dtype=np.float64)
    )
    totals = np.bincount(encoded, weights=weights, minlength=classes.size)
    floating = labels.dtype.kind in "fc"
    return {
        "y_nan": floating and bool(np.isnan(labels).any()),
        "y_inf": floating and bool(np.isinf(labels).any()),
        "finite": bool(np.isfinite(values).all()),
        "largest": largest_magnitude(X_chunk),
        "min_weight": float(weights.min(initial=np.inf)),
        "max_weight": float(weights.max(initial=-np.inf)),
        "totals": dict(zip(classes.tolist(), totals.tolist(), strict=True)),
        "counts": dict(zip(classes.tolist(), counts.tolist(), strict=True)),
    }


def _merge_scans(a: dict, b: dict) -> dict:
    def merged(x: dict, y: dict) -> dict:
        return {key: x.get(key, 0) + y.get(key, 0) for key in x.keys() | y.keys()}

    return {
        "y_nan": a["y_nan"] or b["y_nan"],
        "y_inf": a["y_inf"] or b["y_inf"],
        "finite": a["finite"] and b["finite"],
        "largest": max(a["largest"], b["largest"]),
        "min_weight": min(a["min_weight"], b["min_weight"]),
        "max_weight": max(a["max_weight"], b["max_weight"]),
        "totals": merged(a["totals"], b["totals"]),
        "counts": merged(a["counts"], b["counts"]),
    }


def _chunks(X, y, sample_weight):
    """``(X chunk, y chunk, weight chunk or None)`` as delayed objects, row by row."""
    X_chunks = X.to_delayed().ravel()
    y_chunks = y.to_delayed().ravel()
    weight_chunks = (
        [None] * len(X_chunks)
        if sample_weight is None
        else sample_weight.to_delayed().ravel()
    )
    return list(zip(X_chunks, y_chunks, weight_chunks, strict=True))


class _ChunkTask:
    """``function(X_chunk, labels, weights, *arguments)`` as one picklable callable."""

    def __init__(self, function, arguments: tuple) -> None:
        self.function = function
        self.arguments = arguments

    def __call__(self, X_chunk, labels, sample_weight):
        return self.function(X_chunk, labels, sample_weight, *self.arguments)


def _flat_keys(collection) -> list:
    """The keys of a Dask array's chunks, in row order."""
    keys = collection.__dask_keys__()
    return [key[0] for key in keys] if collection.ndim == 2 else list(keys)


def _tree_reduce(parts: list, combine):
    """Combine delayed ``parts`` pairwise: a tree of depth ``log2(len(parts))``."""
    combine = dask.delayed(combine, pure=True)
    while len(parts) > 1:
        parts = [
            combine(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]


def _tree_layers(layer: dict, keys: list, name: str, combine) -> list:
    """Add to ``layer`` the tasks that ``combine`` ``keys`` pairwise, level by level.

    Returns the one key left: the root of a tree of depth ``log2(len(keys))``.
    """
    level = 0
    while len(keys) > 1:
        level += 1
        paired = []
        for j in range(0, len(keys), 2):
            if j + 1 == len(keys):
                paired.append(keys[j])
                continue
            key = (f"{name}-sum{level}", j // 2)
            layer[key] = (combine, keys[j], keys[j + 1])
            paired.append(key)
        keys = paired
    return keys


def _add(a, b):
    """Add two partial results of the same structure (numbers, arrays, tuples)."""
    if isinstance(a, tuple):
        return tuple(map(_add, a, b))
    return a + b


class _MarginsNotKept:
    """What `DaskLogisticObjective.linear_map` returns in place of the margins.

    The solvers carry margins as linear combinations (``A y - t A g``) to save passes
    over the data; here every pass recomputes them from the coefficients inside the
    tasks, at no extra read of ``X``, so the stand-in absorbs that arithmetic and
    nothing of length ``n_samples`` lives on the client.
    """

    def __add__(self, other):
        return self

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __add__


_NOT_KEPT = _MarginsNotKept()


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
        self, X, y, sample_weight, *, encoding: RowEncoding, fit_intercept: bool
    ) -> None:
        self.X = X
        self.fit_intercept = fit_intercept
        self.n_features = X.shape[1]
        self.dtype = encoding.dtype
        self.loss = log_loss_for(encoding.classes.size, _NUMPY)
        self._collections = [c for c in (X, y, sample_weight) if c is not None]
        self._chunk_keys = list(
            zip(
                _flat_keys(X),
                _flat_keys(y),
                [None] * X.numblocks[0]
                if sample_weight is None
                else _flat_keys(sample_weight),
                strict=True,
            )
        )
        # Graphs computed so far: the benchmark reports graphs per iteration.
        self.n_graphs = 0
        weight_max = self._reduce(_largest_weight_of_chunk, encoding, combine=max)
        check_combined_weights(weight_max, encoding.dtype)
        with_gram = X.shape[1] <= self.MAX_GRAM_FEATURES
        relative_sum, mean, mean_square, gram = self._reduce(
            _weight_sum_and_moments_of_chunk, encoding, weight_max, with_gram
        )
        # Weighted by the normalised weights (summing to one), like everything else.
        self._gram = gram / relative_sum if with_gram else None
        self._moments = (mean / relative_sum, mean_square / relative_sum)
        self.encoding = RowEncoding(
            encoding.classes,
            encoding.class_weight,
            encoding.dtype,
            weight_max=weight_max,
            relative_sum=relative_sum,
        )
        with np.errstate(over="ignore"):
            self.weight_sum = weight_max * relative_sum
        self._planned: tuple[list, list] | None = None
        self._last_pass = _PassResults()
        # Where the last gradient was taken: the base of the next trials' secants.
        self._gradient_base: np.ndarray | None = None

    def _reduce(self, chunk_function, *arguments, combine=_add):
        """One Dask graph, computed now: a function of every chunk, summed in a tree.

        ``chunk_function(X, labels, weights, *arguments)`` runs where each chunk is;
        ``combine`` merges two partial results.
        """
        # The graph is written out rather than built with dask.delayed: hashing
        # the arguments to name the tasks cost more than computing them (measured,
        # ~7 ms of ~17 ms per graph on the threaded scheduler). The arguments go
        # into a callable object, which the schedulers treat as opaque.
        name = f"sklogreg-{chunk_function.__name__.strip('_')}-{uuid.uuid4().hex}"
        task = _ChunkTask(chunk_function, arguments)
        layer = {}
        keys = []
        for i, (X_key, y_key, weight_key) in enumerate(self._chunk_keys):
            layer[(name, i)] = (task, X_key, y_key, weight_key)
            keys.append((name, i))
        keys = _tree_layers(layer, keys, name, combine)
        graph = HighLevelGraph.from_collections(
            name, layer, dependencies=self._collections
        )
        self.n_graphs += 1
        return dask.compute(Delayed(keys[0], graph, layer=name))[0]

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
            _chunk_pass,
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
        # against this point (see `_chunk_pass`).
        self._gradient_base = original
        value, gradient = self._last_pass.gradient_results[found]
        # A copy: the caller adds the penalty's gradient in place.
        return value, gradient.copy()

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

    def lipschitz_constant(self, scaling, *, rtol: float) -> float:
        """The data term's Lipschitz bound, on the local Gram matrix when small."""
        if self._gram is not None:
            mean = self._moments[0]

            def row_sums(v_features, offset):
                # X.T (w * (X v + offset)) and sum(w * (X v + offset)), sum(w) = 1.
                return (
                    self._gram @ v_features + mean * offset,
                    np.atleast_1d(mean @ v_features + offset),
                )
        else:

            def row_sums(v_features, offset):
                return self._reduce(
                    _gram_row_sums_of_chunk, self.encoding, v_features, offset
                )

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


def dask_objective(
    X,
    y,
    sample_weight,
    *,
    encoding: RowEncoding,
    C: float,
    l1_ratio: float,
    fit_intercept: bool,
    precondition: bool = False,
) -> LogisticObjective:
    """The contract's objective on a row-chunked Dask array (see `DaskData`)."""
    data = DaskData(X, y, sample_weight, encoding=encoding, fit_intercept=fit_intercept)
    check_penalty_scale(C, data.weight_sum, data.dtype)
    return LogisticObjective(
        data,
        C=C,
        l1_ratio=l1_ratio,
        weight_sum=data.weight_sum,
        precondition=precondition,
    )


# -- what each task computes on its chunk --------------------------------------------
# Module-level functions, so that the workers unpickle them by reference.


def _chunk_rows(encoding: RowEncoding, X_chunk, labels, sample_weight):
    if sparse.issparse(X_chunk):
        X_chunk = X_chunk.tocsr()
    encoded = encoding.encode(labels)
    return X_chunk, encoding.target(encoded), encoding.weights(encoded, sample_weight)


def _largest_weight_of_chunk(X_chunk, labels, sample_weight, encoding) -> float:
    encoded = encoding.encode(labels)
    return float(encoding.combined_weights(encoded, sample_weight).max(initial=0))


def _weight_sum_and_moments_of_chunk(
    X_chunk, labels, sample_weight, encoding, weight_max, with_gram
):
    """The chunk's relative weights' sum, column moments and (if asked) Gram matrix.

    The weights are divided by the largest; the Gram matrix is ``X.T diag(w) X``.
    The client divides them by the total sum once it is known.
    """
    encoded = encoding.encode(labels)
    relative = encoding.combined_weights(encoded, sample_weight) / encoding.dtype.type(
        weight_max
    )
    first, second = _NUMPY.column_moments(X_chunk, relative)
    gram = 0.0
    if with_gram:
        weighted = (
            X_chunk.multiply(relative[:, None]).tocsr()
            if sparse.issparse(X_chunk)
            else X_chunk * relative[:, None]
        )
        gram = X_chunk.T @ weighted
        gram = gram.toarray() if sparse.issparse(gram) else np.asarray(gram)
    return float(relative.sum(dtype=np.float64)), first, second, gram


def _chunk_pass(
    X_chunk,
    labels,
    sample_weight,
    encoding: RowEncoding,
    fit_intercept: bool,
    value_points: np.ndarray,
    gradient_points: np.ndarray,
    secant_base: np.ndarray | None,
):
    """The chunk's data term at ``value_points``; value and gradient at others.

    With ``secant_base`` ``a``, also the data term's secant curvature
    ``<r(Z_b) - r(Z_a), Z_b - Z_a>`` for each value point ``b``. The margins of all
    the points come from one product with the chunk, the gradients from one
    product with its transpose (its rows are read twice, however many points); the
    loss is the same function as in memory.

    Returns
    -------
    values, secants : ndarray of shape (n_value_points,)
    gradient_values : ndarray of shape (n_gradient_points,)
    gradients : ndarray of shape (n_gradient_points, n_rows, n_columns)
    """
    X_chunk, target, weights = _chunk_rows(encoding, X_chunk, labels, sample_weight)
    loss = log_loss_for(encoding.classes.size, _NUMPY)
    n_values, n_gradients = len(value_points), len(gradient_points)
    points = [value_points, gradient_points]
    if secant_base is not None:
        points.append(secant_base[None])
    points = np.concatenate(points)
    n_points, n_rows, n_columns = points.shape
    n_samples = X_chunk.shape[0]
    margins = _NUMPY.linear_predictor(
        X_chunk, points.reshape(n_points * n_rows, n_columns), fit_intercept
    ).reshape(n_samples, n_points, n_rows)
    # One contiguous block of margins per point: the elementwise loss runs 2-3x
    # faster than on the strided columns of the product (measured).
    margins = np.ascontiguousarray(np.moveaxis(margins, 1, 0))
    if not encoding.multinomial:
        margins = margins[:, :, 0]
    values = np.zeros(n_values)
    secants = np.zeros(n_values)
    if secant_base is None:
        for k in range(n_values):
            values[k] = loss.value(margins[k], target, weights)
    else:
        # The value and the residual from the same exponentials.
        base_margins = margins[-1]
        base_residual = loss.residual(base_margins, target, weights)
        for k in range(n_values):
            values[k], trial_residual = loss.value_and_residual(
                margins[k], target, weights
            )
            secants[k] = secant_curvature(
                base_residual, base_margins, trial_residual, margins[k], np
            )
    gradient_values = np.zeros(n_gradients)
    residuals = np.empty((n_samples, n_gradients, n_rows), dtype=margins.dtype)
    for k in range(n_gradients):
        gradient_values[k], point_residual = loss.value_and_residual(
            margins[n_values + k], target, weights
        )
        residuals[:, k, :] = point_residual.reshape(n_samples, n_rows)
    gradients = _NUMPY.adjoint(
        X_chunk,
        residuals.reshape(n_samples, n_gradients * n_rows),
        fit_intercept,
    ).reshape(n_gradients, n_rows, n_columns)
    return values, secants, gradient_values, gradients


def _gram_row_sums_of_chunk(
    X_chunk, labels, sample_weight, encoding, v_features, offset
):
    X_chunk, _, weights = _chunk_rows(encoding, X_chunk, labels, sample_weight)
    return _NUMPY.gram_row_sums(X_chunk, weights, v_features, offset)


def column_standard_deviations(X) -> np.ndarray:
    """Standard deviations of the columns of a row-chunked ``X``: one reduction."""
    weight = 1.0 / X.shape[0]

    def moments(X_chunk):
        return _NUMPY.column_moments(
            X_chunk, np.full(X_chunk.shape[0], weight, dtype=X_chunk.dtype)
        )

    moments = dask.delayed(moments, pure=True)
    parts = [moments(chunk) for chunk in X.to_delayed().ravel()]
    mean, mean_square = dask.compute(_tree_reduce(parts, _add))[0]
    return np.sqrt(np.maximum(mean_square - mean * mean, 0))


# -- predictions ----------------------------------------------------------------------


def decision_function(X, coef: np.ndarray, intercept: np.ndarray):
    """Lazy ``X @ coef.T + intercept``, one task per row chunk."""
    binary = coef.shape[0] == 1
    return X.map_blocks(
        _chunk_scores,
        coef,
        intercept,
        binary,
        dtype=np.result_type(X.dtype, coef.dtype),
        chunks=(X.chunks[0],) if binary else (X.chunks[0], (coef.shape[0],)),
        drop_axis=1 if binary else None,
        meta=np.array((), dtype=np.result_type(X.dtype, coef.dtype)),
    )


def _chunk_scores(X_chunk, coef, intercept, binary):
    scores = np.asarray(X_chunk @ coef.T) + intercept
    return scores[:, 0] if binary else scores


def map_scores(scores, function, *, n_columns: int | None, dtype):
    """Apply a row-wise ``function`` of the scores chunk by chunk (lazily)."""
    if n_columns is None:
        return scores.map_blocks(
            function,
            dtype=dtype,
            drop_axis=1 if scores.ndim == 2 else None,
            meta=np.array((), dtype=dtype),
        )
    return scores.map_blocks(
        function,
        dtype=dtype,
        chunks=(scores.chunks[0], (n_columns,)),
        new_axis=1 if scores.ndim == 1 else None,
        meta=np.array((), dtype=dtype),
    )
