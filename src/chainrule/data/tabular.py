"""Own data from a CSV file: ``from_csv(path, target=COLUMN)`` → ``(X, y, feature_names)``.

Read with the ``csv`` module and NumPy (no pandas). The first row is the header; every other non-blank row
is a sample. All columns must be numeric: a text value, a missing value (empty, ``NA``, ``nan``, ...), an
infinite value, a ragged row, an unknown target column or an empty file is refused with a ``ValueError``
that names the file, the column and the row (row numbers count lines of the file from 1, the header being
row 1, so they match what an editor shows).

``chainrule.data.datasets.load("csv:PATH", target=COLUMN)`` wraps this in a train/val/test split.
"""

from __future__ import annotations

import csv
import io
import math
import os

import numpy as np

__all__ = ["from_csv", "read_csv_columns"]

_MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}


def _source_name(src):
    if isinstance(src, (str, os.PathLike)):
        return os.fspath(src)
    return getattr(src, "name", "<csv text>")


def _read_rows(src, delimiter):
    """The header, the data rows as ``(row_number, cells)`` and the file's name; header checks done."""
    name = _source_name(src)
    if isinstance(src, (str, os.PathLike)):
        try:
            with open(src, newline="", encoding="utf-8-sig") as f:
                text = f.read()
        except FileNotFoundError:
            raise FileNotFoundError(f"CSV file not found: {name}") from None
        except UnicodeDecodeError as err:
            raise ValueError(f"{name}: not a UTF-8 text file ({err.reason} at byte {err.start})") from None
    else:
        text = src.read()
        if text.startswith("\ufeff"):
            text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, header_row, rows = None, 0, []
    try:
        for line in reader:
            if not line or all(not c.strip() for c in line):
                continue  # blank lines (e.g. a trailing newline) are not samples
            if header is None:
                header, header_row = [c.strip() for c in line], reader.line_num
            else:
                rows.append((reader.line_num, line))
    except csv.Error as err:
        raise ValueError(f"{name}, row {reader.line_num}: malformed CSV ({err})") from None
    if header is None:
        raise ValueError(f"{name}: the file is empty; expected a header row of column names, then data rows")
    seen = set()
    for j, col in enumerate(header):
        if not col:
            raise ValueError(f"{name}, row {header_row}: column {j + 1} of the header has no name")
        if col in seen:
            raise ValueError(f"{name}, row {header_row}: column name {col!r} appears twice in the header")
        seen.add(col)
    if not rows:
        raise ValueError(f"{name}: the header ({', '.join(header)}) is followed by no data rows")
    return header, rows, name


def _parse(header, rows, name, columns):
    """The named columns as a float64 array (n_rows, len(columns)); ragged rows and bad cells refused."""
    idx = [header.index(c) for c in columns]
    values = np.empty((len(rows), len(idx)), dtype=np.float64)
    for i, (row_num, line) in enumerate(rows):
        if len(line) != len(header):
            raise ValueError(
                f"{name}, row {row_num}: expected {len(header)} values (one per column: "
                f"{', '.join(header)}), got {len(line)}"
            )
        for k, j in enumerate(idx):
            values[i, k] = _number(line[j], name, row_num, header[j])
    return values


def read_csv_columns(src, columns=None, *, delimiter=","):
    """Parse a numeric CSV: ``(header, values (n_rows, len(columns)) float64, name)``.

    ``src`` is a path or an open text file (``io.StringIO(text)`` for CSV text, e.g. an upload);
    ``columns`` the columns to read (default: all). Same checks and messages as ``from_csv``.
    """
    header, rows, name = _read_rows(src, delimiter)
    columns = header if columns is None else list(columns)
    for col in columns:
        if col not in header:
            raise ValueError(f"{name}: unknown column {col!r}; the columns are: {', '.join(header)}")
    return header, _parse(header, rows, name, columns), name


def _number(cell, name, row_num, column):
    s = cell.strip()
    if s.lower() in _MISSING:
        raise ValueError(
            f"{name}, row {row_num}, column {column!r}: missing value {cell!r}; every cell must be a number "
            f"(drop or fill missing values first)"
        )
    try:
        v = float(s)
    except ValueError:
        raise ValueError(
            f"{name}, row {row_num}, column {column!r}: {cell!r} is not a number; from_csv reads numeric "
            f"columns only (encode categories as numbers, or drop the column)"
        ) from None
    if not math.isfinite(v):
        raise ValueError(f"{name}, row {row_num}, column {column!r}: {cell!r} is not a finite number")
    return v


def from_csv(path, target=None, *, features=None, delimiter=","):
    """Load a numeric CSV file as ``(X, y, feature_names)``.

    ``path``: a file path or an open text file. ``target``: the name of the target column (default: the
    last column). ``features``: the names of the input columns (default: every other column, in file
    order; naming them lets a file keep other, non-numeric columns, e.g. an id or a name, which are then
    not read). Returns ``X`` float64 (n, n_features), ``y`` float64 (n,) and the list of feature names.
    Errors name the file, the column and the row.
    """
    header, rows, name = _read_rows(path, delimiter)
    if target is None:
        target = header[-1]
    if target not in header:
        raise ValueError(f"{name}: unknown target column {target!r}; the columns are: {', '.join(header)}")
    if features is None:
        features = [c for c in header if c != target]
    else:
        features = [features] if isinstance(features, str) else list(features)
        for col in features:
            if col not in header:
                raise ValueError(
                    f"{name}: unknown feature column {col!r}; the columns are: {', '.join(header)}"
                )
            if col == target:
                raise ValueError(f"{name}: column {col!r} is the target; it cannot also be a feature")
    if not features:
        raise ValueError(f"{name}: no feature columns besides the target {target!r}")
    values = _parse(header, rows, name, features + [target])
    return values[:, :-1].copy(), values[:, -1].copy(), features
