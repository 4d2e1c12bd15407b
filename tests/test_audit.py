"""The audit end to end: real forms against golden findings, stable ids, thresholds in the
JSON, partial forms, and a rulebook that must fail loudly when it is wrong."""

import contextlib
import json
import os
import shutil

import pandas as pd
import pytest

import perfaudit as pa
from perfaudit.audit import audit
from perfaudit.rules import RulebookError, default_rulebook, read_rules
from perfaudit.rules.suites import to_gx_suite
from tests.conftest import DATA, DONGKENG, ROOT

GOLDEN = ROOT / "tests" / "golden"
PINNED = [
    "finding_id",
    "rule_id",
    "check",
    "severity",
    "status",
    "subject",
    "message",
    "observed",
    "expected",
    "source_ref",
]


@pytest.fixture(scope="module")
def bundled_audit(bundled):
    return audit(bundled)


@pytest.mark.parametrize("doc_id", ["dongkeng-fulian-2024", "zhanjiang-renshe-2023", "zhanjiang-renshe-2024"])
def test_real_form_findings_match_the_golden_file(bundled_audit, doc_id):
    """Regenerate after a deliberate change with PERFAUDIT_UPDATE_GOLDEN=1 and read the diff."""
    found = bundled_audit.findings[bundled_audit.findings["doc_id"] == doc_id][PINNED].to_dict("records")
    path = GOLDEN / f"{doc_id}.json"
    if os.environ.get("PERFAUDIT_UPDATE_GOLDEN"):
        path.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert found == json.loads(path.read_text(encoding="utf-8"))


def test_real_defects_are_found_with_their_numbers(bundled_audit):
    f = bundled_audit.findings
    dongkeng = f[f["doc_id"] == "dongkeng-fulian-2024"]
    gap = dongkeng[dongkeng["rule_id"] == "R-ARITH-03"].iloc[0]
    assert (
        "106.64 万元" in gap.message and "109.64 万元" in gap.message and "其他事业发展性支出 3.00 万元" in gap.message
    )
    assert gap.source_ref == "L44-152"
    sat = f[(f["doc_id"] == "zhanjiang-renshe-2023") & (f["rule_id"] == "R-REASON-01")].iloc[0]
    assert "≥75%" in sat.message and sat.source_ref == "Sheet1!D37:E37"


def test_checks_that_hold_are_silent(bundled_audit):
    f = bundled_audit.findings
    # All three budgets balance (7.02 + 102.62 = 109.64; 10596.35 + 72204.57 = 82800.92; the =C5+C6 cell).
    assert f[f["rule_id"] == "R-ARITH-02"].empty
    # Activities promised in the 东坑 tasks (约50 + 约30 + 约3 + 约20 场) reconcile with 开展活动数量 ≥100场.
    assert f[(f["rule_id"] == "R-CONSIST-01") & (f["check"] != "missing")].empty
    # The 湛江 key tasks are part of 项目支出 by design: no reconciliation finding.
    assert f[f["doc_id"].str.startswith("zhanjiang") & (f["rule_id"] == "R-ARITH-03")].empty
    assert (f["status"] == "open").all()


def test_finding_ids_are_stable_across_reruns_and_file_order(bundled, bundled_audit, tmp_path):
    again = audit(pa.load(DATA))
    assert list(again.findings["finding_id"]) == list(bundled_audit.findings["finding_id"])
    for path in sorted(DATA.rglob("*.*"), reverse=True):  # other folder, other order, other names
        shutil.copy(path, tmp_path / f"copy-{path.name}")
    moved = audit(pa.load(tmp_path))
    assert set(moved.findings["finding_id"]) == set(bundled_audit.findings["finding_id"])
    assert bundled_audit.findings["finding_id"].is_unique


def test_a_threshold_is_changed_in_the_json(bundled, tmp_path):
    rulebook = tmp_path / "expectations"
    shutil.copytree(default_rulebook(), rulebook)
    path = rulebook / "indicators.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    for entry in suite["expectations"]:
        if entry["meta"]["rule_id"] == "R-REASON-01" and entry["meta"].get("check") == "low":
            entry["kwargs"]["min_value"] = 70
    path.write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    before = audit(bundled)
    after = audit(bundled, rulebook=rulebook)
    low = (before.findings["rule_id"] == "R-REASON-01") & (before.findings["check"] == "low")
    assert low.sum() == 2  # 群众满意度 ≥75% in both 湛江 forms
    assert ((after.findings["rule_id"] == "R-REASON-01") & (after.findings["check"] == "low")).sum() == 0


def test_rules_on_a_partial_form_are_marked_not_evaluated(tmp_path):
    text = DONGKENG.read_text(encoding="utf-8").splitlines()
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join(text[: text.index("绩效指标")]), encoding="utf-8")
    result = audit(pa.load(cut, year=2024))
    skipped = result.findings[result.findings["status"] == "not_evaluated"]
    assert {"R-COMPLETE-03", "R-COST-01", "R-QUANT-04"} <= set(skipped["rule_id"])
    assert skipped["message"].str.contains("绩效指标").all()
    # Rules whose inputs are there still run: the task money gap is found.
    assert "R-ARITH-03" in set(result.findings[result.findings["status"] == "open"]["rule_id"])


