"""The template of the 整体 form family: gives the cells of a sheet their meaning.

One code path serves every reader. The form is cut into sections by their printed titles
(``vocab/sections.csv``); each section is read as label/value pairs or as a table whose columns
come from its header row (``vocab/column_headers.csv``). Spreadsheet cells carry their column,
so table rows are read by position; text fragments carry only their order, and cells that
pdftotext wrapped over several lines are put back together (``vocab/text_layout.csv``).
Every cell no table takes is returned as a leftover with the reason.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from perfaudit.readers.cells import Cell, Sheet
from perfaudit.values import extract_task_outputs, infer_polarity, parse_amount, parse_value
from perfaudit.vocab import read_vocab

EXPECTED_SECTIONS = ("budget", "goals", "tasks", "indicators")
_PAREN_TAIL = re.compile(r"\(([^()]*)\)$")
_MONEY_UNIT = re.compile(r"[(（]\s*(亿元|万元|元)\s*[)）]")
_GOAL_MARK = re.compile(r"目标\s*(\d+)\s*[:：]")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_TEXT_REF = re.compile(r"^L(\d+)$")
_MONEY_PRINT = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+\.\d+")


def key(text: str) -> str:
    """Normalise a label for lookup: full-width to half-width, no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _strip_paren(label_key: str) -> str:
    return _PAREN_TAIL.sub("", label_key)


@functools.cache
def _lookup(vocab: str, column: str) -> dict[str, dict[str, str]]:
    return {key(row[column]): row for row in read_vocab(vocab)}


@functools.cache
def _layout() -> dict[str, str]:
    return {row["key"]: row["value"] for row in read_vocab("text_layout")}


@functools.cache
def _money_factor() -> dict[str, float]:
    return {row["unit"]: float(row["yuan"]) for row in read_vocab("money_units")}


def display_width(text: str) -> int:
    """Columns a string takes on a printed page: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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


def span(refs: Iterable[str]) -> str:
    """One reference for several cells: ``L48-52`` for lines, ``Sheet1!B12:E12`` for cells."""
    refs = [ref for ref in refs if ref]
    if not refs:
        return ""
    lines = [int(m.group(1)) for m in map(_TEXT_REF.match, refs) if m]
    if len(lines) == len(refs):
        low, high = min(lines), max(lines)
        return f"L{low}" if low == high else f"L{low}-{high}"
    first, last = refs[0], refs[-1]
    if first == last:
        return first
    sheet, _, cell = last.rpartition("!")
    return f"{first}:{cell}" if first.startswith(f"{sheet}!") else f"{first}:{last}"


def money_to_yuan(amount: float | None, unit: str) -> float | None:
    if amount is None:
        return None
    return round(amount * _money_factor().get(unit, 1.0), 2)


@dataclass
class Piece:
    """A cell's text gathered from one or more fragments."""

    texts: list[str]
    refs: list[str]

    @property
    def text(self) -> str:
        return join_fragments(self.texts)

    @property
    def ref(self) -> str:
        return span(self.refs)


@dataclass
class _Doc:
    """What the template collects for one document before it becomes table rows."""

    sheet: Sheet
    info: dict[str, object] = field(default_factory=dict)
    budget: list[dict] = field(default_factory=list)
    goals: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    task_outputs: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    leftovers: list[dict] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def take(self, *cells: Cell) -> None:
        self.used.update(id(cell) for cell in cells)

    def leftover(self, cell: Cell, reason: str) -> None:
        self.take(cell)
        self.leftovers.append({"source_ref": cell.ref, "text": cell.text, "reason": reason})


