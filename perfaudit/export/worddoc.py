"""Word drafts of the findings section: ``findings.docx`` and one per department.

``departments/0001-<部门>.docx`` is a department's draft: every finding of its forms, grouped by
severity, each with its rule, message, source, basis and advice, for the auditor to check
against the forms and edit. ``findings.docx`` is the run's draft: while the run is small
(:func:`perfaudit.export.common.is_archive`) it holds every finding, grouped by department and
severity; an archive's holds the summary instead (findings per department; per rule the count, the departments with
the most and a few examples) and points to the departments' drafts. A document of every finding
of an archive (a quarter of a million of them) is one nobody can read or open.

Word picks the font of a Chinese character from ``w:rFonts/@w:eastAsia``, and a theme
attribute (``w:eastAsiaTheme``, which python-docx's default styles carry) overrides it. A font
set through python-docx's ``font.name`` alone only changes the Latin font, so Chinese text falls
back to whatever the theme says (often a Japanese or Latin face). Here every style used and every
run names its East Asian font explicitly, the theme attributes are removed, and runs carry
``w:hint="eastAsia"`` so that shared punctuation (“” ：) is set in the Chinese font too.

python-docx builds the package once (styles, fonts, page); the body is written as
WordprocessingML text, a few microseconds a finding (python-docx took 12 ms a finding, and more
as the document grew).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from perfaudit.atomic import write_atomically
from perfaudit.export import common
from perfaudit.export.common import SEVERITIES, label, text
from perfaudit.untrusted import xml_text
from perfaudit.version import __version__

TITLE = "预算绩效目标审核发现（初稿）"
BODY_FONT = ("Times New Roman", "宋体")  # (Latin, East Asian): the usual pair of Chinese official drafts
HEADING_FONT = ("Arial", "黑体")
MUTED = (0x5F, 0x6B, 0x7A)
NUMERALS = "〇一二三四五六七八九"
TEXT_WIDTH_MM = 166  # A4 less 22 mm margins
EXAMPLES = 3  # per rule in the summary: examples, and departments with the most findings
DEPARTMENT_ROWS = 30  # the summary's table: the departments with the most open findings


def export_findings_docx(audit, path: Path) -> Path:
    """Write ``findings.docx`` atomically to ``path``; the same audit gives the same bytes."""
    findings = common.sorted_findings(audit)
    body = _Body()
    _front(body, audit, findings)
    if not common.is_archive(audit):
        counts = common.form_counts(audit)
        body.table(counts, SUMMARY_WIDTHS_MM)
        if findings.empty:
            body.paragraph("没有发现。")
        departments = common.departments_of(findings)
        for number, (name, part) in enumerate(findings.groupby(departments, sort=False), start=1):
            body.heading(f"{chinese_number(number)}、{name}", level=1)
            _by_severity(body, part.to_dict("records"))
    else:
        _archive_summary(body, audit, findings)
    return write_atomically(path, lambda temp: Path(temp).write_bytes(package(body.xml())))


def export_department_drafts(audit, folder: Path, step: Callable[[], None] | None = None) -> list[Path]:
    """``<folder>/0001-<部门>.docx`` for every department of the run; returns the paths written."""
    records = common.findings_by_department(common.sorted_findings(audit))
    forms = Counter(common.departments_of(audit.forms.documents))
    written = []
    for department in common.department_files(audit):
        rows = records.get(department.name, [])
        body = _Body()
        body.paragraph(f"{TITLE}：{department.name}", style="Title", heading=True)
        body.paragraph(
            f"{forms[department.name]} 份表格 · 发现 {len(rows)} 条 · perfaudit {__version__}", size=9, colour=MUTED
        )
        body.paragraph(INTRODUCTION)
        if not rows:
            body.paragraph("没有发现。")
        _by_severity(body, rows)
        path = Path(folder) / f"{department.stem}.docx"
        data = package(body.xml(), title=f"{TITLE}：{department.name}")
        written.append(write_atomically(path, lambda temp, data=data: Path(temp).write_bytes(data)))
        if step is not None:
            step()
    return written


INTRODUCTION = (
    "本稿列出自动审核的发现，按部门和严重程度分组。每条发现注明规则、来源位置、依据和建议，"
    "须由审核人员对照原表逐条核实、修改后定稿。"
)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (enough for headings)."""
    if n < 10:
        return NUMERALS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")
    return str(n)


def _front(body: _Body, audit, findings: pd.DataFrame) -> None:
    body.paragraph(TITLE, style="Title", heading=True)
    body.paragraph(
        f"{len(audit.forms)} 份表格 · 运行 {audit.rule_count} 项检查 · 发现 {len(findings)} 条"
        f" · perfaudit {__version__}",
        size=9,
        colour=MUTED,
    )
    body.paragraph(INTRODUCTION)


