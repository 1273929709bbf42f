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
(`DaskLogisticObjective.anticipate`): the value at every step the line search may try
(its whole backtracking ladder), the secant test against each, and the value and
gradient at every possible next point. An iteration is one graph however many steps
its line search tries, at the price of more arithmetic per chunk than one pass.

Labels stay on the workers too: each task encodes its chunk's labels against the
classes found by a first reduction, and forms its sample weights (times class
weights) there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import dask
import dask.array as da
import numpy as np
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from scipy import sparse

from ._input_checks import (
    check_combined_weights,
    check_feature_magnitude,
    check_penalty_scale,
    largest_magnitude,
    raise_non_finite_labels,
)
from ._loss import (
    binary_loss,
    binary_loss_and_residual,
    binary_residual,
    linear_predictor,
    linear_predictor_gradient,
    lipschitz_constant_from_row_sums,
    multinomial_loss,
    multinomial_loss_and_residual,
    multinomial_residual,
    weighted_gram_row_sums,
)
from ._objective import LogisticObjective, penalty_strengths
from ._preconditioning import scaling_from_moments, weighted_column_moments

__all__ = [
    "DaskLogisticObjective",
    "check_dask_input",
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


class DaskLogisticObjective(LogisticObjective):
    """`LogisticObjective` on a row-chunked Dask array: each pass one reduction.

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
    C, l1_ratio, fit_intercept, precondition
        As in `LogisticObjective`.
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

    def __init__(
        self,
        X,
        y,
        sample_weight,
        *,
        encoding: RowEncoding,
        C: float,
        l1_ratio: float,
        fit_intercept: bool,
        precondition: bool = False,
    ) -> None:
        self.X = X
        self.fit_intercept = fit_intercept
        self.multinomial = encoding.multinomial
        self.n_classes = encoding.classes.size
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
            _weight_sum_and_moments_of_chunk,
            RowEncoding(encoding.classes, encoding.class_weight, encoding.dtype),
            weight_max,
            with_gram,
        )
        # Weighted by the normalised weights (summing to one), like everything else.
        self._gram = gram / relative_sum if with_gram else None
        self.encoding = RowEncoding(
            encoding.classes,
            encoding.class_weight,
            encoding.dtype,
            weight_max=weight_max,
            relative_sum=relative_sum,
        )
        with np.errstate(over="ignore"):
            self.weight_sum = weight_max * relative_sum
        check_penalty_scale(C, self.weight_sum, encoding.dtype)
        self.l2_strength, self.l1_strength = penalty_strengths(
            C, l1_ratio, self.weight_sum
        )
        self._gram_mean = mean / relative_sum
        self.scaling = (
            scaling_from_moments(
                mean / relative_sum,
                mean_square / relative_sum,
                dtype=encoding.dtype,
                fit_intercept=fit_intercept,
                l2_strength=self.l2_strength,
            )
            if precondition
            else None
        )
        # Results of the last pass, by the bytes of the point (see `anticipate`).
        self._pending: tuple[list, list] | None = None
        self._values: dict[bytes, float] = {}
        self._gradients: dict[bytes, tuple[float, np.ndarray]] = {}
        self._gradient_point: np.ndarray | None = None
        self._secants: dict[tuple[bytes, bytes], float] = {}

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
        graph = HighLevelGraph.from_collections(
            name, layer, dependencies=self._collections
        )
        self.n_graphs += 1
        return dask.compute(Delayed(keys[0], graph, layer=name))[0]

    @property
    def coef_shape(self) -> tuple[int, int]:
        """Shape of the coefficient array, intercept column included."""
        n_rows = self.n_classes if self.multinomial else 1
        return n_rows, self.X.shape[1] + self.fit_intercept

    def linear_map(self, coef: np.ndarray) -> _MarginsNotKept:
        """A stand-in: the margins are recomputed from ``coef`` in every pass."""
        return _NOT_KEPT

    def anticipate(
        self, trials: list[np.ndarray], next_points: list[np.ndarray]
    ) -> None:
        """Note the points a line search may try, and the next gradient's for each.

        The next `smooth_value` computes in one graph the value at each trial (the
        first `trials_per_pass`) and the value and gradient at each next point,
        so that the line search's later trials and the next
        `smooth_value_and_gradient` cost no graph.
        """
        keep = self.trials_per_pass()
        self._pending = (
            [self.to_original(trial) for trial in trials[:keep]],
            [self.to_original(point) for point in next_points[:keep]],
        )

    def trials_per_pass(self) -> int:
        """Trials evaluated in one graph, at most `MAX_TRIALS_PER_PASS`.

        Fewer when a task's temporaries for them would pass `TRIAL_BYTES_PER_TASK`.
        """
        rows = max(self.X.chunks[0])
        per_point = rows * self.coef_shape[0] * self.encoding.dtype.itemsize
        affordable = (self.TRIAL_BYTES_PER_TASK // max(per_point, 1) - 2) // 5
        return int(min(self.MAX_TRIALS_PER_PASS, max(1, affordable)))

    def _data_value(self, margins, original: np.ndarray) -> float:
        key = original.tobytes()
        if key in self._values:
            return self._values[key]
        trials, next_points = self._pending or ([original], [original])
        self._pending = None
        if not any(np.array_equal(trial, original) for trial in trials):
            trials, next_points = [original], [original]
        base = self._gradient_point
        values, secants, next_values, next_gradients = self._reduce(
            _chunk_pass,
            self.encoding,
            self.fit_intercept,
            np.stack(trials),
            np.stack(next_points),
            base,
        )
        self._values = {
            trial.tobytes(): float(value)
            for trial, value in zip(trials, values, strict=True)
        }
        self._secants = (
            {}
            if base is None
            else {
                (base.tobytes(), trial.tobytes()): float(secant)
                for trial, secant in zip(trials, secants, strict=True)
            }
        )
        self._gradients = {
            point.tobytes(): (float(value), gradient)
            for point, value, gradient in zip(
                next_points, next_values, next_gradients, strict=True
            )
        }
        return self._values[key]

    def _data_value_and_gradient(
        self, margins, original: np.ndarray
    ) -> tuple[float, np.ndarray]:
        key = original.tobytes()
        if key not in self._gradients:
            _, _, values, gradients = self._reduce(
                _chunk_pass,
                self.encoding,
                self.fit_intercept,
                np.empty((0, *original.shape), original.dtype),
                original[None],
                None,
            )
            self._gradients = {key: (float(values[0]), gradients[0])}
        # The line search's trials start from here: their secants are taken
        # against this point (see `_chunk_pass`).
        self._gradient_point = original
        value, gradient = self._gradients[key]
        # A copy: the caller adds the penalty's gradient in place.
        return value, gradient.copy()

    def _data_secant_curvature(self, margins_a, original_a, margins_b, original_b):
        # Near the optimum the line search asks for this at every trial: it was
        # computed in the trials' own graph.
        key = (original_a.tobytes(), original_b.tobytes())
        if key in self._secants:
            return self._secants[key]
        _, secants, _, _ = self._reduce(
            _chunk_pass,
            self.encoding,
            self.fit_intercept,
            original_b[None],
            np.empty((0, *original_b.shape), original_b.dtype),
            original_a,
        )
        return float(secants[0])

    def _data_lipschitz_constant(self) -> float:
        if self._gram is not None:
            mean = self._gram_mean

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

        return lipschitz_constant_from_row_sums(
            row_sums,
            self.X.shape[1],
            dtype=self.encoding.dtype,
            fit_intercept=self.fit_intercept,
            multinomial=self.multinomial,
            column_shift=None if self.scaling is None else self.scaling.shift,
            column_scale=None if self.scaling is None else self.scaling.scale,
            # As in memory: a rough estimate seeds the line search.
            rtol=1e-2,
        )

    def _column_scaling(self):  # pragma: no cover - computed in __init__
        raise NotImplementedError

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return self.X.shape[0]

    def batch_gradient(self, coef, rows):
        """Not available: the stochastic solver needs rows in memory."""
        raise NotImplementedError("solver='sgd' does not run on Dask arrays.")

    def batch_lipschitz_constant(self, batch_size, random_state):
        """Not available: the stochastic solver needs rows in memory."""
        raise NotImplementedError("solver='sgd' does not run on Dask arrays.")


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
    first, second = weighted_column_moments(X_chunk, relative)
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
    if encoding.multinomial:
        loss, loss_and_residual = multinomial_loss, multinomial_loss_and_residual
        residual = multinomial_residual
    else:
        loss, loss_and_residual = binary_loss, binary_loss_and_residual
        residual = binary_residual
    n_values, n_gradients = len(value_points), len(gradient_points)
    points = [value_points, gradient_points]
    if secant_base is not None:
        points.append(secant_base[None])
    points = np.concatenate(points)
    n_points, n_rows, n_columns = points.shape
    n_samples = X_chunk.shape[0]
    margins = linear_predictor(
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
            values[k] = loss(margins[k], target, weights)
    else:
        # The value and the residual from the same exponentials.
        base_margins = margins[-1]
        base_residual = residual(base_margins, target, weights)
        for k in range(n_values):
            values[k], trial_residual = loss_and_residual(margins[k], target, weights)
            secants[k] = (
                (trial_residual - base_residual) * (margins[k] - base_margins)
            ).sum()
    gradient_values = np.zeros(n_gradients)
    residuals = np.empty((n_samples, n_gradients, n_rows), dtype=margins.dtype)
    for k in range(n_gradients):
        gradient_values[k], point_residual = loss_and_residual(
            margins[n_values + k], target, weights
        )
        residuals[:, k, :] = point_residual.reshape(n_samples, n_rows)
    gradients = linear_predictor_gradient(
        X_chunk,
        residuals.reshape(n_samples, n_gradients * n_rows),
        fit_intercept,
    ).reshape(n_gradients, n_rows, n_columns)
    return values, secants, gradient_values, gradients


def _gram_row_sums_of_chunk(
    X_chunk, labels, sample_weight, encoding, v_features, offset
):
    X_chunk, _, weights = _chunk_rows(encoding, X_chunk, labels, sample_weight)
    return weighted_gram_row_sums(X_chunk, weights, v_features, offset)


def column_standard_deviations(X) -> np.ndarray:
    """Standard deviations of the columns of a row-chunked ``X``: one reduction."""
    weight = 1.0 / X.shape[0]

    def moments(X_chunk):
        return weighted_column_moments(
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
