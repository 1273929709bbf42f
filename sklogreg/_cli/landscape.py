"""``sklogreg landscape``: the cost J(m, b) on one feature, two losses, a gd walk.

With one feature ``x`` the model is ``p = sigmoid(m x + b)`` and every cost is a
surface over the plane of ``(m, b)``. Two costs are drawn side by side over the same
grid:

- the log-loss, ``J = mean(-y log p - (1 - y) log(1 - p))``, which is convex in
  ``(m, b)``: a single bowl;
- the mean squared error of the sigmoid, ``J = mean((p - y)^2)``, which is not: where
  the sigmoid saturates the surface flattens into plateaus that bend the wrong way.

A ``GDLogisticRegression(solver="gd")`` fit with a fixed learning rate, recorded by
`sklogreg.callbacks.IterateHistory`, is drawn on both. The claim "convex or not" is
checked on the grid, not taken on faith: a convex function's second difference
``J(p + d) - 2 J(p) + J(p - d)`` is never negative, along any direction ``d``. The
command reports the smallest such curvature along the grid's rows, columns and
diagonals; one clearly negative value proves the surface is not convex, while none
below round-off is what a convex surface shows.

The grid and the plain walks see the samples as `summary.summarize_feature`'s weighted
points: the distinct ``(x, y)`` pairs with their counts (the same costs), or on large
data each class's mean in bins of ``x`` (costs within a printed bound), so that a grid
costs the same at any number of samples. The estimator's fit sees every sample.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import expit, log_expit
from sklearn.exceptions import ConvergenceWarning

from .. import GDLogisticRegression
from .datasets import EMBEDDED_DATASETS, load_dataset
from .errors import CommandLineError, one_line
from .figures import check_can_plot, new_figure, save_figure
from .summary import FeatureSummary, summarize_feature

__all__ = [
    "LOSSES",
    "Convexity",
    "add_arguments",
    "cost_grids",
    "gradient_walk",
    "grid_convexity",
    "run",
]

# The grid spans at least this many standard deviations of slope and intercept: wide
# enough to reach the saturated sigmoid, where MSE's plateaus are.
MIN_HALF_WIDTH = 10.0
# Points of the gd path farther out than this share of the half-width widen the grid.
PATH_MARGIN = 1.2
LOSSES = ("log-loss", "MSE of the sigmoid")
# GDLogisticRegression's C must be finite; at this C the penalty ||m||^2/(2 C n) is
# far below round-off of the log-loss, so the walk is on the surface drawn.
NO_PENALTY_C = 1e12
# Round-off in a second difference of values near |J|: a few ulps of J over h^2.
ROUNDOFF_ULPS = 64
# The largest |m| or |b| a --start may have. The grid widens to take in the walks, so
# from farther out the default 201 points would step more than a unit apart: coarser
# than the bowl of the log-loss, which on a standardized feature lies within a few
# units of the origin.
MAX_START = 10 * MIN_HALF_WIDTH


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``sklogreg landscape``."""
    parser.add_argument(
        "--dataset",
        default="breast_cancer",
        help=f"a two-class data set: {', '.join(EMBEDDED_DATASETS)} or a CSV path "
        "with --target (default: breast_cancer)",
    )
    parser.add_argument(
        "--target", metavar="COLUMN", help="the label column of a CSV file"
    )
    parser.add_argument(
        "--feature",
        type=int,
        default=0,
        help="index of the feature to use, standardized (default: 0, 'mean radius' "
        "of breast_cancer)",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=2.0,
        help="the fixed step of the gd walk (default: 2.0; on a standardized "
        "feature the log-loss is safe for any step up to 4)",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=500,
        help="the most gd steps to take (default: 500)",
    )
    parser.add_argument(
        "--start",
        nargs=2,
        type=float,
        default=[6.0, 6.0],
        metavar=("M", "B"),
        help="where a second gradient-descent walk starts, on each cost, with the "
        f"same learning rate and steps; each within ±{MAX_START:g} (default: 6 6, on "
        "a plateau of the MSE)",
    )
    parser.add_argument(
        "--grid-size",
        type=int,
        default=201,
        help="grid points along m and along b (default: 201)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("landscape.png"),
        help="where to write the picture: a .png, .pdf or .svg file; a name "
        "without a suffix gets .png (default: landscape.png)",
    )
    parser.add_argument(
        "--no-plot", action="store_true", help="print the verdicts only, write no PNG"
    )


