"""The estimator against scikit-learn's LogisticRegression on the same objective."""

import copy

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression

SOLVERS = ["nesterov", "gd", "bb"]


def standardized(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


DATASETS = {
    "breast_cancer": standardized(load_breast_cancer),
    "iris": standardized(load_iris),
    "digits": standardized(load_digits),
}


def fit_both(X, y, *, solver, sample_weight=None, tol=1e-8, **params):
    ours = GDLogisticRegression(solver=solver, tol=tol, max_iter=50_000, **params)
    ours.fit(X, y, sample_weight=sample_weight)
    reference = LogisticRegression(tol=1e-10, max_iter=50_000, **params)
    reference.fit(X, y, sample_weight=sample_weight)
    return ours, reference


def assert_same_model(ours, reference, X, *, rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=rtol, atol=atol)
    np.testing.assert_allclose(
        ours.intercept_, reference.intercept_, rtol=rtol, atol=atol
    )
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("dataset", ["breast_cancer", "iris", "digits"])
def test_coef_matches_lbfgs(dataset, solver):
    X, y = DATASETS[dataset]
    tol = 1e-8
    if dataset == "digits":
        # A gradient of 1e-8 bounds the coefficient error by 1e-8 / mu, and digits'
        # Hessian has mu ~ 1/(C n) = 5.6e-4 (constant pixels): up to 2e-5 per entry,
        # above atol. One more digit of tol brings the guarantee under it.
        tol = 1e-9
        if solver == "gd":
            X, y = X[:600], y[:600]  # plain gd is slow on 10 classes: keep it short
    ours, reference = fit_both(X, y, solver=solver, tol=tol)
    assert ours.converged_
    assert_same_model(ours, reference, X)


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_coef_matches_lbfgs_with_sample_weight(dataset):
    X, y = DATASETS[dataset]
    sample_weight = np.random.default_rng(0).uniform(0.0, 3.0, size=y.size)
    ours, reference = fit_both(
        X, y, solver="nesterov", sample_weight=sample_weight, C=0.5
    )
    assert_same_model(ours, reference, X)


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_coef_matches_lbfgs_with_balanced_class_weight(dataset):
    X, y = DATASETS[dataset]
    keep = np.r_[np.flatnonzero(y != y.max()), np.flatnonzero(y == y.max())[:20]]
    ours, reference = fit_both(
        X[keep], y[keep], solver="nesterov", class_weight="balanced"
    )
    assert_same_model(ours, reference, X[keep])


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_coef_matches_lbfgs_on_csr_input(dataset):
    X, y = DATASETS[dataset]
    X = X.copy()
    X[np.abs(X) < 0.5] = 0.0
    ours, reference = fit_both(sparse.csr_matrix(X), y, solver="nesterov")
    assert_same_model(ours, reference, X)


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_float32_input_gives_float32_model_close_to_float64(dataset):
    X, y = DATASETS[dataset]
    # float32 resolves this gradient to ~1.6e-8 on iris (sums of float32 products):
    # a tol just above that floor, far below what the assertion needs.
    ours = GDLogisticRegression(tol=3e-8, max_iter=10_000).fit(X.astype(np.float32), y)
    assert ours.converged_
    assert ours.coef_.dtype == np.float32 and ours.intercept_.dtype == np.float32
    reference = LogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y)
    assert_same_model(ours, reference, X)


@pytest.mark.parametrize("solver", SOLVERS)
def test_unpenalized_fit_matches_lbfgs(solver):
    X, y = DATASETS["iris"]
    X, y = X[y > 0], y[y > 0]  # versicolor vs virginica: not separable
    ours, reference = fit_both(X, y, solver=solver, C=np.inf)
    assert_same_model(ours, reference, X, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_l1_and_elastic_net_match_saga_including_zero_pattern(dataset, l1_ratio):
    X, y = DATASETS[dataset]
    ours = GDLogisticRegression(C=0.1, l1_ratio=l1_ratio, tol=1e-9, max_iter=50_000)
    ours.fit(X, y)
    reference = LogisticRegression(
        C=0.1, l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=100_000
    ).fit(X, y)
    assert ours.converged_
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        ours.intercept_, reference.intercept_, rtol=1e-4, atol=1e-5
    )
    np.testing.assert_array_equal(ours.coef_ == 0, reference.coef_ == 0)
    assert np.any(ours.coef_ == 0)


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris", "digits"])
def test_our_objective_is_no_higher_than_lbfgs(dataset):
    X, y = DATASETS[dataset]
    ours, reference = fit_both(X, y, solver="nesterov")
    theirs = copy.deepcopy(ours)
    theirs.coef_, theirs.intercept_ = reference.coef_, reference.intercept_
    assert ours.objective(X, y) <= theirs.objective(X, y) + 1e-12


def test_balanced_class_weight_counts_classes_by_sample_weight():
    X, y = DATASETS["iris"]
    keep = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:20]]
    sample_weight = np.random.default_rng(0).uniform(0.0, 3.0, size=keep.size)
    ours, reference = fit_both(
        X[keep],
        y[keep],
        solver="nesterov",
        sample_weight=sample_weight,
        class_weight="balanced",
    )
    assert_same_model(ours, reference, X[keep])