def split_sections(sheet: Sheet) -> tuple[dict[str, list[list[Cell]]], list[Cell]]:
    """Cut a sheet into sections by their title cells.

    Returns the rows of each section (``header`` for what precedes the first title) and the
    title cells found. A title repeated at a page break keeps the current section.
    """
    titles = _lookup("sections", "label")
    sections: dict[str, list[list[Cell]]] = {"header": []}
    markers: list[Cell] = []
    current = "header"
    for row in sheet.rows:
        part: list[Cell] = []
        for cell in row:
            found = titles.get(key(cell.text)) or titles.get(_strip_paren(key(cell.text)))
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
        if part:
            sections.setdefault(current, []).append(part)
    return sections, markers


def looks_like_form(sections: dict, markers: list[Cell], title: str) -> bool:
    found = {name for name in sections if name in EXPECTED_SECTIONS}
    return len(found) >= 2 or ("绩效目标" in title and len(found) >= 1)


def parse_sheet(sheet: Sheet) -> dict | None:
    """Read one sheet as a 整体 form; None when the sheet holds no such form.

    Returns a dict with ``info`` (the document fields) and a list of row dicts per table.
    """
    sections, markers = split_sections(sheet)
    doc = _Doc(sheet=sheet)
    doc.take(*markers)
    _read_header(doc, sections.get("header", []))
    if not looks_like_form(sections, markers, str(doc.info.get("title", ""))):
        return None
    _read_pairs(doc, sections.get("basic_info", []), "basic_info")
    _read_budget(doc, sections.get("budget", []))
    _read_goals(doc, sections.get("goals", []))
    _read_tasks(doc, sections.get("tasks", []))
    doc.info["other_tasks"] = _read_free_text(doc, sections.get("other_tasks", []))
    _read_indicators(doc, sections.get("indicators", []))
    missing = [name for name in EXPECTED_SECTIONS if not sections.get(name)]
    if not doc.info.get("department"):
        missing.insert(0, "department")
    doc.info["missing_sections"] = ",".join(missing)
    for row in sheet.rows:
        for cell in row:
            if id(cell) not in doc.used:
                doc.leftover(cell, "not part of any table of the form")
    for note in sheet.notes:
        ref, _, reason = note.partition(": ")
        doc.leftovers.append({"source_ref": ref, "text": "", "reason": reason})
    doc.info["_all_text"] = " ".join(cell.text for row in sheet.rows for cell in row)
    return {
        "info": doc.info,
        "budget": doc.budget,
        "goals": doc.goals,
        "tasks": doc.tasks,
        "task_outputs": doc.task_outputs,
        "indicators": doc.indicators,
        "leftovers": doc.leftovers,
    }


# --- header and label/value blocks -----------------------------------------------------------


def _read_header(doc: _Doc, rows: list[list[Cell]]) -> None:
    titles = _lookup("form_titles", "keyword")
    for row in rows:
        for cell in row:
            if "title" in doc.info:
                break
            text_key = key(cell.text)
            if "绩效目标" in text_key and text_key.endswith("表"):
                doc.info["title"] = cell.text
                doc.take(cell)
                for keyword, found in titles.items():
                    if keyword in text_key:
                        doc.info.update(form_type=found["form_type"], stage=found["stage"])
                        break
                else:
                    doc.info.update(form_type="dept_overall", stage="")
    _read_pairs(doc, rows, "header")


def _label_value(cell: Cell, labels: dict) -> tuple[dict | None, str]:
    """A cell that is a label, or ``label：value`` in one cell."""
    text_key = key(cell.text)
    if text_key in labels:
        return labels[text_key], ""
    parts = re.split(r"[:：]", cell.text, maxsplit=1)
    if len(parts) == 2 and key(parts[0]) in labels:
        return labels[key(parts[0])], parts[1].strip()
    return None, ""


def _rows_for_pairs(doc: _Doc, rows: list[list[Cell]]) -> list[list[Cell]]:
    # One cell per line: the whole block is one stream of label, value, label, value.
    if doc.sheet.cell_per_line:
        return [[cell for row in rows for cell in row]]
    return rows


