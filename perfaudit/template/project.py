"""The template of the 项目支出绩效目标表 family (申报表, 批复表, 审批表 of one project).

The same building blocks as the 整体 form, with the project's own layout facts: section titles
in ``vocab/project_sections.csv``, header fields in ``vocab/project_labels.csv``, funding lines
in ``vocab/fund_labels.csv`` and the cost breakdown's column headers in
``vocab/column_headers.csv``. What a project form adds to the tables:

- ``documents``: project_name, project_code, competent_dept (主管部门), implementing_unit
  (实施单位), project_kind, period_text with period_start/period_end, the 测算依据 text …;
- ``budget``: the project's totals (项目总预算, 年度资金总额) and its funding sources;
- ``cost_items``: the cost breakdown (项目支出明细 / 成本构成) with each line's 测算依据;
- ``goals``: ``period`` says whether a goal is the 年度 one or the 长期/实施期 one;
- ``indicators``: a 长期 table's values in ``period_value``, matched to the 年度 rows by name.
"""

from __future__ import annotations

import re

from perfaudit.readers.cells import Cell, Sheet
from perfaudit.strings import strip_trailing_bracket
from perfaudit.template.blocks import read_pairs
from perfaudit.template.common import (
    MONEY_UNIT,
    YEAR_ONLY,
    Doc,
    Piece,
    assign_columns,
    cell_amount,
    find_header,
    header_columns,
    join_fragments,
    key,
    lookup,
    money_to_yuan,
    split_at_header,
    split_sections,
)
from perfaudit.template.indicators import read_indicators
from perfaudit.values import parse_amount

# A leading enumerator or 其中 before a funding label: "1.一般公共预算…", "二、自有资金", "其中:财政拨款".
_ENUMERATOR = re.compile(r"^(?:[(（]?[0-9一二三四五六七八九十]+[)）.、．]\s*)?(其中[:：]?)?")
# An amount at the start of a text cell, with its unit: "总额10606.7522万元", "854万(…)".
# A bare number after its label in the same cell ("资金总额 35") is in the form's unit.
_LEADING_AMOUNT = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(?:(亿元|万元|万|元)|$)")
_AMOUNT_UNIT_LABEL = re.compile(r"金额单位[:：]\s*(亿元|万元|元)")
_BRACKETED = re.compile(r"[(（][^()（）]+[)）]")
_CHECKED = re.compile(r"([\u4e00-\u9fff]+)\s*□?\s*[√☑■✓✔]")
_YEAR = re.compile(r"(20\d\d)\s*年")
_GOAL_PERIODS = {"年度目标": "annual", "长期目标": "period", "实施期目标": "period", "中期目标": "period"}
# The sections that make a project form: one of them at least (a form cut short may lack the rest).
PROJECT_SECTIONS = ("funds", "goals", "indicators")


def parse_project(sheet: Sheet) -> dict | list[dict] | None:
    """Read one sheet as a project target form; None when it holds none of a project form's sections.

    A table that lists several projects (one block of rows each) gives one form per project.
    """
    listed = parse_project_list(sheet)
    if listed is not None:
        return listed
    sections, markers = split_sections(sheet, "project_sections")
    split_at_header(sections, "goals", "indicators")
    found = [name for name in PROJECT_SECTIONS if sections.get(name)]
    if not found:
        return None
    doc = Doc(sheet=sheet)
    doc.take(*markers)
    read_project_header(doc, sections.get("header", []))
    amount_unit(doc, sheet)
    read_pairs(doc, sections.get("funds", []), labels=lookup("project_labels", "label"))
    read_funds(doc, sections.get("header", []) + sections.get("funds", []))
    read_cost_items(doc, sections.get("cost_items", []))
    read_project_goals(doc, sections.get("goals", []))
    read_indicators(doc, sections.get("indicators", []))
    if sections.get("indicators_period"):
        annual = doc.indicators
        doc.indicators = []
        read_indicators(doc, sections["indicators_period"], single_value="period_value")
        doc.indicators = merge_periods(annual, doc.indicators)
    _period(doc)
    if not doc.info["amount_unit"] and any(row["amount_yuan"] is not None for row in doc.budget):
        first = doc.budget[0]["source_ref"]
        doc.leftovers.append({"source_ref": first, "text": "", "reason": "no amount unit printed; 万元 assumed"})
    for field in ("project_kind", "project_nature"):
        doc.info[field] = checked_option(str(doc.info.get(field) or ""))
    split_unit_codes(doc)
    doc.info.setdefault("department", doc.info.get("implementing_unit") or doc.info.get("competent_dept") or "")
    doc.info["missing_sections"] = ",".join(name for name in PROJECT_SECTIONS if not sections.get(name))
    sweep(doc, sheet)
    return form_tables(doc)


