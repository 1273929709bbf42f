"""The reference optimum every contender is measured against, and its certificate.

Values of the objective come from `sklogreg._cli.objective.penalized_log_loss`, the one
scorer that ``sklogreg compare`` uses too: the L2-penalised log-loss in the mean form of
sklogreg's contract, which has the same minimiser as scikit-learn's
``LogisticRegression(C=C)``::

    J(W, b) = (1/n) sum_i loss(y_i, X_i W^T + b) + 1/(2 C n) ||W||_F^2

It is written apart from sklogreg's loss code, in plain NumPy/SciPy, and so is the
gradient here: no code of sklogreg grades its own result.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from sklogreg._cli.objective import penalized_log_loss


def _as_float64(X):
    return X.astype(np.float64) if X.dtype != np.float64 else X


def objective_gradient_max(X, y, coef, intercept, C: float) -> float:
    """Largest entry of the gradient of ``J`` in ``(W, b)``: the reference's check."""
    X = _as_float64(X)
    coef = np.asarray(coef, dtype=np.float64)
    n_samples = X.shape[0]
    margins = np.asarray(X @ coef.T) + intercept
    if coef.shape[0] == 1:
        residual = (1.0 / (1.0 + np.exp(-margins[:, 0])) - (y == 1))[:, None]
    else:
        residual = softmax(margins, axis=1)
        residual[np.arange(n_samples), y] -= 1.0
    grad_coef = np.asarray(X.T @ residual).T / n_samples + coef / (C * n_samples)
    grad_intercept = residual.mean(axis=0)
    return float(max(np.abs(grad_coef).max(), np.abs(grad_intercept).max()))


def reference_optimum(dataset) -> dict:
    """A tight reference solution: newton-cholesky when it fits, else lbfgs.

    Returns its objective value and its largest gradient entry, which says how far from
    the optimum it can be.
    """
    X = _as_float64(dataset.X)
    few_features = X.shape[1] * max(dataset.n_classes - 1, 1) <= 2_000
    solver = "newton-cholesky" if few_features else "lbfgs"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(
            C=dataset.C,
            solver=solver,
            tol=1e-12,
            max_iter=10_000 if solver == "lbfgs" else 200,
        ).fit(X, dataset.y)
    encoded = np.searchsorted(model.classes_, dataset.y)
    return {
        "solver": solver,
        "value": penalized_log_loss(
            model.coef_, model.intercept_, X, dataset.y, model.classes_, dataset.C
        ),
        "gradient_max": objective_gradient_max(
            X, encoded, model.coef_, model.intercept_, dataset.C
        ),
    }
