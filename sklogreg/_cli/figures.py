"""Figures for the subcommands: checked before any fit, drawn off-screen, saved.

The CLI never touches pyplot's global state or a display: each figure is a bare
``matplotlib.figure.Figure`` on the Agg canvas, which renders PNGs with no screen.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .errors import CommandLineError

__all__ = [
    "PICTURE_FORMATS",
    "add_picture_arguments",
    "check_can_plot",
    "new_figure",
    "save_figure",
]

# What matplotlib writes with no extra software (pgf needs LaTeX), and the suffix a
# name without one gets.
PICTURE_FORMATS = ("png", "pdf", "svg")


def add_picture_arguments(
    parser: argparse.ArgumentParser, default: str, picture: str, printed: str
) -> None:
    """Declare ``--output`` and ``--no-plot``, the options `check_can_plot` serves.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        A subcommand's parser.
    default : str
        The file name ``--output`` defaults to.
    picture : str
        What the picture is, for the help of ``--output``.
    printed : str
        What the subcommand prints, for the help of ``--no-plot``.
    """
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(default),
        help=f"where to write {picture}: a .png, .pdf or .svg file; a name "
        f"without a suffix gets .png (default: {default})",
    )
    parser.add_argument(
        "--no-plot", action="store_true", help=f"print {printed} only, write no PNG"
    )


def check_can_plot(output: Path) -> Path:
    """Fail early, before minutes of fitting, if the picture could not be written.

    Parameters
    ----------
    output : Path
        The ``--output`` the user gave.

    Returns
    -------
    Path
        Where the picture will be written: ``output``, with ``.png`` added when it has
        no suffix.

    Raises
    ------
    CommandLineError
        Without matplotlib, or when ``output`` is a folder, has a suffix other than
        those of `PICTURE_FORMATS`, or lies in a folder that does not exist.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CommandLineError(
            'the picture needs matplotlib: pip install "sklogreg[plot]", or pass '
            "--no-plot."
        ) from None
    suffixes = ", ".join(f".{name}" for name in PICTURE_FORMATS)
    # Before a suffix is added: "plots/" would otherwise become "plots.png" beside it.
    if output.is_dir():
        raise CommandLineError(
            f"cannot write {output}: it is a folder; give a file name ending in "
            f"{suffixes}."
        )
    if not output.suffix:
        # Chosen here, not left to matplotlib, so that the path printed is the path
        # written.
        output = output.with_name(f"{output.name}.{PICTURE_FORMATS[0]}")
    if output.suffix[1:].lower() not in PICTURE_FORMATS:
        raise CommandLineError(
            f"cannot write {output}: a picture's name must end in {suffixes}, not "
            f"{output.suffix!r}."
        )
    folder = output.parent
    if not folder.is_dir():
        raise CommandLineError(f"cannot write {output}: no folder {str(folder)!r}.")
    return output


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
