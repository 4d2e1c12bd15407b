"""Ruled tables: cells from the rulings of a form's canvas, like a spreadsheet's cells.

Each ruled box is one cell (a merged cell is one box, read at its top left, as Excel does); its
characters are joined into lines, a wrapped line without a break. Text outside the rulings (the
title, a note under the table) is read line by line. Printed numbers keep their printed precision
as a number format (``10,891.62`` → ``#,##0.00``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from pdfplumber.table import edges_to_intersections, intersections_to_cells, merge_edges

from perfaudit.readers.cells import Cell, Sheet
from perfaudit.readers.pdf_clip import clipped_boxes
from perfaudit.readers.pdf_lines import (
    RULE_TOLERANCE,
    bbox,
    cell_text,
    group_lines,
    mid_x,
    mid_y,
    split_fragments,
)
from perfaudit.readers.pdf_pages import Tile
from perfaudit.readers.pdf_stitch import locate_tile
from perfaudit.refs import column_letter

_PLAIN_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


@dataclass
class _Row:
    """One output row: a ruled grid row or a line of text outside the grid."""

    top: float  # on the canvas
    down: int  # which page down the sheet it was printed on
    cells: list[tuple[int, dict]] = field(default_factory=list)  # (column, {"chars", "box"})


def find_cells(edges: list[dict]) -> list[tuple[float, float, float, float]]:
    """The boxes of a ruled grid, from the page's line and rectangle edges."""
    if not edges:
        return []
    merged = merge_edges(edges, RULE_TOLERANCE, RULE_TOLERANCE, RULE_TOLERANCE, RULE_TOLERANCE)
    merged = [e for e in merged if (e["x1"] - e["x0"] if e["orientation"] == "h" else e["bottom"] - e["top"]) >= 3]
    points = edges_to_intersections(merged, RULE_TOLERANCE, RULE_TOLERANCE)
    return intersections_to_cells(points)


def _positions(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > RULE_TOLERANCE:
            out.append(value)
    return out


# C901: boxes to rows and columns in one pass; the steps share the grid positions.
def read_ruled_sheet(name: str, boxes, chars: list[dict], group: list[list[Tile]]) -> Sheet:  # noqa: C901
    """A ruled table as a sheet: one cell per box, rows and columns from the box positions."""
    xs = _positions([b[0] for b in boxes])
    tops = _positions([b[1] for b in boxes])
    ordered = sorted(boxes, key=lambda b: (b[1], b[0]))
    box_tops = [b[1] for b in ordered]
    by_box: dict[tuple, list[dict]] = {box: [] for box in boxes}
    free = []
    for char in chars:
        cx, cy = mid_x(char), mid_y(char)
        owner = next(
            (b for b in ordered[: bisect.bisect_right(box_tops, cy)] if b[0] <= cx < b[2] and b[1] <= cy < b[3]),
            None,
        )
        (free if owner is None else by_box[owner]).append(char)

    def column_of(x: float) -> int:
        return max(1, bisect.bisect_right(xs, x + RULE_TOLERANCE))

    def grid_top(y: float) -> float:
        return tops[max(0, bisect.bisect_right(tops, y + RULE_TOLERANCE) - 1)]

    rows: dict[float, _Row] = {}
    for box in ordered:
        top = grid_top(box[1])
        if top not in rows:
            rows[top] = _Row(top=top, down=locate_tile(group, box[0], top).down)
        rows[top].cells.append((column_of(box[0]), {"chars": by_box[box], "box": box}))
    for line in group_lines(free):
        for fragment in split_fragments(line):
            top = min(c["top"] for c in fragment)
            if top not in rows:
                rows[top] = _Row(top=top, down=fragment[0]["down"])
            rows[top].cells.append((column_of(fragment[0]["x0"]), {"chars": fragment, "box": None}))
    numbering: dict[int, list[float]] = {}
    for row in sorted(rows.values(), key=lambda r: r.top):
        numbering.setdefault(row.down, []).append(row.top)

    def ref(col: int, info: dict, row: _Row) -> str:
        box, cell_chars = info["box"], info["chars"]
        if cell_chars:
            first = min(cell_chars, key=lambda c: (round(c["top"]), c["x0"]))
            page, down = first["page"], first["down"]
        else:
            tile = locate_tile(group, box[0], box[1])
            page, down = tile.number, tile.down
        on_page = numbering.get(down, [row.top])
        index = min(bisect.bisect_left(on_page, (box[1] if box else row.top) - RULE_TOLERANCE), len(on_page) - 1)
        return f"p{page}!{column_letter(col)}{index + 1 + group[0][down].dropped}"

    sheet = Sheet(name=name)
    clipped = clipped_boxes(group, ordered, by_box)
    for row_no, row in enumerate(sorted(rows.values(), key=lambda r: r.top), start=1):
        out = []
        for col, info in sorted(
            row.cells, key=lambda item: (item[0], bbox(item[1]["chars"])[0] if item[1]["chars"] else 0)
        ):
            cell_ref = ref(col, info, row)
            text = cell_text(info["chars"], info["box"])
            if info["box"] in clipped:
                hidden = clipped[info["box"]]
                sheet.notes.append(
                    f"{cell_ref}: text clipped by the cell: the page shows only part of it"
                    + (f" ({hidden} more characters are hidden)" if hidden else "")
                )
            if not text:
                continue
            if re.fullmatch(r"#+", text):
                sheet.notes.append(
                    f"{cell_ref}: shown as {text}: the number is too wide for its column and is not printed"
                )
            out.append(_make_cell(text, cell_ref, row_no, col))
        if out:
            sheet.rows.append(out)
    return sheet


def _make_cell(text: str, ref: str, row: int, col: int | None) -> Cell:
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None:
        return Cell(text=text, ref=ref, row=row, col=col)
    decimals = len(match.group(1) or "")
    number_format = ("#,##0" if "," in text else "0") + ("." + "0" * decimals if decimals else "")
    value = float(text.replace(",", ""))
    return Cell(
        text=text, ref=ref, row=row, col=col, value=int(value) if not decimals else value, number_format=number_format
    )
