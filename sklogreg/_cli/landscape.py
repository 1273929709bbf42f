"""``sklogreg landscape``: the cost J(m, b) on one feature, two losses, a gd walk.

With one feature ``x`` the model is ``p = sigmoid(m x + b)`` and every cost is a
surface over the plane of ``(m, b)``. The log-loss and the mean squared error of the
sigmoid are drawn side by side over the same grid, each with the command's verdict on
its convexity (`cost_surfaces`). A ``GDLogisticRegression(solver="gd")`` fit with a
fixed learning rate is drawn on both, and a plain gd walk from ``--start`` on each
(`gd_walks`); the report (`landscape_report`) and the picture (`landscape_figure`)
show what came out.

The grid and the plain walks see the samples as `summary.summarize_feature`'s weighted
points: the distinct ``(x, y)`` pairs with their counts (the same costs), or on large
data each class's mean in bins of ``x`` (costs within a printed bound), so that a grid
costs the same at any number of samples. The estimator's fit sees every sample.

This module reads the options, checks them and the data, and runs the steps in order.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from .cost_surfaces import Surfaces, grid_surfaces
from .datasets import EMBEDDED_DATASETS, Dataset, add_dataset_arguments, load_dataset
from .errors import CommandLineError
from .figures import add_picture_arguments, check_can_plot
from .gd_walks import check_callbacks, fit_gd_walk, plain_walks
from .landscape_figure import plot_surfaces
from .landscape_report import describe_points, print_report
from .summary import FeatureSummary, summarize_feature

__all__ = ["add_arguments", "run"]

# The grid spans at least this many standard deviations of slope and intercept: wide
# enough to reach the saturated sigmoid, where MSE's plateaus are.
MIN_HALF_WIDTH = 10.0
# Points of the gd path farther out than this share of the half-width widen the grid.
PATH_MARGIN = 1.2
# The largest |m| or |b| a --start may have. The grid widens to take in the walks, so
# from farther out the default 201 points would step more than a unit apart: coarser
# than the bowl of the log-loss, which on a standardized feature lies within a few
# units of the origin.
MAX_START = 10 * MIN_HALF_WIDTH


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``sklogreg landscape``."""
    add_dataset_arguments(
        parser,
        f"a two-class data set: {', '.join(EMBEDDED_DATASETS)} or a CSV path "
        "with --target (default: breast_cancer)",
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
    add_picture_arguments(parser, "landscape.png", "the picture", "the verdicts")


def run(args: argparse.Namespace) -> int:
    """Fit the gd walk, grid both costs, print the verdicts, draw; return exit code."""
    check_callbacks()
    _check_arguments(args)
    output = None if args.no_plot else check_can_plot(args.output)
    dataset, x, y = _standardized_feature(args)
    n_steps = 2 if output is None else 3

    _progress(
        1, n_steps, f"fitting GDLogisticRegression(solver='gd') on {y.size} samples"
    )
    fit = fit_gd_walk(x, y, args.learning_rate, args.steps)
    summary = summarize_feature(x, y)
    surfaces = _surfaces(summary, fit.path, args, n_steps)
    print_report(dataset, args.feature, args.learning_rate, fit, summary, surfaces)
    if output is not None:
        _progress(3, n_steps, f"drawing {output}")
        plot_surfaces(surfaces, fit.path, dataset.feature_names[args.feature], output)
        print(f"wrote {output}")
    return 0


def _surfaces(
    summary: FeatureSummary,
    path: np.ndarray,
    args: argparse.Namespace,
    n_steps: int,
) -> Surfaces:
    """Walk each cost from --start, then grid both on a square holding every walk."""
    walks = plain_walks(summary, tuple(args.start), args.learning_rate, args.steps)
    half_width = max(
        MIN_HALF_WIDTH,
        *(PATH_MARGIN * np.abs(p).max() for p in [path, *walks.values()]),
    )
    _progress(
        2,
        n_steps,
        f"both costs on the {args.grid_size} x {args.grid_size} grid, over "
        + describe_points(summary),
    )
    return grid_surfaces(summary, half_width, args.grid_size, walks)


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


def _standardized_feature(
    args: argparse.Namespace,
) -> tuple[Dataset, np.ndarray, np.ndarray]:
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
