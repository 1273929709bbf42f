r"""Barzilai-Borwein gradient descent with a non-monotone line search ("bb").

Each iteration is one (proximal) gradient step whose length comes from the last two
iterates and gradients instead of a curvature bound::

    x_{k+1} = prox_{t_k g}(x_k - t_k grad f(x_k))

with ``s = x_k - x_{k-1}``, ``r = grad f(x_k) - grad f(x_{k-1})`` and the step chosen
between the two Barzilai-Borwein steps

    BB1 = <s, s> / <s, r>        (the inverse of the curvature averaged along s)
    BB2 = <s, r> / <r, r>        (a least-squares fit of the same, never longer)

by Frassoldati, Zanni and Zanghirati's ABBmin rule: the smallest of the last
`SHORT_STEP_MEMORY` BB2 steps when ``BB2 < SHORT_STEP_RATIO * BB1`` (the gradient
is far from an eigenvector of the Hessian, where the long step overshoots), else
BB1. Measured on wine, iris and the benchmark's eight problems at a tenth of their
size, to ``tol`` 1e-6 and 1e-8 (objective evaluations, all problems together):
ABBmin with ratio 0.5 took 452 and 623, with 0.8 448 and 660; Dai and Fletcher's
strict alternation of BB1 and BB2 513 and 747, BB2 alone 488 and 679, BB1 alone
602 and 872.

BB steps do not decrease the objective at every iteration, and forcing them to
destroys what makes them fast; they are kept in check by a *non-monotone* Armijo
test against the largest of the last `MEMORY` objective values (Grippo, Lampariello
and Lucidi's rule, as SpaRSA uses it with a prox)::

    F(x_{k+1}) <= max_{0 <= j < M} F(x_{k-j}) - sigma / (2 t) ||x_{k+1} - x_k||^2

with ``M = MEMORY`` and ``sigma = SUFFICIENT_DECREASE``. A trial that fails it is
retried with the step shortened by `STEP_SHRINK`. Rejections are rare (2-5% of the
evaluations): the reference (``M = 10``) measured within 3% of ``M = 5`` or 20 and
of Zhang and Hager's averaged reference (``eta`` 0.5 to 0.95), and is the simplest
of them; a monotone test (``M = 1``) took 10-25% more evaluations.

One read of the data per accepted iteration. Every trial is evaluated with
``objective.smooth_value_and_gradient_at``, which computes the value and the gradient
together (in one pass over ``X`` where the backend fuses them): the line search needs
the value, the next step the gradient, so an accepted trial's gradient is the next
iteration's. A rejected trial costs a pass; they are rare (the reference is generous).

First step. Before any pair ``(s, r)`` exists, the first trial is the objective's
``first_step(g)``: the inverse of a bound on the curvature along the first gradient,
``||g||^2 / <g, B g>`` (for the log-loss ``B = c A^T diag(w) A + l2``, one read of
``X``, and exact at the zero start of a binary fit): no power iteration. A fixed
``step`` replaces the whole step rule, which leaves plain gradient descent:
`barzilai_borwein` then runs `gradient_descent`.

Stopping. As the other solvers: ``objective.optimality(x, grad f(x)) <= tol``, always
measured at the iterate itself.

References
----------
.. [1] J. Barzilai and J. M. Borwein, "Two-point step size gradient methods", IMA
   Journal of Numerical Analysis 8(1), 1988.
.. [2] L. Grippo, F. Lampariello and S. Lucidi, "A nonmonotone line search technique
   for Newton's method", SIAM J. Numerical Analysis 23(4), 1986.
.. [3] Y.-H. Dai and R. Fletcher, "Projected Barzilai-Borwein methods for
   large-scale box-constrained quadratic programming", Numerische Mathematik
   100, 2005.
.. [4] G. Frassoldati, L. Zanni and G. Zanghirati, "New adaptive stepsize
   selections in gradient methods", J. Industrial and Management Optimization
   4(2), 2008.
.. [5] H. Zhang and W. W. Hager, "A nonmonotone line search technique and its
   application to unconstrained optimization", SIAM J. Optimization 14(4), 2004.
.. [6] S. J. Wright, R. D. Nowak and M. A. T. Figueiredo, "Sparse reconstruction by
   separable approximation", IEEE Trans. Signal Processing 57(7), 2009.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .._array_api import copy, namespace_of
from ._base import CompositeObjective, IterationInfo, SolverResult, inner
from ._loop import run, tell_end
from ._observers import Observer
from ._proximal_gradient import gradient_descent
from ._step_rules import proximal_step

__all__ = ["BarzilaiBorwein", "barzilai_borwein"]

# ABBmin: the short step is taken (the smallest of the last SHORT_STEP_MEMORY) when
# it is below SHORT_STEP_RATIO times the long one, i.e. when the gradient is far from
# an eigenvector of the Hessian; otherwise the long step.
SHORT_STEP_RATIO = 0.5
SHORT_STEP_MEMORY = 3
# Objective values the non-monotone test looks back over (SpaRSA's M = 5..10).
MEMORY = 10
SUFFICIENT_DECREASE = 1e-4
STEP_SHRINK = 0.25
# A line search gives up after this many shortenings and takes the last trial: the
# step is then 1e-24 of the Barzilai-Borwein one, and only round-off refuses it.
MAX_SHORTENINGS = 40


@dataclass
class BarzilaiBorweinState:
    """Where a Barzilai-Borwein solve stands between two iterations.

    ``gradient`` and ``gradient_max`` are measured at ``x``; ``step`` is the next
    trial's step; ``recent`` holds the last `MEMORY` objective values.
    """

    x: np.ndarray
    value: float
    gradient: np.ndarray
    gradient_max: float
    step: float
    recent: deque
    short_steps: deque
    iteration: int = 0


class BarzilaiBorwein:
    """Barzilai-Borwein steps (ABBmin) under a non-monotone Armijo test.

    Parameters
    ----------
    step : float or "auto"
        The first trial step, or "auto" for the inverse curvature along the first
        gradient.
    tol : float
        The iterate is certified once its optimality measure is at most ``tol``.
    xp : module or None
        Array API namespace of the iterates; ``None`` for NumPy.
    slack : float
        Relative size below which a difference of objective values is round-off:
        a trial that far above the reference still passes.
    """

    def __init__(self, step, *, tol: float, xp, slack: float) -> None:
        self.first_step = step
        self.tol = tol
        self.xp = xp
        self.slack = slack

    def init(self, objective: CompositeObjective, coef0) -> BarzilaiBorweinState:
        """The state at ``coef0``: value, gradient, optimality and the first step."""
        x = copy(coef0, self.xp)
        smooth_value, gradient = objective.smooth_value_and_gradient_at(x)
        value = smooth_value + objective.nonsmooth_value(x)
        state = BarzilaiBorweinState(
            x,
            value,
            gradient,
            math.inf,
            1.0,
            deque([value], maxlen=MEMORY),
            deque(maxlen=SHORT_STEP_MEMORY),
        )
        if not math.isfinite(value):
            return state
        state.gradient_max = objective.optimality(x, gradient)
        if isinstance(self.first_step, str):
            if state.gradient_max > self.tol:
                state.step = first_step(objective, gradient)
        else:
            state.step = float(self.first_step)
        return state

    def converged(self, state: BarzilaiBorweinState) -> bool:
        """Certified: the gradient at the iterate is small."""
        return state.gradient_max <= self.tol

    def stop_reason(self, state: BarzilaiBorweinState) -> None:
        """No reason of its own: only ``tol``, ``max_iter`` and observers stop it."""

    def update(
        self, objective: CompositeObjective, state: BarzilaiBorweinState, last: bool
    ) -> IterationInfo:
        """One accepted step, the gradient there, and the next step's length."""
        x, gradient, xp = state.x, state.gradient, self.xp
        reference = max(state.recent)
        allowance = self.slack * abs(reference)
        t = state.step / STEP_SHRINK
        for _ in range(MAX_SHORTENINGS):
            # Shortened before each trial, so that ``t`` is the step of the last one.
            t *= STEP_SHRINK
            trial = proximal_step(objective, x, gradient, t)
            smooth_value, trial_gradient = objective.smooth_value_and_gradient_at(trial)
            value = smooth_value + objective.nonsmooth_value(trial)
            s = trial - x
            s_squared = inner(s, s, xp)
            decrease = SUFFICIENT_DECREASE / (2 * t) * s_squared
            if value <= reference - decrease + allowance:
                break
            if not math.isfinite(value) and not math.isfinite(reference):
                break
        state.iteration += 1
        state.step = self._next_step(s, s_squared, trial_gradient - gradient, t, state)
        state.x, state.value, state.gradient = trial, value, trial_gradient
        state.recent.append(value)
        if math.isfinite(value):
            state.gradient_max = objective.optimality(trial, trial_gradient)
        return IterationInfo(state.iteration, trial, value, state.gradient_max, t)

    def _next_step(self, s, s_squared: float, r, t: float, state) -> float:
        """The next trial step: ABBmin's choice between BB1 and recent BB2 steps.

        ``t / STEP_SHRINK`` when the curvature along ``s`` is not positive.
        """
        s_r = inner(s, r, self.xp)
        if not s_r > 0:
            # No curvature measured along s: round-off at the optimum, or a step too
            # short to move the iterate at all in this precision. Try a longer one;
            # the line search still guards it.
            return t / STEP_SHRINK
        long_step = s_squared / s_r
        short_step = s_r / inner(r, r, self.xp)
        state.short_steps.append(short_step)
        if short_step < SHORT_STEP_RATIO * long_step:
            return min(state.short_steps)
        return long_step


