"""The backends: each reads X the same way, NumPy and SciPy CSR and the Array API.

Oracle: the dense formulas written out in NumPy; for the one-read row-blocked pass,
the two products it replaces (`TwoProductPass`), and tracemalloc for its memory.
The Array API backend runs on array_api_strict when it is installed (skipped
otherwise).
"""

import gc
import threading
import tracemalloc

import numpy as np
import pytest
from scipy import sparse

from sklogreg._backends import ArrayAPIBackend, NumpyBackend, backend_for
from sklogreg._backends._linear import TwoProductPass
from sklogreg._backends._row_blocks import MIN_BLOCK_ROWS, RowBlockedPass
from sklogreg._loss import log_loss_for


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


def fused_problem(n_samples, n_classes, dtype, sparse_input, seed=0):
    """Data with zero weights, its labels in the loss's encoding, and coefficients."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 7)).astype(dtype)
    if sparse_input:
        X[rng.random(X.shape) < 0.6] = 0
        X = sparse.csr_matrix(X)
    weights = rng.uniform(0, 2, n_samples).astype(dtype)
    weights[rng.random(n_samples) < 0.2] = 0
    weights /= weights.sum()
    loss = log_loss_for(n_classes, NumpyBackend())
    target = loss.encode_target(rng.integers(n_classes, size=n_samples), dtype)
    coef = rng.normal(scale=2.0, size=(loss.n_coef_rows, 8)).astype(dtype)
    return X, loss, target, weights, coef


@pytest.mark.parametrize("n_samples", [1000, 100])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_row_blocked_pass_equals_the_two_products(
    n_samples, n_classes, dtype, sparse_input, fit_intercept, n_threads
):
    # Blocks of MIN_BLOCK_ROWS rows: 1000 rows end in a partial block, 100 rows
    # are less than one block.
    X, loss, target, weights, coef = fused_problem(
        n_samples, n_classes, dtype, sparse_input
    )
    coef = coef[:, : 7 + fit_intercept]
    args = (X, loss, target, weights, fit_intercept)
    fused = RowBlockedPass(*args, block_bytes=1, n_threads=n_threads)
    assert len(fused.blocks) == -(-n_samples // MIN_BLOCK_ROWS)
    value, gradient = fused.value_and_gradient(coef)
    expected_value, expected_gradient = TwoProductPass(
        NumpyBackend(), *args
    ).value_and_gradient(coef)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert value == pytest.approx(expected_value, rel=rtol)
    assert gradient.dtype == dtype
    scale = np.abs(expected_gradient).max()
    np.testing.assert_allclose(gradient, expected_gradient, rtol=0, atol=rtol * scale)
    squares = fused.weighted_squared_margins(coef)
    margins = NumpyBackend.linear_predictor(X, coef.astype(np.float64), fit_intercept)
    expected_squares = weights @ (margins * margins).reshape(n_samples, -1).sum(axis=1)
    assert squares == pytest.approx(expected_squares, rel=rtol)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_row_blocked_pass_on_two_threads_equals_one_to_rounding(n_classes):
    X, loss, target, weights, coef = fused_problem(5000, n_classes, np.float64, False)
    args = (X, loss, target, weights, True)
    one = RowBlockedPass(*args, block_bytes=1, n_threads=1).value_and_gradient(coef)
    two = RowBlockedPass(*args, block_bytes=1, n_threads=2).value_and_gradient(coef)
    assert two[0] == pytest.approx(one[0], rel=1e-14)
    np.testing.assert_allclose(two[1], one[1], rtol=1e-13, atol=1e-16)


def test_row_blocked_pass_leaves_no_thread_behind():
    X, loss, target, weights, coef = fused_problem(1000, 2, np.float64, False)
    fused = RowBlockedPass(X, loss, target, weights, True, block_bytes=1, n_threads=2)
    fused.value_and_gradient(coef)
    assert any(t.name.startswith("sklogreg-rows") for t in threading.enumerate())
    del fused
    gc.collect()
    for thread in threading.enumerate():
        if thread.name.startswith("sklogreg-rows"):
            thread.join(timeout=5)
    assert not any(t.name.startswith("sklogreg-rows") for t in threading.enumerate())


def test_row_blocked_pass_follows_the_callers_error_state_in_its_threads():
    # Margins beyond the float32 range overflow in the intercept's addition: a
    # caller who ignores overflow gets no warning from either thread.
    X, loss, target, weights, coef = fused_problem(2000, 2, np.float32, False)
    coef[:, 7] = 3e38
    coef[:, :7] = 3e38
    fused = RowBlockedPass(X, loss, target, weights, True, block_bytes=1, n_threads=2)
    with np.errstate(over="ignore", invalid="ignore"):
        value, _ = fused.value_and_gradient(coef)
    assert not np.isfinite(value) or value > 1e30


def peak_bytes_of(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Sparse with many classes, the gradient-sized arrays (one per thread, 1.6% of this
# X each) are not negligible: 16% of X at 10 classes, measured.
@pytest.mark.parametrize(
    "sparse_input, n_classes", [(False, 2), (True, 2), (False, 10)]
)
@pytest.mark.parametrize("n_threads", [1, 2])
def test_row_blocked_pass_allocates_under_a_tenth_of_x(
    sparse_input, n_classes, n_threads
):
    rng = np.random.default_rng(0)
    n_samples = 20_000
    if sparse_input:
        X = sparse.random(n_samples, 2000, density=0.02, format="csr", random_state=0)
        nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    else:
        X = rng.normal(size=(n_samples, 50))
        nbytes = X.nbytes
    loss = log_loss_for(n_classes, NumpyBackend())
    target = loss.encode_target(rng.integers(n_classes, size=n_samples), X.dtype)
    weights = np.full(n_samples, 1 / n_samples)
    coef = rng.normal(size=(loss.n_coef_rows, X.shape[1] + 1))

    def construct_and_evaluate():
        fused = RowBlockedPass(X, loss, target, weights, True, n_threads=n_threads)
        fused.value_and_gradient(coef)
        fused.value_and_gradient(coef)

    assert peak_bytes_of(construct_and_evaluate) < 0.1 * nbytes


def test_csr_column_moments_allocate_under_a_tenth_of_x():
    X = sparse.random(20_000, 2000, density=0.02, format="csr", random_state=0)
    weights = np.full(X.shape[0], 1 / X.shape[0])
    nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    peak = peak_bytes_of(lambda: NumpyBackend().column_moments(X, weights))
    assert peak < 0.1 * nbytes
    peak = peak_bytes_of(lambda: NumpyBackend().row_norms_squared(X))
    # The norms themselves are one float64 per row.
    assert peak < 0.1 * nbytes + 8 * X.shape[0]
