"""Pictures of a fit: the downhill walk, the decision boundary, the cost landscape.

Each function draws on ``ax`` (a new Axes of the current figure when ``ax=None``) and
returns the Axes, as scikit-learn's display functions do. matplotlib is an optional
dependency, imported only when a function is called: ``pip install "sklogreg[plot]"``.

Examples
--------
>>> import numpy as np
>>> from sklogreg import GDLogisticRegression
>>> from sklogreg.plotting import plot_loss_curve
>>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
>>> y = np.array([0, 1, 0, 1])
>>> model = GDLogisticRegression(solver="gd").fit(X, y)
>>> ax = plot_loss_curve(model)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from matplotlib.axes import Axes

__all__ = [
    "plot_cv_scores",
    "plot_decision_boundary",
    "plot_landscape",
    "plot_learning_rate_sweep",
    "plot_loss_curve",
    "plot_regularization_path",
    "plot_validation_curve",
]

INSTALL_HINT = 'plotting needs matplotlib: pip install "sklogreg[plot]"'


def _pyplot():
    """Import pyplot on first use, so that ``import sklogreg`` never needs it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return plt


def _axes(ax):
    return _pyplot().gca() if ax is None else ax


def plot_loss_curve(
    loss_curve: Any,
    *,
    optimum: float | None = None,
    times: Any = None,
    ax: Axes | None = None,
    **line_kwargs: Any,
) -> Axes:
    """Draw the objective after each iteration: the downhill walk as a curve.

    Parameters
    ----------
    loss_curve : fitted estimator or array-like of shape (n_points,)
        An estimator with a ``loss_curve_`` attribute (for example a fitted
        `GDLogisticRegression`), or the objective values themselves, the start first.
    optimum : float, optional
        The optimal objective ``J*``. When given, the curve shows the gap ``J - J*``
        on a log scale; gaps below round-off (``1e-15 * max(1, |J*|)``) are drawn at
        that floor so that the log scale can show them.
    times : array-like of shape (n_points,), optional
        The x coordinate of each point (for example wall-clock seconds); by default
        the iteration number, 0 for the start.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    **line_kwargs
        Passed to ``ax.plot`` (``label``, ``color``...).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = _axes(ax)
    values = np.asarray(getattr(loss_curve, "loss_curve_", loss_curve), dtype=float)
    x = np.arange(values.size) if times is None else np.asarray(times, dtype=float)
    if x.shape != values.shape:
        raise ValueError(
            f"times has {x.size} points but the loss curve has {values.size}."
        )
    if optimum is None:
        ax.plot(x, values, **line_kwargs)
        ax.set_ylabel("objective J")
    else:
        floor = 1e-15 * max(1.0, abs(optimum))
        ax.plot(x, np.maximum(values - optimum, floor), **line_kwargs)
        ax.set_yscale("log")
        ax.set_ylabel("objective gap J - J*")
    ax.set_xlabel("iteration" if times is None else "wall time (s)")
    return ax


def plot_decision_boundary(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    ax: Axes | None = None,
    grid_resolution: int = 200,
    margin: float = 0.5,
) -> Axes:
    """Draw a two-feature classifier's regions, its 0.5 contour and the data.

    Parameters
    ----------
    estimator : fitted classifier
        Any classifier fitted on two features with ``predict`` (and, for two
        classes, ``predict_proba``, whose 0.5 level is drawn as the boundary).
    X : array-like of shape (n_samples, 2)
        The points to draw.
    y : array-like of shape (n_samples,)
        Their labels, used for the colours.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    grid_resolution : int, default=200
        Grid points per axis.
    margin : float, default=0.5
        Space around the data, in the units of the features.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary draws two features; X has shape {X.shape}."
        )
    ax = _axes(ax)
    x0 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, grid_resolution)
    x1 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, grid_resolution)
    grid0, grid1 = np.meshgrid(x0, x1)
    points = np.column_stack([grid0.ravel(), grid1.ravel()])
    classes = np.asarray(estimator.classes_)
    # One colour per class, the same for its region and its points.
    palette = [f"C{k % 10}" for k in range(classes.size)]
    predicted = np.searchsorted(classes, estimator.predict(points))
    ax.contourf(
        grid0,
        grid1,
        predicted.reshape(grid0.shape),
        levels=np.arange(classes.size + 1) - 0.5,
        colors=palette,
        alpha=0.25,
    )
    if classes.size == 2 and hasattr(estimator, "predict_proba"):
        probability = estimator.predict_proba(points)[:, 1].reshape(grid0.shape)
        ax.contour(grid0, grid1, probability, levels=[0.5], colors="k")
    labels = np.searchsorted(classes, np.asarray(y))
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=[palette[k] for k in labels],
        edgecolors="k",
        s=20,
    )
    return ax


