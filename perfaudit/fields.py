"""The one dictionary: every table, column, severity, status and change, with its labels.

Everything an auditor reads as a name comes from the data files in ``perfaudit/vocab/``:

- ``tables.csv`` — every table and working-paper sheet: its Chinese (sheet) name and what one row is;
- ``fields.csv`` — every column of the forms' tables and of the ledger, reconciliation and
  rulebook tables: dtype, Chinese and English label, unit, meaning;
- ``derived.csv`` — every column of the derived frames the rulebook judges (when present);
- ``findings.csv`` — the findings table's columns, their display order and what the ledger adds;
- ``severities.csv``, ``statuses.csv``, ``changes.csv`` — the codes findings carry, with
  Chinese labels (and the severities' order and colours);
- ``charts.csv`` — the charts' captions.

The forms' tables are built only through :func:`make_frame`, so their columns, order and
dtypes always follow the dictionary.

Example:
    >>> label("tasks", "planned_yuan")
    '拟投入资金(元)'
    >>> label("findings", "message")
    '问题描述'
    >>> severities()
    ('error', 'warning', 'info')
"""

from __future__ import annotations

import functools
from importlib import resources

import pandas as pd

from perfaudit.vocab import read_vocab

TABLES = ("documents", "budget", "execution", "goals", "cost_items", "tasks", "task_outputs", "indicators", "leftovers")
UNKNOWN_COLOUR = "#7f8c8d"  # a severity the dictionary does not know (a hand-edited rulebook)
MONEY_UNITS = ("元", "万元")  # shown in a column's heading: 单位成本（元）


@functools.cache
def _entries() -> dict[tuple[str, str], dict[str, str]]:
    """(table, column) → the dictionary's row, for every column the dictionary describes."""
    entries = {(row["table"], row["column"]): row for row in read_vocab("fields")}
    for row in read_vocab("findings"):
        entries[("findings", row["column"])] = {"table": "findings", "unit": "", **row}
    for row in _derived():
        entries.setdefault((row["frame"], row["column"]), {"table": row["frame"], **row})
    return entries


def _derived() -> tuple[dict[str, str], ...]:
    """The derived frames' columns (``vocab/derived.csv``), or none when the file is absent."""
    if not resources.files("perfaudit.vocab").joinpath("derived.csv").is_file():
        return ()
    return read_vocab("derived")


@functools.cache
def columns(table: str) -> tuple[str, ...]:
    """The columns of a table, in contract order (for the findings: those the rules write)."""
    if table == "findings":
        return tuple(row["column"] for row in read_vocab("findings") if not row["added_by"])
    found = tuple(row["column"] for row in read_vocab("fields") if row["table"] == table)
    if not found:
        raise KeyError(f"unknown table {table!r}")
    return found


@functools.cache
def dtypes(table: str) -> dict[str, str]:
    """The dtype of every column of a contract table, from ``vocab/fields.csv``."""
    return {row["column"]: row["dtype"] for row in read_vocab("fields") if row["table"] == table}


def label(table: str, column: str, lang: str = "zh") -> str:
    """The display label of a column (Chinese by default), e.g. ``label("tasks", "planned_yuan")``.

    ``table`` is a table of the forms, a derived frame (``unit_costs``, ``year_pairs``, …),
    ``findings``, ``ledger``, ``reconciliation`` or ``rulebook``. A column the table's own entry
    leaves unlabelled takes the label of the first table of the forms that has it (a derived
    frame's ``doc_id`` or ``planned_yuan``); in what an audit writes beside the findings
    (``vocab/tables.csv`` kind ``result``) the findings' label comes first (部门, not 部门名称).
    Unknown columns raise ``KeyError``.
    """
    key = f"label_{lang}"
    entry = _entries().get((table, column))
    if entry and entry.get(key):
        return entry[key]
    result = _code("tables", "table").get(table, {}).get("kind") == "result"
    for fallback in ("findings", *TABLES) if result else (*TABLES, "findings"):
        entry = _entries().get((fallback, column))
        if entry and entry.get(key):
            return entry[key]
    raise KeyError(f"{table}.{column} is not in the field dictionary")


def tables_with(column: str) -> list[str]:
    """Every table, derived frame or findings table the dictionary describes ``column`` in."""
    return [table for (table, name) in _entries() if name == column]


def unit(table: str, column: str) -> str:
    """The unit of a column (元, 万元, %, …; empty when it has none or is unknown)."""
    entry = _entries().get((table, column))
    return entry.get("unit", "") if entry else ""


