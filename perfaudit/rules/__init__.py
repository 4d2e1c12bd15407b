"""The rulebook: reading the suites, running them, and turning results into findings."""

import pandas as pd

from perfaudit.rules.catalog import describe_thresholds, family_list, rule_order
from perfaudit.rules.findings import COLUMNS as FINDING_COLUMNS
from perfaudit.rules.findings import build_findings
from perfaudit.rules.runner import validate
from perfaudit.rules.suites import Rule, RulebookError, default_rulebook, read_rules

__all__ = [
    "FINDING_COLUMNS",
    "Rule",
    "RulebookError",
    "build_findings",
    "default_rulebook",
    "read_rules",
    "validate",
    "rulebook_table",
]


def rulebook_table(folder=None):
    """The rulebook as a table: id, severity, titles, basis, the suite, the check it runs and its thresholds."""
    rows = []
    for suite, rules in read_rules(folder).items():
        for rule in rules:
            rows.append(
                {
                    "rule_id": rule.meta["rule_id"],
                    "check": rule.meta.get("check", ""),
                    "severity": rule.meta["severity"],
                    "title_zh": rule.meta["title_zh"],
                    "title_en": rule.meta["title_en"],
                    "suite": suite,
                    "families": family_list(rule.meta["families"]),
                    "expectation": rule.type,
                    "thresholds": describe_thresholds(rule.kwargs, rule.type),
                    "basis": rule.meta["basis"],
                }
            )
    return pd.DataFrame(rows).sort_values(["rule_id", "check"], key=_rule_order).reset_index(drop=True)


def _rule_order(series):
    return series.map(rule_order) if series.name == "rule_id" else series
