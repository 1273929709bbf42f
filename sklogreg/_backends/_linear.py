"""The linear predictor, written once: Python's operators serve every kind of array."""

from __future__ import annotations

__all__ = ["TwoProductPass", "linear_predictor"]


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


class TwoProductPass:
    """The data term's value and gradient as ``Z = X @ W.T + b``, then ``R.T @ X``.

    Two reads of ``X``, on any backend: what a backend without a one-read pass
    offers in its place (the same interface as `RowBlockedPass`).
    """

    def __init__(self, backend, X, loss, target, weights, fit_intercept: bool):
        self.backend, self.X, self.loss = backend, X, loss
        self.target, self.weights, self.fit_intercept = target, weights, fit_intercept

    def value_and_gradient(self, original):
        """The data term and its gradient in ``(W, b)`` at ``original``."""
        margins = linear_predictor(self.X, original, self.fit_intercept)
        value, residual = self.loss.value_and_residual(
            margins, self.target, self.weights
        )
        return value, self.backend.adjoint(self.X, residual, self.fit_intercept)

    def weighted_squared_margins(self, original) -> float:
        """``sum_i w_i ||Z_i||^2`` for the margins ``Z`` of ``original``."""
        margins = linear_predictor(self.X, original, self.fit_intercept)
        squares = margins * margins
        if squares.ndim > 1:
            squares = self.backend.xp.sum(squares, axis=1)
        return float(self.backend.xp.sum(self.weights * squares))