def form_tables(doc: Doc) -> dict:
    """The tables of one read form, as the loader takes them."""
    return {
        "info": doc.info,
        "budget": doc.budget,
        "cost_items": doc.cost_items,
        "goals": doc.goals,
        "tasks": [],
        "task_outputs": [],
        "indicators": doc.indicators,
        "leftovers": doc.leftovers,
    }


def read_project_header(doc: Doc, rows: list[list[Cell]], labels: dict | None = None) -> None:
    """The title and the header fields (``labels``: the project form's, unless given).

    A title may be wrapped over several lines above its last (天津 2022: three lines ending in
    …绩效目标表) and carry a line under it: the year (``(2022年度)``) or, in brackets, the
    project it is for.
    """
    labels = labels if labels is not None else lookup("project_labels", "label")
    for r, row in enumerate(rows):
        cell = next((c for c in row if _is_title(c.text)), None)
        if cell is None:
            continue
        parts = [cell]
        above = r - 1
        while above >= 0 and _title_line(rows[above], labels):
            parts.insert(0, rows[above][0])
            above -= 1
        after = row[row.index(cell) + 1] if row.index(cell) + 1 < len(row) else None
        if after is None and r + 1 < len(rows) and _title_line(rows[r + 1], labels):
            after = rows[r + 1][0]
        if after is not None and (YEAR_ONLY.fullmatch(key(after.text)) or _BRACKETED.fullmatch(key(after.text))):
            parts.append(after)
        doc.info["title"] = "".join(c.text.strip() for c in parts)
        doc.take(*parts)
        break
    read_pairs(doc, rows, labels=labels)


def _is_title(text: str) -> bool:
    text_key = strip_trailing_bracket(key(text))
    return text_key.endswith("表") and len(text_key) <= 60


def _title_line(row: list[Cell], labels: dict) -> bool:
    """A line of a wrapped title: alone on its row, short, no label and no sentence."""
    if len(row) != 1:
        return False
    text_key = key(row[0].text)
    return 0 < len(text_key) <= 40 and text_key not in labels and not text_key.endswith(("。", ":", "："))


def amount_unit(doc: Doc, sheet: Sheet) -> None:
    """The unit the form states for its amounts (金额单位:万元, 资金情况(万元)); empty when none."""
    for row in sheet.rows:
        for cell in row:
            # 金额单位:万元; 资金情况(万元); a label that ends in its unit (下达中央预算内投资(万元)).
            unit = MONEY_UNIT.search(cell.text)
            labelled = unit is not None and (
                len(key(cell.text)) <= 12 or (len(key(cell.text)) <= 30 and key(cell.text).endswith(key(unit.group(0))))
            )
            match = _AMOUNT_UNIT_LABEL.search(key(cell.text)) or (unit if labelled else None)
            if match:
                doc.info["amount_unit"] = match.group(1)
                if _AMOUNT_UNIT_LABEL.search(key(cell.text)):
                    doc.take(cell)
                return
    doc.info["amount_unit"] = ""


def default_unit(doc: Doc) -> str:
    """The form's money unit, 万元 when it prints none."""
    return str(doc.info.get("amount_unit") or "万元")


# --- several projects in one table ------------------------------------------------------------

