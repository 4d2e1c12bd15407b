"""Text-only fallback: PDF pages without rulings read as rows of text, as pdftotext prints them.

Lines are cut into fragments at column gaps. A fragment continues the one above it (the cell
wrapped) when it stands right under it, aligned with it, and the one above is full (it reaches
the next column's text, or the right edge of the text), leaves a bracket open, or the fragment
starts with closing punctuation (no cell starts with ``。`` or ``）``). Blocks of stacked fragments
whose heights overlap are one table row, printed as one line with one fragment per cell, a wrapped
cell joined: ``名称 主要实施内容 拟投入的资金（元） 期望达到的目标（概述）``. Header rows repeated at the
top of a continuation page are dropped (with a note), and labels of merged cells are moved before
the rows they span (:mod:`~perfaudit.readers.pdf_spans`).

The sheet is marked ``wrapped`` and its cells carry no column, so the template reads its tables
as flowing text (:mod:`perfaudit.template`). References are ``p{page}!{column}{row}`` where
``row`` counts the text rows of the page from the top (a line, or the lines of a table row whose
cells wrap, repeated header rows included) and ``column`` the cells of that row.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from perfaudit.readers.cells import Cell, Sheet
from perfaudit.readers.pdf_lines import bbox, cell_text, group_lines, mid_y, split_fragments
from perfaudit.readers.pdf_spans import order_rows
from perfaudit.readers.pdf_stitch import contains_run
from perfaudit.refs import column_letter

_WRAP_SLACK_EM = 3.0  # a wrapped line ends less than this short of the next column's text (see full())
_WRAP_GAP_EM = 0.8  # the lines of one cell are at most this far apart (between their em boxes)
_BRACKETS = {"（": "）", "(": ")", "【": "】", "[": "]", "《": "》", "「": "」", "『": "』", "〔": "〕", "“": "”"}
# A wrapped line can start with these; a cell cannot.
_CLOSING = "。，、；：？！）》」』】〕”’,;:!?)]}"


@dataclass(eq=False)
class TextCell:
    """One cell of a text row: a fragment, or the fragments of a cell wrapped over several lines.

    The box is the cell's em boxes joined (glyph boxes of CJK fonts are taller than the line
    pitch of a tight table). Compared by identity: two cells may print the same text.
    """

    fragments: list[list[dict]]
    x0: float
    top: float
    x1: float
    bottom: float
    ref: str = ""

    @property
    def text(self) -> str:
        """The cell's text from all its fragments."""
        return cell_text([c for fragment in self.fragments for c in fragment], None)

    @property
    def centre(self) -> float:
        """The vertical centre of the cell."""
        return (self.top + self.bottom) / 2


@dataclass(eq=False)
class TextRow:
    """A printed row: one line of text, or the stacked blocks of one table row, left to right."""

    cells: list[TextCell]
    page: int
    number: int  # the row's number on its page, from the top

    @property
    def top(self) -> float:
        """The top of the row's highest cell."""
        return min(c.top for c in self.cells)

    @property
    def bottom(self) -> float:
        """The bottom of the row's lowest cell."""
        return max(c.bottom for c in self.cells)

    @property
    def texts(self) -> tuple[str, ...]:
        """The texts of the row's cells, left to right."""
        return tuple(c.text for c in self.cells)


def read_text_sheet(name: str, chars: list[dict]) -> Sheet:
    """No rulings: rows of text as pdftotext prints them (see the module docstring)."""
    sheet = Sheet(name=name, wrapped=True)
    rows, header_bottoms, notes = _drop_repeated_rows(_read_rows(chars))
    sheet.notes.extend(notes)
    for cells in order_rows(rows, header_bottoms):
        sheet.rows.append([Cell(text=cell.text, ref=cell.ref, row=len(sheet.rows) + 1) for cell in cells])
    return sheet


