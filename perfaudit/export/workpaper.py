"""``workpaper.xlsx``: the audit working paper (审核工作底稿) an auditor opens in Excel or WPS.

Sheets, in order: 概况 (counts by severity, rule and form), 发现 (one row per finding: Chinese
headers, severity colours, autofilter, frozen header, source references, ledger status; past
Excel's 1,048,576 rows the findings go on in 发现 (2), …), 图表 (the chart PNGs), 预算勾稽 and
单位成本 (the derived reconciliations), one sheet per table of the forms (a table of more than
100,000 rows only names its CSV file), 规则库 (every check of the rulebook) and 运行记录 (version,
rules not run, inputs with sha256, time). The rows of the tables are streamed into the file
(:mod:`perfaudit.export.xlsxstream`), so an archive's working paper takes about constant memory.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from perfaudit.atomic import write_atomically
from perfaudit.export import common, xlsxstream
from perfaudit.export.common import label, text
from perfaudit.fields import TABLES, severity_colour
from perfaudit.strings import WIDE_CHARACTERS, display_width
from perfaudit.untrusted import protect_cell

# 等线 (DengXian) is the body font of Excel and WPS in Chinese; Calibri, openpyxl's default, has no
# Chinese glyphs and sets them on a fallback font's baseline.
FONT_NAME = "等线"
FONT_SIZE = 11
LINE_HEIGHT_PT = 14.5
HEADER_FILL = "FFDDE4EE"
BORDER_COLOUR = "FFB7C0CC"
# Columns of long prose wrap at these widths (in Excel's character units); others fit their text.
WRAP_WIDTHS = {
    "message": 56,
    "basis": 40,
    "advice": 40,
    "subject": 32,
    "department": 16,
    "title_zh": 18,
    "source_ref": 22,
    "note": 30,
    "gap_note": 48,
    "text": 60,
    "content": 60,
    "expected_outcome": 40,
    "phrase": 32,
    "title": 40,
    "name": 30,
    "task_name": 24,
    "source_path": 44,
    "reason": 68,
}
MAX_WIDTH = 48
STYLE_PREFIX = "perfaudit-"
CENTRED = {"year", "severity", "status", "task_no", "goal_no", "row_no"}
CHART_BOX_PX = (900, 560)  # a chart and its caption fit a landscape A4 page at this size
ROW_HEIGHT_PX = 20  # Excel's default row height (15 pt) in pixels


TABLE_ROWS = 100_000
"""A table of the forms with more rows stays out of the workbook: ``tables/<table>.csv`` holds it."""


def export_workpaper(audit, path: Path, charts: list[Path], progress=None) -> Path:
    """Write the working paper atomically to ``path``.

    The rows of the findings and of every table are streamed into the file
    (:mod:`perfaudit.export.xlsxstream`); findings past Excel's last row go on to a second
    sheet (发现 (2), …); a table of more than :data:`TABLE_ROWS` rows is named in its sheet and
    left to its CSV file. ``progress``: called with the name of each sheet as it is laid out.
    """
    facts = common.run_facts(audit)
    book = Workbook()
    book.remove(book.active)
    _add_styles(book)
    step = progress or (lambda name: None)
    streams = [_summary_sheet(book, audit, facts)]
    step("findings")
    streams += _findings_sheets(book, common.sorted_findings(audit))
    _charts_sheet(book, charts)
    streams.append(_frame_sheet(book, label("sheet", "reconciliation"), common.reconciliation(audit), "reconciliation"))
    streams.append(_frame_sheet(book, label("sheet", "unit_costs"), common.unit_costs(audit), "unit_costs"))
    for table in TABLES:
        step(table)
        frame = audit.forms.tables[table]
        if len(frame) > TABLE_ROWS:
            _pointer_sheet(book, label("sheet", table), table, len(frame))
        else:
            streams.append(_frame_sheet(book, label("sheet", table), frame, table))
    streams.append(_rulebook_sheet(book, facts.rulebook))
    streams.append(_run_log_sheet(book, audit, facts))
    book.properties.title = "预算绩效目标审核工作底稿"
    book.properties.creator = f"perfaudit {facts.version}"
    step("saving")
    return write_atomically(path, lambda temp: xlsxstream.save(book, Path(temp), streams))


# -- cells and layout -------------------------------------------------------------------------


NUMBER_FORMATS = {"money": "#,##0.00", "share": "0.0%", "decimal": "0.00"}


def _column_style(column: str, wrap: bool) -> str:
    """The named style of a column's cells."""
    if column.endswith(("_yuan", "_wan")):
        return "money"
    if column.endswith("_share"):
        return "share"
    if column.startswith("robust_z"):
        return "decimal"
    if column in CENTRED:
        return "centre"
    return "wrap" if wrap else "body"


