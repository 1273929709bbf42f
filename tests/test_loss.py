"""The loss layer against finite differences, a second formulation, extreme values."""

import numpy as np
import pytest
from scipy import sparse

from sklogreg._loss import (
    binary_loss,
    binary_loss_and_residual,
    lipschitz_constant,
    multinomial_loss,
    multinomial_loss_and_residual,
)
from sklogreg._objective import LogisticObjective
from sklogreg._penalty import min_norm_subgradient, soft_threshold
from sklogreg._preconditioning import (
    column_scaling,
    gradient_to_original,
    gradient_to_scaled,
    to_original,
    to_scaled,
)


def make_problem(n_classes, *, seed=0, n_samples=40, n_features=5, weighted=True):
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=0.5, scale=2.0, size=(n_samples, n_features))
    y = rng.integers(n_classes, size=n_samples)
    weights = rng.uniform(0.1, 3.0, size=n_samples) if weighted else np.ones(n_samples)
    target = y.astype(float) if n_classes == 2 else np.eye(n_classes)[y]
    return X, target, weights


def finite_difference_gradient(function, coef, eps=1e-6):
    gradient = np.zeros_like(coef)
    for index in np.ndindex(coef.shape):
        step = np.zeros_like(coef)
        step[index] = eps
        gradient[index] = (function(coef + step) - function(coef - step)) / (2 * eps)
    return gradient


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("precondition", [False, True])
@pytest.mark.parametrize("C", [0.3, np.inf])
def test_gradient_matches_finite_differences(
    n_classes, fit_intercept, weighted, precondition, C
):
    X, target, weights = make_problem(n_classes, weighted=weighted)
    objective = LogisticObjective(
        X,
        target,
        weights,
        C=C,
        l1_ratio=0.0,
        fit_intercept=fit_intercept,
        precondition=precondition,
    )
    rng = np.random.default_rng(1)
    coef = rng.normal(scale=0.3, size=objective.coef_shape)

    def smooth(c):
        return objective.smooth_value(objective.linear_map(c), c)

    value, gradient = objective.smooth_value_and_gradient(
        objective.linear_map(coef), coef
    )
    assert value == pytest.approx(smooth(coef), rel=1e-12)
    np.testing.assert_allclose(
        gradient, finite_difference_gradient(smooth, coef), rtol=1e-5, atol=1e-8
    )


def test_binary_loss_is_two_class_softmax_with_a_zero_logit():
    # The sigmoid model is the softmax model whose first logit is pinned at zero.
    rng = np.random.default_rng(0)
    z = rng.normal(scale=5, size=50)
    y = rng.integers(2, size=50).astype(float)
    weights = np.full(50, 1 / 50)
    Z = np.column_stack([np.zeros_like(z), z])
    Y = np.column_stack([1 - y, y])
    loss, residual = binary_loss_and_residual(z, y, weights)
    softmax_loss, softmax_residual = multinomial_loss_and_residual(Z, Y, weights)
    assert loss == pytest.approx(softmax_loss, rel=1e-13)
    np.testing.assert_allclose(residual, softmax_residual[:, 1], atol=1e-15)
    assert binary_loss(z, y, weights) == pytest.approx(loss, rel=1e-13)


@pytest.mark.parametrize("magnitude", [1e3, 1e10, 1e300])
def test_losses_are_finite_and_asymptotic_at_extreme_margins(magnitude):
    # filterwarnings=error turns any overflow warning into a failure here.
    z = np.array([-magnitude, magnitude, -magnitude, magnitude])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    weights = np.full(4, 0.25)
    loss, residual = binary_loss_and_residual(z, y, weights)
    # Two samples right with huge margin (loss ~ 0), two wrong (loss ~ |z| each).
    assert loss == pytest.approx(0.5 * magnitude, rel=1e-12)
    np.testing.assert_array_equal(residual, [0, 0, -0.25, 0.25])

    Z = np.column_stack([z, -z, np.zeros(4)])
    Y = np.eye(3)[[0, 1, 2, 2]]
    loss, residual = multinomial_loss_and_residual(Z, Y, weights)
    assert np.isfinite(loss) and np.all(np.isfinite(residual))
    assert multinomial_loss(Z, Y, weights) == pytest.approx(loss)