def _read_rows(chars: list[dict]) -> list[TextRow]:
    fragments = sorted(
        (frag for line in group_lines(chars) for frag in split_fragments(line)), key=lambda f: (bbox(f)[1], bbox(f)[0])
    )
    boxes = []
    for frag in fragments:
        x0, _, x1, _ = bbox(frag)
        size = max(c["size"] for c in frag)
        mid = statistics.median(mid_y(c) for c in frag)
        boxes.append((x0, mid - size / 2, x1, mid + size / 2))
    blocks = _stack_wrapped(fragments, boxes)
    bands: list[list[list[int]]] = []
    band_bottom = 0.0
    for block in sorted(blocks, key=lambda b: boxes[b[0]][1]):
        top, bottom = boxes[block[0]][1], boxes[block[-1]][3]
        size = boxes[block[0]][3] - top
        if bands and top < band_bottom - size / 4:
            bands[-1].append(block)
            band_bottom = max(band_bottom, bottom)
            continue
        bands.append([block])
        band_bottom = bottom
    rows: list[TextRow] = []
    rows_per_page: dict[int, int] = {}
    for band in bands:
        band.sort(key=lambda b: boxes[b[0]][0])
        page = fragments[band[0][0]][0]["page"]
        rows_per_page[page] = rows_per_page.get(page, 0) + 1
        cells = []
        for col, block in enumerate(band, start=1):
            cells.append(
                TextCell(
                    fragments=[fragments[i] for i in block],
                    x0=min(boxes[i][0] for i in block),
                    top=boxes[block[0]][1],
                    x1=max(boxes[i][2] for i in block),
                    bottom=boxes[block[-1]][3],
                    ref=f"p{page}!{column_letter(col)}{rows_per_page[page]}",
                )
            )
        rows.append(TextRow(cells=cells, page=page, number=rows_per_page[page]))
    return rows


def _stack_wrapped(fragments: list[list[dict]], boxes: list[tuple]) -> list[list[int]]:
    """Fragments stacked into blocks, one block per cell (see the module docstring)."""
    right_edge = max(b[2] for b in boxes) if boxes else 0.0

    def full(i: int) -> bool:
        x0, top, x1, bottom = boxes[i]
        size = bottom - top
        # The next column's text: what starts right of this line, on it or a line or two away.
        limit = min(
            (b[0] for b in boxes if b[0] > x1 and b[3] > top - 2 * size and b[1] < bottom + 2 * size),
            default=right_edge,
        )
        return x1 + _WRAP_SLACK_EM * size >= min(limit, right_edge)

    def on_line(i: int) -> list[int]:
        mid = (boxes[i][1] + boxes[i][3]) / 2
        return [j for j, b in enumerate(boxes) if j != i and b[1] < mid < b[3]]

    def aligned(a: tuple, b: tuple, size: float) -> bool:
        """Left-aligned or centred on each other, as the lines of one cell are."""
        return abs(a[0] - b[0]) <= size or abs((a[0] + a[2]) / 2 - (b[0] + b[2]) / 2) <= size

    def grid_rows(i: int, j: int) -> bool:
        """Lines i and j are rows of a grid: a short (not wrapped) cell beside i has one under it."""
        below = on_line(j)
        return any(
            not full(g) and any(boxes[h][0] < boxes[g][2] and boxes[g][0] < boxes[h][2] for h in below)
            for g in on_line(i)
        )

    def goes_on(block: list[int], i: int) -> bool:
        """The text of ``block`` is not finished at its last line, or fragment i cannot start a cell."""
        text = "".join(c["text"] for j in block for c in fragments[j])
        opened = any(text.count(left) > text.count(right) for left, right in _BRACKETS.items())
        return full(block[-1]) or opened or fragments[i][0]["text"] in _CLOSING

    blocks: list[list[int]] = []
    for i, (_, top, _, bottom) in enumerate(boxes):
        size = bottom - top
        for block in reversed(blocks):
            last = boxes[block[-1]]
            below = 0 <= top - last[3] <= _WRAP_GAP_EM * size
            if below and aligned(last, boxes[i], size) and goes_on(block, i) and not grid_rows(block[-1], i):
                block.append(i)
                break
        else:
            blocks.append([i])
    return blocks


def _drop_repeated_rows(rows: list[TextRow]) -> tuple[list[TextRow], dict[int, float], list[str]]:
    """Rows at the top of a page that repeat a run of rows of an earlier page (rows to repeat).

    Returns the rows kept, the bottom of the repeated rows on each page that had some (where
    the table goes on), and a note for each such page.
    """
    pages: dict[int, list[TextRow]] = {}
    for row in rows:
        pages.setdefault(row.page, []).append(row)
    seen: list[list[tuple[str, ...]]] = []
    kept: list[TextRow] = []
    bottoms: dict[int, float] = {}
    notes = []
    for page, page_rows in pages.items():
        texts = [row.texts for row in page_rows]
        repeated = 0
        for k in range(1, len(texts)):
            if not any(contains_run(earlier, texts[:k]) for earlier in seen):
                break
            repeated = k
        if repeated:
            bottoms[page] = page_rows[repeated - 1].bottom
            notes.append(f"p{page}: header rows repeated at the top of the page were not read again")
        kept.extend(page_rows[repeated:])
        seen.append(texts)
    return kept, bottoms, notes
