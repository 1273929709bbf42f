"""The ``sklogreg`` command line, called as ``main([...])``: exit codes, table, PNGs."""

import csv
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression
from sklogreg.__main__ import main
from sklogreg._cli.compare import REFERENCE, available_solvers
from sklogreg._cli.cost_surfaces import LOSSES, cost_grids, grid_convexity
from sklogreg._cli.datasets import load_dataset
from sklogreg._cli.gd_walks import gradient_walk
from sklogreg._cli.landscape_report import verdict_line
from sklogreg._cli.objective import penalized_log_loss
from sklogreg._cli.summary import MAX_POINTS, summarize_feature
from sklogreg._solvers import SCHEDULES

matplotlib_image = pytest.importorskip("matplotlib.image")

CONTENDERS = [f"sklogreg-{s}" for s in available_solvers()] + [
    REFERENCE,
    "sklearn-SGDClassifier",
]
FAST = ["--repeats", "1"]


def assert_png_not_blank(path):
    assert path.is_file(), f"{path} was not written"
    pixels = matplotlib_image.imread(path)
    # A blank canvas has one colour: zero variance in every channel.
    assert pixels[..., :3].std() > 0.05


def table_rows(stdout):
    """The table's data rows, by contender name: the cells after the name."""
    return {
        line.split()[0]: line.split()[1:]
        for line in stdout.splitlines()
        if line.split() and line.split()[0] in CONTENDERS
    }


def assert_one_line_error(capsys, command, *fragments):
    stderr = capsys.readouterr().err.strip().splitlines()
    assert stderr, "no message on stderr"
    message = stderr[-1]
    assert message.startswith(f"sklogreg {command}: error: ")
    assert "Traceback" not in "\n".join(stderr)
    for fragment in fragments:
        assert fragment.lower() in message.lower()
    return "\n".join(stderr)


# --- compare -----------------------------------------------------------------


def test_compare_default_prints_a_finite_row_per_contender_and_a_plot(tmp_path, capsys):
    output = tmp_path / "compare.png"
    assert main(["compare", "--output", str(output), *FAST]) == 0
    stdout = capsys.readouterr().out
    rows = table_rows(stdout)
    assert sorted(rows) == sorted(CONTENDERS)
    for name, cells in rows.items():
        numbers = [float(cell) for cell in cells[:-1]]
        assert all(math.isfinite(n) for n in numbers), (name, cells)
        assert cells[-1] in {"yes", "no"}
    # Converged at tol=1e-6, our solvers and lbfgs reach the same objective and
    # agree to the accuracy of that tolerance; lbfgs is at distance 0 from itself.
    objective = {name: float(cells[2]) for name, cells in rows.items()}
    for solver in ("sklogreg-gd", "sklogreg-nesterov"):
        assert rows[solver][-1] == "yes"
        assert objective[solver] == pytest.approx(objective[REFERENCE], abs=1e-8)
        assert float(rows[solver][6]) < 1e-2
    assert float(rows[REFERENCE][6]) == 0
    assert_png_not_blank(output)