def heading(table: str, column: str) -> str:
    """A column's Chinese heading for a sheet: its label, with a money unit it does not name.

    ``单位成本（元）``; the column's own name when the dictionary does not know it.
    """
    try:
        text = label(table, column)
    except KeyError:
        return column
    money = unit(table, column)
    return f"{text}（{money}）" if money in MONEY_UNITS and money not in text else text


def findings_columns(shown: bool = False) -> tuple[str, ...]:
    """Every findings column, those the ledger adds included.

    In the order the files write them, or with ``shown`` in the order an auditor reads them.
    """
    rows = read_vocab("findings")
    if shown:
        rows = tuple(sorted(rows, key=lambda row: int(row["shown"])))
    return tuple(row["column"] for row in rows)


def printed_findings_columns() -> tuple[str, ...]:
    """The findings columns the working paper puts on its printed page."""
    return tuple(row["column"] for row in read_vocab("findings") if row["printed"] == "true")


def added_by_ledger() -> tuple[str, ...]:
    """The findings columns a ledger adds (``note``, ``change``)."""
    return tuple(row["column"] for row in read_vocab("findings") if row["added_by"] == "ledger")


# --- codes: severities, statuses, changes ------------------------------------------------------


def severities() -> tuple[str, ...]:
    """The severities, the most serious first."""
    return tuple(row["severity"] for row in read_vocab("severities"))


def severity_rank(severity: str) -> int:
    """0 for the most serious; unknown severities after all known ones."""
    order = severities()
    return order.index(severity) if severity in order else len(order)


def severity_colour(severity: str) -> str:
    """``#rrggbb`` for a severity (grey for one the dictionary does not know)."""
    return _code("severities", "severity").get(severity, {}).get("colour", UNKNOWN_COLOUR)


def statuses(ledger: bool = False) -> tuple[str, ...]:
    """Every status of a finding; with ``ledger`` only those an auditor may write in the ledger."""
    return tuple(row["status"] for row in read_vocab("statuses") if not ledger or row["ledger"] == "true")


def decided_statuses() -> tuple[str, ...]:
    """The auditor's decisions (accepted, explained, waived), which a rerun keeps."""
    return tuple(row["status"] for row in read_vocab("statuses") if row["decided"] == "true")


def changes() -> tuple[str, ...]:
    """What happened to a finding since the ledger's last run, in the order the summary counts them."""
    return tuple(row["change"] for row in read_vocab("changes"))


_CODES = {"severity": "severities", "status": "statuses", "change": "changes", "chart": "charts"}


def code_label(kind: str, code: str, lang: str = "zh") -> str:
    """The label of a severity, status, change or chart code; the code itself when unknown.

    Example:
        >>> code_label("status", "not_evaluated")
        '未能评估'
    """
    return _code(_CODES[kind], kind).get(code, {}).get(f"label_{lang}", code)


@functools.cache
def _code(vocab: str, column: str) -> dict[str, dict[str, str]]:
    return {row[column]: row for row in read_vocab(vocab)}


# --- tables --------------------------------------------------------------------------------


def table_label(table: str, lang: str = "zh") -> str:
    """A table's or sheet's name (Chinese: the working paper's sheet name); unknown names as they are."""
    return _code("tables", "table").get(table, {}).get(f"label_{lang}", table)


def table_section(table: str) -> str:
    """What a form calls the part a table comes from (``预算整体情况``), else the table's label."""
    return _code("tables", "table").get(table, {}).get("section_zh") or table_label(table)


# --- frames -------------------------------------------------------------------------------


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
            out[col] = pd.Series(_shared_texts(series), index=frame.index, dtype="str")
        elif dtype == "Int64":
            out[col] = pd.to_numeric(series, errors="coerce").astype("Int64")
        elif dtype == "float64":
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64")
        elif dtype == "boolean":
            out[col] = series.map(_to_bool).astype("boolean")
        else:  # pragma: no cover - the dictionary only uses the dtypes above
            raise ValueError(f"{table}.{col}: unknown dtype {dtype}")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _shared_texts(values: pd.Series) -> list[str]:
    """The values as text, blank for nulls, each repeated text one object.

    A column repeats a few texts over and over (指标 levels, units, operators, cell references);
    held once each, an archive's tables take far less memory than with a copy per cell.
    """
    seen: dict[str, str] = {}
    present = values.notna().to_numpy()
    return [seen.setdefault(text, text) for text in (str(v) if p else "" for v, p in zip(values, present, strict=True))]


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
