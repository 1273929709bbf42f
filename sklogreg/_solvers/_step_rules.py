"""How a proximal gradient iteration chooses its step: fixed, or backtracking.

A fixed ``step`` is used exactly as given: it is what users tune.

`Backtracking` starts from ``1 / L`` for an estimate ``L`` of the Lipschitz constant
of the gradient; every iteration then tries the longer of the last accepted step
times `STEP_GROWTH` and the Barzilai-Borwein step ``<s, s> / <s, r>`` (``s`` and ``r``
the changes of the point and of its gradient since the previous iteration: the inverse
of the curvature along the last move), and halves it until the sufficient-decrease
condition of the proximal gradient method holds::

    f(x_{k+1}) <= f(y_k) + <grad f(y_k), x_{k+1} - y_k> + ||x_{k+1} - y_k||^2 / (2 t)

(Beck & Teboulle's backtracking), so the step follows the local curvature, which for
the log-loss is often far below the global bound. Near the optimum both sides of that
test agree to round-off; there the test uses the secant curvature
``<grad f(x_{k+1}) - grad f(y_k), x_{k+1} - y_k> <= ||x_{k+1} - y_k||^2 / t``
instead, which the objective computes from the margins without cancellation. Every
accepted step passes one of these tests, whatever the trial: the Barzilai-Borwein
trial only saves iterations (measured by the benchmark: 10-30% fewer on digits, the
sparse set and breast cancer). The estimate ``L`` comes from a power iteration, which
approaches the true constant from below and can stop well short of it (at 0.43 of it
on a two-column problem whose start vector lay near the smaller eigenvector). So a
step of ``1 / L`` is checked too, by the curvature met along it: when that exceeds
``1 / t`` by more than round-off, the estimate was low, and the shortest step the
rule tries from then on is the inverse of the curvature met. (Objective values are
no test there: near the optimum they differ by round-off only, and halving on their
noise shrank the step to 1e-7 of its size on the unscaled benchmark set.)

References
----------
.. [1] A. Beck and M. Teboulle, "A fast iterative shrinkage-thresholding algorithm for
   linear inverse problems", SIAM J. Imaging Sciences 2(1), 2009.
.. [2] J. Barzilai and J. M. Borwein, "Two-point step size gradient methods", IMA
   Journal of Numerical Analysis 8(1), 1988.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._base import CompositeObjective, inner

__all__ = ["Backtracking", "FixedStep", "Trial", "barzilai_borwein_step"]

# A trial step grows by this factor each iteration, then backtracking halves it: the
# step tracks the local curvature in both directions at ~1.2 trials per iteration.
STEP_GROWTH = 1.25
STEP_SHRINK = 0.5
# At 1/L a step is refused only when the curvature met along it is more than this
# factor above 1/t: by more than its round-off, the estimate of L was low.
CURVATURE_SLACK = 1.01


class Trial(NamedTuple):
    """An accepted step: the point, its margins, ``f`` there and the step size."""

    x: np.ndarray
    margins: np.ndarray
    smooth_value: float
    step: float


def proximal_step(objective: CompositeObjective, y, gradient, step: float):
    """``prox_{t g}(y - t grad f(y))``: the proximal gradient step of size ``t``."""
    trial = y - step * gradient
    return objective.prox(trial, step) if objective.has_nonsmooth_part else trial


def barzilai_borwein_step(step: np.ndarray, gradient_change: np.ndarray, xp=None):
    """The Barzilai-Borwein step ``<s, s> / <s, r>``, or 0 when it is not positive.

    ``s`` is the change of the point at which gradients were taken and ``r`` the
    change of the gradient: ``<s, r> / <s, s>`` is the curvature of ``f`` averaged
    along ``s``, and the step is its inverse.
    """
    curvature = inner(step, gradient_change, xp)
    if not curvature > 0:
        return 0.0
    return inner(step, step, xp) / curvature


class FixedStep:
    """The step given, every iteration, without a test."""

    def __init__(self, step: float) -> None:
        self.step = float(step)

    def observe(self, point, gradient, xp) -> None:
        """A fixed step learns nothing from the gradients."""

    def ladder(self, objective, y, gradient, first_trial) -> list[np.ndarray]:
        """The one point this rule tries."""
        return [first_trial]

    def search(
        self, objective, y, margins_y, f_y, gradient, trial_margins, xp
    ) -> Trial:
        """Take the step: one evaluation of ``f``."""
        x_new = proximal_step(objective, y, gradient, self.step)
        margins = trial_margins(x_new, self.step)
        return Trial(x_new, margins, objective.smooth_value(margins, x_new), self.step)

    def grow(self) -> None:
        """A fixed step stays as it is."""


class Backtracking:
    """Barzilai-Borwein trials, halved until sufficient decrease (module docstring).

    Parameters
    ----------
    lipschitz : float
        An estimate of the Lipschitz constant ``L`` of ``grad f``: ``1 / L`` is the
        first trial, and the shortest step tried until a test at it fails.
    slack : float
        Relative size below which a difference of objective values is round-off.
    """

    # However wrong the estimate of L, the step never goes below 1 / L by more than
    # this factor: there only round-off could still refuse it.
    MAX_HALVINGS_BELOW_SAFE = 40

    def __init__(self, lipschitz: float, slack: float) -> None:
        if lipschitz is None or not lipschitz > 0 or not math.isfinite(lipschitz):
            raise ValueError(
                "step='auto' needs a finite positive Lipschitz constant, "
                f"got {lipschitz}."
            )
        self.step = self.safe_step = 1.0 / lipschitz
        self.shortest_step = self.safe_step * 0.5**self.MAX_HALVINGS_BELOW_SAFE
        self.slack = slack
        self._previous = None

    def observe(self, point, gradient, xp) -> None:
        """Lengthen the next trial to the Barzilai-Borwein step when that is longer."""
        if self._previous is not None:
            self.step = max(
                self.step,
                barzilai_borwein_step(
                    point - self._previous[0], gradient - self._previous[1], xp
                ),
            )
        self._previous = (point, gradient)

    def ladder(self, objective, y, gradient, first_trial) -> list[np.ndarray]:
        """The points `search` may try, in order, computed as it does."""
        trials, step = [first_trial], self.step
        while step > self.safe_step:
            step = max(step * STEP_SHRINK, self.safe_step)
            trials.append(proximal_step(objective, y, gradient, step))
        return trials

    def search(
        self, objective, y, margins_y, f_y, gradient, trial_margins, xp
    ) -> Trial:
        """Shrink the step from the current trial until sufficient decrease holds.

        ``trial_margins(x, t)`` gives the margins of the trial ``x`` of step ``t``;
        ``xp`` is the namespace of the points (``None``: NumPy). Above ``1 / L`` a
        trial must pass the sufficient-decrease test; at ``1 / L`` objective values
        may differ by round-off only, so the step is judged by the curvature met
        along it instead (`_curvature_allows`). The margins and value returned
        always belong to the accepted point.
        """
        t = self.step
        while True:
            x_new = proximal_step(objective, y, gradient, t)
            margins = trial_margins(x_new, t)
            f_new = objective.smooth_value(margins, x_new)
            if t > self.safe_step:
                if self._decreases_enough(
                    objective, y, margins_y, f_y, gradient, x_new, margins, f_new, t, xp
                ):
                    break
                t = max(t * STEP_SHRINK, self.safe_step)
            elif self._curvature_allows(objective, y, margins_y, x_new, margins, t, xp):
                break
            else:
                t = self.safe_step
        self.step = t
        return Trial(x_new, margins, f_new, t)

    def _curvature_allows(self, objective, y, margins_y, x_new, margins, t, xp) -> bool:
        """Whether the curvature along the step allows it; if not, learn a shorter one.

        The curvature along ``d = x_new - y`` comes from the gradients (through the
        margins: no cancellation). Above ``1 / t``, and by more than round-off, the
        estimate of ``L`` was low: the safe step becomes the inverse of the
        curvature met, and the trial is made again.
        """
        if t <= self.shortest_step:
            return True
        d = x_new - y
        d_squared = inner(d, d, xp)
        curvature = objective.secant_curvature(margins_y, y, margins, x_new)
        if curvature * t <= d_squared * CURVATURE_SLACK:
            return True
        self.safe_step = max(d_squared / curvature, self.shortest_step)
        return False

    def _decreases_enough(
        self, objective, y, margins_y, f_y, gradient, x_new, margins, f_new, t, xp
    ) -> bool:
        d = x_new - y
        d_squared = inner(d, d, xp)
        excess = f_new - (f_y + inner(gradient, d, xp) + d_squared / (2 * t))
        if excess < -self.slack * abs(f_y):
            return True
        if excess > self.slack * abs(f_y):
            return False
        # Too close to call from objective values, which cancel near the optimum: ask
        # instead whether the curvature along d, from gradients that carry no such
        # cancellation, is at most 1/t.
        curvature = objective.secant_curvature(margins_y, y, margins, x_new)
        return curvature * t <= d_squared

    def grow(self) -> None:
        """Let the next iteration try a longer step."""
        self.step *= STEP_GROWTH
