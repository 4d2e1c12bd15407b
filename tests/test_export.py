"""Exports, read back and checked for content: the workbook with openpyxl, the Word draft with
python-docx, the report in a real headless browser, the workbook through LibreOffice."""

import dataclasses
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import perfaudit
from perfaudit.atomic import write_atomically
from perfaudit.audit import audit
from perfaudit.cli import main
from perfaudit.export import common, export_audit
from perfaudit.strings import display_width
from tests.conftest import DATA

DONGKENG = "东莞市东坑镇妇女联合会"
ZHANJIANG = "湛江市人力资源和社会保障局"
ARITH_MESSAGE = "重点工作任务（含基本支出）资金合计 106.64 万元"
SHEETS = [
    "概况",
    "发现",
    "图表",
    "预算勾稽",
    "单位成本",
    "文档信息",
    "预算",
    "预算执行",
    "总体目标",
    "支出明细",
    "重点任务",
    "任务产出",
    "绩效指标",
    "未识别内容",
    "规则库",
    "运行记录",
]
SCREENSHOT = Path("/tmp/perfaudit-report.png")
REVIEW_PDF = Path("/tmp/perfaudit-workpaper.pdf")


@pytest.fixture(scope="module")
def bundled_audit(bundled):
    return audit(bundled)


@pytest.fixture(scope="module")
def exported(bundled_audit, tmp_path_factory):
    """The bundled forms exported once: (folder, paths written)."""
    folder = tmp_path_factory.mktemp("export")
    return folder, bundled_audit.export(folder)


@pytest.fixture(scope="module")
def book(exported):
    from openpyxl import load_workbook

    return load_workbook(exported[0] / "workpaper.xlsx")


@pytest.fixture(scope="module")
def document(exported):
    import docx

    return docx.Document(str(exported[0] / "findings.docx"))


def arith_finding(findings: pd.DataFrame) -> pd.Series:
    found = findings[findings["message"].str.startswith(ARITH_MESSAGE)]
    assert len(found) == 1, "the bundled 东坑镇 form has one R-ARITH-03 finding"
    return found.iloc[0]


def has_cjk_font() -> bool:
    """Whether the machine can draw Chinese (else rendered text is checked by its ASCII parts)."""
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout.strip())


# -- the files ---------------------------------------------------------------------------------


