"""Fit one contender of ``sklogreg compare``, timed, and measure what the table shows.

Each contender is a ``Pipeline(StandardScaler(), classifier)`` on the training split.
Its fit is timed as the fastest of a few runs; for our solvers a further run with an
`_IterationClock` callback times every iteration, for the wall-time plot. Every
number that ranks the contenders comes from `objective.penalized_log_loss`, never
from a contender's own report.
"""

from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .errors import CommandLineError, one_line
from .objective import penalized_log_loss

__all__ = ["Contender", "Outcome", "estimate_optimum", "fit_and_measure"]

# The tight lbfgs fit that estimates the optimum J* for the convergence plot.
OPTIMUM_TOL = 1e-12
OPTIMUM_MAX_ITER = 100_000
# The name GDLogisticRegression gives the callback task of one iteration.
ITERATION_TASK = "iteration"


@dataclass
class Contender:
    """A named classifier to fit, and whether it records a loss curve."""

    name: str
    classifier: object
    ours: bool = False


@dataclass
class Outcome:
    """What one fitted contender measured."""

    name: str
    fit_seconds: float
    n_iter: int
    objective: float
    train_accuracy: float
    test_accuracy: float
    test_log_loss: float
    converged: bool
    coef: np.ndarray
    loss_curve: np.ndarray | None = None
    curve_seconds: np.ndarray | None = None
    coef_gap: float = field(default=np.nan)


def fit_and_measure(
    contender, classes, C, X_train, y_train, X_test, y_test, repeats
) -> Outcome:
    """Fit one contender in a pipeline, timed, and measure everything in the table.

    The fit runs ``repeats`` times and the fastest run is kept, so that a first run's
    one-off costs (lazy imports, cold caches) do not decide the timing.
    """
    fastest = None
    for _ in range(repeats):
        run = _timed_fit(contender, X_train, y_train, with_clock=False)
        if fastest is None or run[1] < fastest[1]:
            fastest = run
    pipeline, fit_seconds, caught, _ = fastest
    classifier = pipeline[-1]
    for warning in caught:
        if not issubclass(warning.category, ConvergenceWarning):
            print(
                f"warning from {contender.name}: {one_line(warning.message)}",
                file=sys.stderr,
            )
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)

    scaled_train = pipeline[0].transform(X_train)
    coef = np.column_stack([classifier.coef_, classifier.intercept_])
    loss_curve = curve_seconds = None
    if contender.ours:
        loss_curve = np.asarray(classifier.loss_curve_, dtype=float)
        curve_seconds = _iteration_seconds(contender, X_train, y_train, fit_seconds)
        if curve_seconds is None or curve_seconds.size != loss_curve.size:
            # No per-iteration clock: spread the iterations evenly over the fit.
            curve_seconds = np.linspace(0, fit_seconds, loss_curve.size)
    return Outcome(
        name=contender.name,
        fit_seconds=fit_seconds,
        n_iter=int(np.max(classifier.n_iter_)),
        objective=penalized_log_loss(
            classifier.coef_, classifier.intercept_, scaled_train, y_train, classes, C
        ),
        train_accuracy=accuracy_score(y_train, pipeline.predict(X_train)),
        test_accuracy=accuracy_score(y_test, pipeline.predict(X_test)),
        test_log_loss=log_loss(y_test, pipeline.predict_proba(X_test), labels=classes),
        converged=converged,
        coef=coef,
        loss_curve=loss_curve,
        curve_seconds=curve_seconds,
    )


def _iteration_seconds(contender, X_train, y_train, fit_seconds):
    """When each point of the loss curve was reached, in a fit without the clock.

    A further fit runs with the clock attached. It differs from the timed fit by the
    callback machinery's cost per iteration, and by noise; that difference is spread
    evenly over the iterations (``k`` shares of it taken off the ``k``-th stamp), so
    that the curve ends at the fit time in the table. Returns None when
    scikit-learn has no callback API.
    """
    _, clocked_seconds, _, stamps = _timed_fit(
        contender, X_train, y_train, with_clock=True
    )
    if stamps is None or stamps.size < 2:
        return None
    difference = (clocked_seconds - fit_seconds) / (stamps.size - 1)
    corrected = stamps - difference * np.arange(stamps.size)
    return np.maximum.accumulate(np.clip(corrected, 0.0, fit_seconds))


def _timed_fit(contender, X_train, y_train, *, with_clock):
    """One fit: the pipeline, its seconds, its warnings, and per-iteration times."""
    classifier = clone(contender.classifier)
    # The clock needs scikit-learn's callback API and an estimator that takes it.
    clock = (
        _IterationClock()
        if with_clock and hasattr(classifier, "set_callbacks")
        else None
    )
    if clock is not None and clock.available:
        classifier.set_callbacks(clock)
        # The timed fit has printed its progress already: do not print it twice.
        classifier.set_params(verbose=0)
    pipeline = make_pipeline(StandardScaler(), classifier)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            start = time.perf_counter()
            pipeline.fit(X_train, y_train)
            seconds = time.perf_counter() - start
        except ValueError as error:
            raise CommandLineError(f"{contender.name}: {one_line(error)}") from error
    stamps = (
        clock.seconds_since(start) if clock is not None and clock.available else None
    )
    return pipeline, seconds, caught, stamps


def estimate_optimum(X_train, y_train, classes, C) -> float:
    """J* from a far tighter lbfgs fit than any contender's, for the gap plot."""
    pipeline = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=C, tol=OPTIMUM_TOL, max_iter=OPTIMUM_MAX_ITER),
    )
    with warnings.catch_warnings():
        # Stopping on the function-change test before tol=1e-12 is expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(X_train, y_train)
    model = pipeline[-1]
    return penalized_log_loss(
        model.coef_,
        model.intercept_,
        pipeline[0].transform(X_train),
        y_train,
        classes,
        C,
    )


class _IterationClock:
    """A scikit-learn callback noting the wall-clock time as each iteration begins.

    The last iteration task begins at the final coefficients, so the stamps line up
    one-to-one with ``loss_curve_``: the start, then the end of every iteration.
    """

    def __init__(self) -> None:
        try:
            import sklearn.callback  # noqa: F401

            self.available = True
        except ImportError:  # scikit-learn < 1.9
            self.available = False
        self.stamps: list[float] = []

    def seconds_since(self, start: float) -> np.ndarray:
        return np.asarray(self.stamps) - start

    def setup(self, estimator, context) -> None:
        self.stamps = []

    def teardown(self, estimator, context) -> None:
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs) -> None:
        if context.task_name == ITERATION_TASK:
            self.stamps.append(time.perf_counter())

    def on_fit_task_end(self, estimator, context, **kwargs) -> bool:
        return False
