"""Dask: time per step on data larger than one worker's memory, with 1 and 2 workers.

``X`` (float64, by default 3,000,000 x 100 = 2.4 GB) is generated on the workers,
chunk by chunk from a seed per chunk, and persisted there: it never exists on the
client. Labels come from a fixed linear model with logistic noise. Three runs fit
``GDLogisticRegression(tol=...)`` on the same numbers:

* ``dask, 2 workers``: two worker processes of 2 GB each (one thread each), so
  ``X`` is larger than either worker's memory limit and lives split across both
  (1.5 GB workers, as first planned, were restarted by their nannies: 1.2 GB of
  ``X`` each plus the interpreter and one chunk's temporaries passed 99%);
* ``dask, 1 worker``: one worker process holding all of ``X`` (4 GB limit);
* ``numpy``: the same chunks generated in this process and concatenated, the
  in-memory fit (the largest X of this benchmark fits in memory here, 24 GB).

For each it reports the iterations to ``tol``, the fit's wall time, the time per
iteration (wall / iterations, everything included: the set-up passes too), and the
time of one gradient pass alone (``objective.gradient`` at the solution, median of 5).
Spilling to disk is switched off on the workers so that a step is measured in
memory; the workers' pause threshold is raised to 95% for the same reason.

Run:  python -m benchmarks.dask_scaling [--n-samples 3000000] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklogreg import GDLogisticRegression
from sklogreg._objective import logistic_objective


def make_chunk(block_id: int, n_rows: int, n_features: int) -> np.ndarray:
    """Rows of ``X`` for one chunk: standard normal, from a seed of its own."""
    return np.random.default_rng(block_id).standard_normal((n_rows, n_features))


def labels_of(X_chunk: np.ndarray, block_id: int) -> np.ndarray:
    """Labels from a fixed linear model with logistic noise."""
    coef = np.linspace(-1.0, 1.0, X_chunk.shape[1])
    noise = np.random.default_rng(10**6 + block_id).logistic(size=X_chunk.shape[0])
    return (X_chunk @ coef + 0.5 + noise > 0).astype(np.float64)


def dask_data(n_samples: int, n_features: int, chunk_rows: int):
    import dask.array as da

    row_chunks = [chunk_rows] * (n_samples // chunk_rows)
    if n_samples % chunk_rows:
        row_chunks.append(n_samples % chunk_rows)

    def chunk(block_info=None):
        location = block_info[None]["chunk-location"][0]
        rows = block_info[None]["chunk-shape"][0]
        return make_chunk(location, rows, n_features)

    X = da.map_blocks(
        chunk,
        chunks=(tuple(row_chunks), (n_features,)),
        dtype=np.float64,
        meta=np.empty((0, 0)),
    )
    y = X.map_blocks(
        lambda block, block_info=None: labels_of(
            block, block_info[0]["chunk-location"][0]
        ),
        drop_axis=1,
        dtype=np.float64,
    )
    return X, y, row_chunks


def numpy_data(row_chunks, n_features):
    blocks = [make_chunk(i, rows, n_features) for i, rows in enumerate(row_chunks)]
    y = np.concatenate([labels_of(block, i) for i, block in enumerate(blocks)])
    return np.concatenate(blocks), y


def gradient_pass_seconds(objective, coef, repeats=5) -> float:
    """Median time of one gradient pass, each at a new point.

    A new point each time: the Dask objective keeps the last pass's results.
    """
    times = []
    for repeat in range(repeats):
        point = coef * (1 + 1e-9 * (repeat + 1))
        start = time.perf_counter()
        objective.gradient(point)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fit_and_time(X, y, tol):
    model = GDLogisticRegression(tol=tol, max_iter=1000)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model, time.perf_counter() - start


def run_dask(n_workers, memory_limit, args):
    import dask
    from dask.distributed import Client, LocalCluster

    from sklogreg._dask import RowEncoding, dask_objective

    with (
        dask.config.set(
            {
                "distributed.worker.memory.target": False,
                "distributed.worker.memory.spill": False,
                "distributed.worker.memory.pause": 0.95,
                "distributed.worker.memory.terminate": 0.99,
            }
        ),
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        X, y, _ = dask_data(args.n_samples, args.n_features, args.chunk_rows)
        start = time.perf_counter()
        X, y = client.persist([X, y])
        from dask.distributed import wait

        wait([X, y])
        generated = time.perf_counter() - start
        model, seconds = fit_and_time(X, y, args.tol)
        objective = dask_objective(
            X,
            y,
            None,
            encoding=RowEncoding(model.classes_, None, np.dtype(np.float64)),
            C=model.C,
            l1_ratio=model.l1_ratio,
            fit_intercept=True,
        )
        coef = np.column_stack([model.coef_, model.intercept_])
        per_pass = gradient_pass_seconds(objective, coef)
        held = [
            info["metrics"]["managed_bytes"] / 2**30
            for info in client.scheduler_info()["workers"].values()
        ]
        print(
            f"  (generated and persisted in {generated:.1f} s; GiB held per worker: "
            + ", ".join(f"{gib:.2f}" for gib in held)
            + ")",
            flush=True,
        )
    return model, seconds, per_pass


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=3_000_000)
    parser.add_argument("--n-features", type=int, default=100)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--tol", type=float, default=1e-6)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a 20000 x 20 smoke run with small workers (seconds, for the tests)",
    )
    args = parser.parse_args(argv)
    worker_memory = (2.0, 4.0)
    if args.quick:
        args.n_samples, args.n_features, args.chunk_rows = 20_000, 20, 2_500
        worker_memory = (0.5, 1.0)
    gigabytes = args.n_samples * args.n_features * 8 / 1e9
    print(
        f"X: {args.n_samples} x {args.n_features} float64 = {gigabytes:.2f} GB in "
        f"chunks of {args.chunk_rows} rows; tol={args.tol:g}",
        flush=True,
    )
    rows = []
    for n_workers, limit in ((2, worker_memory[0]), (1, worker_memory[1])):
        label = f"dask, {n_workers} worker{'s' * (n_workers > 1)} x {limit:g} GB"
        print(label, flush=True)
        model, seconds, per_pass = run_dask(n_workers, f"{limit}GB", args)
        rows.append((label, model, seconds, per_pass))
    print("numpy, in memory", flush=True)
    _, _, row_chunks = dask_data(args.n_samples, args.n_features, args.chunk_rows)
    X, y = numpy_data(row_chunks, args.n_features)
    model, seconds = fit_and_time(X, y, args.tol)
    objective = logistic_objective(
        X,
        np.searchsorted(model.classes_, y),
        model.classes_.size,
        np.ones(y.size),
        C=model.C,
        l1_ratio=model.l1_ratio,
        fit_intercept=True,
    )
    coef = np.column_stack([model.coef_, model.intercept_])
    rows.append(
        ("numpy, in memory", model, seconds, gradient_pass_seconds(objective, coef))
    )

    reference = rows[-1][1]
    print()
    print(
        "| run | iterations | fit (s) | per iteration (ms) | one gradient pass (ms) "
        "| max coef gap to numpy |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, model, seconds, per_pass in rows:
        gap = float(np.abs(model.coef_ - reference.coef_).max())
        print(
            f"| {label} | {model.n_iter_} | {seconds:.2f} | "
            f"{1e3 * seconds / max(model.n_iter_, 1):.1f} | {1e3 * per_pass:.1f} | "
            f"{gap:.1e} |"
        )
    one, two = rows[1][3], rows[0][3]
    print(f"\ngradient pass, 1 worker / 2 workers: {one / two:.2f}x")
    print(f"gradient pass, 2 workers / numpy:    {two / rows[2][3]:.2f}x")


if __name__ == "__main__":
    main()