def test_export_writes_every_output(exported, bundled_audit):
    folder, written = exported
    names = {p.relative_to(folder).as_posix() for p in written}
    assert {"findings.json", "findings.csv", "workpaper.xlsx", "report.html", "findings.docx"} <= names
    assert {f"tables/{t}.csv" for t in bundled_audit.forms.tables} <= names
    assert all(p.exists() and p.stat().st_size for p in written)
    assert names == {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert not list(folder.rglob("*.tmp"))


def test_csv_files_open_in_excel_as_utf8_with_bom(exported, bundled_audit):
    folder, written = exported
    for path in (p for p in written if p.suffix == ".csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path
    findings = pd.read_csv(folder / "findings.csv", encoding="utf-8-sig")
    assert ARITH_MESSAGE in arith_finding(findings)["message"]
    tasks = pd.read_csv(folder / "tables" / "tasks.csv", encoding="utf-8-sig")
    assert "妇联专项" in set(tasks["name"])


def test_python_and_command_line_write_the_same_files(exported, tmp_path, capsys):
    folder, _ = exported
    assert main(["audit", str(DATA), "--out", str(tmp_path), "-q"]) == 0
    ours = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert ours == theirs
    # Everything but the workbook (whose run log records the time) is the same byte for byte.
    for name in ours:
        if name != "workpaper.xlsx":
            assert (folder / name).read_bytes() == (tmp_path / name).read_bytes(), name
    assert sheet_values(folder / "workpaper.xlsx", "发现") == sheet_values(tmp_path / "workpaper.xlsx", "发现")


def sheet_values(path: Path, name: str) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(path, read_only=True)[name].iter_rows(values_only=True))


def test_rewriting_an_export_never_leaves_a_half_written_file(exported, bundled_audit, tmp_path, monkeypatch):
    from openpyxl import Workbook

    folder = tmp_path / "out"
    shutil.copytree(exported[0], folder)
    before = (folder / "workpaper.xlsx").read_bytes()

    def broken_save(self, filename):  # a path, or the buffer the streamed workbook is staged in
        half = b"PK\x03\x04 half a workbook"
        filename.write(half) if hasattr(filename, "write") else Path(filename).write_bytes(half)
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    monkeypatch.setattr(common, "write_chart_images", lambda audit, charts: sorted(charts.glob("*.png")))
    with pytest.raises(OSError, match="disk full"):
        export_audit(bundled_audit, folder)
    assert (folder / "workpaper.xlsx").read_bytes() == before
    assert not list(folder.rglob("*.tmp"))


def test_write_atomically_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("the old report", encoding="utf-8")

    def half(temp):
        Path(temp).write_text("<html><body>half", encoding="utf-8")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_atomically(target, half)
    assert target.read_text(encoding="utf-8") == "the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_findings_files_do_not_change_between_runs(exported, bundled_audit, tmp_path, monkeypatch):
    folder, written = exported
    charts = [p for p in written if p.suffix == ".png"]  # as the charts module returned them
    monkeypatch.setattr(common, "write_chart_images", lambda audit, folder: charts)
    export_audit(bundled_audit, tmp_path)
    for name in ("findings.json", "findings.csv", "report.html", "findings.docx", "tables/findings.csv"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


def test_run_time_follows_source_date_epoch(bundled_audit, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert common.run_facts(bundled_audit).generated_at == "2023-11-14T22:13:20+00:00"


# -- workpaper.xlsx ----------------------------------------------------------------------------


def test_workbook_sheets(book):
    assert book.sheetnames == SHEETS


def test_findings_sheet_headers_colours_filter_and_frozen_header(book, bundled_audit):
    from openpyxl.utils import get_column_letter

    sheet = book["发现"]
    findings = bundled_audit.findings
    columns = common.finding_columns(findings)
    headers = [c.value for c in sheet[1]]
    assert headers == [common.label("findings", c) for c in columns]
    assert headers[:2] == ["严重程度", "状态"] and {"问题描述", "来源位置", "依据", "审核建议"} <= set(headers)
    assert sheet.max_row == len(findings) + 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(columns))}{len(findings) + 1}"

    expected = arith_finding(findings)
    row = next(
        r for r in sheet.iter_rows(min_row=2) if str(r[headers.index("问题描述")].value).startswith(ARITH_MESSAGE)
    )
    cell = dict(zip(headers, row, strict=True))
    assert cell["严重程度"].value == "错误"
    assert cell["严重程度"].fill.fgColor.rgb == "FFC0392B"
    assert cell["严重程度"].font.color.rgb == "FFFFFFFF"
    assert cell["状态"].value == "待处理"
    assert cell["来源位置"].value == "L44-152"
    assert cell["部门"].value == DONGKENG and cell["年度"].value == 2024
    assert cell["发现编号"].value == expected["finding_id"]
    assert cell["问题描述"].value == expected["message"]
    warning = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "警告")
    assert warning[0].fill.fgColor.rgb == "FFD68910"


def test_findings_sheet_columns_fit_and_long_text_wraps(book):
    sheet = book["发现"]
    headers = {c.value: c.column_letter for c in sheet[1]}
    width = {name: sheet.column_dimensions[letter].width for name, letter in headers.items()}
    assert width["问题描述"] == 56  # capped: the longest message is wider
    assert width["年度"] <= 8
    assert width["规则编号"] >= display_width("R-COMPLETE-05")
    for name in headers:
        assert width[name] >= min(display_width(name), 16), name
    message = sheet[f"{headers['问题描述']}2"]
    assert message.alignment.wrap_text
    tall = [sheet.row_dimensions[r].height for r in range(2, sheet.max_row + 1)]
    assert any(h and h > 30 for h in tall)  # rows with two lines of message are given the height
    advice = headers["审核建议"]
    assert sheet.print_area == f"'发现'!$A$1:${advice}${sheet.max_row}"  # printed: severity … advice
    assert sheet.print_title_rows == "$1:$1"


def test_summary_sheet_counts_by_severity_department_and_rule(book, bundled_audit):
    findings = bundled_audit.findings
    rows = [[c.value for c in r] for r in book["概况"].iter_rows()]
    by_severity = {r[0]: r for r in rows if r[0] in ("错误", "警告", "提示", "合计")}
    header = next(r for r in rows if r[0] == "严重程度")
    total = header.index("合计")
    for severity, name in (("error", "错误"), ("warning", "警告"), ("info", "提示")):
        assert by_severity[name][total] == int((findings["severity"] == severity).sum())
    assert by_severity["合计"][total] == len(findings)
    forms = [r for r in rows if r[2] in set(bundled_audit.forms.documents["doc_id"])]
    assert {r[0] for r in forms} == {DONGKENG, ZHANJIANG}
    dongkeng = next(r for r in forms if r[2] == "dongkeng-fulian-2024")
    assert dongkeng[3] == int(
        ((findings["doc_id"] == "dongkeng-fulian-2024") & (findings["severity"] == "error")).sum()
    )
    rules = {r[0]: r[3] for r in rows if isinstance(r[0], str) and r[0].startswith("R-")}
    assert rules["R-ARITH-03"] == int((findings["rule_id"] == "R-ARITH-03").sum())


