"""The ``sklogreg`` command: ``sklogreg compare``, ``landscape`` and ``sweep``.

``python -m sklogreg`` runs the same `main`. Tests call ``main([...])`` directly: it
returns the exit code instead of exiting, 2 for any bad input, with a one-line message
on stderr and no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._cli import compare, landscape, sweep
from ._cli.errors import EXIT_BAD_INPUT, CommandLineError, one_line

__all__ = ["build_parser", "main"]

SUBCOMMANDS = {"compare": compare, "landscape": landscape, "sweep": sweep}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sklogreg`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="sklogreg",
        description="Logistic regression by gradient descent, shown beside "
        "scikit-learn.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    compare.add_arguments(
        subparsers.add_parser(
            "compare",
            help="fit our solvers and scikit-learn's side by side; print a table and "
            "plot the convergence",
            description="Fit GDLogisticRegression's solvers, LogisticRegression "
            "(lbfgs) and SGDClassifier at the same regularisation on a stratified "
            "split; print one table and plot the objective gap against iterations "
            "and wall time.",
        )
    )
    landscape.add_arguments(
        subparsers.add_parser(
            "landscape",
            help="draw J(m, b) for log-loss and for MSE of the sigmoid, with a "
            "gradient-descent walk, and test each for convexity",
            description="On one-feature binary data, draw the cost J(m, b) over a "
            "grid for the log-loss and for the mean squared error of the sigmoid, "
            "with the path of a 'gd' fit, and report whether the grid shows each "
            "cost convex.",
        )
    )
    sweep.add_arguments(
        subparsers.add_parser(
            "sweep",
            help="fit gradient descent at a grid of learning rates: iterations, "
            "objective gap, CV accuracy, and the walks on one plot",
            description="Fit GDLogisticRegression(solver='gd') in a standardized "
            "pipeline at each learning rate of a grid around the safe step 1/L; "
            "print iterations, objective gap, stop reason and 5-fold CV accuracy; "
            "say which rate GridSearchCV picks; plot the gap per iteration and the "
            "CV accuracy against the rate.",
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sklogreg`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        The exit code: 0 on success, 2 on bad input (a message is on stderr).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help (0) and bad options (2)
        return int(exit_.code or 0)
    try:
        return SUBCOMMANDS[args.command].run(args)
    except CommandLineError as error:
        print(f"sklogreg {args.command}: error: {one_line(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