# A department code before its name in a list: "820001-井研县马踏镇人民政府".
_CODED_NAME = re.compile(r"^(\d{3,})\s*[-－—]\s*(.+)$")


def parse_project_list(sheet: Sheet) -> list[dict] | None:
    """Several projects in one table (四川 部门预算项目绩效目标申报表, a budget system's export).

    The header row holds 项目名称 and the indicator columns side by side (单位名称 | 项目名称 | 预算数 |
    年度目标 | 一级指标 | …); a row with a 项目名称 starts a project, and the rows below it (their
    left cells merged, so empty) carry its further indicators. A row with a 单位名称 and an amount
    but no project is the unit's subtotal: it belongs to no project and is left over. Each project
    is read as a form of its own, with the title and header shared. None when the sheet is no such
    table.
    """
    header_index, columns = find_header(sheet.rows, "project_list")
    if header_index < 0 or "project_name" not in columns:
        return None
    header = sheet.rows[header_index]
    indicator_columns = header_columns(header, "indicators")
    if "level1" not in indicator_columns or any(cell.col is None for cell in header):
        return None
    listing = _Listing(sheet, header_index, columns, min(cell.col for cell in indicator_columns.values()))
    groups, subtotals = listing.groups()
    forms, department = [], ""
    for rows in groups:
        doc, department = listing.read(rows, subtotals, department)
        forms.append(form_tables(doc))
    return forms or None


class _Listing:
    """A table of several projects: its header row, the columns left of the indicators, and their reading."""

    def __init__(self, sheet: Sheet, header_index: int, columns: dict[str, Cell], first_indicator: int) -> None:
        self.sheet, self.header_index, self.columns, self.first_indicator = (
            sheet,
            header_index,
            columns,
            first_indicator,
        )
        self.shared = [cell for row in sheet.rows[: header_index + 1] for cell in row]

    def left_part(self, row: list[Cell]) -> dict[str, list[Cell]]:
        return assign_columns([cell for cell in row if cell.col < self.first_indicator], self.columns)

    def groups(self) -> tuple[list[list[list[Cell]]], list[list[Cell]]]:
        """The rows of each project, and the rows that belong to none (a unit's subtotal)."""
        groups: list[list[list[Cell]]] = []
        subtotals: list[list[Cell]] = []
        for row in self.sheet.rows[self.header_index + 1 :]:
            if self.left_part(row).get("project_name"):
                groups.append([row])
            elif groups and all(cell.col >= self.first_indicator for cell in row):
                groups[-1].append(row)
            else:
                subtotals.append(row)
        return groups, subtotals

    def read(self, rows: list[list[Cell]], subtotals: list[list[Cell]], department: str) -> tuple[Doc, str]:
        """One project's form (the shared title, its own name, money, goal and indicators) and its unit.

        ``department`` is the unit cell above, for a project whose unit cell is merged with it.
        """
        doc = Doc(sheet=self.sheet)
        read_project_header(doc, self.sheet.rows[: self.header_index])
        amount_unit(doc, self.sheet)
        doc.take(*self.shared)
        cells = self.left_part(rows[0])
        department = join_fragments(c.text for c in cells.get("department", [])) or department
        coded = _CODED_NAME.match(department)
        doc.info["department"], doc.info["dept_code"] = (coded.group(2), coded.group(1)) if coded else (department, "")
        doc.info["project_name"] = join_fragments(c.text for c in cells["project_name"])
        doc.take(*cells["project_name"], *cells.get("department", []))
        for amount_cell in cells.get("budget", []):
            doc.take(amount_cell)
            doc.budget.append(
                {
                    "section": "项目资金",
                    "item": "年度资金总额",
                    "item_raw": self.columns["budget"].text,
                    "amount_yuan": money_to_yuan(cell_amount(amount_cell), default_unit(doc)),
                    "printed": amount_cell.text,
                    "printed_unit": default_unit(doc),
                    "source_ref": amount_cell.ref,
                }
            )
        goal = cells.get("goal", [])
        if goal:
            doc.take(*goal)
            text = join_fragments(c.text for c in goal)
            doc.goals.append({"goal_no": 1, "period": "annual", "text": text, "source_ref": goal[0].ref})
        header = [cell for cell in self.sheet.rows[self.header_index] if cell.col >= self.first_indicator]
        read_indicators(doc, [header, *([c for c in row if c.col >= self.first_indicator] for row in rows)])
        for cell in (cell for row in rows for cell in row if id(cell) not in doc.used):
            doc.leftover(cell, "not part of any table of the form")
        for cell in (cell for row in subtotals for cell in row):
            doc.leftover(cell, "a unit's subtotal in a table of several projects: no project's own")
        missing = [name for name, part in (("funds", doc.budget), ("goals", doc.goals)) if not part]
        doc.info["missing_sections"] = ",".join(missing)
        doc.info["_cells"] = len(self.shared) + sum(len(row) for row in rows + subtotals)
        doc.info["_part"] = doc.info["project_name"]
        doc.info["_all_text"] = " ".join(cell.text for cell in self.shared)
        return doc, department


