"""The cost of one value-and-gradient pass against one read of ``X``.

A first-order iteration needs the data term's value and gradient at a point. Done as
two products (``X @ w``, then ``X.T @ r``) that reads ``X`` twice; the row-blocked
pass (`sklogreg._backends._row_blocks`) reads it once. This measures both against
the floor, one streaming read of ``X``, at 1 and 2 threads (BLAS limited with
threadpoolctl, which the pass follows), and the pass's peak extra memory. Best of
``repeats`` timings: on a shared machine the minimum is the least disturbed.
"""

from __future__ import annotations

import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from sklogreg._objective import logistic_objective


def _best_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def read_time(X, threads: int, repeats: int) -> float:
    """Seconds to read ``X`` once: the fastest of the streaming reductions.

    Dense: ``X.sum()`` and ``np.add.reduce(X, axis=0)`` on one thread; on two, also
    ``X @ v`` (BLAS) and the reduction of each half of the rows in its own thread.
    CSR: ``X @ v``, which reads the values, column indices and row pointers once.
    """
    v = np.ones(X.shape[1], dtype=X.dtype)
    if sparse.issparse(X):
        return _best_time(lambda: X @ v, repeats)
    candidates = [lambda: X.sum(), lambda: np.add.reduce(X, axis=0)]
    if threads > 1:
        half = X.shape[0] // 2
        pool = ThreadPoolExecutor(1)

        def halves():
            other = pool.submit(np.add.reduce, X[half:], 0)
            np.add.reduce(X[:half], 0)
            other.result()

        candidates += [lambda: X @ v, halves]
    best = min(_best_time(candidate, repeats) for candidate in candidates)
    if threads > 1:
        pool.shutdown()
    return best


def _objective_and_point(dataset):
    classes, y_encoded = np.unique(dataset.y, return_inverse=True)
    X = dataset.X
    objective = logistic_objective(
        X,
        y_encoded,
        classes.size,
        np.ones(X.shape[0], dtype=X.dtype),
        C=dataset.C,
        l1_ratio=0.0,
        fit_intercept=True,
    )
    rng = np.random.default_rng(0)
    coef = (0.1 * rng.standard_normal(objective.coef_shape)).astype(X.dtype)
    return objective, coef


def pass_measures(dataset, *, repeats: int, thread_counts=(1, 2)) -> dict:
    """One-read pass and two products against one read of ``X``; peak memory."""
    objective, coef = _objective_and_point(dataset)
    tracemalloc.start()
    try:
        # The first pass makes the pass's buffers and row terms: all it allocates.
        objective.smooth_value_and_gradient_at(coef)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rows = {}
    for threads in thread_counts:
        with threadpool_limits(limits=threads, user_api="blas"):
            read = read_time(dataset.X, threads, repeats)
            fused = _best_time(
                lambda: objective.smooth_value_and_gradient_at(coef), repeats
            )
            two = _best_time(
                lambda: objective.smooth_value_and_gradient(
                    objective.linear_map(coef), coef
                ),
                repeats,
            )
        rows[str(threads)] = {
            "read_s": read,
            "one_read_pass_s": fused,
            "two_products_s": two,
            "one_read_pass_over_read": fused / read,
            "two_products_over_read": two / read,
        }
    return {
        "nbytes": dataset.nbytes,
        "by_threads": rows,
        "peak_extra_fraction_of_X": peak / dataset.nbytes,
    }


def float32_pass_speedups(passes: dict) -> dict:
    """float64 pass time over float32's, per thread count, for each ``_f32`` pair."""
    speedups = {}
    for name, entry in passes.items():
        if name.endswith("_f32") and name[:-4] in passes:
            wide = passes[name[:-4]]["by_threads"]
            speedups[name[:-4]] = {
                threads: wide[threads]["one_read_pass_s"] / row["one_read_pass_s"]
                for threads, row in entry["by_threads"].items()
            }
    return speedups


def markdown_lines(passes: dict, speedups: dict) -> list[str]:
    """The pass table, then the float32 speedups, as markdown lines."""
    lines = [
        "",
        "One value-and-gradient pass against one read of X (same run, best of the "
        "repeats):",
        "",
        "| dataset | X size | threads | read X once | one-read pass | / read "
        "| two products | / read | peak extra, of X |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in passes.items():
        for threads, row in entry["by_threads"].items():
            lines.append(
                f"| {name} | {entry['nbytes'] / 1e6:.0f} MB | {threads} | "
                f"{row['read_s'] * 1e3:.2f} ms | {row['one_read_pass_s'] * 1e3:.2f} ms "
                f"| {row['one_read_pass_over_read']:.2f}x | "
                f"{row['two_products_s'] * 1e3:.2f} ms | "
                f"{row['two_products_over_read']:.2f}x | "
                f"{entry['peak_extra_fraction_of_X']:.3f} |"
            )
    if speedups:
        lines += ["", "| dataset | threads | float64 / float32 pass time |"]
        lines.append("|---|---|---|")
        for name, row in speedups.items():
            for threads, ratio in row.items():
                lines.append(f"| {name} | {threads} | {ratio:.2f}x |")
    return lines
