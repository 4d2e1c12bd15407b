"""Findings: one tidy table built from the rule results, with templated Chinese messages.

A finding's id is a hash of the rule, the department, the year and the subject, so it stays
the same on every rerun whatever the row order or the run time.
"""

from __future__ import annotations

import hashlib
import math
import string

import pandas as pd

from perfaudit.fields import code_label, columns, severity_rank, table_section
from perfaudit.rules.runner import RuleResult
from perfaudit.rules.suites import Rule, RulebookError

COLUMNS = columns("findings")  # vocab/findings.csv


class _Formatter(string.Formatter):
    """str.format with a few unit-aware steps before the usual format spec.

    A message shows a fact in the unit the form prints it in, while derive keeps base units
    (yuan, ratios). Steps come before the standard spec, each ended by a colon:

    - ``{tasks_yuan:万:,.2f}`` — yuan shown in 万元 (divided by 10,000), then ``,.2f``;
    - ``{balance_gap_yuan:abs:万:,.2f}`` — the size of a signed amount;
    - ``{balance_gap_yuan:sign:多|少}`` — the first word when the number is positive, else the second;
    - ``{gap_explained_by:if:；差额恰等于“{gap_explained_by}”}`` — the text after ``if:`` when the
      value is present and not empty, else nothing.

    A ratio is shown as a percentage with Python's own ``%`` type (``{budget_change:+.1%}``).
    A missing number shows as — instead of failing or printing nan.
    """

    def format_field(self, value, format_spec):
        missing = _is_missing(value)
        if format_spec.startswith("if:"):
            return "" if missing or value == "" else format_spec[3:]
        if missing:
            return "—"
        if format_spec.startswith("sign:"):
            positive, _, other = format_spec[5:].partition("|")
            return positive if value > 0 else other
        while format_spec.startswith(_STEPS):
            step, _, format_spec = format_spec.partition(":")
            value = _STEP[step](value)
        try:
            return super().format_field(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


_STEP = {"万": lambda v: v / 10_000, "abs": abs}
_STEPS = tuple(f"{name}:" for name in _STEP)
_FORMAT = _Formatter()


def render(template: str, row: dict, rule: Rule) -> str:
    """Fill a message template with a frame row and the rule's arguments (``{kw[min_value]}``)."""
    try:
        return _FORMAT.vformat(template, (), {**row, "kw": rule.kwargs, "meta": rule.meta})
    except (KeyError, IndexError, AttributeError) as err:
        raise RulebookError(f"{rule.suite}: {rule.key}: template {template!r} names {err}, not a column") from None


TEMPLATE_FIELDS = ("message", "subject", "observed", "expected")


def check_templates(rules: list[Rule], columns: set[str]) -> None:
    """Every ``{field}`` a rule's texts name must be a column of its frame (or ``kw`` / ``meta``).

    Checked before the audit runs, so a typo fails at once, not only on the day the rule fires.
    """
    known = set(columns) | {"kw", "meta"}
    for rule in rules:
        for part in TEMPLATE_FIELDS:
            template = rule.meta.get(part, "")
            try:
                names = _field_names(template)
            except ValueError as err:
                raise RulebookError(f"{rule.suite}: {rule.key}: {part} template {template!r}: {err}") from None
            unknown = names - known
            if unknown:
                raise RulebookError(
                    f"{rule.suite}: {rule.key}: {part} template names {', '.join(sorted(unknown))}, not a column"
                )
        missing = sorted(set(rule.meta.get("requires", [])) - known)
        if missing:
            raise RulebookError(f"{rule.suite}: {rule.key}: requires columns not in the frame: {', '.join(missing)}")
        source = rule.meta.get("source_ref", "source_ref")
        if source not in known:
            raise RulebookError(f"{rule.suite}: {rule.key}: source_ref column {source!r} is not in the frame")


def _field_names(template: str) -> set[str]:
    """The columns a template names, also inside a format spec (``{x:if:…{y}…}``)."""
    names: set[str] = set()
    for _, field, spec, _ in _FORMAT.parse(template):
        if field:
            names.add(field.split("[")[0].split(".")[0])
        if spec:
            names |= _field_names(spec)
    return names


def stable_id(rule_key: str, department: str, year: object, stage: str, subject: str, occurrence: int) -> str:
    """A finding's id.

    The same rule, department, year, form stage and subject give the same id on every run, whatever the file names,
    their order, or which other forms were loaded.

    It starts with a letter so that Excel never reads it as a number when a ledger is opened.
    """
    year_text = "" if year is None or pd.isna(year) else str(int(year))
    text = "|".join([rule_key, department or "", year_text, stage or "", subject, str(occurrence)])
    return "F" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:15]


