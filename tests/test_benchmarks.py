"""Smoke test of the benchmark suite: quick mode on tiny data runs end to end.

The benchmark's timings are never asserted (timing belongs to the benchmark itself);
what is checked is that it produces its outputs and that they are self-consistent.
"""

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

pytest.importorskip("matplotlib")

from benchmarks.datasets import make_datasets
from benchmarks.objective import objective_gradient_max, reference_optimum
from benchmarks.run import main
from sklogreg._cli.objective import penalized_log_loss


def test_quick_mode_writes_table_json_and_plots(tmp_path, capsys):
    main(
        [
            "--quick",
            "--scale",
            "0.004",
            "--datasets",
            "digits_3v8,multiclass,sparse,dense_tall,dense_tall_f32",
            "--contenders",
            "sklogreg-nesterov,lbfgs,sgd (sklearn)",
            "--budget",
            "0.5",
            "--output",
            str(tmp_path),
        ]
    )
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["datasets"]) == {
        "digits_3v8",
        "multiclass",
        "sparse",
        "dense_tall",
        "dense_tall_f32",
    }
    for name, data in results["datasets"].items():
        assert (tmp_path / f"suboptimality-{name}.png").stat().st_size > 0
        assert data["reference"]["gradient_max"] < 1e-8
        for entry in data["contenders"].values():
            assert entry["best_suboptimality"] >= 0
        # Our default solver reaches the loosest level on every tiny set.
        assert data["contenders"]["sklogreg-nesterov"]["time_to"]["0.0001"] is not None
    assert "sgd (sklearn)" not in results["datasets"]["multiclass"]["contenders"]
    assert results["float32"]["dense_tall"]
    table = (tmp_path / "results.md").read_text()
    assert "| dense_tall | lbfgs |" in table
    assert "[" in capsys.readouterr().err  # progress lines were shown


@pytest.mark.parametrize("name", ["digits_3v8", "multiclass", "sparse"])
def test_independent_objective_is_log_loss_plus_penalty(name):
    (dataset,) = make_datasets(0.004, [name])
    model = LogisticRegression(C=dataset.C, max_iter=50).fit(dataset.X, dataset.y)
    encoded = np.searchsorted(model.classes_, dataset.y)
    expected = log_loss(dataset.y, model.predict_proba(dataset.X)) + (
        model.coef_**2
    ).sum() / (2 * dataset.C * dataset.X.shape[0])
    value = penalized_log_loss(
        model.coef_, model.intercept_, dataset.X, dataset.y, model.classes_, 1.0
    )
    np.testing.assert_allclose(value, expected, rtol=1e-10)
    # The reference optimum is certified by its gradient.
    assert reference_optimum(dataset)["gradient_max"] < 1e-8
    assert (
        objective_gradient_max(
            dataset.X, encoded, model.coef_, model.intercept_, dataset.C
        )
        > reference_optimum(dataset)["gradient_max"]
    )


def test_dask_scaling_quick_mode_fits_the_same_model_on_every_run(capsys):
    pytest.importorskip("dask.distributed")
    from benchmarks.dask_scaling import main as dask_scaling

    dask_scaling(["--quick"])
    rows = [
        line.split("|")[1:-1]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith(("| dask", "| numpy"))
    ]
    assert [row[0].strip() for row in rows] == [
        "dask, 2 workers x 0.5 GB",
        "dask, 1 worker x 1 GB",
        "numpy, in memory",
    ]
    iterations = {int(row[1]) for row in rows}
    assert len(iterations) == 1 and iterations.pop() > 0
    assert all(float(row[5]) <= 1e-8 for row in rows)


def test_solver_race_prints_one_row_per_dataset_and_tol(capsys):
    from benchmarks.solver_race import main as race

    race(["--scale", "0.004", "--repeats", "1", "--datasets", "wine,multiclass_50"])
    out = capsys.readouterr().out
    rows = [
        line
        for line in out.splitlines()
        if line.startswith("| wine") or line.startswith("| multiclass_50")
    ]
    assert len(rows) == 4
    # lbfgs, then each of our solvers with its ratio to lbfgs.
    assert all(row.count("x**") == 2 for row in rows)
    assert "bb tol 1e-08: median ratio" in out


def test_deployment_sizes_prints_a_size_per_model_and_format(capsys):
    pytest.importorskip("skops")
    pytest.importorskip("skl2onnx")
    from benchmarks.deployment_sizes import main as deployment_sizes

    deployment_sizes()
    rows = [
        line for line in capsys.readouterr().out.splitlines() if "Regression" in line
    ]
    assert len(rows) == 2
    for row in rows:
        sizes = [
            int(cell.replace(",", "")) for cell in row.strip("| ").split(" | ")[1:]
        ]
        assert len(sizes) == 4 and all(size > 0 for size in sizes)


def test_cv_path_quick_mode_measures_the_three_searches_on_the_same_grid(capsys):
    from benchmarks.cv_path import main as cv_path

    # Not digits 3 vs 8: nearly separable, its scores are flat at large C, and
    # which C wins there depends on where each solve stops at tol=1e-4.
    rows = cv_path(["--quick", "--datasets", "breast_cancer,multiclass"])
    assert [row["dataset"] for row in rows] == ["breast_cancer", "multiclass"]
    for row in rows:
        # The path and the grid search minimise the same objectives on the same
        # folds: they choose the same C.
        assert row["C_path"] == row["C_grid"]
        # 3 folds x 3 Cs, each at least one iteration on these sets.
        assert row["iter_cold"] >= 9 and row["iter_warm"] > 0
        assert min(row["path"], row["grid"], row["lrcv"]) > 0
    assert "| breast_cancer 569x30 |" in capsys.readouterr().out
