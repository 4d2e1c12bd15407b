"""The label/value blocks of the form: header, 基本信息, 预算整体情况, 总体绩效目标."""

from __future__ import annotations

import re

from perfaudit.readers.cells import Cell
from perfaudit.strings import strip_trailing_bracket
from perfaudit.template.common import (
    GOAL_MARK,
    MONEY_UNIT,
    YEAR_ONLY,
    Doc,
    cell_amount,
    join_fragments,
    key,
    lookup,
    money_to_yuan,
    rows_for_pairs,
    span,
)
from perfaudit.values import parse_amount

# 单位:万元 printed in the budget block (广水 2021).
_UNIT_LABEL = re.compile(r"(?:金额)?单位[:：](亿元|万元|元)")

# --- header and label/value blocks -----------------------------------------------------------


def read_header(doc: Doc, rows: list[list[Cell]]) -> None:
    """The title (and the family and stage it names) and the label/value pairs above the first section."""
    titles = lookup("form_titles", "keyword")
    cells = [cell for row in rows for cell in row]
    for i, cell in enumerate(cells):
        text_key = key(cell.text)
        if "绩效目标" in text_key and text_key.endswith("表"):
            doc.info["title"] = cell.text
            doc.take(cell)
            after = cells[i + 1] if i + 1 < len(cells) else None
            if after is not None and YEAR_ONLY.fullmatch(key(after.text)):  # (2019年度) under the title
                doc.info["title"] = f"{cell.text}{after.text}"
                doc.take(after)
            for keyword, found in titles.items():
                if keyword in text_key:
                    doc.info.update(form_type=found["form_type"], stage=found["stage"])
                    break
            else:
                doc.info.update(form_type="dept_overall", stage="")
            break
    read_pairs(doc, rows)


def _label_value(cell: Cell, labels: dict) -> tuple[dict | None, str]:
    """A cell that is a label, or ``label：value`` in one cell."""
    text_key = key(cell.text)
    if text_key in labels:
        return labels[text_key], ""
    if strip_trailing_bracket(text_key) in labels:  # 自评总分(分)
        return labels[strip_trailing_bracket(text_key)], ""
    parts = re.split(r"[:：]", cell.text, maxsplit=1)
    if len(parts) == 2 and key(parts[0]) in labels:
        return labels[key(parts[0])], parts[1].strip()
    return None, ""


def read_pairs(doc: Doc, rows: list[list[Cell]], labels: dict[str, dict[str, str]] | None = None) -> None:
    """Label/value pairs (部门名称 …, 财政供养人员数 4): the value is what follows its label.

    ``labels`` are the family's header labels by key (the 整体 form's ``vocab/info_labels.csv``
    when not given).
    """
    labels = labels if labels is not None else lookup("info_labels", "label")
    for row in rows_for_pairs(doc, rows):
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


def read_free_text(doc: Doc, rows: list[list[Cell]]) -> str:
    """A block of free text (其他需完成的任务) as one string."""
    cells = [cell for row in rows for cell in row]
    doc.take(*cells)
    return join_fragments(cell.text for cell in cells)


# --- budget ----------------------------------------------------------------------------------


def read_budget(doc: Doc, rows: list[list[Cell]], unit: str = "") -> None:
    """The 预算整体情况 block: one budget row per labelled amount, in yuan, with its printed text.

    ``unit`` is the one its section title prints (年度预算安排(万元)), if any; a 预算金额(元) cell
    in the block says it too.
    """
    labels = lookup("budget_labels", "label")
    for row in rows_for_pairs(doc, rows):
        i = 0
        while i < len(row):
            cell = row[i]
            text_key = key(cell.text)
            unit_match = MONEY_UNIT.search(cell.text)
            unit_label = _UNIT_LABEL.fullmatch(text_key)
            if unit_label or (
                unit_match
                and parse_amount(cell.text) is None
                and strip_trailing_bracket(text_key) in ("预算金额", "金额")
            ):
                unit = unit_label.group(1) if unit_label else unit_match.group(1)
                doc.take(cell)
                i += 1
                continue
            found = labels.get(text_key)
            if found is not None and found["kind"] == "header":
                doc.take(cell)
                i += 1
                continue
            amount_cell = row[i + 1] if i + 1 < len(row) else None
            amount = cell_amount(amount_cell) if amount_cell is not None else None
            if found is None and (amount is None or cell_amount(cell) is not None):
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


# --- goals -----------------------------------------------------------------------------------


def read_goals(doc: Doc, rows: list[list[Cell]]) -> None:
    """The 总体绩效目标 block: one goal per ``目标N：`` mark, each with the cells it came from."""
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
    marks = list(GOAL_MARK.finditer(text))
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


def _goal(doc: Doc, number: int, text: str, owners: list[str], begin: int, end: int) -> None:
    goal_text = re.sub(r"\s*\n\s*", "", text[begin:end]).strip()
    if not goal_text:
        return
    refs = list(dict.fromkeys(owners[begin:end]))
    doc.goals.append({"goal_no": number, "text": goal_text, "source_ref": span(refs)})
