"""``report.html`` and ``departments/*.html``: the findings as pages that open offline in any browser.

``report.html`` is the run's page: totals, findings per department with a link to each
department's page, findings per rule and year, the charts. While the run is small (see
:func:`perfaudit.export.common.is_archive`) it also holds every finding, the reconciliation and
the inputs; for an archive those are on the departments' pages, so that every page opens at
once. ``departments/0001-<部门>.html`` holds one department's forms: their counts,
reconciliation, budget execution, every finding and the inputs, with a link back.

Styles are inlined and charts are ``data:`` URIs; a page names no external URL (its only links
are to the other pages of the same export) and its Content-Security-Policy forbids loading from
anywhere else. It reads on a laptop screen and prints on A4 (print styles: one department per
page, table headers repeated, colours kept). A page carries no run time, so the same audit always
gives the same files.
"""

from __future__ import annotations

import base64
import functools
from collections import Counter
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from perfaudit.atomic import write_text
from perfaudit.export import common
from perfaudit.export.common import SEVERITIES, label, text
from perfaudit.fields import label as field_label
from perfaudit.fields import severity_colour, statuses, unit

TITLE = "预算绩效目标审核报告"
# What the auditor has dealt with: every status the ledger holds but open.
DECIDED = tuple(s for s in statuses(ledger=True) if s != "open")


