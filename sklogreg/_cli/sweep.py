"""``sklogreg sweep``: too small a learning rate crawls, too large diverges.

Plain gradient descent (``GDLogisticRegression(solver="gd")``, after a
``StandardScaler`` in a ``Pipeline``) is fitted at each rate of a grid, by default
log-spaced around the safe step ``1 / L`` of the standardized data (``L`` the
Lipschitz constant of the objective's gradient, computed here from the data's
largest singular value, not by the estimator), some rates far too large to
converge. For each rate it reports the iterations, the gap of the final objective
to the optimum (scored by `objective.penalized_log_loss` against a far tighter
lbfgs fit, as ``compare`` does), why the fit stopped, and the 5-fold
cross-validated accuracy that ``GridSearchCV`` ranks the rates by; then which
rate ``GridSearchCV`` picks and which reaches ``tol`` in the fewest iterations. The
picture has the objective gap per iteration for every rate (a diverged run ends
with a cross) and the CV accuracy against the rate.
"""

from __future__ import annotations

import argparse
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from .. import GDLogisticRegression
from .._solvers import SCHEDULES
from ..callbacks import IterateHistory
from .datasets import EMBEDDED_DATASETS, add_dataset_arguments, load_dataset
from .errors import CommandLineError, one_line
from .figures import add_picture_arguments, check_can_plot, new_figure, save_figure
from .measure import estimate_optimum
from .objective import penalized_log_loss

__all__ = ["add_arguments", "run", "safe_step"]

# The default grid: the safe step 1/L times these factors, 1/10 to 1000.
DEFAULT_FACTORS = np.logspace(-1, 3, 9)
CV_FOLDS = 5
RANDOM_STATE = 0
RATE_PARAMETER = "gdlogisticregression__learning_rate"


