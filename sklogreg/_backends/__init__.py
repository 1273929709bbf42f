"""Backends: the operations on each kind of array the estimator accepts.

A backend provides the few operations that read ``X`` (the margins, their adjoint,
column moments, sums over rows for the power iteration) and the element-wise kernels
of the loss, for one kind of array: `NumpyBackend` (NumPy and SciPy sparse) or
`ArrayAPIBackend` (any Array API library, on its device). The losses, the penalty,
the scaling and the objective compose one and never ask which it is. Dask arrays have
their own data term (`sklogreg._dask`), which runs the NumPy backend inside its
tasks.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.externals import array_api_compat

from ._array_api import ArrayAPIBackend
from ._numpy import NumpyBackend

__all__ = ["ArrayAPIBackend", "NumpyBackend", "backend_for"]

_NUMPY = NumpyBackend()


def backend_for(array) -> NumpyBackend | ArrayAPIBackend:
    """The backend of ``array``: NumPy for ndarrays and SciPy sparse matrices."""
    if isinstance(array, np.ndarray) or sparse.issparse(array):
        return _NUMPY
    xp = array_api_compat.array_namespace(array)
    return ArrayAPIBackend(xp, array_api_compat.device(array))
