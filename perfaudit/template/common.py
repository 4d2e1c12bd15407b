"""Helpers every block of the template shares: label keys, fragments, references, money."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from perfaudit.readers.cells import Cell, Sheet
from perfaudit.refs import span
from perfaudit.strings import key, strip_trailing_bracket
from perfaudit.values import parse_amount
from perfaudit.vocab import read_vocab

EXPECTED_SECTIONS = ("budget", "goals", "tasks", "indicators")
# A year printed on its own under a title: "(2022年度)", "((2020)年度)", "2019年度)".
YEAR_ONLY = re.compile(r"[(（]*20\d\d[)）]?年度?[)）]*")
_FROM_BRACKET = re.compile(r"[(（].*$")
_UNCLOSED_BRACKET = re.compile(r"[(（][^)）]*$")
MONEY_UNIT = re.compile(r"[(（]\s*(亿元|万元|元)\s*[)）]")
_LEADING_YEAR = re.compile(r"^20\d\d年度?")  # 2020年实际执行数: a header that names its year
GOAL_MARK = re.compile(r"目标\s*(\d+)\s*[:：]")
MONEY_PRINT = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+\.\d+")


@functools.cache
def lookup(vocab: str, column: str) -> dict[str, dict[str, str]]:
    """A vocabulary file's rows by the key of one column (white space and brackets ignored)."""
    return {key(row[column]): row for row in read_vocab(vocab)}


@functools.cache
def text_layout() -> dict[str, str]:
    """The layout facts of text forms (``vocab/text_layout.csv``) by key."""
    return {row["key"]: row["value"] for row in read_vocab("text_layout")}


@functools.cache
def money_factor() -> dict[str, float]:
    """Yuan per money unit (元 1, 万元 10,000, 亿元 100,000,000)."""
    return {row["unit"]: float(row["yuan"]) for row in read_vocab("money_units")}


def join_fragments(parts: Iterable[str]) -> str:
    """Join wrapped fragments of one cell: no space between Chinese pieces, one between words."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def money_to_yuan(amount: float | None, unit: str) -> float | None:
    """An amount in the unit it was printed in, converted to yuan and rounded to 0.01."""
    if amount is None:
        return None
    return round(amount * money_factor().get(unit, 1.0), 2)


@dataclass
class Piece:
    """A cell's text gathered from one or more fragments."""

    texts: list[str]
    refs: list[str]

    @property
    def text(self) -> str:
        """The piece's text, its fragments joined."""
        return join_fragments(self.texts)

    @property
    def ref(self) -> str:
        """The source reference spanning the piece's fragments."""
        return span(self.refs)


@dataclass
class Doc:
    """What the template collects for one document before it becomes table rows."""

    sheet: Sheet
    info: dict[str, object] = field(default_factory=dict)
    budget: list[dict] = field(default_factory=list)
    goals: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    task_outputs: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    cost_items: list[dict] = field(default_factory=list)
    execution: list[dict] = field(default_factory=list)
    leftovers: list[dict] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def take(self, *cells: Cell) -> None:
        """Mark cells as read, so they are not reported as leftovers."""
        self.used.update(id(cell) for cell in cells)

    def leftover(self, cell: Cell, reason: str) -> None:
        """Record a cell no table could use, with the reason."""
        self.take(cell)
        self.leftovers.append({"source_ref": cell.ref, "text": cell.text, "reason": reason})


def cell_amount(cell: Cell) -> float | None:
    """A cell's amount: its number when the spreadsheet stored one, else parsed from its text."""
    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
        return float(cell.value)
    return parse_amount(cell.text)


def header_columns(row: list[Cell], section: str) -> dict[str, Cell]:
    """Map the header cells of a table section to contract columns."""
    headers = {key(r["label"]): r["column"] for r in read_vocab("column_headers") if r["section"] == section}
    found = {}
    for cell in row:
        text_key = key(cell.text)
        column = (
            headers.get(text_key)
            or headers.get(strip_trailing_bracket(text_key))
            or headers.get(_LEADING_YEAR.sub("", text_key))
            # A header explained in brackets after its name: 全年预算数(A)(上年结转+年初预算+…(不含…)).
            or headers.get(_FROM_BRACKET.sub("", text_key))
        )
        if column and column not in found:
            found[column] = cell
    return found


def find_header(rows: list[list[Cell]], section: str, needed: int = 2) -> tuple[int, dict[str, Cell]]:
    """The first row holding at least ``needed`` header cells (one cell per line: a run of rows)."""
    for index, row in enumerate(rows):
        columns = header_columns(row, section)
        if len(columns) >= needed:
            return index, columns
    # One cell per line: header cells stand on consecutive lines.
    flat, index = {}, -1
    for i, row in enumerate(rows):
        columns = header_columns(row, section)
        if columns:
            flat.update({k: v for k, v in columns.items() if k not in flat})
            index = i
        elif flat:
            break
    return (index, flat) if len(flat) >= needed else (-1, {})