def _read_pairs(doc: _Doc, rows: list[list[Cell]], section: str) -> None:
    labels = _lookup("info_labels", "label")
    for row in _rows_for_pairs(doc, rows):
        i = 0
        while i < len(row):
            cell = row[i]
            found, inline = _label_value(cell, labels)
            if found is None or id(cell) in doc.used:
                i += 1
                continue
            doc.take(cell)
            values = []
            j = i + 1
            while not inline and j < len(row) and _label_value(row[j], labels)[0] is None:
                values.append(row[j])
                j += 1
                if found["field"] in ("staff_count", "subunit_count") or doc.sheet.cell_per_line:
                    break
            doc.take(*values)
            value = inline or join_fragments(c.text for c in values)
            if found["field"] in ("staff_count", "subunit_count"):
                number = parse_amount(value)
                if number is None:
                    if values:
                        doc.leftover(values[0], f"{cell.text}: not a number")
                    value = None
                else:
                    value = int(number)
            doc.info[found["field"]] = value
            doc.info[f"_{found['field']}_ref"] = values[0].ref if values else cell.ref
            i = j


def _read_free_text(doc: _Doc, rows: list[list[Cell]]) -> str:
    cells = [cell for row in rows for cell in row]
    doc.take(*cells)
    return join_fragments(cell.text for cell in cells)


# --- budget ----------------------------------------------------------------------------------


def _read_budget(doc: _Doc, rows: list[list[Cell]]) -> None:
    labels = _lookup("budget_labels", "label")
    unit = ""
    for row in _rows_for_pairs(doc, rows):
        i = 0
        while i < len(row):
            cell = row[i]
            text_key = key(cell.text)
            unit_match = _MONEY_UNIT.search(cell.text)
            if unit_match and parse_amount(cell.text) is None and _strip_paren(text_key) in ("预算金额", "金额"):
                unit = unit_match.group(1)
                doc.take(cell)
                i += 1
                continue
            found = labels.get(text_key)
            if found is not None and found["kind"] == "header":
                doc.take(cell)
                i += 1
                continue
            amount_cell = row[i + 1] if i + 1 < len(row) else None
            amount = _cell_amount(amount_cell) if amount_cell is not None else None
            if found is None and (amount is None or _cell_amount(cell) is not None):
                i += 1  # not a budget line: left for the leftovers sweep
                continue
            doc.take(cell)
            printed = ""
            ref = cell.ref
            if amount is not None:
                doc.take(amount_cell)
                printed, ref = amount_cell.text, amount_cell.ref
                i += 1
            doc.budget.append(
                {
                    "section": found["section"] if found else "",
                    "item": found["item"] if found else cell.text,
                    "item_raw": cell.text,
                    "amount_yuan": money_to_yuan(amount, unit or "万元"),
                    "printed": printed,
                    "printed_unit": unit or "万元",
                    "source_ref": ref,
                }
            )
            i += 1
    doc.info["amount_unit"] = unit
    if doc.budget and not unit:
        doc.leftovers.append(
            {
                "source_ref": doc.budget[0]["source_ref"],
                "text": "",
                "reason": "budget block prints no unit; 万元 assumed",
            }
        )


def _cell_amount(cell: Cell) -> float | None:
    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
        return float(cell.value)
    return parse_amount(cell.text)


# --- goals -----------------------------------------------------------------------------------


def _read_goals(doc: _Doc, rows: list[list[Cell]]) -> None:
    cells = [cell for row in rows for cell in row]
    doc.take(*cells)
    # Concatenate, remembering which source each character came from.
    text, owners = "", []
    for cell in cells:
        piece = cell.text if doc.sheet.wrapped else cell.text + "\n"
        if doc.sheet.wrapped and text and text[-1].isascii() and text[-1].isalnum() and piece[:1].isascii():
            piece = " " + piece
        text += piece
        owners.extend([cell.ref] * len(piece))
    marks = list(_GOAL_MARK.finditer(text))
    if marks:
        bounds = [(int(m.group(1)), m.end(), m.start()) for m in marks]
        ends = [start for _, _, start in bounds[1:]] + [len(text)]
        if text[: marks[0].start()].strip():
            _goal(doc, 0, text, owners, 0, marks[0].start())
        for (number, begin, _), end in zip(bounds, ends, strict=True):
            _goal(doc, number, text, owners, begin, end)
    else:
        parts = [m for m in re.finditer(r"[^\n]+", text) if m.group(0).strip()]
        for number, match in enumerate(parts, start=1):
            _goal(doc, number, text, owners, match.start(), match.end())


