"""The elastic-net penalty on the coefficients, its gradient and its proximal step.

The penalty never touches the intercept, which lives in the last column of the
coefficients when it is fitted (`sklogreg._coef_layout`)::

    penalty(W) = l2_strength / 2 * ||W||_F^2 + l1_strength * ||W||_1

With the contract's objective (`sklogreg._objective`),
``l2_strength = (1 - l1_ratio) / (C * S)`` and ``l1_strength = l1_ratio / (C * S)``;
both are zero for ``C = inf``. The L2 part is smooth and joins the data term in the
gradient; the L1 part is handled by its proximal operator, soft-thresholding.
"""

from __future__ import annotations

import math

__all__ = ["ElasticNet", "penalty_strengths"]


def penalty_strengths(
    C: float, l1_ratio: float, penalty_weight_sum: float
) -> tuple[float, float]:
    """The L2 and L1 strengths ``(1 - rho) / (C S)`` and ``rho / (C S)``.

    ``C = inf`` means no penalty at all (both are 0).
    """
    # Python floats: a NumPy float64 strength would promote float32 coefficients.
    C, l1_ratio = float(C), float(l1_ratio)
    penalty_scale = 0.0 if math.isinf(C) else 1.0 / (C * float(penalty_weight_sum))
    return (1.0 - l1_ratio) * penalty_scale, l1_ratio * penalty_scale


class ElasticNet:
    """``l2 / 2 * ||W||_F^2 + l1 * ||W||_1`` on all but the intercept column.

    Parameters
    ----------
    l2_strength, l1_strength : float
        Weights of the two parts.
    fit_intercept : bool
        Whether the last column of the coefficients is an (unpenalised) intercept.
    backend : Backend
        Where the coefficients live.
    """

    def __init__(
        self, l2_strength: float, l1_strength: float, *, fit_intercept: bool, backend
    ) -> None:
        self.l2_strength = l2_strength
        self.l1_strength = l1_strength
        self.fit_intercept = fit_intercept
        self.backend = backend
        self.xp = backend.xp

    def _penalized(self, coef):
        """The part of ``coef`` that is penalised: everything but the intercept."""
        return coef[:, :-1] if self.fit_intercept else coef

    def _with_intercept_of(self, penalized, coef):
        """``penalized`` with ``coef``'s intercept column put back."""
        if not self.fit_intercept:
            return penalized
        # Built by concatenation: the Array API does not promise that a slice is a
        # view, so an assignment through one cannot be relied on.
        return self.xp.concat([penalized, coef[:, -1:]], axis=1)

    def l2_value(self, coef) -> float:
        """``l2 / 2 * ||W||_F^2``."""
        if self.l2_strength == 0:
            return 0.0
        W = self._penalized(coef)
        return 0.5 * self.l2_strength * self.backend.total(W * W)

    def l2_gradient(self, coef):
        """``l2 * W``, and zero for the intercept."""
        gradient = self.l2_strength * coef
        if self.fit_intercept:
            gradient[:, -1] = 0
        return gradient

    def l1_value(self, coef) -> float:
        """``l1 * ||W||_1``."""
        if not self.l1_strength:
            return 0.0
        W = self._penalized(coef)
        return self.l1_strength * self.backend.total(self.xp.abs(W))

    def prox(self, coef, threshold):
        r"""Soft-thresholding, the proximal operator of ``sum_j tau_j |W_j|``.

        .. math::

            \operatorname{prox}(w)_j
                = \operatorname{sign}(w_j)\,\max(|w_j| - \tau_j, 0)

        applied to every coefficient but the intercept. Entries whose magnitude is
        at most their threshold become exactly zero: this is how an L1 penalty
        selects features.

        Parameters
        ----------
        coef : array of shape (n_rows, n_columns)
            Point at which to evaluate the operator.
        threshold : float or array of shape (n_features,)
            ``step * l1_strength``, one value or one per feature.
        """
        xp = self.xp
        W = self._penalized(coef)
        shrunk = xp.sign(W) * xp.clip(xp.abs(W) - threshold, min=0)
        return self._with_intercept_of(shrunk, coef)

    def min_norm_subgradient(self, coef, gradient):
        """The smallest element of the subdifferential of ``f + l1 * ||W||_1``.

        For ``w_j != 0`` it is ``g_j + l1 * sign(w_j)``; for ``w_j == 0`` it is
        ``sign(g_j) * max(|g_j| - l1, 0)``. It is zero exactly at a minimiser, and
        it is the limit of the proximal gradient mapping as the step goes to zero
        (whose entries it bounds from above), so it is the strictest first-order
        measure of optimality for an L1-penalised objective.

        Parameters
        ----------
        coef, gradient : array of shape (n_rows, n_columns)
            A point and the gradient of the smooth part there.
        """
        if self.l1_strength == 0:
            return gradient
        xp, l1 = self.xp, self.l1_strength
        W, G = self._penalized(coef), self._penalized(gradient)
        subgradient = xp.where(
            W != 0, G + l1 * xp.sign(W), xp.sign(G) * xp.clip(xp.abs(G) - l1, min=0)
        )
        return self._with_intercept_of(subgradient, gradient)
