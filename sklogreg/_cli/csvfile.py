"""Read a CSV file of numeric features and a label column, with pandas.

pandas' C parser reads a large file in a fraction of the time and memory a Python loop
takes. What it leaves open is settled here, before the read: the delimiter (sniffed
from the first lines, since ``sep=None`` would switch pandas to its slow Python
engine), a byte-order mark (Excel's "CSV UTF-8" writes one), and, after it, a label
column whose numbers are compared as numbers. Every problem found is a
`CommandLineError` naming the file, line and column.
"""

from __future__ import annotations

import csv
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import closing
from itertools import islice
from pathlib import Path

import numpy as np

from .errors import CommandLineError, one_line

__all__ = ["DELIMITERS", "read_csv"]

# The comma, and what spreadsheets write where the comma is the decimal separator or
# for "tab-delimited text".
DELIMITERS = ",;\t|"
# Lines sniffed for the delimiter: enough to see a regular pattern, cheap at any size.
SNIFF_LINES = 50
# "utf-8-sig" reads plain UTF-8 and drops the byte-order mark Excel writes first.
ENCODING = "utf-8-sig"
# How pandas reports a row with more values than the header.
TOO_MANY_VALUES = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_csv(path: Path, target: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The features, labels and feature names of a CSV file with a header row.

    Parameters
    ----------
    path : Path
        An existing file.
    target : str
        The header of the label column; every other column must be numeric.

    Returns
    -------
    X : ndarray of shape (n_rows, n_features)
        The features, finite float64.
    y : ndarray of shape (n_rows,)
        The labels: integers or floats when every label is a number (so that "1" and
        "1.0" are one class), else the labels' text without surrounding spaces.
    feature_names : list of str
        The other columns' headers, in file order.

    Raises
    ------
    CommandLineError
        When pandas is missing, or the file cannot be read or holds what a
        classifier cannot use.
    """
    pandas = _import_pandas()
    delimiter, header = _sniff(path)
    split = _describe(delimiter)
    names = [name.strip() for name in header]
    if target not in names:
        raise CommandLineError(
            f"{path} has no column {target!r}; its columns, split at {split}, are: "
            f"{', '.join(names)}"
        )
    if len(names) < 2:
        raise CommandLineError(f"{path} has no feature column besides {target!r}.")
    print(f"reading {path} ...", file=sys.stderr, flush=True)
    frame = _read_frame(pandas, path, delimiter, header[names.index(target)])

    def line_of(row: int) -> int:
        return _line_number(path, delimiter, row)

    # By position: pandas renames a repeated header ("x", "x.1"), names[] does not.
    columns = list(frame.columns)
    target_at = names.index(target)
    y = _labels(pandas, frame[columns[target_at]], path, target, line_of)
    features = [index for index in range(len(columns)) if index != target_at]
    X = np.empty((len(frame), len(features)))
    for j, index in enumerate(features):
        X[:, j] = _numbers(pandas, frame[columns[index]], path, names[index], line_of)
    classes = np.unique(y)
    shown = ", ".join(str(label) for label in classes[:10])
    print(
        f"read {path}: {len(frame)} rows, {len(names)} columns split at {split}; "
        f"target {target!r} with {classes.size} "
        f"{'class' if classes.size == 1 else 'classes'}: {shown}"
        + (", ..." if classes.size > 10 else ""),
        file=sys.stderr,
    )
    return X, y, [names[index] for index in features]


def _import_pandas():
    try:
        import pandas
    except ImportError:
        raise CommandLineError(
            'reading a CSV file needs pandas: pip install "sklogreg[plot]".'
        ) from None
    return pandas


def _records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, values)`` of each non-blank row, as pandas counts rows."""
    with path.open(encoding=ENCODING, newline="") as stream:
        reader = csv.reader(stream, delimiter=delimiter)
        for record in reader:
            # pandas skips a line of nothing but spaces; "," is a row of empty values.
            if len(record) > 1 or (record and record[0].strip()):
                yield reader.line_num, record


def _sniff(path: Path) -> tuple[str, list[str]]:
    """The delimiter, sniffed from the first lines, and the header row it splits."""
    try:
        with path.open(encoding=ENCODING, newline="") as stream:
            lines = list(islice(stream, SNIFF_LINES))
        try:
            delimiter = csv.Sniffer().sniff("".join(lines), DELIMITERS).delimiter
        except csv.Error:  # one column, or no pattern: the comma is the default
            delimiter = ","
        with closing(_records(path, delimiter)) as records:
            header, first = next(records, (0, None)), next(records, (0, None))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CommandLineError(f"cannot read {path}: {one_line(error)}") from error
    if first[1] is None:
        raise CommandLineError(f"{path} needs a header row and at least one data row.")
    # pandas would read a first row longer than the header as a row label and the rest.
    if len(first[1]) > len(header[1]):
        raise CommandLineError(
            f"{path}, line {first[0]}: {len(first[1])} values, but the header has "
            f"{len(header[1])} columns."
        )
    return delimiter, header[1]


def _describe(delimiter: str) -> str:
    return "tabs" if delimiter == "\t" else repr(delimiter)


def _read_frame(pandas, path, delimiter, target_column):
    try:
        with warnings.catch_warnings():
            # Columns of mixed types are checked value by value below, with the line.
            warnings.simplefilter("ignore", pandas.errors.DtypeWarning)
            frame = pandas.read_csv(
                path,
                sep=delimiter,
                engine="c",
                encoding=ENCODING,
                # Labels stay text until all are known to be numbers (or not).
                dtype={target_column: str},
                # Only an empty cell is missing: "NA" or "null" is a value to report.
                keep_default_na=False,
                na_values=[""],
            )
    except pandas.errors.EmptyDataError:
        frame = None
    except pandas.errors.ParserError as error:
        match = TOO_MANY_VALUES.search(str(error))
        if match is None:
            raise CommandLineError(f"cannot read {path}: {one_line(error)}") from error
        columns, line, values = match.groups()
        raise CommandLineError(
            f"{path}, line {line}: {values} values, but the header has {columns} "
            "columns."
        ) from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CommandLineError(f"cannot read {path}: {one_line(error)}") from error
    if frame is None or len(frame) == 0:
        raise CommandLineError(f"{path} needs a header row and at least one data row.")
    return frame


def _line_number(path: Path, delimiter: str, row: int) -> int:
    """The line, as an editor counts, of data row ``row`` (0-based) of the frame."""
    for number, (line, _) in enumerate(_records(path, delimiter)):
        if number == row + 1:  # record 0 is the header
            return line
    return row + 2


def _labels(pandas, column, path, target, line_of) -> np.ndarray:
    text = column.str.strip()
    missing = (text.isna() | (text == "")).to_numpy()
    if missing.any():
        line = line_of(int(np.argmax(missing)))
        raise CommandLineError(
            f"{path}, line {line}: the target {target!r} is missing."
        )
    numbers = pandas.to_numeric(text, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    if not np.isfinite(numbers).all():
        return text.to_numpy(dtype=str)
    if np.array_equal(numbers, np.round(numbers)) and np.abs(numbers).max() < 2**53:
        return numbers.astype(np.int64)
    return numbers


def _numbers(pandas, column, path, name, line_of) -> np.ndarray:
    if not pandas.api.types.is_numeric_dtype(column):
        numbers = pandas.to_numeric(column, errors="coerce")
        text = (numbers.isna() & column.notna()).to_numpy()
        if text.any():
            row = int(np.argmax(text))
            _reject(path, line_of(row), name, str(column.iloc[row]))
        column = numbers
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad))
        _reject(
            path, line_of(row), name, "" if np.isnan(values[row]) else str(values[row])
        )
    return values


def _reject(path: Path, line: int, name: str, cell: str) -> None:
    if not cell.strip():
        reason = "is empty; missing values are not supported."
    elif _is_number(cell):
        reason = f"holds {cell!r}; missing or infinite values are not supported."
    elif _is_number(cell.replace(",", ".")):
        reason = (
            f"holds {cell!r}, which is not a number; if ',' is its decimal "
            f"separator, write {cell.replace(',', '.')}."
        )
    else:
        reason = (
            f"holds {cell!r}, which is not a number; every column but the target "
            "must be numeric."
        )
    raise CommandLineError(f"{path}, line {line}: column {name!r} {reason}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
