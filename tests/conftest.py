"""Test-session setup shared by every test module."""

import os

# scikit-learn's array API dispatch (tests/test_array_api.py, and the array API checks
# of parametrize_with_checks in tests/test_common.py) refuses to start unless SciPy's
# own array API support is on, and SciPy reads this variable once, when it is first
# imported: so it must be set here, before any test module imports scipy or sklearn.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np

from sklogreg._penalty import min_norm_subgradient, soft_threshold


class LeastSquares:
    """``(1/2n) ||X w - y||^2 + l2/2 ||w||^2 + l1 ||w||_1``: a known optimum.

    The solvers' test double: it implements the stochastic objective protocol (and
    so the composite one) with no logistic regression in sight, so solver tests
    exercise the solver alone.
    """

    def __init__(self, X, y, l2=0.0, l1=0.0):
        self.X, self.y, self.l2, self.l1 = X, y, l2, l1

    n_samples = property(lambda self: self.X.shape[0])
    sample_rows = property(lambda self: np.arange(self.X.shape[0]))
    has_nonsmooth_part = property(lambda self: self.l1 > 0)

    @property
    def lipschitz(self):
        """The largest eigenvalue of the smooth part's Hessian."""
        hessian = self.X.T @ self.X / self.n_samples
        return float(np.linalg.eigvalsh(hessian)[-1]) + self.l2

    def linear_map(self, coef):
        return self.X @ coef[0]

    def smooth_value(self, margins, coef):
        residual = margins - self.y
        return (
            0.5 * residual @ residual / self.n_samples
            + 0.5 * self.l2 * (coef * coef).sum()
        )

    def smooth_value_and_gradient(self, margins, coef):
        gradient = (self.X.T @ (margins - self.y))[None, :] / self.n_samples
        return self.smooth_value(margins, coef), gradient + self.l2 * coef

    def secant_curvature(self, margins_a, coef_a, margins_b, coef_b):
        step = margins_b - margins_a
        return float(
            step @ step / self.n_samples + self.l2 * ((coef_b - coef_a) ** 2).sum()
        )

    def plan_line_search(self, plan):
        """In memory: nothing to prepare."""

    def batch_gradient(self, coef, rows):
        X = self.X[rows]
        gradient = (X.T @ (X @ coef[0] - self.y[rows]))[None, :] / rows.size
        return gradient + self.l2 * coef

    def batch_lipschitz_constant(self, batch_size, random_state):
        # max_i ||x_i||^2 bounds every minibatch's curvature.
        return float((self.X**2).sum(axis=1).max()) + self.l2

    def nonsmooth_value(self, coef):
        return self.l1 * np.abs(coef).sum()

    def prox(self, coef, step):
        return soft_threshold(coef, step * self.l1, fit_intercept=False)

    def optimality(self, coef, gradient):
        return float(np.abs(min_norm_subgradient(coef, gradient, self.l1, False)).max())

    def gradient(self, coef):
        return self.smooth_value_and_gradient(self.linear_map(coef), coef)[1]

    def value(self, coef):
        margins = self.linear_map(coef)
        return self.smooth_value(margins, coef) + self.nonsmooth_value(coef)
