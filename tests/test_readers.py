"""Readers: encodings, layouts, spreadsheets, and input they must refuse with a reason."""

import datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfaudit as pa
from perfaudit.readers import ReadError, read_sheets
from perfaudit.readers.excel import evaluate_formula, format_number, read_excel
from perfaudit.readers.text import read_text
from perfaudit.template import parse_sheet
from tests.conftest import DONGKENG, ZHANJIANG_2023, ZHANJIANG_2024
from tests.helpers import cell_per_line_text, comparable

TABLES = ("budget", "goals", "tasks", "task_outputs", "indicators")


@pytest.mark.parametrize(
    "encoding",
    [
        pytest.param("utf-8-sig", id="utf8-bom"),
        pytest.param("gb18030", id="gb18030"),
        pytest.param("gbk", id="gbk"),
        pytest.param("utf-16", id="utf16-bom"),
    ],
)
def test_text_encodings_give_the_same_tables(tmp_path, encoding):
    text = DONGKENG.read_text(encoding="utf-8")
    path = tmp_path / f"{DONGKENG.stem}.txt"
    # "≥" has no GBK code point in some tables; GB18030 and GBK as Python maps it both have it.
    path.write_bytes(text.encode(encoding))
    original, other = pa.load(DONGKENG), pa.load(path)
    for table in TABLES:
        pd.testing.assert_frame_equal(comparable(original, table), comparable(other, table))


@pytest.mark.parametrize("xlsx", [ZHANJIANG_2023, ZHANJIANG_2024], ids=["2023", "2024"])
def test_cell_per_line_text_gives_the_spreadsheet_tables(tmp_path, xlsx):
    path = tmp_path / f"{xlsx.stem}.txt"
    path.write_text(cell_per_line_text(xlsx), encoding="utf-8")
    assert read_text(path)[0].cell_per_line
    from_excel, from_text = pa.load(xlsx), pa.load(path)
    for table in TABLES:
        expected = comparable(from_excel, table)
        got = comparable(from_text, table)
        for column in expected.columns:  # the converter flattened multi-line cells
            if expected[column].dtype == "str":
                expected[column] = expected[column].str.replace("\n", "")
        pd.testing.assert_frame_equal(expected, got, check_dtype=True)


def test_pdftotext_style_is_detected():
    sheet = read_text(DONGKENG)[0]
    assert sheet.wrapped and not sheet.cell_per_line
    row = next(r for r in sheet.rows if r[0].ref == "L14")
    assert [c.text for c in row] == ["基本支出", "7.02", "财政拨款", "109.64"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(b"  \n\n \t\n", "empty file", id="blank"),
        pytest.param(b"\x00\x01\x02binary\x00", "binary file", id="nul-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file", id="png"),
    ],
)
def test_unreadable_text_is_a_read_error_naming_the_file(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=reason) as caught:
        read_sheets(path)
    assert str(path) in str(caught.value)


def test_unsupported_and_corrupt_files(tmp_path):
    (tmp_path / "form.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReadError, match="unsupported file type"):
        read_sheets(tmp_path / "form.doc")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReadError, match="not a readable .xlsx workbook"):
        read_sheets(tmp_path / "broken.xlsx")
    with pytest.raises(ReadError, match="no such file"):
        read_sheets(tmp_path / "missing.xlsx")


def test_unknown_layout_is_a_template_error(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text("关于召开会议的通知\n各单位：\n定于下周一开会。\n", encoding="utf-8")
    with pytest.raises(pa.TemplateError, match="no 绩效目标表 found"):
        pa.load(path)


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        pytest.param(10891.615675, "#,##0.00", "10,891.62", id="thousands-two-decimals"),
        pytest.param(72807.384975, "0.00_ ", "72807.38", id="padding-format"),
        pytest.param(1, "0%", "100%", id="percent"),
        pytest.param(0.955, "0.0%", "95.5%", id="percent-one-decimal"),
        pytest.param(20140, "General", "20140", id="general-int"),
        pytest.param(82800.92000000001, "General", "82800.92", id="general-float-noise"),
    ],
)
def test_number_formats_render_as_shown(value, number_format, shown):
    assert format_number(value, number_format) == shown