def build_findings(results: list[RuleResult], frames: dict[str, pd.DataFrame], forms) -> pd.DataFrame:
    """The findings table: failed rows as ``open`` findings, missing inputs as ``not_evaluated``."""
    # Plain dicts, made once: a pandas lookup per failed row costs more than the rule checks.
    documents = forms.documents.set_index("doc_id").to_dict("index")
    rows = _Columns([*COLUMNS[1:], "_key", "_stage"])
    by_families: dict[tuple[str, ...], set[str]] = {}
    doubtful = read_with_doubt(forms)
    for result in results:
        rule = result.rule
        if result.error:
            raise RulebookError(f"{rule.suite}: {rule.key} could not run: {result.error}")
        frame = frames[rule.suite]
        covered = _covered(documents, tuple(rule.meta["families"]), by_families)
        blocked = {**_not_evaluable(rule, frame, forms), **doubtful}
        for doc_id, reason in blocked.items():
            if doc_id in covered:
                rows.append(_finding(rule, doc_id, documents, {}, status="not_evaluated", reason=reason))
        failed = frame.loc[list(result.failed_rows)].to_dict("records") if result.failed_rows else []
        for row in failed:
            if row.get("doc_id") in blocked or row.get("doc_id") not in covered:
                continue
            rows.append(_finding(rule, row["doc_id"], documents, row, status="open"))
    return _assign_ids(rows.frame())


class _Columns:
    """Rows gathered a column at a time: an archive's findings as dicts would take several times the memory."""

    def __init__(self, names: list[str]) -> None:
        self.values: dict[str, list] = {name: [] for name in names}

    def append(self, row: dict) -> None:
        for name, values in self.values.items():
            values.append(row[name])

    def frame(self) -> pd.DataFrame:
        """The rows as a frame, each column's list let go as soon as it is a column."""
        columns = {}
        for name in list(self.values):
            columns[name] = pd.Series(self.values.pop(name))
        return pd.DataFrame(columns)


def read_with_doubt(forms) -> dict[str, str]:
    """Forms read with too little confidence to judge, and why: every rule is ``not_evaluated`` on them.

    Either the indicator table was found but not one of its rows has a value (its value columns
    were not recognised), or more of the source's cells were left over than were read. Findings
    built from such a reading would be debris, not defects.
    """
    indicators = forms.indicators
    has_value = (indicators["annual_value"].fillna("") != "") | (indicators["period_value"].fillna("") != "")
    rows_with_value = has_value.groupby(indicators["doc_id"]).any()
    cells_read = forms.documents.set_index("doc_id")["cells_read"]
    leftovers = forms.leftovers[forms.leftovers["text"].fillna("") != ""]["doc_id"].value_counts()
    no_values = "指标表中没有读到任何指标值（指标值的栏目未能识别）"
    doubtful = {doc: no_values for doc, ok in rows_with_value.items() if not ok}
    for doc, count in leftovers.items():
        read = cells_read.get(doc)
        if pd.notna(read) and count > read:
            doubtful.setdefault(doc, f"未能识别的内容（{count} 处）多于读出的内容（{int(read)} 处）")
    return {doc: f"表格读取把握不足：{reason}" for doc, reason in doubtful.items()}


def _covered(documents: dict[str, dict], families: tuple[str, ...], cache: dict) -> set[str]:
    """The documents of the families a check applies to (made once per set of families)."""
    if families not in cache:
        cache[families] = {doc for doc, document in documents.items() if document.get("form_type") in families}
    return cache[families]


