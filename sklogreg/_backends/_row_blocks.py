"""The data term's value and gradient in one read of ``X``, one block of rows at a time.

Two products, ``Z = X @ W.T + b`` and then ``R.T @ X``, read ``X`` from memory twice.
Both are sums over rows, so they can be taken block by block: the margins of a
block of rows, the loss and residual of those rows (the loss's
``block_value_and_residual``, in place of the margins), and the block's part of the
gradient, ``R_b.T @ X_b``, while ``X_b`` is still in cache. ``X`` is then read from
memory once per evaluation (measured by the benchmark against ``X.sum()``), and the
memory beyond ``X`` is a few vectors as long as a block, allocated once per data.

Threads. NumPy releases the GIL inside BLAS and its ufuncs, so the blocks can be
split between Python threads, each with its own buffers and partial sums. A pass
uses as many threads as NumPy's BLAS is allowed (at most `MAX_THREADS`), so a
caller who limits BLAS with ``threadpoolctl`` limits this pass too; the limit is
read, never set. Data under `THREADED_BYTES` stays on one thread: there the cost
of handing work to a thread is not recovered. The threads belong to a pool owned
by the pass object, made at its first threaded pass and shut down when the object
is collected, so a fit leaves no thread behind once its data term is gone.
Thread partial sums are added in a fixed order: the result depends on the number
of threads only by rounding.
"""

from __future__ import annotations

import contextlib
import functools
import os
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

__all__ = [
    "MAX_THREADS",
    "ONE_READ_BYTES",
    "THREADED_BYTES",
    "RowBlockedPass",
    "compressed_view",
    "row_blocks",
]

# Bytes of a dense X per block: the block must stay in the core's cache (1.25 MiB
# of L2 per core on the benchmark machine) between its two products; 1 MiB took
# 4-10% less time than 512 KiB on 60k x 80 and 125k x 100 (CPU time, loaded machine).
BLOCK_BYTES = 2**20
# Blocks never shorter than this, so that the Python cost per block (a dozen NumPy
# calls) stays small against its element-wise work, even on wide data.
MIN_BLOCK_ROWS = 256
# Bytes of a block's margins at most (one float per row and class): with many
# classes the blocks get shorter, and the buffers stay small beside X.
MARGIN_BYTES = 2**17
# Rows per block at most: the work vectors stay small beside X (narrow or CSR rows).
MAX_BLOCK_ROWS = 4096
# Bytes of a CSR X (values and column indices) per block: large, since SciPy's
# per-product cost is tens of microseconds; CSR gains from the threads, not the cache.
SPARSE_BLOCK_BYTES = 2**22
# Data at least this large is split between threads.
THREADED_BYTES = 2**23
# Below this size the two products beat the row blocks, whose Python cost per
# block is not recovered when X stays in the shared cache anyway (measured: 10%
# slower at 13 MB, 8% faster at 38 MB, 16% at 100 MB; 48 MB of L3 here).
ONE_READ_BYTES = 2**25
MAX_THREADS = 2


