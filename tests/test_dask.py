"""Fitting on Dask arrays across a real dask.distributed cluster (two processes)."""

import numpy as np
import pytest
from conftest import FitCallbackBase
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression
from sklogreg._callbacks import CALLBACKS_AVAILABLE

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")

CHUNK_ROWS = 150
# Tight enough that two fits agree to 1e-8 whatever their paths: on these standardised
# problems the penalty's curvature 1/(C n) bounds |coef - coef*| by ~n * tol.
TIGHT = {"tol": 1e-12, "max_iter": 3000}


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each, closed after the module."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            memory_limit="1GiB",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def make_problem(n_classes, *, n_samples=600, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )
    weights = np.random.default_rng(seed).uniform(0.5, 2.0, n_samples)
    return StandardScaler().fit_transform(X), y, weights


def as_dask(*arrays):
    return [da.from_array(a, chunks=(CHUNK_ROWS, *a.shape[1:])) for a in arrays]


def assert_same_model(model, reference, atol=1e-8):
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=0, atol=atol)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=atol)
    np.testing.assert_array_equal(model.classes_, reference.classes_)


@pytest.mark.parametrize(
    "n_classes, params",
    [
        (2, {}),
        (3, {}),
        (2, {"l1_ratio": 0.5, "class_weight": "balanced"}),
        (3, {"solver": "gd", "class_weight": {0: 2.0, 1: 1.0, 2: 0.5}}),
        (3, {"solver": "bb", "l1_ratio": 0.5}),
    ],
    ids=[
        "binary",
        "multiclass",
        "binary-elasticnet-balanced",
        "multiclass-gd-dict",
        "multiclass-bb-elasticnet",
    ],
)
def test_coef_matches_numpy_fit_on_a_two_worker_cluster(client, n_classes, params):
    X, y, weights = make_problem(n_classes)
    reference = GDLogisticRegression(**TIGHT, **params).fit(X, y, sample_weight=weights)
    X_dask, y_dask, weights_dask = as_dask(X, y, weights)
    model = GDLogisticRegression(**TIGHT, **params).fit(
        X_dask, y_dask, sample_weight=weights_dask
    )
    assert model.converged_ and reference.converged_
    assert_same_model(model, reference)
    assert model.n_features_in_ == X.shape[1]


def test_csr_chunks_fit_like_dense_numpy(client):
    X, y, _ = make_problem(2)
    X[np.abs(X) < 0.7] = 0  # about half the entries
    reference = GDLogisticRegression(**TIGHT).fit(X, y)
    (X_dask,) = as_dask(X)
    X_csr = X_dask.map_blocks(sparse.csr_matrix, meta=sparse.csr_matrix((0, 0)))
    model = GDLogisticRegression(**TIGHT).fit(X_csr, da.from_array(y, CHUNK_ROWS))
    assert_same_model(model, reference)


def test_predictions_are_lazy_and_match_numpy(client):
    X, y, weights = make_problem(3)
    X_dask, y_dask, weights_dask = as_dask(X, y, weights)
    model = GDLogisticRegression().fit(X_dask, y_dask, sample_weight=weights_dask)
    in_memory = GDLogisticRegression()
    for name in ("coef_", "intercept_", "classes_", "n_features_in_"):
        setattr(in_memory, name, getattr(model, name))
    methods = ("decision_function", "predict", "predict_proba", "predict_log_proba")
    for method in methods:
        lazy = getattr(model, method)(X_dask)
        assert isinstance(lazy, da.Array)
        assert lazy.chunks[0] == X_dask.chunks[0]
        np.testing.assert_allclose(lazy.compute(), getattr(in_memory, method)(X))


class RestartWorkerAt(FitCallbackBase):
    """A FitCallback that restarts one worker (losing its chunks) mid-fit."""

    def __init__(self, client, iteration):
        self.client = client
        self.iteration = iteration
        self.restarted = None

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "iteration" and context.task_id + 1 == self.iteration:
            worker = sorted(self.client.scheduler_info()["workers"])[0]
            self.client.restart_workers([worker], timeout=120)
            self.restarted = worker
        return False


