"""The findings ledger across reruns: decisions kept, new findings added, resolved ones dated,
hand edits and extra columns preserved, a corrupted file refused without being touched."""

import shutil
from datetime import date

import pandas as pd
import pytest

import perfaudit as pa
from perfaudit.cli import main
from perfaudit.ledger import LedgerError, read_ledger
from tests.conftest import DONGKENG, ZHANJIANG_2024

DAY1, DAY2, DAY3 = date(2026, 1, 5), date(2026, 2, 9), date(2026, 3, 2)


@pytest.fixture
def folder(tmp_path):
    data = tmp_path / "forms"
    data.mkdir()
    shutil.copy(DONGKENG, data)
    shutil.copy(ZHANJIANG_2024, data)
    return data


def _edit_ledger(path, finding_id, **values):
    ledger = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column, value in values.items():
        ledger.loc[ledger["finding_id"] == finding_id, column] = value
    ledger["复核人"] = ""  # an auditor's own column
    ledger.loc[ledger["finding_id"] == finding_id, "复核人"] = "李审计"
    ledger.to_csv(path, index=False, encoding="utf-8-sig")


def test_ledger_life_cycle_over_three_runs(folder, tmp_path):
    ledger_path = tmp_path / "ledger.csv"
    first = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY1)
    assert set(first.findings["change"]) == {"new"}
    ledger = read_ledger(ledger_path)
    assert len(ledger) == len(first.findings) and set(ledger["status"]) == {"open"}
    assert set(ledger["first_seen"]) == {"2026-01-05"}

    # The auditor accepts the 东坑 money gap with a note, in Excel.
    gap = first.findings[first.findings["rule_id"] == "R-ARITH-03"].iloc[0]
    vague = first.findings[(first.findings["rule_id"] == "R-QUANT-02")].iloc[0]
    _edit_ledger(
        ledger_path,
        gap.finding_id,
        status="accepted",
        note="差额为其他事业发展性支出，已核实",
        who="李审计",
        when="2026-01-20",
    )

    # Next version of the form: one vague value fixed, a satisfaction target lowered.
    text = DONGKENG.read_text(encoding="utf-8")
    fixed = text.replace("提升群众对妇联工作认可 有效提升 有效提升", "提升群众对妇联工作认可 ≥85% ≥85%")
    fixed = fixed.replace("受益群体满意度 ≥85% ≥85%", "受益群体满意度 ≥70% ≥70%")
    assert fixed != text
    (folder / DONGKENG.name).write_text(fixed, encoding="utf-8")
    second = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY2)
    by_id = second.findings.set_index("finding_id")
    assert by_id.at[gap.finding_id, "status"] == "accepted"
    assert by_id.at[gap.finding_id, "note"] == "差额为其他事业发展性支出，已核实"
    assert by_id.at[gap.finding_id, "change"] == "persisting"
    assert by_id.at[vague.finding_id, "change"] == "resolved"
    new = second.findings[second.findings["change"] == "new"]
    assert list(new["rule_id"]) == ["R-REASON-01"] and "≥70%" in new.iloc[0].message
    ledger = read_ledger(ledger_path).set_index("finding_id")
    assert (
        ledger.at[vague.finding_id, "status"] == "resolved"
        and ledger.at[vague.finding_id, "resolved_on"] == "2026-02-09"
    )
    assert ledger.at[gap.finding_id, "复核人"] == "李审计" and ledger.at[gap.finding_id, "who"] == "李审计"
    assert ledger.at[new.iloc[0].finding_id, "first_seen"] == "2026-02-09"

    # Third run on unchanged input: the same findings and a ledger left untouched.
    before = ledger_path.read_bytes()
    third = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY3)
    assert ledger_path.read_bytes() == before
    still = second.findings[second.findings["change"] != "resolved"]
    assert list(third.findings["finding_id"]) == list(still["finding_id"])
    assert set(third.findings["change"]) == {"persisting"}


def test_a_resolved_finding_that_returns_is_reopened(folder, tmp_path):
    ledger_path = tmp_path / "ledger.csv"
    text = DONGKENG.read_text(encoding="utf-8")
    pa.audit(pa.load(folder), ledger=ledger_path, today=DAY1)
    (folder / DONGKENG.name).write_text(text.replace("预算执行率 ≥85% ≥85%", "预算执行率 ≥95% ≥95%"), encoding="utf-8")
    pa.audit(pa.load(folder), ledger=ledger_path, today=DAY2)
    (folder / DONGKENG.name).write_text(text, encoding="utf-8")
    third = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY3)
    back = third.findings[(third.findings["rule_id"] == "R-REASON-02") & (third.findings["doc_id"] == DONGKENG.stem)]
    assert list(back["change"]) == ["reopened"] and list(back["status"]) == ["open"]


