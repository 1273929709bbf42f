"""Implicit centring and scaling: an exact change of variables on the coefficients."""

import numpy as np
import pytest
from scipy import sparse

from sklogreg._backends import NumpyBackend
from sklogreg._scaling import ColumnScaling, NoScaling

NUMPY = NumpyBackend()


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_input", [False, True])
def test_column_scaling_is_an_exact_change_of_variables(fit_intercept, sparse_input):
    rng = np.random.default_rng(0)
    X = rng.normal(loc=50, size=(30, 4)) * [1e-3, 1, 10, 1e3]
    weights = np.full(30, 1 / 30)
    X_input = sparse.csr_matrix(X) if sparse_input else X
    scaling = ColumnScaling.from_moments(
        *NUMPY.column_moments(X_input, weights),
        fit_intercept=fit_intercept,
        l2_strength=0.0,
        backend=NUMPY,
    )
    # With no penalty the scales are the (weighted) standard deviations.
    centred = X - X.mean(axis=0) if fit_intercept else X
    np.testing.assert_allclose(scaling.scale, np.sqrt((centred**2).mean(axis=0)))

    coef = rng.normal(size=(2, 4 + fit_intercept))
    np.testing.assert_allclose(scaling.to_original(scaling.to_working(coef)), coef)
    # Same margins in both parametrisations.
    scaled = scaling.to_working(coef)
    scaled_X = centred / scaling.scale
    margins_scaled = scaled_X @ scaled[:, :4].T + (scaled[:, 4] if fit_intercept else 0)
    margins = X @ coef[:, :4].T + (coef[:, 4] if fit_intercept else 0)
    np.testing.assert_allclose(margins_scaled, margins, rtol=1e-10)
    # Gradients map with the transpose, and back.
    gradient = rng.normal(size=coef.shape)
    np.testing.assert_allclose(
        scaling.gradient_to_original(scaling.gradient_to_working(gradient)), gradient
    )


def test_an_all_zero_column_without_penalty_keeps_scale_one():
    X = np.column_stack([np.zeros(10), np.arange(10.0)])
    scaling = ColumnScaling.from_moments(
        *NUMPY.column_moments(X, np.full(10, 0.1)),
        fit_intercept=True,
        l2_strength=0.0,
        backend=NUMPY,
    )
    assert scaling.scale[0] == 1.0 and scaling.scale[1] > 0


def test_no_scaling_is_the_identity():
    coef = np.arange(6.0).reshape(2, 3)
    scaling = NoScaling()
    for convert in (
        scaling.to_working,
        scaling.to_original,
        scaling.gradient_to_working,
        scaling.gradient_to_original,
    ):
        assert convert(coef) is coef
    assert scaling.penalty_threshold(0.3) == 0.3
    assert scaling.penalty_curvature(0.3) == 0.3
