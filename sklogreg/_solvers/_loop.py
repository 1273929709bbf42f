"""The loop every solver runs: ``init``, then ``update`` until a stopping rule holds.

A solver (a *method*) is an object with

* ``init(objective, coef0) -> state``: the start point, its objective value, the
  gradient there and its optimality measure;
* ``update(objective, state, last) -> IterationInfo``: one iteration, ending with
  the gradient measured where the next one starts (``last``: the final iteration
  allowed, after which the returned iterate itself must be measured);
* ``converged(state) -> bool``: whether the current iterate is certified;
* ``stop_reason(state) -> str | None``: a method's own reason to stop early.

`run` owns what all of them share: the iteration count, the curves, the divergence
guard and the observers. It never asks which method it drives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ._base import CompositeObjective, IterationInfo, SolverResult
from ._observers import DivergenceGuard, Observer

__all__ = ["Method", "run", "tell_end"]


class Method(Protocol):
    """The init / update shape of a solver (see the module docstring)."""

    def init(self, objective: CompositeObjective, coef0: np.ndarray) -> Any:
        """Return the state at ``coef0``."""

    def update(
        self, objective: CompositeObjective, state: Any, last: bool
    ) -> IterationInfo:
        """Take one iteration; return what it reached."""

    def converged(self, state: Any) -> bool:
        """Whether the current iterate passes the stopping test."""

    def stop_reason(self, state: Any) -> str | None:
        """A reason of the method's own to stop now, or None."""


def run(
    method: Method,
    objective: CompositeObjective,
    coef0: np.ndarray,
    *,
    max_iter: int,
    observers: Sequence[Observer] = (),
) -> SolverResult:
    """Iterate ``method`` from ``coef0`` until it converges, ``max_iter`` or a stop.

    Parameters
    ----------
    method : Method
        The solver.
    objective : CompositeObjective
        What it minimises.
    coef0 : ndarray
        Starting point; not modified.
    max_iter : int
        Largest number of iterations.
    observers : sequence of Observer
        Told of every iteration, in order; one returning True stops the run. They
        are not told of the end: the caller does that once the whole solve (which
        may chain several runs) is over.

    Returns
    -------
    SolverResult

    Raises
    ------
    ObjectiveDivergedError
        If the objective stops being finite or explodes.
    """
    state = method.init(objective, coef0)
    guard = DivergenceGuard(state.value, state.step)
    loss_curve, gradient_max_curve = [state.value], [state.gradient_max]
    step_sizes: list[float] = []
    stop_reason = None
    for iteration in range(1, max_iter + 1):
        if method.converged(state):
            stop_reason = "tol"
            break
        info = method.update(objective, state, last=iteration == max_iter)
        guard.on_iteration(info)
        loss_curve.append(info.objective)
        gradient_max_curve.append(state.gradient_max)
        step_sizes.append(info.step_size)
        # Every observer sees the iteration, even after one asked to stop.
        if observers and any([observer.on_iteration(info) for observer in observers]):
            stop_reason = "callback"
            break
        stop_reason = method.stop_reason(state)
        if stop_reason is not None:
            break
    if stop_reason is None:
        stop_reason = "tol" if method.converged(state) else "max_iter"
    return SolverResult(
        coef=state.x,
        n_iter=len(step_sizes),
        converged=method.converged(state),
        stop_reason=stop_reason,
        loss_curve=loss_curve,
        gradient_max_curve=gradient_max_curve,
        step_sizes=step_sizes,
    )


def tell_end(result: SolverResult, observers: Sequence[Observer]) -> SolverResult:
    """Tell every observer the solve is over, once, and return its ``result``."""
    for observer in observers:
        observer.on_end(result)
    return result
