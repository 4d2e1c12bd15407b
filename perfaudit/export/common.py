"""What the working paper, the report and the Word draft share: labels, display order, counts, run facts.

The three documents show the same findings in the same order with the same Chinese words, so
those decisions are made here once.
"""

from __future__ import annotations

import csv
import functools
import os
import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pandas as pd

from perfaudit.audit import SEVERITY_COLOUR, SEVERITY_ZH

SEVERITIES = tuple(SEVERITY_ZH)
# Display order of the findings columns: what an auditor reads first (and what the working paper
# prints, up to ``advice``), then the detail. Columns a ledger adds (note, change, who, …) slot in
# after the status or, when unknown here, go last so that nothing the auditor wrote is hidden.
FINDING_COLUMNS = (
    "severity",
    "status",
    "note",
    "change",
    "department",
    "year",
    "rule_id",
    "title_zh",
    "message",
    "source_ref",
    "advice",
    "subject",
    "check",
    "observed",
    "expected",
    "basis",
    "table",
    "doc_id",
    "finding_id",
)
LAST_PRINTED_FINDING_COLUMN = "advice"
UNASSIGNED_DEPARTMENT = "（未识别部门）"


@functools.cache
def _labels() -> dict[tuple[str, str], str]:
    text = resources.files(__package__).joinpath("labels.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {(row["kind"], row["key"]): row["label_zh"] for row in csv.DictReader(lines)}


def label(kind: str, key: str) -> str:
    """The Chinese label of ``key`` (a column, a status, a sheet); the key itself when none is known."""
    if kind == "severity":
        return SEVERITY_ZH.get(key, key)
    return _labels().get((kind, key), key)


def any_label(key: str) -> str:
    """The Chinese label of a column of any frame listed here (derived frames, ledger); the key when none."""
    return next((text for (kind, k), text in _labels().items() if k == key and kind != "chart"), key)


def column_label(table: str, column: str) -> str:
    """A column's Chinese label: the field dictionary for the forms' tables, else the export labels."""
    from perfaudit.fields import label as field_label

    try:
        return field_label(table, column)
    except KeyError:
        return label(table, column)


def severity_colour(severity: str) -> str:
    """``#rrggbb`` for a severity (grey for one the rulebook does not know)."""
    return SEVERITY_COLOUR.get(severity, "#7f8c8d")


def is_blank(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


# Control characters (a stray form feed or vertical tab in text taken from a PDF) are not allowed
# in XML, so a workbook or Word file holding one would fail to save.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value: str) -> str:
    return _CONTROL.sub(" ", value)


def text(value: object) -> str:
    """A cell as the documents print it: blanks empty, whole floats without ``.0``."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return xml_safe(str(value))


def status_label(status: object) -> str:
    return label("status", text(status))


def facts_text(row: dict) -> str:
    """``实际：… 应为：…`` with only the parts a finding has."""
    pairs = (("实际", text(row.get("observed"))), ("应为", text(row.get("expected"))))
    return "；".join(f"{name}：{value}" for name, value in pairs if value)


def department_of(row) -> str:
    return text(row.get("department")) or UNASSIGNED_DEPARTMENT


def finding_columns(findings: pd.DataFrame) -> list[str]:
    """The findings' columns in display order, with any column not known here appended."""
    known = [c for c in FINDING_COLUMNS if c in findings.columns]
    return known + [c for c in findings.columns if c not in FINDING_COLUMNS]


def sorted_findings(audit) -> pd.DataFrame:
    """Findings grouped by department (in the order the forms were loaded), then year, severity and rule."""
    from perfaudit.rules.catalog import rule_order

    findings = audit.findings
    if findings.empty:
        return findings.reset_index(drop=True)
    departments = list(dict.fromkeys(audit.forms.documents["department"].map(text)))
    department = findings["department"].map(text)
    unknown = [d for d in dict.fromkeys(department) if d not in departments]
    position = {d: i for i, d in enumerate(departments + unknown)}

    def safe_rule_order(rule_id: object) -> tuple:
        try:
            return (0, *rule_order(text(rule_id)))
        except (ValueError, IndexError):
            return (1, 0, 0)

    rules = findings["rule_id"].map(safe_rule_order)
    rank = {key: i for i, key in enumerate(sorted(set(rules)))}
    keys = pd.DataFrame(
        {
            "department": department.map(position),
            "year": findings["year"].fillna(0).astype("int64"),
            "severity": findings["severity"].map({s: i for i, s in enumerate(SEVERITIES)}).fillna(len(SEVERITIES)),
            "rule": rules.map(rank),
        },
        index=findings.index,
    )
    # stable: ties keep the findings' own order (by source position within a rule)
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return findings.loc[order].reset_index(drop=True)


def severity_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per severity (rows) and status (columns, Chinese), with totals."""
    statuses = list(dict.fromkeys(["open", "not_evaluated", *findings["status"].map(text)]))
    counts = findings.groupby([findings["severity"], findings["status"].map(text)]).size()
    rows = []
    for severity in SEVERITIES:
        row = {"严重程度": label("severity", severity)}
        for status in statuses:
            row[status_label(status)] = int(counts.get((severity, status), 0))
        row["合计"] = sum(v for k, v in row.items() if k != "严重程度")
        rows.append(row)
    total = {"严重程度": "合计", **{k: sum(r[k] for r in rows) for k in rows[0] if k != "严重程度"}}
    return pd.DataFrame([*rows, total])


def rule_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per rule that produced a finding: id, title, severity, count."""
    from perfaudit.rules.catalog import rule_order

    columns = ["规则编号", "规则名称", "严重程度", "条数"]
    if findings.empty:
        return pd.DataFrame(columns=columns)
    grouped = findings.groupby(["rule_id", "severity"], sort=False)
    rows = [
        [rule_id, text(part["title_zh"].iloc[0]), label("severity", severity), len(part)]
        for (rule_id, severity), part in grouped
    ]

    def key(row: list) -> tuple:
        try:
            return (0, *rule_order(row[0]), SEVERITIES.index(row[2]) if row[2] in SEVERITIES else 9)
        except (ValueError, IndexError):
            return (1, 0, 0, 0)

    return pd.DataFrame(sorted(rows, key=key), columns=columns)


def form_counts(audit) -> pd.DataFrame:
    """Open findings per form and severity, and rules not evaluated, with Chinese headers."""
    summary = audit.summary()
    return pd.DataFrame(
        {
            "部门": summary["department"].map(text),
            "年度": summary["year"].map(text),
            "文档编号": summary["doc_id"],
            **{label("severity", s): summary[s].astype(int) for s in SEVERITIES},
            "未能评估": summary["not_evaluated"].astype(int),
        }
    )


RECONCILIATION_COLUMNS = (
    "doc_id",
    "department",
    "year",
    "basic_wan",
    "project_wan",
    "expend_wan",
    "income_wan",
    "balance_gap_wan",
    "tasks_wan",
    "tasks_include_basic",
    "tasks_gap_wan",
    "tasks_project_share",
    "gap_explained_by",
    "gap_note",
    "budget_ref",
    "tasks_ref",
)
UNIT_COST_COLUMNS = (
    "doc_id",
    "department",
    "year",
    "task_no",
    "task_name",
    "phrase",
    "quantity",
    "unit",
    "planned_yuan",
    "unit_cost_yuan",
    "peer_median_form_yuan",
    "robust_z_form",
    "peer_median_all_yuan",
    "robust_z_all",
    "source_ref",
)
INPUT_COLUMNS = ("doc_id", "department", "year", "source_path", "source_sheet", "source_sha256", "year_source")


def pick(frame: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """The columns of ``frame`` that exist, in the given order (derived frames grow over time)."""
    if frame is None:
        return pd.DataFrame(columns=list(columns))
    return frame[[c for c in columns if c in frame.columns]].reset_index(drop=True)


def reconciliation(audit) -> pd.DataFrame:
    return pick(audit.frames.get("documents"), RECONCILIATION_COLUMNS)


def unit_costs(audit) -> pd.DataFrame:
    return pick(audit.frames.get("unit_costs"), UNIT_COST_COLUMNS)


def inputs(audit) -> pd.DataFrame:
    return pick(audit.forms.documents, INPUT_COLUMNS)


@dataclass(frozen=True)
class RunFacts:
    """What the run log records: the package, the rules run and when."""

    version: str
    python: str
    rule_count: int
    rulebook: pd.DataFrame
    rules_not_run: pd.DataFrame
    generated_at: str


def run_facts(audit) -> RunFacts:
    """Facts of this run. The time honours ``SOURCE_DATE_EPOCH`` (reproducible builds)."""
    from perfaudit import __version__
    from perfaudit.rules import rulebook_table
    from perfaudit.vocab import read_vocab

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = datetime.fromtimestamp(int(epoch), tz=UTC) if epoch else datetime.now().astimezone()
    return RunFacts(
        version=__version__,
        python=platform.python_version(),
        rule_count=audit.rule_count,
        rulebook=rulebook_table(getattr(audit, "rulebook", None)),
        rules_not_run=pd.DataFrame(list(read_vocab("rules_not_run"))),
        generated_at=now.isoformat(timespec="seconds"),
    )


def write_chart_images(audit, folder: Path) -> list[Path]:
    """``charts/*.png`` from :mod:`perfaudit.charts` when the package has it, else none."""
    try:
        from perfaudit.charts import write_charts
    except ImportError as err:
        if err.name == "perfaudit.charts":  # no charts module (or one without write_charts) in this tree
            return []
        raise  # a dependency of the charts module is missing: that is an error, not "no charts"
    return [Path(p) for p in write_charts(audit, folder)]


def chart_title(path: Path) -> str:
    """A Chinese caption for a chart file (``year_over_year-<部门>.png`` → ``年度对比：<部门>``)."""
    name, _, detail = Path(path).stem.partition("-")
    title = label("chart", name)
    if title == name:  # a chart this module has no caption for: its file name
        return Path(path).stem.replace("_", " ")
    return f"{title}：{detail}" if detail else title
