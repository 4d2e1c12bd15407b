"""Rows of a workbook's large sheets streamed straight into its XML, at a constant memory.

openpyxl keeps every cell of a sheet as a Python object (about half a kilobyte each) and writes
a styled cell in some 20 µs, even in its write-only mode: the working paper of an archive of
10,000 forms (four million cells of findings) took minutes and gigabytes. So the working paper
is made in two steps. openpyxl builds the workbook with everything but the rows of the large
tables: styles, titles, headers, column widths, filters, frozen panes, print settings, images.
Then, while the saved package is copied into its final file, the rows of each large table are
written into its sheet's ``<sheetData>`` in chunks, as inline strings and numbers that refer to
the workbook's own named styles. Nothing of a table is held but the chunk being written.

A text that looks like a formula (``=C5+C6``) stays text: cells here are never formulas, and
such a text gets the quote-prefixed variant of its style, as :func:`perfaudit.untrusted.protect_cell`
gives it in openpyxl. Characters XML cannot hold are replaced as everywhere else.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from perfaudit.export.common import is_blank
from perfaudit.untrusted import is_formula_like, xml_text

EXCEL_ROWS = 1_048_576  # rows of an Excel sheet, the header included
CHUNK_ROWS = 20_000
_DIMENSION = re.compile(r'<dimension ref="[^"]*"\s*/>')


@dataclass
class Rows:
    """Rows to stream into ``sheet`` from ``first_row``: one cell per column of ``frame``.

    ``styles`` names each column's style; ``row_styles`` gives a column a style per row (the
    severity colours); ``heights`` a row height in points, or NaN for the default.
    """

    sheet: object  # the openpyxl worksheet already holding what comes above the rows
    frame: pd.DataFrame
    styles: list[str]
    first_row: int
    row_styles: dict[int, pd.Series] = field(default_factory=dict)
    heights: pd.Series | None = None

    @property
    def last_row(self) -> int:
        """The sheet's row of the last streamed row (the one before ``first_row`` when none)."""
        return self.first_row + len(self.frame) - 1


def style_ids(sheet, names: set[str]) -> dict[str, tuple[int, int]]:
    """Each named style's cell-format index in the saved workbook, plain and quote-prefixed.

    Asking a detached cell for its ``style_id`` registers the format with the workbook, so the
    index stays valid once it is saved.
    """
    ids = {}
    for name in names:
        cell = Cell(sheet)
        cell.style = name
        plain = cell.style_id
        cell.quotePrefix = True
        ids[name] = (plain, cell.style_id)
    return ids


def save(book, path: Path, streams: list[Rows]) -> None:
    """Save ``book`` to ``path`` with the rows of ``streams`` written into their sheets."""
    names = {s for stream in streams for s in stream.styles}
    names |= {s for stream in streams for series in stream.row_styles.values() for s in set(series)}
    prefix = "perfaudit-"
    ids = style_ids(book.worksheets[0], {n if n.startswith(prefix) else prefix + n for n in names})
    staged = io.BytesIO()  # the package without the streamed rows: small
    book.save(staged)
    # openpyxl names the worksheets' parts by their order, from 1, when it saves
    parts = {f"xl/worksheets/sheet{book.worksheets.index(s.sheet) + 1}.xml": s for s in streams}
    with zipfile.ZipFile(staged) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            stream = parts.get(info.filename)
            if stream is None:
                target.writestr(info, source.read(info))
            else:
                _write_sheet(target, info, source.read(info).decode("utf-8"), stream, ids, prefix)


def _write_sheet(target: zipfile.ZipFile, info: zipfile.ZipInfo, xml: str, stream: Rows, ids, prefix: str) -> None:
    last_column = get_column_letter(max(1, len(stream.frame.columns), stream.sheet.max_column))
    last_row = max(stream.last_row, stream.sheet.max_row)
    xml = _DIMENSION.sub(f'<dimension ref="A1:{last_column}{last_row}"/>', xml, count=1)
    if "</sheetData>" in xml:
        head, tail = xml.split("</sheetData>", 1)
        tail = "</sheetData>" + tail
    else:  # a sheet openpyxl wrote without a row
        head, tail = xml.split("<sheetData/>", 1)
        head, tail = head + "<sheetData>", "</sheetData>" + tail
    entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    with target.open(entry, "w", force_zip64=True) as out:
        out.write(head.encode("utf-8"))
        for chunk in _row_xml(stream, ids, prefix):
            out.write(chunk.encode("utf-8"))
        out.write(tail.encode("utf-8"))


def _row_xml(stream: Rows, ids, prefix: str) -> Iterator[str]:
    """The ``<row>`` elements of a stream, a chunk at a time, built column by column.

    Cells carry no ``r`` (it is optional: a cell without one is the next of its row), so a
    column's cells are made once for all its rows.
    """
    styles = [ids[prefix + s.removeprefix(prefix)] for s in stream.styles]
    overrides = {c: s.map(lambda n: ids[prefix + n.removeprefix(prefix)]) for c, s in stream.row_styles.items()}
    for start in range(0, len(stream.frame), CHUNK_ROWS):
        part = stream.frame.iloc[start : start + CHUNK_ROWS]
        columns = []
        for index, style in enumerate(styles):
            values = part.iloc[:, index].tolist()
            if index in overrides:
                chosen = overrides[index].iloc[start : start + CHUNK_ROWS].tolist()
                columns.append([cell_xml(v, s) for v, s in zip(values, chosen, strict=True)])
            else:
                columns.append([cell_xml(v, style) for v in values])
        numbers = range(stream.first_row + start, stream.first_row + start + len(part))
        heights = stream.heights.iloc[start : start + CHUNK_ROWS].tolist() if stream.heights is not None else None
        lines = []
        for position, (number, cells) in enumerate(zip(numbers, zip(*columns, strict=True), strict=True)):
            height = heights[position] if heights is not None else math.nan
            attributes = f' ht="{height:g}" customHeight="1"' if height == height else ""
            lines.append(f'<row r="{number}"{attributes}>{"".join(cells)}</row>')
        yield "".join(lines)


def cell_value(value: object) -> object:
    """A pandas value as a cell's value: blanks None, numpy scalars plain, booleans 是/否, text XML-safe."""
    if is_blank(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return "是" if value else "否"
    if value == "":
        return None
    return xml_text(value) if isinstance(value, str) else value


def cell_xml(value: object, style: tuple[int, int]) -> str:
    """One ``<c>`` element: blanks empty (with their style), numbers as numbers, the rest as text."""
    value = cell_value(value)
    if value is None:
        return f'<c s="{style[0]}"/>'
    if isinstance(value, int | float):
        if math.isfinite(value):
            return f'<c s="{style[0]}"><v>{value!r}</v></c>'
        value = str(value)
    elif not isinstance(value, str):
        value = xml_text(str(value))
    index = style[1] if is_formula_like(value) else style[0]
    return f'<c s="{index}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
