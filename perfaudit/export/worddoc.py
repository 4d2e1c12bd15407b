"""``findings.docx``: a Word draft of the findings section, grouped by department and severity.

Word picks the font of a Chinese character from ``w:rFonts/@w:eastAsia``, and a theme
attribute (``w:eastAsiaTheme``, which python-docx's default styles carry) overrides it. A font
set through python-docx's ``font.name`` alone only changes the Latin font, so Chinese text falls
back to whatever the theme says (often a Japanese or Latin face). Here every style used and every
run names its East Asian font explicitly, the theme attributes are removed, and runs carry
``w:hint="eastAsia"`` so that shared punctuation (“” ：) is set in the Chinese font too.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from perfaudit.atomic import write_atomically
from perfaudit.export import common
from perfaudit.export.common import SEVERITIES, label, text

TITLE = "预算绩效目标审核发现（初稿）"
BODY_FONT = ("Times New Roman", "宋体")  # (Latin, East Asian): the usual pair of Chinese official drafts
HEADING_FONT = ("Arial", "黑体")
MUTED = (0x5F, 0x6B, 0x7A)
NUMERALS = "〇一二三四五六七八九"
TEXT_WIDTH_MM = 166  # A4 less 22 mm margins


def export_findings_docx(audit, path: Path) -> Path:
    """Write the Word draft atomically to ``path``; the same audit gives the same bytes."""
    data = stable_zip(build_document(audit))
    return write_atomically(path, lambda temp: Path(temp).write_bytes(data))


def stable_zip(document) -> bytes:
    """The saved document with every zip entry dated 1980-01-01, so reruns do not differ by the clock."""
    source = io.BytesIO()
    document.save(source)
    target = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            new.writestr(entry, old.read(info))
    return target.getvalue()


def build_document(audit):
    """The draft as a python-docx Document (not saved)."""
    facts = common.run_facts(audit)
    findings = common.sorted_findings(audit)
    document = Document()
    _page(document)
    _styles(document)
    document.core_properties.title = TITLE
    document.core_properties.author = f"perfaudit {facts.version}"
    document.core_properties.comments = "由 perfaudit 自动生成的审核发现初稿"

    _paragraph(document, TITLE, style="Title")
    _paragraph(
        document,
        f"{len(audit.forms)} 份表格 · 运行 {facts.rule_count} 项检查 · 发现 {len(findings)} 条"
        f" · perfaudit {facts.version}",
        size=9,
        colour=MUTED,
    )
    _paragraph(
        document,
        "本稿列出自动审核的发现，按部门和严重程度分组。每条发现注明规则、来源位置、依据和建议，"
        "须由审核人员对照原表逐条核实、修改后定稿。",
    )
    _summary_table(document, common.form_counts(audit))
    if findings.empty:
        _paragraph(document, "没有发现。")
    department = findings.apply(common.department_of, axis=1) if len(findings) else pd.Series(dtype="str")
    for number, (name, part) in enumerate(findings.groupby(department, sort=False), start=1):
        _heading(document, f"{chinese_number(number)}、{name}", level=1)
        sections = [s for s in SEVERITIES if (part["severity"] == s).any()]
        sections += [s for s in dict.fromkeys(part["severity"].map(text)) if s not in SEVERITIES]
        for sub, severity in enumerate(sections, start=1):
            rows = part[part["severity"].map(text) == severity]
            _heading(document, f"（{chinese_number(sub)}）{label('severity', severity)}（{len(rows)} 条）", level=2)
            for index, row in enumerate(rows.to_dict("records"), start=1):
                _finding(document, index, row)
    return document


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (enough for headings)."""
    if n < 10:
        return NUMERALS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")
    return str(n)


# -- fonts ------------------------------------------------------------------------------------

