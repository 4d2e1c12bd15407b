"""The canonical workbook: every table of a FormSet on its own sheet.

An auditor corrects a parse by hand in Excel or WPS and loads the workbook back with
``pa.load``; the tables read back identical to the ones written.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pandas as pd

from perfaudit.fields import TABLES, cast_frame, columns, label
from perfaudit.formset import FormSet
from perfaudit.readers.cells import ReadError
from perfaudit.untrusted import protect_cell, xml_text

MARKER_SHEET = "documents"


def write_workbook(forms: FormSet, path: str | os.PathLike) -> Path:
    """Write the canonical workbook atomically (a crash never leaves half a file)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    for table in TABLES:
        sheet = book.create_sheet(table)
        frame = forms.tables[table]
        cols = columns(table)
        sheet.append(list(cols))
        for cell, col in zip(sheet[1], cols, strict=True):
            cell.comment = Comment(f"{label(table, col)} / {label(table, col, 'en')}", "perfaudit")
        for record in frame.itertuples(index=False, name=None):
            sheet.append([_cell_value(v) for v in record])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                protect_cell(cell)  # text such as "=C5+C6" stays text, never a formula
        sheet.freeze_panes = "A2"
        for cell, col in zip(sheet[1], cols, strict=True):
            sheet.column_dimensions[cell.column_letter].width = max(10, min(50, len(col) + 4))
    return _save_atomically(book, path)


def _cell_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if value == "":
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return xml_text(value) if isinstance(value, str) else value  # a workbook cannot hold \x01


def _save_atomically(book, path: Path) -> Path:
    from perfaudit.export import write_atomically

    return write_atomically(path, book.save)


_SHEET_NAME = re.compile(r'<sheet\b[^>]*\bname="([^"]*)"')


def is_canonical_workbook(path: Path) -> bool:
    """True for a workbook written by :func:`write_workbook` (sheets named after the tables).

    Read from the workbook's own sheet list, without loading it.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(_SHEET_NAME.findall(archive.read("xl/workbook.xml").decode("utf-8", "replace")))
    except (zipfile.BadZipFile, KeyError, OSError):
        return False  # the Excel reader reports unreadable files with their reason
    return set(TABLES) <= names


def read_canonical(path: Path) -> list[tuple[str, dict]]:
    """Read a canonical workbook back into per-document parsed tables."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        tables = {}
        for table in TABLES:
            rows = list(book[table].iter_rows(values_only=True))
            header = [str(h) for h in rows[0]] if rows else list(columns(table))
            missing = set(columns(table)) - set(header)
            if missing:
                raise ReadError(path, f"sheet {table!r} lacks columns {sorted(missing)}")
            frame = pd.DataFrame([list(r) for r in rows[1:] if any(v is not None for v in r)], columns=header)
            tables[table] = cast_frame(table, frame)
    finally:
        book.close()
    tables["indicators"] = reparse_indicators(tables["indicators"])
    out = []
    for info in tables["documents"].to_dict("records"):
        doc_id = info["doc_id"]
        parsed = {"info": {k: _plain(v) for k, v in info.items()}}
        for table in TABLES[1:]:
            frame = tables[table]
            part = frame[frame["doc_id"] == doc_id].drop(columns="doc_id")
            parsed[table] = [{k: _plain(v) for k, v in r.items()} for r in part.to_dict("records")]
        out.append((doc_id, parsed))
    return out


def reparse_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Parse the value text again where an auditor changed it by hand.

    A row whose stored parse agrees with its text is kept as written (a spreadsheet's typed
    value may carry more than its text shows); a row whose text was edited gets the parse of
    the new text, so that the audit judges what the workbook now says.
    """
    from perfaudit.values import infer_polarity, parse_value

    frame = indicators.copy()
    for index, row in frame.iterrows():
        text = row["annual_value"] or row["period_value"]
        if not row["level3"] and not text:
            continue
        fresh = parse_value(text, name=row["level3"])
        stored_value = None if pd.isna(row["value"]) else row["value"]
        if (fresh.op, fresh.unit, fresh.value) == (row["op"], row["unit"], stored_value):
            continue
        frame.loc[index, ["op", "unit", "qualifier", "baseline"]] = [
            fresh.op,
            fresh.unit,
            fresh.qualifier,
            fresh.baseline,
        ]
        frame.loc[index, ["value", "value_high"]] = [fresh.value, fresh.value_high]
        frame.loc[index, "quantified"] = fresh.quantified
        frame.loc[index, "polarity"] = infer_polarity(row["level3"], fresh, text)
    return frame


def _plain(value: object) -> object:
    if value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value
