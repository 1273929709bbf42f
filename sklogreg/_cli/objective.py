"""One scoring function for every contender, written apart from the estimator.

`compare` and the benchmarks rank solvers by the objective they reach. If each solver
reported its own objective, a wrong formula in one of them would go unnoticed, so
every contender's coefficients are scored here, with plain NumPy and SciPy, on the
same data:

    J(W, b) = (1/n) * sum_i loss(y_i, X_i W^T + b) + ||W||_F^2 / (2 * C * n)

``loss`` is the log-loss of the sigmoid (two classes) or of the softmax (three or
more). This is what ``LogisticRegression(C=C)`` minimises (its sum form divided by
``n``) and what ``SGDClassifier(loss="log_loss", alpha=1 / (C * n))`` minimises for two
classes (for more, SGDClassifier fits one-vs-rest and its coefficients are only
scored, not optimal, here). Nothing here imports sklogreg's own loss code: the scorer
must not share a mistake with what it scores.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_expit, logsumexp

__all__ = ["penalized_log_loss"]


def penalized_log_loss(
    coef: np.ndarray,
    intercept: np.ndarray,
    X,
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
    X : ndarray or scipy sparse matrix of shape (n_samples, n_features)
        Data, as the model sees it (after any preprocessing). A float32 array is
        scored in float64: its values are exact there, so the problem is the same.
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

    Raises
    ------
    ValueError
        If a label of ``y`` is not one of ``classes``.
    """
    X = X if X.dtype == np.float64 else X.astype(np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    y = np.asarray(y)
    class_index = np.searchsorted(classes, y)
    known = class_index < len(classes)
    if not (known.all() and np.array_equal(classes[class_index], y)):
        raise ValueError("y holds labels that are not in classes.")
    scores = np.asarray(X @ coef.T) + np.asarray(intercept, dtype=np.float64)
    if coef.shape[0] == 1:
        z = scores[:, 0]
        # The loss is log(1 + e^-z) for the positive class and log(1 + e^z) for the
        # other: -log_expit(±z) is accurate for any margin, large ones included.
        loss = -log_expit(np.where(class_index == 1, z, -z)).mean()
    else:
        loss = (
            logsumexp(scores, axis=1) - scores[np.arange(len(y)), class_index]
        ).mean()
    return float(loss + 0.5 / (C * len(y)) * float((coef * coef).sum()))
