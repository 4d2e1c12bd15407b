"""Form text is untrusted: formula-like text is neutralised in every CSV and workbook cell, HTML and
Word escape everything, and a ``convert`` workbook still reads back to the original text."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

import perfaudit as pa
from perfaudit.convert import write_workbook
from perfaudit.formset import FormSet
from perfaudit.untrusted import is_formula_like, neutralise, neutralise_frame, restore
from tests.conftest import DONGKENG
from tests.test_cuts import run_cli

CLEAN = Path(__file__).parent / "forms" / "clean.txt"
LINK = '=HYPERLINK("http://evil.invalid/x","点此")'
SCRIPT = '<script>alert("x")</script><b onclick="x()">粗</b>&amp;'
DEPARTMENT = "-1+测试市"  # the department's name is the ledger's scope: it must read back whole
DDE = "@SUM(1+1)*cmd|'/Ccalc'!A0"
CONTROL = "\x00\x07\x0b\x0c\x1b[31m\x7f"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(LINK, "'" + LINK, id="formula"),
        pytest.param("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0", id="plus-dde"),
        pytest.param("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0", id="minus-dde"),
        pytest.param("@SUM(1+1)", "'@SUM(1+1)", id="at"),
        pytest.param("\t=1+1", "'\t=1+1", id="tab"),
        pytest.param("\r=1+1", "'\r=1+1", id="carriage-return"),
        pytest.param("-3.00", "-3.00", id="negative-number-text-kept"),
        pytest.param("+1,234.50", "+1,234.50", id="signed-number-with-commas-kept"),
        pytest.param("-12.5%", "-12.5%", id="negative-percent-kept"),
        pytest.param(-3.0, -3.0, id="negative-float-kept"),
        pytest.param("培训 = 20场", "培训 = 20场", id="equals-inside-kept"),
        pytest.param("", "", id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
    assert restore(neutralise(value)) == value


def test_a_frame_keeps_its_numbers_and_neutralises_its_text():
    frame = pd.DataFrame({"name": [LINK, "职业技能培训"], "amount_yuan": [-30000.0, 500000.0]})
    safe = neutralise_frame(frame)
    assert safe["name"].tolist() == ["'" + LINK, "职业技能培训"]
    assert safe["amount_yuan"].tolist() == [-30000.0, 500000.0]
    assert frame["name"].iloc[0] == LINK  # the caller's frame is not changed


def _csv_cells(folder: Path):
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # 100k-character cells
    for path in sorted(folder.rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    yield path, cell


def _workbook_text_cells(path: Path):
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name} {sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    yield sheet.title, cell


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """The clean form whose second task is named by a HYPERLINK formula and one vague indicator by a
    DDE formula (a finding, so a ledger row), audited with every export."""
    folder = tmp_path_factory.mktemp("linked")
    (folder / "forms").mkdir()
    form = folder / "forms" / "linked.txt"
    text = CLEAN.read_text(encoding="utf-8").replace("\n职业技能培训 ", f"\n{LINK} ")
    text = text.replace("部门名称 测试市", f"部门名称 {DEPARTMENT}")
    form.write_text(text.replace("培训考核合格率 ≥95%", f"{DDE} 有效提升"), encoding="utf-8")
    # and the 东坑镇 form, whose 三八节 task has a unit cost
    text = DONGKENG.read_text(encoding="utf-8").replace("\n三八节活动费\n", f"\n{LINK}\n")
    (folder / "forms" / "dongkeng-linked.txt").write_text(text, encoding="utf-8")
    out, ledger = folder / "out", folder / "ledger.csv"
    status, stderr = run_cli("audit", str(folder / "forms"), "--out", str(out), "--ledger", str(ledger), "-q")
    assert status == 0, stderr
    return form, out, ledger


def test_the_formula_is_read_as_the_task_name(linked):
    form, _, _ = linked
    assert LINK in pa.load(form).tasks["name"].tolist()
    assert LINK in pa.load(form.with_name("dongkeng-linked.txt")).tasks["name"].tolist()


def test_no_csv_cell_starts_a_formula(linked):
    _, out, ledger = linked
    cells = list(_csv_cells(ledger.parent))  # the export and the ledger
    assert ledger in {p for p, _ in cells}
    assert "'" + DEPARTMENT + "测试镇培训中心" in {c for p, c in cells if p == ledger}
    assert not [(p.name, c) for p, c in cells if is_formula_like(c)]
    tasks = pd.read_csv(out / "tables" / "tasks.csv", encoding="utf-8-sig", dtype=str)
    assert "'" + LINK in tasks["name"].tolist()
    costs = pd.read_csv(out / "tables" / "unit_costs.csv", encoding="utf-8-sig", dtype=str)
    assert "'" + LINK in costs["task_name"].tolist()
    assert pd.to_numeric(costs["planned_yuan"]).notna().all()  # money stays a number


def test_no_workbook_cell_is_a_formula_and_text_keeps_its_value(linked):
    _, out, _ = linked
    shown = [cell for _, cell in _workbook_text_cells(out / "workpaper.xlsx") if cell.value == LINK]
    assert shown and all(cell.quotePrefix for cell in shown)


def test_the_ledger_reads_back_to_the_original_text(linked, tmp_path):
    form, _, ledger = linked
    before = ledger.read_bytes()
    again = pa.audit(pa.load(form.parent), ledger=ledger)
    assert set(again.findings["change"]) == {"persisting"}  # every row matched: the text read back whole
    assert ledger.read_bytes() == before  # an unchanged rerun leaves the ledger byte for byte


def test_convert_writes_text_cells_and_load_gives_the_original_back(linked, tmp_path):
    form, _, _ = linked
    forms = pa.load(form)
    book = write_workbook(forms, tmp_path / "form.xlsx")
    cells = [cell for _, cell in _workbook_text_cells(book) if cell.value == LINK]
    assert cells and all(cell.quotePrefix for cell in cells)
    again = pa.load(book)
    assert again.tasks["name"].tolist() == forms.tasks["name"].tolist()


# -- every text field hostile ------------------------------------------------------------------

LONG = "长" * 100_000
# Columns the package writes itself, not the form: ids, references, codes (form_type picks the rules
# that apply, so a payload there would leave the audit with nothing to report).
KEYS = {
    "doc_id",
    "source_ref",
    "planned_ref",
    "source_path",
    "source_sheet",
    "source_sha256",
    "year_source",
    "form_type",
}


def _hostile(value: str, n: int) -> str:
    """A payload in front of the original text: formula, markup, control characters, or 100k characters."""
    payload = [LINK, SCRIPT, CONTROL, LONG][n % 4]
    return payload + value


@pytest.fixture(scope="module")
def everywhere(tmp_path_factory):
    """The clean form with a hostile payload in every text cell of every table, audited and exported.

    Built as tables (a workbook cannot even hold the control characters), then through every stage.
    """
    tables = {}
    n = 0
    for name, frame in pa.load(CLEAN).tables.items():
        frame = frame.copy()
        for column in frame.columns:
            if column in KEYS or not pd.api.types.is_string_dtype(frame[column]):
                continue
            values = []
            for value in frame[column]:
                values.append(_hostile(value, n) if isinstance(value, str) else value)
                n += 1
            frame[column] = pd.Series(values, index=frame.index, dtype=frame[column].dtype)
        tables[name] = frame
    folder = tmp_path_factory.mktemp("everywhere")
    forms = FormSet.from_tables(tables)
    pa.audit(forms, ledger=folder / "ledger.csv").export(folder / "out")
    return folder / "out"


def test_html_escapes_every_field(everywhere):
    html = (everywhere / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and 'onclick="x()"' not in html
    assert "&lt;script&gt;alert" in html
    assert "\x00" not in html and "\x1b" not in html


def test_docx_holds_the_text_without_characters_xml_forbids(everywhere):
    document = Document(str(everywhere / "findings.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "<script>alert" in text  # text, not markup: Word shows it as typed
    with zipfile.ZipFile(everywhere / "findings.docx") as archive:
        assert b"\x1b" not in archive.read("word/document.xml")


def test_workbook_and_csv_cells_are_text(everywhere):
    cells = list(_workbook_text_cells(everywhere / "workpaper.xlsx"))
    assert any(cell.value.startswith(LINK) for _, cell in cells)
    assert all(cell.quotePrefix for _, cell in cells if is_formula_like(cell.value))
    assert not [c for _, c in _csv_cells(everywhere) if is_formula_like(c)]


def test_a_ledger_of_long_hostile_text_reads_back(everywhere):
    from perfaudit.ledger import read_ledger

    ledger = read_ledger(everywhere.parent / "ledger.csv")
    assert ledger["message"].str.len().max() > 100_000
    assert ledger["message"].str.contains("=HYPERLINK", regex=False).any()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("部门\x1b]0;pwned\x07名称", "部门?]0;pwned?名称", id="escape-sequence"),
        pytest.param("line one\nline two", "line one\nline two", id="lines-kept"),
    ],
)
def test_terminal_output_holds_no_control_characters(text, expected):
    from perfaudit.untrusted import one_line, terminal_safe

    assert terminal_safe(text) == expected
    assert "\n" not in one_line(text)


def test_control_characters_in_a_form_reach_workbooks_as_spaces(tmp_path):
    text = CLEAN.read_text(encoding="utf-8").replace("\n职业技能培训 ", "\n职业\x01技能培训 ")
    form = tmp_path / "control.txt"
    form.write_text(text.replace("培训考核合格率 ≥95%", "考核\x01合格率 有效提升"), encoding="utf-8")
    ledger = tmp_path / "ledger.xlsx"
    status, stderr = run_cli("audit", str(form), "--out", str(tmp_path / "out"), "--ledger", str(ledger), "-q")
    assert status == 0, stderr
    assert any("考核 合格率" in cell.value for _, cell in _workbook_text_cells(ledger))
    status, stderr = run_cli("convert", str(form), "--out", str(tmp_path / "form.xlsx"), "-q")
    assert status == 0, stderr
    assert "职业 技能培训" in pa.load(tmp_path / "form.xlsx").tasks["name"].tolist()
