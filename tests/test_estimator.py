"""Estimator behaviour: oracles from the mathematics, errors, sklearn tooling."""

import pickle
import re
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import sparse
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from strategies import FEW, problems, seeds, underestimated_lipschitz_problem

from sklogreg import GDLogisticRegression


@pytest.fixture(scope="module")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# --- oracles from the mathematics -------------------------------------------------


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_predicted_probabilities_sum_to_observed_counts_at_optimum(dataset, request):
    # With an unpenalised intercept, d J / d b = sum_i s_i (p_i - y_i) / S = 0: the
    # model's expected class counts equal the observed ones, to within tol.
    X, y = request.getfixturevalue(dataset)
    sample_weight = np.random.default_rng(0).uniform(0.5, 2.0, size=y.size)
    tol = 1e-8
    model = GDLogisticRegression(tol=tol).fit(X, y, sample_weight=sample_weight)
    proba = model.predict_proba(X)
    one_hot = (y[:, None] == model.classes_).astype(float)
    gap = (sample_weight @ (proba - one_hot)) / sample_weight.sum()
    assert np.abs(gap).max() <= tol


def test_intercept_only_fit_recovers_log_odds():
    y = np.array([0] * 30 + [1] * 10)
    X = np.zeros((40, 3))
    model = GDLogisticRegression(tol=1e-10).fit(X, y)
    assert model.intercept_[0] == pytest.approx(np.log(10 / 30), abs=1e-9)
    np.testing.assert_array_equal(model.coef_, 0)


@pytest.mark.parametrize("solver", ["nesterov", "gd", "bb"])
def test_integer_sample_weight_equals_repeated_rows(iris, solver):
    X, y = iris
    weights = np.random.default_rng(0).integers(0, 4, size=y.size)
    weighted = GDLogisticRegression(solver=solver, tol=1e-10, max_iter=20_000)
    weighted.fit(X, y, sample_weight=weights)
    repeated = GDLogisticRegression(solver=solver, tol=1e-10, max_iter=20_000)
    repeated.fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-8)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-8)


