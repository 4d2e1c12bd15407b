"""Word ``.docx`` forms: every table of the document in order, with the paragraphs between them.

Forms are often published as Word files: a title paragraph (``2023年项目支出绩效目标表``), a
line such as ``金额单位：万元``, then the table. Paragraphs become one-cell rows referenced
``P3`` (the third paragraph); table cells are placed on the table's grid (merged cells at their
first position, :mod:`perfaudit.readers.grid`) and referenced ``T1!C5`` (table 1, column C, row
5). A table nested in a cell gives its text to that cell. The file is a zip: the same limits as
a workbook's apply before it is opened (``perfaudit.limits``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from docx import Document

from perfaudit.readers.cells import Cell, ReadError, Sheet
from perfaudit.readers.grid import Span, place_rows

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> list[Sheet]:
    """Read the body of a Word document into one sheet of rows."""
    try:
        body = Document(str(path)).element.body
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ReadError(path, f"not a readable .docx document ({err or type(err).__name__})") from None
    except Exception as err:  # python-docx raises PackageNotFoundError and lxml errors
        raise ReadError(path, f"not a readable .docx document ({type(err).__name__}: {err})") from None
    sheet = Sheet(name=path.name)
    row_number, paragraphs, tables = 0, 0, 0
    for element in body.iterchildren():
        if element.tag == f"{_W}p":
            paragraphs += 1
            text = _text(element)
            row_number += 1
            if text:
                sheet.rows.append([Cell(text=text, ref=f"P{paragraphs}", row=row_number, col=1)])
        elif element.tag == f"{_W}tbl":
            tables += 1
            spans, skips = _table_spans(element)
            placed = place_rows(spans, f"T{tables}", row_number + 1, skips)
            row_number += len(placed)
            sheet.rows.extend(row for row in placed if row)
    if not sheet.rows:
        raise ReadError(path, "the document has no text")
    return [sheet]


def _text(element) -> str:
    """The text of a paragraph or cell: its runs joined, its paragraphs on separate lines."""
    paragraphs = element.iter(f"{_W}p") if element.tag != f"{_W}p" else [element]
    lines = ["".join(_piece(node) for node in p.iter(f"{_W}t", f"{_W}br", f"{_W}cr", f"{_W}tab")) for p in paragraphs]
    return "\n".join(line for line in lines if line.strip()).strip()


def _piece(node) -> str:
    """A run's text, a line break (w:br, w:cr) as a new line, a tab as a tab."""
    if node.tag == f"{_W}t":
        return node.text or ""
    return "\t" if node.tag == f"{_W}tab" else "\n"


def _table_spans(table) -> tuple[list[list[Span]], list[int]]:
    """The rows of a table as spans: gridSpan sets the width, a vMerge continuation joins the cell above."""
    rows, skips = [], []
    for tr in table.iterchildren(f"{_W}tr"):
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        skips.append(int(before.get(f"{_W}val", "0")) if before is not None else 0)
        row = []
        for tc in tr.iterchildren(f"{_W}tc"):
            span = tc.find(f"{_W}tcPr/{_W}gridSpan")
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continuation = merge is not None and merge.get(f"{_W}val", "continue") != "restart"
            row.append(
                Span(
                    text=_text(tc),
                    cols=int(span.get(f"{_W}val", "1")) if span is not None else 1,
                    merged_into_above=continuation,
                )
            )
        rows.append(row)
    return rows, skips