@pytest.mark.skipif(not CALLBACKS_AVAILABLE, reason="needs scikit-learn >= 1.9")
def test_fit_finishes_with_the_same_coef_after_a_worker_restart(client):
    X, y, weights = make_problem(2)
    X_dask, y_dask, weights_dask = client.persist(as_dask(X, y, weights))
    undisturbed = GDLogisticRegression(**TIGHT).fit(
        X_dask, y_dask, sample_weight=weights_dask
    )
    restart = RestartWorkerAt(client, iteration=5)
    model = GDLogisticRegression(**TIGHT).set_callbacks(restart)
    model.fit(X_dask, y_dask, sample_weight=weights_dask)
    assert restart.restarted is not None
    assert restart.restarted not in client.scheduler_info()["workers"]
    # The lost chunks were recomputed from their graph and summed in the same tree:
    # the same iterates up to round-off (BLAS may round a recomputed chunk, at
    # another address, in its last bit; measured 3e-17).
    assert model.converged_ and model.n_iter_ > 5
    np.testing.assert_allclose(model.coef_, undisturbed.coef_, rtol=0, atol=1e-12)
    reference = GDLogisticRegression(**TIGHT).fit(X, y, sample_weight=weights)
    assert_same_model(model, reference)


@pytest.mark.parametrize(
    "make_input, message",
    [
        (
            lambda X, y: (da.from_array(X, chunks=(CHUNK_ROWS, 3)), y),
            r"chunked along its columns .*X\.rechunk\(\{1: -1\}\)",
        ),
        (
            lambda X, y: (
                da.from_array(X, chunks=(CHUNK_ROWS, -1)),
                da.from_array(y, chunks=100),
            ),
            r"row chunks of y .* do not match those of X .*"
            r"y\.rechunk\(X\.chunks\[0\]\)",
        ),
        (
            lambda X, y: (
                da.from_array(X, chunks=(CHUNK_ROWS, -1))[da.from_array(y) >= 0],
                y,
            ),
            r"unknown size .*compute_chunk_sizes",
        ),
        (
            lambda X, y: (da.from_array(X, chunks=(CHUNK_ROWS, -1)), y[:-1]),
            r"y has shape \(599,\), but X has 600 rows",
        ),
    ],
    ids=["column-chunked", "misaligned-y", "unknown-chunks", "short-y"],
)
def test_bad_dask_input_raises_a_clear_error_and_keeps_the_model(make_input, message):
    X, y, _ = make_problem(2)
    model = GDLogisticRegression().fit(X, y)
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match=message):
        model.fit(*make_input(X, y))
    np.testing.assert_array_equal(model.coef_, coef)
    assert model.n_features_in_ == X.shape[1]


@pytest.mark.parametrize(
    "corrupt, message",
    [
        ("nan", "NaN or infinity"),
        ("negative-weight", "finite and non-negative"),
    ],
)
def test_bad_values_in_chunks_raise_a_clear_error(corrupt, message):
    X, y, weights = make_problem(2)
    if corrupt == "nan":
        X[123, 2] = np.nan
    else:
        weights[321] = -1.0
    with pytest.raises(ValueError, match=message):
        GDLogisticRegression().fit(*as_dask(X, y), sample_weight=weights)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("y_kind", ["dask", "numpy"])
def test_non_finite_labels_give_the_error_scikit_learn_gives(bad, y_kind):
    X, y, _ = make_problem(2)
    y = y.astype(float)
    y[321] = bad
    X_dask, y_dask = as_dask(X, y)
    with pytest.raises(ValueError, match=r"Input y contains (NaN|infinity)") as error:
        GDLogisticRegression().fit(X_dask, y_dask if y_kind == "dask" else y)
    with pytest.raises(ValueError) as numpy_error:
        GDLogisticRegression().fit(X, y)
    assert str(error.value) == str(numpy_error.value)


