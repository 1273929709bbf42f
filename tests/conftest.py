"""Test-session setup shared by every test module."""

import os

# scikit-learn's array API dispatch (tests/test_array_api.py, and the array API checks
# of parametrize_with_checks in tests/test_common.py) refuses to start unless SciPy's
# own array API support is on, and SciPy reads this variable once, when it is first
# imported: so it must be set here, before any test module imports scipy or sklearn.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np

from sklogreg._backends import NumpyBackend
from sklogreg._objective import logistic_objective
from sklogreg._penalty import ElasticNet

NUMPY = NumpyBackend()


def make_problem(n_classes, *, seed=0, n_samples=40, n_features=5, weighted=True):
    """Off-centre, unequally scaled data, its class indices and sample weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=0.5, scale=2.0, size=(n_samples, n_features))
    y = rng.integers(n_classes, size=n_samples)
    weights = rng.uniform(0.1, 3.0, size=n_samples) if weighted else np.ones(n_samples)
    return X, y, weights


def make_objective(n_classes, *, X=None, seed=0, **params):
    """`logistic_objective` on `make_problem`'s data (or ``X`` with its labels)."""
    X_made, y, weights = make_problem(n_classes, seed=seed)
    params = {"C": 0.5, "l1_ratio": 0.0, "fit_intercept": True, **params}
    return logistic_objective(
        X_made if X is None else X, y, n_classes, weights, **params
    )


def finite_difference_gradient(function, coef, eps=1e-6):
    """Central differences of ``function`` at ``coef``, entry by entry."""
    gradient = np.zeros_like(coef)
    for index in np.ndindex(coef.shape):
        step = np.zeros_like(coef)
        step[index] = eps
        gradient[index] = (function(coef + step) - function(coef - step)) / (2 * eps)
    return gradient


class LeastSquares:
    """``(1/2n) ||X w - y||^2 + l2/2 ||w||^2 + l1 ||w||_1``: a known optimum.

    The solvers' test double: it implements the stochastic objective protocol (and
    so the composite one) with no logistic regression in sight, so solver tests
    exercise the solver alone.
    """

    def __init__(self, X, y, l2=0.0, l1=0.0):
        self.X, self.y, self.l2, self.l1 = X, y, l2, l1
        self.penalty = ElasticNet(0.0, l1, fit_intercept=False, backend=NUMPY)

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

    def smooth_value_and_gradient_at(self, coef):
        return self.smooth_value_and_gradient(self.linear_map(coef), coef)

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

    def first_step(self, gradient):
        # The Hessian X.T X / n + l2 is its own bound.
        direction = self.X @ gradient[0]
        curvature = (
            direction @ direction / self.n_samples + self.l2 * (gradient**2).sum()
        )
        return float((gradient**2).sum() / curvature)

    def nonsmooth_value(self, coef):
        return self.l1 * np.abs(coef).sum()

    def prox(self, coef, step):
        return self.penalty.prox(coef, step * self.l1)

    def optimality(self, coef, gradient):
        subgradient = self.penalty.min_norm_subgradient(coef, gradient)
        return float(np.abs(subgradient).max())

    def gradient(self, coef):
        return self.smooth_value_and_gradient(self.linear_map(coef), coef)[1]

    def value(self, coef):
        margins = self.linear_map(coef)
        return self.smooth_value(margins, coef) + self.nonsmooth_value(coef)


class FitCallbackBase:
    """A scikit-learn FitCallback that does nothing: tests override what they need."""

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        return False
