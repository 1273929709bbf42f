"""The elastic-net penalty: values, gradient, proximal step, optimality measure."""

import numpy as np
import pytest

from sklogreg._backends import NumpyBackend
from sklogreg._penalty import ElasticNet, penalty_strengths

NUMPY = NumpyBackend()


def l1(strength, fit_intercept):
    return ElasticNet(0.0, strength, fit_intercept=fit_intercept, backend=NUMPY)


def test_soft_threshold_zeroes_small_entries_and_spares_the_intercept():
    coef = np.array([[3.0, -0.5, 0.2, -4.0]])
    np.testing.assert_allclose(l1(1.0, True).prox(coef, 1.0), [[2.0, 0.0, 0.0, -4.0]])
    np.testing.assert_allclose(l1(1.0, False).prox(coef, 1.0), [[2.0, 0.0, 0.0, -3.0]])


def test_min_norm_subgradient_is_zero_exactly_at_l1_optimality():
    # f(w) = 0.5 * (w - a)^2 + lam |w| has minimiser soft_threshold(a, lam).
    a = np.array([[3.0, 0.4, -2.0, -0.1]])
    penalty = l1(0.5, False)
    w = penalty.prox(a, 0.5)
    np.testing.assert_allclose(penalty.min_norm_subgradient(w, w - a), 0, atol=1e-15)
    # Anywhere else it is not.
    other = w + 0.1
    assert np.abs(penalty.min_norm_subgradient(other, other - a)).max() > 0.05


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_values_and_l2_gradient_leave_the_intercept_unpenalised(fit_intercept):
    coef = np.array([[1.0, -2.0, 5.0]])
    penalty = ElasticNet(0.5, 0.25, fit_intercept=fit_intercept, backend=NUMPY)
    W = coef[:, :-1] if fit_intercept else coef
    assert penalty.l2_value(coef) == pytest.approx(0.25 * float((W * W).sum()))
    assert penalty.l1_value(coef) == pytest.approx(0.25 * float(np.abs(W).sum()))
    expected = 0.5 * coef
    if fit_intercept:
        expected[:, -1] = 0
    np.testing.assert_allclose(penalty.l2_gradient(coef), expected)


def test_penalty_strengths_split_one_over_c_s_and_vanish_for_infinite_c():
    assert penalty_strengths(2.0, 0.25, 10.0) == pytest.approx((0.0375, 0.0125))
    assert penalty_strengths(np.inf, 0.5, 10.0) == (0.0, 0.0)


def test_penalty_strengths_from_numpy_scalars_are_python_floats():
    # A NumPy float64 strength would turn float32 coefficients into float64 ones.
    strengths = penalty_strengths(np.float64(2.0), np.float64(0.25), np.float32(10.0))
    assert all(type(strength) is float for strength in strengths)