def test_multiclass_coefficients_sum_to_zero_over_classes(iris):
    model = GDLogisticRegression().fit(*iris)
    assert model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    np.testing.assert_allclose(model.coef_.sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(model.intercept_.sum(), 0, atol=1e-12)


@pytest.mark.parametrize("solver", ["nesterov", "gd", "bb"])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_loss_curve_ends_at_the_objective_of_the_returned_model(
    breast_cancer, solver, l1_ratio
):
    X, y = breast_cancer
    model = GDLogisticRegression(solver=solver, l1_ratio=l1_ratio).fit(X, y)
    assert model.loss_curve_.shape == (model.n_iter_ + 1,)
    assert model.step_sizes_.shape == (model.n_iter_,)
    assert model.loss_curve_[-1] == pytest.approx(model.objective(X, y), rel=1e-12)
    assert model.loss_curve_[0] == pytest.approx(np.log(2), rel=1e-12)  # coef = 0


def test_gradient_max_curve_ends_with_recomputed_gradient(breast_cancer):
    X, y = breast_cancer
    model = GDLogisticRegression(C=0.5).fit(X, y)
    # The gradient of J at the returned model, recomputed from scratch.
    z = X @ model.coef_[0] + model.intercept_[0]
    residual = (1 / (1 + np.exp(-z)) - y) / y.size
    gradient = np.r_[X.T @ residual + model.coef_[0] / (0.5 * y.size), residual.sum()]
    assert model.converged_ and model.stop_reason_ == "tol"
    assert np.abs(gradient).max() <= model.tol
    assert model.gradient_max_curve_[-1] == pytest.approx(
        np.abs(gradient).max(), rel=1e-6
    )


# --- defaults, labels, dtypes, memory -------------------------------------------------


@pytest.mark.parametrize("solver", ["nesterov", "gd", "bb"])
def test_default_fit_on_standardized_breast_cancer_converges(breast_cancer, solver):
    model = GDLogisticRegression(solver=solver).fit(*breast_cancer)  # error on warning
    assert model.converged_
    assert model.score(*breast_cancer) > 0.98


def test_string_labels_round_trip(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = GDLogisticRegression().fit(X, labels)
    np.testing.assert_array_equal(model.classes_, sorted(set(labels)))
    assert model.score(X, labels) > 0.9


def test_predict_log_proba_is_finite_where_probability_underflows():
    X = np.array([[-1.0], [1.0]])
    model = GDLogisticRegression(C=np.inf).fit(
        np.array([[-1.0], [-0.5], [0.5], [1.0]]), [0, 0, 1, 1]
    )
    model.coef_ = np.array([[1e4]])  # a margin of 1e4: exp(-1e4) underflows
    log_proba = model.predict_log_proba(X)
    assert np.all(np.isfinite(log_proba))
    assert log_proba[0, 1] == pytest.approx(-1e4, rel=1e-12)
    np.testing.assert_allclose(np.exp(log_proba), model.predict_proba(X))


def test_fit_does_not_copy_c_contiguous_float_X():
    X = np.random.default_rng(0).normal(size=(20_000, 100))  # 16 MB
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = GDLogisticRegression(max_iter=5)
    tracemalloc.start()
    try:
        with pytest.warns(ConvergenceWarning):
            model.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.25 * X.nbytes


def test_csr_input_gives_same_model_as_dense(breast_cancer):
    X, y = breast_cancer
    dense = GDLogisticRegression(tol=1e-8).fit(X, y)
    csr = GDLogisticRegression(tol=1e-8).fit(sparse.csr_matrix(X), y)
    # Both are within tol / mu = 1e-8 / (1 / (C n)) ~ 6e-6 of the same optimum.
    np.testing.assert_allclose(csr.coef_, dense.coef_, atol=1e-5)
    np.testing.assert_allclose(
        csr.predict_proba(sparse.csr_matrix(X)), dense.predict_proba(X), atol=1e-6
    )


def test_warm_start_continues_from_previous_solution(breast_cancer):
    X, y = breast_cancer
    model = GDLogisticRegression(warm_start=True, tol=1e-6).fit(X, y)
    cold_iterations = model.n_iter_
    model.fit(X, y)
    assert model.n_iter_ < cold_iterations / 5
    assert model.loss_curve_[0] == pytest.approx(model.loss_curve_[-1], rel=1e-8)


# --- errors ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("where", ["X", "sample_weight"])
def test_non_finite_input_raises(breast_cancer, bad, where):
    X, y = breast_cancer
    X = X.copy()
    sample_weight = np.ones(y.size)
    (X if where == "X" else sample_weight)[3] = bad
    with pytest.raises(ValueError, match=r"NaN|infinity|finite"):
        GDLogisticRegression().fit(X, y, sample_weight=sample_weight)


def test_nan_in_y_raises(breast_cancer):
    X, y = breast_cancer
    y = y.astype(float)
    y[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GDLogisticRegression().fit(X, y)


def test_one_class_raises(breast_cancer):
    X, _ = breast_cancer
    with pytest.raises(ValueError, match="at least 2 classes"):
        GDLogisticRegression().fit(X, np.ones(X.shape[0]))


def test_continuous_target_raises(breast_cancer):
    X, _ = breast_cancer
    with pytest.raises(ValueError, match="Unknown label type"):
        GDLogisticRegression().fit(X, np.linspace(0, 1, X.shape[0]))


def test_negative_or_zero_sum_sample_weight_raises(breast_cancer):
    X, y = breast_cancer
    with pytest.raises(ValueError, match=r"(?i)negative"):
        GDLogisticRegression().fit(X, y, sample_weight=-np.ones(y.size))
    with pytest.raises(ValueError, match=r"non-zero|sum to zero"):
        GDLogisticRegression().fit(X, y, sample_weight=np.zeros(y.size))


# Weights and C that no float can carry through the objective: the error names that
# cause, never the learning rate or the scale of the features.
UNUSABLE_WEIGHTS = {
    "negative-class-weight": (
        {"class_weight": {0: -5, 1: 1}},
        None,
        r"class_weight must give every class a finite, non-negative weight.*\{0: -5\}",
    ),
    "nan-class-weight": (
        {"class_weight": {0: np.nan, 1: 1}},
        None,
        r"finite, non-negative weight.*\{0: nan\}",
    ),
    "inf-class-weight": (
        {"class_weight": {0: np.inf, 1: 1}},
        None,
        r"finite, non-negative weight.*\{0: inf\}",
    ),
    "subnormal-weights": (
        {},
        1e-320,
        r"too small to be represented relative to each other: the largest, 1e-320",
    ),
    "overflowing-products": (
        {"class_weight": {0: 1e300, 1: 1}},
        1e10,
        "sample weights times the class weights overflow float64",
    ),
    "smallest-C": ({"C": 5e-324}, None, r"C=4.94066e-324 is too small.*1/\(C S\)"),
    "tiny-C": ({"C": 1e-310}, None, r"C=1e-310 is too small.*1/\(C S\) overflows"),
}


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("solver", ["nesterov", "sgd"])
@pytest.mark.parametrize("learning_rate", ["auto", 0.1])
@pytest.mark.parametrize(
    ("params", "weight", "message"),
    list(UNUSABLE_WEIGHTS.values()),
    ids=list(UNUSABLE_WEIGHTS),
)
def test_unusable_weights_or_c_raise_naming_their_cause(
    breast_cancer, method, solver, learning_rate, params, weight, message
):
    X, y = breast_cancer
    model = GDLogisticRegression(solver=solver, learning_rate=learning_rate, **params)
    sample_weight = None if weight is None else np.full(y.size, weight)
    extra = {"classes": [0, 1]} if method == "partial_fit" else {}
    # filterwarnings=error: a RuntimeWarning on the way would fail this test first.
    with pytest.raises(ValueError, match=message) as error:
        getattr(model, method)(X, y, sample_weight=sample_weight, **extra)
    assert "learning_rate" not in str(error.value)
    assert "StandardScaler" not in str(error.value)


@pytest.mark.parametrize("C", [np.float64(1e300), np.float32(1e30), 1e300])
def test_large_c_of_any_float_type_fits_without_overflow_warnings(breast_cancer, C):
    # filterwarnings=error: the check of the penalty's size must not overflow itself.
    model = GDLogisticRegression(C=C).fit(*breast_cancer)
    assert np.all(np.isfinite(model.coef_))


def test_balanced_class_weight_gives_a_class_of_zero_total_weight_weight_zero(iris):
    X, y = iris
    sample_weight = np.where(y == 2, 0.0, 1.0)
    balanced = GDLogisticRegression(class_weight="balanced").fit(
        X, y, sample_weight=sample_weight
    )
    # 100 weighted rows over the 3 classes present, 50 in each weighted class; the
    # rows of class 2 weigh nothing, whatever its class weight (not inf: 0 * inf).
    weights = {0: 100 / (3 * 50), 1: 100 / (3 * 50), 2: 0.0}
    explicit = GDLogisticRegression(class_weight=weights).fit(
        X, y, sample_weight=sample_weight
    )
    assert np.all(np.isfinite(balanced.coef_))
    np.testing.assert_array_equal(balanced.coef_, explicit.coef_)


def test_diverging_learning_rate_names_the_safe_step(breast_cancer):
    X, y = breast_cancer
    with pytest.raises(ValueError, match=r"safe step .* 1/L = \d") as error:
        GDLogisticRegression(solver="gd", learning_rate=1e6).fit(X, y)
    assert "learning_rate=1000000.0" in str(error.value)


def test_failed_fit_leaves_previous_model_untouched(breast_cancer, iris):
    X, y = breast_cancer
    model = GDLogisticRegression(solver="gd").fit(X, y)
    before = {k: np.copy(v) for k, v in vars(model).items() if k.endswith("_")}
    with pytest.raises(ValueError):
        model.set_params(learning_rate=1e6).fit(X, y)
    with pytest.raises(ValueError):
        model.fit(iris[0], np.zeros(iris[0].shape[0]))  # other shape, one class
    after = {k: v for k, v in vars(model).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("scale", [1e150, 1e-150])
def test_extreme_feature_scales_never_give_nan(breast_cancer, scale):
    X, y = breast_cancer
    X = X * scale
    model = GDLogisticRegression(max_iter=200).fit(X, y)
    assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model.intercept_))
    assert np.all(np.isfinite(model.predict_proba(X)))
    if scale > 1:
        # The penalty is negligible next to the data: the features separate well.
        assert model.score(X, y) > 0.95
    else:
        # The penalty dominates features of size 1e-150: only the intercept is left,
        # and it predicts the majority class.
        np.testing.assert_array_equal(model.predict(X), np.bincount(y).argmax())


def test_convergence_warning_says_what_to_change(breast_cancer):
    X, y = breast_cancer
    message = (
        r"solver='gd'\) did not converge in max_iter=3 iterations: the largest "
        r"gradient entry is .* above tol=0.0001.*increase max_iter.*solver='bb'"
    )
    with pytest.warns(ConvergenceWarning, match=message):
        model = GDLogisticRegression(solver="gd", max_iter=3).fit(X, y)
    assert not model.converged_ and model.stop_reason_ == "max_iter"


def test_convergence_warning_puts_unscaled_features_first():
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.warns(ConvergenceWarning) as record:
        GDLogisticRegression(max_iter=20).fit(X, y)
    message = str(record[0].message)
    assert re.search(r"To fix it: the features have very different scales", message)


def test_unfitted_model_raises_not_fitted(breast_cancer):
    with pytest.raises(NotFittedError):
        GDLogisticRegression().predict(breast_cancer[0])


# --- scikit-learn tooling -------------------------------------------------------------


# A grid over the step is expected to hold rates too small to converge in max_iter
# (ConvergenceWarning) and one so large that it diverges (a failed fit, scored NaN).
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.FitFailedWarning")
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_grid_search_over_learning_rate_in_pipeline_picks_a_finite_best():
    X, y = load_breast_cancer(return_X_y=True)
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            ("classifier", GDLogisticRegression(solver="gd", max_iter=300)),
        ]
    )
    rates = [0.001, 0.01, 0.1, 1e3]
    search = GridSearchCV(pipeline, {"classifier__learning_rate": rates}, cv=3)
    search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[-1])  # the diverging rate failed with its ValueError
    assert np.all(np.isfinite(scores[:-1]))
    assert search.best_params_["classifier__learning_rate"] == 0.1
    assert search.best_score_ > 0.95