def _goal(doc: _Doc, number: int, text: str, owners: list[str], begin: int, end: int) -> None:
    goal_text = re.sub(r"\s*\n\s*", "", text[begin:end]).strip()
    if not goal_text:
        return
    refs = list(dict.fromkeys(owners[begin:end]))
    doc.goals.append({"goal_no": number, "text": goal_text, "source_ref": span(refs)})


# --- tasks -----------------------------------------------------------------------------------


def _header_columns(row: list[Cell], section: str) -> dict[str, Cell]:
    """Map the header cells of a table section to contract columns."""
    headers = {key(r["label"]): r["column"] for r in read_vocab("column_headers") if r["section"] == section}
    found = {}
    for cell in row:
        text_key = key(cell.text)
        column = headers.get(text_key) or headers.get(_strip_paren(text_key))
        if column and column not in found:
            found[column] = cell
    return found


def _find_header(rows: list[list[Cell]], section: str, needed: int = 2) -> tuple[int, dict[str, Cell]]:
    """The first row holding at least ``needed`` header cells (one cell per line: a run of rows)."""
    for index, row in enumerate(rows):
        columns = _header_columns(row, section)
        if len(columns) >= needed:
            return index, columns
    # One cell per line: header cells stand on consecutive lines.
    flat, index = {}, -1
    for i, row in enumerate(rows):
        columns = _header_columns(row, section)
        if columns:
            flat.update({k: v for k, v in columns.items() if k not in flat})
            index = i
        elif flat:
            break
    return (index, flat) if len(flat) >= needed else (-1, {})


def _positioned(row: list[Cell], columns: dict[str, Cell]) -> dict[str, list[Cell]]:
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


def _read_tasks(doc: _Doc, rows: list[list[Cell]]) -> None:
    header_index, columns = _find_header(rows, "tasks")
    if header_index >= 0:
        doc.take(*columns.values())
        planned = columns.get("planned")
        match = _MONEY_UNIT.search(planned.text) if planned is not None else None
        unit = match.group(1) if match else doc.info.get("amount_unit") or "万元"
    else:
        unit = doc.info.get("amount_unit") or "万元"
    body = rows[header_index + 1 :]
    positioned = all(cell.col is not None for cell in columns.values()) and columns
    if positioned:
        for row in body:
            cells = _positioned(row, columns)
            _add_task(
                doc,
                name=Piece([c.text for c in cells.get("name", [])], [c.ref for c in cells.get("name", [])]),
                content=Piece([c.text for c in cells.get("content", [])], [c.ref for c in cells.get("content", [])]),
                money=(cells.get("planned") or [None])[0],
                outcome=Piece(
                    [c.text for c in cells.get("expected_outcome", [])],
                    [c.ref for c in cells.get("expected_outcome", [])],
                ),
                unit=unit,
                row_cells=row,
            )
    else:
        _read_flowing_tasks(doc, body, unit)
    for task in doc.tasks:
        task.pop("_refs", None)
        for output in extract_task_outputs(task["content"]):
            doc.task_outputs.append(
                {
                    "task_no": task["task_no"],
                    "quantity": output.quantity,
                    "unit": output.unit,
                    "qualifier": output.qualifier,
                    "noun": output.noun,
                    "phrase": output.phrase,
                    "source_ref": task["source_ref"],
                }
            )


def _is_total_row(name: str) -> bool:
    return key(name) in _layout()["total_row_labels"].split("|")