_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr_owner, latin: str, east_asian: str) -> None:
    """Name the Latin and East Asian fonts on an element with run properties (a style or a run)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _set_language(rpr_owner) -> None:
    rpr = rpr_owner.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _styles(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if run_defaults is not None:
        fonts = run_defaults.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            for attribute in _THEME_ATTRIBUTES:
                fonts.attrib.pop(qn(attribute), None)
            fonts.set(qn("w:ascii"), BODY_FONT[0])
            fonts.set(qn("w:hAnsi"), BODY_FONT[0])
            fonts.set(qn("w:eastAsia"), BODY_FONT[1])
    normal = document.styles["Normal"]
    set_fonts(normal.element, *BODY_FONT)
    _set_language(normal.element)
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.3
    for name, size in (("Title", 18), ("Heading 1", 15), ("Heading 2", 13)):
        style = document.styles[name]
        set_fonts(style.element, *HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0x1F, 0x29, 0x33)
        style.paragraph_format.space_before = Pt(14 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(6)
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.styles["Table Grid"]
    set_fonts(table.element, *BODY_FONT)


def _page(document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm((210 - TEXT_WIDTH_MM) / 2)
        section.top_margin = section.bottom_margin = Mm(25)


# -- content ----------------------------------------------------------------------------------


def _run(paragraph, content: str, bold: bool = False, size: float | None = None, colour=None, heading=False):
    run = paragraph.add_run(content)
    set_fonts(run._element, *(HEADING_FONT if heading else BODY_FONT))
    run._element.rPr.rFonts.set(qn("w:hint"), "eastAsia")
    if bold:
        run.bold = True
    if size:
        run.font.size = Pt(size)
    if colour:
        run.font.color.rgb = RGBColor(*colour)
    return run


def _paragraph(document, content: str, style: str | None = None, size=None, colour=None):
    paragraph = document.add_paragraph(style=style)
    _run(paragraph, content, size=size, colour=colour, heading=style in ("Title",))
    return paragraph


def _heading(document, content: str, level: int):
    paragraph = document.add_heading(level=level)
    _run(paragraph, content, heading=True)
    return paragraph


SUMMARY_WIDTHS_MM = {"部门": 46, "年度": 12, "文档编号": 38}  # the counts share what is left


def _summary_table(document, counts: pd.DataFrame) -> None:
    table = document.add_table(rows=1, cols=len(counts.columns))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    fixed = sum(SUMMARY_WIDTHS_MM.get(c, 0) for c in counts.columns)
    rest = [c for c in counts.columns if c not in SUMMARY_WIDTHS_MM]
    widths = [Mm(SUMMARY_WIDTHS_MM.get(c) or (TEXT_WIDTH_MM - fixed) / max(1, len(rest))) for c in counts.columns]
    for cell, name in zip(table.rows[0].cells, counts.columns, strict=True):
        _run(cell.paragraphs[0], str(name), bold=True, size=9)
    for record in counts.itertuples(index=False, name=None):
        cells = table.add_row().cells
        for cell, value in zip(cells, record, strict=True):
            _run(cell.paragraphs[0], text(value), size=9)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice and WPS read
    for row in table.rows:
        for cell, width, name in zip(row.cells, widths, counts.columns, strict=True):  # the cells, which Word reads
            cell.width = width
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
            if name not in SUMMARY_WIDTHS_MM:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()


def _finding(document, index: int, row: dict) -> None:
    year = text(row.get("year"))
    status = text(row.get("status"))
    head = f"{index}. 【{year + '年｜' if year else ''}{text(row.get('rule_id'))} {text(row.get('title_zh'))}】"
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.space_after = Pt(2)
    paragraph.paragraph_format.keep_with_next = True
    _run(paragraph, head, bold=True)
    _run(paragraph, text(row.get("message")))
    if status and status != "open":
        _run(paragraph, f"〔{common.status_label(status)}〕", colour=MUTED)

    lines = [f"来源：{text(row.get('doc_id')) or '—'}  {text(row.get('source_ref')) or '—'}"]
    if common.facts_text(row):
        lines.append(common.facts_text(row))
    for key, name in (("basis", "依据"), ("advice", "建议"), ("note", "备注")):
        if text(row.get(key)):
            lines.append(f"{name}：{text(row.get(key))}")
    details = document.add_paragraph()
    details.paragraph_format.left_indent = Mm(7)
    details.paragraph_format.space_after = Pt(4)
    for number, line in enumerate(lines):
        run = _run(details, line, size=9.5, colour=MUTED)
        if number < len(lines) - 1:
            run.add_break()
