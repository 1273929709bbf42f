"""Bridge from the solvers' per-iteration hook to scikit-learn's callback API.

scikit-learn 1.9 added ``sklearn.callback``: an estimator that mixes in
``CallbackSupportMixin`` accepts ``set_callbacks(...)``, opens a root *task* for ``fit``
and one sub-task per iteration, and asks its callbacks after each task whether to stop.
Older scikit-learn has no such module; there the mixin and decorator below are inert
stand-ins, so ``sklogreg`` keeps working with scikit-learn >= 1.6.
"""

from __future__ import annotations

from collections.abc import Callable

from ._array_api import copy

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    CALLBACKS_AVAILABLE = True
except ImportError:  # scikit-learn < 1.9
    CALLBACKS_AVAILABLE = False

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in for ``sklearn.callback.CallbackSupportMixin`` (absent here)."""

    def with_callbacks(method):  # type: ignore[no-redef]
        """Stand-in for ``sklearn.callback.with_callbacks``: returns ``method``."""
        return method


__all__ = [
    "CALLBACKS_AVAILABLE",
    "CallbackSupportMixin",
    "IterationTasks",
    "with_callbacks",
]

ITERATION_TASK = "iteration"


class IterationTasks:
    """Open and close one callback task per solver iteration.

    Parameters
    ----------
    estimator : estimator instance
        The estimator being fitted; it must have called ``_init_callback_context``.
    context : sklearn.callback.CallbackContext
        The root context of the fit.
    X, y, metadata
        Passed to the callbacks' hooks.
    fitted_attributes : callable
        ``fitted_attributes(coef) -> dict`` of the attributes (``coef_``,
        ``intercept_``, ``classes_``...) that make a ready-to-predict estimator from a
        solver iterate. Only called when a callback asks for ``fitted_estimator``.
    """

    def __init__(
        self,
        estimator,
        context,
        *,
        X,
        y,
        metadata,
        fitted_attributes: Callable[[object], dict],
        start_coef,
    ) -> None:
        self.estimator = estimator
        self.context = context
        self.hook_kwargs = {"X": X, "y": y, "metadata": metadata}
        self.fitted_attributes = fitted_attributes
        self.task = self._begin(start_coef)

    def _begin(self, coef):
        task = self.context.subcontext(task_name=ITERATION_TASK)
        task.call_on_fit_task_begin(
            estimator=self.estimator,
            reconstruction_attributes=lambda: self.fitted_attributes(coef),
            **self.hook_kwargs,
        )
        return task

    def __call__(self, info) -> bool:
        """End the task of the iteration just done, begin the next; return stop."""
        coef = copy(info.coef)
        stop = self.task.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=lambda: self.fitted_attributes(coef),
            **self.hook_kwargs,
        )
        self.task = self._begin(coef)
        return bool(stop)

    def close(self) -> None:
        """End the task opened for an iteration that the solver did not run."""
        self.task.call_on_fit_task_end(estimator=self.estimator)
