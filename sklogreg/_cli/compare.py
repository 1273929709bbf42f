"""``sklogreg compare``: our gradient descent beside scikit-learn, numbers and a plot.

Every contender is a ``Pipeline(StandardScaler(), classifier)`` fitted on the same
stratified training split, at the same regularisation ``C``:

- ``GDLogisticRegression`` with each of its solvers (read from the estimator's own
  parameter constraints, so a solver added there shows up here);
- ``LogisticRegression`` (lbfgs), the reference;
- ``SGDClassifier(loss="log_loss", alpha=1 / (C * n_train))``: the same objective,
  since SGD's penalty ``alpha/2 ||w||^2`` sits beside a *mean* loss.

All are scored by one independent function (`objective.penalized_log_loss`) on the
standardized training data. BLAS runs on one thread while timing: two BLAS copies in
one process can make multi-threaded runs of small problems many times slower, and one
thread compares like with like.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from .. import GDLogisticRegression
from .datasets import EMBEDDED_DATASETS, add_dataset_arguments, load_dataset
from .errors import CommandLineError
from .figures import add_picture_arguments, check_can_plot, new_figure, save_figure
from .measure import Contender, Outcome, estimate_optimum, fit_and_measure
from .table import format_table

__all__ = ["add_arguments", "available_solvers", "run"]

REFERENCE = "sklearn-lbfgs"
TEST_SIZE = 0.25
RANDOM_STATE = 0


def available_solvers() -> list[str]:
    """The solvers ``GDLogisticRegression`` accepts, in a stable display order."""
    options: set[str] = set()
    for constraint in GDLogisticRegression._parameter_constraints["solver"]:
        # StrOptions carries its strings in ``options``; other constraints do not.
        options |= set(getattr(constraint, "options", ()))
    order = ["gd", "nesterov", "bb", "sgd"]
    return [s for s in order if s in options] + sorted(options - set(order))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``sklogreg compare``."""
    add_dataset_arguments(
        parser,
        f"{', '.join(EMBEDDED_DATASETS)} (embedded in scikit-learn), or the path "
        "of a CSV file with a header row (then give --target). Default: breast_cancer.",
    )
    parser.add_argument(
        "--C",
        type=float,
        default=1.0,
        help="inverse regularisation strength, the same for every contender "
        "(default: 1.0)",
    )
    parser.add_argument(
        "--solver",
        action="append",
        choices=available_solvers(),
        help="a GDLogisticRegression solver to run; repeat for several "
        "(default: all of them)",
    )
    parser.add_argument(
        "--learning-rate",
        default="auto",
        help="GDLogisticRegression's learning_rate: a positive number or 'auto' "
        "(default: auto)",
    )
    parser.add_argument(
        "--max-iter",
        type=int,
        default=1000,
        help="iteration (epoch) budget of every contender (default: 1000)",
    )
    parser.add_argument(
        "--tol",
        type=float,
        default=1e-6,
        help="stop when the largest gradient entry is at most this, for "
        "GDLogisticRegression and lbfgs (SGDClassifier keeps its own stopping "
        "rule) (default: 1e-6)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="fit each contender this many times and keep the fastest (default: 3)",
    )
    add_picture_arguments(parser, "compare.png", "the convergence plot", "the table")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print GDLogisticRegression's progress lines during each fit",
    )


def run(args: argparse.Namespace) -> int:
    """Fit every contender, print the table, write the plot; return the exit code."""
    learning_rate = _check_arguments(args)
    output = None if args.no_plot else check_can_plot(args.output)
    dataset = load_dataset(args.dataset, args.target)
    split = _split(dataset)
    X_train, _, y_train, y_test = split

    contenders = _contenders(
        list(dict.fromkeys(args.solver or available_solvers())),
        C=args.C,
        n_train=len(y_train),
        learning_rate=learning_rate,
        max_iter=args.max_iter,
        tol=args.tol,
        verbose=int(args.verbose),
    )
    print(
        f"{dataset.name}: {len(y_train)} train / {len(y_test)} test samples, "
        f"{dataset.X.shape[1]} features, {dataset.classes.size} classes; C={args.C:g}, "
        f"tol={args.tol:g}, max_iter={args.max_iter}; BLAS on 1 thread; "
        f"fastest of {args.repeats} fits"
    )
    with threadpool_limits(limits=1):
        outcomes = _fit_all(contenders, dataset.classes, args.C, split, args.repeats)
        optimum = min(
            estimate_optimum(X_train, y_train, dataset.classes, args.C),
            *(o.objective for o in outcomes),
            *(o.loss_curve.min() for o in outcomes if o.loss_curve is not None),
        )
    _print_results(outcomes, optimum, dataset.classes.size)
    if output is not None:
        _plot(outcomes, optimum, dataset.name, output)
        print(f"wrote {output}")
    return 0


