"""The rulebook as documentation: the README's rules table (written by :mod:`perfaudit.readme`)."""

from __future__ import annotations

import json
from pathlib import Path

from perfaudit.rules.suites import read_rules
from perfaudit.template.families import FAMILY_NAMES
from perfaudit.vocab import read_vocab

START, END = "<!-- rules:start -->", "<!-- rules:end -->"
_FAMILIES = ["COMPLETE", "QUANT", "ARITH", "CONSIST", "REASON", "COST", "YOY", "FORMAT"]


def rule_order(rule_id: str) -> tuple[int, int]:
    """A rule id's place in the catalog: by family (R-COMPLETE first), then by number."""
    _, family, number = rule_id.split("-")
    return (_FAMILIES.index(family) if family in _FAMILIES else len(_FAMILIES), int(number))


_NOT_THRESHOLDS = {"column", "column_A", "column_B", "column_list", "row_condition", "result_format", "meta"}


def describe_thresholds(kwargs: dict, expectation: str = "") -> str:
    """The parameters an auditor can change, as one line: ``max_value=0.9, strict_max=true when …``.

    Example:
        >>> describe_thresholds({"column": "n_chars", "min_value": 15})
        'min_value=15'
    """
    parts = [f"{name}={_value(value)}" for name, value in kwargs.items() if name not in _NOT_THRESHOLDS]
    text = ", ".join(parts)
    if expectation.endswith("_not_be_in_set"):
        text += " (values not allowed)"
    condition = kwargs.get("row_condition")
    if condition:
        text += f" when {_condition(condition, top=True)}"
    return text


def _value(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _condition(condition, top: bool = False) -> str:
    if not isinstance(condition, dict):
        return str(condition)
    kind = condition.get("type")
    if kind in ("and", "or"):
        text = f" {kind} ".join(_condition(part) for part in condition["conditions"])
        return text if top else f"({text})"
    if kind == "comparison":
        return f"{condition['column']['name']} {condition['operator']} {_value(condition['parameter'])}"
    if kind == "nullity":
        return f"{condition['column']['name']} is {'' if condition.get('is_null', True) else 'not '}null"
    return json.dumps(condition, ensure_ascii=False)


def family_list(families) -> str:
    """Form types in their catalog order, comma separated: ``dept_overall, project``."""
    return ", ".join(code for code in FAMILY_NAMES if code in set(families))


def rules_markdown(folder: Path | None = None) -> str:
    """One line per rule of RULES.md: what perfaudit checks, at which severity, or why it does not."""
    checks: dict[str, list] = {}
    for rules in read_rules(folder).values():
        for rule in rules:
            checks.setdefault(rule.meta["rule_id"], []).append(rule)
    lines = [
        "| rule | 规则 | families | checks (severity): thresholds | suite |",
        "| --- | --- | --- | --- | --- |",
    ]
    rows = []
    for rule_id, rules in checks.items():
        covered = family_list({family for r in rules for family in r.meta["families"]})
        parts = "; ".join(
            f"{r.meta.get('check') or 'main'} ({r.meta['severity']})"
            + ("" if family_list(r.meta["families"]) == covered else f" {family_list(r.meta['families'])} only")
            + f": `{describe_thresholds(r.kwargs, r.type)}`"
            for r in rules
        )
        suites = ", ".join(dict.fromkeys(f"`{r.suite}`" for r in rules))
        rows.append((rule_id, f"| {rule_id} | {rules[0].meta['title_zh']} | {covered} | {parts} | {suites} |"))
    for row in read_vocab("rules_not_run"):
        rows.append((row["rule_id"], f"| {row['rule_id']} | {row['title_zh']} | — | not run: {row['reason']} | — |"))
    rows.sort(key=lambda item: rule_order(item[0]))
    return "\n".join(lines + [row for _, row in rows])
