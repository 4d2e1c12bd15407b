"""The template of the 绩效自评表 families: the year-end self-evaluation of a project or a department.

A self-evaluation prints what the target form promised beside what was done: the budget
execution block (年初预算数, 全年预算数, 全年执行数, 执行率, 分值, 得分 per funding line) becomes the
``execution`` table; the goal block's 预期目标 and 实际完成情况 become ``goals.text`` and
``goals.achieved``; the indicator table's 实际完成值 / 全年完成值, 得分 and 偏差原因 become the
indicators' ``actual_value`` (parsed into ``actual_op``, ``actual``, ``actual_unit``), ``score``
and ``deviation_reason``. Section titles are rows of ``vocab/selfeval_sections.csv``, column
headers rows of ``vocab/column_headers.csv`` (sections execution, result_goals, indicators);
header fields are the project form's labels (``vocab/project_labels.csv``) and the 整体 form's.
"""

from __future__ import annotations

import re

from perfaudit.readers.cells import Cell, Sheet
from perfaudit.template.blocks import read_free_text
from perfaudit.template.common import (
    MONEY_UNIT,
    Doc,
    assign_columns,
    cell_amount,
    find_header,
    join_fragments,
    key,
    lookup,
    money_to_yuan,
    section_unit,
    span,
    split_at_header,
    split_sections,
)
from perfaudit.template.indicators import read_indicators
from perfaudit.template.project import (
    amount_unit,
    default_unit,
    form_tables,
    fund_label,
    printed_amount,
    read_project_header,
    split_unit_codes,
    sweep,
)

_RATE = re.compile(r"(-?\d+(?:\.\d+)?)\s*%?")
_AMOUNT_COLUMNS = ("budget_initial", "budget_final", "spent")


def parse_selfeval(sheet: Sheet) -> dict | None:
    """Read one sheet as a self-evaluation; None when it holds neither an execution block nor indicators."""
    sections, markers = split_sections(sheet, "selfeval_sections")
    for before in ("goals", "execution", "header"):
        split_at_header(sections, before, "indicators")
    if not (sections.get("execution") or sections.get("indicators")):
        return None
    doc = Doc(sheet=sheet)
    doc.take(*markers)
    labels = {**lookup("info_labels", "label"), **lookup("project_labels", "label")}
    read_project_header(doc, sections.get("header", []), labels=labels)
    amount_unit(doc, sheet)
    unit = section_unit(markers, "execution", "selfeval_sections") or default_unit(doc)
    read_execution(doc, sections.get("execution", []), unit)
    read_result_goals(doc, sections.get("goals", []))
    read_indicators(doc, sections.get("indicators", []))
    doc.info["remarks"] = read_free_text(doc, sections.get("remarks", []))
    split_unit_codes(doc)
    if isinstance(doc.info.get("total_score"), str):  # 项目总得分 99分
        doc.info["total_score"] = printed_amount(doc.info["total_score"].rstrip("分"))[0]
    doc.info.setdefault("department", doc.info.get("implementing_unit") or doc.info.get("competent_dept") or "")
    missing = [name for name in ("execution", "goals", "indicators") if not sections.get(name)]
    doc.info["missing_sections"] = ",".join(missing)
    sweep(doc, sheet)
    return {**form_tables(doc), "execution": doc.execution}