def _not_evaluable(rule: Rule, frame: pd.DataFrame, forms) -> dict[str, str]:
    """Documents on which a rule cannot be judged: a needed table is empty, or a needed value is missing."""
    blocked: dict[str, str] = {}
    for table in rule.meta.get("needs", []):
        present = set(forms.tables[table]["doc_id"])
        for doc_id in forms.documents["doc_id"]:
            if doc_id not in present:
                blocked.setdefault(doc_id, f"表格中没有{table_section(table)}")
    required = rule.meta.get("requires", [])
    if required:
        missing = frame[frame[required].isna().any(axis=1)]
        for row in missing.itertuples():
            names = [_REQUIRED_ZH.get(c, c) for c in required if pd.isna(getattr(row, c))]
            blocked.setdefault(row.doc_id, f"缺少{'、'.join(dict.fromkeys(names))}")
    return blocked


# What a missing input is called in a not-evaluated message.
_REQUIRED_ZH = {
    "expend_yuan": "部门预算支出合计（基本支出与项目支出）",
    "income_yuan": "收入来源合计",
    "tasks_yuan": "重点工作任务资金",
    "annual_budget_yuan": "年度资金总额",
    "sources_yuan": "资金来源金额",
    "cost_items_yuan": "项目支出明细（成本构成）",
    "cost_reference_yuan": "年度资金总额或支出明细合计",
    "period_budget_yuan": "项目总预算（实施期资金总额）",
    "project_yuan": "整体表的项目支出",
    "project_forms_yuan": "项目表的年度资金总额",
    "points_total": "指标分值",
}


def _finding(rule: Rule, doc_id: str, documents: dict[str, dict], row: dict, status: str, reason: str = "") -> dict:
    meta = rule.meta
    document = documents.get(doc_id, {})
    department = document.get("department", "")
    year = document.get("year")
    context = {**document, **row}
    if status == "not_evaluated":
        subject = meta["title_zh"]
        message = f"{code_label('status', 'not_evaluated')}：{reason}。"
        observed = expected = ""
        source_ref = ""
    else:
        subject = render(meta.get("subject", "{subject}"), context, rule)
        message = render(meta["message"], context, rule)
        observed = render(meta.get("observed", ""), context, rule)
        expected = render(meta.get("expected", ""), context, rule)
        source_ref = str(context.get(meta.get("source_ref", "source_ref"), "") or "")
    return {
        "rule_id": meta["rule_id"],
        "check": meta.get("check", ""),
        "severity": meta["severity"],
        "status": status,
        "doc_id": doc_id,
        "department": department,
        "year": year,
        "table": meta["table"],
        "subject": subject,
        "message": message,
        "observed": observed,
        "expected": expected,
        "basis": meta["basis"],
        "source_ref": source_ref,
        "title_zh": meta["title_zh"],
        "advice": meta["advice"],
        "_key": rule.key,
        "_stage": document.get("stage", ""),
    }


def sort_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """Findings by form, then severity (errors first), rule, cell and subject; ties keep their order."""
    keys = frame[["doc_id", "rule_id", "source_ref", "subject", "severity"]].reset_index(drop=True)
    keys["_order"] = keys["severity"].map(severity_rank)
    order = keys.sort_values(["doc_id", "_order", "rule_id", "source_ref", "subject"], kind="stable").index
    return frame.iloc[order].reset_index(drop=True)


def _assign_ids(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.drop(columns=["_key", "_stage"]).reindex(columns=list(COLUMNS)).astype({"year": "Int64"})
    frame["year"] = pd.array(frame["year"], dtype="Int64")
    frame = sort_findings(frame)
    # Repeats of one subject are counted within one form only.
    occurrence = frame.groupby(["_key", "doc_id", "subject"], dropna=False).cumcount()
    frame["finding_id"] = [
        stable_id(*values)
        for values in zip(
            frame["_key"],
            frame["department"],
            frame["year"],
            frame["_stage"],
            frame["subject"],
            occurrence,
            strict=True,
        )
    ]
    return frame.drop(columns=["_key", "_stage"])[list(COLUMNS)].reset_index(drop=True)
