"""The canonical workbook: every table of a FormSet on its own sheet.

An auditor corrects a parse by hand in Excel or WPS and loads the workbook back with
``pa.load``, which reads it like any form: the Excel reader gives its cells and
:mod:`perfaudit.template.canonical` its tables, identical to the ones written, with a
corrected text parsed again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment

from perfaudit.atomic import write_atomically
from perfaudit.fields import TABLES, columns, label
from perfaudit.formset import FormSet
from perfaudit.untrusted import protect_cell, xml_text


def write_workbook(forms: FormSet, path: str | os.PathLike) -> Path:
    """Write the canonical workbook atomically (a crash never leaves half a file)."""
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


def _save_atomically(book: Workbook, path: Path) -> Path:

    return write_atomically(path, book.save)
