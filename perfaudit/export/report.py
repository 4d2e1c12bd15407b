"""``report.html``: the findings as one self-contained page that opens offline in any browser.

Styles are inlined and charts are ``data:`` URIs; the page names no external URL and its
Content-Security-Policy forbids loading from anywhere else. It reads on a laptop screen and
prints on A4 (print styles: one department per page, table headers repeated, colours kept).
The page carries no run time, so the same audit always gives the same file.
"""

from __future__ import annotations

import base64
import functools
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
    """The report as HTML text."""
    facts = common.run_facts(audit)
    findings = common.sorted_findings(audit)
    context = {
        "title": TITLE,
        "version": facts.version,
        "forms_count": len(audit.forms),
        "rule_count": facts.rule_count,
        "findings_count": len(findings),
        "totals": _totals(findings),
        "severity_css": severity_css(),
        "overview": _counts_table(common.form_counts(audit)),
        "reconciliation": _reconciliation(audit),
        "execution": _execution(audit),
        "departments": _departments(findings),
        "charts": [{"title": common.chart_title(p), "uri": data_uri(p)} for p in charts],
        "inputs": _inputs(audit),
        "not_run_count": len(facts.rules_not_run),
    }
    return _environment().get_template("report.html.j2").render(context)


def export_report(audit, path: Path, charts: list[Path]) -> Path:
    """Write ``report.html`` atomically."""
    return write_text(render_report(audit, charts), path)


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


def _totals(findings: pd.DataFrame) -> list[dict]:
    open_ = findings[findings["status"].map(text) == "open"]
    pending = label("status", "open")
    totals = [
        {"css": s, "label": f"{label('severity', s)}（{pending}）", "count": int((open_["severity"] == s).sum())}
        for s in SEVERITIES
    ]
    skipped = int((findings["status"].map(text) == "not_evaluated").sum())
    totals.append({"css": "other", "label": label("status", "not_evaluated"), "count": skipped})
    decided = findings[findings["status"].map(text).isin(DECIDED)]
    if len(decided):
        totals.append({"css": "other", "label": "已处理", "count": len(decided)})
    return totals


def _table(frame: pd.DataFrame, numeric: set[str]) -> dict:
    return {
        "columns": list(frame.columns),
        "numeric": numeric,
        "rows": [[text(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def _money(value: object) -> str:
    return "" if common.is_blank(value) else f"{value:,.2f}"


def _reconciliation(audit) -> dict:
    frame = common.reconciliation(audit)
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
    total = frame[frame["is_total"]]
    documents = audit.forms.documents.set_index("doc_id")
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
    groups = []
    if findings.empty:
        return groups
    department = findings.apply(common.department_of, axis=1)
    for number, (name, part) in enumerate(findings.groupby(department, sort=False), start=1):
        forms = part.groupby([part["year"].map(text), part["doc_id"].map(text)], sort=False)
        groups.append(
            {
                "name": name,
                "anchor": f"department-{number}",
                "summary": _count_text(part),
                "groups": [
                    {
                        "name": "　".join(x for x in (f"{year} 年" if year else "", doc_id) if x) or "（无文档）",
                        "summary": _count_text(rows),
                        "findings": [_finding(row) for row in rows.to_dict("records")],
                    }
                    for (year, doc_id), rows in forms
                ],
            }
        )
    return groups


def _count_text(findings: pd.DataFrame) -> str:
    counts = findings["severity"].value_counts()
    parts = "，".join(f"{label('severity', s)} {counts[s]}" for s in SEVERITIES if s in counts)
    return f"{len(findings)} 条（{parts}）" if parts else f"{len(findings)} 条"


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


def _inputs(audit) -> list[dict]:
    frame = common.inputs(audit)
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