def test_charts_are_embedded(book, exported):
    charts = sorted((exported[0] / "charts").glob("*.png"))
    sheet = book["图表"]
    assert len(sheet._images) == len(charts)
    titles = [c.value for c in sheet["A"] if c.value]
    assert len(titles) == len(charts) and all(re.search(r"[\u4e00-\u9fff]", t) for t in titles)


def test_tables_reconciliations_rulebook_and_run_log(book, bundled_audit):
    from perfaudit.fields import label
    from perfaudit.rules import rulebook_table

    tasks = book["重点任务"]
    assert [c.value for c in tasks[1]][:4] == [label("tasks", c) for c in ("doc_id", "task_no", "name", "content")]
    assert tasks.max_row == len(bundled_audit.forms.tasks) + 1
    assert "妇联专项" in [c.value for c in tasks["C"]]
    assert tasks.freeze_panes == "A2" and tasks.auto_filter.ref

    recon = {r[0]: r for r in book["预算勾稽"].iter_rows(values_only=True)}
    header = recon["文档编号"]
    dongkeng = dict(zip(header, recon["dongkeng-fulian-2024"], strict=True))
    assert dongkeng["支出合计（万元）"] == pytest.approx(109.64)
    assert dongkeng["任务与预算差额（万元）"] == pytest.approx(-3.0)
    assert "其他事业发展性支出" in dongkeng["差额对应预算行"]

    assert book["规则库"].max_row == len(rulebook_table()) + 1
    assert [c.value for c in book["规则库"][1]][:4] == ["规则编号", "检查项", "严重程度", "规则名称"]

    log = [[c for c in r if c is not None] for r in book["运行记录"].iter_rows(values_only=True)]
    facts = {r[0]: r[1] for r in log if len(r) == 2}
    assert facts["perfaudit 版本"] == perfaudit.__version__
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", facts["生成时间"])
    assert facts["运行的检查"].startswith(f"{bundled_audit.rule_count} 项")
    cells = {v for r in log for v in r}
    for doc in bundled_audit.forms.documents.itertuples():
        assert doc.source_sha256 in cells and doc.doc_id in cells


# -- findings.docx -----------------------------------------------------------------------------


def test_word_draft_groups_findings_by_department_and_severity(document, bundled_audit):
    findings = bundled_audit.findings
    departments = list(dict.fromkeys(bundled_audit.forms.documents["department"]))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert [t for s, t in headings if s == "Heading 1"] == [
        f"{common_number(i)}、{d}" for i, d in enumerate(departments, start=1)
    ]
    under = headings[[t for _, t in headings].index(f"二、{DONGKENG}") + 1 :]
    errors = int(((findings["department"] == DONGKENG) & (findings["severity"] == "error")).sum())
    assert under[0] == ("Heading 2", f"（一）错误（{errors} 条）")
    assert under[1][1].startswith("（二）警告")

    texts = [p.text for p in document.paragraphs]
    finding = next(t for t in texts if ARITH_MESSAGE in t)
    assert re.match(r"\d+\. 【2024年｜R-ARITH-03 重点任务资金与预算勾稽】", finding)
    details = texts[texts.index(finding) + 1]
    assert "来源：dongkeng-fulian-2024  L44-152" in details and "建议：" in details and "依据：" in details
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["部门", "年度", "文档编号"]
    assert len(table.rows) == len(bundled_audit.forms) + 1


def common_number(n):
    from perfaudit.export.worddoc import chinese_number

    return chinese_number(n)


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五")])
def test_chinese_heading_numbers(n, text):
    assert common_number(n) == text


