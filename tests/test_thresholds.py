"""Thresholds are data: changing any rule's parameter in a copy of the rulebook changes its findings.

The cases of ``test_rules.py`` make every rule fire on some form. For every expectation of the
rulebook, its parameter is moved just past the values that fail it (a ``min_value`` below the
lowest failing value, a ``value_set`` that takes the failing values in, …), written into a copy
of the rulebook, read back and run: the rule's findings must change. A threshold still hidden
in Python would leave them as they were.
"""

import json
import shutil

import pytest

import perfaudit as pa
from perfaudit.audit import audit
from perfaudit.rules import build_findings, default_rulebook, read_rules, validate
from tests.test_rules import write_cases

RULES = [rule for rules in read_rules().values() for rule in rules]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return audit(pa.load(write_cases(tmp_path_factory.mktemp("threshold-cases"))))


def moved(rule, failing) -> dict:
    """The rule's kwargs with one parameter moved so that the failing values pass."""
    kwargs = dict(rule.kwargs)
    if rule.type == "expect_column_values_to_be_between":
        low = kwargs.get("min_value")
        below = [v for v in failing if low is not None and (v < low or (kwargs.get("strict_min") and v == low))]
        if below:
            kwargs["min_value"] = float(min(below)) - 0.5
        else:
            kwargs["max_value"] = float(max(failing)) + 0.5
    elif rule.type == "expect_column_values_to_be_in_set":
        kwargs["value_set"] = [*kwargs["value_set"], *dict.fromkeys(_plain(v) for v in failing)]
    elif rule.type == "expect_column_values_to_not_be_in_set":
        kwargs["value_set"] = [v for v in kwargs["value_set"] if v not in set(failing)] or ["—"]
    else:
        raise AssertionError(f"{rule.key}: no way to move a parameter of {rule.type}")
    return kwargs


def _plain(value):
    """A numpy scalar as the JSON value it stands for."""
    return value.item() if hasattr(value, "item") else value


def write_changed_copy(folder, rule, kwargs):
    """A copy of the rulebook in ``folder`` with one entry's kwargs replaced."""
    shutil.copytree(default_rulebook(), folder)
    path = folder / f"{rule.suite}.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"][rule.index]["kwargs"] = kwargs
    path.write_text(json.dumps(suite, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def findings_of(result, frame, forms) -> set[tuple]:
    found = build_findings([result], {result.rule.suite: frame}, forms)
    return set(zip(found["doc_id"], found["status"], found["subject"], found["message"], strict=True))


@pytest.mark.parametrize("rule", RULES, ids=[rule.key for rule in RULES])
def test_changing_the_threshold_changes_the_findings(cases, tmp_path, rule):
    frame = cases.frames[rule.suite]
    (before,) = validate(frame, [rule], rule.suite)
    assert before.failed_rows, f"{rule.key} fires on no case of test_rules.py"
    failing = list(frame.loc[before.failed_rows, rule.kwargs["column"]])
    book = write_changed_copy(tmp_path / "book", rule, moved(rule, failing))
    changed = next(r for r in read_rules(book)[rule.suite] if r.key == rule.key)
    assert changed.kwargs != rule.kwargs
    (after,) = validate(frame, [changed], rule.suite)
    assert findings_of(after, frame, cases.forms) != findings_of(before, frame, cases.forms)


def test_a_threshold_in_a_row_condition_is_data_too(cases, tmp_path):
    """R-YOY-01 judges copied targets apart by how far the money moved (10%): move that line."""
    rule = next(r for r in RULES if r.key == "R-YOY-01/budget-changed")
    kwargs = json.loads(json.dumps(rule.kwargs))
    moved_condition = kwargs["row_condition"]["conditions"][1]
    assert moved_condition["column"]["name"] == "budget_change_abs"
    moved_condition["parameter"] = 10.0  # only a budget that changed more than tenfold counts
    book = write_changed_copy(tmp_path / "book", rule, kwargs)
    before = cases.findings[cases.findings["rule_id"] == "R-YOY-01"]
    after = audit(cases.forms, rulebook=book).findings
    after = after[after["rule_id"] == "R-YOY-01"]
    assert set(before["check"]) >= {"budget-changed"}
    assert "budget-changed" not in set(after["check"])