@dataclass(frozen=True)
class Convexity:
    """What a grid of values says about the convexity of the surface."""

    min_curvature: float
    """Smallest second difference over squared step, over 4 grid directions."""
    where: tuple[float, float]
    """The ``(m, b)`` where it was found: the first, by m then b, of the points within
    round-off of it."""
    roundoff: float
    """How negative round-off alone can make a second difference."""
    negative_share: float
    """Share of interior grid points with a curvature below ``-roundoff``."""
    local_minima: list[tuple[float, float]]
    """Interior grid points strictly lower than their 8 neighbours."""
    curvature: np.ndarray
    """Smallest curvature at each interior grid point, shape ``(n_m - 2, n_b - 2)``."""

    @property
    def convex(self) -> bool:
        """Whether no second difference is negative beyond round-off."""
        return self.min_curvature >= -self.roundoff


def cost_grids(
    x: np.ndarray,
    y: np.ndarray,
    slopes: np.ndarray,
    intercepts: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Log-loss and MSE of ``sigmoid(m x + b)`` at every ``(m, b)`` of a grid.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        The feature.
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}.
    slopes, intercepts : ndarray of shape (n_m,) and (n_b,)
        The grid's axes.
    sample_weight : ndarray of shape (n_samples,), optional
        How many samples each ``(x, y)`` stands for (see `summarize_feature`); the
        costs are weighted means. Equal weights by default.

    Returns
    -------
    log_loss, mse : ndarray of shape (n_m, n_b)
        ``[i, j]`` is the cost at ``(slopes[i], intercepts[j])``.
    """
    weight = np.ones(x.size) if sample_weight is None else np.asarray(sample_weight)
    total = weight.sum()
    positive = y == 1
    x_1, weight_1 = x[positive], weight[positive]
    x_0, weight_0 = x[~positive], weight[~positive]
    log_loss = np.empty((slopes.size, intercepts.size))
    mse = np.empty_like(log_loss)
    for i, slope in enumerate(slopes):  # one row at a time: n_b x n_samples floats
        z_1 = slope * x_1[None, :] + intercepts[:, None]
        z_0 = slope * x_0[None, :] + intercepts[:, None]
        # -log p = -log_expit(z), -log(1 - p) = -log_expit(-z): finite for any z,
        # and each sample needs only the term of its own label.
        log_loss[i] = -(log_expit(z_1) @ weight_1 + log_expit(-z_0) @ weight_0) / total
        mse[i] = ((expit(z_1) - 1) ** 2 @ weight_1 + expit(z_0) ** 2 @ weight_0) / total
    return log_loss, mse


def grid_convexity(
    cost: np.ndarray, slopes: np.ndarray, intercepts: np.ndarray
) -> Convexity:
    """Test a grid of values of ``J(m, b)`` for convexity by second differences.

    Parameters
    ----------
    cost : ndarray of shape (n_m, n_b)
        Values on an evenly spaced grid.
    slopes, intercepts : ndarray of shape (n_m,) and (n_b,)
        The grid's axes.

    Returns
    -------
    Convexity
    """
    h_m, h_b = slopes[1] - slopes[0], intercepts[1] - intercepts[0]
    centre = cost[1:-1, 1:-1]
    curvatures = []
    # Directions as index offsets: along m, along b, and the two diagonals.
    for di, dj in ((1, 0), (0, 1), (1, 1), (1, -1)):
        forward = _shifted(cost, di, dj)
        backward = _shifted(cost, -di, -dj)
        step_squared = (di * h_m) ** 2 + (dj * h_b) ** 2
        curvatures.append((forward - 2 * centre + backward) / step_squared)
    curvature = np.min(curvatures, axis=0)
    roundoff = (
        ROUNDOFF_ULPS * np.finfo(float).eps * np.abs(cost).max() / min(h_m, h_b) ** 2
    )
    # The first grid point (smallest m, then b) among those round-off cannot tell
    # from the smallest: where a tie is broken must not hang on the last bits.
    lowest = curvature <= curvature.min() + roundoff
    i, j = np.unravel_index(np.argmax(lowest), curvature.shape)

    is_minimum = np.ones(centre.shape, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                is_minimum &= centre < _shifted(cost, di, dj)
    minima = [
        (float(slopes[a + 1]), float(intercepts[b + 1]))
        for a, b in zip(*np.nonzero(is_minimum), strict=True)
    ]
    return Convexity(
        min_curvature=float(curvature.min()),
        where=(float(slopes[i + 1]), float(intercepts[j + 1])),
        roundoff=float(roundoff),
        negative_share=float((curvature < -roundoff).mean()),
        local_minima=minima,
        curvature=curvature,
    )


def _shifted(values: np.ndarray, di: int, dj: int) -> np.ndarray:
    """The interior of ``values`` moved by ``(di, dj)``: neighbours of each point."""
    n, m = values.shape
    return values[1 + di : n - 1 + di, 1 + dj : m - 1 + dj]


def run(args: argparse.Namespace) -> int:
    """Fit the gd walk, grid both costs, print the verdicts, draw; return exit code."""
    _check_callbacks()
    _check_arguments(args)
    output = None if args.no_plot else check_can_plot(args.output)
    dataset, x, y = _standardized_feature(args)
    feature_name = dataset.feature_names[args.feature]
    n_steps = 2 if output is None else 3

    _progress(
        1, n_steps, f"fitting GDLogisticRegression(solver='gd') on {y.size} samples"
    )
    path, final_loss, stopped = _gd_walk(x, y, args.learning_rate, args.steps)
    summary = summarize_feature(x, y)
    grid = _surfaces(summary, path, args, n_steps)

    print(
        f"{dataset.name}, feature {args.feature} {feature_name!r} (standardized): "
        f"{y.size} samples, positive class {dataset.classes[1]}"
    )
    print(
        f"GDLogisticRegression(solver='gd'): learning_rate={args.learning_rate:g}, "
        f"{len(path) - 1} steps from (m, b) = (0, 0) to "
        f"({path[-1, 0]:.4g}, {path[-1, 1]:.4g}), log-loss {final_loss:.6g} "
        f"({stopped})"
    )
    half_width = grid.slopes[-1]
    print(
        f"grid: m and b in [{-half_width:.3g}, {half_width:.3g}], "
        f"{args.grid_size} x {args.grid_size} points"
    )
    if summary.n_bins:
        print(
            f"costs: on {_describe_points(summary)}; each within "
            f"{summary.cost_error_bound(half_width):.1g} of the exact cost on this grid"
        )
    for name, verdict in grid.verdicts.items():
        print(_verdict_line(name, verdict))
        print(_walk_line(name, summary, grid.walks[name], grid.costs[name]))
    if output is not None:
        _progress(3, n_steps, f"drawing {output}")
        _plot(grid, path, feature_name, output)
        print(f"wrote {output}")
    return 0


@dataclass(frozen=True)
class _Surfaces:
    """Both costs on the grid, their verdicts, and a plain gd walk on each."""

    slopes: np.ndarray
    intercepts: np.ndarray
    costs: dict[str, np.ndarray]
    verdicts: dict[str, Convexity]
    walks: dict[str, np.ndarray]


def _surfaces(summary: FeatureSummary, path, args, n_steps: int) -> _Surfaces:
    """Walk each cost from --start, then grid both on a square holding every walk."""
    walks = {
        loss: gradient_walk(
            loss,
            summary.x,
            summary.y,
            tuple(args.start),
            args.learning_rate,
            args.steps,
            sample_weight=summary.weight,
        )
        for loss in LOSSES
    }
    half_width = max(
        MIN_HALF_WIDTH,
        *(PATH_MARGIN * np.abs(p).max() for p in [path, *walks.values()]),
    )
    axis = np.linspace(-half_width, half_width, args.grid_size)
    _progress(
        2,
        n_steps,
        f"both costs on the {args.grid_size} x {args.grid_size} grid, over "
        + _describe_points(summary),
    )
    grids = cost_grids(summary.x, summary.y, axis, axis, summary.weight)
    costs = dict(zip(LOSSES, grids, strict=True))
    return _Surfaces(
        slopes=axis,
        intercepts=axis,
        costs=costs,
        verdicts={
            name: grid_convexity(cost, axis, axis) for name, cost in costs.items()
        },
        walks=walks,
    )


def _check_arguments(args: argparse.Namespace) -> None:
    if not (np.isfinite(args.learning_rate) and args.learning_rate > 0):
        raise CommandLineError(
            f"--learning-rate must be a positive number, got {args.learning_rate}."
        )
    if args.steps < 1:
        raise CommandLineError(f"--steps must be at least 1, got {args.steps}.")
    if args.grid_size < 5:
        raise CommandLineError(f"--grid-size must be at least 5, got {args.grid_size}.")
    if not all(np.isfinite(args.start)) or max(map(abs, args.start)) > MAX_START:
        raise CommandLineError(
            f"--start must be two finite numbers between -{MAX_START:g} and "
            f"{MAX_START:g} (slope and intercept on the standardized feature), got "
            f"{args.start[0]:g} {args.start[1]:g}."
        )


def _standardized_feature(args: argparse.Namespace):
    """The data set, its chosen feature standardized, and labels 0.0 and 1.0."""
    dataset = load_dataset(args.dataset, args.target)
    if dataset.classes.size != 2:
        raise CommandLineError(
            f"landscape draws a two-class cost; {dataset.name} has "
            f"{dataset.classes.size} classes."
        )
    n_features = dataset.X.shape[1]
    if not 0 <= args.feature < n_features:
        raise CommandLineError(
            f"--feature must be between 0 and {n_features - 1} for {dataset.name}, "
            f"got {args.feature}."
        )
    x = dataset.X[:, args.feature]
    if not x.std() > 0:
        raise CommandLineError(
            f"feature {args.feature} of {dataset.name} is constant: no slope to draw."
        )
    x = (x - x.mean()) / x.std()
    return dataset, x, (dataset.y == dataset.classes[1]).astype(float)


def _progress(step: int, n_steps: int, message: str) -> None:
    print(f"[{step}/{n_steps}] {message} ...", file=sys.stderr, flush=True)


def _describe_points(summary: FeatureSummary) -> str:
    if not summary.n_bins:
        return f"{summary.x.size} distinct (x, y) pairs of {summary.n_samples} samples"
    return (
        f"{summary.x.size} points standing for {summary.n_samples} samples (each "
        f"class's mean in {summary.n_bins} bins of x)"
    )


def _check_callbacks() -> None:
    try:
        import sklearn.callback
    except ImportError:
        import sklearn

        raise CommandLineError(
            "landscape records the gd walk with sklogreg.callbacks.IterateHistory, "
            "which needs scikit-learn >= 1.9 (sklearn.callback); this is scikit-learn "
            f"{sklearn.__version__}."
        ) from None


def _gd_walk(x, y, learning_rate, steps) -> tuple[np.ndarray, float, str]:
    """Fit ``solver="gd"`` without penalty; return the (m, b) path and how it ended."""
    from ..callbacks import IterateHistory

    history = IterateHistory()
    model = GDLogisticRegression(
        C=NO_PENALTY_C,
        solver="gd",
        learning_rate=learning_rate,
        max_iter=steps,
        tol=1e-6,
    ).set_callbacks(history)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            model.fit(x[:, None], y)
        except ValueError as error:
            raise CommandLineError(one_line(error)) from error
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    path = np.column_stack([history.coef_path[:, 0, 0], history.intercept_path[:, 0]])
    stopped = (
        "converged: largest gradient entry below 1e-6"
        if converged
        else f"stopped at --steps={steps} before the gradient fell below 1e-6"
    )
    return path, float(model.loss_curve_[-1]), stopped


def residual_weights(loss: str, p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``dJ/dz`` per sample, for ``z = m x + b``: the gradient is its mean times [x, 1].

    Log-loss gives ``p - y``; MSE gives ``2 (p - y) p (1 - p)``, whose factor
    ``p (1 - p)`` vanishes where the sigmoid saturates: the plateaus.
    """
    if loss == "log-loss":
        return p - y
    return 2 * (p - y) * p * (1 - p)


