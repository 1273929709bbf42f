"""Conversions to and from scikit-learn's LogisticRegression, sparsify and densify.

The oracle of every conversion is scikit-learn's own prediction: the converted
model must predict what the original predicts, to 1e-12, on the same data.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn import config_context
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

from sklogreg import GDLogisticRegression

PROBLEMS = {
    "binary": make_classification(n_samples=120, n_features=6, random_state=0),
    "three-classes": make_classification(
        n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0
    ),
}
PARAMETERS = {
    "l2": {"C": 1.0},
    "elastic-net": {"C": 0.5, "l1_ratio": 0.5},
    "l1-no-intercept": {"C": 0.5, "l1_ratio": 1.0, "fit_intercept": False},
    "no-penalty-balanced": {"C": np.inf, "class_weight": "balanced"},
}


@pytest.fixture(params=list(PROBLEMS), ids=list(PROBLEMS))
def problem(request):
    return PROBLEMS[request.param]


def _string_labels(y):
    return np.array(["ant", "bee", "cat"])[y]


@pytest.mark.parametrize("params", PARAMETERS.values(), ids=list(PARAMETERS))
def test_as_sklearn_predicts_what_the_model_predicts(problem, params):
    X, y = problem
    model = GDLogisticRegression(**params).fit(X, _string_labels(y))
    lr = model.as_sklearn()
    assert isinstance(lr, LogisticRegression)
    assert_allclose(lr.predict_proba(X), model.predict_proba(X), rtol=0, atol=1e-12)
    assert_array_equal(lr.predict(X), model.predict(X))
    assert_array_equal(lr.classes_, model.classes_)
    assert lr.coef_ is not model.coef_
    for name in ("C", "l1_ratio", "fit_intercept", "class_weight", "tol"):
        assert lr.get_params()[name] == model.get_params()[name]
    assert lr.n_iter_.tolist() == [model.n_iter_]


@pytest.mark.parametrize("l1_ratio, solver", [(0.0, "lbfgs"), (0.5, "saga")])
def test_as_sklearn_refits_to_the_same_optimum(l1_ratio, solver):
    X, y = PROBLEMS["binary"]
    model = GDLogisticRegression(l1_ratio=l1_ratio, C=0.5, tol=1e-10).fit(X, y)
    lr = model.as_sklearn()
    assert lr.solver == solver
    refit = lr.set_params(tol=1e-10, max_iter=100_000).fit(X, y)
    assert_allclose(refit.coef_, model.coef_, atol=1e-5)


def test_conversions_keep_feature_names():
    pandas = pytest.importorskip("pandas")
    X, y = PROBLEMS["binary"]
    frame = pandas.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = GDLogisticRegression().fit(frame, y)
    lr = model.as_sklearn()
    assert_array_equal(lr.feature_names_in_, model.feature_names_in_)
    assert lr.n_features_in_ == model.n_features_in_ == X.shape[1]
    back = GDLogisticRegression.from_sklearn(lr)
    assert_array_equal(back.feature_names_in_, model.feature_names_in_)
    assert_allclose(back.predict_proba(frame), lr.predict_proba(frame), atol=1e-12)


@pytest.mark.parametrize(
    "lr",
    [
        LogisticRegression(),
        LogisticRegression(solver="newton-cholesky", C=0.1),
        LogisticRegression(solver="saga", l1_ratio=0.5, max_iter=5000),
        LogisticRegression(solver="liblinear", fit_intercept=False),
        LogisticRegression(
            solver="liblinear",
            fit_intercept=False,
            dual=True,
            max_iter=10_000,
            random_state=0,
        ),
        LogisticRegression(C=np.inf, class_weight={0: 2.0, 1: 1.0}),
    ],
    ids=[
        "lbfgs",
        "newton-cholesky",
        "saga-elastic-net",
        "liblinear",
        "liblinear-dual",
        "no-penalty",
    ],
)
def test_from_sklearn_predicts_what_sklearn_predicts(problem, lr):
    X, y = problem
    if lr.solver == "liblinear" or isinstance(lr.class_weight, dict):
        X, y = X[y < 2], y[y < 2]  # liblinear fits two classes only
    lr.fit(X, y)
    model = GDLogisticRegression.from_sklearn(lr)
    assert isinstance(model, GDLogisticRegression)
    assert_allclose(model.predict_proba(X), lr.predict_proba(X), rtol=0, atol=1e-12)
    assert_allclose(model.decision_function(X), lr.decision_function(X), atol=1e-12)
    assert_array_equal(model.predict(X), lr.predict(X))
    for name in ("C", "l1_ratio", "fit_intercept", "class_weight", "tol"):
        assert model.get_params()[name] == lr.get_params()[name]
    model.coef_[...] = 0.0
    assert np.any(lr.coef_ != 0.0), "the converted model shares lr's coef_"


@pytest.mark.parametrize(
    "penalty, expected", [("l1", {"l1_ratio": 1.0}), (None, {"C": np.inf})]
)
@pytest.mark.filterwarnings("ignore:'penalty' was deprecated:FutureWarning")
@pytest.mark.filterwarnings("ignore:Inconsistent values:UserWarning")
def test_from_sklearn_reads_the_deprecated_penalty(penalty, expected):
    X, y = PROBLEMS["binary"]
    lr = LogisticRegression(penalty=penalty, solver="saga", max_iter=5000).fit(X, y)
    model = GDLogisticRegression.from_sklearn(lr)
    for name, value in expected.items():
        assert model.get_params()[name] == value


def test_from_sklearn_warm_starts_a_fit_at_its_optimum():
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    lr = LogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y)
    model = GDLogisticRegression.from_sklearn(lr).set_params(warm_start=True, tol=1e-6)
    cold = GDLogisticRegression(tol=1e-6).fit(X, y)
    model.fit(X, y)
    assert model.n_iter_ <= 1 < cold.n_iter_
    assert_allclose(model.coef_, lr.coef_, atol=1e-5)


@pytest.mark.parametrize(
    "lr, error, match",
    [
        (LogisticRegression(), NotFittedError, "not fitted yet"),
        (
            LogisticRegressionCV(
                cv=2,
                l1_ratios=(0.0,),
                scoring="neg_log_loss",
                use_legacy_attributes=False,
            ),
            TypeError,
            "LogisticRegressionCV",
        ),
        (GDLogisticRegression(), TypeError, "got GDLogisticRegression"),
        (
            LogisticRegression(solver="liblinear", dual=True),
            ValueError,
            "liblinear penalises the intercept",
        ),
        (
            LogisticRegression(solver="liblinear"),
            ValueError,
            "liblinear penalises the intercept",
        ),
    ],
    ids=["unfitted", "cv", "not-logistic-regression", "liblinear-dual", "liblinear"],
)
def test_from_sklearn_refuses_what_has_no_counterpart(lr, error, match):
    X, y = PROBLEMS["three-classes"]
    if match != "not fitted yet":
        lr.fit(X[y < 2], y[y < 2])
    with pytest.raises(error, match=match):
        GDLogisticRegression.from_sklearn(lr)


@pytest.mark.parametrize("method", ["as_sklearn", "sparsify", "densify"])
def test_unfitted_model_refuses_to_convert(method):
    with pytest.raises(NotFittedError):
        getattr(GDLogisticRegression(), method)()


def _l1_model(X, y):
    return GDLogisticRegression(C=0.05, l1_ratio=1.0).fit(X, y)


def _as_dask(X):
    da = pytest.importorskip("dask.array")
    return da.from_array(X, chunks=(40, -1))


@pytest.mark.parametrize(
    "to_input",
    [
        np.asarray,
        sparse.csr_matrix,
        sparse.csr_array,
        lambda X: X.astype(np.float32),
        _as_dask,
    ],
    ids=["dense", "csr-matrix", "csr-array", "float32", "dask"],
)
def test_sparsify_leaves_predictions_unchanged(problem, to_input):
    X, y = problem
    model = _l1_model(X, y)
    Z = to_input(X)
    expected = {
        name: np.asarray(getattr(model, name)(Z))
        for name in ("decision_function", "predict_proba", "predict")
    }
    assert model.sparsify() is model
    assert sparse.issparse(model.coef_) and model.coef_.format == "csr"
    assert model.coef_.nnz == np.count_nonzero(model.densify().coef_)
    model.sparsify()
    for name, values in expected.items():
        assert_array_equal(np.asarray(getattr(model, name)(Z)), values)


def test_densify_gives_back_the_dense_coefficients(problem):
    X, y = problem
    model = _l1_model(X, y)
    dense = model.coef_.copy()
    assert model.densify().coef_ is model.coef_  # a no-op when dense
    assert_array_equal(model.sparsify().densify().coef_, dense)
    assert isinstance(model.coef_, np.ndarray)


def test_sparsified_model_keeps_fitting_and_converting(problem):
    X, y = problem
    model = _l1_model(X, y)
    reference = _l1_model(X, y)
    model.sparsify()
    assert model.objective(X, y) == reference.objective(X, y)
    assert_allclose(
        model.as_sklearn().predict_proba(X), reference.predict_proba(X), atol=1e-12
    )
    model.set_params(warm_start=True).fit(X, y)
    assert isinstance(model.coef_, np.ndarray)
    model.sparsify().partial_fit(X, y)
    reference.partial_fit(X, y)
    assert_array_equal(model.coef_, reference.coef_)


def test_sparsify_refuses_array_api_coefficients():
    xp = pytest.importorskip("array_api_strict")
    X, y = PROBLEMS["binary"]
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression().fit(xp.asarray(X), xp.asarray(y))
        with pytest.raises(ValueError, match="sparsify needs NumPy coefficients"):
            model.sparsify()


def test_as_sklearn_brings_array_api_coefficients_to_numpy():
    xp = pytest.importorskip("array_api_strict")
    X, y = PROBLEMS["three-classes"]
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression().fit(xp.asarray(X), xp.asarray(y))
        proba = np.asarray(model.predict_proba(xp.asarray(X)))
    lr = model.as_sklearn()
    assert isinstance(lr.coef_, np.ndarray)
    assert_allclose(lr.predict_proba(X), proba, atol=1e-12)


def test_sparsified_model_predicts_numpy_input_under_array_api_dispatch(problem):
    X, y = problem
    model = _l1_model(X, y)
    expected = model.predict_proba(X)
    model.sparsify()
    with config_context(array_api_dispatch=True):
        assert_array_equal(model.predict_proba(X), expected)
