"""Load the data a subcommand works on: an embedded scikit-learn set or a CSV file.

Everything that can be wrong with the data is found here and reported as a
`CommandLineError` naming the file, column and row, before any model is fitted.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine

from .csvfile import read_csv
from .errors import CommandLineError

__all__ = ["EMBEDDED_DATASETS", "Dataset", "add_dataset_arguments", "load_dataset"]

# Shipped inside scikit-learn: no download, so the first command works offline.
EMBEDDED_DATASETS = {
    "breast_cancer": load_breast_cancer,
    "iris": load_iris,
    "wine": load_wine,
    "digits": load_digits,
}


@dataclass(frozen=True)
class Dataset:
    """Features, labels and names of a classification data set."""

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]

    @property
    def classes(self) -> np.ndarray:
        """The distinct labels, sorted."""
        return np.unique(self.y)


def add_dataset_arguments(parser: argparse.ArgumentParser, dataset_help: str) -> None:
    """Declare ``--dataset`` and ``--target``, the two options `load_dataset` reads.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        A subcommand's parser.
    dataset_help : str
        The help of ``--dataset``, in the subcommand's words.
    """
    parser.add_argument("--dataset", default="breast_cancer", help=dataset_help)
    parser.add_argument(
        "--target", metavar="COLUMN", help="the label column of a CSV file"
    )


def load_dataset(name: str, target: str | None = None) -> Dataset:
    """Load an embedded data set by name, or a CSV file by path.

    Parameters
    ----------
    name : str
        One of `EMBEDDED_DATASETS`, or the path of a CSV file with a header row (see
        `csvfile.read_csv`).
    target : str, optional
        For a CSV file: the column holding the class labels (required). Every other
        column must be numeric.

    Returns
    -------
    Dataset
        With at least two classes.

    Raises
    ------
    CommandLineError
        When the file is missing or malformed, or the labels are not usable.
    """
    if name in EMBEDDED_DATASETS:
        if target is not None:
            raise CommandLineError(
                f"--target is for CSV files; the embedded data set {name!r} has "
                "its own target."
            )
        bunch = EMBEDDED_DATASETS[name]()
        names = tuple(str(feature) for feature in bunch.feature_names)
        dataset = Dataset(name, bunch.data.astype(np.float64), bunch.target, names)
    else:
        dataset = _load_csv(Path(name), target)
    if dataset.classes.size < 2:
        raise CommandLineError(
            f"the target of {dataset.name} has only one class "
            f"({dataset.classes[0].item()!r}): a classifier needs at least two."
        )
    return dataset


def _load_csv(path: Path, target: str | None) -> Dataset:
    if not path.suffix and not path.exists():
        raise CommandLineError(
            f"unknown data set {str(path)!r}: use one of "
            f"{', '.join(EMBEDDED_DATASETS)} or the path of a CSV file."
        )
    if not path.is_file():
        raise CommandLineError(f"no such file: {str(path)!r}")
    if target is None:
        raise CommandLineError(
            f"{path} is a CSV file: name its label column with --target COLUMN."
        )
    X, y, feature_names = read_csv(path, target)
    return Dataset(str(path), X, y, tuple(feature_names))