@dataclass
class SweepRun:
    """One rate's fit on all the data and its cross-validated accuracy."""

    rate: float
    n_iter: int
    gap: float
    stop: str
    loss_curve: np.ndarray
    cv_accuracy: float = np.nan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``sklogreg sweep``."""
    add_dataset_arguments(
        parser,
        f"{', '.join(EMBEDDED_DATASETS)} (embedded in scikit-learn), or the path "
        "of a CSV file with a header row (then give --target). Default: breast_cancer.",
    )
    parser.add_argument(
        "--rates",
        help="comma-separated learning rates (default: 1/L times 0.1, 0.32, 1, "
        "3.2, ... 1000, with L the Lipschitz constant on the standardized data)",
    )
    parser.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="constant",
        help="how each rate evolves during the fit (default: constant)",
    )
    parser.add_argument(
        "--momentum",
        type=float,
        default=0.0,
        help="heavy-ball momentum in [0, 1) (default: 0)",
    )
    parser.add_argument(
        "--C", type=float, default=1.0, help="inverse regularisation (default: 1.0)"
    )
    parser.add_argument(
        "--max-iter", type=int, default=1000, help="iteration budget (default: 1000)"
    )
    parser.add_argument(
        "--tol",
        type=float,
        default=1e-4,
        help="stop when the largest gradient entry is at most this (default: 1e-4)",
    )
    add_picture_arguments(parser, "sweep.png", "the two panels", "the table")


def run(args: argparse.Namespace) -> int:
    """Fit every rate, print the table and the picks, draw the panels."""
    rates = _check_arguments(args)
    output = None if args.no_plot else check_can_plot(args.output)
    dataset = load_dataset(args.dataset, args.target)
    X_std = StandardScaler().fit_transform(dataset.X)
    safe = safe_step(X_std, dataset.classes.size, args.C)
    rates = safe * DEFAULT_FACTORS if rates is None else rates
    print(
        f"{dataset.name}: {dataset.X.shape[0]} samples, {dataset.X.shape[1]} "
        f"features, {dataset.classes.size} classes, standardized; solver='gd', "
        f"C={args.C:g}, tol={args.tol:g}, max_iter={args.max_iter}; "
        f"safe step 1/L = {safe:.4g}"
    )
    with threadpool_limits(limits=1):
        optimum = estimate_optimum(dataset.X, dataset.y, dataset.classes, args.C)
        runs = [_fit_rate(rate, args, dataset, X_std, optimum) for rate in rates]
        picked = _cross_validate(runs, args, dataset)
    _print_results(runs, args, safe, picked)
    if output is not None:
        _plot(runs, optimum, safe, picked, dataset.name, output)
        print(f"wrote {output}")
    return 0


def safe_step(X, n_classes: int, C: float) -> float:
    """``1 / L`` for the contract's mean objective on standardized ``X``.

    ``L = c * sigma_max([X, 1])^2 / n + 1 / (C n)``, with ``c = 1/4`` (the largest
    curvature of the sigmoid's log-loss) for two classes and ``1/2`` (the softmax's)
    for more.
    """
    n = X.shape[0]
    augmented = np.column_stack([X, np.ones(n)])
    curvature = 0.25 if n_classes == 2 else 0.5
    lipschitz = curvature * np.linalg.norm(augmented, 2) ** 2 / n + 1 / (C * n)
    return 1.0 / lipschitz


def _model(args, rate: float) -> GDLogisticRegression:
    return GDLogisticRegression(
        solver="gd",
        learning_rate=rate,
        schedule=args.schedule,
        momentum=args.momentum,
        C=args.C,
        max_iter=args.max_iter,
        tol=args.tol,
    )


def _fit_rate(rate, args, dataset, X_std, optimum) -> SweepRun:
    """Fit one rate on all the data; a diverging fit's walk up to its end."""
    model, history = _model(args, rate), IterateHistory()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model.set_callbacks(history)
            make_pipeline(StandardScaler(), model).fit(dataset.X, dataset.y)
        except ValueError as error:
            if "too large" not in str(error):
                raise CommandLineError(f"rate {rate:g}: {one_line(error)}") from error
            curve = [
                penalized_log_loss(W, b, X_std, dataset.y, dataset.classes, args.C)
                for W, b in zip(history.coef_path, history.intercept_path, strict=True)
            ]
            # It diverged on the iteration after the last one recorded.
            return SweepRun(rate, len(curve), np.inf, "diverged", np.array(curve))
    final = penalized_log_loss(
        model.coef_, model.intercept_, X_std, dataset.y, dataset.classes, args.C
    )
    stop = "converged" if model.converged_ else "max_iter"
    if args.schedule == "adaptive" and model.learning_rate_ < rate:
        stop = "adapted" if model.converged_ else "adapted+max_iter"
    return SweepRun(
        rate, model.n_iter_, final - optimum, stop, np.asarray(model.loss_curve_)
    )


def _cross_validate(runs, args, dataset) -> SweepRun | None:
    """Each rate's 5-fold accuracy, from one GridSearchCV; the run it picks."""
    search = GridSearchCV(
        make_pipeline(StandardScaler(), _model(args, runs[0].rate)),
        {RATE_PARAMETER: [run.rate for run in runs]},
        cv=StratifiedKFold(CV_FOLDS, shuffle=True, random_state=RANDOM_STATE),
        error_score=np.nan,
    )
    with warnings.catch_warnings():
        # A diverging rate fails its folds: scored NaN, ranked last.
        for category in (ConvergenceWarning, FitFailedWarning, UserWarning):
            warnings.simplefilter("ignore", category)
        search.fit(dataset.X, dataset.y)
    scores = search.cv_results_["mean_test_score"]
    for run, score in zip(runs, scores, strict=True):
        run.cv_accuracy = float(score)
    if not np.isfinite(scores).any():
        return None
    return runs[search.best_index_]


