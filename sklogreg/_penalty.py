"""The elastic-net penalty on the coefficients, its gradient and its proximal step.

Pure functions of arrays. The penalty never touches the intercept, which lives in the
last column of ``coef`` when ``fit_intercept`` (see `sklogreg._loss`)::

    penalty(W) = l2_strength / 2 * ||W||_F^2 + l1_strength * ||W||_1

With the contract's objective, ``l2_strength = (1 - l1_ratio) / (C * S)`` and
``l1_strength = l1_ratio / (C * S)``; both are zero for ``C = inf``.

An ``xp`` argument names the Array API namespace of non-NumPy coefficients; ``None``
(NumPy) keeps the original code (see `sklogreg._array_api`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "l1_norm",
    "l2_gradient",
    "l2_value",
    "min_norm_subgradient",
    "soft_threshold",
]


def _penalized(coef: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """The part of ``coef`` that is penalised: everything but the intercept column."""
    return coef[:, :-1] if fit_intercept else coef


def l2_value(
    coef: np.ndarray, l2_strength: float, fit_intercept: bool, xp=None
) -> float:
    """Return ``l2_strength / 2 * ||W||_F^2``, the intercept excluded."""
    if l2_strength == 0:
        return 0.0
    W = _penalized(coef, fit_intercept)
    if xp is not None:
        return 0.5 * l2_strength * float(xp.sum(W * W))
    return 0.5 * l2_strength * float((W * W).sum())


def l2_gradient(
    coef: np.ndarray, l2_strength: float, fit_intercept: bool
) -> np.ndarray:
    """Return the gradient ``l2_strength * W`` of `l2_value`, zero for the intercept."""
    gradient = l2_strength * coef
    if fit_intercept:
        gradient[:, -1] = 0
    return gradient


def l1_norm(coef: np.ndarray, fit_intercept: bool, xp=None) -> float:
    """Return ``||W||_1``, the intercept excluded."""
    if xp is not None:
        return float(xp.sum(xp.abs(_penalized(coef, fit_intercept))))
    return float(np.abs(_penalized(coef, fit_intercept)).sum())


def soft_threshold(
    coef: np.ndarray, threshold, fit_intercept: bool, xp=None
) -> np.ndarray:
    r"""Proximal operator of ``sum_j threshold_j * |W_j|``.

    .. math::

        \operatorname{prox}(w)_j
            = \operatorname{sign}(w_j)\,\max(|w_j| - \tau_j, 0)

    applied to every coefficient but the intercept, which passes through unchanged.
    Entries whose magnitude is at most their threshold become exactly zero: this is
    how an L1 penalty selects features.

    Parameters
    ----------
    coef : ndarray of shape (n_rows, n_columns)
        Point at which to evaluate the operator.
    threshold : float or ndarray of shape (n_columns - fit_intercept,)
        ``step * l1_strength``, one value or one per feature.
    fit_intercept : bool
        Whether the last column is an (unpenalised) intercept.
    xp : module, default=None
        Array API namespace of ``coef``; ``None`` for NumPy.

    Returns
    -------
    prox : ndarray of the same shape as ``coef``
    """
    W = _penalized(coef, fit_intercept)
    if xp is not None:
        # Built by concatenation: the Array API does not promise that a slice is a
        # view, so the NumPy code's assignment through one cannot be relied on.
        shrunk_W = xp.sign(W) * xp.clip(xp.abs(W) - threshold, min=0)
        if not fit_intercept:
            return shrunk_W
        return xp.concat([shrunk_W, coef[:, -1:]], axis=1)
    shrunk = coef.copy()
    shrunk_W = _penalized(shrunk, fit_intercept)
    shrunk_W[...] = np.sign(W) * np.maximum(np.abs(W) - threshold, 0)
    return shrunk


def min_norm_subgradient(
    coef: np.ndarray,
    gradient: np.ndarray,
    l1_strength: float,
    fit_intercept: bool,
    xp=None,
) -> np.ndarray:
    """The smallest element of the subdifferential of ``f + l1_strength * ||W||_1``.

    For ``w_j != 0`` it is ``g_j + l1 * sign(w_j)``; for ``w_j == 0`` it is
    ``sign(g_j) * max(|g_j| - l1, 0)``. It is zero exactly at a minimiser, and it is
    the limit of the proximal gradient mapping as the step goes to zero (whose
    entries it bounds from above), so it is the strictest first-order measure of
    optimality for an L1-penalised objective.

    Parameters
    ----------
    coef, gradient : ndarray of shape (n_rows, n_columns)
        A point and the gradient of the smooth part there.
    l1_strength : float
        Weight of the L1 term.
    fit_intercept : bool
        Whether the last column is an (unpenalised) intercept.
    xp : module, default=None
        Array API namespace of the arrays; ``None`` for NumPy.

    Returns
    -------
    subgradient : ndarray of the same shape as ``coef``
    """
    if l1_strength == 0:
        return gradient
    if xp is not None:
        W, G = _penalized(coef, fit_intercept), _penalized(gradient, fit_intercept)
        penalized = xp.where(
            W != 0,
            G + l1_strength * xp.sign(W),
            xp.sign(G) * xp.clip(xp.abs(G) - l1_strength, min=0),
        )
        if not fit_intercept:
            return penalized
        return xp.concat([penalized, gradient[:, -1:]], axis=1)
    subgradient = gradient.copy()
    W, G = _penalized(coef, fit_intercept), _penalized(gradient, fit_intercept)
    _penalized(subgradient, fit_intercept)[...] = np.where(
        W != 0,
        G + l1_strength * np.sign(W),
        np.sign(G) * np.maximum(np.abs(G) - l1_strength, 0),
    )
    return subgradient
