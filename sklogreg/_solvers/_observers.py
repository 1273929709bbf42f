"""Observers of a solver's run: progress lines, user callbacks, the divergence guard.

`sklogreg._solvers._loop.run` hands each iteration's `IterationInfo` to its observers
in order; an observer that returns True stops the run ("callback"). None of them can
change an iterate, so what a fit computes never depends on what watches it.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

from ._base import (
    DIVERGENCE_FACTOR,
    IterationInfo,
    ObjectiveDivergedError,
    SolverResult,
)

__all__ = ["CallbackObserver", "DivergenceGuard", "Observer", "Progress"]


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

    def __init__(self, verbose: int, max_iter: int, tol: float) -> None:
        self.verbose = verbose
        self.tol = tol
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
            print(
                f"stopped ({result.stop_reason}) after {result.n_iter} {unit} in "
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