def _add_styles(book) -> None:
    """Register the named styles once.

    A cell then refers to one by name instead of carrying its own font, border and alignment objects (much faster to
    write and a smaller file).
    """
    side = Side(style="thin", color=BORDER_COLOUR)
    border = Border(left=side, right=side, top=side, bottom=side)
    font = Font(name=FONT_NAME, size=FONT_SIZE)
    top = Alignment(vertical="top")
    styles = {
        "body": {"alignment": top},
        "wrap": {"alignment": Alignment(vertical="top", wrap_text=True)},
        "centre": {"alignment": Alignment(vertical="top", horizontal="center")},
        "money": {"alignment": top, "number_format": NUMBER_FORMATS["money"]},
        "share": {"alignment": top, "number_format": NUMBER_FORMATS["share"]},
        "decimal": {"alignment": top, "number_format": NUMBER_FORMATS["decimal"]},
        "header": {
            "font": Font(name=FONT_NAME, size=FONT_SIZE, bold=True),
            "fill": PatternFill("solid", fgColor=HEADER_FILL),
            "alignment": Alignment(vertical="center", wrap_text=True),
        },
        "decided": {"font": Font(name=FONT_NAME, size=FONT_SIZE, italic=True, color="FF7F8C8D"), "alignment": top},
    }
    for severity in common.SEVERITIES + ("other",):
        colour = severity_colour(severity).lstrip("#").upper()
        styles[f"severity-{severity}"] = {
            "font": Font(name=FONT_NAME, size=FONT_SIZE, bold=True, color="FFFFFFFF"),
            "fill": PatternFill("solid", fgColor=f"FF{colour}"),
            "alignment": Alignment(vertical="top", horizontal="center"),
        }
    for name, parts in styles.items():
        book.add_named_style(NamedStyle(name=f"{STYLE_PREFIX}{name}", **{"font": font, "border": border, **parts}))
    for size in (12, 14, 16):
        book.add_named_style(
            NamedStyle(name=f"{STYLE_PREFIX}title-{size}", font=Font(name=FONT_NAME, size=size, bold=True))
        )
    book.add_named_style(NamedStyle(name=f"{STYLE_PREFIX}text", font=font))  # free text outside tables


def _put(sheet, row: int, column: int, value: object, style: str = "body"):
    cell = sheet.cell(row=row, column=column, value=xlsxstream.cell_value(value))
    cell.style = f"{STYLE_PREFIX}{style}"
    protect_cell(cell)  # a text such as "=C5+C6" stays text, never a formula (after the style)
    return cell


def _header(sheet, row: int, labels: list[str]) -> None:
    for column, name in enumerate(labels, start=1):
        _put(sheet, row, column, name, "header")


def _section_title(sheet, row: int, title: str, size: int = 12) -> None:
    cell = sheet.cell(row=row, column=1, value=title)
    cell.style = f"{STYLE_PREFIX}title-{size}"
    protect_cell(cell)  # a title may carry a department's name


def _write_table(
    sheet, start_row: int, frame: pd.DataFrame, labels: list[str], columns: list[str], wrap: set[str] | None = None
) -> int:
    """Header and rows from ``start_row`` as openpyxl cells (a small table); returns the last row written.

    Cells of the ``wrap`` columns (by default every prose column of ``WRAP_WIDTHS``) wrap.
    """
    _header(sheet, start_row, labels)
    wrap = set(WRAP_WIDTHS) if wrap is None else wrap
    styles = [_column_style(c, c in wrap) for c in columns]
    row = start_row
    for row, record in enumerate(frame.itertuples(index=False, name=None), start=start_row + 1):
        for column, (value, style) in enumerate(zip(record, styles, strict=True), start=1):
            _put(sheet, row, column, value, style)
    return row