def _add_task(doc, name: Piece, content: Piece, money: Cell | None, outcome: Piece, unit: str, row_cells) -> None:
    doc.take(*row_cells)
    amount = _cell_amount(money) if money is not None else None
    if money is not None and amount is None:
        doc.leftover(money, "task amount is not a number")
    if _is_total_row(name.text):
        doc.budget.append(
            {
                "section": "年度重点工作任务",
                "item": "金额合计",
                "item_raw": name.text,
                "amount_yuan": money_to_yuan(amount, unit),
                "printed": money.text if money is not None else "",
                "printed_unit": unit,
                "source_ref": money.ref if money is not None else name.ref,
            }
        )
        return
    if not (name.text or content.text or amount is not None):
        return
    doc.tasks.append(
        {
            "task_no": len(doc.tasks) + 1,
            "name": name.text,
            "content": content.text,
            "planned_yuan": money_to_yuan(amount, unit),
            "planned_printed": money.text if money is not None else "",
            "planned_unit": unit,
            "expected_outcome": outcome.text,
            "source_ref": span(name.refs + content.refs + ([money.ref] if money else []) + outcome.refs),
            "_refs": name.refs + content.refs + ([money.ref] if money else []) + outcome.refs,
            "planned_ref": money.ref if money is not None else "",
        }
    )


def _read_flowing_tasks(doc: _Doc, rows: list[list[Cell]], unit: str) -> None:
    """Tasks from text, where a row's cells may be wrapped over several lines.

    The amount is the anchor: what precedes it (since the previous task's outcome ended) is
    the name and the content, what follows it is the expected outcome.
    """
    layout = _layout()
    name_width = int(layout["name_column_max_width"])
    sentence_end = tuple(layout["sentence_end"])
    per_line = doc.sheet.cell_per_line
    pending: list[Piece] = []
    outcome: Piece | None = None
    open_task: dict | None = None

    def close_outcome() -> None:
        nonlocal outcome, open_task
        if open_task is not None and outcome is not None:
            open_task["expected_outcome"] = outcome.text
            open_task["source_ref"] = span(open_task["_refs"] + outcome.refs)
        outcome, open_task = None, None

    for row in rows:
        doc.take(*row)
        money_at = next((i for i, c in enumerate(row) if _is_money_fragment(c, len(row))), None)
        if money_at is None:
            piece = Piece([c.text for c in row], [c.ref for c in row])
            if outcome is not None:
                outcome.texts += piece.texts
                outcome.refs += piece.refs
                if per_line or piece.text.endswith(sentence_end):
                    close_outcome()
            else:
                pending.append(piece)
            continue
        if outcome is not None:
            # The previous outcome never reached a sentence end: split it where a narrow
            # (name-column) line starts.
            pending = _split_unclosed_outcome(outcome, name_width) + pending
            close_outcome()
        before = [Piece([c.text], [c.ref]) for c in row[:money_at]]
        after = row[money_at + 1 :]
        name, content = _name_and_content(pending + before, name_width, sentence_end, per_line)
        pending = []
        _add_task(doc, name, content, row[money_at], Piece([], []), unit, row)
        if doc.tasks and doc.tasks[-1]["planned_ref"] == row[money_at].ref:
            open_task = doc.tasks[-1]
            outcome = Piece([c.text for c in after], [c.ref for c in after])
            if after and (per_line or outcome.text.endswith(sentence_end)):
                close_outcome()
    close_outcome()
    for piece in pending:
        doc.leftovers.append({"source_ref": piece.ref, "text": piece.text, "reason": "task text without an amount"})


def _is_money_fragment(cell: Cell, fragments_in_line: int) -> bool:
    """An amount in flowing text: a whole line, or a fragment printed like money (70,200.00).

    A bare number inside a wrapped sentence ("约 20 场") must not end a task.
    """
    if _cell_amount(cell) is None:
        return False
    return fragments_in_line == 1 or bool(_MONEY_PRINT.fullmatch(cell.text.strip()))