def test_cross_val_score_clone_and_pickle_round_trip(breast_cancer):
    X, y = breast_cancer
    scores = cross_val_score(GDLogisticRegression(C=0.5), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9
    model = GDLogisticRegression(C=0.5, solver="gd").fit(X, y)
    assert clone(model).get_params() == model.get_params()
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


def test_feature_names_are_recorded_from_dataframe(breast_cancer):
    pd = pytest.importorskip("pandas")
    X, y = breast_cancer
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = GDLogisticRegression().fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)


def test_convergence_warning_as_error_leaves_previous_model_untouched(
    breast_cancer, iris
):
    model = GDLogisticRegression().fit(*breast_cancer)
    coef = model.coef_.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning):
            model.set_params(max_iter=2).fit(*iris)
    np.testing.assert_array_equal(model.coef_, coef)
    assert model.n_features_in_ == breast_cancer[0].shape[1]
    assert model.predict(breast_cancer[0]).shape == (breast_cancer[0].shape[0],)


def test_weights_near_float_max_do_not_overflow(breast_cancer):
    X, y = breast_cancer
    # S overflows to inf, so the penalty 1/(C S) vanishes: the unpenalised model,
    # on nearly separable data, which fits the training set almost perfectly.
    huge = GDLogisticRegression().fit(X, y, sample_weight=np.full(y.size, 1e306))
    assert huge.n_iter_ > 0 and np.all(np.isfinite(huge.coef_))
    assert huge.score(X, y) > GDLogisticRegression().fit(X, y).score(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_tiny_features_without_penalty_fit_like_standard_ones(breast_cancer):
    X, y = breast_cancer
    tiny = GDLogisticRegression(C=np.inf, max_iter=300).fit(X * 1e-160, y)
    assert np.all(np.isfinite(tiny.coef_))
    assert tiny.score(X * 1e-160, y) > 0.97


def test_convergence_warning_blames_an_overshooting_fixed_rate(breast_cancer):
    X, y = breast_cancer
    # 60x the safe step 1/L ~ 0.3: the objective rises but stays below divergence.
    with pytest.warns(ConvergenceWarning, match="rose above its starting value") as w:
        GDLogisticRegression(
            solver="gd", learning_rate=20.0, C=np.inf, max_iter=50
        ).fit(X, y)
    assert "may be too small" not in str(w[0].message)


@pytest.mark.parametrize("learning_rate", [1e200, 1e300])
def test_absurd_learning_rate_gives_the_clear_error_without_overflow_warnings(
    breast_cancer, learning_rate
):
    # filterwarnings=error: an overflow RuntimeWarning would fail this test first.
    with pytest.raises(ValueError, match="safe step"):
        GDLogisticRegression(solver="gd", learning_rate=learning_rate).fit(
            *breast_cancer
        )


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("solver", ["nesterov", "gd", "bb", "sgd"])
@pytest.mark.parametrize("learning_rate", ["auto", 0.1])
@pytest.mark.parametrize("scale", [1e200, 3e153])
def test_features_too_large_raise_before_any_warning(
    breast_cancer, method, solver, learning_rate, scale
):
    X, y = breast_cancer
    # 3e153: each square fits in a float, a row of 30 of them does not.
    X = X / np.abs(X).max() * scale
    model = GDLogisticRegression(solver=solver, learning_rate=learning_rate)
    extra = {"classes": [0, 1]} if method == "partial_fit" else {}
    # filterwarnings=error: the ValueError must be the first thing raised.
    with pytest.raises(ValueError, match="features are too large in magnitude"):
        getattr(model, method)(X, y, **extra)


@pytest.mark.parametrize("solver", ["nesterov", "gd", "sgd"])
def test_a_diverging_rate_on_features_of_1e100_names_the_safe_step(
    breast_cancer, solver
):
    # The curvature, about 1e200, is representable, its square is not: the safe step
    # 1/L is still computed, without an overflow warning before the error.
    X, y = breast_cancer
    with pytest.raises(ValueError, match=r"learning_rate=1\.0 is too large.*1/L = \d"):
        GDLogisticRegression(solver=solver, learning_rate=1.0).fit(X * 1e100, y)


# -- properties, drawn with hypothesis ------------------------------------------


def _assert_probabilities(proba, log_proba, margins):
    """Rows of probabilities, and their logs, as the softmax of ``margins`` gives."""
    assert np.all(np.isfinite(proba))
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(np.isfinite(log_proba))
    assert np.all(log_proba <= 0)
    # log p_k - log p_j = z_k - z_j exactly: finite logs that are merely clipped (to
    # log of the smallest float, say) at an extreme margin would break this.
    np.testing.assert_allclose(
        log_proba - log_proba[:, :1],
        margins - margins[:, :1],
        rtol=1e-12,
        atol=1e-12 * (1 + np.abs(margins).max()),
    )
    np.testing.assert_allclose(logsumexp(log_proba, axis=1), 0.0, atol=1e-12)
    # Where a probability is representable, it is exp of its log.
    representable = proba > 1e-300
    np.testing.assert_allclose(
        np.log(proba[representable]), log_proba[representable], rtol=1e-12, atol=1e-12
    )


@given(
    seed=seeds,
    n_classes=st.sampled_from([2, 3, 5]),
    margin_scale=st.sampled_from([1.0, 30.0, 800.0, 1e4]),
)
@FEW
def test_probabilities_are_a_distribution_even_at_extreme_margins(
    seed, n_classes, margin_scale
):
    # A fitted estimator whose coefficients are then set so that its margins are
    # exactly drawn numbers up to 1e4 in size (exp overflows beyond ~709): predict_proba
    # and predict_log_proba must stay finite, warning-free (warnings are errors here)
    # and consistent with each other and with the margins.
    rng = np.random.default_rng(seed)
    n_samples = 12
    # Identity coefficients and no intercept: the data *are* the margins (for two
    # classes, one column: the log-odds of the second class).
    n_columns = 1 if n_classes == 2 else n_classes
    labels = np.arange(n_samples) % n_classes
    model = GDLogisticRegression().fit(
        rng.standard_normal((n_samples, n_columns)), labels
    )
    model.coef_ = np.eye(n_columns)
    model.intercept_ = np.zeros(n_columns)
    margins = margin_scale * rng.uniform(-1, 1, (n_samples, n_columns))
    margins[0] = margin_scale  # ties at the extreme
    margins[1] = -margin_scale
    np.testing.assert_array_equal(
        model.decision_function(margins).reshape(-1, n_columns), margins
    )
    logits = (
        np.column_stack([np.zeros(n_samples), margins]) if n_classes == 2 else margins
    )

    _assert_probabilities(
        model.predict_proba(margins), model.predict_log_proba(margins), logits
    )
    np.testing.assert_array_equal(model.predict(margins), logits.argmax(axis=1))


@given(problem=problems(C=st.floats(-1.0, 1.0).map(lambda e: 10.0**e)))
@example(problem=underestimated_lipschitz_problem())
@FEW
def test_fit_with_integer_sample_weight_equals_fit_on_repeated_rows(problem):
    # The same at the estimator level: both fits minimise the same strongly convex J
    # (C <= 10), so at tol=1e-10 both are within ~1e-8 of the one minimiser.
    counts = problem.rng.integers(1, 3, size=len(problem.labels))
    counts[0] = 2
    params = {
        "C": problem.C,
        "l1_ratio": 0.0,
        "fit_intercept": problem.fit_intercept,
        "tol": 1e-10,
    }
    weighted = GDLogisticRegression(**params).fit(
        problem.X, problem.labels, sample_weight=counts.astype(float)
    )
    repeated = GDLogisticRegression(**params).fit(
        np.repeat(problem.X, counts, axis=0), np.repeat(problem.labels, counts)
    )
    # Relative as well as absolute: an unpenalised intercept absorbs the columns'
    # offsets and can reach 30, and its last digits depend on where each fit stopped
    # (observed up to 7e-9 relative over 400 examples).
    np.testing.assert_allclose(repeated.coef_, weighted.coef_, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(
        repeated.intercept_, weighted.intercept_, rtol=1e-7, atol=1e-7
    )