def gradient_walk(
    loss: str,
    x: np.ndarray,
    y: np.ndarray,
    start: tuple[float, float],
    learning_rate: float,
    steps: int,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Plain gradient descent on one of the two costs, from any start.

    The estimator starts at zero and minimises the log-loss only; this walk shows
    what the same fixed steps do from elsewhere, on either surface.

    Parameters
    ----------
    loss : {"log-loss", "MSE of the sigmoid"}
        The cost to walk down.
    x, y : ndarray of shape (n_samples,)
        The feature and labels in {0, 1}.
    start : (float, float)
        The starting ``(m, b)``.
    learning_rate : float
        The fixed step.
    steps : int
        Number of steps.
    sample_weight : ndarray of shape (n_samples,), optional
        How many samples each ``(x, y)`` stands for, as in `cost_grids`.

    Returns
    -------
    ndarray of shape (steps + 1, 2)
        ``(m, b)`` at the start and after each step.
    """
    path = np.empty((steps + 1, 2))
    path[0] = start
    for k in range(steps):
        path[k + 1] = path[k] - learning_rate * _gradient(
            loss, x, y, path[k], sample_weight
        )
    return path


def _gradient(loss, x, y, point, sample_weight) -> np.ndarray:
    """``(dJ/dm, dJ/db)`` at ``point``: the weighted mean of ``dJ/dz`` times [x, 1]."""
    residual = residual_weights(loss, expit(point[0] * x + point[1]), y)
    return np.array(
        [
            np.average(residual * x, weights=sample_weight),
            np.average(residual, weights=sample_weight),
        ]
    )


def _walk_line(loss: str, summary: FeatureSummary, path, cost) -> str:
    m, b = path[-1]
    gradient = np.abs(_gradient(loss, summary.x, summary.y, path[-1], summary.weight))
    final = cost_grids(
        summary.x, summary.y, np.array([m]), np.array([b]), summary.weight
    )[0 if loss == "log-loss" else 1][0, 0]
    lowest = cost.min()
    where = (
        "stuck far above the grid's minimum"
        if final > lowest + 0.01 * abs(lowest) + 1e-3
        else "at the grid's minimum"
    )
    return (
        f"  gd on the {loss} from ({path[0, 0]:.3g}, {path[0, 1]:.3g}): after "
        f"{len(path) - 1} steps at ({m:.3g}, {b:.3g}), cost {final:.6g} against "
        f"{lowest:.6g} at the grid's minimum, largest gradient entry "
        f"{gradient.max():.1e}: {where}"
    )


def _verdict_line(name: str, verdict: Convexity) -> str:
    minima = ", ".join(f"({m:.3g}, {b:.3g})" for m, b in verdict.local_minima[:3])
    more = "..." if len(verdict.local_minima) > 3 else ""
    count = len(verdict.local_minima)
    return (
        f"{name}: {'convex' if verdict.convex else 'NOT convex'} on the grid; "
        f"smallest curvature {verdict.min_curvature:+.3g} at (m, b) = "
        f"({verdict.where[0]:.3g}, {verdict.where[1]:.3g}) (round-off "
        f"{verdict.roundoff:.1g}); negative on {100 * verdict.negative_share:.0f}% "
        f"of the grid; {count} local {'minimum' if count == 1 else 'minima'}"
        + (f" at {minima}{more}" if count else "")
    )


def _plot(grid: _Surfaces, path, feature_name, output) -> None:
    from ..plotting import plot_landscape

    slopes, intercepts = grid.slopes, grid.intercepts
    figure = new_figure(13, 5.2)
    for ax, (name, cost) in zip(figure.subplots(1, 2), grid.costs.items(), strict=True):
        verdict = grid.verdicts[name]
        shape = "convex" if verdict.convex else "not convex"
        plot_landscape(
            slopes,
            intercepts,
            cost,
            path=path,
            path_label="GDLogisticRegression(solver='gd')",
            ax=ax,
            title=f"{name}: {shape} (smallest curvature {verdict.min_curvature:+.2g})",
        )
        if not verdict.convex:
            # Hatch where the surface bends down along some direction: no bowl there.
            ax.contourf(
                slopes[1:-1],
                intercepts[1:-1],
                verdict.curvature.T,
                levels=[-np.inf, -verdict.roundoff],
                colors="none",
                hatches=["//"],
            )
        for m, b in verdict.local_minima:
            ax.plot(m, b, "+", color="white", markersize=12, markeredgewidth=2)
        walk = grid.walks[name]
        ax.plot(
            walk[:, 0],
            walk[:, 1],
            "--",
            color="red",
            linewidth=1.5,
            label=f"plain gd on this cost from ({walk[0, 0]:.3g}, {walk[0, 1]:.3g})",
        )
        ax.plot(*walk[-1], "x", color="red", markersize=10, markeredgewidth=2)
        ax.legend(loc="lower left", fontsize="small")
    figure.suptitle(
        f"J(m, b) for p = sigmoid(m·x + b), x = standardized {feature_name!r}; "
        "+: grid minima; hatched: curvature < 0 (not a bowl)"
    )
    save_figure(figure, output, dpi=100)
