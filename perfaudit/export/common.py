"""What the working paper, the report and the Word draft share: labels, display order, counts, run facts.

The three documents show the same findings in the same order with the same Chinese words, so
those decisions are made here once.
"""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from perfaudit.fields import (
    code_label,
    columns,
    findings_columns,
    heading,
    printed_findings_columns,
    severities,
    severity_rank,
    table_label,
)
from perfaudit.fields import (
    label as field_label,
)
from perfaudit.rules import rulebook_table
from perfaudit.rules.catalog import rule_order
from perfaudit.version import __version__
from perfaudit.vocab import read_vocab

SEVERITIES = severities()
UNASSIGNED_DEPARTMENT = "（未识别部门）"
_CODES = ("severity", "status", "change", "chart")


def label(kind: str, key: str) -> str:
    """The Chinese name of ``key`` from the dictionary.

    A severity, status, change or chart code (``kind`` names which), a sheet (``kind="sheet"``), or a column of the
    table ``kind`` (its heading, with a money unit: ``单位成本（元）``). Unknown keys are shown as they are.
    """
    if kind in _CODES:
        return code_label(kind, key)
    if kind == "sheet":
        return table_label(key)
    return heading(kind, key)


def is_blank(value: object) -> bool:
    """Whether a cell is empty: None, NA, NaT or NaN."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


# Control characters (a stray form feed or vertical tab in text taken from a PDF) are not allowed
# in XML, so a workbook or Word file holding one would fail to save.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value: str) -> str:
    """The text with the control characters XML forbids replaced by spaces."""
    return _CONTROL.sub(" ", value)


def text(value: object) -> str:
    """A cell as the documents print it: blanks empty, whole floats without ``.0``."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return xml_safe(str(value))


def status_label(status: object) -> str:
    """The Chinese label of a finding's status (待处理, 已接受, …)."""
    return label("status", text(status))


def facts_text(row: dict) -> str:
    """``实际：… 应为：…`` with only the parts a finding has."""
    pairs = (("实际", text(row.get("observed"))), ("应为", text(row.get("expected"))))
    return "；".join(f"{name}：{value}" for name, value in pairs if value)


ARCHIVE_FORMS = 200
ARCHIVE_FINDINGS = 500


def is_archive(audit) -> bool:
    """Whether a run is an archive: more forms or findings than one document can show a reader.

    For an archive, ``findings.docx`` and ``report.html`` summarise (per department, rule and
    year) and each department's findings are in its own draft and page in ``departments/``.
    """
    return len(audit.forms) > ARCHIVE_FORMS or len(audit.findings) > ARCHIVE_FINDINGS


def departments_of(frame: pd.DataFrame) -> pd.Series:
    """The department of every row of a frame with a ``department`` column, or the label for none."""
    if frame.empty:
        return pd.Series(dtype="str", index=frame.index)
    names = frame["department"].map(text)
    return names.where(names != "", UNASSIGNED_DEPARTMENT)


def findings_by_department(findings: pd.DataFrame) -> dict[str, list[dict]]:
    """Findings as dicts, in their order, per department (plain Python: an archive has thousands)."""
    grouped: dict[str, list[dict]] = {}
    for record, name in zip(findings.to_dict("records"), departments_of(findings), strict=True):
        grouped.setdefault(name, []).append(record)
    return grouped


@dataclass(frozen=True)
class DepartmentFile:
    """A department of the run and the name of its page and draft in ``departments/``."""

    number: int
    name: str
    stem: str  # 0001-东坑镇妇联


# What Windows, macOS or a shell cannot take in a file name, and the invisible controls that
# could make a name read otherwise than it is (a right-to-left override).
_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+')
FILE_NAME_CHARACTERS = 40


def file_stem(number: int, name: str) -> str:
    """``0001-东坑镇妇联``: a numbered, safe file name for a department's name read from a form."""
    cleaned = _NOT_IN_FILE_NAMES.sub("_", name).strip("._ ")[:FILE_NAME_CHARACTERS].rstrip("._ ")
    return f"{number:04d}-{cleaned}" if cleaned else f"{number:04d}"


def department_files(audit) -> list[DepartmentFile]:
    """Every department of the run, in the order its forms were loaded; findings' others after."""
    names = list(dict.fromkeys(departments_of(audit.forms.documents)))
    names += [d for d in dict.fromkeys(departments_of(audit.findings)) if d not in set(names)]
    return [DepartmentFile(i, name, file_stem(i, name)) for i, name in enumerate(names, start=1)]


