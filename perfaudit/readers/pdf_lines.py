"""Geometry of printed text shared by the PDF readers: lines, fragments, a cell's text, references.

Characters are pdfminer's, as dicts with ``x0``, ``x1``, ``top``, ``bottom`` (PDF points from
the top left), ``text`` and ``size``. A *line* is the characters printed at one height; a
*fragment* is a run of a line with no column gap in it (one cell of a table row, as pdftotext
would print it).
"""

from __future__ import annotations

import re

# Layout tolerances in PDF points (1/72 inch); forms are printed at 9–14 pt.
RULE_TOLERANCE = 3.0  # rulings closer than this are one line (pdfplumber's default)
SAME_POSITION = 1.0  # two pages' row rulings at the same height
CELL_PADDING = 2.0  # room a cell keeps between its border and its text, each side
# A gap this wide (in character heights) separates fragments of a line. Spreadsheets leave as little
# as one character between the texts of neighbouring cells (a left-aligned cell after a centred one),
# while a word space is about a quarter of one.
_COLUMN_GAP_EM = 0.6
_SPACE_GAP_EM = 0.25  # a narrower gap inside a fragment is a space


def group_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into printed lines, top to bottom, each left to right."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(mid_y(c), 1), c["x0"])):
        if lines:
            last = lines[-1]
            height = max(c["bottom"] - c["top"] for c in last)
            if abs(mid_y(char) - mid_y(last[0])) <= height / 2:
                last.append(char)
                continue
        lines.append([char])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def split_fragments(line: list[dict]) -> list[list[dict]]:
    """A line cut where a gap wider than a column gap separates its characters."""
    out: list[list[dict]] = []
    for char in line:
        if out:
            prev = out[-1][-1]
            size = max(prev["bottom"] - prev["top"], char["bottom"] - char["top"])
            if char["x0"] - prev["x1"] <= _COLUMN_GAP_EM * size:
                out[-1].append(char)
                continue
        out.append([char])
    return [[c for c in frag] for frag in out if "".join(c["text"] for c in frag).strip()]


def line_text(chars: list[dict]) -> str:
    """The text of characters on one line, with a space where a gap is wider than a character."""
    text = ""
    prev = None
    for char in chars:
        if prev is not None and not char["text"].isspace() and not text.endswith(" "):
            size = char["bottom"] - char["top"]
            if char["x0"] - prev["x1"] > _SPACE_GAP_EM * size:
                text += " "
        text += char["text"]
        prev = char
    return re.sub(r"\s+", " ", text).strip()


def cell_text(chars: list[dict], box) -> str:
    """A cell's lines joined: a line that ends short of the border ended on purpose (a newline).

    A full line was wrapped by the cell (joined without a break).
    """
    lines = [line for line in group_lines(chars) if line_text(line)]
    if not lines:
        return ""
    text = line_text(lines[0])
    for before, line in zip(lines, lines[1:], strict=False):
        piece = line_text(line)
        if box is not None:
            room = (box[2] - box[0]) - 2 * CELL_PADDING
            used = before[-1]["x1"] - before[0]["x0"]
            first = first_word_width(line)
            if used + first < room - CELL_PADDING:
                text += "\n" + piece
                continue
        if text[-1:].isascii() and text[-1:].isalnum() and piece[:1].isascii() and piece[:1].isalnum():
            text += " "
        text += piece
    return text


def first_word_width(line: list[dict]) -> float:
    """Width of what a wrap moves as a whole: one CJK character, or a run of Latin letters and digits."""
    end = 0
    while end < len(line) and line[end]["text"].isascii() and not line[end]["text"].isspace():
        end += 1
    run = line[: max(end, 1)]
    return run[-1]["x1"] - run[0]["x0"]


def bbox(chars: list[dict]) -> tuple[float, float, float, float]:
    """The bounding box (x0, top, x1, bottom) of some characters."""
    return (
        min(c["x0"] for c in chars),
        min(c["top"] for c in chars),
        max(c["x1"] for c in chars),
        max(c["bottom"] for c in chars),
    )


def mid_y(obj: dict) -> float:
    """The vertical centre of a PDF object."""
    return (obj["top"] + obj["bottom"]) / 2


def mid_x(obj: dict) -> float:
    """The horizontal centre of a PDF object."""
    return (obj["x0"] + obj["x1"]) / 2
