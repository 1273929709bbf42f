"""The gradient-descent walks ``landscape`` draws on the costs J(m, b).

Two kinds of walk, both with a fixed learning rate:

- the estimator's own: a ``GDLogisticRegression(solver="gd")`` fit from the origin on
  every sample, its ``(m, b)`` recorded by `sklogreg.callbacks.IterateHistory`;
- plain gradient descent on either cost of `cost_surfaces.LOSSES`, from any start, on
  `summary.summarize_feature`'s weighted points: what the same steps do from elsewhere
  on a surface that is, or is not, a bowl.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from .. import GDLogisticRegression
from .cost_surfaces import LOSSES
from .errors import CommandLineError, one_line
from .summary import FeatureSummary

__all__ = [
    "RecordedWalk",
    "check_callbacks",
    "fit_gd_walk",
    "gradient",
    "gradient_walk",
    "plain_walks",
    "residual_weights",
]

# GDLogisticRegression's C must be finite; at this C the penalty ||m||^2/(2 C n) is
# far below round-off of the log-loss, so the walk is on the surface drawn.
NO_PENALTY_C = 1e12


@dataclass(frozen=True)
class RecordedWalk:
    """The estimator's gd fit on one feature, as a walk over ``(m, b)``."""

    path: np.ndarray
    """``(m, b)`` at the start and after each step, shape ``(n_steps + 1, 2)``."""
    final_loss: float
    """The log-loss the fit ended at."""
    stopped: str
    """Why the walk ended: converged, or out of steps."""


def check_callbacks() -> None:
    """Fail early, before any fit, if the estimator's walk cannot be recorded.

    Raises
    ------
    CommandLineError
        When scikit-learn has no ``sklearn.callback``, which
        `sklogreg.callbacks.IterateHistory` needs.
    """
    try:
        import sklearn.callback
    except ImportError:
        import sklearn

        raise CommandLineError(
            "landscape records the gd walk with sklogreg.callbacks.IterateHistory, "
            "which needs scikit-learn >= 1.9 (sklearn.callback); this is scikit-learn "
            f"{sklearn.__version__}."
        ) from None


def fit_gd_walk(
    x: np.ndarray, y: np.ndarray, learning_rate: float, steps: int
) -> RecordedWalk:
    """Fit ``solver="gd"`` without penalty from the origin; record its walk.

    Parameters
    ----------
    x, y : ndarray of shape (n_samples,)
        The feature and labels in {0, 1}.
    learning_rate : float
        The fixed step.
    steps : int
        The most steps to take.

    Returns
    -------
    RecordedWalk

    Raises
    ------
    CommandLineError
        When the estimator rejects the fit (a learning rate too large to be safe).
    """
    from ..callbacks import IterateHistory

    history = IterateHistory()
    model = GDLogisticRegression(
        C=NO_PENALTY_C,
        solver="gd",
        learning_rate=learning_rate,
        max_iter=steps,
        tol=1e-6,
    ).set_callbacks(history)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            model.fit(x[:, None], y)
        except ValueError as error:
            raise CommandLineError(one_line(error)) from error
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    path = np.column_stack([history.coef_path[:, 0, 0], history.intercept_path[:, 0]])
    stopped = (
        "converged: largest gradient entry below 1e-6"
        if converged
        else f"stopped at --steps={steps} before the gradient fell below 1e-6"
    )
    return RecordedWalk(path, float(model.loss_curve_[-1]), stopped)


def residual_weights(loss: str, p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``dJ/dz`` per sample, for ``z = m x + b``: the gradient is its mean times [x, 1].

    Log-loss gives ``p - y``; MSE gives ``2 (p - y) p (1 - p)``, whose factor
    ``p (1 - p)`` vanishes where the sigmoid saturates: the plateaus.
    """
    if loss == "log-loss":
        return p - y
    return 2 * (p - y) * p * (1 - p)


def gradient(
    loss: str,
    x: np.ndarray,
    y: np.ndarray,
    point: np.ndarray,
    sample_weight: np.ndarray | None,
) -> np.ndarray:
    """``(dJ/dm, dJ/db)`` at ``point``: the weighted mean of ``dJ/dz`` times [x, 1].

    Parameters
    ----------
    loss : {"log-loss", "MSE of the sigmoid"}
        The cost.
    x, y : ndarray of shape (n_samples,)
        The feature and labels in {0, 1}.
    point : ndarray of shape (2,)
        The ``(m, b)``.
    sample_weight : ndarray of shape (n_samples,) or None
        How many samples each ``(x, y)`` stands for; None for equal weights.

    Returns
    -------
    ndarray of shape (2,)
    """
    residual = residual_weights(loss, expit(point[0] * x + point[1]), y)
    return np.array(
        [
            np.average(residual * x, weights=sample_weight),
            np.average(residual, weights=sample_weight),
        ]
    )


def gradient_walk(
    loss: str,
    x: np.ndarray,
    y: np.ndarray,
    start: tuple[float, float],
    learning_rate: float,
    steps: int,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Plain gradient descent on one of the two costs, from any start.

    The estimator starts at zero and minimises the log-loss only; this walk shows
    what the same fixed steps do from elsewhere, on either surface.

    Parameters
    ----------
    loss : {"log-loss", "MSE of the sigmoid"}
        The cost to walk down.
    x, y : ndarray of shape (n_samples,)
        The feature and labels in {0, 1}.
    start : (float, float)
        The starting ``(m, b)``.
    learning_rate : float
        The fixed step.
    steps : int
        Number of steps.
    sample_weight : ndarray of shape (n_samples,), optional
        How many samples each ``(x, y)`` stands for, as in `cost_grids`.

    Returns
    -------
    ndarray of shape (steps + 1, 2)
        ``(m, b)`` at the start and after each step.
    """
    path = np.empty((steps + 1, 2))
    path[0] = start
    for k in range(steps):
        path[k + 1] = path[k] - learning_rate * gradient(
            loss, x, y, path[k], sample_weight
        )
    return path


def plain_walks(
    summary: FeatureSummary,
    start: tuple[float, float],
    learning_rate: float,
    steps: int,
) -> dict[str, np.ndarray]:
    """`gradient_walk` on each cost of `LOSSES`, over the summary's weighted points.

    Parameters
    ----------
    summary : FeatureSummary
        The feature as weighted points.
    start : (float, float)
        The starting ``(m, b)`` of every walk.
    learning_rate : float
        The fixed step.
    steps : int
        Number of steps.

    Returns
    -------
    dict of str to ndarray of shape (steps + 1, 2)
        Each cost's name and its walk.
    """
    return {
        loss: gradient_walk(
            loss,
            summary.x,
            summary.y,
            start,
            learning_rate,
            steps,
            sample_weight=summary.weight,
        )
        for loss in LOSSES
    }
