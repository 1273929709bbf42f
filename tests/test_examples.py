"""Every gallery script in examples/ runs to the end, as the docs build runs it.

Each script is executed as ``__main__`` with matplotlib's non-interactive Agg backend,
in a scratch directory; any warning is an error, as everywhere in the suite. The
sphinx build (``python -m sphinx -W --keep-going -b html docs docs/_build/html``)
runs the same scripts to draw the gallery.
"""

import runpy
from pathlib import Path

import pytest

plt = pytest.importorskip("matplotlib.pyplot")

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


def test_the_gallery_has_its_stories():
    names = {path.stem for path in EXAMPLES}
    assert {
        "plot_landscape",
        "plot_learning_rate_sweep",
        "plot_compare_sklearn",
        "plot_streaming",
        "plot_early_stopping",
    } <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_and_draws(script, tmp_path, monkeypatch):
    plt.switch_backend("Agg")
    monkeypatch.chdir(tmp_path)
    plt.close("all")
    try:
        runpy.run_path(str(script), run_name="__main__")
        assert plt.get_fignums(), f"{script.name} drew no figure"
    finally:
        plt.close("all")
