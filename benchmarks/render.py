"""Printing a synthetic form: as pdftotext output (the seed's layout) and as an Excel sheet (湛江's).

Both renderers return the source reference of every marked element (``L37`` for a line,
``Sheet1!D22`` for a cell), which goes into the answer key as the place a finding must point to.

Text follows what pdftotext made of the 东坑镇 2024 批复表: fragments of a table row on one line,
cells wrapped over several lines (名称 at about 10 Chinese characters, 主要实施内容 at 15,
期望达到的目标 at 24), amounts alone on a line, blank lines here and there, and a page break
inside the 绩效指标 block that repeats the block title and the current 一级 label. The sheet follows
the 湛江 2023/2024 workbooks: merged label cells, number formats (``#,##0.00``, ``0%``), and a
formula for 财政拨款 (``=C5+C6`` or ``=SUM(C5:C6)``), with the cached value that Excel or WPS
would store, or without it as other programs save.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zipfile
from pathlib import Path

from benchmarks.forms import Form, Row

SENTENCE_END = "。！？!?"
KNOWN_LABELS = {
    "产出指标",
    "效益指标",
    "满意度指标",
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
    "产出数量",
    "产出质量",
    "产出时效",
}
_TOKEN = re.compile(r"[0-9A-Za-z.,%]+|.", re.S)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, limit: int) -> list[str]:
    """Cut text into lines of at most ``limit`` display columns, as a table cell wraps.

    Numbers and words are never cut (a wrapped ``1000`` would read as two numbers), no line but
    the last ends a sentence (pdftotext's reader closes a cell there), and no line is a bare
    number (it would read as an amount).
    """
    lines: list[list[str]] = [[]]
    for token in _TOKEN.findall(text):
        if lines[-1] and width("".join(lines[-1]) + token) > limit:
            lines.append([])
        lines[-1].append(token)
    for i in range(len(lines) - 1):
        while lines[i] and lines[i][-1][-1] in SENTENCE_END and len(lines[i]) > 1:
            lines[i + 1].insert(0, lines[i].pop())
    out = ["".join(tokens) for tokens in lines if tokens]
    merged: list[str] = []
    for line in out:
        if merged and (re.fullmatch(r"[0-9.,%]+", line) or re.fullmatch(r"[0-9.,%]+", merged[-1])):
            merged[-1] += line
        else:
            merged.append(line)
    return merged


def money_text(yuan: float, unit: str) -> str:
    if unit == "元":
        return f"{yuan:,.2f}"
    return f"{yuan / 10_000:.2f}"


def _value_text(value: object) -> str:
    if isinstance(value, float) and value <= 2:
        return f"{value * 100:g}%"
    return str(value)


# --- text -------------------------------------------------------------------------------------


class _Lines:
    def __init__(self, rng: random.Random, spaced: bool):
        self.lines: list[str] = []
        self.refs: dict[str, str] = {}
        self.rng = rng
        self.spaced = spaced

    def add(self, text: str, mark: str = "") -> int:
        self.lines.append(text)
        number = len(self.lines)
        if mark and mark not in self.refs:
            self.refs[mark] = f"L{number}"
        if self.spaced and self.rng.random() < 0.6:
            self.lines.append("")
        return number

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render_text(form: Form) -> tuple[str, dict[str, str]]:
    rng = random.Random(f"render/{form.doc_id}")
    out = _Lines(rng, form.style["spaced"])
    out.add(form.title)
    if form.approver:
        out.add(f"批复单位：{form.approver}")
    out.add("部门名称" if form.style.get("department_blank") else f"部门名称 {form.department}")
    out.add(f"基本信息 财政供养人员数 {form.staff} 下属二级单位数 {form.subunits}")
    out.add("预算整体情况")
    b = form.budget
    for left, right in (("basic", "fiscal"), ("project", "other"), ("special", "city"), ("otherdev", "transfer")):
        if left == "basic":
            out.add("部门预算支出 预算金额（万元） 收入来源 预算金额（万元）")
        if left == "special":
            out.add("事业发展性支出 预算金额（万元） 按预算级次划分 预算金额（万元）")
        line_l, line_r = b[left], b[right]
        text = f"{line_l.label} {line_l.printed or money_text(line_l.yuan, '万元')} "
        text += f"{line_r.label} {line_r.printed or money_text(line_r.yuan, '万元')}"
        out.add(text, line_l.mark or line_r.mark)
    out.add("总体绩效目标")
    for goal in form.goals:
        for i, line in enumerate(wrap(goal.text, 96)):
            out.add(line, goal.mark if i == 0 else "")
    out.add("年度重点工作任务")
    out.add(f"名称 主要实施内容 拟投入的资金（{form.task_unit}） 期望达到的目标（概述）")
    for task in form.tasks:
        _task_lines(out, form, task, rng)
    out.add("其他需完成的任务")
    out.add("（可选填）")
    out.add("绩效指标")
    values = "实施周期指标值 年度指标值" if form.two_columns else rng.choice(["年度指标值", "指标值"])
    out.add(f"一级指标 二级指标 三级指标 {values}")
    _indicator_lines(out, form, rng)
    return out.text(), out.refs


def _task_lines(out: _Lines, form: Form, task, rng: random.Random) -> None:
    money = task.printed or money_text(task.planned_yuan, form.task_unit)
    names, contents, outcomes = wrap(task.name, 20), wrap(task.content, 30), wrap(task.outcome, 48)
    if len(names) == len(contents) == len(outcomes) == 1 and form.style["merged_task_line"]:
        out.add(f"{names[0]} {contents[0]} {money} {outcomes[0]}", task.mark)
        return
    for line in names + contents:
        out.add(line)
    if rng.random() < 0.5:
        out.add(f"{money} {outcomes[0]}", task.mark)
        outcomes = outcomes[1:]
    else:
        out.add(money, task.mark)
    for line in outcomes:
        out.add(line)


def _row_text(form: Form, row: Row) -> str:
    values = [row.period, row.annual] if form.two_columns else [row.annual]
    return " ".join([row.name, *(_value_text(v) for v in values)])


def _indicator_lines(out: _Lines, form: Form, rng: random.Random) -> None:
    inline = form.style["inline_labels"]
    total = sum(len(g.rows) for b in form.blocks for g in b.groups)
    page_break = rng.randint(3, max(3, total - 2)) if form.style["page_break"] and total > 6 else -1
    seen = 0
    for block in form.blocks:
        prefix = []
        if block.print_label:
            if inline:
                prefix = [block.label]
            else:
                out.add(block.label)
        for group in block.groups:
            label_alone = not inline or group.label not in KNOWN_LABELS or not group.rows
            if label_alone:
                if prefix:
                    out.add(prefix.pop())
                out.add(group.label, group.mark)
                labels = []
            else:
                labels = [*prefix, group.label]
                prefix = []
            for row in group.rows:
                seen += 1
                line = " ".join([*labels, _row_text(form, row)])
                out.add(line, row.mark or (group.mark if labels else ""))
                labels = []
                if seen == page_break:
                    # pdftotext repeats the block title and the 一级 label at the top of a page.
                    out.lines.extend(["", "", ""])
                    out.add("绩效指标")
                    out.add(block.label)
        if prefix:
            out.add(prefix.pop())


# --- xlsx -------------------------------------------------------------------------------------

MONEY_FORMATS = ("#,##0.00", "0.00_ ", "0.00")


def render_xlsx(form: Form, path: Path) -> dict[str, str]:
    """Write the form as a 湛江-style workbook; returns the references of marked elements."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    rng = random.Random(f"render/{form.doc_id}")
    book = Workbook()
    ws = book.active
    ws.title = "Sheet1"
    last_col = "F" if form.two_columns else "E"
    refs: dict[str, str] = {}
    money_format = rng.choice(MONEY_FORMATS)
    wrap_style = Alignment(wrap_text=True, vertical="center")

    def put(ref: str, value, mark: str = "", number_format: str = ""):
        cell = ws[ref]
        cell.value = value
        cell.alignment = wrap_style
        if number_format:
            cell.number_format = number_format
        if mark and mark not in refs:
            refs[mark] = f"Sheet1!{ref}"
        return cell

    put("A1", form.title).font = Font(bold=True, size=14)
    ws.merge_cells(f"A1:{last_col}1")
    put("A2", "部门名称")
    put("B2", None if form.style.get("department_blank") else form.department)
    ws.merge_cells(f"B2:{last_col}2")
    for ref, value in (("A3", "基本信息"), ("B3", "财政供养人员数"), ("C3", form.staff), ("D3", "下属二级单位数")):
        put(ref, value)
    put("E3", form.subunits)
    put("A4", "预算整体情况")
    ws.merge_cells("A4:A9")
    for ref, value in zip(
        ("B4", "C4", "D4", "E4"), ("部门预算支出", "预算金额（万元）", "收入来源", "预算金额（万元）"), strict=True
    ):
        put(ref, value)
    for ref, value in zip(
        ("B7", "C7", "D7", "E7"),
        ("事业发展性支出", "预算金额（万元）", "按预算级次划分", "预算金额（万元）"),
        strict=True,
    ):
        put(ref, value)
    b = form.budget
    cells = {"basic": 5, "project": 6, "special": 8, "otherdev": 9}
    for key, row in cells.items():
        put(f"B{row}", b[key].label)
        put(f"C{row}", _amount(b[key]), b[key].mark, money_format)
    right = {"fiscal": 5, "other": 6, "city": 8, "transfer": 9}
    formula = None
    for key, row in right.items():
        put(f"D{row}", b[key].label)
        value = _amount(b[key])
        if key == "fiscal" and b["other"].yuan == 0 and abs(b["fiscal"].yuan - form.expend_yuan) < 0.5:
            formula = form.style["formula"]
            put(f"E{row}", formula, b[key].mark, money_format)
            continue
        put(f"E{row}", value, b[key].mark, money_format)
    put("A10", "总体绩效目标")
    put("B10", "\n".join(g.text for g in form.goals), next((g.mark for g in form.goals if g.mark), ""))
    ws.merge_cells(f"B10:{last_col}10")
    row = 11
    put(f"A{row}", "年度重点工作任务")
    ws.merge_cells(f"A{row}:A{row + len(form.tasks)}")
    for col, value in zip(
        "BCDE", ("名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"), strict=True
    ):
        put(f"{col}{row}", value)
    for task in form.tasks:
        row += 1
        put(f"B{row}", task.name)
        put(f"C{row}", task.content)
        amount = float(task.printed) if task.printed else round(task.planned_yuan / 10_000, 6)
        put(f"D{row}", amount, task.mark, money_format)
        put(f"E{row}", task.outcome)
    row += 1
    put(f"A{row}", "其他需完成的任务（可选填）")
    ws.merge_cells(f"B{row}:{last_col}{row}")
    row += 1
    first = row
    put(f"A{row}", "绩效指标")
    headers = ["一级指标", "二级指标", "三级指标"] + (
        ["实施周期指标值", "年度指标值"] if form.two_columns else ["指标值"]
    )
    for col, value in zip("BCDEF", headers, strict=False):
        put(f"{col}{row}", value)
    for block in form.blocks:
        block_first = row + 1
        for group in block.groups:
            group_first = row + 1
            if not group.rows:
                row += 1
                put(f"C{row}", group.label, group.mark)
                continue
            for item in group.rows:
                row += 1
                put(f"D{row}", item.name, item.mark)
                _value_cells(form, put, row, item)
            put(f"C{group_first}", group.label, group.mark)
            if row > group_first:
                ws.merge_cells(f"C{group_first}:C{row}")
        if block.print_label:
            put(f"B{block_first}", block.label)
        if row > block_first:
            ws.merge_cells(f"B{block_first}:B{row}")
    ws.merge_cells(f"A{first}:A{row}")
    for col, size in zip("ABCDEF", (14.5, 22, 30, 26, 18, 18), strict=False):
        ws.column_dimensions[col].width = size
    book.save(path)
    # An uncached =SUM(C5:C6) over rows holding merged cells crashes perfaudit's formula
    # evaluator (MergedCell has no column_letter; see benchmarks/README.md), so SUM is always
    # cached here, as Excel and WPS save it; =C5+C6 comes both ways.
    if formula and (form.style["cached"] or formula.startswith("=SUM")):
        _cache_formula_value(path, formula[1:], round(b["fiscal"].yuan / 10_000, 6))
    return refs


def _amount(line) -> float:
    return float(line.printed) if line.printed else round(line.yuan / 10_000, 6)


def _value_cells(form: Form, put, row: int, item: Row) -> None:
    columns = [("E", item.period), ("F", item.annual)] if form.two_columns else [("E", item.annual)]
    for col, value in columns:
        number_format = item.number_format if isinstance(value, int | float) else ""
        put(f"{col}{row}", value, "", number_format)


def _cache_formula_value(path: Path, formula: str, value: float) -> None:
    """Store the formula's result as Excel does (openpyxl writes formulas without one)."""
    with zipfile.ZipFile(path) as source:
        items = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = items[sheet].decode("utf-8")
    escaped = formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    xml = xml.replace(f"<f>{escaped}</f><v></v>", f"<f>{escaped}</f><v>{value:.6f}</v>", 1)
    xml = xml.replace(f"<f>{escaped}</f><v />", f"<f>{escaped}</f><v>{value:.6f}</v>", 1)
    items[sheet] = xml.encode("utf-8")
    temp = path.with_suffix(".tmp-cache")
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in items.items():
            target.writestr(name, data)
    temp.replace(path)