def test_every_suite_loads_every_entry_into_gx():
    for path in sorted(default_rulebook().glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        rules = read_rules(default_rulebook())[data["name"]]
        assert len(rules) == len(data["expectations"]) == len(to_gx_suite(data["name"], rules).expectations), path.name


def test_the_speed_ups_around_gx_change_no_result(bundled_audit, monkeypatch):
    """The runner gives GX only the columns a suite reads and lets an expectation build its
    configuration once per validation; without either, GX names the same failing rows."""
    from great_expectations.expectations.expectation import Expectation

    from perfaudit.rules import runner

    original = Expectation.__dict__["configuration"]
    fast = {(r.rule.key, r.success, tuple(r.failed_rows)) for r in _validate_all(bundled_audit.frames)}
    assert Expectation.__dict__["configuration"] is original  # put back after every validation
    monkeypatch.setattr(runner, "_columns_used", lambda rules: None)
    monkeypatch.setattr(runner, "_configurations_built_once", contextlib.nullcontext)
    plain = {(r.rule.key, r.success, tuple(r.failed_rows)) for r in _validate_all(bundled_audit.frames)}
    assert fast == plain
    assert any(not success for _, success, _ in plain)


def _validate_all(frames):
    from perfaudit.rules import validate

    return [result for name, rules in read_rules().items() for result in validate(frames[name], rules, name)]


@pytest.mark.parametrize(
    ("condition", "columns"),
    [
        ({"type": "comparison", "column": {"name": "a"}, "operator": "<=", "parameter": 4}, {"a", "x"}),
        (
            {
                "type": "and",
                "conditions": [
                    {"type": "comparison", "column": {"name": "a"}},
                    {"type": "comparison", "column": {"name": "b"}},
                ],
            },
            {"a", "b", "x"},
        ),
        ("a > 4", None),  # a condition the runner cannot read: GX gets every column
    ],
)
def test_columns_a_suite_reads(condition, columns):
    from perfaudit.rules.runner import _columns_used
    from perfaudit.rules.suites import Rule

    rule = Rule(
        suite="s",
        index=0,
        type="expect_column_values_to_be_between",
        kwargs={"column": "x", "row_condition": condition},
        meta={},
    )
    assert _columns_used([rule]) == columns


def test_a_table_level_expectation_gets_every_column():
    from perfaudit.rules.runner import _columns_used
    from perfaudit.rules.suites import Rule

    rule = Rule(suite="s", index=0, type="expect_table_columns_to_match_set", kwargs={"column_set": ["a"]}, meta={})
    assert _columns_used([rule]) is None


def test_every_expectation_carries_its_rule_metadata():
    for rules in read_rules().values():
        for rule in rules:
            for field in ("rule_id", "severity", "title_zh", "title_en", "basis", "advice", "message", "table"):
                assert rule.meta.get(field), (rule.key, field)


def _broken_rulebook(tmp_path, mutate):
    rulebook = tmp_path / "broken"
    shutil.copytree(default_rulebook(), rulebook)
    path = rulebook / "goals.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    mutate(suite)
    path.write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    return rulebook


def _set(index, key, value):
    def mutate(suite):
        suite["expectations"][index][key] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(_set(1, "type", "expect_column_values_to_be_vague"), "not found", id="unknown-type"),
        pytest.param(
            lambda s: s["expectations"][0]["kwargs"].update(colum=s["expectations"][0]["kwargs"].pop("column")),
            "ValidationError",
            id="kwarg-typo",
        ),
        pytest.param(lambda s: s["expectations"][0]["meta"].pop("basis"), "meta lacks basis", id="missing-basis"),
        pytest.param(lambda s: s["expectations"][0]["meta"].update(severity="fatal"), "severity", id="bad-severity"),
        pytest.param(lambda s: s["expectations"].append(s["expectations"][0]), "already defined", id="duplicate-rule"),
        pytest.param(
            lambda s: s["expectations"][0]["kwargs"].update(column="no_such_column"),
            "not in the derived frame",
            id="unknown-column",
        ),
        pytest.param(
            lambda s: s["expectations"][0]["meta"].update(message="{no_such_field}"), "not a column", id="bad-template"
        ),
        pytest.param(
            lambda s: s["expectations"][0]["meta"].update(require=["x"]), "unknown meta keys require", id="meta-typo"
        ),
        pytest.param(
            lambda s: s["expectations"][0]["meta"].update(needs=["budgett"]), "needs names no table", id="bad-needs"
        ),
        pytest.param(
            lambda s: s["expectations"][0]["meta"].update(requires=["no_column"]), "requires columns", id="bad-requires"
        ),
    ],
)
def test_a_broken_rulebook_is_an_error_naming_file_and_entry(bundled, tmp_path, mutate, message):
    rulebook = _broken_rulebook(tmp_path, mutate)
    with pytest.raises(RulebookError, match=message) as caught:
        audit(bundled, rulebook=rulebook)
    text = str(caught.value)
    assert "goals" in text


