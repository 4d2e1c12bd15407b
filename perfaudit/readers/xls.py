"""Excel 97-2003 workbooks (``.xls``), read with xlrd: the same cells as an ``.xlsx`` gives.

Many county budget offices still publish ``.xls``. Each visible sheet's non-empty cells become
rows with their column and number format, and go through the ``.xlsx`` reader's own cell
rendering (:func:`perfaudit.readers.excel.format_number`), so a ``1`` in a ``0%`` cell is 100%
and amounts print with the decimals their format shows. As in an ``.xlsx``, a merged range's
value stands in its first cell. Formulas come with the value Excel saved.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import xlrd

from perfaudit.readers.cells import ReadError, Sheet
from perfaudit.readers.excel import RawCell, read_sheet_cells


def read_xls(path: Path) -> list[Sheet]:
    """Read every visible sheet of an ``.xls`` workbook into rows of non-empty cells."""
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError, IndexError, KeyError) as err:
        raise ReadError(path, f"not a readable .xls workbook ({err or type(err).__name__})") from None
    try:
        sheets = [
            read_sheet_cells(sheet.name, _cells(book, sheet))
            for sheet in (book.sheet_by_index(i) for i in range(book.nsheets))
            if sheet.visibility == 0
        ]
    finally:
        book.release_resources()
    if not any(sheet.rows for sheet in sheets):
        raise ReadError(path, "the workbook has no cells with content")
    return sheets


def _cells(book, sheet) -> list[RawCell]:
    out: list[RawCell] = []
    for row in range(sheet.nrows):
        for col in range(sheet.ncols):
            cell = sheet.cell(row, col)
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                continue
            value: object = cell.value
            if cell.ctype == xlrd.XL_CELL_DATE:
                value = datetime.datetime(*xlrd.xldate_as_tuple(cell.value, book.datemode))
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(cell.value)
            xf = book.xf_list[cell.xf_index]
            number_format = book.format_map[xf.format_key].format_str if xf.format_key in book.format_map else ""
            out.append((row + 1, col + 1, value, number_format or "General", None))
    return out