def department_counts(audit) -> pd.DataFrame:
    """Forms and open findings per department and severity, rules not evaluated, with Chinese headers."""
    summary = audit.summary()
    summary["department"] = departments_of(summary)
    grouped = summary.groupby("department", sort=False)
    counts = grouped[[*SEVERITIES, "not_evaluated"]].sum().astype(int)
    return pd.DataFrame(
        {
            field_label("findings", "department"): counts.index,
            "表格数": grouped.size().to_numpy(),
            **{label("severity", s): counts[s].to_numpy() for s in SEVERITIES},
            label("status", "not_evaluated"): counts["not_evaluated"].to_numpy(),
        }
    )


def finding_columns(findings: pd.DataFrame) -> list[str]:
    """The findings' columns in the order an auditor reads them.

    Any column the dictionary does not know (one an auditor added to the ledger) last, so that nothing the auditor
    wrote is hidden.
    """
    order = findings_columns(shown=True)
    return [c for c in order if c in findings.columns] + [c for c in findings.columns if c not in order]


def printed_count(columns: list[str]) -> int:
    """How many of the leading ``columns`` (from :func:`finding_columns`) go on the printed page."""
    printed = set(printed_findings_columns())
    return sum(1 for c in columns if c in printed)


def sorted_findings(audit) -> pd.DataFrame:
    """Findings grouped by department (in the order the forms were loaded), then year, severity and rule."""
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
            "severity": findings["severity"].map(severity_rank),
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
    name = field_label("findings", "severity")
    for severity in SEVERITIES:
        row = {name: label("severity", severity)}
        for status in statuses:
            row[status_label(status)] = int(counts.get((severity, status), 0))
        row["合计"] = sum(v for k, v in row.items() if k != name)
        rows.append(row)
    total = {name: "合计", **{k: sum(r[k] for r in rows) for k in rows[0] if k != name}}
    return pd.DataFrame([*rows, total])


def rule_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per rule that produced a finding: id, title, severity, count."""
    columns = [*(field_label("findings", c) for c in ("rule_id", "title_zh", "severity")), "条数"]
    if findings.empty:
        return pd.DataFrame(columns=columns)
    grouped = findings.groupby(["rule_id", "severity"], sort=False)
    rows = [
        (severity, [rule_id, text(part["title_zh"].iloc[0]), label("severity", severity), len(part)])
        for (rule_id, severity), part in grouped
    ]

    def key(item: tuple) -> tuple:
        severity, row = item
        try:
            return (0, *rule_order(row[0]), severity_rank(severity))
        except (ValueError, IndexError):
            return (1, 0, 0, 0)

    return pd.DataFrame([row for _, row in sorted(rows, key=key)], columns=columns)


def form_counts(audit) -> pd.DataFrame:
    """Open findings per form and severity, and rules not evaluated, with Chinese headers."""
    summary = audit.summary()
    return pd.DataFrame(
        {
            field_label("findings", "department"): summary["department"].map(text),
            field_label("findings", "year"): summary["year"].map(text),
            field_label("findings", "doc_id"): summary["doc_id"],
            **{label("severity", s): summary[s].astype(int) for s in SEVERITIES},
            label("status", "not_evaluated"): summary["not_evaluated"].astype(int),
        }
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


# Money the reconciliation sheet shows in 万元, as the forms print it (derive keeps yuan).
_SHOWN_IN_WAN = ("basic", "project", "expend", "income", "balance_gap", "tasks", "tasks_gap")


def reconciliation(audit) -> pd.DataFrame:
    """The per-form reconciliation of stated and computed amounts, as the exports show it."""
    frame = audit.frames.get("documents")
    if frame is not None:
        frame = frame.assign(
            **{f"{name}_wan": frame[f"{name}_yuan"] / 10_000 for name in _SHOWN_IN_WAN},
            gap_note=frame["gap_explained_by"].map(
                lambda line: f"；差额恰等于“{line}”，该笔资金未列入重点工作任务" if line else ""
            ),
        )
    return pick(frame, columns("reconciliation"))


def unit_costs(audit) -> pd.DataFrame:
    """The unit-cost table of an audit in the exports' columns."""
    return pick(audit.frames.get("unit_costs"), UNIT_COST_COLUMNS)


def inputs(audit) -> pd.DataFrame:
    """The forms an audit read: file, sheet, checksum, department and year."""
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