def test_invalid_json_names_the_file(tmp_path):
    rulebook = tmp_path / "book"
    shutil.copytree(default_rulebook(), rulebook)
    (rulebook / "goals.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RulebookError, match="goals.json: not valid JSON"):
        read_rules(rulebook)


def test_notebook_display_of_an_audit(bundled_audit):
    html = bundled_audit._repr_html_()
    assert "错误" in html and "警告" in html and "东莞市东坑镇妇女联合会" in html
    assert repr(bundled_audit).startswith("<Audit: 3 forms")


def test_export_writes_the_contract_files(bundled_audit, tmp_path):
    bundled_audit.export(tmp_path)
    records = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert len(records) == len(bundled_audit.findings)
    assert set(records[0]) >= {
        "finding_id",
        "rule_id",
        "severity",
        "status",
        "doc_id",
        "department",
        "year",
        "table",
        "subject",
        "message",
        "observed",
        "expected",
        "basis",
        "source_ref",
    }
    assert isinstance(records[0]["year"], int)
    csv = pd.read_csv(tmp_path / "findings.csv", encoding="utf-8-sig")
    assert list(csv["finding_id"]) == list(bundled_audit.findings["finding_id"])
    for table in ("documents", "budget", "goals", "tasks", "task_outputs", "indicators", "leftovers", "findings"):
        assert (tmp_path / "tables" / f"{table}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not list(tmp_path.rglob("*.tmp"))


def test_progress_bars_show_when_asked_and_stay_quiet_by_default(bundled, capsys):
    pa.load(DATA, progress=True)
    audit(bundled, progress=True)
    shown = capsys.readouterr().err
    assert "loading" in shown and "auditing" in shown
    pa.load(DATA)
    audit(bundled)  # a test run is no terminal: no bar
    assert capsys.readouterr().err == ""


def test_a_progress_bar_needs_an_archive_and_a_screen(monkeypatch):
    from perfaudit import progress

    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: True)
    assert progress.wanted(progress.PROGRESS_MIN_FORMS + 1, None)
    assert not progress.wanted(3, None)
    assert not progress.wanted(10_000, False) and progress.wanted(3, True)


def test_expectations_have_stable_ids_from_rule_and_check():
    rules = [rule for rules in read_rules().values() for rule in rules]
    ids = [rule.gx_id for rule in rules]
    assert len(set(ids)) == len(ids)
    again = [rule.gx_id for rules in read_rules().values() for rule in rules]
    assert again == ids
    suite = to_gx_suite("budget", read_rules()["budget"])
    assert [e.id for e in suite.expectations] == [rule.gx_id for rule in read_rules()["budget"]]


RULE = read_rules()["documents"][0]


@pytest.mark.parametrize(
    ("template", "row", "shown"),
    [
        pytest.param("{x:万:,.2f} 万元", {"x": 1066400.0}, "106.64 万元", id="yuan-as-wan"),
        pytest.param("{x:万:,.2f}", {"x": 123456789.0}, "12,345.68", id="wan-thousands"),
        pytest.param("{x:abs:万:,.2f}", {"x": -30000.0}, "3.00", id="size-of-a-gap"),
        pytest.param("{x:sign:多|少}", {"x": 300.0}, "多", id="sign-positive"),
        pytest.param("{x:sign:多|少}", {"x": -300.0}, "少", id="sign-negative"),
        pytest.param("a{x:if:；等于“{x}”}", {"x": "其他 3.00 万元"}, "a；等于“其他 3.00 万元”", id="clause-when-set"),
        pytest.param("a{x:if:；等于“{x}”}", {"x": ""}, "a", id="no-clause-when-empty"),
        pytest.param("a{x:if:；等于“{x}”}", {"x": float("nan")}, "a", id="no-clause-when-missing"),
        pytest.param("{x:+.1%}", {"x": -0.121}, "-12.1%", id="ratio-as-percent"),
        pytest.param("{x:万:,.2f}", {"x": float("nan")}, "—", id="missing-money"),
    ],
)
def test_messages_show_facts_in_the_unit_the_form_prints(template, row, shown):
    from perfaudit.rules.findings import render

    assert render(template, row, RULE) == shown


def test_a_template_naming_an_unknown_column_inside_a_clause_fails_early():
    from perfaudit.rules.findings import check_templates
    from perfaudit.rules.suites import Rule

    rule = Rule(
        suite="documents", index=0, type=RULE.type, kwargs=RULE.kwargs, meta={**RULE.meta, "message": "{x:if:{nope}}"}
    )
    with pytest.raises(RulebookError, match="nope"):
        check_templates([rule], {"x", "source_ref"})


def test_the_rules_command_lists_every_threshold(capsys):
    from perfaudit.cli import main
    from perfaudit.rules import rulebook_table

    table = rulebook_table()
    assert (table["thresholds"] != "").all(), table[table["thresholds"] == ""]
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "min_value=80" in out  # R-REASON-01/low
    assert "max_value=0.9, strict_max=true when same_targets == true and budget_change_abs > 0.1" in out
