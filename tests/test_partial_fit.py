"""partial_fit: streaming chunks through every solver."""

import pickle

import numpy as np
import pytest
from scipy import sparse
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression

SOLVERS = ["sgd", "gd", "nesterov"]


def stream_problem(n_classes, n_samples=6000, seed=0):
    X, y = make_classification(
        n_samples,
        10,
        n_informative=6,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=0.8,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


def stream(model, X, y, *, chunk, passes, sparse_X=False):
    classes = np.unique(y)
    for _ in range(passes):
        for start in range(0, y.size, chunk):
            X_chunk = X[start : start + chunk]
            model.partial_fit(
                sparse.csr_matrix(X_chunk) if sparse_X else X_chunk,
                y[start : start + chunk],
                classes=classes,
            )
    return model


@pytest.mark.parametrize("n_classes", [2, 3])
def test_sgd_streaming_reaches_the_accuracy_of_fit(n_classes):
    X, y = stream_problem(n_classes, n_samples=12000)
    X_train, y_train, X_test, y_test = X[:10000], y[:10000], X[10000:], y[10000:]
    fitted = GDLogisticRegression(random_state=0).fit(X_train, y_train)
    streamed = stream(
        GDLogisticRegression(solver="sgd", batch_size=64, random_state=0),
        X_train,
        y_train,
        chunk=1000,
        passes=2,
    )
    assert streamed.coef_.shape == fitted.coef_.shape
    assert streamed.score(X_test, y_test) >= fitted.score(X_test, y_test) - 0.01


def mean_log_loss(model, X, y):
    return -np.mean(model.predict_log_proba(X)[np.arange(y.size), y])


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_full_step_streaming_walks_downhill(solver, n_classes):
    # One step of 1/L per chunk: on average a full gradient step on the whole data.
    X, y = stream_problem(n_classes, n_samples=4000)
    model = GDLogisticRegression(solver=solver, random_state=0)
    losses = []
    for _ in range(4):
        stream(model, X, y, chunk=1000, passes=1)
        losses.append(mean_log_loss(model, X, y))
    assert all(np.diff(losses) < 0)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_sgd_stream_settles_on_the_fit_of_everything_streamed(n_classes):
    # Six passes stream the data six times over: with C / 6 the penalty after the
    # last pass, 1 / (C/6 * 6 S), is exactly that of fit with C on one copy.
    X, y = stream_problem(n_classes)
    passes = 6
    optimum = GDLogisticRegression(C=1.0, tol=1e-8).fit(X, y)
    model = stream(
        GDLogisticRegression(
            solver="sgd", C=1.0 / passes, batch_size=64, random_state=0
        ),
        X,
        y,
        chunk=1000,
        passes=passes,
    )
    chain = model._stream_state.sgd.chain[:, :-1]
    if n_classes > 2:
        chain = chain - chain.mean(axis=0)
    scale = np.abs(optimum.coef_).max()
    average_error = np.abs(model.coef_ - optimum.coef_).max()
    # The constant step leaves the SGD chain in a noise ball; the running average
    # sits well inside it, within O(step) of the optimum.
    assert average_error < 0.5 * np.abs(chain - optimum.coef_).max()
    assert average_error < 0.05 * scale


@pytest.mark.parametrize("solver", SOLVERS)
def test_csr_chunks_give_the_dense_result(solver):
    X, y = stream_problem(3, n_samples=1200)
    dense = stream(
        GDLogisticRegression(solver=solver, random_state=0), X, y, chunk=400, passes=2
    )
    csr = stream(
        GDLogisticRegression(solver=solver, random_state=0),
        X,
        y,
        chunk=400,
        passes=2,
        sparse_X=True,
    )
    np.testing.assert_allclose(csr.coef_, dense.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(csr.intercept_, dense.intercept_, rtol=1e-10)


def test_same_calls_same_seed_bitwise_identical_other_seed_differs():
    X, y = stream_problem(3, n_samples=2000)
    runs = [
        stream(
            GDLogisticRegression(solver="sgd", random_state=seed),
            X,
            y,
            chunk=500,
            passes=1,
        ).coef_
        for seed in (0, 0, 1)
    ]
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_gd_step_on_a_chunk_uses_the_penalty_of_all_data_seen():
    # Oracle written out in NumPy: a "gd" call is one gradient step on the chunk's
    # mean loss plus the L2 term 1 / (C * S_seen), S_seen counting every chunk so far.
    X, y = stream_problem(2, n_samples=600)
    C, step = 0.01, 0.5
    model = GDLogisticRegression(solver="gd", C=C, learning_rate=step)
    w, b = np.zeros(X.shape[1]), 0.0
    weight_seen = 0
    for start in (0, 200, 400):
        X_chunk, y_chunk = X[start : start + 200], y[start : start + 200]
        model.partial_fit(X_chunk, y_chunk, classes=[0, 1])
        weight_seen += 200
        residual = expit(X_chunk @ w + b) - y_chunk
        w, b = (
            w - step * (X_chunk.T @ residual / 200 + w / (C * weight_seen)),
            b - step * residual.mean(),
        )
    np.testing.assert_allclose(model.coef_[0], w, rtol=1e-12)
    np.testing.assert_allclose(model.intercept_[0], b, rtol=1e-12)


def test_state_continues_across_calls():
    X, y = stream_problem(3, n_samples=1500)
    model = GDLogisticRegression(solver="sgd", random_state=0)
    model.partial_fit(X[:500], y[:500], classes=[0, 1, 2])
    first_step = model.learning_rate_
    coef_after_one = model.coef_.copy()
    model.partial_fit(X[500:1000], y[500:1000])
    model.partial_fit(X[1000:], y[1000:])
    # The step is fixed by the first chunk; each call is one more epoch.
    assert model.learning_rate_ == first_step
    assert model.n_iter_ == 3 and model.loss_curve_.size == 4
    # A fresh model on the last chunk alone is not where the stream got to.
    fresh = GDLogisticRegression(solver="sgd", random_state=0).partial_fit(
        X[1000:], y[1000:], classes=[0, 1, 2]
    )
    assert not np.allclose(model.coef_, fresh.coef_)
    assert not np.allclose(model.coef_, coef_after_one)


def test_partial_fit_after_fit_carries_on_from_the_fit():
    X, y = stream_problem(2, n_samples=2000)
    model = GDLogisticRegression(solver="sgd", random_state=0, tol=1e-6).fit(X, y)
    fitted = model.coef_.copy()
    model.partial_fit(X[:1000], y[:1000])
    assert np.abs(model.coef_ - fitted).max() < 0.1 * np.abs(fitted).max()


def test_fit_after_partial_fit_starts_afresh():
    X, y = stream_problem(2, n_samples=2000)
    streamed = GDLogisticRegression(solver="sgd", random_state=0)
    streamed.partial_fit(X[:100], y[:100], classes=[0, 1])
    streamed.fit(X, y)
    fresh = GDLogisticRegression(solver="sgd", random_state=0).fit(X, y)
    np.testing.assert_array_equal(streamed.coef_, fresh.coef_)


@pytest.mark.parametrize("solver", SOLVERS)
def test_classes_are_required_on_the_first_call(solver):
    X, y = stream_problem(2, n_samples=100)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        GDLogisticRegression(solver=solver).partial_fit(X, y)


def test_a_new_class_later_names_the_label():
    X, y = stream_problem(3, n_samples=300)
    model = GDLogisticRegression(solver="sgd").partial_fit(
        X[y < 2], y[y < 2], classes=[0, 1]
    )
    with pytest.raises(
        ValueError, match=r"label\(s\) \[2\] not among the classes \[0, 1\]"
    ):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match="cannot add or remove classes"):
        model.partial_fit(X, y, classes=[0, 1, 2])


def test_a_new_feature_count_later_names_both_counts():
    X, y = stream_problem(2, n_samples=300)
    model = GDLogisticRegression(solver="sgd").partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"X has 9 features, but .* expecting 10"):
        model.partial_fit(X[:, :9], y)


