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


def _edit(path, table, match, **values):
    """Set `values` in the rows of `table` whose columns equal `match` (a dict); returns the count."""
    book = load_workbook(path)
    sheet = book[table]
    header = [c.value for c in sheet[1]]
    edited = 0
    for row in sheet.iter_rows(min_row=2):
        if all(row[header.index(k)].value == v for k, v in match.items()):
            for column, value in values.items():
                row[header.index(column)].value = value
            edited += 1
    book.save(path)
    return edited


@pytest.fixture
def dongkeng_book(bundled, tmp_path):
    return pa.write_workbook(bundled.select("dongkeng-fulian-2024"), tmp_path / "f.xlsx")


@pytest.mark.parametrize(
    ("table", "match", "values", "column", "expected"),
    [
        pytest.param(
            "tasks",
            {"name": "妇联专项"},
            {"planned_printed": "160,000.00"},
            "planned_yuan",
            160000.0,
            id="task-amount-text",
        ),
        pytest.param(
            "tasks", {"name": "妇联专项"}, {"planned_unit": "万元"}, "planned_yuan", 1.5e9, id="task-amount-unit"
        ),
        pytest.param("budget", {"item": "财政拨款"}, {"printed": "119.64"}, "amount_yuan", 1196400.0, id="budget-text"),
        pytest.param("budget", {"item": "财政拨款"}, {"printed": 119.64}, "amount_yuan", 1196400.0, id="budget-number"),
        pytest.param(
            "budget", {"item": "财政拨款"}, {"printed_unit": "元"}, "amount_yuan", 109.64, id="budget-unit-was-assumed"
        ),
        pytest.param(
            "indicators", {"level3": "受益群体满意度"}, {"annual_value": "≥95%"}, "value", 95.0, id="indicator-text"
        ),
        pytest.param(
            "indicators",
            {"level3": "受益群体满意度"},
            {"annual_value": None, "period_value": None},
            "op",
            "",
            id="indicator-texts-cleared",
        ),
        pytest.param(
            "indicators",
            {"level3": "受益群体满意度"},
            {"annual_value": None, "period_value": "≥90%"},
            "value",
            90.0,
            id="period-value-when-no-annual",
        ),
        pytest.param(
            "tasks", {"name": "妇联专项"}, {"planned_printed": None}, "planned_yuan", None, id="amount-cleared"
        ),
        pytest.param(
            "indicators",
            {"level3": "受益群体满意度"},
            {"polarity": "negative"},
            "polarity",
            "negative",
            id="polarity-beside-unchanged-text",
        ),
    ],
)
def test_a_corrected_cell_is_read_again(dongkeng_book, table, match, values, column, expected):
    assert _edit(dongkeng_book, table, match, **values) == 1
    back = pa.load(dongkeng_book).tables[table]
    row = back[(back[list(match)] == pd.Series(match)).all(axis=1)].iloc[0]
    assert row[column] == expected if expected is not None else pd.isna(row[column])


def test_a_corrected_task_content_gives_its_counts_again(dongkeng_book):
    _edit(dongkeng_book, "tasks", {"task_no": 2}, content="2024年计划开展约60场活动，另办3期培训")
    _edit(dongkeng_book, "task_outputs", {"task_no": 4}, quantity=40)  # a count corrected beside its text
    book = load_workbook(dongkeng_book)
    book["task_outputs"].append(["dongkeng-fulian-2024", 5, 2, "场", "", "讲座", "", "L98-106"])  # added by hand
    book.save(dongkeng_book)
    outputs = pa.load(dongkeng_book).task_outputs
    counts = {(r.task_no, r.quantity, r.unit) for r in outputs.itertuples()}
    assert (2, 60.0, "场") in counts and (2, 3.0, "期") in counts and (2, 50.0, "场") not in counts
    assert (4, 40.0, "人次") in counts and (4, 30.0, "人次") not in counts
    assert (5, 2.0, "场") in counts and (5, 30.0, "场") in counts


def test_a_stored_number_finer_than_its_text_reads_back_unchanged(bundled, tmp_path):
    forms = bundled.select("dongkeng-fulian-2024")
    indicators = forms.indicators.copy()
    row = indicators.index[indicators["level3"] == "受益群体满意度"][0]
    # as the Excel reader gives a typed 0.9523 in a 0.0% cell
    indicators.loc[row, ["annual_value", "op", "value", "qualifier"]] = ["95.2%", "=", 95.23, ""]
    tasks = forms.tasks.copy()
    tasks.loc[1, ["planned_printed", "planned_yuan"]] = ["150,000.00", 150000.004]
    edited = pa.FormSet.from_tables({**forms.tables, "indicators": indicators, "tasks": tasks})
    back = pa.load(pa.write_workbook(edited, tmp_path / "f.xlsx"))
    pd.testing.assert_frame_equal(back.indicators, edited.indicators)
    pd.testing.assert_frame_equal(back.tasks, edited.tasks)


def test_a_workbook_lacking_a_column_names_the_file_and_the_sheet(dongkeng_book):
    book = load_workbook(dongkeng_book)
    book["tasks"].delete_cols(5)
    book.save(dongkeng_book)
    with pytest.raises(pa.ReadError, match=r"f\.xlsx: sheet 'tasks' lacks columns \['planned_yuan'\]"):
        pa.load(dongkeng_book)
