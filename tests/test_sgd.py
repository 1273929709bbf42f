"""The stochastic solver, on problems whose optimum is known, and as "sgd"."""

import numpy as np
import pytest
from conftest import LeastSquares
from scipy import sparse
from scipy.special import logsumexp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression
from sklogreg._solvers import (
    EarlyStopping,
    ObjectiveDivergedError,
    sgd_epoch,
    stochastic_gradient_descent,
)


def orthogonal_problem(n_samples=2000, n_features=8, seed=0):
    """Columns with ``X.T @ X / n = I``: the elastic-net optimum is closed-form."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n_samples, n_features)))
    X = Q * np.sqrt(n_samples)
    y = X @ rng.standard_normal(n_features) + rng.standard_normal(n_samples)
    return X, y


@pytest.mark.parametrize("l2, l1", [(0.1, 0.0), (0.1, 0.3), (0.0, 0.0)])
def test_sgd_reaches_the_closed_form_optimum(l2, l1):
    X, y = orthogonal_problem()
    # With X.T X / n = I the optimum is soft_threshold(X.T y / n, l1) / (1 + l2).
    correlation = X.T @ y / X.shape[0]
    optimum = np.sign(correlation) * np.maximum(np.abs(correlation) - l1, 0) / (1 + l2)
    result = stochastic_gradient_descent(
        LeastSquares(X, y, l2=l2, l1=l1),
        np.zeros((1, X.shape[1])),
        batch_size=64,
        tol=1e-8,
        random_state=np.random.RandomState(0),
    )
    assert result.converged and result.stop_reason == "tol"
    # Strong convexity 1 + l2 >= 1 turns the gradient bound into a distance bound.
    np.testing.assert_allclose(result.coef[0], optimum, atol=1e-8)
    assert len(result.loss_curve) == result.n_iter + 1


def test_epoch_average_settles_closer_than_the_last_iterate():
    X, y = orthogonal_problem()
    objective = LeastSquares(X, y, l2=0.1)
    optimum = (X.T @ y / X.shape[0]) / 1.1
    rng = np.random.RandomState(0)
    step = 0.5 / objective.batch_lipschitz_constant(16, rng)
    chain, average, n_steps = np.zeros((1, X.shape[1])), None, 0
    errors = []
    for _ in range(10):
        average, chain, n_steps, *_ = sgd_epoch(
            objective,
            chain,
            step=step,
            batch_size=16,
            random_state=rng,
            average=average,
            n_steps=n_steps,
        )
        errors.append(np.linalg.norm(average[0] - optimum))
    # A constant step leaves the chain in a noise ball; the running average keeps
    # shrinking as epochs accumulate.
    assert errors[-1] < 0.3 * errors[1]
    assert errors[-1] < 0.3 * np.linalg.norm(chain[0] - optimum)
    assert n_steps == 10 * X.shape[0] // 16


def test_early_stopping_observer_stops_after_n_iter_no_change_epochs():
    X, y = orthogonal_problem(n_samples=256)
    # The score never improves after the first epoch.
    observer = EarlyStopping(lambda coef: 0.5, tol=1e-4, n_iter_no_change=3)
    result = stochastic_gradient_descent(
        LeastSquares(X, y, l2=0.1),
        np.zeros((1, X.shape[1])),
        n_iter_no_change=3,
        random_state=np.random.RandomState(0),
        early_stopping=True,
        observers=[observer],
    )
    # As SGDClassifier: the first epoch sets the best score, then 3 without gain;
    # the observer stopped the run, and no full-gradient finish followed.
    # Early stopping is a reason to stop, not convergence: the gradient is not at tol.
    assert observer.stopped and result.stop_reason == "callback"
    assert not result.converged
    assert result.n_iter == 4 and observer.scores == [0.5] * 4


def test_fixed_step_that_diverges_raises():
    X, y = orthogonal_problem(n_samples=512)
    objective = LeastSquares(X, y)
    with pytest.raises(ObjectiveDivergedError):
        stochastic_gradient_descent(
            objective,
            np.zeros((1, X.shape[1])),
            step=100.0,
            random_state=np.random.RandomState(0),
        )


# -- the estimator with solver="sgd" ---------------------------------------------


def standardized_problem(n_classes, n_samples=3000, seed=0):
    X, y = make_classification(
        n_samples,
        12,
        n_informative=6,
        n_redundant=0,  # redundant columns are collinear: a flat optimum
        n_classes=n_classes,
        n_clusters_per_class=1,
        # Overlapping classes: a well-conditioned optimum, so that a gradient below
        # tol pins the coefficients down to about tol.
        class_sep=0.5,
        flip_y=0.1,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("class_weight", [None, {0: 2.0, 1: 0.5}])
def test_sgd_agrees_with_lbfgs(n_classes, sparse_X, class_weight):
    X, y = standardized_problem(n_classes)
    sample_weight = np.random.default_rng(0).uniform(0.5, 2, y.size)
    # newton-cg, whose only stopping test is the gradient: a tight reference.
    reference = LogisticRegression(
        C=0.5, class_weight=class_weight, solver="newton-cg", tol=1e-10
    ).fit(X, y, sample_weight=sample_weight)
    model = GDLogisticRegression(
        solver="sgd", C=0.5, class_weight=class_weight, tol=1e-7, random_state=0
    ).fit(sparse.csr_matrix(X) if sparse_X else X, y, sample_weight=sample_weight)
    assert model.converged_
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-5)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-5)
    # The multinomial model, not one-vs-rest: one centred row per class.
    assert model.coef_.shape == reference.coef_.shape


def test_loss_curve_ends_at_the_objective_of_the_fitted_coefficients():
    X, y = standardized_problem(3)
    model = GDLogisticRegression(solver="sgd", random_state=0).fit(X, y)
    # The contract's J, written out independently: mean log-loss + ||W||^2 / (2 C n).
    margins = X @ model.coef_.T + model.intercept_
    log_loss = np.mean(logsumexp(margins, axis=1) - margins[np.arange(y.size), y])
    objective = log_loss + (model.coef_**2).sum() / (2 * y.size)
    assert model.loss_curve_[-1] == pytest.approx(objective, rel=1e-10)
    assert model.loss_curve_.size == model.n_iter_ + 1
    # The first epoch alone closes most of the gap to the optimum.
    gap = model.loss_curve_ - model.loss_curve_[-1]
    assert gap[1] < 0.1 * gap[0]


def test_same_seed_is_bitwise_identical_another_seed_differs():
    X, y = standardized_problem(3)
    fits = [
        GDLogisticRegression(solver="sgd", random_state=seed).fit(X, y).coef_
        for seed in (0, 0, 1)
    ]
    assert np.array_equal(fits[0], fits[1])
    assert not np.array_equal(fits[0], fits[2])


def test_weights_equal_repeated_rows_to_tol():
    # More rows than a minibatch, so the stochastic paths differ; the full-gradient
    # finish makes both answers the optimum to the accuracy tol promises.
    X, y = standardized_problem(3, n_samples=600)
    repeats = np.random.default_rng(0).integers(0, 4, y.size)
    weighted = GDLogisticRegression(solver="sgd", tol=1e-9, random_state=0).fit(
        X, y, sample_weight=repeats
    )
    repeated = GDLogisticRegression(solver="sgd", tol=1e-9, random_state=0).fit(
        np.repeat(X, repeats, axis=0), np.repeat(y, repeats)
    )
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6
    )


def test_early_stopping_holds_out_a_stratified_split_and_stops():
    X, y = standardized_problem(2, n_samples=2000)
    model = GDLogisticRegression(
        solver="sgd", early_stopping=True, n_iter_no_change=2, random_state=0
    ).fit(X, y)
    # Early stopping is a reason to stop, not convergence: converged_ says whether
    # tol held, and here the gradient is still above it.
    assert model.stop_reason_ == "early_stopping"
    assert not model.converged_ and model.gradient_max_curve_[-1] > model.tol
    assert model.n_iter_ < 50 and model.loss_curve_.size == model.n_iter_ + 1
    # It never finishes with full gradients, so it stops short of the optimum.
    full = GDLogisticRegression(solver="sgd", random_state=0).fit(X, y)
    assert not np.allclose(model.coef_, full.coef_, atol=1e-4)


def test_early_stopping_without_room_for_every_class_says_so():
    X, y = standardized_problem(2, n_samples=40)
    y[:] = 0
    y[0] = 1  # a single sample of class 1 cannot be in both parts
    with pytest.raises(ValueError, match="early_stopping needs a stratified"):
        GDLogisticRegression(solver="sgd", early_stopping=True).fit(X, y)


def test_sgd_learning_rate_too_large_names_the_safe_step():
    X, y = standardized_problem(2)
    with pytest.raises(ValueError, match="safe step for this problem is 1/L"):
        GDLogisticRegression(solver="sgd", learning_rate=1e4, random_state=0).fit(
            X * 100, y
        )


def test_sgd_max_iter_warns():
    X, y = standardized_problem(3)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        GDLogisticRegression(solver="sgd", max_iter=2, random_state=0).fit(X, y)


def test_float32_stays_float32():
    X, y = standardized_problem(3)
    model = GDLogisticRegression(solver="sgd", random_state=0).fit(
        X.astype(np.float32), y
    )
    assert model.coef_.dtype == np.float32


def test_sgd_with_l1_finds_the_same_sparse_optimum_as_nesterov():
    X, y = standardized_problem(3)
    X = np.column_stack([X, np.random.default_rng(0).standard_normal((y.size, 6))])
    kwargs = dict(C=0.01, l1_ratio=0.7, tol=1e-8)
    reference = GDLogisticRegression(**kwargs).fit(X, y)
    model = GDLogisticRegression(solver="sgd", random_state=0, **kwargs).fit(X, y)
    assert (reference.coef_ == 0).any()  # the oracle is sparse
    np.testing.assert_array_equal(model.coef_ == 0, reference.coef_ == 0)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-6)


def test_warm_start_at_the_optimum_takes_no_epoch():
    X, y = standardized_problem(2)
    model = GDLogisticRegression(solver="sgd", warm_start=True, random_state=0)
    coef = model.fit(X, y).coef_.copy()
    model.fit(X, y)
    assert model.n_iter_ == 0 and model.converged_
    np.testing.assert_array_equal(model.coef_, coef)
    assert model.learning_rate_ > 0