def plot_landscape(
    slopes: Any,
    intercepts: Any,
    cost: Any,
    *,
    path: Any = None,
    ax: Axes | None = None,
    levels: int = 30,
    title: str | None = None,
    path_label: str = "gradient descent",
) -> Axes:
    """Draw a cost J(m, b) over a grid as contours, with a walk across it.

    Parameters
    ----------
    slopes : array-like of shape (n_m,)
        The grid's slopes ``m`` (x axis).
    intercepts : array-like of shape (n_b,)
        The grid's intercepts ``b`` (y axis).
    cost : array-like of shape (n_m, n_b)
        ``cost[i, j] = J(slopes[i], intercepts[j])``.
    path : array-like of shape (n_points, 2), optional
        Successive ``(m, b)`` iterates, drawn as a line with dots from the start
        (a square) to the end (a star).
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    levels : int, default=30
        Number of contour levels, spaced evenly in rank (quantiles of ``cost``) so
        that both the steep walls and the flat floor show.
    title : str, optional
        The Axes title.
    path_label : str, default="gradient descent"
        The legend entry of ``path``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    slopes, intercepts = np.asarray(slopes), np.asarray(intercepts)
    cost = np.asarray(cost, dtype=float)
    if cost.shape != (slopes.size, intercepts.size):
        raise ValueError(
            f"cost has shape {cost.shape}; expected (len(slopes), len(intercepts)) "
            f"= {(slopes.size, intercepts.size)}."
        )
    ax = _axes(ax)
    contour_levels = np.unique(np.quantile(cost, np.linspace(0, 1, levels)))
    filled = ax.contourf(
        slopes, intercepts, cost.T, levels=contour_levels, cmap="viridis"
    )
    ax.contour(
        slopes,
        intercepts,
        cost.T,
        levels=contour_levels,
        colors="white",
        linewidths=0.4,
        alpha=0.6,
    )
    ax.figure.colorbar(filled, ax=ax, label="J(m, b)", format="%.3g")
    if path is not None:
        path = np.asarray(path, dtype=float)
        ax.plot(
            path[:, 0],
            path[:, 1],
            ".-",
            color="orange",
            linewidth=1.2,
            markersize=3,
            label=f"{path_label} (square: start, star: end)",
        )
        ax.plot(*path[0], "s", color="red", markersize=7)
        ax.plot(*path[-1], "*", color="red", markersize=12)
        ax.legend(loc="upper left", fontsize="small")
    ax.set_xlabel("slope m")
    ax.set_ylabel("intercept b")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_regularization_path(
    cv_model: Any,
    *,
    fold: int | None = None,
    class_index: int = 0,
    l1_ratio: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw each coefficient against ``C`` (log scale), the chosen ``C`` marked.

    Parameters
    ----------
    cv_model : fitted GDLogisticRegressionCV
        Any model with ``coefs_paths_`` of shape (n_folds, n_l1_ratios, n_cs,
        n_coef_rows, n_features [+ 1]), ``Cs_``, ``l1_ratios_``, ``C_``,
        ``n_features_in_`` (``LogisticRegressionCV(use_legacy_attributes=False)``
        too).
    fold : int, optional
        Draw that fold's path; by default the mean of the folds' paths.
    class_index : int, default=0
        The row of the coefficients to draw: 0 for two classes, the class's index
        in ``classes_`` for more.
    l1_ratio : float, optional
        Which ``l1_ratio`` of ``l1_ratios_``; by default ``l1_ratio_``.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one line per feature (the intercept left out) and a
        dashed vertical line at ``C_``.
    """
    ax = _axes(ax)
    paths = np.asarray(cv_model.coefs_paths_)[:, _l1_index(cv_model, l1_ratio)]
    paths = paths.mean(axis=0) if fold is None else paths[fold]
    Cs, order = _finite_grid(cv_model)
    weights = paths[order, class_index, : cv_model.n_features_in_]
    for feature in range(weights.shape[1]):
        ax.plot(Cs, weights[:, feature], lw=1)
    _mark_chosen_C(ax, cv_model.C_)
    ax.set_xscale("log")
    ax.set_xlabel("C (inverse regularisation)")
    ax.set_ylabel("coefficient" + ("" if fold is None else f" (fold {fold})"))
    return ax


