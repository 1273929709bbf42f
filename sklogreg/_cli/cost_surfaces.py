"""The costs J(m, b) of ``sigmoid(m x + b)`` on a grid, and their convexity there.

With one feature ``x`` every cost is a surface over the plane of ``(m, b)``. Two are
computed over the same grid:

- the log-loss, ``J = mean(-y log p - (1 - y) log(1 - p))``, which is convex in
  ``(m, b)``: a single bowl;
- the mean squared error of the sigmoid, ``J = mean((p - y)^2)``, which is not: where
  the sigmoid saturates the surface flattens into plateaus that bend the wrong way.

The claim "convex or not" is checked on the grid, not taken on faith: a convex
function's second difference ``J(p + d) - 2 J(p) + J(p - d)`` is never negative, along
any direction ``d``. `grid_convexity` finds the smallest such curvature along the
grid's rows, columns and diagonals; one clearly negative value proves the surface is
not convex, while none below round-off is what a convex surface shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, log_expit

from .summary import FeatureSummary

__all__ = [
    "LOSSES",
    "Convexity",
    "Surfaces",
    "cost_grids",
    "grid_convexity",
    "grid_surfaces",
]

LOSSES = ("log-loss", "MSE of the sigmoid")
# Round-off in a second difference of values near |J|: a few ulps of J over h^2.
ROUNDOFF_ULPS = 64


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


@dataclass(frozen=True)
class Surfaces:
    """Both costs on the grid, their verdicts, and a plain gd walk on each."""

    slopes: np.ndarray
    """The grid's axis of m."""
    intercepts: np.ndarray
    """The grid's axis of b."""
    costs: dict[str, np.ndarray]
    """Each cost of `LOSSES` at every ``(m, b)``, shape ``(n_m, n_b)``."""
    verdicts: dict[str, Convexity]
    """What each cost's grid says about its convexity."""
    walks: dict[str, np.ndarray]
    """The plain gd walk on each cost, shape ``(steps + 1, 2)``."""


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


def grid_surfaces(
    summary: FeatureSummary,
    half_width: float,
    grid_size: int,
    walks: dict[str, np.ndarray],
) -> Surfaces:
    """Both costs and their verdicts on a square grid centred on the origin.

    Parameters
    ----------
    summary : FeatureSummary
        The weighted points the costs are means over.
    half_width : float
        The grid spans ``[-half_width, half_width]`` along m and along b.
    grid_size : int
        Grid points along each axis.
    walks : dict of str to ndarray
        The plain gd walk on each cost of `LOSSES`, kept beside the costs.

    Returns
    -------
    Surfaces
    """
    axis = np.linspace(-half_width, half_width, grid_size)
    grids = cost_grids(summary.x, summary.y, axis, axis, summary.weight)
    costs = dict(zip(LOSSES, grids, strict=True))
    return Surfaces(
        slopes=axis,
        intercepts=axis,
        costs=costs,
        verdicts={
            name: grid_convexity(cost, axis, axis) for name, cost in costs.items()
        },
        walks=walks,
    )