def _by_severity(body: _Body, rows: list[dict]) -> None:
    """Findings (dicts, in order) under a heading per severity, the dictionary's order first."""
    sections: dict[str, list[dict]] = {s: [] for s in SEVERITIES}
    for row in rows:
        sections.setdefault(text(row.get("severity")), []).append(row)
    shown = [(name, part) for name, part in sections.items() if part]
    for sub, (name, part) in enumerate(shown, start=1):
        body.heading(f"（{chinese_number(sub)}）{label('severity', name)}（{len(part)} 条）", level=2)
        for index, row in enumerate(part, start=1):
            _finding(body, index, row)


def _archive_summary(body: _Body, audit, findings: pd.DataFrame) -> None:
    """The summary of an archive: per department, then per rule with the worst cases and examples."""
    body.paragraph(
        f"发现共 {len(findings):,} 条，逐条列出不便阅读；本稿为汇总，各部门的全部发现见输出文件夹 departments/ 中"
        "各部门的初稿（0001-部门名称.docx），完整清单见工作底稿 workpaper.xlsx 和 findings.csv。"
    )
    counts = common.department_counts(audit)
    severities = [label("severity", s) for s in SEVERITIES]
    worst = counts.assign(_open=counts[severities].sum(axis=1)).sort_values("_open", ascending=False, kind="stable")
    body.paragraph(
        f"待处理的发现最多的 {min(DEPARTMENT_ROWS, len(counts))} 个部门如下（共 {len(counts):,} 个部门，"
        "全部见 report.html 的“各部门”表）。"
    )
    body.table(worst.drop(columns="_open").head(DEPARTMENT_ROWS), {"部门": 56})
    body.heading("一、按规则汇总（待处理的发现）", level=1)
    findings = findings[findings["status"].map(text) == "open"]
    departments = common.departments_of(findings)
    for number, (rule, part) in enumerate(_rules_by_count(findings), start=1):
        first = part.iloc[0]
        where = departments.loc[part.index]
        body.heading(
            f"（{chinese_number(number)}）{rule} {text(first['title_zh'])}"
            f"（{len(part):,} 条，{where.nunique():,} 个部门）",
            level=2,
        )
        worst = where.value_counts().head(EXAMPLES)
        body.paragraph("发现最多的部门：" + "；".join(f"{name} {count:,} 条" for name, count in worst.items()))
        examples = part.loc[~where.duplicated()].head(EXAMPLES)
        for index, row in enumerate(examples.to_dict("records"), start=1):
            _finding(body, index, row)


