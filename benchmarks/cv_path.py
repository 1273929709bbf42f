"""Choosing C: GDLogisticRegressionCV against GridSearchCV and LogisticRegressionCV.

Three ways to cross-validate the same grid of ``C`` on the same folds, with the same
scoring (``neg_log_loss``), ``tol`` and ``max_iter``, each refitting at the best C:

* ``GDLogisticRegressionCV(Cs=Cs, cv=folds)``: every fold fitted along the path,
  each solve warm-started from the previous ones;
* ``GridSearchCV(GDLogisticRegression(), {"C": Cs}, cv=folds)``: every point a
  fresh, cold fit of a clone;
* ``LogisticRegressionCV(Cs=Cs, cv=folds, l1_ratios=(0,))``: scikit-learn's own
  path (lbfgs, warm-started).

BLAS runs on one thread for all. Times are the best of ``--repeats`` runs, taken
side by side in one process so that the ratios share the machine's load. The
iterations of the cold fits are counted by a subclass of GDLogisticRegression that
only records ``n_iter_`` after each fit.

Run:  python -m benchmarks.cv_path [--datasets ...] [--scale 0.1] [--quick]
      [--figure docs/cv-path.png]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from threadpoolctl import threadpool_limits

from benchmarks.datasets import make_datasets
from sklogreg import GDLogisticRegression, GDLogisticRegressionCV

DEFAULT_DATASETS = [
    "breast_cancer",
    "digits",
    "digits_3v8",
    "multiclass",
    "ill_conditioned",
    "sparse",
    "dense_tall",
]
# The synthetic sets are scaled by --scale; the embedded ones are always whole.
EMBEDDED = {"breast_cancer", "digits", "digits_3v8"}
SCORING = "neg_log_loss"


class CountingGD(GDLogisticRegression):
    """GDLogisticRegression that appends each fit's ``n_iter_`` to ``fits``."""

    fits: list[int] = []  # noqa: RUF012 - one shared record, on purpose

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight)
        CountingGD.fits.append(self.n_iter_)
        return self


def contenders(Cs, folds, tol, max_iter):
    """The three searches, each a function of nothing that returns a fitted one."""
    return {
        "path": lambda: GDLogisticRegressionCV(
            Cs=Cs, cv=folds, scoring=SCORING, tol=tol, max_iter=max_iter
        ),
        "grid": lambda: GridSearchCV(
            CountingGD(tol=tol, max_iter=max_iter),
            {"C": Cs},
            cv=folds,
            scoring=SCORING,
        ),
        "lrcv": lambda: LogisticRegressionCV(
            Cs=Cs,
            cv=folds,
            l1_ratios=(0.0,),
            scoring=SCORING,
            tol=tol,
            max_iter=max_iter,
            use_legacy_attributes=False,
        ),
    }


def best_time(make, X, y, repeats):
    """Best wall time of ``repeats`` fits, and the last fitted search."""
    times = []
    for _ in range(repeats):
        search = make()
        CountingGD.fits.clear()
        start = time.perf_counter()
        search.fit(X, y)
        times.append(time.perf_counter() - start)
    return min(times), search


def measure(dataset, Cs, n_folds, tol, max_iter, repeats):
    """Times, chosen C and iteration totals of the three searches on one set."""
    folds = list(
        StratifiedKFold(n_folds, shuffle=True, random_state=0).split(
            dataset.X, dataset.y
        )
    )
    row = {"dataset": dataset.name, "shape": dataset.X.shape}
    for name, make in contenders(Cs, folds, tol, max_iter).items():
        seconds, search = best_time(make, dataset.X, dataset.y, repeats)
        row[name] = seconds
        if name == "path":
            row["C_path"], row["iter_warm"] = search.C_, int(search.n_iter_.sum())
        elif name == "grid":
            row["C_grid"] = search.best_params_["C"]
            # The last fit is the refit on all the data: the path's total leaves
            # its own out too.
            row["iter_cold"] = int(sum(CountingGD.fits[:-1]))
        else:
            row["C_lrcv"], row["iter_lbfgs"] = search.C_, int(search.n_iter_.sum())
    return row


def table(rows) -> str:
    """The results as a markdown table, ratios side by side."""
    lines = [
        "| dataset | path | GridSearchCV | LogisticRegressionCV | grid / path "
        "| path / lrcv | C (path, grid, lrcv) | iterations cold → warm (lbfgs) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        n, p = row["shape"]
        lines.append(
            f"| {row['dataset']} {n}x{p} | {row['path']:.3g} s | {row['grid']:.3g} s "
            f"| {row['lrcv']:.3g} s | {row['grid'] / row['path']:.2f}x "
            f"| {row['path'] / row['lrcv']:.2f}x "
            f"| {row['C_path']:.3g}, {row['C_grid']:.3g}, {row['C_lrcv']:.3g} "
            f"| {row['iter_cold']} → {row['iter_warm']} ({row['iter_lbfgs']}) |"
        )
    return "\n".join(lines)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DEFAULT_DATASETS))
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--cs", type=int, default=10, help="np.logspace(-4, 4, n)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sets, 3 Cs, 3 folds: a smoke run"
    )
    parser.add_argument(
        "--figure", help="also save the path and scores on breast_cancer to this PNG"
    )
    return parser.parse_args(argv)


def save_figure(path: str) -> None:
    """The README's picture: breast_cancer's path over 20 Cs and its CV scores."""
    from matplotlib.figure import Figure

    from sklogreg.plotting import plot_cv_scores, plot_regularization_path

    (dataset,) = make_datasets(1.0, ["breast_cancer"])
    model = GDLogisticRegressionCV(Cs=20, scoring=SCORING).fit(dataset.X, dataset.y)
    figure = Figure(figsize=(10, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    plot_regularization_path(model, ax=left)
    left.set_title("breast_cancer: mean path over 5 folds")
    plot_cv_scores(model, ax=right)
    right.set_title(f"cross-validated {SCORING}")
    figure.savefig(path, dpi=90)
    print(f"wrote {path}")


def main(argv=None) -> list[dict]:
    args = parse(argv)
    if args.quick:
        args.scale, args.cs, args.folds = 0.01, 3, 3
    names = args.datasets.split(",")
    datasets = [
        dataset
        for name in names
        for dataset in make_datasets(1.0 if name in EMBEDDED else args.scale, [name])
    ]
    Cs = np.logspace(-4, 4, args.cs)
    rows = []
    with threadpool_limits(1), warnings.catch_warnings():
        # Every contender stops at max_iter somewhere on an unscaled set or at the
        # weakest penalty; the table reports what each did in that budget.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for dataset in datasets:
            rows.append(
                measure(dataset, Cs, args.folds, args.tol, args.max_iter, args.repeats)
            )
            print(f"measured {dataset.name}", flush=True)
    print(
        f"\n{len(Cs)} Cs from 1e-4 to 1e4, {args.folds} folds, tol={args.tol:g}, "
        f"max_iter={args.max_iter}, scoring={SCORING}, synthetic sets at scale "
        f"{args.scale:g}; one BLAS thread; best of {args.repeats}. "
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}.\n"
    )
    print(table(rows))
    if args.figure:
        save_figure(args.figure)
    return rows


if __name__ == "__main__":
    main()