def _stream_table(
    sheet, start_row: int, frame: pd.DataFrame, labels: list[str], columns: list[str], wrap: set[str] | None = None
) -> xlsxstream.Rows:
    """The header at ``start_row`` now; the rows streamed into the file when the book is saved."""
    _header(sheet, start_row, labels)
    wrap = set(WRAP_WIDTHS) if wrap is None else wrap
    styles = [_column_style(c, c in wrap) for c in columns]
    return xlsxstream.Rows(sheet, frame[columns].reset_index(drop=True), styles, start_row + 1)


SAMPLE_ROWS = 1_000  # widths are read from this many rows of a streamed table, spread over it


def _shown(value: object, style: str) -> str:
    if isinstance(value, float) and style in ("money", "share", "decimal") and value == value:
        return f"{value:,.2f}"
    return text(value)


def _fit_columns(
    sheet,
    columns: list[str] | None = None,
    skip_rows: frozenset[int] = frozenset(),
    caps: list[int] | None = None,
    streams: tuple[xlsxstream.Rows, ...] = (),
) -> None:
    """Width of each column from its longest line (wide characters count two), capped.

    The cells openpyxl holds are all measured; a streamed table by :data:`SAMPLE_ROWS` of its
    rows. The cap of a column is ``caps[i]`` when given, else its wrap width when it holds prose.
    """
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or cell.row in skip_rows:
                continue
            shown = text(cell.value)
            if isinstance(cell.value, float) and cell.number_format in NUMBER_FORMATS.values():
                shown = f"{cell.value:,.2f}"
            longest = max(display_width(line) for line in shown.splitlines() or [""])
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for stream in streams:
        sample = stream.frame.iloc[:: max(1, len(stream.frame) // SAMPLE_ROWS)]
        if sample.empty:
            continue
        for index, style in enumerate(stream.styles, start=1):
            shown = sample.iloc[:, index - 1].map(lambda v, s=style: _shown(v, s)).astype("str")
            lines = shown.str.split("\n").explode()
            if len(lines):
                longest = (lines.str.len() + lines.str.count(WIDE_CHARACTERS)).max()
                widths[index] = max(widths.get(index, 0), int(longest) if longest == longest else 0)
    for index, width in widths.items():
        name = columns[index - 1] if columns and index <= len(columns) else ""
        cap = caps[index - 1] if caps and index <= len(caps) else WRAP_WIDTHS.get(name, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = max(6, min(cap, width + 2))


def _fit_rows(sheet, first_row: int = 1, streams: tuple[xlsxstream.Rows, ...] = ()) -> None:
    """Heights for rows whose wrapped cells need more than one line.

    Excel sizes such rows itself, but LibreOffice and some WPS versions keep one line unless
    the file states a height, so the height is estimated from the text and the column width
    (for a streamed table, column by column over all its rows at once).
    """
    for row in sheet.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            width = sheet.column_dimensions[get_column_letter(cell.column)].width or 10
            usable = max(1, width - 1.5)
            needed = sum(max(1, -(-display_width(part) // int(usable))) for part in text(cell.value).splitlines())
            lines = max(lines, needed)
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = round(lines * LINE_HEIGHT_PT + 3, 1)
    for stream in streams:
        lines = np.ones(len(stream.frame), dtype="int64")
        for index, style in enumerate(stream.styles, start=1):
            if style != "wrap":
                continue
            width = sheet.column_dimensions[get_column_letter(index)].width or 10
            usable = int(max(1, width - 1.5))
            values = stream.frame.iloc[:, index - 1].map(text)
            parts = values.str.split("\n")
            per_part = parts.explode()
            shown = (per_part.str.len() + per_part.str.count(WIDE_CHARACTERS)).fillna(0).astype("int64")
            needed = (-(-shown // usable)).clip(lower=1).groupby(level=0).sum()
            lines = np.maximum(lines, needed.reindex(range(len(stream.frame)), fill_value=1).to_numpy())
        stream.heights = pd.Series(np.where(lines > 1, np.round(lines * LINE_HEIGHT_PT + 3, 1), np.nan))


def _page_setup(sheet, title_rows: str | None = "1:1") -> None:
    """Print landscape on A4, as wide as one page, with the header repeated on every page."""
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if title_rows:
        sheet.print_title_rows = title_rows


def _filtered(sheet, last_row: int, n_columns: int) -> None:
    """Autofilter over the table and a frozen header row."""
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(n_columns, 1))}{max(last_row, 1)}"


# -- the sheets -------------------------------------------------------------------------------


def _summary_sheet(book, audit, facts: common.RunFacts) -> xlsxstream.Rows:
    sheet = book.create_sheet(label("sheet", "summary"))
    findings = audit.findings
    _section_title(sheet, 1, "预算绩效目标审核工作底稿", size=16)
    line = (
        f"{len(audit.forms)} 份表格，运行 {facts.rule_count} 项检查，发现 {len(findings)} 条；"
        f"perfaudit {facts.version}，生成于 {facts.generated_at}"
    )
    sheet.cell(row=2, column=1, value=line).style = f"{STYLE_PREFIX}text"
    titles = {1, 2}
    row = 4
    blocks = [("按严重程度和状态", common.severity_counts(findings)), ("按规则", common.rule_counts(findings))]
    for title, frame in blocks:
        _section_title(sheet, row, title)
        titles.add(row)
        last = _write_table(sheet, row + 1, frame, list(frame.columns), list(frame.columns))
        row = last + 2
    # one row per form: last, streamed (an archive's thousands of forms)
    _section_title(sheet, row, "按部门和年度（待处理的发现；未能评估为未能运行的检查数）")
    titles.add(row)
    counts = common.form_counts(audit)
    stream = _stream_table(sheet, row + 1, counts, list(counts.columns), list(counts.columns))
    _fit_columns(sheet, skip_rows=frozenset(titles), streams=(stream,))
    _fit_rows(sheet, streams=(stream,))
    _page_setup(sheet, title_rows=None)
    return stream


def _findings_sheets(book, findings: pd.DataFrame) -> list[xlsxstream.Rows]:
    """发现, and 发现 (2), 发现 (3) … for the findings past the last row of a sheet."""
    columns = common.finding_columns(findings)
    shown = findings[columns].copy()
    for column in ("severity", "status", "change"):
        if column in shown:
            names = {v: label(column, v) if v else "" for v in set(shown[column].map(text))}
            shown[column] = shown[column].map(text).map(names)
    # Only the printed columns wrap: the detail (subject, basis, …) keeps rows short and shows in
    # full in the formula bar.
    printed = common.printed_count(columns)
    wrap = set(columns[:printed]) & (set(WRAP_WIDTHS) | {"note"})
    severity = findings["severity"].where(findings["severity"].isin(common.SEVERITIES), "other")
    styles = {columns.index("severity"): "severity-" + severity}
    if "status" in columns:
        decided = findings["status"].map(text) != "open"
        styles[columns.index("status")] = pd.Series("centre", index=findings.index).where(~decided, "decided")
    per_sheet = xlsxstream.EXCEL_ROWS - 1
    streams = []
    for number, start in enumerate(range(0, max(1, len(findings)), per_sheet), start=1):
        title = label("sheet", "findings") + (f" ({number})" if number > 1 else "")
        sheet = book.create_sheet(title)
        part = slice(start, start + per_sheet)
        stream = _stream_table(sheet, 1, shown.iloc[part], [label("findings", c) for c in columns], columns, wrap)
        stream.row_styles = {c: s.iloc[part].reset_index(drop=True) for c, s in styles.items()}
        _fit_columns(sheet, columns, streams=(stream,))
        _fit_rows(sheet, streams=(stream,))
        last = max(stream.last_row, 1)
        _filtered(sheet, last, len(columns))
        _page_setup(sheet)
        # On paper: the columns an auditor reads (up to the advice); the detail stays on screen.
        sheet.print_area = f"A1:{get_column_letter(printed)}{last}"
        streams.append(stream)
    return streams


def _charts_sheet(book, charts: list[Path]) -> None:
    """Each chart under its caption, scaled to a landscape page, one chart per printed page."""
    sheet = book.create_sheet(label("sheet", "charts"))
    if not charts:
        sheet.cell(row=1, column=1, value="本次未生成图表。").style = f"{STYLE_PREFIX}text"
        return
    row = 1
    for path in charts:
        if row > 1:
            sheet.row_breaks.append(Break(id=row - 1))
        _section_title(sheet, row, common.chart_title(path))
        image = Image(io.BytesIO(Path(path).read_bytes()))
        scale = min(1.0, CHART_BOX_PX[0] / image.width, CHART_BOX_PX[1] / image.height)
        image.width, image.height = round(image.width * scale), round(image.height * scale)
        sheet.add_image(image, f"A{row + 1}")
        rows = -(-image.height // ROW_HEIGHT_PX) + 1
        for spanned in range(row + 1, row + 1 + rows):  # stated, so every program reserves the same space
            sheet.row_dimensions[spanned].height = ROW_HEIGHT_PX * 0.75
        row += 1 + rows + 1
    sheet.column_dimensions["A"].width = 12
    _page_setup(sheet, title_rows=None)


def _frame_sheet(book, title: str, frame: pd.DataFrame, table: str) -> xlsxstream.Rows:
    sheet = book.create_sheet(title)
    columns = list(frame.columns)
    stream = _stream_table(sheet, 1, frame, [label(table, c) for c in columns], columns)
    _fit_columns(sheet, columns, streams=(stream,))
    _fit_rows(sheet, streams=(stream,))
    _filtered(sheet, max(stream.last_row, 1), len(columns))
    _page_setup(sheet)
    return stream


def _pointer_sheet(book, title: str, table: str, rows: int) -> None:
    """The sheet of a table too long for a workbook one opens: where its rows are instead."""
    sheet = book.create_sheet(title)
    _section_title(sheet, 1, title)
    line = f"本表共 {rows:,} 行，超过工作底稿收录的 {TABLE_ROWS:,} 行，完整数据见输出文件夹中的 tables/{table}.csv。"
    sheet.cell(row=2, column=1, value=line).style = f"{STYLE_PREFIX}text"
    sheet.column_dimensions["A"].width = 90


def _rulebook_sheet(book, rulebook: pd.DataFrame) -> xlsxstream.Rows:
    frame = rulebook.assign(severity=rulebook["severity"].map(lambda s: label("severity", s)))
    return _frame_sheet(book, label("sheet", "rulebook"), frame, "rulebook")


def _run_log_sheet(book, audit, facts: common.RunFacts) -> xlsxstream.Rows:
    sheet = book.create_sheet(label("sheet", "run_log"))
    _section_title(sheet, 1, "运行记录", size=14)
    facts_rows = [
        ("生成时间", facts.generated_at),
        ("perfaudit 版本", facts.version),
        ("Python 版本", facts.python),
        ("表格数", str(len(audit.forms))),
        ("运行的检查", f"{facts.rule_count} 项（{facts.rulebook['rule_id'].nunique()} 条规则，见“规则库”）"),
        ("未运行的规则", f"{len(facts.rules_not_run)} 条（见下表）"),
        ("发现数", str(len(audit.findings))),
    ]
    frame = pd.DataFrame(facts_rows, columns=["项目", "内容"])
    row = _write_table(sheet, 3, frame, list(frame.columns), list(frame.columns)) + 2
    titles = {1, row}
    _section_title(sheet, row, "未运行的规则")
    not_run = common.pick(facts.rules_not_run, ("rule_id", "title_zh", "reason"))
    row = _write_table(
        sheet, row + 1, not_run, ["规则编号", "规则名称", "未运行原因"], ["rule_id", "title_zh", "reason"]
    )
    row += 2
    titles.add(row)
    # one row per input file: last, streamed
    _section_title(sheet, row, "输入文件")
    inputs = common.pick(common.inputs(audit), INPUT_ORDER)
    columns = list(inputs.columns)
    stream = _stream_table(sheet, row + 1, inputs, [label("documents", c) for c in columns], columns)
    # the tables share columns: a document id or rule id, then a path or title, then a sha256 or reason
    caps = [24, 40, 68, 16, 30, 8, 10]
    _fit_columns(sheet, skip_rows=frozenset(titles), caps=caps, streams=(stream,))
    _fit_rows(sheet, streams=(stream,))
    _page_setup(sheet, title_rows=None)
    return stream


INPUT_ORDER = ("doc_id", "source_path", "source_sha256", "source_sheet", "department", "year", "year_source")