def _name_and_content(pieces: list[Piece], name_width: int, sentence_end: tuple, per_line: bool) -> tuple[Piece, Piece]:
    if not pieces:
        return Piece([], []), Piece([], [])
    if per_line or len(pieces) == 1:
        cut = 1
    else:
        cut = 0
        while (
            cut < len(pieces) - 1
            and display_width(pieces[cut].text) <= name_width
            and not pieces[cut].text.endswith(sentence_end)
        ):
            cut += 1
        cut = max(cut, 1)
    name = Piece(sum((p.texts for p in pieces[:cut]), []), sum((p.refs for p in pieces[:cut]), []))
    content = Piece(sum((p.texts for p in pieces[cut:]), []), sum((p.refs for p in pieces[cut:]), []))
    return name, content


def _split_unclosed_outcome(outcome: Piece, name_width: int) -> list[Piece]:
    """Give back the trailing lines of an outcome that belong to the next task's name."""
    for index in range(1, len(outcome.texts)):
        if display_width(outcome.texts[index]) <= name_width:
            rest = [Piece([t], [r]) for t, r in zip(outcome.texts[index:], outcome.refs[index:], strict=True)]
            del outcome.texts[index:], outcome.refs[index:]
            return rest
    return []


# --- indicators ------------------------------------------------------------------------------


@dataclass
class _Levels:
    level1: str = ""
    level1_raw: str = ""
    level2: str = ""
    level2_raw: str = ""
    level2_ref: str = ""
    rows_in_level2: int = 0
    level2_open: bool = False
    seen_level1: set[str] = field(default_factory=set)


def _level_label(text: str) -> dict | None:
    labels = _lookup("level_labels", "raw")
    return labels.get(key(text)) or labels.get(_strip_paren(key(text)))


def _is_level1(canonical: str) -> bool:
    return any(row["canonical"] == canonical and row["level"] == "1" for row in read_vocab("level_labels"))


def _read_indicators(doc: _Doc, rows: list[list[Cell]]) -> None:
    header_index, columns = _find_header(rows, "indicators")
    if header_index >= 0:
        doc.take(*columns.values())
    value_columns = [name for name in ("period_value", "annual_value") if name in columns] or ["annual_value"]
    levels = _Levels()
    body = rows[header_index + 1 :]
    positioned = bool(columns) and all(cell.col is not None for cell in columns.values())
    if positioned:
        for row in body:
            cells = _positioned(row, columns)
            doc.take(*row)
            if cells.get("level1"):
                _set_level(doc, levels, cells["level1"][0], level=1)
            if cells.get("level2"):
                _set_level(doc, levels, cells["level2"][0], level=2)
            names = cells.get("level3", [])
            values = {name: (cells.get(name) or [None])[0] for name in value_columns}
            if names or any(values.values()):
                _add_indicator(doc, levels, Piece([c.text for c in names], [c.ref for c in names]), values)
    else:
        stream = [[cell for row in body for cell in row]] if doc.sheet.cell_per_line else body
        for row in stream:
            doc.take(*row)
            _read_indicator_cells(doc, levels, row, value_columns)
    _flush_empty_level2(doc, levels)


def _read_indicator_cells(doc: _Doc, levels: _Levels, cells: list[Cell], value_columns: list[str]) -> None:
    """Text rows: labels first, then the indicator name, then one cell per value column."""
    n_values = len(value_columns)
    i = 0
    while i < len(cells):
        label = _level_label(cells[i].text)
        alone = len(cells) == 1 and key(cells[i].text).endswith("指标")
        if label is not None or alone:
            _set_level(doc, levels, cells[i], level=int(label["level"]) if label else 2)
            i += 1
            continue
        if doc.sheet.cell_per_line:
            name_cells = [cells[i]]
            value_cells = []
            j = i + 1
            while j < len(cells) and len(value_cells) < n_values and _level_label(cells[j].text) is None:
                value_cells.append(cells[j])
                j += 1
            i = j
        else:
            rest = cells[i:]
            split = max(1, len(rest) - n_values)
            name_cells, value_cells = rest[:split], rest[split:]
            i = len(cells)
        values = dict.fromkeys(value_columns)
        # Fewer values than columns: they are the leftmost columns' values.
        for name, cell in zip(value_columns, value_cells, strict=False):
            values[name] = cell
        _add_indicator(doc, levels, Piece([c.text for c in name_cells], [c.ref for c in name_cells]), values)


