"""One scoring function for every contender, written apart from the estimator.

`compare` ranks solvers by the objective they reach. If each solver reported its own
objective, a wrong formula in one of them would go unnoticed, so every contender's
coefficients are scored here, with plain NumPy and SciPy, on the same data:

    J(W, b) = (1/n) * sum_i loss(y_i, X_i W^T + b) + ||W||_F^2 / (2 * C * n)

``loss`` is the log-loss of the sigmoid (two classes) or of the softmax (three or
more). This is what ``LogisticRegression(C=C)`` minimises (its sum form divided by
``n``) and what ``SGDClassifier(loss="log_loss", alpha=1 / (C * n))`` minimises for two
classes (for more, SGDClassifier fits one-vs-rest and its coefficients are only
scored, not optimal, here).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

__all__ = ["penalized_log_loss"]


def penalized_log_loss(
    coef: np.ndarray,
    intercept: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    classes: np.ndarray,
    C: float,
) -> float:
    """Mean log-loss plus the L2 penalty ``||W||^2 / (2 C n)``, in float64.

    Parameters
    ----------
    coef : ndarray of shape (1, n_features) or (n_classes, n_features)
        One row (of the second class) for two classes, one row per class otherwise.
    intercept : ndarray of shape (1,) or (n_classes,)
        Intercepts, in the same layout.
    X : ndarray of shape (n_samples, n_features)
        Data, as the model sees it (after any preprocessing).
    y : ndarray of shape (n_samples,)
        Labels, each one of ``classes``.
    classes : ndarray of shape (n_classes,)
        The sorted labels; with two classes, ``classes[1]`` is the positive one.
    C : float
        Inverse regularisation strength; ``np.inf`` gives no penalty.

    Returns
    -------
    float
        The objective.
    """
    coef = np.asarray(coef, dtype=np.float64)
    scores = X @ coef.T + np.asarray(intercept, dtype=np.float64)
    class_index = np.searchsorted(classes, y)
    if coef.shape[0] == 1:
        # log(1 + e^z) - y z, with logaddexp so that no margin overflows.
        z = scores[:, 0]
        positive = class_index == 1
        losses = np.logaddexp(0.0, z) - np.where(positive, z, 0.0)
    else:
        losses = logsumexp(scores, axis=1) - scores[np.arange(len(y)), class_index]
    penalty = 0.0 if np.isinf(C) else float((coef * coef).sum()) / (2 * C * len(y))
    return float(losses.mean()) + penalty
