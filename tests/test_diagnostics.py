"""Watching a fit: verbose lines, callbacks, the stop reason."""

import re

import numpy as np
import pytest
from conftest import FitCallbackBase
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression
from sklogreg._callbacks import CALLBACKS_AVAILABLE
from sklogreg.callbacks import IterateHistory

needs_callbacks = pytest.mark.skipif(
    not CALLBACKS_AVAILABLE, reason="sklearn.callback needs scikit-learn >= 1.9"
)
SOLVERS = ["nesterov", "gd", "bb"]
# The stochastic solver prints per epoch, then per finishing iteration.
ALL_SOLVERS = [*SOLVERS, "sgd"]
LINE = re.compile(
    r"iter +(\d+)  objective (\S+)  max\|grad\| (\S+) \(tol 1\.0e-04\)  "
    r"step (\S+)  (\S+)s"
)


@pytest.fixture(scope="module")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


class StopAtIteration(FitCallbackBase):
    """A FitCallback asking to stop once a given number of iterations is done."""

    def __init__(self, iteration):
        self.iteration = iteration

    def on_fit_task_end(self, estimator, context):
        # Iteration tasks are numbered from 0: task k ends iteration k + 1.
        return (
            context.task_name == "iteration" and context.task_id + 1 >= self.iteration
        )


@pytest.mark.parametrize("solver", ALL_SOLVERS)
def test_verbose_2_prints_one_line_per_iteration_matching_the_fit(
    breast_cancer, solver, capsys
):
    # For "sgd" too, epochs and finishing iterations are counted as n_iter_ counts
    # them, and the closing line gives that count.
    model = GDLogisticRegression(solver=solver, verbose=2, random_state=0).fit(
        *breast_cancer
    )
    lines = capsys.readouterr().out.strip().splitlines()
    progress = [LINE.fullmatch(line) for line in lines[:-1]]
    assert all(progress) and len(progress) == model.n_iter_
    assert [int(m[1]) for m in progress] == list(range(1, model.n_iter_ + 1))
    np.testing.assert_allclose(
        [float(m[2]) for m in progress], model.loss_curve_[1:], rtol=1e-9
    )
    np.testing.assert_allclose(
        [float(m[3]) for m in progress], model.gradient_max_curve_[1:], rtol=1e-3
    )
    np.testing.assert_allclose(
        [float(m[4]) for m in progress], model.step_sizes_, rtol=1e-3
    )
    assert lines[-1].startswith(f"stopped (tol) after {model.n_iter_} iterations")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_1_prints_about_ten_lines_and_verbose_0_none(breast_cancer, capsys):
    GDLogisticRegression(solver="gd", learning_rate=0.01, max_iter=200, verbose=1).fit(
        *breast_cancer
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 200 // 20 + 1
    assert [int(LINE.fullmatch(line)[1]) for line in lines[:-1]] == list(
        range(20, 201, 20)
    )
    GDLogisticRegression(verbose=0).fit(*breast_cancer)
    assert capsys.readouterr().out == ""


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_reports_max_iter_as_stop_reason(breast_cancer, capsys):
    GDLogisticRegression(solver="gd", max_iter=3, verbose=1).fit(*breast_cancer)
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith("stopped (max_iter) after 3 iterations")
    )


@needs_callbacks
@pytest.mark.parametrize("solver", ALL_SOLVERS)
def test_callback_stops_the_fit_at_a_chosen_iteration(breast_cancer, solver):
    X, y = breast_cancer
    model = GDLogisticRegression(solver=solver).set_callbacks(StopAtIteration(7))
    model.fit(X, y)  # no ConvergenceWarning: stopping was asked for
    assert model.n_iter_ == 7
    assert model.stop_reason_ == "callback" and not model.converged_
    assert model.loss_curve_.shape == (8,)
    assert model.loss_curve_[-1] == pytest.approx(model.objective(X, y), rel=1e-12)
    assert model.score(X, y) > 0.9  # a usable model


@needs_callbacks
@pytest.mark.parametrize("solver", ALL_SOLVERS)
def test_iterate_history_records_the_walk(breast_cancer, solver):
    X, y = breast_cancer
    history = IterateHistory()
    model = GDLogisticRegression(solver=solver, C=0.5).set_callbacks(history)
    model.fit(X, y)
    assert history.coef_path.shape == (model.n_iter_ + 1, 1, X.shape[1])
    assert history.intercept_path.shape == (model.n_iter_ + 1, 1)
    np.testing.assert_array_equal(history.coef_path[0], 0)
    np.testing.assert_allclose(history.coef_path[-1], model.coef_)
    np.testing.assert_allclose(history.intercept_path[-1], model.intercept_)
    # Every recorded iterate has the objective the fit recorded for it.
    for k in [1, model.n_iter_ // 2]:
        probe = GDLogisticRegression(C=0.5).fit(X, y)
        probe.coef_, probe.intercept_ = history.coef_path[k], history.intercept_path[k]
        assert probe.objective(X, y) == pytest.approx(model.loss_curve_[k], rel=1e-10)


@needs_callbacks
def test_scoring_monitor_records_a_score_per_iteration(breast_cancer):
    from sklearn.callback import ScoringMonitor

    X, y = breast_cancer
    monitor = ScoringMonitor(scoring="accuracy")
    model = GDLogisticRegression().set_callbacks(monitor).fit(X, y)
    logs = monitor.get_logs().data
    iteration_scores = [row["accuracy"] for row in logs if "accuracy" in row]
    assert len(iteration_scores) >= model.n_iter_
    assert iteration_scores[-1] == pytest.approx(model.score(X, y))


@needs_callbacks
def test_progress_bar_runs_in_pipeline_and_grid_search(breast_cancer):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    # ProgressBar propagates itself from the outermost estimator down to ours.
    X, y = load_breast_cancer(return_X_y=True)
    pipeline = make_pipeline(StandardScaler(), GDLogisticRegression())
    pipeline.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(X, y)
    assert pipeline.score(X, y) > 0.95
    search = GridSearchCV(
        make_pipeline(StandardScaler(), GDLogisticRegression()),
        {"gdlogisticregression__C": [0.1, 1.0]},
        cv=2,
    )
    search.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(X, y)
    assert search.best_score_ > 0.9


@needs_callbacks
def test_scoring_monitor_works_with_sgd_early_stopping(breast_cancer):
    from sklearn.callback import ScoringMonitor

    X, y = breast_cancer
    monitor = ScoringMonitor(scoring="accuracy")
    model = GDLogisticRegression(solver="sgd", early_stopping=True, random_state=0)
    model.set_callbacks(monitor).fit(X, y)  # scored on all of X, not the split
    assert model.stop_reason_ in {"early_stopping", "max_iter", "tol"}
    scores = [row["accuracy"] for row in monitor.get_logs().data if "accuracy" in row]
    assert len(scores) >= model.n_iter_ and scores[-1] == pytest.approx(
        model.score(X, y)
    )


def test_convergence_warning_points_at_the_callers_line(breast_cancer):
    with pytest.warns(ConvergenceWarning) as record:
        GDLogisticRegression(max_iter=2).fit(*breast_cancer)
    assert record[0].filename == __file__
