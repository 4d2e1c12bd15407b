"""The one dictionary: tables, columns, severities, statuses and changes, read from vocab/*.csv."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from perfaudit import fields
from perfaudit.export import common
from perfaudit.export.report import severity_css
from perfaudit.ledger import merge, read_ledger
from perfaudit.readme import BLOCKS, update_readme
from perfaudit.rules.findings import COLUMNS as BUILT_COLUMNS
from perfaudit.rules.suites import SEVERITIES as RULEBOOK_SEVERITIES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("table", "column", "lang", "expected"),
    [
        pytest.param("tasks", "planned_yuan", "zh", "拟投入资金(元)", id="contract-column"),
        pytest.param("tasks", "planned_yuan", "en", "planned funds (yuan)", id="contract-column-english"),
        pytest.param("findings", "message", "zh", "问题描述", id="findings-column"),
        pytest.param("findings", "change", "zh", "本次变化", id="column-the-ledger-adds"),
        pytest.param("ledger", "first_seen", "zh", "首次发现日期", id="ledger-column"),
        pytest.param("ledger", "status", "zh", "状态", id="ledger-column-labelled-as-in-the-findings"),
        pytest.param("unit_costs", "planned_yuan", "zh", "拟投入资金(元)", id="derived-frame-falls-back-to-contract"),
        pytest.param("reconciliation", "department", "zh", "部门", id="view-falls-back-to-findings"),
        pytest.param("reconciliation", "basic_wan", "zh", "基本支出", id="view-column"),
    ],
)
def test_label_answers_for_every_kind_of_table(table, column, lang, expected):
    assert fields.label(table, column, lang=lang) == expected


@pytest.mark.parametrize(
    ("table", "column"),
    [pytest.param("tasks", "no_such_column", id="unknown-column"), pytest.param("nowhere", "x", id="unknown-table")],
)
def test_label_of_an_unknown_column_is_an_error(table, column):
    with pytest.raises(KeyError):
        fields.label(table, column)


def test_derived_frames_are_labelled_when_the_dictionary_describes_them():
    rows = fields._derived()
    if not rows:
        pytest.skip("vocab/derived.csv is not in this tree")
    for row in rows:
        assert fields.label(row["frame"], row["column"]) == row["label_zh"] or not row["label_zh"]


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        pytest.param("reconciliation", "basic_wan", "基本支出（万元）", id="money-unit-added"),
        pytest.param("tasks", "planned_yuan", "拟投入资金(元)", id="unit-already-named"),
        pytest.param("documents", "staff_count", "财政供养人员数", id="count-unit-not-added"),
        pytest.param("reconciliation", "not_described", "not_described", id="unknown-column-shows-its-name"),
    ],
)
def test_heading_names_the_money_unit_once(table, column, expected):
    assert fields.heading(table, column) == expected


def test_severities_are_one_list_in_order_with_colours():
    assert fields.severities() == ("error", "warning", "info")
    assert RULEBOOK_SEVERITIES == fields.severities()
    assert [fields.severity_rank(s) for s in fields.severities()] == [0, 1, 2]
    assert fields.severity_rank("unknown") == 3
    for severity in fields.severities():
        assert re.fullmatch(r"#[0-9a-f]{6}", fields.severity_colour(severity))
    assert fields.severity_colour("unknown") == fields.UNKNOWN_COLOUR


def test_severity_colours_are_written_only_in_the_dictionary():
    colours = {fields.severity_colour(s) for s in fields.severities()} | {fields.UNKNOWN_COLOUR}
    for path in (ROOT / "perfaudit").rglob("*"):
        if path.suffix in (".py", ".css", ".j2") and path.name != "fields.py":
            text = path.read_text(encoding="utf-8").lower()
            assert not [c for c in colours if c in text], f"{path.name} repeats a severity colour"


def test_report_css_colours_every_severity_from_the_dictionary():
    css = severity_css()
    for severity in (*fields.severities(), "other"):
        assert f"--{severity}: {fields.severity_colour(severity)};" in css
        assert f".badge.{severity} {{ background: var(--{severity}); }}" in css


def test_statuses_the_ledger_accepts_and_the_decisions_it_keeps():
    assert fields.statuses() == ("open", "not_evaluated", "accepted", "explained", "waived", "resolved")
    assert fields.statuses(ledger=True) == ("open", "accepted", "explained", "waived", "resolved")
    assert fields.decided_statuses() == ("accepted", "explained", "waived")
    assert fields.code_label("status", "not_evaluated") == "未能评估"
    assert fields.code_label("status", "made_up") == "made_up"


def test_findings_columns_are_the_ones_the_rules_write_and_the_ledger_adds(tmp_path):
    assert BUILT_COLUMNS == fields.columns("findings")
    findings = pd.DataFrame(
        [{c: "" for c in fields.columns("findings")} | {"finding_id": "F1", "status": "open", "year": 2024}]
    ).astype({"year": "Int64"})
    merged, _ = merge(findings, read_ledger(tmp_path / "none.csv"), date(2025, 1, 1))
    assert tuple(merged.columns) == fields.findings_columns()
    assert fields.added_by_ledger() == ("note", "change")
    assert set(merged["change"]) <= set(fields.changes())


def test_findings_are_shown_in_one_order_with_the_printed_columns_first():
    shown = fields.findings_columns(shown=True)
    assert sorted(shown) == sorted(fields.findings_columns())
    printed = fields.printed_findings_columns()
    assert set(shown[: len(printed)]) == set(printed), "the printed columns lead the display order"
    without_ledger = [c for c in shown if c not in fields.added_by_ledger()]
    columns = common.finding_columns(pd.DataFrame(columns=[*without_ledger, "auditor_column"]))
    assert columns[-1] == "auditor_column"
    assert columns[common.printed_count(columns) - 1] == "advice"


def test_every_table_of_the_forms_has_a_sheet_name_and_the_names_are_unique():
    names = [fields.table_label(t) for t in (*fields.TABLES, "findings", "reconciliation", "unit_costs", "rulebook")]
    assert all(re.search(r"[\u4e00-\u9fff]", n) for n in names)
    assert len(set(names)) == len(names)
    assert fields.table_section("budget") == "预算整体情况"
    assert fields.table_section("documents") == fields.table_label("documents")


def test_the_dictionarys_tables_are_complete():
    for table in (*fields.TABLES, "ledger", "reconciliation", "rulebook"):
        for column in fields.columns(table):
            assert fields.label(table, column), f"{table}.{column}"
            assert fields.label(table, column, lang="en"), f"{table}.{column}"


def test_readme_parts_generated_from_the_dictionary_are_current(tmp_path):
    copy = tmp_path / "README.md"
    copy.write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    for name in BLOCKS:
        assert f"<!-- {name}:start -->" in copy.read_text(encoding="utf-8"), name
    assert not update_readme(copy), "run `make docs`"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        pytest.param("year_pairs", "部门名称", id="derived-frame-takes-the-forms-label"),
        pytest.param("unit_costs", "部门", id="result-table-takes-the-findings-label"),
        pytest.param("ledger", "部门", id="ledger-takes-the-findings-label"),
    ],
)
def test_an_unlabelled_column_falls_back_by_the_kind_of_table(table, expected):
    assert fields.label(table, "department") == expected
