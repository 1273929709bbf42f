"""Load the data a subcommand works on: an embedded scikit-learn set or a CSV file.

Everything that can be wrong with the data is found here and reported as a
`CommandLineError` naming the file, column and row, before any model is fitted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine

from .errors import CommandLineError

__all__ = ["EMBEDDED_DATASETS", "Dataset", "load_dataset"]

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


def load_dataset(name: str, target: str | None = None) -> Dataset:
    """Load an embedded data set by name, or a CSV file by path.

    Parameters
    ----------
    name : str
        One of `EMBEDDED_DATASETS`, or the path of a CSV file with a header row.
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
            f"({dataset.classes[0]!r}): a classifier needs at least two."
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
    try:
        with path.open(newline="") as stream:
            rows = list(csv.reader(stream))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CommandLineError(f"cannot read {path}: {error}") from error
    if len(rows) < 2:
        raise CommandLineError(f"{path} needs a header row and at least one data row.")
    header = [name.strip() for name in rows[0]]
    if target not in header:
        raise CommandLineError(
            f"{path} has no column {target!r}; its columns are: {', '.join(header)}"
        )
    target_index = header.index(target)
    feature_indices = [index for index in range(len(header)) if index != target_index]
    if not feature_indices:
        raise CommandLineError(f"{path} has no feature column besides {target!r}.")

    X = np.empty((len(rows) - 1, len(feature_indices)))
    labels = []
    for row_number, row in enumerate(rows[1:], start=2):  # line numbers as in an editor
        if len(row) != len(header):
            raise CommandLineError(
                f"{path}, line {row_number}: {len(row)} values, but the header has "
                f"{len(header)} columns."
            )
        label = row[target_index].strip()
        if not label:
            raise CommandLineError(
                f"{path}, line {row_number}: the target {target!r} is missing."
            )
        labels.append(label)
        for column, index in enumerate(feature_indices):
            X[row_number - 2, column] = _parse_number(
                row[index], path, row_number, header[index]
            )
    return Dataset(
        str(path),
        X,
        np.asarray(labels),
        tuple(header[index] for index in feature_indices),
    )


def _parse_number(cell: str, path: Path, row_number: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise CommandLineError(
            f"{path}, line {row_number}: column {column!r} holds {cell!r}, which is "
            "not a number; every column but the target must be numeric."
        ) from None
    if not np.isfinite(value):
        raise CommandLineError(
            f"{path}, line {row_number}: column {column!r} holds {cell!r}; missing or "
            "infinite values are not supported."
        )
    return value