def _print_results(runs, args, safe, picked) -> None:
    header = ("rate", "x_1/L", "schedule", "momentum", "iter", "gap", "stop", "cv_acc")
    rows = [
        (
            f"{run.rate:.4g}",
            f"{run.rate / safe:.3g}",
            args.schedule,
            f"{args.momentum:g}",
            str(run.n_iter),
            "-" if not np.isfinite(run.gap) else f"{max(run.gap, 0.0):.2e}",
            run.stop,
            "-" if not np.isfinite(run.cv_accuracy) else f"{run.cv_accuracy:.4f}",
        )
        for run in runs
    ]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(8)]
    for line in [header, *rows]:
        print("  ".join(f"{cell:>{w}}" for cell, w in zip(line, widths, strict=True)))
    print(
        "gap: J - J* on the standardized data, J* from lbfgs at tol=1e-12; cv_acc: "
        f"mean accuracy over {CV_FOLDS} stratified folds ('-': diverged)."
    )
    if picked is None:
        print("GridSearchCV picks no rate: every rate diverged.")
    else:
        print(
            f"GridSearchCV picks rate {picked.rate:.4g} "
            f"(cv accuracy {picked.cv_accuracy:.4f})."
        )
    reached = [run for run in runs if run.stop in ("converged", "adapted")]
    if reached:
        fastest = min(reached, key=lambda run: run.n_iter)
        print(
            f"Fewest iterations to tol: rate {fastest.rate:.4g} "
            f"({fastest.n_iter} iterations)."
        )
    else:
        print(f"No rate reaches tol within {args.max_iter} iterations.")


def _plot(runs, optimum, safe, picked, title, output) -> None:
    from ..plotting import plot_learning_rate_sweep

    figure = new_figure(12, 4.6)
    walks, accuracy = figure.subplots(1, 2)
    plot_learning_rate_sweep(
        [run.loss_curve for run in runs],
        [run.rate for run in runs],
        optimum=optimum,
        diverged=[run.stop == "diverged" for run in runs],
        ax=walks,
    )
    walks.set_title(f"{title}: objective gap per iteration, solver='gd'")
    rates = np.array([run.rate for run in runs])
    scores = np.array([run.cv_accuracy for run in runs])
    finite = np.isfinite(scores)
    accuracy.semilogx(rates[finite], scores[finite], "o-", label="5-fold CV accuracy")
    if not finite.all():
        floor = np.nanmin(scores) if finite.any() else 0.5
        accuracy.plot(
            rates[~finite],
            np.full((~finite).sum(), floor),
            "x",
            color="red",
            markersize=10,
            label="diverged",
        )
    accuracy.axvline(safe, linestyle="--", color="gray", label="safe step 1/L")
    if picked is not None:
        accuracy.plot(picked.rate, picked.cv_accuracy, "*", markersize=16, color="C3")
    accuracy.set_xlabel("learning rate")
    accuracy.set_ylabel("accuracy")
    accuracy.set_title(f"{title}: cross-validated accuracy (star: GridSearchCV)")
    for ax in (walks, accuracy):
        ax.grid(True, which="major", alpha=0.3)
    accuracy.legend(fontsize="small")
    save_figure(figure, output, dpi=110)


def _check_arguments(args) -> np.ndarray | None:
    """Reject bad numeric options; return the rates given, parsed, or None."""
    if not (np.isfinite(args.C) and args.C > 0):
        raise CommandLineError(f"--C must be a finite positive number, got {args.C}.")
    if not 0 <= args.momentum < 1:
        raise CommandLineError(f"--momentum must be in [0, 1), got {args.momentum}.")
    if args.max_iter < 1:
        raise CommandLineError(f"--max-iter must be at least 1, got {args.max_iter}.")
    if not args.tol >= 0:
        raise CommandLineError(f"--tol must be non-negative, got {args.tol}.")
    if args.rates is None:
        return None
    try:
        rates = np.array([float(text) for text in args.rates.split(",")])
    except ValueError:
        rates = np.array([np.nan])
    if not (np.isfinite(rates).all() and (rates > 0).all()):
        raise CommandLineError(
            f"--rates must be positive numbers separated by commas, got {args.rates!r}."
        )
    return rates
