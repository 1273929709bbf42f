"""Race of the full-gradient solvers against lbfgs at the same ``tol``, side by side.

``python -m benchmarks.solver_race [--scale 1.0] [--repeats 3] [--datasets a,b]``

Every contender fits each dataset of the suite (and the small and many-class sets)
at ``tol = 1e-6`` and ``1e-8``: sklogreg and ``LogisticRegression(solver="lbfgs")``
stop on the same test (the largest entry of the gradient of the same objective, up
to sklearn's factor n), so the fits are equally accurate and the time to reach that
accuracy compares directly. The fits are interleaved (one of each contender per
round) and each time is the best of ``--repeats`` rounds, so that a machine shared
with other work slows all of them alike; the load average is printed. Each row has
the time, the iterations, the time per iteration (the whole fit's time over its
iterations, set-up included, as the issue measured it) and the ratio to lbfgs, and
the gradient reached, measured by an independent function
(`benchmarks.objective.objective_gradient_max`). BLAS runs on one thread.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from sklogreg import GDLogisticRegression

from .datasets import make_datasets
from .objective import objective_gradient_max

TOLS = (1e-6, 1e-8)
SUITE = [
    "wine",
    "iris",
    "breast_cancer",
    "digits",
    "digits_3v8",
    "dense_tall",
    "dense_wide",
    "multiclass",
    "ill_conditioned",
    "sparse",
    "dense_tall_f32",
    "dense_wide_f32",
    "multiclass_50",
    "multiclass_200",
]
# A contender still running at this many iterations has lost the race (its gradient
# column then shows how far from tol it stopped).
MAX_ITER = 5_000


def contenders(names, max_iter=MAX_ITER):
    """Estimator factories by name: lbfgs, then the sklogreg solvers asked for."""
    makers = {
        "lbfgs": lambda tol: LogisticRegression(tol=tol, max_iter=max_iter),
        "bb": lambda tol: GDLogisticRegression(solver="bb", tol=tol, max_iter=max_iter),
        "nesterov": lambda tol: GDLogisticRegression(
            solver="nesterov", tol=tol, max_iter=max_iter
        ),
    }
    return {name: makers[name] for name in names}


def n_iter(model) -> int:
    return int(np.max(model.n_iter_))


def race(dataset, makers, tol, repeats):
    """Best-of-``repeats`` time, iterations and gradient reached, per contender."""
    X, y = dataset.X, dataset.y
    best = {name: (np.inf, None) for name in makers}
    for _ in range(repeats):
        for name, make in makers.items():
            model = make(tol)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                model.fit(X, y)
                elapsed = time.perf_counter() - start
            if elapsed < best[name][0]:
                best[name] = (elapsed, model)
    rows = {}
    for name, (seconds, model) in best.items():
        encoded = np.searchsorted(model.classes_, y)
        coef = np.asarray(model.coef_, dtype=np.float64)
        rows[name] = {
            "time": seconds,
            "n_iter": n_iter(model),
            "gradient_max": objective_gradient_max(
                X, encoded, coef, np.asarray(model.intercept_, np.float64), dataset.C
            ),
        }
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.solver_race")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--datasets", help="comma-separated subset")
    parser.add_argument("--contenders", default="lbfgs,nesterov,bb")
    parser.add_argument("--max-iter", type=int, default=MAX_ITER)
    args = parser.parse_args(argv)
    names = args.datasets.split(",") if args.datasets else SUITE
    makers = contenders(args.contenders.split(","), args.max_iter)
    ours = [name for name in makers if name != "lbfgs"]
    print(
        f"load average before: {os.getloadavg()}; BLAS threads: 1; best of "
        f"{args.repeats}, interleaved; scale {args.scale}"
    )
    header = "| data | tol | lbfgs | " + " | ".join(ours) + " |"
    print(header)
    print("|---" * (3 + len(ours)) + "|")
    ratios = {(name, tol): [] for name in ours for tol in TOLS}
    with threadpool_limits(limits=1, user_api="blas"):
        for name in names:
            (dataset,) = make_datasets(args.scale, [name])
            for tol in TOLS:
                rows = race(dataset, makers, tol, args.repeats)
                reference = rows["lbfgs"]
                cells = [_cell(reference, None)]
                for solver in ours:
                    cells.append(_cell(rows[solver], reference["time"]))
                    ratios[solver, tol].append(rows[solver]["time"] / reference["time"])
                print(f"| {name} | {tol:g} | " + " | ".join(cells) + " |", flush=True)
    for (solver, tol), values in ratios.items():
        print(
            f"{solver} tol {tol:g}: median ratio {statistics.median(values):.2f}, "
            f"worst {max(values):.2f}"
        )
    print(f"load average after: {os.getloadavg()}")


def _cell(row, reference_time):
    text = (
        f"{row['time'] * 1e3:.1f} ms, {row['n_iter']} it, "
        f"{row['time'] * 1e3 / max(row['n_iter'], 1):.3f} ms/it, "
        f"grad {row['gradient_max']:.0e}"
    )
    if reference_time:
        text += f" (**{row['time'] / reference_time:.2f}x**)"
    return text


if __name__ == "__main__":
    main()
