"""The coefficient layout: intercept last; stacking, splitting, warm start, centring."""

import numpy as np
import pytest

from sklogreg._backends import NumpyBackend
from sklogreg._coef_layout import CoefLayout

NUMPY = NumpyBackend()


def layout(n_coef_rows=3, fit_intercept=True, center_weights=True, n_features=4):
    return CoefLayout(
        n_features=n_features,
        n_coef_rows=n_coef_rows,
        fit_intercept=fit_intercept,
        center_weights=center_weights,
        backend=NUMPY,
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_split_then_stack_is_the_identity_for_one_row(fit_intercept):
    rows = layout(1, fit_intercept)
    coef = np.arange(rows.shape[1], dtype=float)[None, :]
    coef_, intercept_ = rows.split(coef)
    assert coef_.shape == (1, 4) and intercept_.shape == (1,)
    if not fit_intercept:
        np.testing.assert_array_equal(intercept_, 0)
    np.testing.assert_array_equal(rows.stack(coef_, intercept_, np.float64), coef)


@pytest.mark.parametrize("center_weights", [True, False])
def test_softmax_rows_are_centred_over_classes_when_split(center_weights):
    coef = np.random.default_rng(0).normal(size=(3, 5)) + 2.0
    coef_, intercept_ = layout(center_weights=center_weights).split(coef)
    # The intercept is always centred; the weights only under a pure L2 penalty.
    np.testing.assert_allclose(intercept_.sum(), 0, atol=1e-12)
    if center_weights:
        np.testing.assert_allclose(coef_.sum(axis=0), 0, atol=1e-12)
    else:
        np.testing.assert_array_equal(coef_, coef[:, :4])
    # Same probabilities: the softmax is blind to a constant per column.
    X = np.random.default_rng(1).normal(size=(6, 4))
    scores, centred = X @ coef[:, :4].T + coef[:, 4], X @ coef_.T + intercept_
    np.testing.assert_allclose(
        scores - scores.mean(axis=1, keepdims=True),
        centred - centred.mean(axis=1, keepdims=True),
        atol=1e-12,
    )


def test_initial_point_is_a_warm_start_only_when_the_shape_fits():
    rows = layout(3)
    previous = (np.ones((3, 4)), np.full(3, 2.0))
    np.testing.assert_array_equal(
        rows.initial(previous, np.float32), np.column_stack([*previous[:1], [2.0] * 3])
    )
    assert rows.initial(previous, np.float32).dtype == np.float32
    other_shape = (np.ones((1, 4)), np.zeros(1))
    np.testing.assert_array_equal(rows.initial(other_shape, np.float64), 0)
    np.testing.assert_array_equal(rows.initial(None, np.float64), 0)