@functools.cache
def _environment():
    return Environment(
        loader=PackageLoader("perfaudit.export", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_report(audit, charts: list[Path]) -> str:
    """The run's page as HTML text."""
    findings = common.sorted_findings(audit)
    archive = common.is_archive(audit)
    pages = common.department_files(audit)
    context = {
        **_page_frame(common.run_facts(audit), findings, len(audit.forms)),
        "back": None,
        "archive": archive,
        "overview": _counts_table(common.form_counts(audit)) if not archive else None,
        "department_pages": _department_links(audit, pages),
        "rules": _rules_by_year(findings),
        "reconciliation": None if archive else _reconciliation(common.reconciliation(audit)),
        "execution": None if archive else _execution(audit),
        "departments": [] if archive else _departments(findings),
        "charts": [{"title": common.chart_title(p), "uri": data_uri(p)} for p in charts],
        "inputs": None if archive else _inputs(common.inputs(audit)),
    }
    return _environment().get_template("report.html.j2").render(context)


def export_report(audit, path: Path, charts: list[Path]) -> Path:
    """Write ``report.html`` atomically."""
    return write_text(render_report(audit, charts), path)


def export_department_pages(audit, folder: Path, step=None) -> list[Path]:
    """``<folder>/0001-<部门>.html`` for every department of the run; returns the paths written.

    Every table is made once for the whole run, as the page shows it, and its rows are then
    dealt out to the departments (an archive has thousands of them).
    """
    findings = common.sorted_findings(audit)
    documents = audit.forms.documents
    department_of_doc = dict(zip(documents["doc_id"], common.departments_of(documents), strict=True))

    def deal(table: dict | None, doc_ids) -> dict[str, dict]:
        """The rows of a shown table per department (by the document of each row)."""
        if table is None:
            return {}
        parts: dict[str, dict] = {}
        for row, doc_id in zip(table["rows"], doc_ids, strict=True):
            name = department_of_doc.get(doc_id, common.UNASSIGNED_DEPARTMENT)
            parts.setdefault(name, {**table, "rows": []})["rows"].append(row)
        return parts

    counts = common.form_counts(audit)
    reconciliation = common.reconciliation(audit)
    inputs = common.inputs(audit)
    execution = audit.frames.get("execution")
    totals = execution[execution["is_total"]] if execution is not None else pd.DataFrame(columns=["doc_id"])
    tables = {
        "overview": deal(_counts_table(counts), counts[field_label("findings", "doc_id")]),
        "reconciliation": deal(_reconciliation(reconciliation), reconciliation.get("doc_id", [])),
        "execution": deal(_execution_table(totals, documents), totals["doc_id"]),
    }
    empty = {"overview": {**_counts_table(counts), "rows": []}, "reconciliation": None, "execution": None}
    shown_inputs: dict[str, list[dict]] = {}
    for row in _inputs(inputs):
        shown_inputs.setdefault(department_of_doc.get(row["doc_id"], common.UNASSIGNED_DEPARTMENT), []).append(row)
    records = common.findings_by_department(findings)
    facts = common.run_facts(audit)  # once: it reads the rulebook
    template = _environment().get_template("report.html.j2")
    written = []
    for department in common.department_files(audit):
        rows = records.get(department.name, [])
        part = {name: groups.get(department.name, empty[name]) for name, groups in tables.items()}
        context = {
            **_page_frame(facts, rows, len(part["overview"]["rows"]), name=department.name),
            **part,
            "back": "../report.html",
            "archive": False,
            "department_pages": None,
            "rules": None,
            "departments": _department_groups({department.name: rows} if rows else {}),
            "charts": [],
            "inputs": shown_inputs.get(department.name, []),
        }
        written.append(write_text(template.render(context), Path(folder) / f"{department.stem}.html"))
        if step is not None:
            step()
    return written


def _page_frame(facts: common.RunFacts, findings, forms_count: int, name: str = "") -> dict:
    """What every page shows at its top: title, counts and totals."""
    return {
        "title": f"{TITLE}：{name}" if name else TITLE,
        "version": facts.version,
        "forms_count": forms_count,
        "rule_count": facts.rule_count,
        "findings_count": len(findings),
        "totals": _totals(findings),
        "severity_css": severity_css(),
        "not_run_count": len(facts.rules_not_run),
    }


def _department_links(audit, pages: list[common.DepartmentFile]) -> dict:
    """Findings per department with the link to its page (the overview's index of departments)."""
    counts = common.department_counts(audit)
    stems = {page.name: page.stem for page in pages}
    name = field_label("findings", "department")
    table = _counts_table(counts)
    links = [f"departments/{stems[department]}.html" for department in counts[name]]
    table["rows"] = [{"href": href, "cells": cells} for href, cells in zip(links, table["rows"], strict=True)]
    return table


def _rules_by_year(findings: pd.DataFrame) -> dict:
    """Open findings per rule (rows) and year (columns), with the departments each rule meets."""
    open_ = findings[findings["status"].map(text) == "open"]
    if open_.empty:
        return _table(pd.DataFrame(columns=["规则编号", "规则名称", "合计", "部门数"]), set())
    year = open_["year"].map(text).replace("", "年度不明")
    counts = pd.crosstab(open_["rule_id"], year)
    order = common.rule_counts(open_)[field_label("findings", "rule_id")].drop_duplicates()
    counts = counts.reindex(order)
    titles = open_.groupby("rule_id")["title_zh"].first().map(text)
    departments = open_.groupby("rule_id")["department"].nunique()
    frame = pd.DataFrame(
        {
            "规则编号": counts.index,
            "规则名称": counts.index.map(titles),
            **{f"{y} 年" if y.isdigit() else y: counts[y].to_numpy() for y in counts.columns},
            "合计": counts.sum(axis=1).to_numpy(),
            "部门数": counts.index.map(departments).to_numpy(),
        }
    )
    return _counts_table(frame)


def data_uri(path: Path) -> str:
    """A PNG (or SVG) file as a ``data:`` URI."""
    path = Path(path)
    mime = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def severity_css() -> str:
    """The severities' colours as CSS (from the dictionary).

    A custom property per severity and the rules that colour its totals and badges; ``other`` is a severity the
    dictionary does not know.
    """
    lines = [f":root {{ {' '.join(f'--{s}: {severity_colour(s)};' for s in (*SEVERITIES, 'other'))} }}"]
    lines += [f".total.{s} b {{ color: var(--{s}); }}" for s in SEVERITIES]
    lines += [f".badge.{s} {{ background: var(--{s}); }}" for s in (*SEVERITIES, "other")]
    return "\n".join(lines)


def _totals(findings: pd.DataFrame | list[dict]) -> list[dict]:
    """The boxes at a page's top: open findings per severity, not evaluated, dealt with."""
    if isinstance(findings, pd.DataFrame):
        pairs = zip(findings["severity"], findings["status"].map(text), strict=True)
    else:
        pairs = ((row.get("severity"), text(row.get("status"))) for row in findings)
    counts = Counter(pairs)
    statuses = Counter()
    for (_, status), count in counts.items():
        statuses[status] += count
    pending = label("status", "open")
    totals = [
        {"css": s, "label": f"{label('severity', s)}（{pending}）", "count": counts[(s, "open")]} for s in SEVERITIES
    ]
    totals.append({"css": "other", "label": label("status", "not_evaluated"), "count": statuses["not_evaluated"]})
    decided = sum(statuses[s] for s in DECIDED)
    if decided:
        totals.append({"css": "other", "label": "已处理", "count": decided})
    return totals


def _table(frame: pd.DataFrame, numeric: set[str]) -> dict:
    return {
        "columns": list(frame.columns),
        "numeric": numeric,
        "rows": [[text(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def _money(value: object) -> str:
    return "" if common.is_blank(value) else f"{value:,.2f}"


def _reconciliation(frame: pd.DataFrame) -> dict:
    money = [c for c in frame.columns if unit("reconciliation", c) == "万元"]
    shown = pd.DataFrame(
        {
            field_label("reconciliation", "department"): frame.get("department", pd.Series(dtype="str")).map(text),
            field_label("reconciliation", "year"): frame.get("year", pd.Series(dtype="str")).map(text),
            **{field_label("reconciliation", c): frame[c].map(_money) for c in money},
            field_label("reconciliation", "gap_note"): _notes(frame),
        }
    )
    numeric = {field_label("reconciliation", c) for c in money}
    return _table(shown, numeric)


def _execution(audit) -> dict | None:
    """The budget execution of each self-evaluation (万元), or None when none was loaded."""
    frame = audit.frames.get("execution")
    if frame is None or frame.empty:
        return None
    return _execution_table(frame[frame["is_total"]], audit.forms.documents)


def _execution_table(total: pd.DataFrame, documents: pd.DataFrame) -> dict | None:
    if total.empty:
        return None
    documents = documents.set_index("doc_id")
    shown = pd.DataFrame(
        {
            "部门": total["doc_id"].map(documents["department"]).map(text),
            "项目": total["doc_id"].map(documents["project_name"]).map(text),
            "年度": total["doc_id"].map(documents["year"]).map(text),
            "年初预算数": (total["budget_initial_yuan"] / 10_000).map(_money),
            "全年预算数": (total["budget_final_yuan"] / 10_000).map(_money),
            "全年执行数": (total["spent_yuan"] / 10_000).map(_money),
            "执行率(%)": total["rate_read"].map(lambda v: "" if common.is_blank(v) else f"{v:.2f}"),
            "分值": total["points"].map(text),
            "得分": total["score"].map(text),
        }
    )
    return _table(shown, {"年初预算数", "全年预算数", "全年执行数", "执行率(%)", "分值", "得分"})


def _counts_table(counts: pd.DataFrame) -> dict:
    """Findings per form: the counts right-aligned."""
    return _table(counts, {c for c in counts.columns if pd.api.types.is_integer_dtype(counts[c])})


def _notes(frame: pd.DataFrame) -> pd.Series:
    if "gap_note" not in frame:
        return pd.Series([""] * len(frame), index=frame.index)
    notes = frame["gap_note"].map(text).str.strip().str.lstrip("；;").str.strip()
    if "tasks_project_share" in frame:
        share = frame["tasks_project_share"].map(
            lambda v: "" if common.is_blank(v) else f"重点任务资金占项目支出 {v:.1%}，未含基本支出"
        )
        notes = notes.where(notes != "", share)
    return notes


def _departments(findings: pd.DataFrame) -> list[dict]:
    """Findings by department, and within one by form (year and document)."""
    return _department_groups(common.findings_by_department(findings))


def _department_groups(by_department: dict[str, list[dict]]) -> list[dict]:
    """:func:`_departments` of findings already dealt to their departments, as dicts."""
    groups = []
    for number, (name, rows) in enumerate(by_department.items(), start=1):
        forms: dict[tuple[str, str], list[dict]] = {}
        for row in rows:
            forms.setdefault((text(row.get("year")), text(row.get("doc_id"))), []).append(row)
        groups.append(
            {
                "name": name,
                "anchor": f"department-{number}",
                "summary": _count_text(rows),
                "groups": [
                    {
                        "name": "　".join(x for x in (f"{year} 年" if year else "", doc_id) if x) or "（无文档）",
                        "summary": _count_text(part),
                        "findings": [_finding(row) for row in part],
                    }
                    for (year, doc_id), part in forms.items()
                ],
            }
        )
    return groups


def _count_text(rows: list[dict]) -> str:
    counts = Counter(row.get("severity") for row in rows)
    parts = "，".join(f"{label('severity', s)} {counts[s]}" for s in SEVERITIES if s in counts)
    return f"{len(rows)} 条（{parts}）" if parts else f"{len(rows)} 条"


def _finding(row: dict) -> dict:
    severity = text(row.get("severity"))
    status = text(row.get("status"))
    change = text(row.get("change"))
    return {
        "finding_id": text(row.get("finding_id")),
        "severity": severity,
        "severity_css": severity if severity in SEVERITIES else "other",
        "severity_label": label("severity", severity),
        "year": text(row.get("year")),
        "rule_id": text(row.get("rule_id")),
        "title": text(row.get("title_zh")),
        "message": text(row.get("message")),
        "facts": common.facts_text(row),
        "advice": text(row.get("advice")),
        "basis": text(row.get("basis")),
        "source_ref": text(row.get("source_ref")),
        "doc_id": text(row.get("doc_id")),
        "status_label": common.status_label(status),
        "decided": status in DECIDED,
        "change": label("change", change) if change else "",
        "note": text(row.get("note")),
    }


def _inputs(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for row in frame.to_dict("records"):
        source = text(row.get("source_path"))
        if text(row.get("source_sheet")) and source.lower().endswith((".xlsx", ".xlsm", ".xls")):
            source += f"（{text(row.get('source_sheet'))}）"
        rows.append(
            {
                "doc_id": text(row.get("doc_id")),
                "department": text(row.get("department")),
                "year": text(row.get("year")),
                "source": source,
                "sha256": text(row.get("source_sha256")),
            }
        )
    return rows
