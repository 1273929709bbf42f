"""GDLogisticRegressionCV: the path, the choice of C and its attributes.

The oracle is scikit-learn's LogisticRegressionCV on the same folds, grid and
scoring. Its lbfgs solves run at tol=1e-10; ours at tol=1e-7, where the scores of
the grids below agree to at most 4.2e-5 (measured: digits at C=10; 8.8e-6 on breast
cancer, 2e-8 on the 3-class set), under the 1e-4 asserted.
"""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import get_scorer
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklogreg import GDLogisticRegression, GDLogisticRegressionCV

TOL = 1e-7
REFERENCE_TOL = 1e-10


def _breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y, np.logspace(-3, 1, 5)


def _digits():
    # Every other row (899 x 64, ten classes) keeps the reference fits quick.
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[::2]), y[::2], np.logspace(-2, 1, 4)


def _three_classes():
    X, y = make_classification(
        n_samples=300,
        n_features=10,
        n_informative=4,
        n_classes=3,
        flip_y=0.2,
        class_sep=0.7,
        random_state=0,
    )
    return X, y, np.logspace(-3, 1, 5)


DATASETS = {
    "breast_cancer": _breast_cancer,
    "digits": _digits,
    "three_classes": _three_classes,
}


@pytest.fixture(scope="module", params=list(DATASETS))
def both_fitted(request):
    X, y, Cs = DATASETS[request.param]()
    cv = StratifiedKFold(3)
    ours = GDLogisticRegressionCV(Cs=Cs, cv=cv, tol=TOL, max_iter=100_000).fit(X, y)
    reference = LogisticRegressionCV(
        Cs=Cs,
        cv=cv,
        l1_ratios=(0.0,),
        scoring="neg_log_loss",
        tol=REFERENCE_TOL,
        max_iter=10_000,
        use_legacy_attributes=False,
    ).fit(X, y)
    return ours, reference, X, y


def test_chooses_the_C_of_LogisticRegressionCV_with_its_scores(both_fitted):
    ours, reference, _, _ = both_fitted
    # The grids put the best C inside, where a wrong score could move it.
    assert reference.Cs_[0] < reference.C_ < reference.Cs_[-1]
    assert ours.C_ == reference.C_
    assert ours.l1_ratio_ == reference.l1_ratio_
    np.testing.assert_allclose(ours.scores_, reference.scores_, rtol=0, atol=1e-4)


def test_attributes_have_LogisticRegressionCV_layout(both_fitted):
    ours, reference, _, _ = both_fitted
    for name in ("scores_", "coefs_paths_", "n_iter_", "Cs_", "l1_ratios_"):
        assert getattr(ours, name).shape == getattr(reference, name).shape, name
    for name in ("C_", "l1_ratio_"):
        assert type(getattr(ours, name)) is float
    np.testing.assert_array_equal(ours.classes_, reference.classes_)
    assert ours.coef_.shape == reference.coef_.shape
    assert ours.intercept_.shape == reference.intercept_.shape


def test_path_and_refit_agree_with_LogisticRegressionCV(both_fitted):
    ours, reference, X, _ = both_fitted
    # A gradient of 1e-7 leaves coefficients of the weakest penalty (digits at
    # C=10) up to 2e-3 from the optimum; the others far closer.
    np.testing.assert_allclose(
        ours.coefs_paths_, reference.coefs_paths_, rtol=0, atol=5e-3
    )
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-3)
    np.testing.assert_allclose(
        ours.predict_proba(X), reference.predict_proba(X), rtol=0, atol=1e-5
    )


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(
        n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=1
    )
    return X, y


@pytest.mark.parametrize("data", ["binary", "multiclass"])
@pytest.mark.parametrize("l1_ratios", [(0.0,), (0.0, 0.5, 1.0)])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fitted_shapes(request, data, l1_ratios, fit_intercept):
    X, y = request.getfixturevalue(data)
    n_classes = np.unique(y).size
    model = GDLogisticRegressionCV(
        Cs=4, l1_ratios=l1_ratios, cv=3, fit_intercept=fit_intercept
    ).fit(X, y)
    n_rows = 1 if n_classes == 2 else n_classes
    grid = (3, len(l1_ratios), 4)
    assert model.scores_.shape == grid
    assert model.n_iter_.shape == grid
    assert model.coefs_paths_.shape == (*grid, n_rows, X.shape[1] + fit_intercept)
    assert model.coef_.shape == (n_rows, X.shape[1])
    assert model.intercept_.shape == (n_rows,)
    np.testing.assert_array_equal(model.l1_ratios_, l1_ratios)
    assert model.C_ in model.Cs_ and model.l1_ratio_ in model.l1_ratios_
    if not fit_intercept:
        np.testing.assert_array_equal(model.intercept_, 0.0)


