"""What every solver shares: the objective it needs, what it reports, how it fails.

The solvers know nothing of logistic regression. They minimise any objective
``F(w) = f(A w, w) + g(w)`` that offers the `CompositeObjective` interface: a linear
map ``A`` (for a linear model, ``w -> X @ w``), a smooth part ``f`` evaluated from
``A w`` (and ``w``, for a smooth penalty), and a non-smooth part ``g`` through its
proximal operator. Each solver is a small state machine, ``init`` then ``update`` once
per iteration (as optax's and jaxopt's), driven by `sklogreg._solvers._loop.run`,
which keeps the curves, applies the divergence guard and hands every iteration to
observers (progress lines, callbacks) instead of threading them through the
iterations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple, Protocol

import numpy as np

__all__ = [
    "DIVERGENCE_FACTOR",
    "CompositeObjective",
    "IterationInfo",
    "LineSearchPlan",
    "ObjectiveDivergedError",
    "SolverResult",
    "StopReason",
    "inner",
]

# An objective this many times above its starting value (or not finite) has diverged.
DIVERGENCE_FACTOR = 100.0

StopReason = Literal[
    "tol", "max_iter", "callback", "early_stopping", "no_improvement", "noise_floor"
]


class LineSearchPlan(Protocol):
    """The points a line search may try, for a backend that evaluates them together.

    Computed only when asked: an in-memory objective never asks.
    """

    def trials(self) -> Sequence[np.ndarray]:
        """Return the points the line search may try, in order."""

    def next_points(self, trials: Sequence[np.ndarray]) -> Sequence[np.ndarray]:
        """Return, for each trial, where the next gradient is taken if accepted."""


class CompositeObjective(Protocol):
    """What a solver needs from an objective ``F(w) = f(A w, w) + g(w)``."""

    @property
    def has_nonsmooth_part(self) -> bool:
        """Whether ``g`` is present (otherwise `prox` is the identity)."""

    def linear_map(self, coef: np.ndarray) -> np.ndarray:
        """Return ``A coef``."""

    def smooth_value(self, margins: np.ndarray, coef: np.ndarray) -> float:
        """Return ``f`` from ``margins = A coef``."""

    def smooth_value_and_gradient(
        self, margins: np.ndarray, coef: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Return ``f`` and its gradient with respect to ``coef``."""

    def smooth_value_and_gradient_at(
        self, coef: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Return ``f`` and its gradient at ``coef``, reading the data once."""

    def first_step(self, gradient: np.ndarray) -> float:
        """Return ``||g||^2 / <g, B g>`` for a bound ``B`` on the Hessian of ``f``.

        The inverse curvature along the gradient, without a power iteration: a
        first step for a solver that has no curvature pair yet.
        """

    def nonsmooth_value(self, coef: np.ndarray) -> float:
        """Return ``g(coef)``."""

    def prox(self, coef: np.ndarray, step: float) -> np.ndarray:
        """Return ``prox_{step * g}(coef)``."""

    def secant_curvature(
        self,
        margins_a: np.ndarray,
        coef_a: np.ndarray,
        margins_b: np.ndarray,
        coef_b: np.ndarray,
    ) -> float:
        """Return ``<grad f(b) - grad f(a), b - a>`` without a pass over the data.

        Through the margins it is ``<r(A b) - r(A a), A b - A a>`` plus the smooth
        penalty's part: no objective values, so no cancellation near the optimum.
        """

    def plan_line_search(self, plan: LineSearchPlan) -> None:
        """Learn the points the coming line search may try, before it tries any.

        A backend that pays a fixed cost per pass over the data (a Dask graph)
        evaluates them all in one pass; an in-memory one ignores the plan, whose
        points are computed only if asked for.
        """

    def optimality(self, coef: np.ndarray, gradient: np.ndarray) -> float:
        """Return the stopping measure at ``coef``, given the smooth gradient there.

        For example the largest entry of the gradient, or of the minimum-norm
        subgradient when there is a non-smooth part; the solver stops once it is at
        most ``tol``.
        """


class IterationInfo(NamedTuple):
    """What a solver reports to its observers after each iteration.

    Attributes
    ----------
    iteration : int
        Iterations done so far (1 after the first step).
    coef : ndarray
        The current iterate ``x_k``, the solver's own array: copy it to keep it,
        never write to it.
    objective : float
        ``F(x_k)``.
    gradient_max : float
        Largest entry of the gradient mapping measured in this iteration.
    step_size : float
        The step accepted in this iteration.
    """

    iteration: int
    coef: np.ndarray
    objective: float
    gradient_max: float
    step_size: float


class SolverResult(NamedTuple):
    """What a solver returns.

    Attributes
    ----------
    coef : ndarray
        The final iterate.
    n_iter : int
        Number of iterations (gradient steps, or epochs) taken.
    converged : bool
        Whether the stopping test ``max |G| <= tol`` holds at ``coef``.
    stop_reason : str
        ``"tol"``, ``"max_iter"``, ``"callback"`` or ``"early_stopping"``; the
        stochastic phase alone may also end on ``"no_improvement"`` or
        ``"noise_floor"``, after which its finish decides the reason.
    loss_curve : list of float
        ``F`` at the start point, then after each iteration: ``n_iter + 1`` values, the
        last one ``F(coef)``.
    gradient_max_curve : list of float
        The largest entry of the gradient mapping measured in each iteration (at the
        extrapolated point for "nesterov"). When the solver stops on "tol" or
        "max_iter" the last value is measured at ``coef`` itself.
    step_sizes : list of float
        The step accepted at each iteration: ``n_iter`` values.
    """

    coef: np.ndarray
    n_iter: int
    converged: bool
    stop_reason: StopReason
    loss_curve: list[float]
    gradient_max_curve: list[float]
    step_sizes: list[float]


class ObjectiveDivergedError(ValueError):
    """The objective became non-finite or grew without bound under a fixed step."""

    def __init__(self, message: str, *, step: float, iteration: int) -> None:
        super().__init__(message)
        self.step = step
        self.iteration = iteration


def inner(a: np.ndarray, b: np.ndarray, xp=None) -> float:
    """``<a, b>`` over all entries, as a Python float (``xp=None``: NumPy)."""
    if xp is None:
        # One call, no temporary: this runs several times per solver iteration.
        return float(np.vdot(a, b))
    return float(xp.sum(a * b))
