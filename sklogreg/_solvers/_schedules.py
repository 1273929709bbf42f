r"""Learning-rate schedules and heavy-ball momentum for plain gradient descent.

A float learning rate ``eta`` is what a user tunes; these are the knobs tuned beside
it (the names of ``SGDClassifier``'s ``learning_rate`` and PyTorch's ``momentum``):

* ``"constant"``: ``eta_t = eta`` (`FixedStep`, the default, not built here);
* ``"invscaling"``: ``eta_t = eta / (1 + t) ** power_t``, ``t`` the number of
  updates made so far, so the first update uses ``eta`` itself
  (`InverseScalingStep`);
* ``"adaptive"``: ``eta`` is kept while the objective decreases; an iteration after
  which it has not decreased (beyond round-off, or is not finite) is undone and
  ``eta`` divided by `ADAPTIVE_DIVISOR`, so a rate too large corrects itself
  instead of diverging (`AdaptiveRate`);
* heavy-ball momentum ``beta`` (Polyak)::

      v_{k+1} = beta v_k - eta grad f(w_k),    w_{k+1} = w_k + v_{k+1}

  and with a non-smooth part ``w_{k+1} = prox_{eta g}(w_k + beta v_k - eta grad
  f(w_k))``, ``v_{k+1} = w_{k+1} - w_k`` (iPiano, Ochs et al.): ``beta = 0`` is the
  plain walk (`HeavyBall`).

They serve the "gd" solver through `scheduled_gradient_descent`; the stochastic
solver applies the same rules per minibatch (`sklogreg._solvers._stream`). The
default walk (constant rate, no momentum) never comes here, so its iterations cost
what they did.

References
----------
.. [1] B. T. Polyak, "Some methods of speeding up the convergence of iteration
   methods", USSR Computational Mathematics and Mathematical Physics 4(5), 1964.
.. [2] P. Ochs, Y. Chen, T. Brox and T. Pock, "iPiano: inertial proximal algorithm
   for nonconvex optimization", SIAM J. Imaging Sciences 7(2), 2014.
"""

from __future__ import annotations

import copy as shallow
from collections.abc import Sequence

import numpy as np

from .._array_api import namespace_of
from ._base import CompositeObjective, IterationInfo, SolverResult
from ._loop import run, tell_end
from ._observers import Observer
from ._proximal_gradient import ProximalGradient, ProximalGradientState
from ._step_rules import FixedStep

__all__ = [
    "ADAPTIVE_DIVISOR",
    "SCHEDULES",
    "AdaptiveRate",
    "HeavyBall",
    "InverseScalingStep",
    "inverse_scaling",
    "scheduled_gradient_descent",
]

SCHEDULES = ("constant", "invscaling", "adaptive")
# "adaptive" divides the rate by this after a failed iteration, as SGDClassifier.
ADAPTIVE_DIVISOR = 5.0
# After this many divisions in one iteration (a factor 5**60 ~ 1e42) the step is
# taken whatever it does: only round-off could still refuse so small a step, and
# the divergence guard judges the rest.
MAX_DIVISIONS = 60


def inverse_scaling(rate: float, power_t: float, updates: int) -> float:
    """``rate / (1 + updates) ** power_t``: the step of update ``updates + 1``."""
    return rate / (1.0 + updates) ** power_t


class InverseScalingStep(FixedStep):
    """``eta_t = eta / (1 + t) ** power_t``, ``t`` the updates made so far."""

    def __init__(self, step: float, power_t: float) -> None:
        super().__init__(step)
        self.initial_step = float(step)
        self.power_t = float(power_t)
        self.updates = 0

    def grow(self) -> None:
        """One more update made: the next step is the schedule's next."""
        self.updates += 1
        self.step = inverse_scaling(self.initial_step, self.power_t, self.updates)


class HeavyBall(ProximalGradient):
    """Proximal gradient steps from ``w_k + beta v_k`` (module docstring).

    The gradient is measured at the iterate ``w_k`` itself, so the stopping test
    certifies it; the step is taken from the shifted point ``w_k + beta v_k``,
    whose margins are the same combination of ``A w_k`` and ``A v_k`` (no pass
    over the data).
    """

    def __init__(self, step_rule, *, beta: float, tol: float, xp, carry_margins):
        super().__init__(
            step_rule, momentum=False, tol=tol, xp=xp, carry_margins=carry_margins
        )
        self.beta = beta

    def init(self, objective, coef0) -> ProximalGradientState:
        """The state at ``coef0``, at rest: no velocity yet."""
        state = super().init(objective, coef0)
        state.velocity = None
        return state

    def converged(self, state: ProximalGradientState) -> bool:
        """The gradient is always measured at the iterate: test it."""
        return state.gradient_max <= self.tol

    def _move(self, state: ProximalGradientState, trial, value: float) -> None:
        state.velocity = (trial.x - state.x, trial.margins - state.margins_x)
        state.x, state.margins_x, state.value = trial.x, trial.margins, value
        state.y, state.margins_y, state.y_is_x = trial.x, trial.margins, True

    def _measure(self, objective, state: ProximalGradientState) -> None:
        """The gradient at the iterate, then the shifted point of the next step."""
        state.y, state.margins_y, state.y_is_x = state.x, state.margins_x, True
        super()._measure(objective, state)
        if getattr(state, "velocity", None) is not None:
            velocity, margins_velocity = state.velocity
            state.y = state.x + self.beta * velocity
            state.margins_y = state.margins_x + self.beta * margins_velocity
            state.y_is_x = False


