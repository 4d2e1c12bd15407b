"""Pipe tables: markdown tables and text whose cells end in `` |`` (as web pages are often copied).

Each pipe row becomes a row of cells with their column position (1 = A), so the template reads
it like a spreadsheet row; an empty cell (``| |`` or ``||``, where a merged cell stood) keeps its
position and gives no cell. A markdown separator row (``|---|:--:|``) is dropped. A line outside
the tables (a title, a note, ``# 标题``) is a one-cell row in column A, referenced ``L12``; a
table cell is referenced ``E12``: column E of line 12.
"""

from __future__ import annotations

import re
from pathlib import Path

from perfaudit.readers.cells import Cell, Sheet
from perfaudit.refs import column_letter

_SEPARATOR_CELL = re.compile(r"^\s*:?-{3,}:?\s*$")
_HEADING = re.compile(r"^#{1,6}\s+")
# A line is a pipe row when it holds at least this many pipes (``a | b |`` has two).
_ROW_MIN_PIPES = 2
# A text is a pipe table when at least this share of its non-blank lines, and this many, are pipe rows.
PIPE_LAYOUT_MIN_SHARE = 0.5
PIPE_LAYOUT_MIN_LINES = 3


def is_pipe_row(line: str) -> bool:
    """Whether a line is a row of a pipe table (``| a | b |`` or ``a | b |``)."""
    return line.count("|") >= _ROW_MIN_PIPES or (line.rstrip().endswith(" |") and line.count("|") >= 1)


def looks_like_pipes(lines: list[str]) -> bool:
    """Whether most non-blank lines of a text are pipe rows."""
    rows = sum(is_pipe_row(line) for line in lines)
    return rows >= PIPE_LAYOUT_MIN_LINES and rows >= PIPE_LAYOUT_MIN_SHARE * len(lines)


def split_pipe_row(line: str) -> list[str]:
    """The cell texts of a pipe row, empty ones included, without the outer pipes."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [part.strip() for part in text.split("|")]


def pipe_sheet(name: str, lines: list[tuple[int, str]]) -> Sheet:
    """A sheet from numbered non-blank lines of pipe-table text."""
    sheet = Sheet(name=name)
    for number, line in lines:
        if not is_pipe_row(line):
            text = _HEADING.sub("", line).strip()
            sheet.rows.append([Cell(text=text, ref=f"L{number}", row=number, col=1)] if text else [])
            continue
        parts = split_pipe_row(line)
        if all(_SEPARATOR_CELL.match(part) or not part for part in parts) and any(parts):
            continue  # a markdown header separator: layout, no text
        sheet.rows.append(
            [
                Cell(text=part, ref=f"{column_letter(col)}{number}", row=number, col=col)
                for col, part in enumerate(parts, start=1)
                if part
            ]
        )
    sheet.rows = [row for row in sheet.rows if row]
    return sheet


def read_pipes(path: Path, lines: list[tuple[int, str]]) -> list[Sheet]:
    """One sheet of a pipe-table text file (``.md``, or ``.txt`` whose lines are pipe rows)."""
    return [pipe_sheet(path.name, lines)]
