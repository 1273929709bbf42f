"""Dask input: its checks, its alignment with ``X``'s rows, and the scan of its labels.

Nothing here keeps data: `check_dask_input` looks at shapes and chunks only, and
`scan_labels_and_weights` brings back from one reduction the classes, their weighted
counts and what the checks of the data need.
"""

from __future__ import annotations

import dask.array as da
import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from .._input_checks import (
    check_feature_magnitude,
    largest_magnitude,
    raise_non_finite_labels,
)
from ._graphs import RowChunks

__all__ = ["check_dask_input", "scan_labels_and_weights"]


def check_dask_input(
    X: da.Array,
    y: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    *,
    n_features: int | None = None,
    known_chunks: bool = True,
) -> tuple[da.Array, da.Array | None, da.Array | None]:
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


def scan_labels_and_weights(
    X: da.Array, y: da.Array, sample_weight: da.Array | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the chunks: the classes, their weighted counts and data checks.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Row-chunked data, as returned by `check_dask_input`.
    y : dask.array.Array of shape (n_samples,)
        Labels, chunked like ``X``'s rows.
    sample_weight : dask.array.Array of shape (n_samples,) or None
        Sample weights, chunked like ``X``'s rows.

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
    scan = RowChunks(X, y, sample_weight).reduce(_scan_chunk, combine=_merge_scans)
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
    """What `scan_labels_and_weights` needs from one chunk, run where it is."""
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
