"""Observers of a solver's run: progress, callbacks, guard, early stopping, clock.

Progress lines, user callbacks, the divergence guard, early stopping on held-out
data and the clock of the loss curve.

`sklogreg._solvers._loop.run` hands each iteration's `IterationInfo` to its observers
in order; an observer that returns True stops the run ("callback"). None of them can
change an iterate, so what a fit computes never depends on what watches it.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

from .._array_api import copy
from ._base import (
    DIVERGENCE_FACTOR,
    IterationInfo,
    ObjectiveDivergedError,
    SolverResult,
)

__all__ = [
    "CallbackObserver",
    "DivergenceGuard",
    "EarlyStopping",
    "Observer",
    "Progress",
    "TimeCurve",
]


class Observer:
    """Sees every iteration of a run and its end; returns True to stop the run."""

    def on_iteration(self, info: IterationInfo) -> bool:
        """Called after each iteration; True stops the run."""
        return False

    def on_end(self, result: SolverResult) -> None:
        """Called once with what the whole solve returns."""


class CallbackObserver(Observer):
    """A plain callable ``callback(info) -> bool | None`` as an observer."""

    def __init__(self, callback: Callable[[IterationInfo], bool | None]) -> None:
        self.callback = callback

    def on_iteration(self, info: IterationInfo) -> bool:
        return bool(self.callback(info))


class Progress(Observer):
    """Progress lines for ``verbose``: every iteration at 2, about 10 lines at 1.

    Each line has the iteration, the objective, the largest gradient entry against
    ``tol``, the step and the time elapsed; the last one says why the solve stopped
    and after how many iterations (epochs and finishing iterations together).
    """

    def __init__(
        self, verbose: int, max_iter: int, tol: float, early_stopping=None
    ) -> None:
        self.verbose = verbose
        self.tol = tol
        # The observer that may stop the run: its stop is named for it, not
        # "callback".
        self.early_stopping = early_stopping
        self.every = 1 if verbose >= 2 else max(1, min(max_iter, 1000) // 10)
        self.start = time.perf_counter()

    def on_iteration(self, info: IterationInfo) -> bool:
        if self.verbose and info.iteration % self.every == 0:
            print(
                f"iter {info.iteration:6d}  objective {info.objective:.10g}  "
                f"max|grad| {info.gradient_max:.3e} (tol {self.tol:.1e})  "
                f"step {info.step_size:.3e}  {self.elapsed():.3f}s",
                file=sys.stdout,
            )
        return False

    def on_end(self, result: SolverResult) -> None:
        if self.verbose:
            unit = "iteration" if result.n_iter == 1 else "iterations"
            reason = result.stop_reason
            if self.early_stopping is not None and self.early_stopping.stopped:
                reason = "early_stopping"
            print(
                f"stopped ({reason}) after {result.n_iter} {unit} in "
                f"{self.elapsed():.3f}s: objective {result.loss_curve[-1]:.10g}, "
                f"max|grad| {result.gradient_max_curve[-1]:.3e} (tol {self.tol:.1e})",
                file=sys.stdout,
            )

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return time.perf_counter() - self.start


class DivergenceGuard(Observer):
    """Raise `ObjectiveDivergedError` once the objective is not finite or explodes.

    "Explodes" is more than `DIVERGENCE_FACTOR` times the starting value (at least
    1 in magnitude): only a step too large for the curvature does that, and every
    later iterate would be worse.
    """

    def __init__(self, start_value: float, step: float) -> None:
        if not math.isfinite(start_value):
            raise ObjectiveDivergedError(
                "The objective is not finite at the starting point.",
                step=step,
                iteration=0,
            )
        self.start_value = start_value
        self.bound = DIVERGENCE_FACTOR * max(abs(start_value), 1.0)

    def exceeded(self, value: float) -> bool:
        """Whether ``value`` counts as divergence."""
        return not math.isfinite(value) or value > self.bound

    def on_iteration(self, info: IterationInfo) -> bool:
        if self.exceeded(info.objective):
            raise ObjectiveDivergedError(
                f"the objective went from {self.start_value:.6g} to "
                f"{info.objective:.6g} after {info.iteration} iteration(s) with step "
                f"size {info.step_size:.6g}",
                step=info.step_size,
                iteration=info.iteration,
            )
        return False


class EarlyStopping(Observer):
    """Score held-out data after every iteration; stop once it stops improving.

    ``SGDClassifier``'s rule: the run stops after ``n_iter_no_change`` iterations in
    a row whose score is not above the best so far by more than ``tol``. The best
    iterate is kept (a copy of the coefficients only, the latest of equal scores:
    at the same held-out score the later iterate fits the training data better).

    Parameters
    ----------
    score : callable
        ``score(coef) -> float``, higher is better.
    tol : float
        Least improvement that counts.
    n_iter_no_change : int
        Iterations without one before the run stops.

    Attributes
    ----------
    scores : list of float
        The score after each iteration.
    best_coef : ndarray or None
        The iterate of the best score (None before the first iteration).
    best_iteration : int
        Its iteration number (0: none yet).
    stopped : bool
        Whether this observer stopped the run.
    """

    def __init__(
        self, score: Callable[[object], float], tol: float, n_iter_no_change: int
    ) -> None:
        self.score = score
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.scores: list[float] = []
        self.best_score = -math.inf
        self.best_coef = None
        self.best_iteration = 0
        self.without_improvement = 0
        self.stopped = False

    def on_iteration(self, info: IterationInfo) -> bool:
        score = self.score(info.coef)
        self.scores.append(score)
        improved = score > self.best_score + self.tol
        if score >= self.best_score:
            self.best_score, self.best_iteration = score, info.iteration
            self.best_coef = copy(info.coef)
        self.without_improvement = 0 if improved else self.without_improvement + 1
        self.stopped = self.without_improvement >= self.n_iter_no_change
        return self.stopped


class TimeCurve(Observer):
    """Seconds since ``start`` at the start point and after every iteration.

    `begin` stamps the start point when the solver starts, so that ``seconds``
    lines up one to one with the loss curve.
    """

    def __init__(self, start: float) -> None:
        self.start = start
        self.seconds: list[float] = []

    def begin(self) -> None:
        """The solver starts from its first point now."""
        self.seconds = [time.perf_counter() - self.start]

    def on_iteration(self, info: IterationInfo) -> bool:
        self.seconds.append(time.perf_counter() - self.start)
        return False