def test_refit_is_the_fit_at_the_best_point(multiclass):
    X, y = multiclass
    model = GDLogisticRegressionCV(
        Cs=[0.01, 0.1, 1.0, 10.0], l1_ratios=(0.0, 0.5), cv=3, tol=1e-8
    ).fit(X, y)
    by_c_then_l1 = model.scores_.sum(axis=0).T
    c_index, l1_index = np.unravel_index(np.argmax(by_c_then_l1), by_c_then_l1.shape)
    assert model.C_ == model.Cs_[c_index]
    assert model.l1_ratio_ == model.l1_ratios_[l1_index]
    single = GDLogisticRegression(C=model.C_, l1_ratio=model.l1_ratio_, tol=1e-8)
    single.fit(X, y)
    np.testing.assert_allclose(model.coef_, single.coef_, atol=1e-5)
    np.testing.assert_allclose(model.intercept_, single.intercept_, atol=1e-5)


def test_no_refit_averages_each_folds_best_as_LogisticRegressionCV():
    X, y, _ = _breast_cancer()
    Cs, cv = np.logspace(-3, 1, 5), StratifiedKFold(4)
    ours = GDLogisticRegressionCV(Cs=Cs, cv=cv, refit=False, tol=TOL).fit(X, y)
    reference = LogisticRegressionCV(
        Cs=Cs,
        cv=cv,
        l1_ratios=(0.0,),
        scoring="neg_log_loss",
        refit=False,
        tol=REFERENCE_TOL,
        max_iter=10_000,
        use_legacy_attributes=False,
    ).fit(X, y)
    assert ours.C_ == pytest.approx(reference.C_)
    best = ours.scores_[:, 0].argmax(axis=1)
    assert ours.C_ == pytest.approx(ours.Cs_[best].mean())
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-3)
    mean_best = ours.coefs_paths_[np.arange(4), 0, best].mean(axis=0)
    np.testing.assert_allclose(ours.coef_, mean_best[:, :-1])
    np.testing.assert_allclose(ours.intercept_, mean_best[:, -1])


def test_warm_starts_take_fewer_iterations_than_cold_fits_to_the_same_points():
    X, y, _ = _breast_cancer()
    Cs = np.logspace(-4, 4, 10)
    folds = list(StratifiedKFold(3).split(X, y))
    model = GDLogisticRegressionCV(Cs=Cs, cv=folds, tol=1e-6).fit(X, y)
    cold_total = 0
    for fold, (train, _) in enumerate(folds):
        for index, C in enumerate(Cs):
            cold = GDLogisticRegression(C=C, tol=1e-6).fit(X[train], y[train])
            cold_total += cold.n_iter_
            # Both certify a gradient of 1e-6; at C=1e4 (nearly separable, a flat
            # valley) that leaves coefficients far apart, objectives 2e-6 apart.
            point = model.coefs_paths_[fold, 0, index]
            on_path = clone(cold)
            on_path.coef_, on_path.intercept_ = point[:, :-1], point[:, -1]
            on_path.classes_, on_path.n_features_in_ = cold.classes_, X.shape[1]
            assert on_path.objective(X[train], y[train]) == pytest.approx(
                cold.objective(X[train], y[train]), rel=0, abs=1e-5
            )
    assert model.n_iter_.sum() < 0.8 * cold_total


def test_Cs_as_int_is_the_logspace_grid_and_any_order_is_walked_upward(binary):
    X, y = binary
    by_count = GDLogisticRegressionCV(Cs=5, cv=3, tol=1e-6).fit(X, y)
    np.testing.assert_allclose(by_count.Cs_, np.logspace(-4, 4, 5))
    shuffled = [1.0, 1e-4, 1e4, 100.0, 0.01]
    order = np.argsort(shuffled)
    by_list = GDLogisticRegressionCV(Cs=shuffled, cv=3, tol=1e-6).fit(X, y)
    np.testing.assert_array_equal(by_list.Cs_, shuffled)
    np.testing.assert_allclose(by_list.scores_[..., order], by_count.scores_)
    np.testing.assert_array_equal(by_list.n_iter_[..., order], by_count.n_iter_)
    assert by_list.C_ == by_count.C_


