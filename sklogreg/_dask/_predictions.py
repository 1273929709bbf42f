"""What the fitted estimator computes on a Dask ``X`` besides the objective.

Lazy scores and functions of them, chunk by chunk (`decision_function`, `map_scores`),
and the columns' standard deviations its convergence message reads, in one reduction.
"""

from __future__ import annotations

from collections.abc import Callable

import dask.array as da
import numpy as np

from ._chunks import column_moments_of_chunk
from ._graphs import RowChunks

__all__ = ["column_standard_deviations", "decision_function", "map_scores"]


def decision_function(X: da.Array, coef: np.ndarray, intercept: np.ndarray) -> da.Array:
    """Lazy ``X @ coef.T + intercept``, one task per row chunk.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Row-chunked data, dense or with CSR chunks.
    coef : ndarray of shape (n_rows, n_features)
        The coefficients.
    intercept : ndarray of shape (n_rows,)
        The intercepts.

    Returns
    -------
    dask.array.Array
        Of shape (n_samples,) for one row of coefficients, else (n_samples, n_rows).
    """
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


def map_scores(
    scores: da.Array, function: Callable, *, n_columns: int | None, dtype
) -> da.Array:
    """Apply a row-wise ``function`` of the scores chunk by chunk (lazily).

    Parameters
    ----------
    scores : dask.array.Array of shape (n_samples,) or (n_samples, n_rows)
        As returned by `decision_function`.
    function : callable
        Maps a chunk of scores to a chunk of the result.
    n_columns : int or None
        Columns of the result, or ``None`` for a vector.
    dtype : dtype
        Dtype of the result.

    Returns
    -------
    dask.array.Array
        The result, with the row chunks of ``scores``.
    """
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


def column_standard_deviations(X: da.Array) -> np.ndarray:
    """Standard deviations of the columns of a row-chunked ``X``: one reduction.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Row-chunked data, dense or with CSR chunks.

    Returns
    -------
    ndarray of shape (n_features,)
        The population (``ddof=0``) standard deviation of each column.
    """
    mean, mean_square = RowChunks(X).reduce(column_moments_of_chunk, 1.0 / X.shape[0])
    return np.sqrt(np.maximum(mean_square - mean * mean, 0))
