"""pa.show: any frame as the working paper prints it, driven by the field dictionary."""

import re

import numpy as np
import pandas as pd
import pytest

from perfaudit.display import show


def cells(table, header):
    return table.to_frame()[header].tolist()


@pytest.mark.parametrize(
    ("yuan", "shown"),
    [
        pytest.param(105963500.0, "10,596.35", id="wan-two-decimals-with-separator"),
        pytest.param(108916156.75, "10,891.615675", id="wan-keeps-the-printed-six-decimals"),
        pytest.param(0.0, "0.00", id="zero-not-0e0"),
        pytest.param(np.nan, "", id="missing-is-blank"),
    ],
)
def test_money_in_yuan_is_shown_in_wan_with_its_precision(yuan, shown):
    table = show(pd.DataFrame({"amount_yuan": [yuan]}), "budget")
    assert table.headers[0][0] == "金额（万元）"
    assert cells(table, "金额（万元）") == [shown]


def test_a_derived_money_column_is_known_by_its_name():
    table = show(pd.DataFrame({"tasks_gap_yuan": [-30000.0]}), "documents")
    assert cells(table, "任务与预算差额（万元）") == ["-3.00"]


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        pytest.param(pd.array([True, False, None], dtype="boolean"), ["是", "否", ""], id="nullable-boolean"),
        pytest.param(np.array([True, False]), ["是", "否"], id="numpy-bool"),
        pytest.param([1.23e10, 2.5], ["12,300,000,000.0", "2.5"], id="large-float-never-scientific"),
        pytest.param([2023.0, None], ["2023", ""], id="whole-numbers-without-decimals"),
        pytest.param(["a", None], ["a", ""], id="text-none-blank"),
        pytest.param([["甲", "乙"], []], ["甲、乙", ""], id="lists-joined"),
    ],
)
def test_values_read_as_a_person_writes_them(values, shown):
    table = show(pd.DataFrame({"x": values}))
    assert cells(table, "x") == shown


def test_headers_are_the_dictionarys_chinese_with_english_on_hover():
    table = show(pd.DataFrame({"doc_id": ["a"], "planned_yuan": [10000.0]}), "tasks")
    html = table.to_html()
    assert [h[0] for h in table.headers] == ["文档编号", "拟投入资金（万元）"]
    assert 'title="document id · doc_id"' in html


def test_an_unknown_column_keeps_its_name_so_the_notebook_scan_catches_it():
    assert show(pd.DataFrame({"zz_unknown": [1]})).headers[0][0] == "zz_unknown"


def test_severities_and_statuses_are_chinese_and_coloured():
    table = show(pd.DataFrame({"severity": ["error", "info"], "status": ["open", "not_evaluated"]}), "findings")
    assert cells(table, "严重程度") == ["错误", "提示"]
    assert cells(table, "状态") == ["待处理", "未能评估"]
    assert "background:#c0392b" in table.to_html()


def test_a_pivot_by_severity_labels_its_columns_and_keeps_its_index():
    findings = pd.DataFrame({"rule_id": ["R-A", "R-A", "R-B"], "severity": ["warning", "info", "error"]})
    pivot = findings.groupby(["rule_id", "severity"]).size().unstack(fill_value=0)
    table = show(pivot)
    assert [h[0] for h in table.headers] == ["规则编号", "错误", "警告", "提示"]
    assert cells(table, "规则编号") == ["R-A", "R-B"]


def test_a_long_table_is_whole_and_scrolls_instead_of_being_cut():
    html = show(pd.DataFrame({"row_no": range(300)}), "indicators").to_html()
    assert len(re.findall(r"<tr>", html)) == 300 + 1
    assert "overflow:auto" in html and "…" not in html


def test_a_series_shows_as_field_and_value():
    row = pd.Series({"rule_id": "R-ARITH-03", "severity": "error", "message": "差 3.00 万元"})
    assert show(row, "findings").to_frame().values.tolist() == [
        ["规则编号", "R-ARITH-03"],
        ["严重程度", "错误"],
        ["问题描述", "差 3.00 万元"],
    ]


def test_highlighted_rows_are_shaded():
    html = show(pd.DataFrame({"行": ["1", "2"]}), highlight=[False, True]).to_html()
    assert html.count("background:#fff3c4") == 1
