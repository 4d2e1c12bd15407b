"""The template of the 整体 form family: gives the cells of a sheet their meaning.

One code path serves every reader. The form is cut into sections by their printed titles
(``vocab/sections.csv``); each section is read as label/value pairs or as a table whose columns
come from its header row (``vocab/column_headers.csv``). Spreadsheet cells carry their column,
so table rows are read by position; text fragments carry only their order, and cells that
pdftotext wrapped over several lines are put back together (``vocab/text_layout.csv``).
Every cell no table takes is returned as a leftover with the reason. The workbook written by
``perfaudit convert`` has its own small template (:mod:`perfaudit.template.canonical`), built on
the same parsers.
"""

from __future__ import annotations

from collections.abc import Callable

from perfaudit.readers.cells import Sheet
from perfaudit.template.blocks import read_budget, read_free_text, read_goals, read_header, read_pairs
from perfaudit.template.common import (
    EXPECTED_SECTIONS,
    Doc,
    join_fragments,
    key,
    section_unit,
    split_at_header,
    split_sections,
)
from perfaudit.template.families import FAMILY_NAMES, detect
from perfaudit.template.indicators import read_indicators
from perfaudit.template.project import parse_project
from perfaudit.template.selfeval import parse_selfeval
from perfaudit.template.tasks import read_tasks

__all__ = ["PARSERS", "UnreadFamily", "join_fragments", "key", "parse_sheet", "split_sections"]


def looks_like_form(sections: dict, title: str) -> bool:
    """At least two of the expected sections, or a performance-target title and one section."""
    found = {name for name in sections if name in EXPECTED_SECTIONS}
    return len(found) >= 2 or ("绩效目标" in title and len(found) >= 1)


def parse_sheet(sheet: Sheet) -> list[dict] | None:
    """Read one sheet as the forms of its family; None when the sheet holds no form perfaudit reads.

    Returns one dict per form (a sheet that lists several projects holds several), each with
    ``info`` (the document fields, ``form_type`` and ``family_evidence`` among them) and a list of
    row dicts per table.
    """
    family = detect(sheet)
    form_type = family.form_type if family else "dept_overall"
    parser = PARSERS[form_type]
    if parser is None and family is not None:
        evidence = "; ".join(family.evidence)
        raise UnreadFamily(f"a {FAMILY_NAMES[form_type]} ({evidence}): this family of form is not read yet")
    parsed = parser(sheet) if parser is not None else None
    if parsed is None and family is not None:
        evidence = "; ".join(family.evidence)
        raise UnreadFamily(
            f"a {FAMILY_NAMES[form_type]} ({evidence}) in a layout not read yet: none of its sections"
            " (such as 预算整体情况, 绩效指标) was found"
        )
    if parsed is None:
        return None
    forms = parsed if isinstance(parsed, list) else [parsed]
    if family is not None and form_type != "dept_overall" and not any(filled_in(form) for form in forms):
        evidence = "; ".join(family.evidence)
        raise UnreadFamily(
            f"a {FAMILY_NAMES[form_type]} ({evidence}) with nothing filled in: no indicator value and no amount"
            " (a blank template?)"
        )
    for form in forms:
        info = form["info"]
        info["form_type"] = form_type
        left = sum(1 for row in form["leftovers"] if row["text"])
        cells = info.pop("_cells", None)
        info["cells_read"] = (cells if cells is not None else sum(len(row) for row in sheet.rows)) - left
        if family is not None:
            info["family_evidence"] = "; ".join(family.evidence)
            info["stage"] = family.stage or info.get("stage", "")
    return forms


def parse_overall(sheet: Sheet) -> dict | None:
    """Read one sheet as a 部门整体 target form; None when it holds no such form."""
    sections, markers = split_sections(sheet)
    for before in ("tasks", "goals", "budget"):  # an indicator table printed with only its header row
        split_at_header(sections, before, "indicators")
    doc = Doc(sheet=sheet)
    doc.take(*markers)
    read_header(doc, sections.get("header", []))
    if not looks_like_form(sections, str(doc.info.get("title", ""))):
        return None
    read_pairs(doc, sections.get("basic_info", []))
    read_budget(doc, sections.get("budget", []), unit=section_unit(markers, "budget"))
    read_goals(doc, sections.get("goals", []))
    read_tasks(doc, sections.get("tasks", []))
    doc.info["other_tasks"] = read_free_text(doc, sections.get("other_tasks", []))
    doc.info["duty_text"] = read_free_text(doc, sections.get("duty", []))
    read_indicators(doc, sections.get("indicators", []))
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


def filled_in(parsed: dict) -> bool:
    """Whether a read form holds anything to judge: an indicator value or an amount.

    A blank template (labels, no values) would otherwise give a finding for every empty field.
    """
    values = any(
        row.get("annual_value") or row.get("period_value") or row.get("actual_value") for row in parsed["indicators"]
    )
    amounts = any(row.get("amount_yuan") is not None for row in parsed["budget"] + parsed.get("cost_items", []))
    executed = any(row.get("budget_final_yuan") is not None for row in parsed.get("execution", []))
    return values or amounts or executed


class UnreadFamily(ValueError):
    """A form of a family perfaudit recognises but does not read yet: no tables rather than debris."""


#: The reader of each family's template (documents.form_type → function of a sheet); None for a
#: family that is recognised but not read yet.
PARSERS: dict[str, Callable[[Sheet], dict | list[dict] | None] | None] = {
    "dept_overall": parse_overall,
    "project": parse_project,
    "investment": parse_project,
    "project_selfeval": parse_selfeval,
    "dept_selfeval": parse_selfeval,
}
assert set(PARSERS) == set(FAMILY_NAMES)