def test_word_draft_sets_east_asian_fonts_on_styles_and_runs(document):
    from docx.oxml.ns import qn

    def fonts(element):
        rpr = element.find(qn("w:rPr"))
        found = rpr.find(qn("w:rFonts")) if rpr is not None else None
        assert found is not None
        return found

    for name, east_asian in (("Normal", "宋体"), ("Title", "黑体"), ("Heading 1", "黑体"), ("Heading 2", "黑体")):
        style = fonts(document.styles[name].element)
        assert style.get(qn("w:eastAsia")) == east_asian, name
        assert style.get(qn("w:eastAsiaTheme")) is None, f"{name}: a theme font would override w:eastAsia"
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None
    lang = document.styles["Normal"].element.find(f"{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) == "zh-CN"

    paragraphs = list(document.paragraphs) + [p for t in document.tables for c in t._cells for p in c.paragraphs]
    runs = [r for p in paragraphs for r in p.runs if r.text]
    assert len(runs) > 100
    for run in runs:
        run_fonts = fonts(run._element)
        assert run_fonts.get(qn("w:eastAsia")) in ("宋体", "黑体"), run.text
        assert run_fonts.get(qn("w:hint")) == "eastAsia", run.text


# -- report.html: the file ----------------------------------------------------------------------


class Page(html.parser.HTMLParser):
    """What the checks need from an HTML page: URLs it names, finding rows, text, images."""

    URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "ping", "cite"}

    def __init__(self, text: str):
        super().__init__()
        self.urls: list[str] = []
        self.finding_ids: list[str] = []
        self.images: list[str] = []
        self.tags: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        self.urls += [v or "" for k, v in attrs.items() if k in self.URL_ATTRIBUTES]
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        if tag == "tr" and "finding" in (attrs.get("class") or "").split():
            self.finding_ids.append(attrs.get("id", ""))
        if tag == "img":
            self.images.append(attrs.get("src") or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)


@pytest.mark.parametrize("which", ["report.html", "a department's page"])
def test_report_names_no_external_url(exported, which):
    folder = exported[0]
    path = folder / "report.html" if which == "report.html" else sorted((folder / "departments").glob("*.html"))[0]
    text = path.read_text(encoding="utf-8")
    page = Page(text)
    assert page.urls, "the report names its images and anchors"
    for url in page.urls:
        if url.startswith(("data:", "#")):
            continue
        # else a link to another page of the same export, which is there
        assert not re.match(r"[a-z][a-z0-9+.-]*:|//", url, flags=re.I), url
        target = (path.parent / url).resolve()
        assert target.is_file() and target.is_relative_to(folder.resolve()), url
    css = "\n".join(page.styles)
    assert "@import" not in css
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
        assert url.startswith("data:"), url
    assert not {"script", "iframe", "object", "embed", "base"} & set(page.tags)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, flags=re.I)
    assert "default-src 'none'" in text  # and the browser is told to load nothing else


def test_report_holds_every_finding_and_chart(exported, bundled_audit):
    folder, _ = exported
    page = Page((folder / "report.html").read_text(encoding="utf-8"))
    findings = bundled_audit.findings
    assert sorted(page.finding_ids) == sorted(f"f-{i}" for i in findings["finding_id"])
    text = "".join(page.text)
    assert arith_finding(findings)["message"] in text and "L44-152" in text
    assert "预算绩效目标审核报告" in text and DONGKENG in text
    charts = sorted((folder / "charts").glob("*.png"))
    assert len(page.images) == len(charts)
    import base64

    embedded = {base64.b64decode(src.split(",", 1)[1]) for src in page.images}
    assert embedded == {p.read_bytes() for p in charts}


def test_ledger_statuses_and_notes_are_shown(bundled_audit, tmp_path):
    """A ledger adds statuses, a note and a change column: every document shows them."""
    from perfaudit.export.report import export_report
    from perfaudit.export.worddoc import export_findings_docx
    from perfaudit.export.workpaper import export_workpaper

    findings = bundled_audit.findings.copy()
    target = findings["message"].str.startswith(ARITH_MESSAGE)
    findings["note"] = ""
    findings["change"] = "persisting"
    findings["ledger_who"] = ""
    findings.loc[target, ["status", "note", "change", "ledger_who"]] = [
        "explained",
        "差额为预留资金，\x0b已说明",  # a control character pasted from a PDF must not break the files
        "new",
        "李审",
    ]
    result = dataclasses.replace(bundled_audit, findings=findings)

    book_path = export_workpaper(result, tmp_path / "w.xlsx", [])
    from openpyxl import load_workbook

    sheet = load_workbook(book_path)["发现"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["严重程度", "状态", "备注", "本次变化"] and headers[-1] == "ledger_who"
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2])
    assert row[1:4] == ("已说明", "差额为预留资金， 已说明", "新增") and row[-1] == "李审"
    assert load_workbook(book_path)["图表"]["A1"].value == "本次未生成图表。"

    text = export_report(result, tmp_path / "r.html", []).read_text(encoding="utf-8")
    assert "备注：差额为预留资金， 已说明" in text and "已处理" in text

    import docx

    draft = docx.Document(str(export_findings_docx(result, tmp_path / "f.docx")))
    texts = [p.text for p in draft.paragraphs]
    line = next(t for t in texts if ARITH_MESSAGE in t)
    assert line.endswith("〔已说明〕")
    assert "备注：差额为预留资金， 已说明" in texts[texts.index(line) + 1]