def assign_columns(row: list[Cell], columns: dict[str, Cell]) -> dict[str, list[Cell]]:
    """Assign the cells of a spreadsheet row to the header column at or left of them."""
    starts = sorted((cell.col, name) for name, cell in columns.items() if cell.col is not None)
    out: dict[str, list[Cell]] = {}
    for cell in row:
        owner = None
        for col, name in starts:
            if col <= cell.col:
                owner = name
        if owner is not None:
            out.setdefault(owner, []).append(cell)
    return out


def rows_for_pairs(doc: Doc, rows: list[list[Cell]]) -> list[list[Cell]]:
    """The rows to read label/value pairs from (one stream when the sheet has one cell per line)."""
    # One cell per line: the whole block is one stream of label, value, label, value.
    if doc.sheet.cell_per_line:
        return [[cell for row in rows for cell in row]]
    return rows


def split_sections(sheet: Sheet, vocab: str = "sections") -> tuple[dict[str, list[list[Cell]]], list[Cell]]:
    """Cut a sheet into sections by their title cells.

    Returns the rows of each section (``header`` for what precedes the first title) and the
    title cells found. A title repeated at a page break keeps the current section. ``vocab``
    names the family's list of titles. A title that is also a column header of its block
    (项目预算成本构成 | 金额 | 测算依据) stays in the block, as the first cell of its header row;
    a title printed in one cell with the first column header (``绩效指标 一级指标``, a merged
    header cell) is cut in two.
    """
    titles = lookup(vocab, "label")
    sections: dict[str, list[list[Cell]]] = {"header": []}
    markers: list[Cell] = []
    current = "header"
    for row in sheet.rows:
        part: list[Cell] = []
        for cell in row:
            found = _title(titles, cell.text)
            header = _header_after_title(cell, titles) if found is None else None
            if header is not None:
                found = header[0]
                markers.append(cell)
                if part:
                    sections.setdefault(current, []).append(part)
                    part = []
                current = found["section"]
                sections.setdefault(current, [])
                part.append(header[1])
                continue
            if found is None:
                part.append(cell)
                continue
            markers.append(cell)
            if found["section"] == "note":
                continue
            if part:
                sections.setdefault(current, []).append(part)
                part = []
            current = found["section"]
            sections.setdefault(current, [])
            if header_columns([cell], current):
                markers.pop()
                part.append(cell)
        if part:
            sections.setdefault(current, []).append(part)
    return sections, markers


def _title(titles: dict[str, dict[str, str]], text: str) -> dict[str, str] | None:
    """The section a title cell names.

    As printed, without a trailing bracket, or without a bracket PDF text left unclosed (年度预算申请(万元).
    """
    text_key = key(text)
    return (
        titles.get(text_key)
        or titles.get(strip_trailing_bracket(text_key))
        or titles.get(_UNCLOSED_BRACKET.sub("", text_key))
    )


def _header_after_title(cell: Cell, titles: dict[str, dict[str, str]]) -> tuple[dict[str, str], Cell] | None:
    """A section title and the first column header of its table in one cell: (title, header cell)."""
    # The title may itself be spaced out (绩 效 指 标 一级指标): try each space as the cut.
    for cut in re.finditer(r"\s+", cell.text.strip()):
        title, rest = cell.text.strip()[: cut.start()], cell.text.strip()[cut.end() :]
        found = titles.get(key(title)) or titles.get(strip_trailing_bracket(key(title)))
        if found is None:
            continue
        header = Cell(text=rest, ref=cell.ref, row=cell.row, col=cell.col)
        if header_columns([header], found["section"]):
            return found, header
    return None


def split_at_header(sections: dict[str, list[list[Cell]]], before: str, section: str) -> None:
    """A table printed without its section title: its header row starts the section.

    (鄂州's indicator table follows the goal text with only 一级指标 | 二级指标 | … as its header;
    宁德's 整体 form puts it under its 年度履职目标 table.)
    """
    if sections.get(section) or not sections.get(before):
        return
    rows = sections[before]
    for index, row in enumerate(rows):
        if len(header_columns(row, section)) >= 2:
            sections[before], sections[section] = rows[:index], rows[index:]
            return


def section_unit(markers: list[Cell], section: str, vocab: str = "sections") -> str:
    """The money unit a section's printed title gives (年度预算安排(万元) → 万元); empty when none."""
    titles = lookup(vocab, "label")
    for cell in markers:
        found = _title(titles, cell.text)
        match = MONEY_UNIT.search(cell.text)
        if found is not None and found["section"] == section and match:
            return match.group(1)
    return ""
