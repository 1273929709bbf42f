"""GridSearchCV over the learning rate: ours ("gd") against SGDClassifier's eta0.

The headline use of a fixed learning rate is a grid search over it. Both searches
run on breast_cancer in a ``Pipeline(StandardScaler(), classifier)``, over the same
rates and the same 5 stratified folds:

- ``GDLogisticRegression(solver="gd", learning_rate=rate)``;
- ``SGDClassifier(loss="log_loss", learning_rate="constant", eta0=rate,
  alpha=1 / (C * n_train))``: the same objective (SGD's ``alpha/2 ||w||^2`` beside
  a mean loss), each with its own stopping rule and default ``max_iter``.

The two searches alternate ``--repeats`` times and the fastest of each is kept; BLAS
runs on one thread. A second part times ours over schedule x momentum on the same
rates. The numbers are wall times on whatever machine runs this: read them as
ratios measured side by side.

Run:  python benchmarks/grid_search.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklogreg import GDLogisticRegression

C = 1.0
RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
FOLDS = StratifiedKFold(5, shuffle=True, random_state=0)


def searches(n_train: int) -> dict:
    """The GridSearchCV of each contender, unfitted."""
    ours = make_pipeline(StandardScaler(), GDLogisticRegression(solver="gd", C=C))
    sgd = make_pipeline(
        StandardScaler(),
        SGDClassifier(
            loss="log_loss",
            learning_rate="constant",
            alpha=1.0 / (C * n_train),
            random_state=0,
        ),
    )
    return {
        "GDLogisticRegression(solver='gd')": GridSearchCV(
            ours, {"gdlogisticregression__learning_rate": RATES}, cv=FOLDS
        ),
        "SGDClassifier(constant, eta0)": GridSearchCV(
            sgd, {"sgdclassifier__eta0": RATES}, cv=FOLDS
        ),
        "ours: rate x schedule x momentum": GridSearchCV(
            ours,
            {
                "gdlogisticregression__learning_rate": RATES,
                "gdlogisticregression__schedule": [
                    "constant",
                    "invscaling",
                    "adaptive",
                ],
                "gdlogisticregression__momentum": [0.0, 0.9],
            },
            cv=FOLDS,
        ),
    }


def timed_fit(search, X, y) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    X, y = load_breast_cancer(return_X_y=True)
    # The training part of a 5-fold split: SGDClassifier's alpha = 1 / (C n_train).
    n_train = round(X.shape[0] * 4 / 5)
    best: dict[str, float] = {}
    found: dict[str, tuple] = {}
    with threadpool_limits(limits=1):
        for _ in range(args.repeats):
            for name, search in searches(n_train).items():
                best[name] = min(best.get(name, np.inf), timed_fit(search, X, y))
                found[name] = (
                    search.best_params_,
                    search.best_score_,
                    len(search.cv_results_["params"]),
                )
    reference = best["SGDClassifier(constant, eta0)"]
    print(
        f"breast_cancer, {len(RATES)} rates {RATES} x {FOLDS.n_splits} folds, "
        f"standardized pipeline; BLAS on 1 thread; fastest of {args.repeats}"
    )
    for name in searches(n_train):
        params, score, n_candidates = found[name]
        short = {key.split("__")[1]: value for key, value in params.items()}
        print(
            f"{name:36s} {n_candidates:3d} candidates  {best[name]:7.3f} s  "
            f"({best[name] / reference:5.2f} x SGDClassifier)  best {short} "
            f"cv accuracy {score:.4f}"
        )


if __name__ == "__main__":
    main()