def stub_charts(folder: Path) -> list[Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, colour in (("budget", "steelblue"), ("unit_costs", "darkorange")):
        path = folder / f"{name}.png"
        Image.new("RGB", (640, 360), colour).save(path)
        paths.append(path)
    return paths


def test_charts_come_from_the_charts_interface(bundled_audit, tmp_path, monkeypatch):
    """Whatever PNGs ``perfaudit.charts.write_charts(result, folder)`` returns are embedded."""
    calls = []
    stub = types.ModuleType("perfaudit.charts")
    stub.write_charts = lambda result, folder: calls.append((result, folder)) or stub_charts(Path(folder))
    monkeypatch.setitem(sys.modules, "perfaudit.charts", stub)
    written = export_audit(bundled_audit, tmp_path)
    assert calls == [(bundled_audit, tmp_path / "charts")]
    assert {p.name for p in written if p.suffix == ".png"} == {"budget.png", "unit_costs.png"}
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "workpaper.xlsx")["图表"]
    assert len(sheet._images) == 2 and sheet["A1"].value == "预算构成"
    page = Page((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert len(page.images) == 2 and all(src.startswith("data:image/png;base64,") for src in page.images)


def test_export_without_a_charts_module(bundled_audit, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "perfaudit.charts", None)  # import fails as if the module were absent
    written = export_audit(bundled_audit, tmp_path)
    assert not [p for p in written if p.suffix == ".png"]
    assert "<figure>" not in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_form_without_findings_exports_and_says_so(tmp_path, monkeypatch):
    import docx
    from openpyxl import load_workbook

    import perfaudit as pa

    result = pa.audit(pa.load(Path(__file__).parent / "forms" / "clean.txt"))
    assert result.findings.empty
    monkeypatch.setattr(common, "write_chart_images", lambda audit, folder: [])
    export_audit(result, tmp_path)
    assert json.loads((tmp_path / "findings.json").read_text(encoding="utf-8")) == []
    sheet = load_workbook(tmp_path / "workpaper.xlsx")["发现"]
    assert sheet.max_row == 1 and sheet["A1"].value == "严重程度"
    assert "没有发现。" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert docx.Document(str(tmp_path / "findings.docx")).paragraphs[-1].text == "没有发现。"


# -- report.html in a real browser ---------------------------------------------------------------

# The brief's flags, plus two that keep the browser's own background traffic (update checks,
# account lookups) on this machine: no name resolves and every request goes to a dead local port.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-default-browser-check",
    "--disable-domain-reliability",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def run_browser(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def page_requests(netlog: Path) -> list[str]:
    """URLs a page asked the network for, from Chromium's net log (the browser's own have no origin)."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    assert log["events"], "the net log recorded nothing: the check would pass vacuously"
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start and "url" in e.get("params", {}) and e["params"].get("initiator") != "not an origin"
    ]


def test_report_renders_in_a_browser_without_a_network_request(chromium, exported, bundled_audit, tmp_path):
    report = (exported[0] / "report.html").resolve()
    netlog = tmp_path / "netlog.json"
    done = run_browser(chromium, tmp_path / "p1", f"--log-net-log={netlog}", "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = Page(done.stdout.decode("utf-8"))
    findings = bundled_audit.findings
    assert len(dom.finding_ids) == len(findings)
    assert arith_finding(findings)["message"] in "".join(dom.text)
    assert page_requests(netlog) == []

    # The same check catches a page that does reach out, so it cannot pass by not looking.
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><img src="http://example.invalid/x.png"><p>x</p>', encoding="utf-8")
    badlog = tmp_path / "badlog.json"
    run_browser(chromium, tmp_path / "p2", f"--log-net-log={badlog}", "--dump-dom", bad.as_uri())
    assert page_requests(badlog) == ["http://example.invalid/x.png"]


def test_report_screenshot_and_print(chromium, exported, tmp_path):
    from PIL import Image

    report = (exported[0] / "report.html").resolve()
    done = run_browser(
        chromium, tmp_path / "p1", "--window-size=1366,2400", f"--screenshot={SCREENSHOT}", report.as_uri()
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    with Image.open(SCREENSHOT) as shot:
        assert shot.size == (1366, 2400)
        assert len(shot.convert("L").getcolors(maxcolors=65536) or range(65536)) > 50  # a page, not a blank

    pdf = tmp_path / "report.pdf"
    done = run_browser(chromium, tmp_path / "p2", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    assert done.returncode == 0 and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "R-ARITH-03" in printed and "L44-152" in printed
        if has_cjk_font():
            assert "审核发现" in printed and "106.64" in printed


# -- workpaper.xlsx through LibreOffice -----------------------------------------------------------


def test_workbook_converts_cleanly_with_libreoffice(exported, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(exported[0] / "workpaper.xlsx"),
        ],
        capture_output=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    pdf = tmp_path / "workpaper.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr.decode(errors="replace")[-2000:]
    assert b"Error" not in done.stdout
    shutil.copyfile(pdf, REVIEW_PDF)
    if shutil.which("pdftotext"):
        printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "R-ARITH-03" in printed and "L44-152" in printed
        if has_cjk_font():
            assert "预算绩效目标审核工作底稿" in printed and "106.64" in printed
    with zipfile.ZipFile(exported[0] / "workpaper.xlsx") as archive:
        assert archive.testzip() is None


# -- charts drawn in a second process (the command line's ChartJob) --------------------------


def test_a_chart_job_writes_the_charts_write_charts_writes(bundled, bundled_audit, exported, tmp_path):
    from perfaudit.export.chartjob import ChartJob

    (tmp_path / "charts").mkdir()
    stale = tmp_path / "charts" / "year_over_year-撤销的部门.png"
    stale.write_bytes(b"old")
    job = ChartJob(bundled, tmp_path / "charts")
    assert job._process is not None  # a second process really draws them
    written = export_audit(bundled_audit, tmp_path, charts=job)
    _, serial = exported
    charts = [p for p in serial if p.suffix == ".png"]
    assert [p.name for p in written if p.suffix == ".png"] == [p.name for p in charts]  # same order
    for path in charts:
        assert (tmp_path / "charts" / path.name).read_bytes() == path.read_bytes(), path.name
    assert not stale.exists()  # pruned as write_charts prunes
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(
        p.relative_to(serial[0].parent).as_posix() for p in serial
    )


def test_a_chart_job_that_cannot_start_draws_here(bundled, bundled_audit, tmp_path, monkeypatch):
    import multiprocessing

    from perfaudit.export.chartjob import ChartJob

    def refuse(method):
        raise OSError("no processes here")

    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    job = ChartJob(bundled, tmp_path)
    assert job._process is None
    assert sorted(p.name for p in job.finish(bundled_audit)) == sorted(p.name for p in tmp_path.glob("*.png"))
    assert (tmp_path / "budget.png").exists()


def test_a_chart_job_whose_process_dies_draws_here(bundled, bundled_audit, tmp_path):
    from perfaudit.export.chartjob import ChartJob

    job = ChartJob(bundled, tmp_path)
    job._process.kill()
    written = job.finish(bundled_audit)
    assert {p.name for p in written} >= {"budget.png", "unit_costs.png"}
    assert all(p.exists() for p in written)


def test_the_report_shows_the_budget_execution_of_self_evaluations(tmp_path):
    """渝中 2021: 7,574.00 万元 for the year, 6,643.00 spent, 87.71%; the findings carry R-RESULT."""
    from perfaudit.export.report import render_report

    result = audit(perfaudit.load(DATA.parent / "families" / "chongqing-yuzhong-jiuye-2021-ziping.xlsx"))
    page = render_report(result, [])
    assert 'id="execution"' in page and '<a href="#execution">' in page
    assert "7,574.00" in page and "6,643.00" in page and "87.71" in page and "R-RESULT-05" in page
    assert 'id="execution"' not in render_report(audit(perfaudit.load(DATA / "2024")), [])


# -- an archive: departments' pages and drafts, summaries, a streamed and split working paper ----


def test_every_department_has_a_page_and_a_draft_of_its_own_findings(exported, bundled_audit):
    import docx

    folder = exported[0]
    findings = bundled_audit.findings
    departments = list(dict.fromkeys(bundled_audit.forms.documents["department"]))
    for number, name in enumerate(departments, start=1):
        stem = f"{number:04d}-{name}"
        mine = findings[findings["department"] == name]
        page = Page((folder / "departments" / f"{stem}.html").read_text(encoding="utf-8"))
        assert sorted(page.finding_ids) == sorted(f"f-{i}" for i in mine["finding_id"])
        assert "../report.html" in page.urls and name in "".join(page.text)
        draft = docx.Document(str(folder / "departments" / f"{stem}.docx"))
        texts = "\n".join(p.text for p in draft.paragraphs)
        assert draft.paragraphs[0].text.endswith(name) and draft.core_properties.title.endswith(name)
        assert all(message in texts for message in mine["message"])
        others = findings[findings["department"] != name]["message"]
        assert not [m for m in others if m in texts and m not in set(mine["message"])]
    overview = Page((folder / "report.html").read_text(encoding="utf-8"))
    assert [u for u in overview.urls if u.startswith("departments/")] == [
        f"departments/{n:04d}-{d}.html" for n, d in enumerate(departments, start=1)
    ]


@pytest.fixture(scope="module")
def archive_export(bundled_audit, tmp_path_factory):
    """The bundled forms exported as an archive would be (the thresholds lowered)."""
    folder = tmp_path_factory.mktemp("archive")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(common, "ARCHIVE_FINDINGS", 10)
        patch.setattr(common, "write_chart_images", lambda audit, charts: [])
        export_audit(bundled_audit, folder)
    return folder


def test_an_archive_report_summarises_and_links_to_the_departments(archive_export, bundled_audit):
    findings = bundled_audit.findings
    overview = Page((archive_export / "report.html").read_text(encoding="utf-8"))
    assert overview.finding_ids == []  # every finding is on its department's page
    text = "".join(overview.text)
    assert "按部门分页" in text and "各部门" in text and "按规则" in text
    pages = sorted((archive_export / "departments").glob("*.html"))
    shown = [i for p in pages for i in Page(p.read_text(encoding="utf-8")).finding_ids]
    assert sorted(shown) == sorted(f"f-{i}" for i in findings["finding_id"])
    open_ = findings[findings["status"] == "open"]
    quant = int((open_["rule_id"] == "R-QUANT-02").sum())
    assert re.search(rf"R-QUANT-02.*?{quant}", text)


def test_an_archive_word_summary_counts_rules_with_worst_cases_and_examples(archive_export, bundled_audit):
    import docx

    findings = bundled_audit.findings[bundled_audit.findings["status"] == "open"]
    draft = docx.Document(str(archive_export / "findings.docx"))
    texts = [p.text for p in draft.paragraphs]
    assert any("departments/" in t for t in texts)
    headings = [p.text for p in draft.paragraphs if p.style.name == "Heading 2"]
    counts = findings["rule_id"].value_counts()
    assert len(headings) == findings["rule_id"].nunique()
    top = counts.index[0]
    assert headings[0].startswith(f"（一）{top} ") and f"（{counts.iloc[0]} 条，" in headings[0]
    assert any(t.startswith("发现最多的部门：") for t in texts)
    examples = [t for t in texts if re.match(r"\d+\. 【", t)]
    assert len(examples) <= 3 * len(headings)  # never every finding
    assert len(examples) < len(findings)
    table = draft.tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["部门", "表格数"]
    counts = [sum(int(c.text) for c in row.cells[2:5]) for row in table.rows[1:]]
    assert counts == sorted(counts, reverse=True)  # the departments with the most open findings first


def test_findings_past_the_last_row_of_a_sheet_go_on_in_the_next(bundled_audit, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from perfaudit.export import workpaper, xlsxstream

    monkeypatch.setattr(xlsxstream, "EXCEL_ROWS", 21)  # 20 findings a sheet
    monkeypatch.setattr(xlsxstream, "CHUNK_ROWS", 7)
    monkeypatch.setattr(workpaper, "TABLE_ROWS", 30)
    book = load_workbook(workpaper.export_workpaper(bundled_audit, tmp_path / "w.xlsx", []))
    findings = bundled_audit.findings
    sheets = [n for n in book.sheetnames if n.startswith("发现")]
    assert sheets[:3] == ["发现", "发现 (2)", "发现 (3)"] and len(sheets) == -(-len(findings) // 20)
    column = [c.value for c in book["发现"][1]].index("发现编号")
    ids = [r[column] for n in sheets for r in book[n].iter_rows(min_row=2, values_only=True)]
    assert ids == list(common.sorted_findings(bundled_audit)["finding_id"])
    for name in sheets:
        assert book[name].auto_filter.ref.endswith(str(book[name].max_row)) and book[name].max_row <= 21
    indicators = bundled_audit.forms.tables["indicators"]
    assert len(indicators) > 30
    pointer = [c.value for c in book["绩效指标"]["A"] if c.value]
    assert any("tables/indicators.csv" in v and f"{len(indicators):,}" in v for v in pointer)
    tasks = book["重点任务"]
    assert tasks.max_row == len(bundled_audit.forms.tasks) + 1  # a small table stays in the workbook


def test_streamed_cells_keep_text_numbers_and_formula_like_text(tmp_path):
    from openpyxl import Workbook, load_workbook

    from perfaudit.export import workpaper, xlsxstream

    book = Workbook()
    workpaper._add_styles(book)
    sheet = book.active
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("x")', "a<b&c", "bad\x0bchar", None],
            "amount_yuan": [1.5, 2.0, float("nan"), 3],
            "ok": [True, False, None, True],
        }
    )
    columns = list(frame.columns)
    stream = workpaper._stream_table(sheet, 1, frame, ["文本", "金额", "是否"], columns)
    xlsxstream.save(book, tmp_path / "s.xlsx", [stream])
    rows = list(load_workbook(tmp_path / "s.xlsx").active.iter_rows(min_row=2))
    assert [c.value for c in rows[0]] == ['=HYPERLINK("x")', 1.5, "是"]
    assert rows[0][0].data_type == "s" and rows[0][0].quotePrefix  # text, never a formula
    assert [c.value for c in rows[1]] == ["a<b&c", 2, "否"]
    assert rows[2][0].value == "bad char" and rows[2][1].value is None
    assert rows[0][1].number_format == "#,##0.00"


def test_wide_characters_count_as_display_width_does():
    from perfaudit.strings import WIDE_CHARACTERS

    samples = pd.Series(["东坑镇妇联 2024", "ＡＢＣ（全角）", "R-QUANT-02", "≥100场", "，。：“”", "가나다"])
    fast = samples.str.len() + samples.str.count(WIDE_CHARACTERS)
    assert list(fast) == [display_width(s) for s in samples]


def test_department_file_names_are_safe_whatever_the_form_says():
    assert common.file_stem(1, "东坑镇妇联") == "0001-东坑镇妇联"
    for hostile in ("../../etc/passwd", "a\\b:c*d?e", "CON", "evil\u202egpj.exe", "\x00\x1b[31m", " . "):
        stem = common.file_stem(7, hostile)
        assert re.fullmatch(r"0007(-[^/\\:*?\"<>|\s\x00-\x1f\u202a-\u202e]+)?", stem), stem
        assert not stem.endswith((".", " "))


def test_the_export_shows_a_progress_bar_when_asked(bundled_audit, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(common, "write_chart_images", lambda audit, charts: [])
    export_audit(bundled_audit, tmp_path, progress=True)
    assert "导出 exporting" in capsys.readouterr().err


def test_an_archive_writes_its_departments_beside_the_rest_or_here(bundled_audit, tmp_path, monkeypatch):
    """Forked (Linux, macOS) or in this process (Windows, another thread running): the same files."""
    import threading

    from perfaudit import export

    monkeypatch.setattr(common, "ARCHIVE_FINDINGS", 10)
    monkeypatch.setattr(common, "write_chart_images", lambda audit, charts: [])
    forked = []
    real = export._Beside.__init__

    def spy(self, write, wanted):
        real(self, write, wanted)
        forked.append(self.process is not None)

    monkeypatch.setattr(export._Beside, "__init__", spy)
    beside = export_audit(bundled_audit, tmp_path / "beside")
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    here = export_audit(bundled_audit, tmp_path / "here")
    assert forked == [(os.cpu_count() or 1) > 1 and sys.platform != "win32", False]
    names = sorted(p.relative_to(tmp_path / "beside").as_posix() for p in beside)
    assert names == sorted(p.relative_to(tmp_path / "here").as_posix() for p in here)
    for name in names:
        if name.startswith("departments/"):
            assert (tmp_path / "beside" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name


def test_a_failing_child_leaves_the_departments_to_this_process(bundled_audit, tmp_path, monkeypatch):
    from perfaudit import export

    monkeypatch.setattr(common, "ARCHIVE_FINDINGS", 10)
    monkeypatch.setattr(common, "write_chart_images", lambda audit, charts: [])
    calls = []
    real = export._departments

    def flaky(audit, folder, steps=None):
        if steps is None:  # the child's call
            raise OSError("disk full in the child")
        calls.append("here")
        return real(audit, folder, steps)

    monkeypatch.setattr(export, "_departments", flaky)
    written = export_audit(bundled_audit, tmp_path)
    assert calls == ["here"]
    assert {p.name for p in written} >= {p.name for p in (tmp_path / "departments").iterdir()}


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_findings_json_is_written_a_chunk_at_a_time_as_one_dump_would_be(bundled_audit, tmp_path, monkeypatch, chunk):
    from perfaudit import export

    monkeypatch.setattr(export, "JSON_CHUNK", chunk)
    path = export.write_findings_json(bundled_audit.findings, tmp_path / "findings.json")
    records = export.findings_records(bundled_audit.findings)
    assert path.read_text(encoding="utf-8") == json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    assert json.loads(path.read_text(encoding="utf-8")) == records
    empty = export.write_findings_json(bundled_audit.findings.iloc[0:0], tmp_path / "empty.json")
    assert empty.read_text(encoding="utf-8") == "[]\n"
