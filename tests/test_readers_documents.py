"""Word documents and saved web pages: tables read on their grid, the page around them left out."""

from pathlib import Path

import pandas as pd
import pytest
from docx import Document

import perfaudit as pa
from perfaudit.cli import main
from perfaudit.readers import ReadError, read_sheets
from perfaudit.readers.grid import Span, place_rows

DATA = Path(__file__).resolve().parents[1] / "data"
FAMILIES = DATA / "families"
RENDERINGS = DATA / "renderings"
WUHAN = "wuhan-donghu-renshe-2020-xiangmu"
YUEYANG = "hunan-yueyangxian-nongtian-gaobiaozhun-2022-xiangmu-mubiao"
# How the file was laid out, not what it says: a rowspan prints a label once where a transcription repeats it.
SOURCE_COLUMNS = ["doc_id", "source_ref", "source_path", "source_sheet", "source_sha256", "cells_read"]


def same_tables(original, rendering):
    for table in ("documents", "budget", "cost_items", "goals", "indicators", "leftovers"):
        left = getattr(original, table).drop(columns=SOURCE_COLUMNS, errors="ignore").reset_index(drop=True)
        right = getattr(rendering, table).drop(columns=SOURCE_COLUMNS, errors="ignore").reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, obj=table)


def cells(path):
    [sheet] = read_sheets(path)
    return [(cell.ref, cell.col, cell.text) for row in sheet.rows for cell in row]


def test_the_word_rendering_reads_as_the_workbook_does():
    same_tables(pa.load(FAMILIES / f"{WUHAN}.xlsx"), pa.load(RENDERINGS / f"{WUHAN}.docx"))


def test_the_xls_rendering_reads_as_the_xlsx_does():
    """LibreOffice's .xls of the 湛江 2023 form: merged cells, a 0% format, the =SUM() value it saved."""
    same_tables(
        pa.load(DATA / "forms" / "2023" / "zhanjiang-renshe-2023.xlsx"),
        pa.load(RENDERINGS / "zhanjiang-renshe-2023.xls", year=2023),
    )


def test_word_references_name_the_paragraph_or_the_table_cell():
    found = cells(RENDERINGS / f"{WUHAN}.docx")
    assert found[0] == ("P1", 1, "2020年项目申报表")
    # Row 8 of the sheet is row 7 of the table: 项目总预算 in A (merged A:B), 6730 in C (merged C:D).
    assert ("T1!A7", 1, "项目总预算") in found and ("T1!C7", 3, "6730") in found and ("T1!F7", 6, "6730") in found


def test_word_merges_and_line_breaks(tmp_path):
    document = Document()
    document.add_paragraph("2023年项目支出绩效目标表")
    document.add_paragraph("金额单位：万元")
    table = document.add_table(rows=3, cols=4)
    table.cell(0, 0).merge(table.cell(2, 0)).paragraphs[0].text = "产出指标"  # vMerge down three rows
    table.cell(0, 1).merge(table.cell(0, 2)).paragraphs[0].text = "数量指标"  # gridSpan across two columns
    table.cell(0, 3).paragraphs[0].text = "≥20场"
    table.cell(1, 1).paragraphs[0].text = "质量指标"
    table.cell(1, 3).paragraphs[0].text = "第一行\n第二行"
    path = tmp_path / "form.docx"
    document.save(path)
    assert cells(path) == [
        ("P1", 1, "2023年项目支出绩效目标表"),
        ("P2", 1, "金额单位：万元"),
        ("T1!A1", 1, "产出指标"),
        ("T1!B1", 2, "数量指标"),
        ("T1!D1", 4, "≥20场"),
        ("T1!B2", 2, "质量指标"),
        ("T1!D2", 4, "第一行\n第二行"),
    ]


def test_the_web_page_reads_as_its_transcription_does():
    same_tables(pa.load(FAMILIES / f"{YUEYANG}.md"), pa.load(RENDERINGS / f"{YUEYANG}.html"))


def test_the_page_around_the_form_is_left_out():
    """Navigation, the hit counter, the comment box and the footer script are not cells."""
    found = cells(RENDERINGS / f"{YUEYANG}.html")
    texts = " ".join(text for _, _, text in found)
    for debris in ("首页", "浏览次数", "发表评论", "请输入评论内容", "技术支持", "document.write"):
        assert debris not in texts
    assert found[:2] == [("H1", 1, "绩效目标申报表(基础设施建设类)"), ("H2", 1, "(2022年度)")]
    assert ("T1!D10", 4, "≥100公里") in found  # the first indicator's value, in GB2312 on the page
    assert ("T1!B11", 2, "数量指标") in found  # the 一级 cell above spans five rows


def test_html_spans_nesting_and_encodings(tmp_path):
    page = (
        "<html><body><table><tr><td>"  # a layout table around the form
        "<p>项目支出绩效目标表</p>"
        "<table><tr><th rowspan=2>产出指标</th><th colspan=2>数量指标</th><td>≥20场</td></tr>"
        "<tr><td>质量指标</td><td></td><td>100%</td></tr></table>"
        "</td></tr></table></body></html>"
    )
    for name, data in {
        "utf8.html": page.encode("utf-8"),
        "gbk.htm": page.replace("<html>", "<html><head><meta charset='gbk'></head>").encode("gbk"),
    }.items():
        (tmp_path / name).write_bytes(data)
        assert cells(tmp_path / name) == [
            ("H1", 1, "项目支出绩效目标表"),
            ("T1!A1", 1, "产出指标"),
            ("T1!B1", 2, "数量指标"),
            ("T1!D1", 4, "≥20场"),
            ("T1!B2", 2, "质量指标"),
            ("T1!D2", 4, "100%"),
        ], name


def test_the_grid_places_cells_after_spans():
    rows = [[Span("a", rows=2), Span("b", cols=2), Span("c")], [Span("d"), Span("e"), Span("f")]]
    placed = place_rows(rows, "T1", first_row=10)
    assert [[(c.col, c.text, c.row) for c in row] for row in placed] == [
        [(1, "a", 10), (2, "b", 10), (4, "c", 10)],
        [(2, "d", 11), (3, "e", 11), (4, "f", 11)],
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
        ("broken.xls", b"\xd0\xcf\x11\xe0 not really a workbook", "not a readable .xls"),
        ("nothing.html", "<html><body><p>没有表格</p></body></html>".encode(), "holds no table"),
    ],
)
def test_unreadable_documents_stop_with_one_line(tmp_path, capsys, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError, match=reason):
        read_sheets(path)
    assert main(["audit", str(path), "--out", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and name in err


def test_a_hostile_span_costs_nothing(tmp_path):
    page = "<table>" + "<tr><td rowspan=1000000000 colspan=1000000000>甲</td><td>乙</td></tr>" * 50 + "</table>"
    (tmp_path / "spans.html").write_text(page, encoding="utf-8")
    found = cells(tmp_path / "spans.html")
    # Every cell is read, each row pushed right by the spans above it; capped, the grid stays small.
    assert found[0] == ("T1!A1", 1, "甲") and len(found) == 100
    assert max(col for _, col, _ in found) <= 50 * 200 + 1
