"""The field dictionary: every column of every table, its dtype and its labels.

Tables are built only through :func:`make_frame`, so their columns, order and dtypes always
follow ``vocab/fields.csv`` and the display labels come from one place.
"""

from __future__ import annotations

import functools

import pandas as pd

from perfaudit.vocab import read_vocab

TABLES = ("documents", "budget", "goals", "tasks", "task_outputs", "indicators", "leftovers")


@functools.cache
def columns(table: str) -> tuple[str, ...]:
    """The columns of a table, in contract order."""
    found = tuple(row["column"] for row in read_vocab("fields") if row["table"] == table)
    if not found:
        raise KeyError(f"unknown table {table!r}")
    return found


@functools.cache
def dtypes(table: str) -> dict[str, str]:
    return {row["column"]: row["dtype"] for row in read_vocab("fields") if row["table"] == table}


def label(table: str, column: str, lang: str = "zh") -> str:
    """The display label of a column (Chinese by default), e.g. ``label("tasks", "planned_yuan")``."""
    for row in read_vocab("fields"):
        if row["table"] == table and row["column"] == column:
            return row[f"label_{lang}"]
    raise KeyError(f"{table}.{column} is not in the field dictionary")


def unit(table: str, column: str) -> str:
    """The unit of a column's values (``元``, ``人``; empty when none), e.g. ``unit("budget", "amount_yuan")``."""
    for row in read_vocab("fields"):
        if row["table"] == table and row["column"] == column:
            return row["unit"]
    raise KeyError(f"{table}.{column} is not in the field dictionary")


def make_frame(table: str, rows: list[dict] | None = None) -> pd.DataFrame:
    """Build a table from row dicts with the dictionary's columns and dtypes.

    Missing keys become nulls; unknown keys are an error (a typo must not create a column).
    """
    cols = columns(table)
    rows = rows or []
    unknown = {key for row in rows for key in row} - set(cols)
    if unknown:
        raise KeyError(f"{table}: columns not in the field dictionary: {sorted(unknown)}")
    frame = pd.DataFrame({col: [row.get(col) for row in rows] for col in cols}, columns=list(cols))
    return cast_frame(table, frame)


def cast_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give a frame the dictionary's dtypes (used for tables read back from files too)."""
    out = {}
    for col, dtype in dtypes(table).items():
        series = frame[col] if col in frame else pd.Series([None] * len(frame), index=frame.index)
        if dtype == "str":
            series = series.astype("object").where(series.notna(), "")
            out[col] = series.map(str).astype("str")
        elif dtype == "Int64":
            out[col] = pd.to_numeric(series, errors="coerce").astype("Int64")
        elif dtype == "float64":
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64")
        elif dtype == "boolean":
            out[col] = series.map(_to_bool).astype("boolean")
        else:  # pragma: no cover - the dictionary only uses the dtypes above
            raise ValueError(f"{table}.{col}: unknown dtype {dtype}")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _to_bool(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return pd.NA
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes", "是"):
            return True
        if lowered in ("false", "0", "no", "否"):
            return False
        return pd.NA
    return bool(value)
