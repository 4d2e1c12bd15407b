"""What a chart function accepts (a FormSet or an Audit) and the facts it needs from either."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

import pandas as pd

from perfaudit.derive import unit_costs
from perfaudit.formset import FormSet

# Past this many forms a chart shows the archive, not each form: no panel, colour, marker or
# legend entry per form (a city's archive gives a scatter, not a 50,000-pixel column).
PER_FORM_LIMIT = 12


class AuditLike(Protocol):
    """What a chart reads of an Audit: its forms (its frames and findings where it has them)."""

    forms: FormSet


#: What every chart function accepts.
ChartSource = FormSet | AuditLike


class NothingToPlot(ValueError):
    """The loaded forms hold no data for this chart (e.g. year over year with one year)."""


def forms_of(source: ChartSource) -> FormSet:
    """The FormSet behind a FormSet or an Audit, its text fit for labels (see :func:`label_safe`)."""
    if isinstance(source, FormSet):
        return label_safe(source)
    forms = getattr(source, "forms", None)
    if isinstance(forms, FormSet):
        return label_safe(forms)
    raise TypeError(f"expected a FormSet or an Audit, got {type(source).__name__}")


def unit_costs_of(source: ChartSource) -> pd.DataFrame:
    """The audit's unit-cost frame, or the same frame derived from the forms."""
    frames = getattr(source, "frames", None)
    if isinstance(frames, Mapping) and "unit_costs" in frames:  # (an archive's frames keep it)
        return _label_safe_frame(frames["unit_costs"]) if len(frames["unit_costs"]) else frames["unit_costs"]

    return unit_costs(forms_of(source))


# Form text is untrusted: a name of 100,000 characters would collapse a chart's layout, and a
# control character has no glyph. The text a chart may draw (LABEL_COLUMNS) is cut to LABEL_MAX
# characters (with …) and its control characters dropped; real forms have neither, so their
# charts are untouched (no copy is made).
LABEL_MAX = 40
LABEL_COLUMNS = frozenset(
    {"department", "name", "task_name", "item", "level1", "level2", "level3", "level1_raw", "level2_raw"}
    | {"unit", "noun", "phrase", "annual_value", "period_value", "qualifier"}
)
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"


def label_safe(forms: FormSet) -> FormSet:
    """``forms`` itself, or a copy whose label text is cut and free of control characters."""
    changed = {name: _label_safe_frame(frame) for name, frame in forms.tables.items()}
    changed = {name: frame for name, frame in changed.items() if frame is not forms.tables[name]}
    return FormSet.from_tables({**forms.tables, **changed}) if changed else forms


def _label_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    fixes = {}
    for column in LABEL_COLUMNS.intersection(frame.columns):  # only text a chart may draw
        values = frame[column]
        if not pd.api.types.is_string_dtype(values) or values.isna().all():
            continue
        text = values if values.dtype != object else values.astype("str")
        if bool((text.str.len() > LABEL_MAX).any()) or bool(text.str.contains(_CONTROL, regex=True, na=False).any()):
            fixes[column] = values.map(_label_text)
    return frame.assign(**fixes) if fixes else frame


def _label_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    value = re.sub(_CONTROL, "", value)
    return value if len(value) <= LABEL_MAX else value[: LABEL_MAX - 1] + "…"


def findings_of(source) -> pd.DataFrame | None:
    """The audit's findings, or None for a FormSet."""
    findings = getattr(source, "findings", None)
    return findings if isinstance(findings, pd.DataFrame) else None


def _form_parts(forms: FormSet) -> dict[str, tuple[str, str, str]]:
    """doc_id → (department, "2024年", what tells it apart where department and year alone are ambiguous, else "").

    What tells a project form apart is its project's name; else, or when that is shared too, its doc_id.
    """
    parts, names = {}, {}
    for row in forms.documents.itertuples():
        year = "" if pd.isna(row.year) else f"{int(row.year)}年"
        parts[row.doc_id] = (row.department or row.doc_id, year)
        names[row.doc_id] = getattr(row, "project_name", "") or ""
    counts = pd.Series(list(parts.values()), dtype="object").value_counts()
    tags = {doc: names[doc] or doc for doc, part in parts.items() if counts[part] > 1}
    shared = pd.Series(list(tags.values()), dtype="object").value_counts()
    return {
        doc: (*part, (tags[doc] if shared[tags[doc]] == 1 else doc) if doc in tags else "")
        for doc, part in parts.items()
    }


def form_titles(forms: FormSet) -> dict[str, str]:
    """A short title per document: 部门 2024年 (with the doc_id where that is ambiguous)."""
    return {
        doc: f"{name} {year}".strip() + (f"（{doc_id}）" if doc_id else "")
        for doc, (name, year, doc_id) in _form_parts(forms).items()
    }


def form_headers(forms: FormSet, width: int) -> dict[str, str]:
    """Column headers for a grid of forms: the department wrapped to ``width``, the year below it."""
    from perfaudit.charts.style import wrap

    return {
        doc: "\n".join(filter(None, [wrap(name, width), year, wrap(doc_id, width, 1)]))
        for doc, (name, year, doc_id) in _form_parts(forms).items()
    }


def ordered_docs(forms: FormSet) -> list[str]:
    """doc_ids grouped by department (in the order first loaded), oldest year first within each."""
    docs = forms.documents[["doc_id", "department", "year"]].copy()
    first = {dept: n for n, dept in reversed(list(enumerate(docs["department"])))}
    docs["_dept"] = docs["department"].map(first)
    docs["_year"] = docs["year"].astype("Float64").fillna(0)
    return docs.sort_values(["_dept", "_year"], kind="stable")["doc_id"].tolist()