def _set_level(doc: _Doc, levels: _Levels, cell: Cell, level: int) -> None:
    label = _level_label(cell.text)
    canonical = label["canonical"] if label else ""
    if level == 2 and label and label["parent"] and levels.level2_open and levels.rows_in_level2 == 0:
        # A 二级 label whose parent is the label just read: that label was a 一级 (101号 成本指标).
        if key(label["parent"]) == key(levels.level2):
            levels.level1, levels.level1_raw = levels.level2, levels.level2_raw
            levels.level2_open = False
    if level == 1:
        if canonical == levels.level1 and canonical:
            return  # repeated on a new page
        _flush_empty_level2(doc, levels)
        levels.level1, levels.level1_raw = canonical, cell.text
        levels.level2, levels.level2_raw, levels.level2_open = "", "", False
        levels.seen_level1.add(canonical)
        return
    _flush_empty_level2(doc, levels)
    parent = label["parent"] if label else ""
    if parent and parent != levels.level1 and parent not in levels.seen_level1 and _is_level1(parent):
        # The form printed no 一级 label for this block (a cell lost in conversion): the 二级
        # label implies it. A 二级 under a 一级 already used (质量指标 under 效益) is kept as
        # filed, so that the rules can question it.
        levels.level1, levels.level1_raw = parent, ""
        levels.seen_level1.add(parent)
    levels.level2, levels.level2_raw, levels.level2_ref = canonical, cell.text, cell.ref
    levels.rows_in_level2, levels.level2_open = 0, True


def _flush_empty_level2(doc: _Doc, levels: _Levels) -> None:
    if levels.level2_open and levels.rows_in_level2 == 0:
        _append_indicator(doc, levels, "", {}, levels.level2_ref)
    levels.level2_open = False


def _add_indicator(doc: _Doc, levels: _Levels, name: Piece, values: dict[str, Cell | None]) -> None:
    refs = name.refs + [cell.ref for cell in values.values() if cell is not None]
    levels.rows_in_level2 += 1
    _append_indicator(doc, levels, name.text, values, span(refs))


def _append_indicator(doc: _Doc, levels: _Levels, name: str, values: dict[str, Cell | None], ref: str) -> None:
    annual, period = values.get("annual_value"), values.get("period_value")
    basis = annual if annual is not None else period
    if basis is not None:
        parsed = parse_value(basis.value if basis.value is not None else basis.text, basis.number_format, name=name)
        polarity = infer_polarity(name, parsed, basis.text)
    else:
        parsed, polarity = None, ""
    doc.indicators.append(
        {
            "row_no": len(doc.indicators) + 1,
            "level1": levels.level1,
            "level2": levels.level2,
            "level3": name,
            "level1_raw": levels.level1_raw,
            "level2_raw": levels.level2_raw,
            "period_value": period.text if period is not None else "",
            "annual_value": annual.text if annual is not None else "",
            "op": parsed.op if parsed else "",
            "value": parsed.value if parsed else None,
            "value_high": parsed.value_high if parsed else None,
            "unit": parsed.unit if parsed else "",
            "quantified": parsed.quantified if parsed else None,
            "qualifier": parsed.qualifier if parsed else "",
            "baseline": parsed.baseline if parsed else "",
            "polarity": polarity,
            "source_ref": ref,
        }
    )