def read_execution(doc: Doc, rows: list[list[Cell]], unit: str) -> None:
    """The budget execution block: one row per funding line with its amounts, rate, points and score.

    The line's label stands left of the first amount column; a row of amounts with no label (重庆:
    全年预算数 | 全年执行数 over two bare numbers) is the 年度资金总额.
    """
    header_index, columns = find_header(rows, "execution")
    if header_index < 0 or not any(name in columns for name in _AMOUNT_COLUMNS):
        return
    doc.take(*columns.values())
    first = min(cell.col for cell in columns.values() if cell.col is not None)
    # Left of the amounts, the header row names the label column (年度预算数(万元)): its unit counts.
    for cell in rows[header_index]:
        if cell.col is not None and cell.col < first:
            doc.take(cell)
            unit = MONEY_UNIT.search(cell.text).group(1) if MONEY_UNIT.search(cell.text) else unit
    for row in rows[header_index + 1 :]:
        label_cells = [cell for cell in row if cell.col is not None and cell.col < first]
        cells = assign_columns([cell for cell in row if cell.col is not None and cell.col >= first], columns)
        amounts = {name: (cells.get(name) or [None])[0] for name in _AMOUNT_COLUMNS}
        label = join_fragments(c.text for c in label_cells)
        found, _ = fund_label(label) if label else ({"item": "年度资金总额"}, "")
        if found is None:
            continue
        doc.take(*row)  # a funding line of the template left blank (上年结转资金 | - | -) is read as blank
        printed = [*amounts.values(), *cells.get("rate", []), *cells.get("points", []), *cells.get("score", [])]
        if not any(cell is not None and cell_amount(cell) is not None for cell in printed):
            continue
        rate = join_fragments(c.text for c in cells.get("rate", []))
        match = _RATE.fullmatch(rate.replace(",", "")) if rate else None
        doc.execution.append(
            {
                "line_no": len(doc.execution) + 1,
                "item": found["item"],
                "item_raw": label,
                **{f"{name}_yuan": _yuan(cell, unit) for name, cell in amounts.items()},
                **{f"printed_{name.split('_')[-1]}": cell.text if cell else "" for name, cell in amounts.items()},
                "printed_unit": unit,
                "rate_printed": rate,
                "rate": float(match.group(1)) if match else None,
                "points": _number(cells.get("points")),
                "score": _number(cells.get("score")),
                "reason": join_fragments(c.text for c in cells.get("reason", [])),
                "source_ref": span([cell.ref for cell in row]),
            }
        )


def read_result_goals(doc: Doc, rows: list[list[Cell]]) -> None:
    """The goal block: the 预期目标 text and, beside it, the 实际完成情况 (one goal)."""
    header_index, columns = find_header(rows, "result_goals", needed=2)
    if header_index >= 0:
        doc.take(*rows[header_index])  # with the block's row label left of the headers (1.项目年度目标完成情况)
    labels = lookup("project_labels", "label")
    texts: dict[str, list[Cell]] = {}
    for row in rows[header_index + 1 :]:
        labelled = [cell for cell in row if _label_key(cell.text) in labels]
        if labelled:  # 2.项目实施内容及过程概述 | its text: a header field inside the block
            field = labels[_label_key(labelled[0].text)]["field"]
            doc.info[field] = join_fragments(c.text for c in row if c is not labelled[0])
            doc.take(*row)
            continue
        cells = assign_columns(row, columns) if header_index >= 0 else {"text": row}
        for name in ("text", "text_adjusted", "achieved"):
            texts.setdefault(name, []).extend(cells.get(name, []))
        doc.take(*row)
    read = {name: join_fragments(c.text for c in cells) for name, cells in texts.items()}
    if any(read.values()):
        refs = [c.ref for cells in texts.values() for c in cells]
        doc.goals.append({"goal_no": 1, "period": "annual", **read, "source_ref": span(refs)})


def _label_key(text: str) -> str:
    """A label's key without its enumerator (2.项目实施内容及过程概述 → 项目实施内容及过程概述)."""
    return re.sub(r"^\d+[.、．]", "", key(text))


def _yuan(cell: Cell | None, unit: str) -> float | None:
    """A cell's amount in yuan: a number in the block's unit, or an amount with its own (259.45万元)."""
    if cell is None:
        return None
    amount = cell_amount(cell)
    if amount is None:
        amount, own = printed_amount(cell.text)
        unit = own or unit
    return money_to_yuan(amount, unit) if amount is not None else None


def _number(cells: list[Cell] | None) -> float | None:
    return cell_amount(cells[0]) if cells else None