def test_sample_weight_reaches_fits_and_scorer_as_LogisticRegressionCV(binary):
    X, y = binary
    weights = np.random.default_rng(0).uniform(0.2, 3.0, y.size)
    Cs, cv = [0.01, 0.1, 1.0], StratifiedKFold(3)
    ours = GDLogisticRegressionCV(Cs=Cs, cv=cv, tol=TOL).fit(X, y, weights)
    reference = LogisticRegressionCV(
        Cs=Cs,
        cv=cv,
        l1_ratios=(0.0,),
        scoring="neg_log_loss",
        tol=REFERENCE_TOL,
        max_iter=10_000,
        use_legacy_attributes=False,
    ).fit(X, y, weights)
    np.testing.assert_allclose(ours.scores_, reference.scores_, atol=1e-6)


@pytest.mark.parametrize("scorer_wants_weights", [True, False])
def test_metadata_routing_sends_weights_to_a_scorer_that_requests_them(
    binary, scorer_wants_weights
):
    X, y = binary
    weights = np.random.default_rng(0).uniform(0.2, 3.0, y.size)
    groups = np.arange(y.size) % 3
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = get_scorer("neg_log_loss").set_score_request(
            sample_weight=scorer_wants_weights
        )
        model = GDLogisticRegressionCV(Cs=[0.1, 1.0], cv=GroupKFold(3), scoring=scorer)
        model.set_fit_request(sample_weight=True)
        model.fit(X, y, sample_weight=weights, groups=groups)
    for fold, (train, test) in enumerate(GroupKFold(3).split(X, y, groups)):
        fitted = GDLogisticRegression(C=0.1).fit(X[train], y[train], weights[train])
        point = model.coefs_paths_[fold, 0, 0]
        np.testing.assert_allclose(point[:, :-1], fitted.coef_, atol=1e-3)
        score_weights = weights[test] if scorer_wants_weights else None
        expected = get_scorer("neg_log_loss")(
            fitted, X[test], y[test], sample_weight=score_weights
        )
        assert model.scores_[fold, 0, 0] == pytest.approx(expected, abs=1e-4)


def test_parallel_folds_give_the_same_model(binary):
    X, y = binary
    serial = GDLogisticRegressionCV(Cs=3, cv=3).fit(X, y)
    parallel = GDLogisticRegressionCV(Cs=3, cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(serial.scores_, parallel.scores_)
    np.testing.assert_array_equal(serial.coef_, parallel.coef_)


def test_float32_input_keeps_float32_coefficients(binary):
    X, y = binary
    model = GDLogisticRegressionCV(Cs=3, cv=3, tol=1e-3).fit(X.astype(np.float32), y)
    assert model.coefs_paths_.dtype == np.float32
    assert model.coef_.dtype == np.float32


def test_stopping_at_max_iter_warns_once_with_the_count(binary):
    X, y = binary
    with pytest.warns(ConvergenceWarning, match=r"of 9 fits along the paths") as record:
        GDLogisticRegressionCV(Cs=3, cv=3, max_iter=1, refit=False).fit(X, y)
    assert len(record) == 1


def test_a_diverging_learning_rate_names_the_safe_step(binary):
    X, y = binary
    with pytest.raises(ValueError, match="safe step"):
        GDLogisticRegressionCV(Cs=3, cv=3, learning_rate=1e6, solver="gd").fit(X, y)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"Cs": []}, ValueError, "Cs must be"),
        ({"Cs": [1.0, -1.0]}, ValueError, "Cs must be"),
        ({"Cs": [1.0, np.nan]}, ValueError, "Cs must be"),
        ({"Cs": 0}, InvalidParameterError, "Cs"),
        ({"l1_ratios": (0.5, 1.5)}, ValueError, "l1_ratios must be"),
        ({"l1_ratios": ()}, ValueError, "l1_ratios must be"),
        ({"scoring": "no such score"}, InvalidParameterError, "scoring"),
        ({"solver": "sgd"}, InvalidParameterError, "solver"),
        ({"class_weight": {7: 1.0}}, ValueError, "class"),
    ],
)
def test_bad_parameters_name_the_cause(binary, params, error, match):
    X, y = binary
    with pytest.raises(error, match=match):
        GDLogisticRegressionCV(cv=3, **params).fit(X, y)


def test_one_class_is_refused(binary):
    X, _ = binary
    with pytest.raises(ValueError, match="class"):
        GDLogisticRegressionCV(cv=3).fit(X, np.zeros(X.shape[0]))


def test_defaults_fit_and_score_with_the_chosen_scoring(binary):
    X, y = binary
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GDLogisticRegressionCV().fit(X, y)
    assert model.scores_.shape == (5, 1, 10)
    assert model.score(X, y) == pytest.approx(get_scorer("neg_log_loss")(model, X, y))