def row_blocks(X, *, block_bytes: int | None = None, n_coef_rows: int = 1) -> list:
    """``(start, stop, X_b, X_b.T)`` for consecutive blocks of rows, as views.

    A dense block is a slice; a CSR block shares ``X``'s values and column indices
    (only its row pointers are new), and so does its transpose, a CSC matrix: no
    block copies ``X``, and none is copied when it is used. Blocks are shorter
    where ``n_coef_rows`` margins per row would pass `MARGIN_BYTES`.
    """
    n_samples = X.shape[0]
    most_rows = min(
        MAX_BLOCK_ROWS, max(16, MARGIN_BYTES // (n_coef_rows * X.dtype.itemsize))
    )
    if sparse.issparse(X):
        X = X.tocsr()
        per_row = (X.data.itemsize + X.indices.itemsize) * X.nnz / max(n_samples, 1)
        rows = min(most_rows, _block_rows(block_bytes or SPARSE_BLOCK_BYTES, per_row))
        return [
            (start, min(start + rows, n_samples), *_csr_rows(X, start, start + rows))
            for start in range(0, n_samples, rows)
        ]
    rows = min(most_rows, _block_rows(block_bytes or BLOCK_BYTES, X.nbytes / n_samples))
    blocks = [X[start : start + rows] for start in range(0, n_samples, rows)]
    return [
        (start, start + block.shape[0], block, block.T)
        for start, block in zip(range(0, n_samples, rows), blocks, strict=True)
    ]


def _block_rows(block_bytes: int, bytes_per_row: float) -> int:
    return max(MIN_BLOCK_ROWS, int(block_bytes // max(bytes_per_row, 1.0)))


def _csr_rows(X, start: int, stop: int):
    """Rows ``start:stop`` of CSR ``X`` and their transpose, on ``X``'s own arrays."""
    stop = min(stop, X.shape[0])
    indptr = X.indptr[start : stop + 1]
    first, last = indptr[0], indptr[-1]
    arrays = (X.data[first:last], X.indices[first:last], indptr - first)
    shape = (stop - start, X.shape[1])
    return (
        compressed_view(sparse.csr_matrix, *arrays, shape),
        compressed_view(sparse.csc_matrix, *arrays, shape[::-1]),
    )


def compressed_view(container, data, indices, indptr, shape):
    """A CSR or CSC matrix on the given arrays, which are not copied.

    SciPy's constructor (and ``.T``, which calls it) copies arrays that are views
    of a much larger one; arrays assigned to an empty matrix stay shared.
    """
    view = container(shape, dtype=data.dtype)
    view.data, view.indices, view.indptr = data, indices, indptr
    return view


def pass_threads(nbytes: int) -> int:
    """Threads for a pass over ``nbytes`` of data: 1 below `THREADED_BYTES`.

    Above it, as many as NumPy's BLAS is allowed to use, at most `MAX_THREADS`
    and the number of CPUs.
    """
    if nbytes < THREADED_BYTES:
        return 1
    return max(1, min(MAX_THREADS, os.cpu_count() or 1, _blas_thread_limit()))


@functools.cache
def _numpy_blas_controllers() -> tuple:
    from threadpoolctl import ThreadpoolController

    blas = [c for c in ThreadpoolController().lib_controllers if c.user_api == "blas"]
    # NumPy's own BLAS, when several are loaded (SciPy bundles another).
    own = [c for c in blas if "numpy" in str(c.filepath)]
    return tuple(own or blas)


def _blas_thread_limit() -> int:
    controllers = _numpy_blas_controllers()
    if not controllers:
        return 1
    return min(controller.num_threads for controller in controllers)


class _Workspace:
    """One thread's buffers: margins of a block, four work vectors, the gradient."""

    def __init__(self, n_rows: int, block_rows: int, n_columns: int, dtype) -> None:
        self.flat_margins = np.empty(n_rows * block_rows, dtype=dtype)
        self.scratch = np.empty((4, block_rows), dtype=dtype)
        self.gradient = np.empty((n_rows, n_columns), dtype=dtype)
        self.n_rows = n_rows
        self._views: dict[int, tuple] = {}

    def views(self, n_block: int) -> tuple[np.ndarray, np.ndarray]:
        """The margins, a C-contiguous ``(n_rows, n_block)`` view, and the scratch.

        Made once per block length: BLAS writes the margins in place.
        """
        views = self._views.get(n_block)
        if views is None:
            margins = self.flat_margins[: self.n_rows * n_block]
            views = (margins.reshape(self.n_rows, n_block), self.scratch[:, :n_block])
            self._views[n_block] = views
        return views


class RowBlockedPass:
    """The data term's value and gradient at given coefficients, in one read of ``X``.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        The data; never copied.
    loss : BinaryLogLoss or MultinomialLogLoss
        Gives `row_terms` once and `block_value_and_residual` per block.
    target, weights : ndarray of shape (n_samples,)
        The encoded target and the normalised weights.
    fit_intercept : bool
        Whether the coefficients end with an intercept column.
    block_bytes : int, optional
        Bytes of ``X`` per block, by default `BLOCK_BYTES` (dense) or
        `SPARSE_BLOCK_BYTES` (CSR).
    n_threads : int, optional
        Threads per pass, by default `pass_threads`, read at every pass.

    Notes
    -----
    One pass at a time per object: its buffers are reused from pass to pass, as
    a fit's data term does. Two threads calling the same object at once would
    share them.
    """

    def __init__(
        self,
        X,
        loss,
        target,
        weights,
        fit_intercept: bool,
        *,
        block_bytes: int | None = None,
        n_threads: int | None = None,
    ) -> None:
        self.X, self.loss, self.fit_intercept = X, loss, fit_intercept
        self.weights = weights
        terms = loss.row_terms(target, weights)
        self.blocks = row_blocks(
            X, block_bytes=block_bytes, n_coef_rows=loss.n_coef_rows
        )
        # Each block's rows of the terms, as views, sliced once.
        self.block_terms = [
            tuple(term[start:stop] for term in terms) for start, stop, *_ in self.blocks
        ]
        self.block_rows = max(block[1] - block[0] for block in self.blocks)
        self._all_blocks = range(len(self.blocks))
        self.n_threads = n_threads
        self.nbytes = (
            X.data.nbytes + X.indices.nbytes if sparse.issparse(X) else X.nbytes
        )
        self._workspaces: dict[int, _Workspace] = {}
        self._pool = None

    def value_and_gradient(self, original):
        """The data term and its gradient in ``(W, b)`` at ``original``."""
        return self._in_threads(original, with_gradient=True)

    def weighted_squared_margins(self, original) -> float:
        """``sum_i w_i ||Z_i||^2`` for the margins ``Z`` of ``original``: one read."""
        return self._in_threads(original, with_gradient=False)[0]

    def _in_threads(self, original, *, with_gradient: bool):
        """`_run` on each thread's share of the blocks; the parts added in order."""
        n_features = self.X.shape[1]
        dtype = self.X.dtype
        coef = np.ascontiguousarray(original[:, :n_features], dtype=dtype)
        intercept = None
        if self.fit_intercept:
            intercept = original[:, n_features].astype(dtype)
        n_threads = min(self.n_threads or pass_threads(self.nbytes), len(self.blocks))
        if n_threads == 1:
            # In the caller's thread, under its own error state: nothing to share.
            return self._run(0, self._all_blocks, coef, intercept, with_gradient, None)
        parts = np.array_split(np.arange(len(self.blocks)), n_threads)
        args = (coef, intercept, with_gradient, np.geterr())
        futures = [
            self._executor().submit(self._run, index, part, *args)
            for index, part in enumerate(parts[1:], 1)
        ]
        value, gradient = self._run(0, parts[0], *args)
        for future in futures:
            other_value, other_gradient = future.result()
            value += other_value
            if with_gradient:
                gradient += other_gradient
        return value, gradient

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                MAX_THREADS - 1, thread_name_prefix="sklogreg-rows"
            )
            weakref.finalize(self, self._pool.shutdown, wait=False)
        return self._pool

    def _workspace(self, index: int, n_rows: int) -> _Workspace:
        workspace = self._workspaces.get(index)
        if workspace is None or workspace.n_rows != n_rows:
            n_columns = self.X.shape[1] + self.fit_intercept
            workspace = _Workspace(n_rows, self.block_rows, n_columns, self.X.dtype)
            self._workspaces[index] = workspace
        return workspace

    def _run(self, index, block_indices, coef, intercept, with_gradient, error_state):
        """One thread's blocks: its part of the value and of the gradient.

        Without the gradient, the value is ``sum_i w_i ||Z_i||^2`` instead of the
        loss.
        """
        workspace = self._workspace(index, coef.shape[0])
        gradient = workspace.gradient
        gradient.fill(0)
        n_features = coef.shape[1]
        gradient_coef, gradient_intercept = gradient[:, :n_features], None
        if self.fit_intercept:
            gradient_intercept = gradient[:, n_features]
            intercept = intercept[:, None]
        coef_transposed = np.ascontiguousarray(coef.T) if coef.shape[0] > 1 else None
        value = 0.0
        kernel = self.loss.block_value_and_residual
        # A thread starts with NumPy's default error state: take the caller's.
        with np.errstate(**error_state) if error_state else contextlib.nullcontext():
            for block_index in block_indices:
                start, stop, X_block, transposed = self.blocks[block_index]
                margins, scratch = workspace.views(stop - start)
                _margins_into(margins, X_block, coef, coef_transposed, intercept)
                if not with_gradient:
                    np.square(margins, out=margins)
                    value += float(np.dot(margins, self.weights[start:stop]).sum())
                    continue
                value += kernel(margins, self.block_terms[block_index], scratch)
                gradient_coef += _adjoint(X_block, transposed, margins)
                if gradient_intercept is not None:
                    gradient_intercept += margins.sum(axis=1)
        # The caller adds the penalty's gradient to the result in place.
        return value, gradient.copy() if index == 0 else gradient


def _margins_into(margins, X_block, coef, coef_transposed, intercept) -> None:
    """``margins = W @ X_block.T + b``: the block's ``Z.T`` (``b`` a column).

    With several rows of coefficients, ``X_b @ W.T`` (``W.T`` C-contiguous) then
    a transposing copy: 2-3x faster than ``W @ X_b.T`` at 5 classes (BLAS with a
    short output dimension), as fast at 50 and 200 (measured on 1 MiB blocks).
    """
    if coef.shape[0] > 1:
        margins[...] = (X_block @ coef_transposed).T
    elif sparse.issparse(X_block):
        margins[0] = X_block @ coef[0]
    else:
        np.dot(X_block, coef[0], out=margins[0])
    if intercept is not None:
        margins += intercept


def _adjoint(X_block, transposed, residual):
    """``R_b.T @ X_b`` from the block's ``R.T``, one row per coefficient row.

    As ``(X_b.T @ R_b).T``: for CSR the transpose is the CSC view, and for dense
    blocks it was 1.4x faster than ``R_b.T @ X_b`` at 5 classes.
    """
    if residual.shape[0] > 1:
        return (transposed @ residual.T).T
    if sparse.issparse(X_block):
        return transposed @ residual[0]
    return np.dot(residual[0], X_block)