def test_sgd_and_partial_fit_refuse_dask_input_with_what_to_do():
    X, y, _ = make_problem(2)
    X_dask, y_dask = as_dask(X, y)
    with pytest.raises(ValueError, match="solver='bb', 'nesterov' or 'gd'"):
        GDLogisticRegression(solver="sgd").fit(X_dask, y_dask)
    with pytest.raises(TypeError, match=r"X\.blocks"):
        GDLogisticRegression().partial_fit(X_dask, y_dask, classes=[0, 1])


def test_numpy_labels_are_split_like_the_rows_of_x():
    X, y, weights = make_problem(2)
    (X_dask,) = as_dask(X)
    from_numpy = GDLogisticRegression(**TIGHT).fit(X_dask, y, sample_weight=weights)
    reference = GDLogisticRegression(**TIGHT).fit(X, y, sample_weight=weights)
    assert_same_model(from_numpy, reference)


# -- on the threaded scheduler (or the module's cluster if it is up): the options ---


@pytest.mark.parametrize(
    "params, transform, atol",
    [
        ({"fit_intercept": False}, None, 1e-8),
        ({}, lambda X, y: (X.astype(np.float32), y), 1e-4),
        # Accelerated: with a fixed step the default "bb" is plain gradient
        # descent, thousands of graphs to tol=1e-12 on the cluster.
        ({"solver": "nesterov", "learning_rate": 0.5, "l1_ratio": 1.0}, None, 1e-8),
        ({}, lambda X, y: (X, np.array(["ant", "bee", "cat"])[y]), 1e-8),
    ],
    ids=["no-intercept", "float32", "fixed-step-l1", "string-labels"],
)
def test_options_fit_like_numpy(params, transform, atol):
    X, y, weights = make_problem(3, n_samples=450)
    if transform is not None:
        X, y = transform(X, y)
    tol = 1e-6 if X.dtype == np.float32 else 1e-12
    reference = GDLogisticRegression(tol=tol, max_iter=5000, **params).fit(
        X, y, sample_weight=weights
    )
    (X_dask,) = as_dask(X)
    model = GDLogisticRegression(tol=tol, max_iter=5000, **params).fit(
        X_dask, y, sample_weight=weights
    )
    assert model.coef_.dtype == X.dtype
    assert_same_model(model, reference, atol=atol)


def test_warm_start_continues_from_the_previous_coefficients():
    X, y, _ = make_problem(2)
    X_dask, y_dask = as_dask(X, y)
    model = GDLogisticRegression(warm_start=True, **TIGHT).fit(X_dask, y_dask)
    again = model.fit(X_dask, y_dask)
    assert again.n_iter_ <= 1
    assert_same_model(again, GDLogisticRegression(**TIGHT).fit(X, y))


def test_wide_data_power_iteration_runs_on_the_cluster(monkeypatch):
    from sklogreg import _dask

    # The path taken past MAX_GRAM_FEATURES: one graph per power iteration.
    monkeypatch.setattr(_dask.DaskData, "MAX_GRAM_FEATURES", 2)
    X, y, weights = make_problem(2)
    reference = GDLogisticRegression(**TIGHT).fit(X, y, sample_weight=weights)
    model = GDLogisticRegression(**TIGHT).fit(*as_dask(X, y, weights)[:2], weights)
    assert_same_model(model, reference)


def test_an_iteration_is_one_graph_whatever_its_line_search_tries():
    from sklogreg._dask import RowEncoding, dask_objective
    from sklogreg._solvers import accelerated_gradient

    X, y, _ = make_problem(2)
    X_dask, y_dask = as_dask(X, y)
    objective = dask_objective(
        X_dask,
        y_dask,
        None,
        encoding=RowEncoding(np.array([0, 1]), None, X.dtype),
        C=1.0,
        l1_ratio=0.0,
        fit_intercept=True,
        precondition=True,
    )
    lipschitz = objective.lipschitz_constant()
    trials = []
    plan_line_search = objective.plan_line_search
    objective.plan_line_search = lambda plan: (
        trials.append(len(plan.trials())),
        plan_line_search(plan),
    )
    before = objective.data.n_graphs
    result = accelerated_gradient(
        objective, np.zeros(objective.coef_shape), lipschitz=lipschitz, tol=1e-10
    )
    assert result.converged and max(trials) > 1  # the line search did backtrack
    # One graph for the starting point, then one per iteration.
    assert objective.data.n_graphs - before == result.n_iter + 1