# --- funds -----------------------------------------------------------------------------------


def fund_label(text: str) -> tuple[dict | None, str]:
    """The funding line a cell names (vocab/fund_labels.csv) and the text after the label.

    The label may stand alone (``1.一般公共预算财政拨款收入``, ``其中:财政资金``) or begin a cell
    that goes on with its amount (``总额10606.7522万元``, ``二、自有资金:0万元``).
    """
    labels = lookup("fund_labels", "label")
    text_key = key(text)
    match = _ENUMERATOR.match(text_key)
    rest = text_key[match.end() :] if match else text_key
    whole = rest.rstrip(":：")
    found = labels.get(whole) or labels.get(strip_trailing_bracket(whole))
    if found is not None:
        return found, ""
    for label in sorted(labels, key=len, reverse=True):
        if rest.startswith(label):
            after = rest[len(label) :].lstrip(":：")
            if _LEADING_AMOUNT.match(after):
                return labels[label], after
    return None, ""


def read_funds(doc: Doc, rows: list[list[Cell]]) -> None:
    """The 资金 lines: one budget row per funding line that prints an amount, in yuan.

    A line of the template left blank (3.事业收入 with no amount) gives no row; a total does,
    so that a blank total is seen.
    """
    for row in rows:
        cells = [cell for cell in row if id(cell) not in doc.used]
        for i, cell in enumerate(cells):
            if id(cell) in doc.used:
                continue
            found, rest = fund_label(cell.text)
            if found is None:
                continue
            doc.take(cell)
            if found["kind"] in ("header", "skip"):
                if found["kind"] == "skip" and i + 1 < len(cells):
                    doc.take(cells[i + 1])
                continue
            amount_cell, printed = (cell, rest) if rest else (None, "")
            if amount_cell is None and i + 1 < len(cells) and fund_label(cells[i + 1].text)[0] is None:
                amount_cell, printed = cells[i + 1], cells[i + 1].text
                doc.take(amount_cell)
            amount, unit, number = _amount(doc, amount_cell, printed)
            if amount is None and not found["kind"].startswith("total"):
                continue
            label = key(cell.text)[: len(key(cell.text)) - len(rest)].rstrip(":：") if rest else cell.text
            doc.budget.append(
                {
                    "section": found["section"],
                    "item": found["item"],
                    "item_raw": label,
                    "amount_yuan": money_to_yuan(amount, unit),
                    "printed": number,
                    "printed_unit": unit,
                    "source_ref": (amount_cell or cell).ref,
                }
            )


def _amount(doc: Doc, cell: Cell | None, printed: str) -> tuple[float | None, str, str]:
    """An amount, its unit and its printed number.

    A number cell is in the form's unit; a text that starts with an amount and its unit
    (``854万(…)``, ``6923.3552万元``) gives that amount and unit.
    """
    if cell is None:
        return None, default_unit(doc), ""
    if printed == cell.text:
        number = cell_amount(cell)
        if number is not None:
            return number, default_unit(doc), cell.text
    match = _LEADING_AMOUNT.match(key(printed))
    if match is None:
        return None, default_unit(doc), ""
    unit = {"万": "万元", None: default_unit(doc)}.get(match.group(2), match.group(2))
    return parse_amount(match.group(1)), unit, match.group(1)