def _fit_all(
    contenders: list[Contender],
    classes: np.ndarray,
    C: float,
    split: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    repeats: int,
) -> list[Outcome]:
    """Fit and measure each contender in turn, with progress on stderr.

    Each outcome's ``coef_gap`` is set against the reference's coefficients.
    """
    X_train, X_test, y_train, y_test = split
    outcomes = []
    for number, contender in enumerate(contenders, start=1):
        progress = f"[{number}/{len(contenders)}] {contender.name}"
        print(f"{progress}: fitting ...", file=sys.stderr, flush=True)
        outcome = fit_and_measure(
            contender, classes, C, X_train, y_train, X_test, y_test, repeats=repeats
        )
        print(
            f"{progress}: {outcome.fit_seconds * 1e3:.1f} ms, "
            f"{outcome.n_iter} iterations",
            file=sys.stderr,
        )
        outcomes.append(outcome)
    reference = next(o for o in outcomes if o.name == REFERENCE)
    for outcome in outcomes:
        outcome.coef_gap = float(np.abs(outcome.coef - reference.coef).max())
    return outcomes


def _print_results(outcomes: list[Outcome], optimum: float, n_classes: int) -> None:
    """The table, what its objective is, and the caveat on SGD for 3+ classes."""
    print(format_table(outcomes))
    print(
        f"objective: mean log-loss + ||W||²/(2·C·n) on the standardized training "
        f"data; its optimum J* ≈ {optimum:.12g}. Iterations are epochs for the SGD "
        "contenders."
    )
    if n_classes > 2:
        print(
            "SGDClassifier fits one-vs-rest for 3+ classes: its coefficients are "
            "scored on the multinomial objective they do not minimise."
        )


def _check_arguments(args: argparse.Namespace) -> float | str:
    """Reject bad numeric options; return the learning rate, parsed."""
    learning_rate = _parse_learning_rate(args.learning_rate)
    if not (np.isfinite(args.C) and args.C > 0):
        raise CommandLineError(f"--C must be a finite positive number, got {args.C}.")
    if args.max_iter < 1:
        raise CommandLineError(f"--max-iter must be at least 1, got {args.max_iter}.")
    if args.repeats < 1:
        raise CommandLineError(f"--repeats must be at least 1, got {args.repeats}.")
    if not args.tol >= 0:
        raise CommandLineError(f"--tol must be non-negative, got {args.tol}.")
    return learning_rate


def _split(dataset):
    """The stratified train/test split, every class on the training side."""
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            dataset.X,
            dataset.y,
            test_size=TEST_SIZE,
            stratify=dataset.y,
            random_state=RANDOM_STATE,
        )
    except ValueError as error:
        raise CommandLineError(f"cannot split {dataset.name}: {error}") from error
    if np.unique(y_train).size < dataset.classes.size:
        raise CommandLineError(
            f"the training split of {dataset.name} misses a class: too few samples."
        )
    return X_train, X_test, y_train, y_test


def _parse_learning_rate(text: str) -> float | str:
    if text == "auto":
        return text
    try:
        value = float(text)
    except ValueError:
        value = np.nan
    if not (np.isfinite(value) and value > 0):
        raise CommandLineError(
            f"--learning-rate must be a positive number or 'auto', got {text!r}."
        )
    return value


def _contenders(solvers, *, C, n_train, learning_rate, max_iter, tol, verbose):
    ours = [
        Contender(
            f"sklogreg-{solver}",
            GDLogisticRegression(
                C=C,
                solver=solver,
                learning_rate=learning_rate,
                max_iter=max_iter,
                tol=tol,
                random_state=RANDOM_STATE,
                verbose=verbose,
            ),
            ours=True,
        )
        for solver in solvers
    ]
    return [
        *ours,
        Contender(REFERENCE, LogisticRegression(C=C, tol=tol, max_iter=max_iter)),
        Contender(
            "sklearn-SGDClassifier",
            # Same objective: SGD's alpha/2 ||w||^2 beside a mean loss is 1/(2 C n).
            SGDClassifier(
                loss="log_loss",
                alpha=1.0 / (C * n_train),
                max_iter=max_iter,
                random_state=RANDOM_STATE,
            ),
        ),
    ]


def _plot(outcomes: list[Outcome], optimum: float, title: str, output: Path) -> None:
    from ..plotting import plot_loss_curve

    figure = new_figure(12, 4.6)
    by_iteration, by_time = figure.subplots(1, 2)
    for outcome in outcomes:
        if outcome.loss_curve is None:
            continue
        plot_loss_curve(
            outcome.loss_curve, optimum=optimum, ax=by_iteration, label=outcome.name
        )
        plot_loss_curve(
            outcome.loss_curve,
            optimum=optimum,
            times=outcome.curve_seconds,
            ax=by_time,
            label=outcome.name,
        )
    floor = 1e-15 * max(1.0, abs(optimum))
    others = [o for o in outcomes if o.loss_curve is None]
    for outcome, marker in zip(others, "oD^v"[: len(others)], strict=True):
        by_time.plot(
            outcome.fit_seconds,
            max(outcome.objective - optimum, floor),
            marker,
            markersize=9,
            color="black" if outcome.name == REFERENCE else "gray",
            label=f"{outcome.name} (end of fit)",
        )
    by_iteration.set_title(f"{title}: objective gap per iteration")
    by_time.set_title(f"{title}: objective gap against wall time")
    for ax in (by_iteration, by_time):
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize="small")
    save_figure(figure, output, dpi=110)