def test_x_is_never_gathered_to_the_client(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("a Dask array was converted to NumPy on the client")

    X, y, weights = make_problem(3)
    X_dask, y_dask, weights_dask = as_dask(X, y, weights)
    monkeypatch.setattr(da.Array, "__array__", refuse)
    model = GDLogisticRegression().fit(X_dask, y_dask, sample_weight=weights_dask)
    for method in ("decision_function", "predict", "predict_proba"):
        assert isinstance(getattr(model, method)(X_dask), da.Array)
    value = model.objective(X_dask, y_dask, sample_weight=weights_dask)
    monkeypatch.undo()
    assert value == pytest.approx(model.loss_curve_[-1], rel=1e-12)
    assert value == pytest.approx(
        model.objective(X, y, sample_weight=weights), rel=1e-12
    )


def test_predictions_take_row_chunks_of_unknown_size():
    X, y, _ = make_problem(2)
    X_dask, y_dask = as_dask(X, y)
    model = GDLogisticRegression().fit(X_dask, y_dask)
    selected = X_dask[y_dask == 1]  # chunk sizes unknown until computed
    np.testing.assert_array_equal(
        model.predict(selected).compute(), model.predict(X[y == 1])
    )


def test_weights_summing_to_zero_raise_before_any_division():
    X, y, _ = make_problem(2)
    with pytest.raises(ValueError, match="sum to zero"):
        GDLogisticRegression().fit(*as_dask(X, y), sample_weight=np.zeros(y.size))


@pytest.mark.parametrize(
    "params, sample_weight, y_of, message",
    [
        ({"class_weight": {0: -5, 1: 1}}, None, None, r"non-negative weight.*-5"),
        ({"class_weight": {0: np.nan, 1: 1}}, None, None, r"non-negative.*nan"),
        ({}, 1e-320, None, "too small to be represented relative to each other"),
        ({"class_weight": {0: 1e300, 1: 1}}, 1e10, None, "class weights overflow"),
        ({"C": 1e-310}, None, None, r"C=1e-310 is too small"),
        ({"class_weight": {0: 0, 1: 0}}, None, None, "sum to zero"),
        ({}, None, np.zeros_like, "at least 2 classes"),
    ],
    ids=[
        "negative-class-weight",
        "nan-class-weight",
        "subnormal-weights",
        "overflowing-products",
        "tiny-C",
        "zero-class-weights",
        "one-class",
    ],
)
def test_bad_weights_labels_or_c_give_the_numpy_error(
    params, sample_weight, y_of, message
):
    X, y, _ = make_problem(2)
    if y_of is not None:
        y = y_of(y)
    weights = None if sample_weight is None else np.full(y.size, sample_weight)
    with pytest.raises(ValueError, match=message) as dask_error:
        GDLogisticRegression(**params).fit(*as_dask(X, y), sample_weight=weights)
    with pytest.raises(ValueError) as numpy_error:
        GDLogisticRegression(**params).fit(X, y, sample_weight=weights)
    assert str(dask_error.value) == str(numpy_error.value)


def test_features_too_large_give_the_numpy_error_before_any_warning():
    X, y, _ = make_problem(2)
    X = X * 1e200
    # filterwarnings=error: a RuntimeWarning on a worker would come first.
    with pytest.raises(ValueError, match="too large in magnitude") as dask_error:
        GDLogisticRegression().fit(*as_dask(X, y))
    with pytest.raises(ValueError) as numpy_error:
        GDLogisticRegression().fit(X, y)
    assert str(dask_error.value) == str(numpy_error.value)


def test_objective_names_a_label_not_seen_during_fit_as_numpy_does():
    X, y, _ = make_problem(2)
    model = GDLogisticRegression().fit(X, y)
    y_other = np.where(y == 1, 7, y)
    with pytest.raises(ValueError) as numpy_error:
        model.objective(X, y_other)
    with pytest.raises(ValueError, match=r"label\(s\) \[7\] not among") as dask_error:
        model.objective(*as_dask(X, y_other))
    assert str(dask_error.value) == str(numpy_error.value)


def test_a_small_memory_budget_evaluates_fewer_trials_per_graph(monkeypatch):
    from sklogreg import _dask

    X, y, weights = make_problem(3)
    reference = GDLogisticRegression(**TIGHT).fit(X, y, sample_weight=weights)
    # Room for one trial per pass: deeper line searches take another graph, and the
    # fit is the same.
    monkeypatch.setattr(_dask.DaskData, "TRIAL_BYTES_PER_TASK", 7 * CHUNK_ROWS * 3 * 8)
    model = GDLogisticRegression(**TIGHT).fit(*as_dask(X, y, weights)[:2], weights)
    assert_same_model(model, reference)
    X_dask, y_dask = as_dask(X, y)
    objective = _dask.dask_objective(
        X_dask,
        y_dask,
        None,
        encoding=_dask.RowEncoding(np.array([0, 1, 2]), None, X.dtype),
        C=1.0,
        l1_ratio=0.0,
        fit_intercept=True,
    )
    assert objective.data.trials_per_pass() == 1


def test_stopping_at_max_iter_warns_as_numpy_does():
    # The diagnosis reads the columns' scales: one reduction over the chunks, with a
    # constant column read as in memory.
    X, y, _ = make_problem(2)
    X = np.column_stack([X, np.zeros(X.shape[0]), 1000 * X[:, 0]])
    params = {"max_iter": 2, "learning_rate": 1e-6}
    with pytest.warns(ConvergenceWarning) as numpy_warning:
        GDLogisticRegression(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning) as dask_warning:
        GDLogisticRegression(**params).fit(*as_dask(X, y))
    assert "very different scales" in str(numpy_warning[0].message)
    assert str(dask_warning[0].message) == str(numpy_warning[0].message)


def test_objective_of_a_model_fitted_by_sgd_evaluates_on_dask_input():
    # Evaluating the objective needs no minibatches: only fitting with sgd is refused.
    X, y, _ = make_problem(2)
    model = GDLogisticRegression(solver="sgd", random_state=0).fit(X, y)
    assert model.objective(*as_dask(X, y)) == pytest.approx(model.objective(X, y))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("max_gram_features", [512, 2])
def test_curvature_bound_along_a_direction_matches_numpy(
    monkeypatch, n_classes, max_gram_features
):
    # On the local Gram matrix, and past MAX_GRAM_FEATURES by one graph per row.
    from sklogreg import _dask
    from sklogreg._objective import logistic_objective

    monkeypatch.setattr(_dask.DaskData, "MAX_GRAM_FEATURES", max_gram_features)
    X, y, weights = make_problem(n_classes)
    classes, encoded = np.unique(y, return_inverse=True)
    X_dask, y_dask, w_dask = as_dask(X, y, weights)
    params = {"C": 0.5, "l1_ratio": 0.0, "fit_intercept": True, "precondition": True}
    objective = _dask.dask_objective(
        X_dask,
        y_dask,
        w_dask,
        encoding=_dask.RowEncoding(classes, None, X.dtype),
        **params,
    )
    in_memory = logistic_objective(X, encoded, classes.size, weights, **params)
    direction = np.random.default_rng(0).normal(size=objective.coef_shape)
    assert objective.curvature_bound_along(direction) == pytest.approx(
        in_memory.curvature_bound_along(direction), rel=1e-10
    )