# --- cost breakdown --------------------------------------------------------------------------


def read_cost_items(doc: Doc, rows: list[list[Cell]]) -> None:
    """The cost breakdown (项目支出明细 / 成本构成): one row per line with its amount and 测算依据."""
    header_index, columns = find_header(rows, "cost_items")
    if header_index < 0 or "item" not in columns or "amount" not in columns:
        return
    doc.take(*columns.values())
    outturns = [c for c in rows[header_index] if "outturn" in header_columns([c], "cost_items")]
    doc.take(*outturns)
    unit_match = MONEY_UNIT.search(columns["amount"].text)
    unit = unit_match.group(1) if unit_match else default_unit(doc)
    outturn_cols = {head.col for head in outturns}
    for row in rows[header_index + 1 :]:
        if any(id(cell) in doc.used for cell in row):
            continue
        labelled = [cell for cell in row if key(cell.text) in lookup("project_labels", "label")]
        if labelled:  # 测算依据及说明: a text for the whole breakdown
            field = lookup("project_labels", "label")[key(labelled[0].text)]["field"]
            _take_text(doc, row, field, skip=labelled)
            continue
        cells = assign_columns(row, columns)
        item = Piece([c.text for c in cells.get("item", [])], [c.ref for c in cells.get("item", [])])
        amount_cell = (cells.get("amount") or [None])[0]
        if not item.text:
            continue
        doc.take(*row)
        amount = cell_amount(amount_cell) if amount_cell is not None else None
        found, _ = fund_label(item.text)
        if found is not None and found["item"] == "合计":
            doc.budget.append(
                {
                    "section": "成本构成",
                    "item": "合计",
                    "item_raw": item.text,
                    "amount_yuan": money_to_yuan(amount, unit),
                    "printed": amount_cell.text if amount_cell is not None else "",
                    "printed_unit": unit,
                    "source_ref": amount_cell.ref if amount_cell is not None else item.ref,
                }
            )
            continue
        doc.cost_items.append(
            {
                "item_no": len(doc.cost_items) + 1,
                "item": re.sub(r"^\d+[.、．]\s*", "", item.text),
                "amount_yuan": money_to_yuan(amount, unit),
                "printed": amount_cell.text if amount_cell is not None else "",
                "basis": join_fragments(c.text for c in cells.get("basis", []) if c.col not in outturn_cols),
                "outturn": "; ".join(
                    f"{head.text} {cell.text}" for head in outturns for cell in row if cell.col == head.col
                ),
                "source_ref": item.ref,
            }
        )


def _take_text(doc: Doc, row: list[Cell], field: str, skip: list[Cell]) -> None:
    texts = [cell for cell in row if cell not in skip]
    doc.take(*row)
    doc.info[field] = join_fragments(c.text for c in texts)


# --- goals -----------------------------------------------------------------------------------


def read_project_goals(doc: Doc, rows: list[list[Cell]]) -> None:
    """The goal block: the text under 年度目标 (period ``annual``) and 长期/实施期目标 (``period``).

    A layout that names no period (项目绩效总目标 followed by its text) gives one annual goal.
    Labels above their texts (长期目标 | 年度目标 / text | text) are matched by column.
    """
    current = "annual"
    by_column: dict[int, str] = {}
    texts: dict[str, list[Cell]] = {}
    for row in rows:
        for cell in row:
            period = _GOAL_PERIODS.get(strip_trailing_bracket(key(cell.text)))
            if period is not None:
                doc.take(cell)
                current = period
                if cell.col is not None:
                    by_column[cell.col] = period
                continue
            owner = by_column.get(cell.col, current) if cell.col is not None and by_column else current
            texts.setdefault(owner, []).append(cell)
            doc.take(cell)
    for number, (period, cells) in enumerate(sorted(texts.items(), key=lambda item: item[0] != "period"), start=1):
        text = join_fragments(c.text for c in cells)
        if text:
            doc.goals.append(
                {
                    "goal_no": number,
                    "period": period,
                    "text": text,
                    "source_ref": Piece([], [c.ref for c in cells]).ref,
                }
            )