class AdaptiveRate:
    """A method whose failed iterations are undone and its rate divided by 5.

    Wraps a `ProximalGradient` (or `HeavyBall`) with a `FixedStep`: an iteration
    after which ``F`` is not finite or above its value before by more than
    round-off (``slack`` relative) is undone, the state put back as it was (the
    momentum dropped), the step divided by `ADAPTIVE_DIVISOR`, and the iteration
    tried again. The accepted iteration is the one observers see.
    """

    def __init__(self, method: ProximalGradient, slack: float) -> None:
        self.method = method
        self.slack = slack

    def init(self, objective, coef0):
        return self.method.init(objective, coef0)

    def converged(self, state) -> bool:
        return self.method.converged(state)

    def stop_reason(self, state) -> str | None:
        return self.method.stop_reason(state)

    def update(self, objective, state, last: bool) -> IterationInfo:
        """One iteration, retried at a fifth of the step until ``F`` decreases."""
        before = shallow.copy(state)
        bound = state.value + self.slack * abs(state.value)
        rule = self.method.step_rule
        for _ in range(MAX_DIVISIONS):
            info = self.method.update(objective, state, last)
            if info.objective <= bound:  # False for NaN and inf too
                break
            state.__dict__.update(before.__dict__)
            if hasattr(state, "velocity"):
                # Undone: the walk restarts from rest at the iterate it had.
                state.velocity = None
                state.y, state.margins_y, state.y_is_x = state.x, state.margins_x, True
            rule.step /= ADAPTIVE_DIVISOR
        return info


def scheduled_gradient_descent(
    objective: CompositeObjective,
    coef0: np.ndarray,
    *,
    step: float,
    schedule: str = "constant",
    power_t: float = 0.5,
    momentum: float = 0.0,
    max_iter: int = 1000,
    tol: float = 1e-4,
    observers: Sequence[Observer] = (),
    announce_end: bool = True,
    **ignored,
) -> SolverResult:
    """Minimise ``objective`` by gradient descent with a schedule and momentum.

    Parameters
    ----------
    objective : CompositeObjective
        The objective to minimise.
    coef0 : ndarray
        Starting point; not modified.
    step : float
        The learning rate ``eta`` (the first step).
    schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        How the step evolves (module docstring).
    power_t : float, default=0.5
        The exponent of "invscaling".
    momentum : float, default=0.0
        Heavy-ball momentum ``beta`` in ``[0, 1)``.
    max_iter, tol, observers, announce_end
        As for `sklogreg._solvers._proximal_gradient.solve_proximal_gradient`.
    **ignored
        Options of the other full-gradient solvers that do not apply here
        (``lipschitz``).

    Returns
    -------
    SolverResult

    Raises
    ------
    ObjectiveDivergedError
        If the objective becomes non-finite or explodes ("constant" and
        "invscaling": "adaptive" divides the step instead).
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}.")
    xp = namespace_of(coef0)
    step_rule = (
        InverseScalingStep(step, power_t)
        if schedule == "invscaling"
        else FixedStep(step)
    )
    options = {
        "tol": tol,
        "xp": xp,
        "carry_margins": coef0.dtype == (np.float64 if xp is None else xp.float64),
    }
    if momentum > 0:
        method = HeavyBall(step_rule, beta=float(momentum), **options)
    else:
        method = ProximalGradient(step_rule, momentum=False, **options)
    if schedule == "adaptive":
        eps = float((np.finfo if xp is None else xp.finfo)(coef0.dtype).eps)
        method = AdaptiveRate(method, slack=16 * eps)
    # As in solve_proximal_gradient: overflow on the way to the guard is noise.
    with np.errstate(over="ignore", invalid="ignore"):
        result = run(method, objective, coef0, max_iter=max_iter, observers=observers)
    return tell_end(result, observers) if announce_end else result
