"""The backends: each reads X the same way, NumPy and SciPy CSR and the Array API.

Oracle: the dense formulas written out in NumPy. The Array API backend runs on
array_api_strict when it is installed (skipped otherwise).
"""

import numpy as np
import pytest
from scipy import sparse

from sklogreg._backends import ArrayAPIBackend, NumpyBackend, backend_for


def backends():
    cases = [("numpy", NumpyBackend(), np.asarray), ("csr", NumpyBackend(), None)]
    try:
        import array_api_strict as xp
    except ImportError:  # pragma: no cover - the test extra installs it
        return cases
    backend = ArrayAPIBackend(xp, xp.Device("CPU_DEVICE"))
    return [*cases, ("array_api_strict", backend, backend.asarray)]


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    X[rng.random(X.shape) < 0.3] = 0
    return X, rng.uniform(0.1, 1.0, 30), rng.normal(size=(3, 5))


def on_host(array):
    return np.asarray(array) if isinstance(array, np.ndarray) else np.from_dlpack(array)


@pytest.mark.parametrize("name, backend, convert", backends())
def test_operations_on_x_match_the_dense_formulas(name, backend, convert, data):
    X, weights, coef = data
    X_in = sparse.csr_matrix(X) if name == "csr" else convert(X)
    array = np.asarray if name == "csr" else convert
    margins = backend.linear_predictor(X_in, array(coef), True)
    np.testing.assert_allclose(on_host(margins), X @ coef[:, :4].T + coef[:, 4])
    residual = np.random.default_rng(1).normal(size=(30, 3))
    gradient = backend.adjoint(X_in, array(residual), True)
    expected = np.column_stack([residual.T @ X, residual.sum(axis=0)])
    np.testing.assert_allclose(on_host(gradient), expected, rtol=1e-12)
    first, second = backend.column_moments(X_in, array(weights))
    np.testing.assert_allclose(on_host(first), X.T @ weights, rtol=1e-12)
    np.testing.assert_allclose(on_host(second), (X * X).T @ weights, rtol=1e-12)
    v = np.arange(4.0)
    products, total = backend.gram_row_sums(X_in, array(weights), array(v), 0.5)
    u = weights * (X @ v + 0.5)
    np.testing.assert_allclose(on_host(products), X.T @ u, rtol=1e-12)
    np.testing.assert_allclose(on_host(total), [u.sum()], rtol=1e-12)


def test_numpy_arrays_and_csr_take_the_numpy_backend():
    assert isinstance(backend_for(np.zeros((2, 2))), NumpyBackend)
    assert isinstance(backend_for(sparse.csr_matrix((2, 2))), NumpyBackend)
