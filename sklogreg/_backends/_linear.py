"""The linear predictor, written once: Python's operators serve every kind of array."""

from __future__ import annotations

__all__ = ["linear_predictor"]


def linear_predictor(X, coef, fit_intercept: bool):
    """``X @ W.T + b``: a vector for one coefficient row, else a matrix.

    The intercept, when fitted, is the last column of ``coef``
    (`sklogreg._coef_layout`). One coefficient row is a matrix-vector product: one
    pass over ``X``, and the cheapest BLAS call.
    """
    n_features = X.shape[1]
    if coef.shape[0] == 1:
        z = X @ coef[0, :n_features]
        return z + coef[0, n_features] if fit_intercept else z
    Z = X @ coef[:, :n_features].T
    return Z + coef[:, n_features] if fit_intercept else Z
