r"""Proximal gradient descent ("gd") and its accelerated form ("nesterov", FISTA).

Both minimise a `CompositeObjective` ``F(w) = f(A w, w) + g(w)`` by::

    x_{k+1} = prox_{t g}(y_k - t * grad f(y_k))

with ``y_k = x_k`` for plain gradient descent and, for Nesterov's accelerated method,
an extrapolated point::

    theta_{k+1} = (1 + sqrt(1 + 4 theta_k^2)) / 2
    y_{k+1}     = x_{k+1} + (theta_k - 1) / theta_{k+1} * (x_{k+1} - x_k)

restarted (``theta = 1``, ``y = x``) whenever the momentum points uphill, i.e. when
``<y_k - x_{k+1}, x_{k+1} - x_k> > 0`` (O'Donoghue & Candès' gradient scheme). The step
``t`` comes from a step rule (`sklogreg._solvers._step_rules`): fixed, or
backtracking from Barzilai-Borwein trials.

Stopping. The solve stops when the objective's own optimality measure,
``objective.optimality(x, grad f(x))``, is at most ``tol``: for example the largest
entry of the gradient, or of the minimum-norm subgradient, which bounds the proximal
gradient mapping entry by entry and is its limit as ``t -> 0``. The test is made only
at an iterate ``x_k`` whose gradient has been computed exactly, never at an
extrapolated point, so the returned point is the one certified. "The coefficients
stopped changing" is not used: a slow method stops changing long before it is optimal.

Passes over the data. Each iteration reads ``A`` twice, once for ``A.T`` in the
gradient at ``y_k`` and once for the margins of the trial points: without a prox (and
in float64) these lie on the line ``y_k - t g``, so ``A y_k - t (A g)`` serves every
trial from one product ``A g``; otherwise each trial costs a product ``A x_{k+1}``.
The extrapolated margins ``A y_{k+1}`` are the same linear combination of
``A x_{k+1}`` and ``A x_k``, so they cost no pass over the data. Margins carried this
way are recomputed exactly every `MARGIN_REFRESH` iterations against round-off drift.

Array API. The iterates, gradients and margins stay in the namespace and on the device
of ``coef0``: the only values that leave the device are the Python floats of the line
search, the momentum restart and the stopping test.

References
----------
.. [1] A. Beck and M. Teboulle, "A fast iterative shrinkage-thresholding algorithm for
   linear inverse problems", SIAM J. Imaging Sciences 2(1), 2009.
.. [2] B. O'Donoghue and E. Candès, "Adaptive restart for accelerated gradient
   schemes", Foundations of Computational Mathematics 15, 2015.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .._array_api import copy, namespace_of
from ._base import (
    CompositeObjective,
    IterationInfo,
    SolverResult,
    inner,
)
from ._loop import run, tell_end
from ._observers import Observer
from ._step_rules import Backtracking, FixedStep, proximal_step

__all__ = ["ProximalGradient", "accelerated_gradient", "gradient_descent"]

# Iterations between exact recomputations of the carried margins.
MARGIN_REFRESH = 50


@dataclass
class ProximalGradientState:
    """Where a proximal gradient solve stands between two iterations.

    ``x`` is the iterate, ``y`` the point of the next gradient step (``x`` itself
    unless momentum extrapolated), each with its margins ``A x``; ``gradient`` and
    ``gradient_max`` are measured at ``y``.
    """

    x: np.ndarray
    margins_x: np.ndarray
    value: float
    y: np.ndarray
    margins_y: np.ndarray
    y_is_x: bool
    smooth_value_y: float
    gradient: np.ndarray
    gradient_max: float
    step: float
    theta: float = 1.0
    iteration: int = 0


class ProximalGradient:
    """Proximal gradient iterations, with or without Nesterov's momentum.

    Parameters
    ----------
    step_rule : FixedStep or Backtracking
        How each iteration's step is chosen.
    momentum : bool
        FISTA's extrapolation with adaptive restart ("nesterov"), or none ("gd").
    tol : float
        The iterate is certified once its optimality measure is at most ``tol``.
    xp : module or None
        Array API namespace of the iterates; ``None`` for NumPy.
    carry_margins : bool
        Whether trial and extrapolated margins are combined linearly instead of
        recomputed (float64 only: in float32 they drift too fast for the
        sufficient-decrease test near the optimum).
    """

    def __init__(self, step_rule, *, momentum: bool, tol: float, xp, carry_margins):
        self.step_rule = step_rule
        self.momentum = momentum
        self.tol = tol
        self.xp = xp
        self.carry_margins = carry_margins
        self._plan = _PlannedLineSearch(self)
        self._direction_margins = self._margins_y = self._objective = None

    def init(self, objective: CompositeObjective, coef0) -> ProximalGradientState:
        """The state at ``coef0``: its objective value and gradient."""
        x = copy(coef0, self.xp)
        margins = objective.linear_map(x)
        value = objective.smooth_value(margins, x) + objective.nonsmooth_value(x)
        state = ProximalGradientState(
            x, margins, value, x, margins, True, 0.0, x, 0.0, self.step_rule.step
        )
        if math.isfinite(value):
            self._measure(objective, state)
        return state

    def converged(self, state: ProximalGradientState) -> bool:
        """Certified: the gradient was measured at the iterate itself and is small."""
        return state.y_is_x and state.gradient_max <= self.tol

    def stop_reason(self, state: ProximalGradientState) -> None:
        """No reason of its own: only ``tol``, ``max_iter`` and observers stop it."""

    def update(
        self, objective: CompositeObjective, state: ProximalGradientState, last: bool
    ) -> IterationInfo:
        """One step from ``y``, the momentum, and the gradient where the next starts."""
        if state.gradient_max <= self.tol:
            # Small gradient at the extrapolated point: drop the momentum so that the
            # next iteration tests (and, if small, returns) a true iterate.
            state.theta = 1.0
        trial = self._line_search(objective, state, last)
        value = trial.smooth_value + objective.nonsmooth_value(trial.x)
        self._move(state, trial, value)
        self.step_rule.grow()
        state.iteration += 1
        if last and not state.y_is_x:
            # Certify the returned iterate, not an extrapolated point.
            state.y, state.margins_y, state.y_is_x = state.x, state.margins_x, True
        if math.isfinite(value):
            self._measure(objective, state)
        return IterationInfo(
            state.iteration, state.x, value, state.gradient_max, trial.step
        )

    def _line_search(self, objective, state: ProximalGradientState, last: bool):
        self._direction_margins = (
            objective.linear_map(state.gradient)
            if self.carry_margins and not objective.has_nonsmooth_part
            else None
        )
        self._margins_y, self._objective = state.margins_y, objective
        plan = self._plan
        plan.objective, plan.state, plan.last = objective, state, last
        objective.plan_line_search(plan)
        return self.step_rule.search(
            objective,
            state.y,
            state.margins_y,
            state.smooth_value_y,
            state.gradient,
            self._trial_margins,
            self.xp,
        )

    def _trial_margins(self, x_new, step: float):
        """Margins of a trial: ``A y - t (A g)`` when carried, else ``A x_new``."""
        if self._direction_margins is None:
            return self._objective.linear_map(x_new)
        return self._margins_y - step * self._direction_margins

    def _next_point(self, state: ProximalGradientState, x_new):
        """The point of the next gradient, the next ``theta`` and the momentum ``beta``.

        FISTA's extrapolation ``x_new + beta (x_new - x)``, restarted (``theta = 1``)
        when the momentum points uphill; plain gradient descent goes on from
        ``x_new``.
        """
        x, theta = state.x, state.theta
        if not self.momentum:
            return x_new, theta, 0.0
        if inner(state.y - x_new, x_new - x, self.xp) > 0:
            theta = 1.0  # restart: the momentum pointed uphill
        theta_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * theta * theta))
        beta = (theta - 1.0) / theta_new
        if beta > 0:
            return x_new + beta * (x_new - x), theta_new, beta
        return x_new, theta_new, beta

    def _move(self, state: ProximalGradientState, trial, value: float) -> None:
        """Accept ``trial`` as the new iterate and extrapolate from it."""
        y_next, state.theta, beta = self._next_point(state, trial.x)
        if beta > 0:
            state.y = y_next
            state.margins_y = trial.margins + beta * (trial.margins - state.margins_x)
            state.y_is_x = False
        else:
            state.y, state.margins_y, state.y_is_x = trial.x, trial.margins, True
        state.x, state.margins_x, state.value = trial.x, trial.margins, value

    def _measure(self, objective, state: ProximalGradientState) -> None:
        """The gradient at ``y`` and its optimality measure, margins refreshed."""
        if (
            self.carry_margins
            and state.iteration % MARGIN_REFRESH == MARGIN_REFRESH - 1
        ):
            # Margins carried by linear combinations (the line search, the momentum)
            # drift by round-off: recompute them exactly now and then, before they
            # are used, so that every comparison within an iteration is consistent.
            # Both of them: margins_x enters every extrapolation, and an error left
            # in it is amplified by the momentum recursion (measured: x10 per
            # refresh).
            state.margins_y = objective.linear_map(state.y)
            state.margins_x = (
                state.margins_y if state.y_is_x else objective.linear_map(state.x)
            )
        state.smooth_value_y, state.gradient = objective.smooth_value_and_gradient(
            state.margins_y, state.y
        )
        self.step_rule.observe(state.y, state.gradient, self.xp)
        state.gradient_max = objective.optimality(state.y, state.gradient)


class _PlannedLineSearch:
    """The coming line search's points (`LineSearchPlan`), computed only if asked.

    One per solve, pointed at each iteration's state: an objective that evaluates
    in memory never asks, and the iteration pays nothing for it.
    """

    def __init__(self, method: ProximalGradient) -> None:
        self.method = method
        self.objective = self.state = None
        self.last = False

    def trials(self) -> list[np.ndarray]:
        """The points the line search may try, in order."""
        objective, state, rule = self.objective, self.state, self.method.step_rule
        first = proximal_step(objective, state.y, state.gradient, rule.step)
        return rule.ladder(objective, state.y, state.gradient, first)

    def next_points(self, points: Sequence[np.ndarray]) -> list[np.ndarray]:
        """For each trial, where the next gradient is taken if it is accepted."""
        if self.last:
            return list(points)
        return [self.method._next_point(self.state, point)[0] for point in points]


def gradient_descent(objective: CompositeObjective, coef0, **options) -> SolverResult:
    """Minimise ``objective`` by (proximal) gradient descent.

    The textbook walk downhill, ``x_{k+1} = prox(x_k - t * grad f(x_k))``: monotone,
    simple, and with step ``1/L`` it needs on the order of ``L / mu`` iterations.
    ``options`` are those of `solve_proximal_gradient` but ``momentum``.
    """
    return solve_proximal_gradient(objective, coef0, momentum=False, **options)


def accelerated_gradient(
    objective: CompositeObjective, coef0, **options
) -> SolverResult:
    """Minimise ``objective`` by Nesterov's accelerated proximal gradient (FISTA).

    Gradient steps are taken from an extrapolated point, with adaptive restart; see
    the module docstring for the update. Its worst-case rate is ``O(1/k^2)`` against
    ``O(1/k)`` for `gradient_descent`, and restarts recover a linear rate on strongly
    convex problems. ``options`` are those of `solve_proximal_gradient` but
    ``momentum``.
    """
    return solve_proximal_gradient(objective, coef0, momentum=True, **options)


def solve_proximal_gradient(
    objective: CompositeObjective,
    coef0: np.ndarray,
    *,
    momentum: bool,
    step: float | Literal["auto"] = "auto",
    lipschitz: float | None = None,
    max_iter: int = 1000,
    tol: float = 1e-4,
    observers: Sequence[Observer] = (),
    announce_end: bool = True,
) -> SolverResult:
    """Minimise ``objective`` by proximal gradient steps, with or without momentum.

    Parameters
    ----------
    objective : CompositeObjective
        The objective to minimise.
    coef0 : ndarray
        Starting point; not modified.
    momentum : bool
        Nesterov's extrapolation with adaptive restart ("nesterov"), or none ("gd").
    step : float or "auto", default="auto"
        A fixed step size, used exactly, or "auto" for ``1/L`` adapted by backtracking.
    lipschitz : float, optional
        An estimate of the Lipschitz constant of ``grad f``; required for "auto".
    max_iter : int, default=1000
        Largest number of iterations.
    tol : float, default=1e-4
        Stop when the largest entry of the gradient mapping is at most ``tol``.
    observers : sequence of Observer, default=()
        Told of every iteration and of the end (`sklogreg._solvers._observers`);
        one returning True stops the solver.
    announce_end : bool, default=True
        False leaves telling the observers of the end to a caller that chains this
        solve after another (the stochastic solver's finish).

    Returns
    -------
    SolverResult

    Raises
    ------
    ObjectiveDivergedError
        If a fixed step makes the objective non-finite or grow without bound.
    """
    xp = namespace_of(coef0)
    if isinstance(step, str):
        # Below this relative size a difference of objective values is round-off,
        # and the sufficient-decrease test falls back on the secant curvature.
        slack = 16 * float((np.finfo if xp is None else xp.finfo)(coef0.dtype).eps)
        step_rule = Backtracking(lipschitz, slack)
    else:
        step_rule = FixedStep(step)
    method = ProximalGradient(
        step_rule,
        momentum=momentum,
        tol=tol,
        xp=xp,
        carry_margins=coef0.dtype == (np.float64 if xp is None else xp.float64),
    )
    # A fixed step far too large overflows on the way to the divergence guard, which
    # raises the clear error: the RuntimeWarnings of that overflow are only noise.
    with np.errstate(over="ignore", invalid="ignore"):
        result = run(method, objective, coef0, max_iter=max_iter, observers=observers)
    return tell_end(result, observers) if announce_end else result