def exact_lipschitz(X, weights, fit_intercept, multinomial, shift=None, scale=None):
    Xt = X.toarray() if sparse.issparse(X) else X.copy()
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
@pytest.mark.parametrize("multinomial", [False, True])
@pytest.mark.parametrize("scaled", [False, True])
def test_lipschitz_constant_matches_largest_eigenvalue(
    sparse_input, fit_intercept, multinomial, scaled
):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 8)) * rng.uniform(0.1, 10, size=8) + 3.0
    X[rng.random(X.shape) < 0.5] = 0.0
    weights = rng.uniform(size=200)
    weights /= weights.sum()
    shift, scale = None, None
    if scaled:
        scaling = column_scaling(
            X, weights, fit_intercept=fit_intercept, l2_strength=0.01
        )
        shift, scale = scaling.shift, scaling.scale
    X_input = sparse.csr_matrix(X) if sparse_input else X
    estimate = lipschitz_constant(
        X_input,
        weights,
        fit_intercept=fit_intercept,
        multinomial=multinomial,
        column_shift=shift,
        column_scale=scale,
        n_power_iterations=200,
        rtol=1e-10,
    )
    exact = exact_lipschitz(X, weights, fit_intercept, multinomial, shift, scale)
    assert estimate == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_input", [False, True])
def test_column_scaling_is_an_exact_change_of_variables(fit_intercept, sparse_input):
    rng = np.random.default_rng(0)
    X = rng.normal(loc=50, size=(30, 4)) * [1e-3, 1, 10, 1e3]
    weights = np.full(30, 1 / 30)
    X_input = sparse.csr_matrix(X) if sparse_input else X
    scaling = column_scaling(
        X_input, weights, fit_intercept=fit_intercept, l2_strength=0.0
    )
    # With no penalty the scales are the (weighted) standard deviations.
    centred = X - X.mean(axis=0) if fit_intercept else X
    np.testing.assert_allclose(scaling.scale, np.sqrt((centred**2).mean(axis=0)))

    coef = rng.normal(size=(2, 4 + fit_intercept))
    np.testing.assert_allclose(to_original(to_scaled(coef, scaling), scaling), coef)
    # Same margins in both parametrisations.
    scaled = to_scaled(coef, scaling)
    scaled_X = centred / scaling.scale
    margins_scaled = scaled_X @ scaled[:, :4].T + (scaled[:, 4] if fit_intercept else 0)
    margins = X @ coef[:, :4].T + (coef[:, 4] if fit_intercept else 0)
    np.testing.assert_allclose(margins_scaled, margins, rtol=1e-10)
    # Gradients map with the transpose, and back.
    gradient = rng.normal(size=coef.shape)
    np.testing.assert_allclose(
        gradient_to_original(gradient_to_scaled(gradient, scaling), scaling), gradient
    )


def test_soft_threshold_zeroes_small_entries_and_spares_the_intercept():
    coef = np.array([[3.0, -0.5, 0.2, -4.0]])
    np.testing.assert_allclose(
        soft_threshold(coef, 1.0, fit_intercept=True), [[2.0, 0.0, 0.0, -4.0]]
    )
    np.testing.assert_allclose(
        soft_threshold(coef, 1.0, fit_intercept=False), [[2.0, 0.0, 0.0, -3.0]]
    )


def test_min_norm_subgradient_is_zero_exactly_at_l1_optimality():
    # f(w) = 0.5 * (w - a)^2 + lam |w| has minimiser soft_threshold(a, lam).
    a = np.array([[3.0, 0.4, -2.0, -0.1]])
    lam = 0.5
    w = soft_threshold(a, lam, fit_intercept=False)
    subgradient = min_norm_subgradient(w, w - a, lam, fit_intercept=False)
    np.testing.assert_allclose(subgradient, 0, atol=1e-15)
    # Anywhere else it is not.
    other = w + 0.1
    assert np.abs(min_norm_subgradient(other, other - a, lam, False)).max() > 0.05


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("precondition", [False, True])
def test_secant_curvature_matches_gradient_difference(n_classes, precondition):
    X, target, weights = make_problem(n_classes)
    objective = LogisticObjective(
        X,
        target,
        weights,
        C=0.5,
        l1_ratio=0.0,
        fit_intercept=True,
        precondition=precondition,
    )
    rng = np.random.default_rng(2)
    a = rng.normal(size=objective.coef_shape)
    b = a + rng.normal(scale=0.1, size=a.shape)
    margins_a, margins_b = objective.linear_map(a), objective.linear_map(b)
    expected = float(((objective.gradient(b) - objective.gradient(a)) * (b - a)).sum())
    assert objective.secant_curvature(margins_a, a, margins_b, b) == pytest.approx(
        expected, rel=1e-10
    )
