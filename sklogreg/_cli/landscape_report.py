"""What ``sklogreg landscape`` prints: the data, the fit, the grid and each verdict.

Every line is built from results already computed; nothing here fits or grids, so
the report and the picture (`landscape_figure`) show the same numbers.
"""

from __future__ import annotations

import numpy as np

from .cost_surfaces import Convexity, Surfaces, cost_grids
from .datasets import Dataset
from .gd_walks import RecordedWalk, gradient
from .summary import FeatureSummary

__all__ = ["describe_points", "print_report", "verdict_line", "walk_line"]


def print_report(
    dataset: Dataset,
    feature: int,
    learning_rate: float,
    fit: RecordedWalk,
    summary: FeatureSummary,
    surfaces: Surfaces,
) -> None:
    """Print the report of ``sklogreg landscape`` on stdout.

    Parameters
    ----------
    dataset : Dataset
        The data set the feature comes from.
    feature : int
        The index of the feature drawn.
    learning_rate : float
        The fixed step of every walk.
    fit : RecordedWalk
        The estimator's walk.
    summary : FeatureSummary
        The weighted points the costs and plain walks were computed on.
    surfaces : Surfaces
        The costs on the grid, their verdicts and the plain walks.
    """
    path = fit.path
    print(
        f"{dataset.name}, feature {feature} {dataset.feature_names[feature]!r} "
        f"(standardized): {dataset.y.size} samples, positive class "
        f"{dataset.classes[1]}"
    )
    print(
        f"GDLogisticRegression(solver='gd'): learning_rate={learning_rate:g}, "
        f"{len(path) - 1} steps from (m, b) = (0, 0) to "
        f"({path[-1, 0]:.4g}, {path[-1, 1]:.4g}), log-loss {fit.final_loss:.6g} "
        f"({fit.stopped})"
    )
    half_width = surfaces.slopes[-1]
    grid_size = surfaces.slopes.size
    print(
        f"grid: m and b in [{-half_width:.3g}, {half_width:.3g}], "
        f"{grid_size} x {grid_size} points"
    )
    if summary.n_bins:
        print(
            f"costs: on {describe_points(summary)}; each within "
            f"{summary.cost_error_bound(half_width):.1g} of the exact cost on this grid"
        )
    for name, verdict in surfaces.verdicts.items():
        print(verdict_line(name, verdict))
        print(walk_line(name, summary, surfaces.walks[name], surfaces.costs[name]))


def describe_points(summary: FeatureSummary) -> str:
    """What the costs are means over: distinct pairs, or class means in bins."""
    if not summary.n_bins:
        return f"{summary.x.size} distinct (x, y) pairs of {summary.n_samples} samples"
    return (
        f"{summary.x.size} points standing for {summary.n_samples} samples (each "
        f"class's mean in {summary.n_bins} bins of x)"
    )


def walk_line(
    loss: str, summary: FeatureSummary, path: np.ndarray, cost: np.ndarray
) -> str:
    """Where a plain walk on ``loss`` ended, against the lowest ``cost`` on the grid.

    Parameters
    ----------
    loss : {"log-loss", "MSE of the sigmoid"}
        The cost walked down.
    summary : FeatureSummary
        The weighted points the walk was on.
    path : ndarray of shape (steps + 1, 2)
        The walk's ``(m, b)``.
    cost : ndarray of shape (n_m, n_b)
        The cost on the grid.

    Returns
    -------
    str
    """
    m, b = path[-1]
    largest_entry = np.abs(
        gradient(loss, summary.x, summary.y, path[-1], summary.weight)
    ).max()
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
        f"{largest_entry:.1e}: {where}"
    )


def verdict_line(name: str, verdict: Convexity) -> str:
    """One cost's verdict: convex or not, its smallest curvature and local minima.

    Parameters
    ----------
    name : str
        The cost's name.
    verdict : Convexity
        What its grid says.

    Returns
    -------
    str
    """
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
