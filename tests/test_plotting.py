"""sklogreg.plotting: each function draws what it is given and returns the Axes."""

import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklogreg import GDLogisticRegression, GDLogisticRegressionCV
from sklogreg.plotting import (
    plot_cv_scores,
    plot_decision_boundary,
    plot_landscape,
    plot_learning_rate_sweep,
    plot_loss_curve,
    plot_regularization_path,
    plot_validation_curve,
)

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402


@pytest.fixture
def ax():
    # A Figure without pyplot: no global state, no screen needed.
    return Figure().subplots()


@pytest.fixture(scope="module")
def two_feature_fit():
    X, y = make_classification(
        n_samples=60, n_features=2, n_redundant=0, n_informative=2, random_state=0
    )
    return GDLogisticRegression().fit(X, y), X, y


def test_loss_curve_draws_the_estimators_curve_by_iteration(two_feature_fit, ax):
    model = two_feature_fit[0]
    assert plot_loss_curve(model, ax=ax, label="fit") is ax
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), np.arange(model.n_iter_ + 1))
    np.testing.assert_array_equal(line.get_ydata(), model.loss_curve_)
    assert ax.get_xlabel() == "iteration"


def test_loss_curve_with_optimum_draws_the_floored_gap_on_log_scale(ax):
    curve = np.array([1.0, 0.5, 0.25, 0.25])
    plot_loss_curve(curve, optimum=0.25, times=[0.0, 0.1, 0.2, 0.3], ax=ax)
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [0.75, 0.25, 1e-15, 1e-15])
    np.testing.assert_allclose(line.get_xdata(), [0.0, 0.1, 0.2, 0.3])
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "wall time (s)"


def test_loss_curve_rejects_times_of_another_length(ax):
    with pytest.raises(ValueError, match="times has 2 points"):
        plot_loss_curve([1.0, 0.5, 0.2], times=[0.0, 1.0], ax=ax)


def test_decision_boundary_regions_follow_the_model(two_feature_fit, ax):
    model, X, y = two_feature_fit
    assert plot_decision_boundary(model, X, y, ax=ax, grid_resolution=50) is ax
    points = ax.collections[-1]
    np.testing.assert_array_equal(np.asarray(points.get_offsets()), X)
    # Each point wears its class's colour: one colour per class, distinct classes.
    colours = {tuple(c) for c in points.get_facecolors()[y == 0]}
    other = {tuple(c) for c in points.get_facecolors()[y == 1]}
    assert len(colours) == len(other) == 1 and colours != other
    # The black 0.5 contour lies where the model's probability is one half.
    boundary = ax.collections[-2].get_paths()[0].vertices
    np.testing.assert_allclose(model.predict_proba(boundary)[:, 1], 0.5, atol=0.02)


def test_decision_boundary_needs_two_features(two_feature_fit, ax):
    model, X, y = two_feature_fit
    with pytest.raises(ValueError, match="two features"):
        plot_decision_boundary(model, np.column_stack([X, X]), y, ax=ax)


def test_landscape_draws_the_path_from_start_to_end(ax):
    slopes, intercepts = np.linspace(-1, 1, 11), np.linspace(-2, 2, 21)
    cost = slopes[:, None] ** 2 + intercepts[None, :] ** 2
    path = np.array([[1.0, 2.0], [0.5, 1.0], [0.0, 0.0]])
    assert plot_landscape(slopes, intercepts, cost, path=path, ax=ax) is ax
    line = ax.get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), path[:, 0])
    np.testing.assert_array_equal(line.get_ydata(), path[:, 1])
    assert ax.get_xlabel() == "slope m"


def test_landscape_rejects_a_cost_of_the_wrong_shape(ax):
    with pytest.raises(ValueError, match="expected"):
        plot_landscape([0, 1, 2], [0, 1], np.zeros((2, 3)), ax=ax)


def test_without_ax_the_current_axes_is_used():
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.switch_backend("Agg")
    figure = plt.figure()
    try:
        assert plot_loss_curve([3.0, 2.0, 1.0]) is figure.gca()
    finally:
        plt.close(figure)


@pytest.fixture(scope="module")
def cv_fit():
    X, y = make_classification(
        n_samples=90,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        random_state=0,
    )
    # The grid given out of order: the plots draw it increasing.
    Cs = [1.0, 0.01, 100.0, 0.1, 10.0]
    return GDLogisticRegressionCV(Cs=Cs, l1_ratios=(0.0, 0.5), cv=3).fit(X, y)


@pytest.mark.parametrize("fold", [None, 1])
@pytest.mark.parametrize("class_index", [0, 2])
def test_regularization_path_draws_each_coefficient_against_C(
    cv_fit, ax, fold, class_index
):
    assert (
        plot_regularization_path(cv_fit, fold=fold, class_index=class_index, ax=ax)
        is ax
    )
    *paths, chosen = ax.get_lines()
    assert len(paths) == cv_fit.n_features_in_
    l1_index = list(cv_fit.l1_ratios_).index(cv_fit.l1_ratio_)
    expected = cv_fit.coefs_paths_[:, l1_index]
    expected = expected.mean(axis=0) if fold is None else expected[fold]
    order = np.argsort(cv_fit.Cs_)
    for feature, line in enumerate(paths):
        np.testing.assert_array_equal(line.get_xdata(), cv_fit.Cs_[order])
        np.testing.assert_allclose(
            line.get_ydata(), expected[order, class_index, feature]
        )
        assert np.ptp(line.get_ydata()) > 0  # the coefficients move along C
    np.testing.assert_array_equal(chosen.get_xdata(), [cv_fit.C_, cv_fit.C_])
    assert ax.get_xscale() == "log"


