"""The fast paths of the speed work compute the same thing as the plain formulas.

Speed itself is measured by the benchmark (``python -m benchmarks.run``), never here;
these tests pin that each shortcut is exact and safe.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
from scipy.special import log_softmax, logsumexp
from sklearn.exceptions import ConvergenceWarning

from sklogreg import GDLogisticRegression
from sklogreg._loss import (
    binary_loss,
    binary_loss_and_residual,
    multinomial_loss,
    multinomial_loss_and_residual,
)
from sklogreg._solvers._step_rules import barzilai_borwein_step

EXTREME = [-800.0, -40.0, -1.0, 0.0, 1e-3, 40.0, 800.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_loss_matches_logaddexp_at_extreme_margins(dtype):
    z = np.array(EXTREME, dtype=dtype)
    y = np.array([0, 1, 0, 1, 0, 1, 0], dtype=dtype)
    weights = np.full(z.size, 1 / z.size, dtype=dtype)
    expected = float(np.mean(np.logaddexp(0, z.astype(np.float64)) - y * z))
    np.testing.assert_allclose(binary_loss(z, y, weights), expected, rtol=1e-6)
    loss, _ = binary_loss_and_residual(z, y, weights)
    np.testing.assert_allclose(loss, expected, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multinomial_loss_and_softmax_match_scipy_at_extreme_margins(dtype):
    rng = np.random.default_rng(0)
    Z = rng.choice(EXTREME, size=(20, 4)).astype(dtype)
    Y = np.eye(4, dtype=dtype)[rng.integers(0, 4, 20)]
    weights = np.full(20, 1 / 20, dtype=dtype)
    Z64 = Z.astype(np.float64)
    expected_loss = float(np.mean(logsumexp(Z64, axis=1) - (Y * Z64).sum(axis=1)))
    expected_residual = weights[:, None] * (np.exp(log_softmax(Z64, axis=1)) - Y)
    loss, residual = multinomial_loss_and_residual(Z, Y, weights)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(loss, expected_loss, rtol=rtol)
    np.testing.assert_allclose(
        multinomial_loss(Z, Y, weights), expected_loss, rtol=rtol
    )
    np.testing.assert_allclose(residual, expected_residual, rtol=rtol, atol=1e-7)
    assert residual.dtype == dtype


def test_barzilai_borwein_step_is_inverse_curvature_of_a_quadratic():
    # For f(x) = x.T A x / 2 the gradient change is A s: on an eigenvector the step is
    # the inverse eigenvalue; along uphill curvature there is no step.
    A = np.diag([4.0, 1.0])
    s = np.array([1.0, 0.0])
    assert barzilai_borwein_step(s, A @ s) == pytest.approx(0.25)
    assert barzilai_borwein_step(s, -(A @ s)) == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "params",
    [
        {},
        # Early stopping holds rows out by weight, not by copying the training part.
        {"solver": "sgd", "early_stopping": True, "random_state": 0},
        # The stochastic step's curvature estimate must not upcast float32 X.
        {"solver": "sgd", "random_state": 0},
    ],
    ids=["nesterov", "sgd-early-stopping", "sgd"],
)
def test_fit_does_not_copy_a_c_contiguous_float_x(dtype, params):
    # Tall enough that the fixed-size temporaries (row blocks, the stochastic step's
    # curvature subsample of 4096 rows) are a small part of X, as on real data.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50_000, 60)).astype(dtype)
    y = (X[:, 0] + 0.5 * rng.standard_normal(50_000) > 0).astype(int)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            GDLogisticRegression(max_iter=20, **params).fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A copy of X would be a peak of at least X.nbytes; the fit's own arrays are a few
    # vectors of n_samples (and, with early stopping, the held-out tenth of X).
    assert peak < 0.5 * X.nbytes, f"peak {peak / X.nbytes:.0%} of X"
