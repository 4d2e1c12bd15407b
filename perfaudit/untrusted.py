"""Form text is untrusted: what it takes to write it into cells and documents safely.

Forms come from outside the auditor's office, so any text in them (a task name, an indicator,
a department) may be written to look like a spreadsheet formula. Opened in Excel or WPS, a CSV
cell ``=HYPERLINK("http://…","点此")`` is a live formula (CSV injection). perfaudit's choices:

- **CSV** (``findings.csv``, ``tables/*.csv``, the ledger): a text cell that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe (``'=HYPERLINK(…)``),
  which spreadsheet programs show as text. A text that is a plain number (``-3.00``, ``+5``,
  ``-12.5%``) is left alone: it is no formula, and a money cell stays a number. Numbers are never
  touched. :func:`restore` takes the apostrophe off again where perfaudit reads its own CSV back
  (the ledger).
- **Workbooks** (``workpaper.xlsx``, ``convert``, ``ledger.xlsx``): text is written as a string
  cell (never a formula) and a cell starting with one of those characters also gets the
  "quote prefix" style, so that editing it in Excel keeps it text. The value is the original
  text: ``pa.load`` of a ``convert`` workbook gives it back unchanged.
- **XML** (``.xlsx``, ``.docx``): control characters that XML forbids are replaced by a space;
  HTML is escaped by the report's template engine.

This module imports nothing else from perfaudit, so every writer can use it.
"""

from __future__ import annotations

import re

import pandas as pd

# What makes a spreadsheet program read a cell as a formula (OWASP's list for CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
# A plain number as printed (``-3.00``, ``+1,234.5``, ``-12%``): harmless, kept as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
# XML 1.0 allows tab, newline and carriage return among the control characters, nothing else.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def is_formula_like(value: object) -> bool:
    """Whether a spreadsheet program could take ``value`` for a formula (text only)."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and _PLAIN_NUMBER.fullmatch(value.strip()) is None


def neutralise(value: object) -> object:
    r"""``value`` as a CSV cell may hold it: formula-like text gets a leading apostrophe.

    Example:
        >>> neutralise('=HYPERLINK("http://x","点此")')
        '\'=HYPERLINK("http://x","点此")'
        >>> neutralise("-3.00"), neutralise(-3.0)
        ('-3.00', -3.0)
    """
    return PREFIX + value if is_formula_like(value) else value


def restore(value: object) -> object:
    """The text :func:`neutralise` was given (for reading perfaudit's own CSV back)."""
    if isinstance(value, str) and value.startswith(PREFIX) and is_formula_like(value[1:]):
        return value[1:]
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised (numbers and headers untouched)."""
    columns = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        # Vectorised first look (an archive's tables have millions of cells), then the exact test.
        if pd.api.types.is_string_dtype(values) and values.dtype != object:
            starts = values.str.startswith(FORMULA_START, na=False)
        else:
            starts = values.map(_starts_like_formula).astype(bool)
        if starts.any():
            columns[column] = values.where(~starts, values[starts].map(neutralise))
    return frame.assign(**columns) if columns else frame


def _starts_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`neutralise_frame` for text columns read back from CSV."""
    columns = {column: frame[column].map(restore) for column in frame.columns if frame[column].dtype in (object, "str")}
    return frame.assign(**columns) if columns else frame


def xml_text(value: str) -> str:
    """``value`` without the characters XML cannot hold (a form feed from a PDF, a NUL)."""
    return _XML_FORBIDDEN.sub(" ", value)


def protect_cell(cell) -> None:
    """Make an openpyxl cell holding text a plain string cell, quote-prefixed when formula-like.

    openpyxl turns any text starting with ``=`` into a formula; this undoes that and keeps the
    original text as the value, so the workbook reads back to the same text.
    """
    if not isinstance(cell.value, str):
        return
    cell.value = xml_text(cell.value)
    cell.data_type = "s"
    if is_formula_like(cell.value):
        cell.quotePrefix = True


def protect_sheet(sheet) -> None:
    """:func:`protect_cell` for every cell of an openpyxl worksheet (not a write-only one)."""
    for row in sheet.iter_rows():
        for cell in row:
            protect_cell(cell)


# Escape sequences in form text could move a terminal's cursor or retitle its window.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` for a terminal: control characters (ESC, BEL, …) shown as ``?``; lines kept."""
    return _TERMINAL_UNSAFE.sub("?", text)


def one_line(text: str) -> str:
    """An error message as one line for a terminal (a file name may hold a newline)."""
    return terminal_safe(" ".join(text.split()))
