"""The few Array API helpers the package needs beyond scikit-learn's own.

NumPy arrays (and SciPy sparse matrices) keep the package's original NumPy code, with
its in-place operations and SciPy special functions: `namespace_of` returns ``None``
for them, and every function that takes an ``xp`` argument treats ``xp=None`` as "the
NumPy path, unchanged". Any other array (``array_api_strict``, PyTorch on any device,
CuPy...) gets its Array API namespace, and the code written in Array API terms.

The estimator finds the namespace of its input with scikit-learn's
``get_namespace_and_device`` (which honours ``array_api_dispatch``); once the data is
validated, the internals only need to know which of the two paths to take, which
`namespace_of` tells from the arrays themselves.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.externals import array_api_compat

__all__ = ["copy", "detached", "namespace_of"]


def namespace_of(*arrays):
    """Return the Array API namespace of ``arrays``, or ``None`` for NumPy input.

    Parameters
    ----------
    *arrays : ndarray, sparse matrix, Array API array or None
        Arrays of one namespace; ``None`` entries are ignored.

    Returns
    -------
    xp : module or None
        ``None`` when every array is a NumPy array or a SciPy sparse matrix (the
        caller keeps its NumPy code), else the arrays' namespace.
    """
    # This runs several times per solver iteration: NumPy's answer comes first.
    if len(arrays) == 1 and isinstance(arrays[0], np.ndarray):
        return None
    present = [a for a in arrays if a is not None]
    if all(isinstance(a, np.ndarray) or sparse.issparse(a) for a in present):
        return None
    return array_api_compat.array_namespace(*present)


def copy(array, xp=None):
    """A copy of ``array``: ``ndarray.copy`` for NumPy, ``xp.asarray(copy=True)``."""
    if isinstance(array, np.ndarray):
        return array.copy()
    if xp is None:
        xp = namespace_of(array)
    if xp is None:
        return array.copy()
    return xp.asarray(array, copy=True)


def detached(array):
    """``array`` cut from any autograd graph (PyTorch's ``requires_grad``).

    A fit differentiates nothing: on an input that requires grad, every operation
    would record its graph (memory that grows with every iteration) and the fitted
    arrays would carry a ``grad_fn``. Arrays without ``requires_grad`` set, of any
    library, are returned as they are.
    """
    if getattr(array, "requires_grad", False):
        return array.detach()
    return array
