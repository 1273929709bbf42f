"""The estimator's state as plain data, so that skops.io can load it safely.

``skops.io.load`` reconstructs only the types a user trusts, and trusts NumPy arrays,
numbers, strings, lists, dicts and ``RandomState`` by default. Two parts of a model's
state are other objects: a model in the middle of a stream of `partial_fit` calls
holds its `StreamState` and `SGDStream` (this package's internals), and a model
after `sparsify` holds a SciPy CSR matrix (which skops trusts only by exact type,
not as ``csr_matrix``). `__getstate__` writes both as dicts of arrays and numbers,
and `__setstate__` builds them again, so the only type to trust is
``sklogreg.GDLogisticRegression`` and a stream continues after loading exactly as it
would have without the save. Pickle goes through the same two methods.
"""

from __future__ import annotations

from scipy import sparse

from ._solvers import SGDStream
from ._streaming import StreamState

__all__ = ["PlainStateMixin"]


class PlainStateMixin:
    """Pickle and skops see the stream's state and a sparse ``coef_`` as dicts."""

    def __getstate__(self):
        state = super().__getstate__()
        stream = state.get("_stream_state")
        if isinstance(stream, StreamState):
            plain = dict(vars(stream))
            plain["sgd"] = stream.sgd._asdict()
            state = {**state, "_stream_state": plain}
        coef = state.get("coef_")
        if sparse.issparse(coef):
            state = {**state, "coef_": _plain_csr(coef)}
        return state

    def __setstate__(self, state):
        plain = state.get("_stream_state")
        if isinstance(plain, dict):
            stream = StreamState.__new__(StreamState)
            vars(stream).update(plain)
            stream.sgd = SGDStream(**plain["sgd"])
            state = {**state, "_stream_state": stream}
        if isinstance(state.get("coef_"), dict):
            state = {**state, "coef_": _csr_from_plain(state["coef_"])}
        super().__setstate__(state)


def _plain_csr(matrix) -> dict:
    matrix = matrix.tocsr()
    return {
        "kind": "csr_array" if isinstance(matrix, sparse.sparray) else "csr_matrix",
        "data": matrix.data,
        "indices": matrix.indices,
        "indptr": matrix.indptr,
        "shape": matrix.shape,
    }


def _csr_from_plain(plain: dict):
    kind = {"csr_array": sparse.csr_array, "csr_matrix": sparse.csr_matrix}
    arrays = (plain["data"], plain["indices"], plain["indptr"])
    return kind[plain["kind"]](arrays, shape=tuple(plain["shape"]))