def test_cv_scores_draw_mean_and_band_of_one_std(cv_fit, ax):
    assert plot_cv_scores(cv_fit, l1_ratio=0.5, ax=ax) is ax
    mean_line, chosen = ax.get_lines()
    scores = cv_fit.scores_[:, 1]
    order = np.argsort(cv_fit.Cs_)
    np.testing.assert_array_equal(mean_line.get_xdata(), cv_fit.Cs_[order])
    np.testing.assert_allclose(mean_line.get_ydata(), scores.mean(axis=0)[order])
    band = ax.collections[0].get_paths()[0].vertices
    lower = (scores.mean(axis=0) - scores.std(axis=0))[order]
    upper = (scores.mean(axis=0) + scores.std(axis=0))[order]
    assert band[:, 1].min() == pytest.approx(lower.min())
    assert band[:, 1].max() == pytest.approx(upper.max())
    np.testing.assert_array_equal(chosen.get_xdata(), [cv_fit.C_, cv_fit.C_])
    assert ax.get_ylabel() == "neg_log_loss"


def test_cv_plots_refuse_an_l1_ratio_not_fitted(cv_fit, ax):
    with pytest.raises(ValueError, match="not among the l1_ratios_"):
        plot_cv_scores(cv_fit, l1_ratio=0.3, ax=ax)


def test_cv_figures_are_not_blank(cv_fit):
    figure = Figure()
    left, right = figure.subplots(1, 2)
    plot_regularization_path(cv_fit, ax=left)
    plot_cv_scores(cv_fit, ax=right)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    # Far more than a frame and labels: lines of several colours fill the axes.
    assert (pixels.std(axis=2) > 30).mean() > 0.005


@pytest.mark.parametrize(
    "call",
    [
        lambda: plot_loss_curve([1.0, 0.5]),
        lambda: plot_regularization_path(None),
        lambda: plot_cv_scores(None),
        lambda: plot_decision_boundary(None, np.zeros((2, 2)), [0, 1]),
        lambda: plot_landscape([0, 1], [0, 1], np.zeros((2, 2))),
    ],
    ids=[
        "loss_curve",
        "regularization_path",
        "cv_scores",
        "decision_boundary",
        "landscape",
    ],
)
def test_missing_matplotlib_says_how_to_install_it(call, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "sklogreg\[plot\]"'):
        call()


def test_learning_rate_sweep_draws_a_curve_per_rate_and_ends_diverged_ones(ax):
    curves = [[1.0, 0.6, 0.4], [1.0, 0.3, 0.2, 0.2], [1.0, 5.0]]
    plot_learning_rate_sweep(
        curves, [0.1, 1.0, 10.0], optimum=0.2, diverged=[False, False, True], ax=ax
    )
    lines = ax.get_lines()
    # Three curves; the diverged one rises to the top edge on its next iteration,
    # where a cross ends it.
    assert len(lines) == 5
    np.testing.assert_allclose(lines[2].get_ydata(), [0.8, 4.8])
    top = ax.get_ylim()[1]
    np.testing.assert_allclose(lines[3].get_xydata(), [[1, 4.8], [2, top]])
    assert lines[4].get_marker() == "x"
    np.testing.assert_allclose(lines[4].get_xydata(), [[2, top]])
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == (
        "rate 10 (diverged)"
    )


def test_learning_rate_sweep_rejects_curves_and_rates_of_other_lengths(ax):
    with pytest.raises(ValueError, match="2 loss curves for 3 learning rates"):
        plot_learning_rate_sweep([[1.0], [1.0]], [0.1, 1.0, 10.0], ax=ax)


def test_validation_curve_draws_objective_scores_and_the_returned_iteration(ax):
    X, y = make_classification(n_samples=400, flip_y=0.3, random_state=0)
    model = GDLogisticRegression(early_stopping=True, random_state=0).fit(X, y)
    assert plot_validation_curve(model, ax=ax) is ax
    objective, returned = ax.get_lines()
    np.testing.assert_array_equal(objective.get_ydata(), model.loss_curve_)
    (scores,) = ax.right_ax.get_lines()
    np.testing.assert_array_equal(scores.get_ydata(), model.validation_scores_)
    best = np.flatnonzero(model.validation_scores_ == model.best_validation_score_)
    assert returned.get_xdata()[0] == best[-1] + 1


def test_validation_curve_without_early_stopping_says_how_to_get_one(
    two_feature_fit, ax
):
    with pytest.raises(ValueError, match="early_stopping=True"):
        plot_validation_curve(two_feature_fit[0], ax=ax)