def test_balanced_class_weight_is_refused_with_the_way_out():
    X, y = stream_problem(2, n_samples=300)
    with pytest.raises(ValueError, match="compute_class_weight"):
        GDLogisticRegression(solver="sgd", class_weight="balanced").partial_fit(
            X, y, classes=[0, 1]
        )


def test_a_chunk_of_one_class_is_fine():
    X, y = stream_problem(2, n_samples=300)
    model = GDLogisticRegression(solver="sgd", random_state=0)
    model.partial_fit(X[y == 0], y[y == 0], classes=[0, 1])
    model.partial_fit(X[y == 1], y[y == 1])
    assert np.isfinite(model.coef_).all() and set(model.predict(X)) <= {0, 1}


def test_learning_rate_too_large_in_partial_fit_names_the_safe_step():
    X, y = stream_problem(2, n_samples=1000)
    with pytest.raises(ValueError, match="safe step for this problem is 1/L"):
        GDLogisticRegression(solver="sgd", learning_rate=1e6).partial_fit(
            X * 1e3, y, classes=[0, 1]
        )


def test_float32_chunks_stay_float32():
    X, y = stream_problem(3, n_samples=1000)
    model = stream(
        GDLogisticRegression(solver="sgd", random_state=0),
        X.astype(np.float32),
        y,
        chunk=500,
        passes=1,
    )
    assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        ("fit_intercept", True, False),
        ("fit_intercept", False, True),
        ("solver", "sgd", "gd"),
        ("solver", "gd", "sgd"),
        ("solver", "nesterov", "gd"),
    ],
)
def test_changing_the_layout_or_solver_mid_stream_says_to_restart(name, before, after):
    X, y = stream_problem(2, n_samples=600)
    model = GDLogisticRegression(random_state=0, **{name: before})
    model.partial_fit(X[:300], y[:300], classes=[0, 1])
    model.set_params(**{name: after})
    message = (
        rf"{name} changed from {before!r} to {after!r} since the last partial_fit "
        r"call: .* start a new stream on a fresh estimator: sklearn\.base\.clone"
    )
    with pytest.raises(ValueError, match=message):
        model.partial_fit(X[300:], y[300:])
    # fit starts afresh, with the new parameter; so does the stream after it.
    model.fit(X, y).partial_fit(X[300:], y[300:])


