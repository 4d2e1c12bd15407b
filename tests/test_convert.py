"""The canonical workbook reads back to identical tables, and hand corrections are kept."""

import pandas as pd
import pytest
from openpyxl import load_workbook

import perfaudit as pa
from perfaudit.fields import TABLES


def test_workbook_round_trip_is_identical(bundled, tmp_path):
    path = pa.write_workbook(bundled, tmp_path / "forms.xlsx")
    back = pa.load(path)
    for table in TABLES:
        pd.testing.assert_frame_equal(bundled.tables[table], back.tables[table], obj=table)


def test_workbook_has_one_sheet_per_table_with_labels(bundled, tmp_path):
    path = pa.write_workbook(bundled, tmp_path / "forms.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == list(TABLES)
    header = book["tasks"][1]
    assert [c.value for c in header][:3] == ["doc_id", "task_no", "name"]
    assert header[4].comment.text.startswith("拟投入资金(元)")


def test_text_that_looks_like_a_formula_stays_text(bundled, tmp_path):
    forms = bundled.select("dongkeng-fulian-2024")
    tasks = forms.tasks.copy()
    tasks.loc[0, "content"] = "=C5+C6 不是公式"
    edited = pa.FormSet.from_tables({**forms.tables, "tasks": tasks})
    back = pa.load(pa.write_workbook(edited, tmp_path / "f.xlsx"))
    assert back.tasks.loc[0, "content"] == "=C5+C6 不是公式"


def test_a_hand_correction_is_loaded(bundled, tmp_path):
    path = pa.write_workbook(bundled.select("dongkeng-fulian-2024"), tmp_path / "f.xlsx")
    book = load_workbook(path)
    sheet = book["tasks"]
    name_col = [c.value for c in sheet[1]].index("name") + 1
    sheet.cell(row=2, column=name_col, value="基本支出（人员经费）")
    book.save(path)
    assert pa.load(path).tasks.loc[0, "name"] == "基本支出（人员经费）"


def test_writing_is_atomic_and_leaves_no_temp_files(bundled, tmp_path, monkeypatch):
    target = tmp_path / "forms.xlsx"
    target.write_bytes(b"previous content")

    def explode(self, filename):
        with open(filename, "wb") as handle:
            handle.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr("openpyxl.Workbook.save", explode)
    with pytest.raises(OSError, match="disk full"):
        pa.write_workbook(bundled, target)
    assert target.read_bytes() == b"previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["forms.xlsx"]


def test_a_corrected_value_is_parsed_again(bundled, tmp_path):
    path = pa.write_workbook(bundled.select("zhanjiang-renshe-2023"), tmp_path / "f.xlsx")
    book = load_workbook(path)
    sheet = book["indicators"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("level3")].value == "城镇新增就业人数（万人）":
            row[header.index("annual_value")].value = "≥5万人"
    book.save(path)
    back = pa.load(path)
    fixed = back.indicators[back.indicators["level3"] == "城镇新增就业人数（万人）"].iloc[0]
    assert (fixed.op, fixed.value, fixed.unit, bool(fixed.quantified)) == (">=", 5.0, "万人", True)
    result = pa.audit(back)
    assert "R-QUANT-01" not in set(
        result.findings[result.findings["subject"].str.contains("城镇新增就业人数")]["rule_id"]
    )