def plot_cv_scores(
    cv_model: Any,
    *,
    l1_ratio: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the mean cross-validation score against ``C``, with a band of one std.

    Parameters
    ----------
    cv_model : fitted GDLogisticRegressionCV
        Any model with ``scores_`` of shape (n_folds, n_l1_ratios, n_cs), ``Cs_``,
        ``l1_ratios_`` and ``C_``.
    l1_ratio : float, optional
        Which ``l1_ratio`` of ``l1_ratios_``; by default ``l1_ratio_``.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: the mean over folds as a line with markers, mean ± std
        as a shaded band, and a dashed vertical line at ``C_``.
    """
    ax = _axes(ax)
    scores = np.asarray(cv_model.scores_)[:, _l1_index(cv_model, l1_ratio)]
    Cs, order = _finite_grid(cv_model)
    mean, std = scores.mean(axis=0)[order], scores.std(axis=0)[order]
    ax.plot(Cs, mean, marker="o", label="mean over folds")
    ax.fill_between(Cs, mean - std, mean + std, alpha=0.25, label="± 1 std")
    _mark_chosen_C(ax, cv_model.C_)
    ax.set_xscale("log")
    ax.set_xlabel("C (inverse regularisation)")
    scoring = getattr(cv_model, "scoring", None)
    ax.set_ylabel(scoring if isinstance(scoring, str) else "score")
    ax.legend()
    return ax


def _l1_index(cv_model, l1_ratio) -> int:
    """Index in ``l1_ratios_`` of ``l1_ratio`` (by default the chosen one)."""
    ratios = np.asarray(cv_model.l1_ratios_, dtype=float)
    wanted = cv_model.l1_ratio_ if l1_ratio is None else l1_ratio
    matches = np.flatnonzero(np.isclose(ratios, wanted))
    if matches.size == 0:
        raise ValueError(
            f"l1_ratio={wanted} is not among the l1_ratios_ fitted, {ratios.tolist()}"
            " (with refit=False, l1_ratio_ is a mean of the folds' best: pass one)."
        )
    return int(matches[0])


def _finite_grid(cv_model):
    """The finite ``Cs_`` in increasing order (a log axis cannot show inf)."""
    Cs = np.asarray(cv_model.Cs_, dtype=float)
    order = np.argsort(Cs, kind="stable")
    order = order[np.isfinite(Cs[order])]
    return Cs[order], order


def _mark_chosen_C(ax, C) -> None:
    ax.axvline(C, color="k", linestyle="--", lw=1, label=f"chosen C = {C:.3g}")


def plot_learning_rate_sweep(
    loss_curves: Any,
    learning_rates: Any,
    *,
    optimum: float | None = None,
    diverged: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw one loss curve per learning rate: too small crawls, too large diverges.

    Parameters
    ----------
    loss_curves : sequence of fitted estimators or array-likes
        For each rate, an estimator with ``loss_curve_`` or the objective values
        themselves, the start first (a diverged fit's values up to where it
        stopped).
    learning_rates : array-like of shape (n_rates,)
        The rate of each curve, for the legend and the colours (light to dark as
        the rate grows, on a log scale).
    optimum : float, optional
        The optimal objective ``J*``: the curves show the gap ``J - J*`` on a log
        scale (floored at ``1e-15 * max(1, |J*|)``), as `plot_loss_curve`.
    diverged : sequence of bool, optional
        Which runs ended by diverging: their curves rise to the top edge on the
        next iteration, where a cross ends them.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    rates = np.asarray(learning_rates, dtype=float)
    if len(loss_curves) != rates.size:
        raise ValueError(
            f"{len(loss_curves)} loss curves for {rates.size} learning rates."
        )
    diverged = np.zeros(rates.size, bool) if diverged is None else np.asarray(diverged)
    ax = _axes(ax)
    colormap = _pyplot().get_cmap("viridis_r")
    span = np.log(rates.max() / rates.min()) if rates.size > 1 else 0.0
    ended_lines = []
    for curve, rate, ended in zip(loss_curves, rates, diverged, strict=True):
        shade = np.log(rate / rates.min()) / span if span > 0 else 0.5
        label = f"rate {rate:.3g}" + (" (diverged)" if ended else "")
        plot_loss_curve(
            curve, optimum=optimum, ax=ax, color=colormap(shade), label=label
        )
        if ended:
            ended_lines.append(ax.get_lines()[-1])
    ax.legend(fontsize="small")
    # A diverged walk leaves the plot on its next iteration: a dashed rise to the
    # top edge, ended by a cross there.
    top = ax.get_ylim()[1]
    for line in ended_lines:
        x, y = line.get_xdata()[-1], line.get_ydata()[-1]
        ax.plot([x, x + 1], [y, top], "--", color=line.get_color())
        ax.plot(x + 1, top, "x", color=line.get_color(), markersize=12, mew=2.5)
    ax.set_ylim(top=top)
    return ax


def plot_validation_curve(estimator: Any, *, ax: Axes | None = None) -> Axes:
    """Draw the training objective and the held-out score of each iteration.

    For an estimator fitted with ``early_stopping=True``: ``loss_curve_`` on the
    left axis, ``validation_scores_`` on a twin right axis, and a dashed line at
    the iteration whose coefficients the fit returned (the best score).

    Parameters
    ----------
    estimator : fitted GDLogisticRegression
        Fitted with ``early_stopping=True``.
    ax : matplotlib Axes, optional
        Where to draw the objective; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes of the objective; the scores' twin is ``ax.right_ax``.

    Raises
    ------
    ValueError
        If ``estimator`` has no ``validation_scores_``.
    """
    scores = getattr(estimator, "validation_scores_", None)
    if scores is None:
        raise ValueError(
            "plot_validation_curve needs validation_scores_: fit with "
            "early_stopping=True."
        )
    scores = np.asarray(scores, dtype=float)
    ax = _axes(ax)
    ax.plot(np.asarray(estimator.loss_curve_, dtype=float), color="C0")
    ax.set_xlabel("iteration")
    ax.set_ylabel("training objective J", color="C0")
    right = ax.twinx()
    right.plot(np.arange(1, scores.size + 1), scores, ".-", color="C1")
    right.set_ylabel("validation accuracy", color="C1")
    # The latest of the best scores is the iterate returned.
    best = scores.size - int(np.argmax(scores[::-1]))
    ax.axvline(best, linestyle="--", color="gray", label=f"returned: iteration {best}")
    ax.legend(loc="center right", fontsize="small")
    ax.right_ax = right
    return ax
