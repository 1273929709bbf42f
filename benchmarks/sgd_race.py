"""Race: GDLogisticRegression(solver="sgd") against SGDClassifier to 1% of the optimum.

Both minimise the same objective on a standardized 100k x 100 binary problem:
``SGDClassifier(loss="log_loss", alpha=1 / (C * n))`` penalises ``alpha/2 ||w||^2``
next to the mean log-loss, which is the contract's ``J`` with ``C``. One objective
function, ``sklogreg compare``'s independent scorer (written apart from the estimator),
scores every contender (no solver grades its own homework); the optimum ``J*`` is the
lower of lbfgs's and nesterov's at tight tolerances.

For each contender the script fits with ``max_iter = 1, 2, ...`` epochs
(SGDClassifier with ``tol=None``, so it runs them all) and reports the first budget
whose ``J`` is within 1% of ``J*``, with its wall time (best of ``--repeats``). Each
fit starts from scratch, so a time includes all the set-up the estimator needs. BLAS
runs on one thread for everyone.

Run:  python benchmarks/sgd_race.py [--n-samples 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklogreg import GDLogisticRegression
from sklogreg._cli.objective import penalized_log_loss

C = 1.0
TARGET = 0.01  # relative gap to the optimum
CLASSES = np.array([0, 1])  # make_classification's labels


def best_time(make, X, y, repeats):
    """Best wall time of ``repeats`` fits, and the last fitted model."""
    times = []
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        times.append(time.perf_counter() - start)
    return min(times), model


def time_to_target(make, X, y, optimum, repeats, max_epochs):
    """First epoch budget that reaches the target, its best time and gap."""
    for epochs in range(1, max_epochs + 1):
        seconds, model = best_time(lambda e=epochs: make(e), X, y, 1)
        gap = (
            penalized_log_loss(model.coef_, model.intercept_, X, y, CLASSES, C)
            / optimum
            - 1
        )
        if gap <= TARGET:
            seconds, _ = best_time(lambda e=epochs: make(e), X, y, repeats)
            return epochs, seconds, gap
    return None, seconds, gap


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-epochs", type=int, default=30)
    args = parser.parse_args()

    X, y = make_classification(
        args.n_samples, args.n_features, n_informative=30, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    n = y.size
    with threadpool_limits(1):
        reference = [
            LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y),
            GDLogisticRegression(C=C, tol=1e-8, max_iter=10_000).fit(X, y),
        ]
        optimum = min(
            penalized_log_loss(m.coef_, m.intercept_, X, y, CLASSES, C)
            for m in reference
        )
        print(f"{n} x {args.n_features}, C={C}: J* = {optimum:.8f}; one BLAS thread")

        def sgd_classifier(epochs, tol=None, average=False):
            return SGDClassifier(
                loss="log_loss",
                alpha=1.0 / (C * n),
                max_iter=epochs,
                tol=tol,
                average=average,
                random_state=0,
            )

        def sklogreg_sgd(epochs):
            return GDLogisticRegression(
                solver="sgd", C=C, max_iter=epochs, random_state=0
            )

        rows = []
        for name, make in [
            ("SGDClassifier(log_loss)", sgd_classifier),
            ("SGDClassifier(average=True)", lambda e: sgd_classifier(e, average=True)),
            ('GDLogisticRegression("sgd")', sklogreg_sgd),
        ]:
            epochs, seconds, gap = time_to_target(
                make, X, y, optimum, args.repeats, args.max_epochs
            )
            rows.append((name, epochs, seconds, gap))
            reached = f"{epochs} epoch(s)" if epochs else f"not in {args.max_epochs}"
            print(
                f"{name:30s} to within 1%: {reached:16s} {seconds:7.3f} s  "
                f"gap {gap:.2e}"
            )
        full_fits = {}
        for name, make in [
            ("SGDClassifier defaults", lambda: sgd_classifier(1000, tol=1e-3)),
            ('"sgd" defaults', lambda: sklogreg_sgd(1000)),
        ]:
            seconds, model = best_time(make, X, y, args.repeats)
            gap = (
                penalized_log_loss(model.coef_, model.intercept_, X, y, CLASSES, C)
                / optimum
                - 1
            )
            full_fits[name] = seconds
            print(
                f"{name:30s} full fit: {model.n_iter_:4d} epochs  {seconds:7.3f} s  "
                f"gap {gap:.2e}"
            )
        ours_time = rows[-1][2]
        for name, epochs, seconds, _ in rows[:-1]:
            if epochs is None:
                print(
                    f"{name} never reached 1%; its default fit against "
                    f'"sgd" to 1%: '
                    f"{full_fits['SGDClassifier defaults'] / ours_time:.1f}x"
                )
            else:
                print(f"ratio {name} / sgd, time to 1%: {seconds / ours_time:.1f}x")


if __name__ == "__main__":
    main()