def _workbook_with_uncached_formulas(path, formulas):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws["C5"], ws["C6"], ws["C7"] = 10596.35, 72204.57, "text"
    for ref, formula in formulas.items():
        ws[ref] = formula
    book.save(path)  # openpyxl never caches formula results: like a file from a non-calculating tool
    return {cell.coordinate: cell.value for row in ws.iter_rows() for cell in row}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        pytest.param("=C5+C6", 82800.92, id="plus"),
        pytest.param("=SUM(C5:C6)", 82800.92, id="sum-range"),
        pytest.param("=SUM(C5,C6)-C5", 72204.57, id="sum-list-minus"),
        pytest.param("=$C$5*2", 21192.7, id="absolute-times"),
        pytest.param("=VLOOKUP(C5,A1:B2,2)", None, id="other-function"),
        pytest.param("=C5+C7", None, id="text-operand"),
    ],
)
def test_simple_formulas_are_evaluated_without_cache(tmp_path, formula, expected):
    cells = _workbook_with_uncached_formulas(tmp_path / "f.xlsx", {"E5": formula})
    result = evaluate_formula(formula, cells)
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_uncached_formula_in_a_real_form_is_evaluated(tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(ZHANJIANG_2024)
    path = tmp_path / "resaved.xlsx"
    book.save(path)  # drops the cached value of E5 (=C5+C6)
    forms = pa.load(path)
    row = forms.budget[forms.budget["item"] == "财政拨款"].iloc[0]
    assert row.amount_yuan == 728_073_849.75


def test_uncached_sum_over_merged_cells_is_evaluated(tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(ZHANJIANG_2023)
    ws = book.active
    ws["E5"] = "=SUM(C5:C6)"
    ws.merge_cells("A5:B5")  # rows 5-6 now hold merged cells, which have no column letter
    path = tmp_path / "merged.xlsx"
    book.save(path)
    forms = pa.load(path)
    row = forms.budget[forms.budget["item"] == "财政拨款"].iloc[0]
    expected = sum(float(ws[ref].value) for ref in ("C5", "C6")) * 10_000
    assert row.amount_yuan == pytest.approx(expected)


def _variants(tmp_path):
    """The real workbooks, and copies that exercise what the streaming reader must get right."""
    from openpyxl import load_workbook

    yield ZHANJIANG_2023
    yield ZHANJIANG_2024
    book = load_workbook(ZHANJIANG_2024)
    ws = book.active
    ws["E6"] = "=SUM(C5:C6)"  # no cached value once openpyxl saves it
    ws["F30"] = datetime.datetime(2024, 3, 1)  # a date cell
    ws["F31"] = 0.955
    ws["F31"].number_format = "0.0%"
    ws.merge_cells("A40:C40")
    book.create_sheet("隐藏").sheet_state = "hidden"
    book["隐藏"]["A1"] = "不应读出"
    book.create_sheet("第二页")["B2"] = "第二页的单元格"
    path = tmp_path / "variant.xlsx"
    book.save(path)
    yield path
    book.epoch = datetime.datetime(1904, 1, 1)  # a workbook with the Mac 1904 date system
    path = tmp_path / "variant-1904.xlsx"
    book.save(path)
    yield path


def test_streaming_reader_gives_what_openpyxl_gives(tmp_path):
    from perfaudit.readers.excel import _read_with_openpyxl, has_uncached_formulas, stream_sheets

    for path in _variants(tmp_path):
        uncached = has_uncached_formulas(path)
        streamed = stream_sheets(path, uncached)
        assert streamed is not None, path
        assert streamed == _read_with_openpyxl(path, uncached), path.name
    assert [sheet.name for sheet in streamed] == ["Sheet1", "第二页"]  # the hidden sheet is left out
    cells = {cell.ref: cell for row in streamed[0].rows for cell in row}
    assert cells["Sheet1!F30"].text == "2024-03-01T00:00:00"
    assert cells["Sheet1!F31"].text == "95.5%"
    assert cells["Sheet1!E6"].value == pytest.approx(cells["Sheet1!C5"].value + cells["Sheet1!C6"].value)


def test_a_workbook_laid_out_unusually_is_read_by_openpyxl(tmp_path):
    """A package whose workbook part is not at xl/workbook.xml: streaming declines, openpyxl reads it."""
    import zipfile

    from perfaudit.readers.excel import stream_sheets

    path = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(ZHANJIANG_2024) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            name = item.filename
            name = {"xl/workbook.xml": "xl/book.xml", "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels"}.get(
                name, name
            )
            if name in ("[Content_Types].xml", "_rels/.rels"):
                data = data.replace(b"xl/workbook.xml", b"xl/book.xml")
            target.writestr(name, data)
    assert stream_sheets(path, uncached=False) is None
    assert read_excel(path) == read_excel(ZHANJIANG_2024)


def test_an_openpyxl_without_the_private_parser_still_reads(monkeypatch):
    import sys

    from perfaudit.readers.excel import stream_sheets

    expected = read_excel(ZHANJIANG_2023)
    monkeypatch.setitem(sys.modules, "openpyxl.worksheet._reader", None)  # import fails
    assert stream_sheets(ZHANJIANG_2023, uncached=False) is None
    assert read_excel(ZHANJIANG_2023) == expected


def test_unevaluable_formula_is_reported_not_guessed(tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(ZHANJIANG_2023)
    book.active["E5"] = "=ROUND(C5,0)+C6"
    path = tmp_path / "odd.xlsx"
    book.save(path)
    forms = pa.load(path)
    row = forms.budget[forms.budget["item"] == "财政拨款"].iloc[0]
    assert pd.isna(row.amount_yuan)
    assert any("Sheet1!E5" == ref for ref in forms.leftovers["source_ref"])
    assert forms.leftovers["reason"].str.contains("formula").any()


@pytest.mark.parametrize("cut", range(1, 246, 7))
def test_a_form_cut_off_anywhere_loads_what_is_there(tmp_path, cut):
    lines = DONGKENG.read_text(encoding="utf-8").splitlines()[:cut]
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        forms = pa.load(path)
    except pa.ReadError:  # empty, or a TemplateError
        assert cut < 40  # only a stub without the budget and goals blocks is unrecognisable
        return
    doc = forms.documents.iloc[0]
    if cut < 166:
        assert "indicators" in doc.missing_sections
    full = pa.load(DONGKENG)
    # Whatever was read agrees with the whole form.
    for table in ("budget", "goals"):
        got = comparable(forms, table)
        assert len(got) <= len(full.tables[table])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=40), max_size=30))
def test_arbitrary_text_never_crashes_the_reader_or_template(tmp_path, lines):
    path = tmp_path / "any.txt"
    # Hypothesis text may hold lone surrogates, which no real file can; replace them.
    path.write_bytes("\n".join(lines).encode("utf-8", errors="replace"))
    try:
        for sheet in read_sheets(path):
            parse_sheet(sheet)
    except ReadError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_shuffled_real_lines_never_crash(tmp_path, data):
    lines = DONGKENG.read_text(encoding="utf-8").splitlines()
    picked = data.draw(st.lists(st.sampled_from(lines), max_size=80))
    path = tmp_path / "shuffled.txt"
    path.write_text("\n".join(picked), encoding="utf-8")
    try:
        pa.load(path)
    except ReadError:
        pass
