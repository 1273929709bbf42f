"""The Lipschitz bound of the log-loss's gradient against an exact eigenvalue."""

import numpy as np
import pytest
from scipy import sparse

from sklogreg._backends import NumpyBackend
from sklogreg._in_memory import InMemoryData
from sklogreg._loss import log_loss_for
from sklogreg._scaling import ColumnScaling, NoScaling

NUMPY = NumpyBackend()


def exact_lipschitz(X, weights, fit_intercept, multinomial, shift=None, scale=None):
    Xt = X.copy()
    if shift is not None:
        Xt = Xt - shift
    if scale is not None:
        Xt = Xt / scale
    if fit_intercept:
        Xt = np.column_stack([Xt, np.ones(X.shape[0])])
    eigenvalue = np.linalg.eigvalsh(Xt.T @ (weights[:, None] * Xt))[-1]
    return (0.5 if multinomial else 0.25) * eigenvalue


@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("scaled", [False, True])
def test_lipschitz_constant_matches_largest_eigenvalue(
    sparse_input, fit_intercept, n_classes, scaled
):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 8)) * rng.uniform(0.1, 10, size=8) + 3.0
    X[rng.random(X.shape) < 0.5] = 0.0
    weights = rng.uniform(size=200)
    weights /= weights.sum()
    scaling = NoScaling()
    if scaled:
        scaling = ColumnScaling.from_moments(
            *NUMPY.column_moments(X, weights),
            fit_intercept=fit_intercept,
            l2_strength=0.01,
            backend=NUMPY,
        )
    loss = log_loss_for(n_classes, NUMPY)
    data = InMemoryData(
        sparse.csr_matrix(X) if sparse_input else X,
        loss.encode_target(rng.integers(n_classes, size=200), np.float64),
        weights,
        loss=loss,
        fit_intercept=fit_intercept,
        backend=NUMPY,
    )
    estimate = data.lipschitz_constant(scaling, rtol=1e-10, n_power_iterations=200)
    exact = exact_lipschitz(
        X, weights, fit_intercept, n_classes > 2, scaling.shift, scaling.scale
    )
    assert estimate == pytest.approx(exact, rel=1e-6)
