"""Figures for the subcommands: checked before any fit, drawn off-screen, saved.

The CLI never touches pyplot's global state or a display: each figure is a bare
``matplotlib.figure.Figure`` on the Agg canvas, which renders PNGs with no screen.
"""

from __future__ import annotations

from pathlib import Path

from .errors import CommandLineError

__all__ = ["check_can_plot", "new_figure", "save_figure"]


def check_can_plot(output: Path) -> None:
    """Fail early, before minutes of fitting, if the picture could not be written."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CommandLineError(
            'the picture needs matplotlib: pip install "sklogreg[plot]", or pass '
            "--no-plot."
        ) from None
    folder = output.parent
    if not folder.is_dir():
        raise CommandLineError(f"cannot write {output}: no folder {str(folder)!r}.")


def new_figure(width: float, height: float):
    """A Figure on the Agg canvas, laid out with constrained layout."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure, output: Path, dpi: int) -> None:
    """Write the figure as a PNG; a failure to write is bad input, not a crash."""
    try:
        figure.savefig(output, dpi=dpi)
    except OSError as error:
        raise CommandLineError(f"cannot write {output}: {error}") from error
