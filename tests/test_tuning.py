"""The estimator's tuning knobs: schedule, power_t, momentum, early stopping, clocks.

The solver layer's hand computations are in test_schedules.py; here the parameters
travel through `GDLogisticRegression` (validation, partial_fit's stream, fitted
attributes) and into scikit-learn's model selection.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression
from sklogreg.callbacks import IterateHistory

SOLVERS = ["gd", "nesterov", "bb", "sgd"]
# A float rate for each solver that converges on the problems below.
RATES = {"gd": 1.0, "nesterov": "auto", "bb": "auto", "sgd": 0.05}


def noisy_problem(n_samples=2000, seed=0):
    """Few informative features among many and 30% flipped labels: overfits."""
    return make_classification(
        n_samples=n_samples,
        n_features=40,
        n_informative=4,
        flip_y=0.3,
        random_state=seed,
    )


def safe_step(X, C):
    """``1 / L`` of the binary objective on ``[X, 1]`` (the contract's mean form)."""
    n = X.shape[0]
    augmented = np.column_stack([X, np.ones(n)])
    return 1.0 / (np.linalg.norm(augmented, 2) ** 2 / (4 * n) + 1 / (C * n))


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"schedule": "invscaling"}, ["schedule='invscaling'", "learning_rate='auto'"]),
        ({"schedule": "adaptive", "solver": "sgd"}, ["schedule", "'auto'"]),
        ({"momentum": 0.5}, ["momentum=0.5", "learning_rate='auto'"]),
        (
            {"schedule": "adaptive", "learning_rate": 0.1, "solver": "nesterov"},
            ["solver='nesterov'", "schedule='adaptive'"],
        ),
        (
            {"momentum": 0.9, "learning_rate": 0.1, "solver": "nesterov"},
            ["solver='nesterov'", "own momentum"],
        ),
        (
            {"momentum": 0.9, "learning_rate": 0.1},
            ["solver='bb'", "own step lengths", "momentum=0.9"],
        ),
    ],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_walk_parameters_that_cannot_go_together_raise_naming_both(
    params, names, method
):
    X, y = noisy_problem(n_samples=60)
    model = GDLogisticRegression(**params)
    with pytest.raises(ValueError) as error:
        getattr(model, method)(
            X, y, **({"classes": [0, 1]} if method == "partial_fit" else {})
        )
    for name in names:
        assert name in str(error.value)
    assert not hasattr(model, "coef_")


@pytest.mark.parametrize("params", [{"momentum": 1.0}, {"power_t": -1}])
def test_walk_parameters_out_of_range_raise(params):
    X, y = noisy_problem(n_samples=60)
    with pytest.raises(ValueError, match=next(iter(params))):
        GDLogisticRegression(solver="gd", learning_rate=0.1, **params).fit(X, y)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_adaptive_recovers_from_a_hundred_times_the_safe_step_where_constant_raises(
    solver, momentum
):
    # A strong penalty makes the objective a steep quadratic far out: at 100 times
    # the safe step the constant rate blows it up.
    X, y = noisy_problem(n_samples=400)
    X = StandardScaler().fit_transform(X)
    rate = 100 * safe_step(X, C=0.01)
    params = {"solver": solver, "learning_rate": rate, "C": 0.01, "momentum": momentum}
    params |= {"random_state": 0, "max_iter": 3000, "tol": 1e-6}
    with pytest.raises(ValueError, match="too large"):
        GDLogisticRegression(**params).fit(X, y)
    model = GDLogisticRegression(schedule="adaptive", **params).fit(X, y)
    reference = GDLogisticRegression(C=0.01, tol=1e-8).fit(X, y)
    assert model.converged_ and model.learning_rate_ <= rate / 5
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-4)


@pytest.mark.parametrize("solver", SOLVERS)
def test_early_stopping_stops_earlier_on_a_noisy_problem(solver):
    X, y = noisy_problem()
    params = {"solver": solver, "learning_rate": RATES[solver], "random_state": 0}
    params |= {"tol": 1e-6, "max_iter": 500}
    stopped = GDLogisticRegression(early_stopping=True, **params).fit(X, y)
    full = GDLogisticRegression(**params).fit(X, y)
    assert stopped.stop_reason_ == "early_stopping"
    assert stopped.n_iter_ < full.n_iter_ and full.converged_
    assert stopped.validation_scores_.shape == (stopped.n_iter_,)
    assert stopped.best_validation_score_ == stopped.validation_scores_.max()
    # Stopped by the held-out score, not by tol: converged_ says tol did not hold.
    assert not stopped.converged_