def _rules_by_count(findings: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The findings of each rule, the rule with the most first (ties in rule order)."""
    groups = list(findings.groupby(findings["rule_id"].map(text), sort=False))
    return sorted(groups, key=lambda item: -len(item[1]))


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

SUMMARY_WIDTHS_MM = {"部门": 46, "年度": 12, "文档编号": 38}  # the counts share what is left


def _finding(body: _Body, index: int, row: dict) -> None:
    year = text(row.get("year"))
    status = text(row.get("status"))
    head = f"{index}. 【{year + '年｜' if year else ''}{text(row.get('rule_id'))} {text(row.get('title_zh'))}】"
    runs = [_run(head, bold=True), _run(text(row.get("message")))]
    if status and status != "open":
        runs.append(_run(f"〔{common.status_label(status)}〕", colour=MUTED))
    body.add(_paragraph_xml(runs, before=6, after=2, keep_with_next=True))

    lines = [f"来源：{text(row.get('doc_id')) or '—'}  {text(row.get('source_ref')) or '—'}"]
    if common.facts_text(row):
        lines.append(common.facts_text(row))
    for key, name in (("basis", "依据"), ("advice", "建议"), ("note", "备注")):
        if text(row.get(key)):
            lines.append(f"{name}：{text(row.get(key))}")
    details = [_run(line, size=9.5, colour=MUTED, brk=number < len(lines) - 1) for number, line in enumerate(lines)]
    body.add(_paragraph_xml(details, after=4, indent_mm=7))


class _Body:
    """The paragraphs and tables of a document as WordprocessingML text."""

    def __init__(self):
        self.parts: list[str] = []

    def add(self, xml: str) -> None:
        self.parts.append(xml)

    def xml(self) -> str:
        return "".join(self.parts)

    def paragraph(self, content: str, style: str | None = None, size=None, colour=None, heading=False) -> None:
        self.add(_paragraph_xml([_run(content, size=size, colour=colour, heading=heading)], style=style))

    def heading(self, content: str, level: int) -> None:
        self.add(_paragraph_xml([_run(content, heading=True)], style=f"Heading{level}"))

    def table(self, counts: pd.DataFrame, fixed_mm: dict[str, float]) -> None:
        """A table of counts: named columns at their widths, the counts sharing the rest, right-aligned."""
        fixed = sum(fixed_mm.get(c, 0) for c in counts.columns)
        rest = [c for c in counts.columns if c not in fixed_mm]
        widths = [_twips(fixed_mm.get(c) or (TEXT_WIDTH_MM - fixed) / max(1, len(rest))) for c in counts.columns]
        right = [c not in fixed_mm for c in counts.columns]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        rows = [_row_xml([str(c) for c in counts.columns], widths, right, bold=True)]
        for record in counts.itertuples(index=False, name=None):
            rows.append(_row_xml([text(v) for v in record], widths, right))
        self.add(
            '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" '
            'w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )
        self.add("<w:p/>")


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _row_xml(values: list[str], widths: list[int], right: list[bool], bold: bool = False) -> str:
    cells = []
    for value, width, align in zip(values, widths, right, strict=True):
        jc = '<w:jc w:val="right"/>' if align else ""
        paragraph = f'<w:p><w:pPr><w:spacing w:after="0"/>{jc}</w:pPr>{_run(value, bold=bold, size=9)}</w:p>'
        cells.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>{paragraph}</w:tc>')
    return f"<w:tr>{''.join(cells)}</w:tr>"


def _run(content: str, bold=False, size: float | None = None, colour=None, heading=False, brk=False) -> str:
    """One run: its fonts named (East Asian too), then bold, colour and size, then the text."""
    latin, east_asian = HEADING_FONT if heading else BODY_FONT
    properties = (
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:cs="{latin}" w:eastAsia="{east_asian}" w:hint="eastAsia"/>'
    )
    if bold:
        properties += "<w:b/>"
    if colour:
        properties += '<w:color w:val="{:02X}{:02X}{:02X}"/>'.format(*colour)
    if size:
        properties += f'<w:sz w:val="{round(size * 2)}"/>'
    line_break = "<w:br/>" if brk else ""
    # a line break inside a text is a break in the run, as python-docx writes it
    lines = '</w:t><w:br/><w:t xml:space="preserve">'.join(_escape(line) for line in content.split("\n"))
    return f'<w:r><w:rPr>{properties}</w:rPr><w:t xml:space="preserve">{lines}</w:t>{line_break}</w:r>'


def _paragraph_xml(
    runs: list[str],
    style: str | None = None,
    before: float | None = None,
    after: float | None = None,
    keep_with_next: bool = False,
    indent_mm: float | None = None,
) -> str:
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if keep_with_next:
        properties += "<w:keepNext/>"
    if before is not None or after is not None:
        spacing = (f' w:before="{round(before * 20)}"' if before is not None else "") + (
            f' w:after="{round(after * 20)}"' if after is not None else ""
        )
        properties += f"<w:spacing{spacing}/>"
    if indent_mm is not None:
        properties += f'<w:ind w:left="{_twips(indent_mm)}"/>'
    return f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}{''.join(runs)}</w:p>"


def _escape(content: str) -> str:
    return escape(xml_text(content))


# -- the package --------------------------------------------------------------------------------

_BODY = re.compile(r"(?s)(.*<w:body>).*?(<w:sectPr.*)")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry: reruns do not differ by the clock


@functools.cache
def _shell() -> tuple[tuple[tuple[str, bytes], ...], str, str]:
    """The package python-docx makes with the page, styles and fonts: its parts and the body's frame."""
    document = Document()
    _page(document)
    _styles(document)
    document.core_properties.author = f"perfaudit {__version__}"
    document.core_properties.comments = "由 perfaudit 自动生成的审核发现初稿"
    saved = io.BytesIO()
    document.save(saved)
    with zipfile.ZipFile(saved) as package_:
        parts = tuple((info.filename, package_.read(info)) for info in package_.infolist())
    xml = dict(parts)["word/document.xml"].decode("utf-8")
    head, tail = _BODY.fullmatch(xml).groups()
    return parts, head, tail


@functools.cache
def _template() -> bytes:
    """The shell's package without its body and core properties, compressed once."""
    parts, _, _ = _shell()
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts:
            if name not in _PER_DOCUMENT:
                out.writestr(_entry(name), data)
    return target.getvalue()


_PER_DOCUMENT = ("word/document.xml", "docProps/core.xml")


def _entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def package(body_xml: str, title: str = TITLE) -> bytes:
    """A .docx of the shell with ``body_xml`` as its body and ``title`` as its title.

    The shell's other parts are copied as they were compressed once (a zip opened for
    appending); only the body and the core properties are compressed for each document.
    """
    parts, head, tail = _shell()
    core = _with_title(dict(parts)["docProps/core.xml"].decode("utf-8"), title)
    target = io.BytesIO(_template())
    target.seek(0, io.SEEK_END)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as out:
        out.writestr(_entry("word/document.xml"), (head + body_xml + tail).encode("utf-8"))
        out.writestr(_entry("docProps/core.xml"), core.encode("utf-8"))
    return target.getvalue()


def _with_title(core: str, title: str) -> str:
    element = f"<dc:title>{_escape(title)}</dc:title>"
    if "<dc:title" in core:
        return re.sub(r"<dc:title\s*/>|<dc:title>.*?</dc:title>", lambda _: element, core, count=1, flags=re.S)
    return core.replace("</cp:coreProperties>", element + "</cp:coreProperties>")