@pytest.mark.parametrize(
    ("content", "line"),
    [
        pytest.param("finding_id,status\nabc,open\nabc,accepted\n", "line 3", id="repeated-id"),
        pytest.param("finding_id,status\nabc,maybe\n", "line 2", id="unknown-status"),
        pytest.param("finding_id,status\nabc,open,x,y\n", "line 2", id="too-many-cells"),
        pytest.param("id,state\nabc,open\n", "line 1", id="wrong-header"),
        pytest.param("finding_id,status\n,open\n", "line 2", id="empty-id"),
    ],
)
def test_a_malformed_ledger_is_refused_and_left_intact(folder, tmp_path, content, line):
    ledger_path = tmp_path / "ledger.csv"
    ledger_path.write_text(content, encoding="utf-8")
    before = ledger_path.read_bytes()
    with pytest.raises(LedgerError, match=line):
        pa.audit(pa.load(folder), ledger=ledger_path, today=DAY1)
    assert ledger_path.read_bytes() == before
    code = main(["audit", str(folder), "--out", str(tmp_path / "out"), "--ledger", str(ledger_path), "-q"])
    assert code == 2 and ledger_path.read_bytes() == before


def test_an_xlsx_ledger_round_trips(folder, tmp_path):
    ledger_path = tmp_path / "ledger.xlsx"
    first = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY1)
    before = ledger_path.read_bytes()
    second = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY2)
    assert ledger_path.read_bytes() == before
    assert set(second.findings["change"]) == {"persisting"}
    assert len(read_ledger(ledger_path)) == len(first.findings)


def test_findings_json_says_new_persisting_resolved(folder, tmp_path, capsys):
    import json

    ledger_path = tmp_path / "ledger.csv"
    assert main(["audit", str(folder), "--out", str(tmp_path / "o"), "--ledger", str(ledger_path)]) == 0
    assert "新增" in capsys.readouterr().out
    records = json.loads((tmp_path / "o" / "findings.json").read_text(encoding="utf-8"))
    assert {r["change"] for r in records} == {"new"} and all("note" in r for r in records)


def test_a_run_on_part_of_the_archive_leaves_the_rest_of_the_ledger_alone(folder, tmp_path):
    ledger_path = tmp_path / "ledger.csv"
    first = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY1)
    gap = first.findings[first.findings["rule_id"] == "R-ARITH-03"].iloc[0]
    _edit_ledger(ledger_path, gap.finding_id, status="waived", note="年度中调整")
    pa.audit(pa.load(folder / ZHANJIANG_2024.name), ledger=ledger_path, today=DAY2)  # only one form this time
    row = read_ledger(ledger_path).set_index("finding_id").loc[gap.finding_id]
    assert (row.status, row.resolved_on, row.note) == ("waived", "", "年度中调整")
    again = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY3)
    back = again.findings.set_index("finding_id").loc[gap.finding_id]
    assert (back.status, back.change, back.note) == ("waived", "persisting", "年度中调整")


def test_a_decision_survives_the_finding_going_away_and_coming_back(folder, tmp_path):
    ledger_path = tmp_path / "ledger.csv"
    text = DONGKENG.read_text(encoding="utf-8")
    first = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY1)
    low = first.findings[(first.findings["rule_id"] == "R-REASON-02") & (first.findings["doc_id"] == DONGKENG.stem)]
    _edit_ledger(ledger_path, low.iloc[0].finding_id, status="explained", note="按镇财政要求")
    (folder / DONGKENG.name).write_text(text.replace("预算执行率 ≥85% ≥85%", "预算执行率 ≥95% ≥95%"), encoding="utf-8")
    pa.audit(pa.load(folder), ledger=ledger_path, today=DAY2)
    row = read_ledger(ledger_path).set_index("finding_id").loc[low.iloc[0].finding_id]
    assert (row.status, row.resolved_on) == ("explained", "2026-02-09")
    (folder / DONGKENG.name).write_text(text, encoding="utf-8")
    third = pa.audit(pa.load(folder), ledger=ledger_path, today=DAY3)
    back = third.findings.set_index("finding_id").loc[low.iloc[0].finding_id]
    assert (back.status, back.change) == ("explained", "reopened")


def test_a_gbk_ledger_saved_by_excel_is_read(folder, tmp_path):
    ledger_path = tmp_path / "ledger.csv"
    pa.audit(pa.load(folder), ledger=ledger_path, today=DAY1)
    text = ledger_path.read_bytes().decode("utf-8-sig")
    ledger_path.write_bytes(text.encode("gb18030"))
    assert len(read_ledger(ledger_path)) == len(text.strip().splitlines()) - 1