@pytest.mark.parametrize("solver", ["gd", "nesterov", "bb"])
def test_early_stopping_refit_from_the_optimum_scores_where_it_starts(solver):
    # Warm-started at the optimum, the early-stopping fit finds tol holding and
    # makes no iteration: its best validation score is that of the coefficients
    # it keeps.
    X, y = noisy_problem(n_samples=500)
    params = {"solver": solver, "random_state": 0}
    model = GDLogisticRegression(warm_start=True, tol=1e-8, **params).fit(X, y)
    coef = model.coef_.copy()
    model.set_params(early_stopping=True, tol=0.1).fit(X, y)
    assert model.n_iter_ == 0 and model.validation_scores_.shape == (0,)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-12)
    assert 0.5 < model.best_validation_score_ <= 1.0


@pytest.mark.parametrize("solver", SOLVERS)
def test_early_stopping_returns_the_best_scoring_iterate(solver):
    X, y = noisy_problem()
    history = IterateHistory()
    model = GDLogisticRegression(
        solver=solver,
        learning_rate=RATES[solver],
        early_stopping=True,
        n_iter_no_change=8,
        random_state=0,
    )
    model.set_callbacks(history)
    model.fit(X, y)
    scores = model.validation_scores_
    # The latest of the best scores; iterate k is the path's entry k.
    best = len(scores) - np.argmax(scores[::-1])
    assert best < model.n_iter_
    np.testing.assert_array_equal(model.coef_, history.coef_path[best])
    # The score is the weighted accuracy on the split early stopping holds out.
    _, held_out = train_test_split(
        np.arange(y.size),
        test_size=0.1,
        stratify=y,
        random_state=np.random.RandomState(0),
    )
    held_out_accuracy = model.score(X[held_out], y[held_out])
    assert model.best_validation_score_ == pytest.approx(held_out_accuracy)


