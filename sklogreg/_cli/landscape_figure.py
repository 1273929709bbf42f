"""The picture of ``sklogreg landscape``: both costs side by side, with the walks.

Each panel draws one cost's contours (`sklogreg.plotting.plot_landscape`), the
estimator's walk, the plain gd walk on that cost, the grid's local minima, and, where
the cost is not convex, hatching over the points where it bends down.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .cost_surfaces import Surfaces
from .figures import new_figure, save_figure

__all__ = ["plot_surfaces"]


def plot_surfaces(
    surfaces: Surfaces, path: np.ndarray, feature_name: str, output: Path
) -> None:
    """Draw both costs with the walks and write the picture.

    Parameters
    ----------
    surfaces : Surfaces
        The costs on the grid, their verdicts and the plain walks.
    path : ndarray of shape (n_steps + 1, 2)
        The estimator's walk, drawn on both panels.
    feature_name : str
        The feature's name, for the title.
    output : Path
        Where to write the picture (checked by `figures.check_can_plot`).
    """
    from ..plotting import plot_landscape

    slopes, intercepts = surfaces.slopes, surfaces.intercepts
    figure = new_figure(13, 5.2)
    panels = zip(figure.subplots(1, 2), surfaces.costs.items(), strict=True)
    for ax, (name, cost) in panels:
        verdict = surfaces.verdicts[name]
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
        walk = surfaces.walks[name]
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
