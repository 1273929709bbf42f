"""Implicit centring and scaling of the columns: an exact change of variables.

Gradient methods crawl when the columns of ``X`` have very different scales, or sit far
from zero next to the intercept's column of ones: the Hessian is then ill-conditioned.
Instead of rescaling ``X`` (a copy the size of the data, and a different problem), the
solver works on rescaled *coefficients*. With per-column shifts ``mu`` (the weighted
means, only when an intercept absorbs them) and scales ``s``::

    w = w' / s,   b = b' - mu . (w' / s)    so that    X w + b = ((X - mu) / s) w' + b'

The margins, and therefore the objective, are the same for ``(w, b)`` and ``(w', b')``:
this changes the path of a solver, never its solution. ``X`` is neither copied nor
modified; only arrays of the coefficients' size are transformed.

The scales follow the diagonal of the Hessian (Jacobi preconditioning): the data term's
curvature along ``w'_j`` is about ``c * var_j / s_j^2`` and the L2 term's
``l2 / s_j^2``, so ``s_j = sqrt(var_j + l2 / c)`` with ``c = 1/4`` makes every diagonal
entry about the same.

Gradients transform with the transpose of the map ``T: (w', b') -> (w, b)``::

    g'_w = (g_w - mu * g_b) / s,     g'_b = g_b          (T^T, to the scaled space)
    g_w  = s * g'_w + mu * g'_b,     g_b  = g'_b          (T^-T, back)

`NoScaling` is the identity with the same methods, so the objective never asks
whether it works in a scaled space.
"""

from __future__ import annotations

__all__ = ["ColumnScaling", "NoScaling"]

# Bound on the sigmoid's curvature, used to weigh the L2 term against the data's.
_CURVATURE_BOUND = 0.25


class NoScaling:
    """The identity change of variables: the solver works on ``(W, b)`` itself."""

    shift = None
    scale = None

    def to_original(self, coef):
        """The original coefficients: ``coef`` itself."""
        return coef

    to_working = to_original
    gradient_to_working = to_original
    gradient_to_original = to_original

    def penalty_threshold(self, threshold: float) -> float:
        """The L1 threshold of the proximal step: unchanged."""
        return threshold

    def penalty_curvature(self, l2_strength: float) -> float:
        """The L2 term's curvature in the working coefficients: ``l2`` itself."""
        return l2_strength


class ColumnScaling:
    """Shifts ``mu`` (``None`` without an intercept) and scales ``s`` of the columns.

    Parameters
    ----------
    shift : array of shape (n_features,) or None
        Weighted column means, when an intercept absorbs them.
    scale : array of shape (n_features,)
        Jacobi scales, in ``X``'s dtype, namespace and device.
    backend : Backend
        Where the coefficients live.
    """

    def __init__(self, shift, scale, backend) -> None:
        self.shift = shift
        self.scale = scale
        self.backend = backend
        # The conversions run several times per solver iteration: each coefficient
        # column's scale (1 for the intercept's) and mu / s make each of them one
        # broadcast operation and one correction for the intercept's coupling.
        xp = backend.xp
        if shift is None:
            self._column_scale = scale
        else:
            self._column_scale = xp.concat([scale, xp.ones_like(scale[:1])])
            self._shift_over_scale = shift / scale

    @classmethod
    def from_moments(
        cls, mean, mean_square, *, fit_intercept: bool, l2_strength: float, backend
    ) -> ColumnScaling:
        """The shifts and scales from the columns' weighted moments.

        Parameters
        ----------
        mean, mean_square : array of shape (n_features,)
            ``X.T w`` and ``(X * X).T w`` for weights ``w`` summing to one.
        fit_intercept : bool
            Centre the columns (the intercept absorbs the shift) or only scale them.
        l2_strength : float
            Strength of the L2 term, whose curvature is part of the diagonal.
        backend : Backend
            Where the moments live.
        """
        xp = backend.xp
        if fit_intercept:
            second_moment = xp.clip(mean_square - mean * mean, min=0)
            shift = mean
        else:
            second_moment = mean_square
            shift = None
        scale = xp.sqrt(second_moment + l2_strength / _CURVATURE_BOUND)
        # An all-zero column with no penalty has no curvature at all: leave it alone.
        return cls(shift, xp.where(scale > 0, scale, 1.0), backend)

    def to_original(self, coef):
        """Map scaled coefficients ``(w', b')`` to the original ``(w, b)``."""
        original = coef / self._column_scale
        if self.shift is not None:
            n_features = self.scale.shape[0]
            original[:, n_features] -= original[:, :n_features] @ self.shift
        return original

    def to_working(self, coef):
        """Map original coefficients ``(w, b)`` to the scaled ``(w', b')``."""
        scaled = coef * self._column_scale
        if self.shift is not None:
            n_features = self.scale.shape[0]
            scaled[:, n_features] += coef[:, :n_features] @ self.shift
        return scaled

    def gradient_to_working(self, gradient):
        """Apply ``T^T``: a gradient in ``(w, b)`` becomes one in ``(w', b')``."""
        scaled = gradient / self._column_scale
        if self.shift is not None:
            n_features = self.scale.shape[0]
            scaled[:, :n_features] -= (
                gradient[:, n_features, None] * self._shift_over_scale
            )
        return scaled

    def gradient_to_original(self, gradient):
        """Apply ``T^-T``: a gradient in ``(w', b')`` becomes one in ``(w, b)``."""
        original = gradient * self._column_scale
        if self.shift is not None:
            n_features = self.scale.shape[0]
            original[:, :n_features] += gradient[:, n_features, None] * self.shift
        return original

    def penalty_threshold(self, threshold: float):
        """The L1 threshold per column: ``|w_j| = |w'_j| / s_j`` stays separable."""
        return threshold / self.scale

    def penalty_curvature(self, l2_strength: float) -> float:
        """The L2 term's largest curvature in the scaled coefficients, ``l2 / s^2``.

        At most 1/4 by construction, since ``s^2 >= 4 * l2``.
        """
        if not l2_strength:
            return 0.0
        return float(self.backend.xp.max(l2_strength / self.scale**2))
