"""Bounds on the curvature of the log-loss: the Lipschitz constant of its gradient.

The Hessian of the data term is ``Xt.T @ diag(w * h) @ Xt`` with ``Xt = [X, 1]`` and
``h`` at most the loss's ``curvature_bound`` (1/4 for the sigmoid; for the softmax,
``diag(p) - p p.T`` has norm at most 1/2). So its gradient is Lipschitz with

    L = curvature_bound * lambda_max(Xt.T @ diag(w) @ Xt),

and a gradient step of ``1 / L`` never increases the objective. The largest
eigenvalue is found by power iteration using only products with ``X`` and ``X.T``:
``[X, 1]`` is never built, CSR input stays sparse, and each product is one pass over
the rows wherever they are (in memory, or in a cluster's row chunks). With a column
scaling (`sklogreg._scaling`) the matrix is that of the implicitly centred and scaled
columns ``Xt = [(X - mu) / s, 1]``, still never formed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["gram_lipschitz_constant", "largest_eigenvalue"]


def largest_eigenvalue(
    matvec: Callable,
    size: int,
    *,
    dtype,
    backend,
    n_power_iterations: int = 30,
    rtol: float = 1e-4,
) -> float:
    """Largest eigenvalue of a symmetric positive semi-definite operator.

    Found by power iteration, ``v <- M v / ||M v||``, from a fixed start.

    Parameters
    ----------
    matvec : callable
        ``matvec(v)`` returns ``M @ v`` for a vector ``v`` of length ``size``: the only
        access to ``M``, which may be implicit or distributed.
    size : int
        Length of the vectors ``M`` acts on.
    dtype : dtype
        Dtype of the iterates handed to ``matvec``.
    backend : Backend
        Where the iterates live.
    n_power_iterations : int, default=30
        Upper limit on the iterations.
    rtol : float, default=1e-4
        Stop once the estimate changes by less than this, relatively.

    Returns
    -------
    eigenvalue : float
        The estimate ``||M v_k||`` for unit ``v_k``: it approaches ``lambda_max`` from
        below. Not finite when ``M`` overflows.
    """
    # A fixed start vector: the estimate is deterministic, and the same for a
    # weighted sample as for its repeated rows.
    start = np.random.default_rng(0).standard_normal(size)
    v = backend.asarray(start / np.linalg.norm(start), dtype=dtype)  # moved once
    eigenvalue = 0.0
    for _ in range(n_power_iterations):
        Mv = matvec(v)
        # Only this Python float leaves the device, once per iteration.
        norm = backend.norm(Mv)
        if norm == 0.0 or not math.isfinite(norm):
            return norm
        previous, eigenvalue = eigenvalue, norm
        v = Mv / norm
        if v.dtype != dtype:
            v = backend.xp.astype(v, dtype)
        if abs(eigenvalue - previous) <= rtol * eigenvalue:
            break
    return eigenvalue


def gram_lipschitz_constant(
    row_sums: Callable,
    n_features: int,
    *,
    dtype,
    fit_intercept: bool,
    curvature_bound: float,
    scaling,
    backend,
    n_power_iterations: int = 30,
    rtol: float = 1e-4,
) -> float:
    """``curvature_bound * lambda_max(Xt.T diag(w) Xt)`` from sums over rows.

    Parameters
    ----------
    row_sums : callable
        ``row_sums(v_features, offset)`` returns ``X.T (w * u)`` and ``sum(w * u)``
        for ``u = X v_features + offset``: one pass over the rows.
    n_features : int
        Columns of ``X``.
    dtype : dtype
        Dtype of the vectors handed to ``row_sums``.
    fit_intercept : bool
        Whether the column of ones is part of ``Xt``.
    curvature_bound : float
        The loss's bound on its second derivative in the margins.
    scaling : ColumnScaling or NoScaling
        Implicit centring and scaling of the columns (`sklogreg._scaling`).
    backend : Backend
        Where the vectors live.
    n_power_iterations, rtol
        As in `largest_eigenvalue`.

    Returns
    -------
    L : float
        The Lipschitz constant of the data term's gradient; the penalty's curvature
        is the caller's to add. Power iteration approaches ``lambda_max`` from
        below, so callers guard the step with a line search.
    """
    xp = backend.xp
    shift, scale = scaling.shift, scaling.scale

    def gram_product(v):
        v_features = v[:n_features]
        if scale is not None:
            v_features = v_features / scale
        offset = 0.0
        if fit_intercept:
            offset = v[n_features]
            if shift is not None:
                offset = offset - shift @ v_features
        product, weighted_sum = row_sums(v_features, offset)
        if fit_intercept and shift is not None:
            product = product - shift * weighted_sum
        if scale is not None:
            product = product / scale
        if fit_intercept:
            product = xp.concat([product, weighted_sum])
        return product

    eigenvalue = largest_eigenvalue(
        gram_product,
        n_features + fit_intercept,
        dtype=dtype,
        backend=backend,
        n_power_iterations=n_power_iterations,
        rtol=rtol,
    )
    return curvature_bound * eigenvalue