def first_step(objective: CompositeObjective, gradient) -> float:
    """``||g||^2 / <g, B g>``, the objective's first step; 1 where it is not finite.

    ``B`` bounds the Hessian (`CompositeObjective.first_step`): one read of the data
    and no power iteration. Not finite only for curvature-free data (all zero).
    """
    step = objective.first_step(gradient)
    return step if 0 < step < math.inf else 1.0


def barzilai_borwein(
    objective: CompositeObjective,
    coef0: np.ndarray,
    *,
    step: float | Literal["auto"] = "auto",
    lipschitz: float | None = None,
    max_iter: int = 1000,
    tol: float = 1e-4,
    observers: Sequence[Observer] = (),
    announce_end: bool = True,
) -> SolverResult:
    """Minimise ``objective`` by Barzilai-Borwein (proximal) gradient descent.

    See the module docstring for the steps and the line search.

    Parameters
    ----------
    objective : CompositeObjective
        The objective to minimise.
    coef0 : ndarray
        Starting point; not modified.
    step : float or "auto", default="auto"
        "auto" for Barzilai-Borwein steps, the first one the inverse curvature along
        the first gradient; a float is a fixed step, used exactly, and the solve is
        then `gradient_descent` with that step.
    lipschitz : float, optional
        Unused: the steps come from the gradients. Accepted so that every full
        gradient solver is called alike.
    max_iter : int, default=1000
        Largest number of iterations.
    tol : float, default=1e-4
        Stop when the largest entry of the (minimum-norm sub)gradient is at most
        ``tol``.
    observers : sequence of Observer, default=()
        Told of every iteration and of the end; one returning True stops the solver.
    announce_end : bool, default=True
        False leaves telling the observers of the end to the caller.

    Returns
    -------
    SolverResult

    Raises
    ------
    ObjectiveDivergedError
        If the objective is not finite at the start or grows without bound (with
        Barzilai-Borwein steps the line search prevents the latter).
    """
    if not isinstance(step, str):
        # A fixed step replaces the step rule, and what is left is gradient descent
        # with that step: a learning rate means the same for every full-batch solver.
        return gradient_descent(
            objective,
            coef0,
            step=step,
            max_iter=max_iter,
            tol=tol,
            observers=observers,
            announce_end=announce_end,
        )
    xp = namespace_of(coef0)
    slack = 16 * float((np.finfo if xp is None else xp.finfo)(coef0.dtype).eps)
    method = BarzilaiBorwein(step, tol=tol, xp=xp, slack=slack)
    result = run(method, objective, coef0, max_iter=max_iter, observers=observers)
    return tell_end(result, observers) if announce_end else result
