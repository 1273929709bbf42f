"""Callbacks to watch a fit, in scikit-learn's callback API (scikit-learn >= 1.9).

`GDLogisticRegression` opens one callback *task* per iteration, so any
``sklearn.callback`` callback works with it: ``ProgressBar`` draws a live bar,
``ScoringMonitor`` scores the model after every iteration, and a callback whose
``on_fit_task_end`` returns ``True`` stops the fit cleanly (``stop_reason_ ==
"callback"``). This module adds one callback of its own, `IterateHistory`, which keeps
the coefficients of every iterate: the downhill walk itself, ready to be drawn.

Examples
--------
>>> import numpy as np
>>> from sklogreg import GDLogisticRegression
>>> from sklogreg.callbacks import IterateHistory
>>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
>>> y = np.array([0, 1, 0, 1])
>>> history = IterateHistory()
>>> model = GDLogisticRegression(solver="gd", learning_rate=0.5)
>>> model = model.set_callbacks(history).fit(X, y)
>>> history.coef_path.shape == (model.n_iter_ + 1, 1, 1)
True
"""

from __future__ import annotations

import numpy as np
from sklearn.utils._array_api import move_to

from ._callbacks import ITERATION_TASK

__all__ = ["IterateHistory"]


class IterateHistory:
    """Record ``coef_`` and ``intercept_`` at the start and after every iteration.

    Set it with ``estimator.set_callbacks(IterateHistory())`` (scikit-learn >= 1.9).
    Each fit starts a fresh history. It costs one small copy of the coefficients per
    iteration; the data are never copied.

    Attributes
    ----------
    coef_path : ndarray of shape (`n_iter_` + 1, n_rows, n_features)
        ``coef_`` at the starting point, then after each iteration.
    intercept_path : ndarray of shape (`n_iter_` + 1, n_rows)
        ``intercept_`` likewise.
    """

    def __init__(self) -> None:
        self._coefs: list[np.ndarray] = []
        self._intercepts: list[np.ndarray] = []

    @property
    def coef_path(self) -> np.ndarray:
        """``coef_`` at the start and after every iteration of the last fit."""
        return np.asarray(self._coefs)

    @property
    def intercept_path(self) -> np.ndarray:
        """``intercept_`` at the start and after every iteration of the last fit."""
        return np.asarray(self._intercepts)

    def setup(self, estimator, context) -> None:
        """Start a fresh history for a new fit."""
        self._coefs, self._intercepts = [], []

    def teardown(self, estimator, context) -> None:
        """Nothing to release."""

    def on_fit_task_begin(self, estimator, context, *, fitted_estimator=None) -> None:
        """Record the iterate an iteration starts from.

        The last iteration task begins at the final coefficients and never runs, so
        these records are exactly the start point and the result of every iteration.
        """
        if context.task_name == ITERATION_TASK and fitted_estimator is not None:
            # On the host, whatever namespace and device the fit runs in.
            coef, intercept = move_to(
                fitted_estimator.coef_,
                fitted_estimator.intercept_,
                xp=np,
                device="cpu",
            )
            self._coefs.append(np.array(coef))
            self._intercepts.append(np.array(intercept))

    def on_fit_task_end(self, estimator, context, **kwargs) -> bool:
        """Never asks to stop."""
        return False