@pytest.mark.parametrize("dataset", ["iris", "wine"])
def test_compare_multiclass_datasets_without_plot(dataset, tmp_path, capsys):
    output = tmp_path / "compare.png"
    arguments = ["compare", "--dataset", dataset, "--no-plot", "--output", str(output)]
    assert main([*arguments, "--solver", "nesterov", *FAST]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert sorted(rows) == sorted(
        ["sklogreg-nesterov", REFERENCE, "sklearn-SGDClassifier"]
    )
    assert not output.exists()


def test_compare_options_reach_every_contender(tmp_path, capsys):
    arguments = ["compare", "--no-plot", "--C", "0.1", "--max-iter", "3", *FAST]
    assert main([*arguments, "--solver", "gd", "--learning-rate", "0.1"]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert sorted(rows) == sorted(["sklogreg-gd", REFERENCE, "sklearn-SGDClassifier"])
    # Three iterations are not enough for anyone: each reports it did not converge.
    for name, cells in rows.items():
        assert int(cells[1]) <= 3, name
        assert cells[-1] == "no", name


def test_compare_reads_a_csv_with_a_target_column(tmp_path, capsys):
    X, y = load_breast_cancer(return_X_y=True)
    path = tmp_path / "data.csv"
    labels = np.where(y == 1, "benign", "malignant")
    write_csv(
        path,
        ["a", "b", "c", "label"],
        [[*r, lab] for r, lab in zip(X[:, :3], labels, strict=True)],
    )
    output = tmp_path / "csv.png"
    arguments = ["compare", "--dataset", str(path), "--target", "label"]
    assert main([*arguments, "--output", str(output), *FAST]) == 0
    assert sorted(table_rows(capsys.readouterr().out)) == sorted(CONTENDERS)
    assert_png_not_blank(output)


def write_csv(path, header, rows, delimiter=",", encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def write_text(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("make_arguments", "fragments"),
    [
        (
            lambda tmp: ["--dataset", str(tmp / "absent.csv"), "--target", "y"],
            ["no such file"],
        ),
        (lambda tmp: ["--dataset", "no_such_dataset"], ["unknown data set"]),
        (
            lambda tmp: [
                "--dataset",
                write_csv(tmp / "t.csv", ["x", "y"], [[1, 0], [2, 1]]),
            ],
            ["--target"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_csv(tmp / "t.csv", ["x", "y"], [[1, 0], [2, 1]]),
                "--target",
                "label",
            ],
            ["no column 'label'", "split at ','", "x, y"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_text(tmp / "t.csv", "x;y\n1;0\n2;1\n"),
                "--target",
                "label",
            ],
            ["no column 'label'", "split at ';'", "x, y"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_text(tmp / "t.csv", "x,y\n1,0\n2,1,7\n3,1\n"),
                "--target",
                "y",
            ],
            ["line 3: 3 values, but the header has 2 columns"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_text(tmp / "t.csv", "x,y\n1,0,7\n2,1,7\n"),
                "--target",
                "y",
            ],
            ["line 2: 3 values, but the header has 2 columns"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_text(tmp / "t.csv", "x,y\n"),
                "--target",
                "y",
            ],
            ["at least one data row"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_text(tmp / "t.csv", "x,z,y\n1,5,0\n\n2,,1\n"),
                "--target",
                "y",
            ],
            ["line 4: column 'z' is empty"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_text(tmp / "t.csv", "x,y\n1,0\ninf,1\n"),
                "--target",
                "y",
            ],
            ["line 3: column 'x' holds 'inf'", "infinite"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_text(tmp / "t.csv", "x;y\n1.5;0\n2,5;1\n"),
                "--target",
                "y",
            ],
            ["line 3: column 'x' holds '2,5'", "decimal separator, write 2.5."],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_csv(
                    tmp / "t.csv", ["x", "colour", "y"], [[1, "red", 0], [2, "blue", 1]]
                ),
                "--target",
                "y",
            ],
            ["'colour'", "not a number"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_csv(tmp / "t.csv", ["x", "y"], [[1, 0], [2, ""], [3, 1]]),
                "--target",
                "y",
            ],
            ["line 3: the target 'y' is missing"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_text(tmp / "t.csv", "x,y\n1,0\n\n\n2, \n3,1\n"),
                "--target",
                "y",
            ],
            ["line 5: the target 'y' is missing"],
        ),
        (
            lambda tmp: [
                "--dataset",
                write_csv(tmp / "t.csv", ["x", "y"], [[i, "a"] for i in range(10)]),
                "--target",
                "y",
            ],
            ["only one class"],
        ),
        (
            lambda tmp: ["--solver", "gd", "--learning-rate", "1000"],
            ["too large", "safe step"],
        ),
        (lambda tmp: ["--learning-rate", "fast"], ["--learning-rate"]),
        (lambda tmp: ["--C", "-1"], ["--C"]),
    ],
    ids=[
        "missing-file",
        "unknown-name",
        "csv-without-target",
        "absent-target-column",
        "absent-target-column-semicolons",
        "row-with-too-many-values",
        "every-row-with-too-many-values",
        "header-only",
        "empty-feature-cell-after-a-blank-line",
        "infinite-value",
        "decimal-comma",
        "non-numeric-column",
        "missing-target-value",
        "missing-target-value-after-blank-lines",
        "one-class-target",
        "diverging-learning-rate",
        "learning-rate-not-a-number",
        "negative-C",
    ],
)
def test_compare_bad_input_exits_2_with_one_line(
    make_arguments, fragments, tmp_path, capsys
):
    arguments = ["compare", "--no-plot", *FAST, *make_arguments(tmp_path)]
    assert main(arguments) == 2
    assert_one_line_error(capsys, "compare", *fragments)


@pytest.mark.parametrize(
    ("module", "command", "make_arguments"),
    [
        ("matplotlib", "compare", lambda tmp: []),
        ("matplotlib", "landscape", lambda tmp: []),
        (
            "pandas",
            "compare",
            lambda tmp: [
                "--no-plot",
                "--dataset",
                write_csv(tmp / "t.csv", ["x", "y"], [[1, 0], [2, 1]]),
                "--target",
                "y",
            ],
        ),
    ],
    ids=["matplotlib-compare", "matplotlib-landscape", "pandas-csv"],
)
def test_without_an_optional_dependency_exits_2_naming_the_extra(
    module, command, make_arguments, tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, module, None)
    assert main([command, *make_arguments(tmp_path)]) == 2
    assert_one_line_error(capsys, command, module, 'pip install "sklogreg[plot]"')


def small_table():
    X, y = load_breast_cancer(return_X_y=True)
    rows = [
        [*(repr(float(v)) for v in x), label]
        for x, label in zip(
            X[::20, :3], np.where(y[::20], "benign", "malignant"), strict=True
        )
    ]
    return ["radius", "texture", "perimeter", "label"], rows


@pytest.mark.parametrize(
    ("delimiter", "encoding", "shown"),
    [
        (",", "utf-8", "','"),
        (";", "utf-8", "';'"),
        ("\t", "utf-8", "tabs"),
        ("|", "utf-8", "'|'"),
        (",", "utf-8-sig", "','"),
        (";", "utf-8-sig", "';'"),
    ],
    ids=["comma", "semicolon", "tab", "pipe", "excel-utf8-bom", "bom-semicolon"],
)
def test_csv_files_in_each_dialect_read_the_same_and_say_what_was_read(
    delimiter, encoding, shown, tmp_path, capsys
):
    header, rows = small_table()
    path = tmp_path / "data.csv"
    write_csv(path, header, rows, delimiter=delimiter, encoding=encoding)
    dataset = load_dataset(str(path), "label")
    assert dataset.feature_names == ("radius", "texture", "perimeter")
    expected = np.array([[float(v) for v in row[:3]] for row in rows])
    np.testing.assert_array_equal(dataset.X, expected)
    np.testing.assert_array_equal(dataset.y, [row[3] for row in rows])
    report = capsys.readouterr().err.splitlines()[-1]
    assert report == (
        f"read {path}: {len(rows)} rows, 4 columns split at {shown}; target 'label' "
        "with 2 classes: benign, malignant"
    )


@pytest.mark.parametrize(
    ("labels", "classes"),
    [
        (["1", "1.0", "0", "0.00", " 1"], [0, 1]),
        (["0.5", "1.5", "0.50"], [0.5, 1.5]),
        (["-1", "+1", "1e0"], [-1, 1]),
        ([" yes", "no", "yes "], ["no", "yes"]),
        (["1", "one", "1.0"], ["1", "1.0", "one"]),
    ],
    ids=["integers", "decimals", "signs-and-exponents", "words", "mixed-text"],
)
def test_a_target_of_numbers_is_compared_as_numbers(labels, classes, tmp_path):
    path = tmp_path / "data.csv"
    write_csv(path, ["x", "y"], [[i, label] for i, label in enumerate(labels)])
    dataset = load_dataset(str(path), "y")
    assert dataset.classes.tolist() == classes


@pytest.mark.parametrize("command", ["compare", "landscape"])
@pytest.mark.parametrize(
    ("output", "fragments"),
    [
        ("absent/picture.png", ["no folder"]),
        ("picture.txt", ["must end in .png", "'.txt'"]),
        ("folder", ["is a folder"]),
        ("folder/", ["is a folder"]),
    ],
    ids=["missing-folder", "unknown-suffix", "folder", "folder-with-slash"],
)
def test_an_output_that_cannot_be_written_exits_2_before_fitting(
    command, output, fragments, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    assert main([command, "--output", output]) == 2
    stderr = assert_one_line_error(capsys, command, *fragments)
    # Nothing was fitted: no progress line before the error, and nothing written.
    assert len(stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]
    assert not any((tmp_path / "folder").iterdir())


QUICK_RUNS = {
    "compare": ["--solver", "gd", "--max-iter", "5", *FAST],
    "landscape": ["--grid-size", "21", "--steps", "20"],
}


@pytest.mark.parametrize("command", ["compare", "landscape"])
def test_an_output_without_suffix_is_written_as_png_and_named_so(
    command, tmp_path, capsys
):
    arguments = [command, "--output", str(tmp_path / "plotout"), *QUICK_RUNS[command]]
    assert main(arguments) == 0
    written = tmp_path / "plotout.png"
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {written}"
    assert [p.name for p in tmp_path.iterdir()] == ["plotout.png"]
    assert_png_not_blank(written)


def test_compare_runs_a_solver_named_twice_once(capsys):
    arguments = ["compare", "--no-plot", "--solver", "gd", "--solver", "gd", *FAST]
    assert main(arguments) == 0
    names = [line.split()[:1] for line in capsys.readouterr().out.splitlines()]
    assert names.count(["sklogreg-gd"]) == 1


def test_unknown_option_exits_2_through_argparse(capsys):
    assert main(["compare", "--no-such-option"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_main():
    completed = subprocess.run(
        [sys.executable, "-m", "sklogreg", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "compare" in completed.stdout and "landscape" in completed.stdout


# --- the independent objective -------------------------------------------------


@pytest.mark.parametrize("loader", [load_breast_cancer, load_iris])
@pytest.mark.parametrize("C", [0.05, 1.0])
def test_objective_is_mean_log_loss_plus_the_l2_penalty(loader, C):
    X, y = loader(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    labels = np.array(["class-" + str(v) for v in y])  # any sortable labels
    model = LogisticRegression(C=C).fit(X, labels)
    expected = log_loss(labels, model.predict_proba(X)) + (model.coef_**2).sum() / (
        2 * C * len(y)
    )
    value = penalized_log_loss(
        model.coef_, model.intercept_, X, labels, model.classes_, C
    )
    assert value == pytest.approx(expected, rel=1e-12)


def test_objective_matches_the_estimators_own_loss_curve():
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = GDLogisticRegression(C=0.5, tol=1e-6).fit(X, y)
    value = penalized_log_loss(model.coef_, model.intercept_, X, y, model.classes_, 0.5)
    assert value == pytest.approx(model.loss_curve_[-1], rel=1e-10)


def test_objective_stays_finite_at_huge_margins():
    X = np.array([[1.0], [-1.0]])
    value = penalized_log_loss(
        np.array([[1e6]]), np.array([0.0]), X, np.array([0, 1]), np.array([0, 1]), 1.0
    )
    # Both points are wrong by a margin of 1e6: mean loss 1e6, penalty 1e12 / 4.
    assert value == pytest.approx(1e6 + 1e12 / 4)


@pytest.mark.parametrize(
    "y", [np.array([0, 2]), np.array([0, -1])], ids=["above-classes", "below-classes"]
)
def test_objective_rejects_labels_outside_classes(y):
    X = np.array([[1.0], [-1.0]])
    with pytest.raises(ValueError, match="not in classes"):
        penalized_log_loss(
            np.array([[1.0]]), np.array([0.0]), X, y, np.array([0, 1]), 1.0
        )


# --- landscape ----------------------------------------------------------------


def test_landscape_default_shows_log_loss_convex_and_mse_not(tmp_path, capsys):
    output = tmp_path / "landscape.png"
    assert main(["landscape", "--output", str(output)]) == 0
    stdout = capsys.readouterr().out
    assert "log-loss: convex on the grid" in stdout
    assert "MSE of the sigmoid: NOT convex on the grid" in stdout
    # From the same start, the same steps reach the minimum of the convex cost and
    # stall on a plateau of the other.
    assert "gd on the log-loss from (6, 6)" in stdout
    walks = [line for line in stdout.splitlines() if "gd on the" in line]
    assert walks[0].endswith("at the grid's minimum")
    assert walks[1].endswith("stuck far above the grid's minimum")
    assert_png_not_blank(output)


def test_landscape_options_choose_feature_rate_steps_and_grid(tmp_path, capsys):
    arguments = ["landscape", "--feature", "7", "--learning-rate", "0.5"]
    arguments += ["--steps", "20", "--grid-size", "41", "--no-plot"]
    assert main([*arguments, "--output", str(tmp_path / "l.png")]) == 0
    stdout = capsys.readouterr().out
    assert "feature 7 'mean concave points'" in stdout
    assert "learning_rate=0.5, 20 steps" in stdout
    assert "41 x 41 points" in stdout
    assert "log-loss: convex" in stdout
    assert not (tmp_path / "l.png").exists()


@pytest.mark.parametrize(
    ("arguments", "fragments"),
    [
        (["--learning-rate", "1000"], ["too large", "safe step"]),
        (["--feature", "30"], ["--feature"]),
        (["--dataset", "iris"], ["two-class"]),
        (["--steps", "0"], ["--steps"]),
        (["--start", "nan", "nan"], ["--start", "finite", "got nan nan"]),
        (["--start", "0", "inf"], ["--start", "finite", "got 0 inf"]),
        (["--start", "1e308", "1e308"], ["--start", "between -100 and 100"]),
        (["--start", "-100.5", "0"], ["--start", "between -100 and 100"]),
    ],
    ids=[
        "diverging-learning-rate",
        "feature-out-of-range",
        "three-classes",
        "steps",
        "start-nan",
        "start-infinite",
        "start-huge",
        "start-just-beyond-the-bound",
    ],
)
def test_landscape_bad_input_exits_2_with_one_line(arguments, fragments, capsys):
    assert main(["landscape", "--no-plot", *arguments]) == 2
    assert_one_line_error(capsys, "landscape", *fragments)


def test_landscape_without_sklearn_callbacks_exits_2(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn.callback", None)
    assert main(["landscape", "--no-plot"]) == 2
    assert_one_line_error(capsys, "landscape", "scikit-learn >= 1.9")


def test_cost_grids_match_sklearn_metrics_at_every_point():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    y = (x + rng.normal(size=50) > 0).astype(float)
    slopes, intercepts = np.linspace(-3, 3, 4), np.linspace(-2, 2, 3)
    log_losses, mses = cost_grids(x, y, slopes, intercepts)
    for i, m in enumerate(slopes):
        for j, b in enumerate(intercepts):
            p = expit(m * x + b)
            assert log_losses[i, j] == pytest.approx(log_loss(y, p), rel=1e-12)
            assert mses[i, j] == pytest.approx(mean_squared_error(y, p), rel=1e-12)


@pytest.mark.parametrize("loss_index", [0, 1], ids=LOSSES)
def test_gradient_walk_steps_along_the_finite_difference_gradient(loss_index):
    rng = np.random.default_rng(1)
    x = rng.normal(size=40)
    y = (x + rng.normal(size=40) > 0).astype(float)
    start, h, rate = (0.7, -0.4), 1e-6, 0.1
    step = gradient_walk(LOSSES[loss_index], x, y, start, rate, 1)[1]

    def cost(m, b):
        return cost_grids(x, y, np.array([m]), np.array([b]))[loss_index][0, 0]

    gradient = [
        (cost(start[0] + h, start[1]) - cost(start[0] - h, start[1])) / (2 * h),
        (cost(start[0], start[1] + h) - cost(start[0], start[1] - h)) / (2 * h),
    ]
    np.testing.assert_allclose(
        step, np.subtract(start, rate * np.array(gradient)), rtol=1e-7
    )


GRID = np.linspace(-2, 2, 41)
M, B = np.meshgrid(GRID, GRID, indexing="ij")


@pytest.mark.parametrize(
    ("surface", "convex", "min_curvature", "n_minima"),
    [
        (M**2 + B**2, True, 2.0, 1),  # a bowl: curvature 2 in every direction
        (M**2 - B**2, False, -2.0, 0),  # a saddle: -2 along b, no minimum
        ((M**2 - 1) ** 2 + B**2, False, None, 2),  # a double well: minima at m=±1
    ],
    ids=["bowl", "saddle", "double-well"],
)
def test_grid_convexity_on_surfaces_with_known_shape(
    surface, convex, min_curvature, n_minima
):
    verdict = grid_convexity(surface, GRID, GRID)
    assert verdict.convex is convex
    if min_curvature is not None:
        assert verdict.min_curvature == pytest.approx(min_curvature, rel=1e-9)
    assert len(verdict.local_minima) == n_minima
    if n_minima == 2:
        assert sorted(m for m, _ in verdict.local_minima) == pytest.approx([-1, 1])


@pytest.mark.parametrize(
    ("surface", "phrase"),
    [
        (M**2 + B**2, "; 1 local minimum at (0, 0)"),
        (M**2 - B**2, "; 0 local minima"),
        ((M**2 - 1) ** 2 + B**2, "; 2 local minima at (-1, 0), (1, 0)"),
    ],
    ids=["one", "none", "two"],
)
def test_verdict_line_counts_local_minima_in_singular_or_plural(surface, phrase):
    line = verdict_line("J", grid_convexity(surface, GRID, GRID))
    assert line.endswith(phrase)


def test_landscape_accepts_a_start_on_the_bound(capsys):
    arguments = ["landscape", "--no-plot", "--grid-size", "21", "--steps", "20"]
    assert main([*arguments, "--start", "100", "-100"]) == 0
    assert "gd on the log-loss from (100, -100)" in capsys.readouterr().out


def summary_data(kind, n=20_000):
    rng = np.random.default_rng(2)
    x = rng.normal(size=n)
    if kind == "repeated-values":
        x = np.round(x * 5) / 5
    if kind == "outlier":
        x[0] = 1e3
    x = (x - x.mean()) / x.std()
    y = (rng.random(n) < expit(2 * x + 0.3)).astype(float)
    return x, y


@pytest.mark.parametrize("kind", ["repeated-values", "continuous", "outlier"])
def test_costs_on_a_feature_summary_are_within_its_bound(kind):
    x, y = summary_data(kind)
    summary = summarize_feature(x, y)
    assert summary.x.size <= MAX_POINTS
    assert summary.n_samples == x.size
    axis = np.linspace(-10, 10, 11)
    exact = cost_grids(x, y, axis, axis)
    summarised = cost_grids(summary.x, summary.y, axis, axis, summary.weight)
    bound = summary.cost_error_bound(10)
    if kind == "repeated-values":  # counted, not binned: the same costs
        assert (summary.n_bins, bound) == (0, 0)
    else:
        assert summary.n_bins > 0 and 0 < bound < 1e-3
    for approximate, cost in zip(summarised, exact, strict=True):
        assert np.abs(approximate - cost).max() <= bound + 1e-12


def test_a_walk_on_counted_pairs_is_the_walk_on_the_samples():
    x, y = summary_data("repeated-values")
    summary = summarize_feature(x, y)
    for loss in LOSSES:
        np.testing.assert_allclose(
            gradient_walk(loss, summary.x, summary.y, (6, 6), 2.0, 50, summary.weight),
            gradient_walk(loss, x, y, (6, 6), 2.0, 50),
            rtol=1e-10,
        )


def test_landscape_on_a_large_csv_reports_progress_and_the_binning(tmp_path, capsys):
    x, y = summary_data("continuous", n=50_000)
    path = tmp_path / "big.csv"
    write_csv(
        path,
        ["x", "y"],
        [[repr(v), int(c)] for v, c in zip(x.tolist(), y, strict=True)],
    )
    arguments = ["landscape", "--dataset", str(path), "--target", "y", "--no-plot"]
    assert main([*arguments, "--grid-size", "41", "--steps", "50"]) == 0
    captured = capsys.readouterr()
    progress = [line for line in captured.err.splitlines() if line.startswith("[")]
    assert progress[0] == (
        "[1/2] fitting GDLogisticRegression(solver='gd') on 50000 samples ..."
    )
    assert progress[1].startswith("[2/2] both costs on the 41 x 41 grid, over ")
    assert "standing for 50000 samples" in progress[1]
    costs = [line for line in captured.out.splitlines() if line.startswith("costs:")]
    assert len(costs) == 1 and "of the exact cost on this grid" in costs[0]


def documented_landscape_lines():
    """The lines ``sklogreg landscape`` prints in the documentation (docs/objective.md)
    that do not depend on the estimator's own fit: the grid, the verdicts, the walks."""
    page = Path(__file__).parents[1] / "docs" / "objective.md"
    text = page.read_text(encoding="utf-8")
    block = text.split("    sklogreg landscape\n", 1)[1].split("wrote landscape.png")[0]
    starts = ("grid:", "log-loss:", "MSE of the sigmoid:", "  gd on the")
    return [line[4:] for line in block.splitlines() if line[4:].startswith(starts)]


def test_landscape_prints_the_numbers_the_docs_quote(capsys):
    expected = documented_landscape_lines()
    assert len(expected) == 5
    assert main(["landscape", "--no-plot"]) == 0
    printed = capsys.readouterr().out.splitlines()
    for line in expected:
        assert line in printed


def test_measured_curve_times_line_up_with_the_loss_curve_and_the_fit_time():
    from sklogreg._cli.measure import Contender, fit_and_measure

    X, y = load_breast_cancer(return_X_y=True)
    contender = Contender(
        "sklogreg-gd", GDLogisticRegression(solver="gd", tol=1e-5), ours=True
    )
    outcome = fit_and_measure(contender, np.unique(y), 1.0, X, y, X, y, repeats=1)
    times = outcome.curve_seconds
    assert times.shape == outcome.loss_curve.shape == (outcome.n_iter + 1,)
    assert np.all(np.diff(times) >= 0)
    assert 0 <= times[0] and times[-1] <= outcome.fit_seconds
    # The objective scored independently is the last point of the estimator's curve.
    assert outcome.objective == pytest.approx(outcome.loss_curve[-1], rel=1e-9)


def test_compare_verbose_shows_each_fit_progress_once(capsys):
    arguments = ["compare", "--no-plot", "--verbose", "--solver", "gd", *FAST]
    assert main(arguments) == 0
    captured = capsys.readouterr()
    assert captured.out.count("stopped (tol) after") == 1
    assert "[1/3] sklogreg-gd: fitting" in captured.err


# --- sweep -------------------------------------------------------------------


def sweep_rows(stdout):
    """The sweep table's rows by rate: the cells after the rate."""
    rows = {}
    for line in stdout.splitlines():
        cells = line.split()
        if len(cells) == 8 and cells[2] in SCHEDULES:
            rows[float(cells[0])] = cells[1:]
    return rows


def test_sweep_prints_a_row_per_rate_the_picks_and_draws_two_panels(tmp_path, capsys):
    output = tmp_path / "sweep.png"
    arguments = ["sweep", "--rates", "0.05,3,300", "--max-iter", "400"]
    assert main([*arguments, "--output", str(output)]) == 0
    stdout = capsys.readouterr().out
    rows = sweep_rows(stdout)
    assert sorted(rows) == [0.05, 3.0, 300.0]
    # rate: x_1/L, schedule, momentum, iter, gap, stop, cv_acc
    assert rows[0.05][5] == "max_iter" and rows[3.0][5] == "converged"
    assert rows[300.0][5:] == ["diverged", "-"]
    assert float(rows[3.0][4]) < 1e-4 < float(rows[0.05][4])
    # The CV accuracy is cross_val_score's on the same folds.
    X, y = load_breast_cancer(return_X_y=True)
    pipeline = make_pipeline(
        StandardScaler(), GDLogisticRegression(solver="gd", learning_rate=3.0)
    )
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    expected = cross_val_score(pipeline, X, y, cv=folds).mean()
    assert float(rows[3.0][6]) == pytest.approx(expected, abs=1e-4)
    best = max((float(r[6]), rate) for rate, r in rows.items() if r[6] != "-")[1]
    assert f"GridSearchCV picks rate {best:.4g}" in stdout
    assert "Fewest iterations to tol: rate 3" in stdout
    assert_png_not_blank(output)


def test_sweep_adaptive_schedule_recovers_the_rate_that_diverged(capsys):
    arguments = ["sweep", "--no-plot", "--rates", "300", "--schedule", "adaptive"]
    assert main(arguments) == 0
    (row,) = sweep_rows(capsys.readouterr().out).values()
    assert row[1] == "adaptive" and row[5] == "adapted"
    assert float(row[4]) < 1e-4 and float(row[6]) > 0.95


@pytest.mark.parametrize(
    ("arguments", "fragments"),
    [
        (["--rates", "0.1,fast"], ["--rates", "'0.1,fast'"]),
        (["--rates", "-1"], ["--rates", "positive"]),
        (["--momentum", "1.5"], ["--momentum", "[0, 1)"]),
        (["--C", "0"], ["--C"]),
        (["--max-iter", "0"], ["--max-iter"]),
        (["--dataset", "no_such_data"], ["no_such_data"]),
    ],
)
def test_sweep_bad_input_exits_2_with_one_line(arguments, fragments, capsys):
    assert main(["sweep", "--no-plot", *arguments]) == 2
    assert_one_line_error(capsys, "sweep", *fragments)
