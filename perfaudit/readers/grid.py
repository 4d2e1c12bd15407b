"""Tables of documents (Word, web pages) laid on a grid: merged cells take their first position.

A Word or HTML table row lists only the cells that start in it; a cell spanning columns
(``gridSpan``, ``colspan``) or rows (``vMerge``, ``rowspan``) pushes the cells after it to the
right. :func:`place_rows` gives every cell the grid column it starts in, as a spreadsheet
would, so that the template reads a row by column position whatever the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfaudit.readers.cells import Cell
from perfaudit.refs import column_letter


@dataclass(frozen=True)
class Span:
    """One source cell: its text and how many grid columns and rows it covers."""

    text: str
    cols: int = 1
    rows: int = 1
    merged_into_above: bool = False  # a Word ``vMerge`` continuation: part of the cell above


def place_rows(rows: list[list[Span]], prefix: str, first_row: int, skip: list[int] | None = None) -> list[list[Cell]]:
    """Cells of a table at their grid columns; references read ``{prefix}!C5`` (column, table row).

    ``first_row`` is the sheet row of the table's first row (the rows of a document's tables
    and paragraphs are numbered in one sequence). ``skip`` gives grid columns left empty at the
    start of each row (Word's ``gridBefore``).
    """
    taken: dict[tuple[int, int], bool] = {}  # (row, col) covered by a rowspan from above
    out: list[list[Cell]] = []
    for index, row in enumerate(rows):
        col = 1 + ((skip or [])[index] if skip and index < len(skip) else 0)
        cells: list[Cell] = []
        for span in row:
            while taken.get((index, col)):
                col += 1
            # A span reaches no further than the table's last row (a hostile rowspan=100000 costs nothing).
            for down in range(1, min(max(span.rows, 1), len(rows) - index)):
                for across in range(max(span.cols, 1)):
                    taken[(index + down, col + across)] = True
            text = span.text.strip()
            if text and not span.merged_into_above:
                number = index + 1
                cells.append(
                    Cell(text=text, ref=f"{prefix}!{column_letter(col)}{number}", row=first_row + index, col=col)
                )
            col += max(span.cols, 1)
        out.append(cells)
    return out
