"""The loss layer: binary and multinomial log-loss objects, on the NumPy backend.

Oracles: a second formulation (the binary model is the softmax with a zero logit),
SciPy's special functions in float64, and exact limits at extreme margins. The same
losses on Array API input are checked in test_array_api.py.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import log_softmax, logsumexp
from strategies import FEW, seeds

from sklogreg._backends import NumpyBackend
from sklogreg._loss import BinaryLogLoss, MultinomialLogLoss, log_loss_for

NUMPY = NumpyBackend()
EXTREME = [-800.0, -40.0, -1.0, 0.0, 1e-3, 40.0, 800.0]


def test_loss_for_two_classes_is_the_sigmoid_and_for_more_the_softmax():
    assert isinstance(log_loss_for(2, NUMPY), BinaryLogLoss)
    multinomial = log_loss_for(4, NUMPY)
    assert isinstance(multinomial, MultinomialLogLoss)
    assert (log_loss_for(2, NUMPY).n_coef_rows, multinomial.n_coef_rows) == (1, 4)


def test_binary_loss_is_two_class_softmax_with_a_zero_logit():
    # The sigmoid model is the softmax model whose first logit is pinned at zero.
    rng = np.random.default_rng(0)
    z = rng.normal(scale=5, size=50)
    y = rng.integers(2, size=50)
    weights = np.full(50, 1 / 50)
    binary, softmax = BinaryLogLoss(NUMPY), MultinomialLogLoss(NUMPY, 2)
    Z = np.column_stack([np.zeros_like(z), z])
    target, labels = (
        binary.encode_target(y, np.float64),
        softmax.encode_target(y, np.float64),
    )
    value, residual = binary.value_and_residual(z, target, weights)
    softmax_value, softmax_residual = softmax.value_and_residual(Z, labels, weights)
    assert value == pytest.approx(softmax_value, rel=1e-13)
    np.testing.assert_allclose(residual, softmax_residual[:, 1], atol=1e-15)
    assert binary.value(z, target, weights) == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(
        binary.probabilities(z), softmax.probabilities(Z), rtol=1e-13
    )
    np.testing.assert_array_equal(
        binary.predicted_indices(z), softmax.predicted_indices(Z)
    )


@pytest.mark.parametrize("magnitude", [1e3, 1e10, 1e300])
def test_losses_are_finite_and_asymptotic_at_extreme_margins(magnitude):
    # filterwarnings=error turns any overflow warning into a failure here.
    z = np.array([-magnitude, magnitude, -magnitude, magnitude])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    weights = np.full(4, 0.25)
    value, residual = BinaryLogLoss(NUMPY).value_and_residual(z, y, weights)
    # Two samples right with huge margin (loss ~ 0), two wrong (loss ~ |z| each).
    assert value == pytest.approx(0.5 * magnitude, rel=1e-12)
    np.testing.assert_array_equal(residual, [0, 0, -0.25, 0.25])

    softmax = MultinomialLogLoss(NUMPY, 3)
    Z = np.column_stack([z, -z, np.zeros(4)])
    labels = softmax.encode_target(np.array([0, 1, 2, 2]), np.float64)
    value, residual = softmax.value_and_residual(Z, labels, weights)
    assert np.isfinite(value) and np.all(np.isfinite(residual))
    assert softmax.value(Z, labels, weights) == pytest.approx(value)
    assert np.all(np.isfinite(softmax.log_probabilities(Z)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_loss_matches_logaddexp_at_extreme_margins(dtype):
    z = np.array(EXTREME, dtype=dtype)
    y = np.array([0, 1, 0, 1, 0, 1, 0], dtype=dtype)
    weights = np.full(z.size, 1 / z.size, dtype=dtype)
    expected = float(np.mean(np.logaddexp(0, z.astype(np.float64)) - y * z))
    loss = BinaryLogLoss(NUMPY)
    np.testing.assert_allclose(loss.value(z, y, weights), expected, rtol=1e-6)
    value, residual = loss.value_and_residual(z, y, weights)
    np.testing.assert_allclose(value, expected, rtol=1e-6)
    assert residual.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multinomial_loss_and_softmax_match_scipy_at_extreme_margins(dtype):
    rng = np.random.default_rng(0)
    Z = rng.choice(EXTREME, size=(20, 4)).astype(dtype)
    labels = rng.integers(0, 4, 20)
    Y = np.eye(4, dtype=dtype)[labels]
    weights = np.full(20, 1 / 20, dtype=dtype)
    Z64 = Z.astype(np.float64)
    expected_loss = float(np.mean(logsumexp(Z64, axis=1) - (Y * Z64).sum(axis=1)))
    expected_residual = weights[:, None] * (np.exp(log_softmax(Z64, axis=1)) - Y)
    loss = MultinomialLogLoss(NUMPY, 4)
    value, residual = loss.value_and_residual(Z, labels, weights)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(value, expected_loss, rtol=rtol)
    np.testing.assert_allclose(loss.value(Z, labels, weights), expected_loss, rtol=rtol)
    np.testing.assert_allclose(residual, expected_residual, rtol=rtol, atol=1e-7)
    np.testing.assert_allclose(
        loss.residual(Z, labels, weights), expected_residual, rtol=rtol, atol=1e-7
    )
    assert residual.dtype == dtype


@pytest.mark.parametrize("n_classes", [2, 3])
def test_log_probabilities_are_the_log_of_probabilities_and_rows_sum_to_one(n_classes):
    rng = np.random.default_rng(0)
    loss = log_loss_for(n_classes, NUMPY)
    margins = rng.normal(scale=3, size=(30, loss.n_coef_rows)).squeeze()
    probabilities = loss.probabilities(margins)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-14)
    np.testing.assert_allclose(
        loss.log_probabilities(margins), np.log(probabilities), rtol=1e-12
    )
    np.testing.assert_array_equal(
        loss.predicted_indices(margins), np.argmax(probabilities, axis=1)
    )


@given(
    seed=seeds,
    n_classes=st.sampled_from([2, 3, 5]),
    margin_scale=st.sampled_from([1.0, 30.0, 800.0, 1e4]),
)
@FEW
def test_loss_is_finite_and_residual_is_probability_at_extreme_margins(
    seed, n_classes, margin_scale
):
    # The loss functions at margins up to 1e4: finite, warning-free, equal to the
    # log-loss computed with logaddexp/logsumexp, and ``residual / w + y`` (the
    # predicted probabilities) a distribution.
    rng = np.random.default_rng(seed)
    n_samples = 15
    labels = rng.integers(n_classes, size=n_samples)
    weights = rng.uniform(0.1, 2.0, n_samples)
    weights /= weights.sum()
    if n_classes == 2:
        z = margin_scale * rng.uniform(-1, 1, n_samples)
        z[:2] = [margin_scale, -margin_scale]
        loss, residual = log_loss_for(2, NUMPY).value_and_residual(
            z, labels.astype(float), weights
        )
        expected = weights @ (np.logaddexp(0.0, z) - labels * z)
        proba = residual / weights + labels
        proba = np.column_stack([1 - proba, proba])
    else:
        Z = margin_scale * rng.uniform(-1, 1, (n_samples, n_classes))
        Z[0] = margin_scale
        loss, residual = log_loss_for(n_classes, NUMPY).value_and_residual(
            Z, labels, weights
        )
        expected = weights @ (logsumexp(Z, axis=1) - Z[np.arange(n_samples), labels])
        proba = residual / weights[:, None] + np.eye(n_classes)[labels]
    assert np.isfinite(loss)
    np.testing.assert_allclose(loss, expected, rtol=1e-12, atol=1e-12)
    assert np.all((proba >= -1e-12) & (proba <= 1 + 1e-12))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_multinomial_target_is_the_class_indices_not_a_one_hot_matrix():
    labels = MultinomialLogLoss(NUMPY, 4).encode_target(np.array([3, 0, 2]), np.float32)
    assert labels.shape == (3,) and labels.dtype.kind == "i"
    np.testing.assert_array_equal(labels, [3, 0, 2])


@pytest.mark.parametrize("n_classes", [2, 3, 6])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("margin_scale", [1.0, 800.0, 1e30])
def test_block_value_and_residual_equal_value_and_residual(
    n_classes, dtype, margin_scale
):
    # The one-read pass's form (margins transposed, row terms, residual in place)
    # against the loss's own; filterwarnings=error catches any overflow warning.
    rng = np.random.default_rng(0)
    loss = log_loss_for(n_classes, NUMPY)
    n_samples = 40
    target = loss.encode_target(rng.integers(n_classes, size=n_samples), dtype)
    weights = rng.uniform(0, 1, n_samples).astype(dtype)
    weights[:5] = 0
    margins = (margin_scale * rng.uniform(-1, 1, (n_samples, loss.n_coef_rows))).astype(
        dtype
    )
    expected_value, expected_residual = loss.value_and_residual(
        margins.squeeze(axis=1) if n_classes == 2 else margins.copy(), target, weights
    )
    block = np.ascontiguousarray(margins.T)
    scratch = np.empty((4, n_samples), dtype=dtype)
    value = loss.block_value_and_residual(
        block, loss.row_terms(target, weights), scratch
    )
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert value == pytest.approx(expected_value, rel=rtol)
    np.testing.assert_allclose(
        block.T.squeeze(), expected_residual, rtol=rtol, atol=rtol * weights.max()
    )