@pytest.mark.parametrize("solver", SOLVERS)
def test_early_stopping_never_copies_X(solver):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 50))
    y = (X[:, 0] + rng.normal(size=X.shape[0]) > 0).astype(int)

    def peak_memory(early_stopping):
        model = GDLogisticRegression(
            solver=solver,
            learning_rate=RATES[solver],
            early_stopping=early_stopping,
            max_iter=20,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tracemalloc.start()
            try:
                model.fit(X, y)
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    # Only the held-out rows (validation_fraction = 10% of X) are copied, once.
    extra = peak_memory(True) - peak_memory(False)
    assert extra < 0.2 * X.nbytes


def test_validation_attributes_are_only_set_with_early_stopping():
    X, y = noisy_problem(n_samples=300)
    model = GDLogisticRegression(early_stopping=True, warm_start=True).fit(X, y)
    assert hasattr(model, "validation_scores_")
    model.set_params(early_stopping=False).fit(X, y)
    assert not hasattr(model, "validation_scores_")
    assert not hasattr(model, "best_validation_score_")


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_time_curve_has_one_increasing_time_per_loss_curve_point(
    solver, early_stopping
):
    X, y = noisy_problem(n_samples=500)
    model = GDLogisticRegression(
        solver=solver, early_stopping=early_stopping, random_state=0
    ).fit(X, y)
    times = model.time_curve_
    assert times.shape == model.loss_curve_.shape
    assert times[0] >= 0 and np.all(np.diff(times) >= 0)


def test_partial_fit_time_curve_matches_its_loss_curve():
    X, y = noisy_problem(n_samples=500)
    model = GDLogisticRegression(solver="sgd", random_state=0)
    for chunk in np.array_split(np.arange(y.size), 4):
        model.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    assert model.time_curve_.shape == model.loss_curve_.shape == (5,)
    assert np.all(np.diff(model.time_curve_) >= 0)


def hand_stream(X, y, rates, beta, C):
    """Full gradient steps of the chunk's objective, heavy ball, written out.

    The objective of the contract on ``(X, y)`` repeated as a stream: after ``k``
    calls the penalty is ``1 / (C * k * n)``.
    """
    n = X.shape[0]
    w = np.zeros(X.shape[1] + 1)
    v = np.zeros_like(w)
    A = np.column_stack([X, np.ones(n)])
    for k, eta in enumerate(rates, start=1):
        p = 1 / (1 + np.exp(-(A @ w)))
        penalty = np.append(w[:-1], 0.0) / (C * k * n)
        gradient = A.T @ (p - y) / n + penalty
        v = beta * v - eta * gradient
        w = w + v
    return w


@pytest.mark.parametrize(
    ("schedule", "momentum"), [("invscaling", 0.0), ("constant", 0.6)]
)
def test_partial_fit_counts_updates_and_carries_velocity_across_calls(
    schedule, momentum
):
    X, y = noisy_problem(n_samples=80)
    model = GDLogisticRegression(
        solver="gd", learning_rate=0.3, schedule=schedule, momentum=momentum, C=2.0
    )
    for _ in range(4):
        model.partial_fit(X, y, classes=[0, 1])
    power = 0.5 if schedule == "invscaling" else 0.0
    rates = [0.3 / (1 + t) ** power for t in range(4)]
    expected = hand_stream(X, y, rates, momentum, C=2.0)
    np.testing.assert_allclose(model.step_sizes_, rates, rtol=1e-12)
    np.testing.assert_allclose(model.coef_.ravel(), expected[:-1], rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, expected[-1:], rtol=1e-10)


def test_partial_fit_adaptive_undoes_a_call_that_raises_the_objective():
    X, y = noisy_problem(n_samples=200)
    X = StandardScaler().fit_transform(X)
    rate = 100 * safe_step(X, C=0.01)
    model = GDLogisticRegression(
        solver="gd", learning_rate=rate, schedule="adaptive", C=0.01
    )
    model.partial_fit(X, y, classes=[0, 1])
    # Undone: the model stayed at its start, and the next call steps 5 times less.
    assert np.all(model.coef_ == 0) and model.learning_rate_ == rate / 5
    for _ in range(5):
        model.partial_fit(X, y)
    assert np.all(np.diff(model.loss_curve_[1:]) <= 0)


def test_grid_search_over_rate_schedule_and_momentum_in_a_pipeline():
    X, y = load_breast_cancer(return_X_y=True)
    grid = {
        "gdlogisticregression__learning_rate": [0.1, 1.0],
        "gdlogisticregression__schedule": ["constant", "invscaling", "adaptive"],
        "gdlogisticregression__momentum": [0.0, 0.9],
    }
    search = GridSearchCV(
        make_pipeline(StandardScaler(), GDLogisticRegression(solver="gd")),
        grid,
        cv=3,
        error_score="raise",
    )
    with warnings.catch_warnings():
        # Slow walks (invscaling at 0.1) stop at max_iter: they are scored as they are.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert len(search.cv_results_["params"]) == 12
    assert search.best_score_ > 0.95


def test_progress_names_early_stopping_as_the_reason_to_stop(capsys):
    X, y = noisy_problem(n_samples=500)
    GDLogisticRegression(early_stopping=True, verbose=1, random_state=0).fit(X, y)
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith("stopped (early_stopping) after")
    )


@pytest.mark.parametrize("solver", ["gd", "nesterov", "bb"])
def test_early_stopping_on_array_api_input_matches_numpy(solver):
    xp = pytest.importorskip("array_api_strict")
    X, y = noisy_problem(n_samples=600)
    params = {"solver": solver, "early_stopping": True, "random_state": 0}
    expected = GDLogisticRegression(**params).fit(X, y)
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(**params).fit(xp.asarray(X), xp.asarray(y))
    np.testing.assert_allclose(model.validation_scores_, expected.validation_scores_)
    assert model.n_iter_ == expected.n_iter_
    np.testing.assert_allclose(
        np.asarray(model.coef_), expected.coef_, rtol=1e-10, atol=1e-12
    )


def test_early_stopping_on_a_dask_array_says_it_needs_memory():
    da = pytest.importorskip("dask.array")
    X, y = noisy_problem(n_samples=200)
    with pytest.raises(ValueError, match=r"early_stopping .* in-memory"):
        GDLogisticRegression(early_stopping=True).fit(
            da.from_array(X, chunks=50), da.from_array(y, chunks=50)
        )
