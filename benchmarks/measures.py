"""The measures: time to a suboptimality, cost of one step, memory during fit.

All timings are wall-clock medians of repeated runs (``time.perf_counter``), taken side
by side in one process so that ratios compare like with like on a shared machine.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklogreg import GDLogisticRegression
from sklogreg._cli.objective import penalized_log_loss

from .contenders import fitted_coef

LEVELS = (1e-4, 1e-6, 1e-8)
# Below this (relative to the reference) a contender has passed the finest level.
STOP_BELOW = 1e-9


def _timed_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start, model


def suboptimality_path(contender, dataset, reference_value, *, repeats, budget_s):
    """Fit at each setting of ``contender``, loose to tight; return the points.

    Each point is ``{"setting", "time", "value"}`` where ``time`` is the median over
    ``repeats`` fits (one fit when a fit takes over half a second) and ``value`` the
    objective at its solution. Stops once the objective is ``STOP_BELOW`` above the
    reference, once ``budget_s`` seconds have been spent, or when three tighter
    settings in a row gained nothing.
    """
    X, y = dataset.X, dataset.y
    classes = np.unique(y)
    points, spent, stalled = [], 0.0, 0
    for setting in contender.settings:
        times = []
        for _ in range(repeats):
            elapsed, model = _timed_fit(
                contender.build(dataset.C, X.shape[0], setting), X, y
            )
            times.append(elapsed)
            spent += elapsed
            if elapsed > 0.5:
                break
        coef, intercept = fitted_coef(model, dataset.n_classes)
        value = penalized_log_loss(coef, intercept, X, y, classes, dataset.C)
        improved = not points or value < points[-1]["value"] - 1e-15 * abs(value)
        stalled = 0 if improved else stalled + 1
        points.append(
            {"setting": setting, "time": statistics.median(times), "value": value}
        )
        relative = (value - reference_value) / abs(reference_value)
        if relative <= STOP_BELOW or spent > budget_s or stalled >= 3:
            break
    return points


def time_to_levels(points, optimum):
    """Smallest time among the fits that reached each relative suboptimality level."""
    reached = {}
    for level in LEVELS:
        times = [
            p["time"] for p in points if (p["value"] - optimum) / abs(optimum) <= level
        ]
        reached[f"{level:g}"] = min(times) if times else None
    return reached


def _median_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step_time(X, y, *, repeats, n_steps=None):
    """Seconds per iteration of ``GDLogisticRegression(solver="gd")`` at a fixed step.

    Measured through the public API as the difference between fits of ``1 + n_steps``
    and 1 iterations, so validation and set-up cancel out. A fixed, tiny learning rate
    means no line search and no Lipschitz estimate: each iteration is exactly one
    gradient step (residual, ``X.T @ r``, the new margins ``X @ w``).
    """

    if n_steps is None:
        # Enough steps that their time stands well above the noise of a fit's set-up.
        n_steps = 10 if X.shape[0] * X.shape[1] > 10**6 else 300

    def fit(max_iter):
        model = GDLogisticRegression(
            solver="gd", learning_rate=1e-9, tol=0.0, max_iter=max_iter
        )
        return lambda: _timed_fit(model, X, y)

    one = _median_time(fit(1), repeats)
    many = _median_time(fit(1 + n_steps), repeats)
    return max(many - one, 0.0) / n_steps


def stream_time(X, *, repeats):
    """Seconds to read ``X`` once from memory: the fastest of two streaming reads.

    ``X @ v`` (BLAS gemv, uses the allowed threads) and ``X.sum()`` (NumPy, one
    thread) each read every entry once and do almost no arithmetic.
    """
    v = np.ones(X.shape[1], dtype=X.dtype)
    return min(
        _median_time(lambda: X @ v, repeats), _median_time(lambda: X.sum(), repeats)
    )


def plain_step_time(X, *, repeats):
    """Seconds for ``X @ w`` then ``X.T @ r``: the textbook step's two products."""
    w = np.full(X.shape[1], 1e-3, dtype=X.dtype)
    r = np.full(X.shape[0], 1e-3, dtype=X.dtype)
    return _median_time(lambda: (X @ w, X.T @ r), repeats)


def step_measures(dataset, *, repeats, thread_counts=(1, 2)):
    """Per-step cost against the stream-once time, at each thread count."""
    rows = {}
    for threads in thread_counts:
        with threadpool_limits(limits=threads, user_api="blas"):
            step = step_time(dataset.X, dataset.y, repeats=repeats)
            stream = stream_time(dataset.X, repeats=repeats)
            plain = plain_step_time(dataset.X, repeats=repeats)
        rows[str(threads)] = {
            "step_s": step,
            "stream_s": stream,
            "plain_two_products_s": plain,
            "step_over_stream": step / stream,
            "bandwidth_GBps": dataset.nbytes / stream / 1e9,
        }
    return rows


def peak_extra_memory(dataset, make_model):
    """Peak bytes NumPy allocated during ``fit``, as a fraction of ``X``'s size.

    Measured with ``tracemalloc``, which sees NumPy's array buffers (NumPy reports them
    to it) but not BLAS's small internal work space. ``X`` exists before tracing
    starts, so a copy of it would show as a peak of at least 1.0.
    """
    model = make_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        try:
            model.fit(dataset.X, dataset.y)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return {"peak_bytes": peak, "fraction_of_X": peak / dataset.nbytes}