@pytest.mark.parametrize(
    "change", [{"learning_rate": 0.01}, {"batch_size": 1}], ids=["rate", "batch"]
)
def test_a_changed_learning_rate_or_batch_size_resizes_the_step(change):
    X, y = stream_problem(2, n_samples=900)
    model = GDLogisticRegression(solver="sgd", random_state=0)
    model.partial_fit(X[:300], y[:300], classes=[0, 1])
    model.partial_fit(X[300:600], y[300:600])
    model.set_params(**change).partial_fit(X[600:], y[600:])
    first, second, third = model.step_sizes_
    assert first == second
    # 0.01 is below the "auto" step; one-row batches need a smaller step than 256.
    assert third < second
    if "learning_rate" in change:
        assert third == change["learning_rate"] == model.learning_rate_


def _diverging_chunk(model, X, y):
    model.partial_fit(X[:300] * 1e4, y[:300])


def _unknown_label(model, X, y):
    model.partial_fit(X[:300], np.where(y[:300] == 0, 7, y[:300]))


def _changed_fit_intercept(model, X, y):
    model.set_params(fit_intercept=False)
    try:
        model.partial_fit(X[:300], y[:300])
    finally:
        model.set_params(fit_intercept=True)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "rejected", [_diverging_chunk, _unknown_label, _changed_fit_intercept]
)
def test_a_rejected_call_changes_nothing_and_the_stream_continues_bitwise(
    solver, rejected
):
    X, y = stream_problem(3, n_samples=1500)

    def run(with_rejected_call):
        model = GDLogisticRegression(solver=solver, learning_rate=0.5, random_state=0)
        model.partial_fit(X[:500], y[:500], classes=[0, 1, 2])
        if with_rejected_call:
            # Every attribute, the stream's state and its random generator.
            before = pickle.dumps(model)
            with pytest.raises(ValueError):
                rejected(model, X, y)
            assert pickle.dumps(model) == before
        model.partial_fit(X[500:1000], y[500:1000])
        return model.partial_fit(X[1000:], y[1000:])

    with_rejected, without = run(True), run(False)
    np.testing.assert_array_equal(with_rejected.coef_, without.coef_)
    np.testing.assert_array_equal(with_rejected.intercept_, without.intercept_)
    np.testing.assert_array_equal(with_rejected.loss_curve_, without.loss_curve_)


def test_a_rejected_first_call_leaves_the_estimator_unfitted():
    X, y = stream_problem(2, n_samples=300)
    model = GDLogisticRegression(solver="sgd", learning_rate=1e6)
    with pytest.raises(ValueError, match="safe step"):
        model.partial_fit(X * 1e3, y, classes=[0, 1])
    assert not hasattr(model, "n_features_in_")
    assert getattr(model, "_stream_state", None) is None
