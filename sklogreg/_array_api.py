"""The few array helpers that are no backend's job, for any kind of array.

`namespace_of` tells an Array API namespace from NumPy (``None`` for NumPy arrays and
SciPy sparse matrices), `copy` copies in any namespace, and `detached` cuts an input
from an autograd graph. The operations on the data themselves are the backends'
(`sklogreg._backends`), chosen once per fit.
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
