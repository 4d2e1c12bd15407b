"""The rulebook as documentation: the README's rules table (written by :mod:`perfaudit.readme`)."""

from __future__ import annotations

from pathlib import Path

from perfaudit.rules.suites import read_rules
from perfaudit.vocab import read_vocab

START, END = "<!-- rules:start -->", "<!-- rules:end -->"
_FAMILIES = ["COMPLETE", "QUANT", "ARITH", "CONSIST", "REASON", "COST", "YOY", "FORMAT"]


def rule_order(rule_id: str) -> tuple[int, int]:
    _, family, number = rule_id.split("-")
    return (_FAMILIES.index(family) if family in _FAMILIES else len(_FAMILIES), int(number))


def rules_markdown(folder: Path | None = None) -> str:
    """One line per rule of RULES.md: what perfaudit checks, at which severity, or why it does not."""
    checks: dict[str, list] = {}
    for rules in read_rules(folder).values():
        for rule in rules:
            checks.setdefault(rule.meta["rule_id"], []).append(rule)
    lines = ["| rule | 规则 | checks (severity) | suite |", "| --- | --- | --- | --- |"]
    rows = []
    for rule_id, rules in checks.items():
        parts = ", ".join(f"{r.meta.get('check') or 'main'} ({r.meta['severity']})" for r in rules)
        suites = ", ".join(dict.fromkeys(f"`{r.suite}`" for r in rules))
        rows.append((rule_id, f"| {rule_id} | {rules[0].meta['title_zh']} | {parts} | {suites} |"))
    for row in read_vocab("rules_not_run"):
        rows.append((row["rule_id"], f"| {row['rule_id']} | {row['title_zh']} | not run: {row['reason']} | — |"))
    rows.sort(key=lambda item: rule_order(item[0]))
    return "\n".join(lines + [row for _, row in rows])