# --- indicators of two horizons ---------------------------------------------------------------


def merge_periods(annual: list[dict], period: list[dict]) -> list[dict]:
    """One indicator list from a 年度 table and a 长期 table.

    A 长期 row joins the 年度 row of the same 一级, 二级 and name (a category left without
    names pairs when it is the only such row in both tables); the others are kept as rows of
    their own.
    """

    def pair_key(row: dict) -> tuple[str, str, str]:
        return (row["level1"], row["level2"], key(row["level3"]))

    def unique(rows: list[dict]) -> dict[tuple[str, str, str], dict]:
        counts: dict[tuple[str, str, str], int] = {}
        for row in rows:
            counts[pair_key(row)] = counts.get(pair_key(row), 0) + 1
        return {pair_key(row): row for row in rows if counts[pair_key(row)] == 1}

    annual_rows, period_rows = unique(annual), unique(period)
    out = list(annual)
    for row in period:
        twin = annual_rows.get(pair_key(row)) if pair_key(row) in period_rows else None
        if twin is not None:
            twin["period_value"] = row["period_value"]
            twin["source_ref"] = f"{twin['source_ref']},{row['source_ref']}"
        elif row["level3"] or row["period_value"]:
            out.append(row)
    for number, row in enumerate(out, start=1):
        row["row_no"] = number
    return out


# --- layout helpers ------------------------------------------------------------------------


def split_unit_codes(doc: Doc) -> None:
    """A unit printed with its budget code (219001-池州市贵池区棠溪镇人民政府): the name, and the code in dept_code."""
    for field in ("department", "implementing_unit", "competent_dept"):
        coded = _CODED_NAME.match(str(doc.info.get(field) or ""))
        if coded:
            doc.info[field] = coded.group(2)
            if field != "competent_dept" and not doc.info.get("dept_code"):
                doc.info["dept_code"] = coded.group(1)
            elif field == "competent_dept" and not doc.info.get("competent_dept_code"):
                doc.info["competent_dept_code"] = coded.group(1)


def printed_amount(text: str) -> tuple[float | None, str]:
    """An amount printed with its unit in one cell (``259.45万元``): the number and the unit (empty if none)."""
    match = _LEADING_AMOUNT.match(key(text or ""))
    if match is None:
        return None, ""
    return parse_amount(match.group(1)), {"万": "万元"}.get(match.group(2) or "", match.group(2) or "")


def checked_option(text: str) -> str:
    """The option ticked in a printed choice (``1.部门项目 □ 2.公共项目 □√`` → 公共项目); else the text."""
    match = _CHECKED.search(text)
    return match.group(1) if match else text


# --- the sweep ------------------------------------------------------------------------------


def _period(doc: Doc) -> None:
    """period_start / period_end from the printed 实施期 (``2023年4月-2024年2月``); one year for the annual form."""
    years = [int(y) for y in _YEAR.findall(str(doc.info.get("period_text") or ""))]
    if years:
        doc.info["period_start"], doc.info["period_end"] = min(years), max(years)


def sweep(doc: Doc, sheet: Sheet) -> None:
    """Every cell no block took becomes a leftover; the reader's notes too."""
    for row in sheet.rows:
        for cell in row:
            if id(cell) not in doc.used:
                doc.leftover(cell, "not part of any table of the form")
    for note in sheet.notes:
        ref, _, reason = note.partition(": ")
        doc.leftovers.append({"source_ref": ref, "text": "", "reason": reason})
    doc.info["_all_text"] = " ".join(cell.text for row in sheet.rows for cell in row)
