"""``audit``: run the rulebook over a FormSet and keep everything an auditor needs next."""

from __future__ import annotations

import html
import itertools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from perfaudit.derive import Crossings, derive, parts
from perfaudit.export import export_audit
from perfaudit.fields import code_label, label, severities, severity_colour, table_label
from perfaudit.formset import FormSet
from perfaudit.ledger import apply_ledger
from perfaudit.progress import bar, wanted
from perfaudit.rules import RulebookError, build_findings, default_rulebook, read_rules, validate
from perfaudit.rules.findings import check_templates, sort_findings

if TYPE_CHECKING:  # the chart job is started by the CLI and handed in here
    from perfaudit.export.chartjob import ChartJob


@dataclass
class Audit:
    """The result of an audit: the forms, the derived facts and the findings table."""

    forms: FormSet
    frames: Mapping[str, pd.DataFrame]
    findings: pd.DataFrame
    rule_count: int
    rulebook: Path | None = None

    def summary(self) -> pd.DataFrame:
        """Open findings per form and severity, with not-evaluated rules counted apart."""
        docs = self.forms.documents[["doc_id", "department", "year"]].set_index("doc_id")
        open_ = self.findings[self.findings["status"] == "open"]
        counts = open_.groupby(["doc_id", "severity"]).size().unstack(fill_value=0)
        for severity in severities():
            docs[severity] = counts[severity].reindex(docs.index, fill_value=0) if severity in counts else 0
        skipped = self.findings[self.findings["status"] == "not_evaluated"].groupby("doc_id").size()
        docs["not_evaluated"] = skipped.reindex(docs.index, fill_value=0)
        return docs.reset_index()

    def export(
        self, folder: str | os.PathLike, charts: ChartJob | None = None, progress: bool | None = None
    ) -> list[Path]:
        """Write everything an auditor hands over into ``folder``, each file atomically.

        findings.json, findings.csv, tables/<table>.csv, charts/*.png, workpaper.xlsx,
        report.html, findings.docx and departments/ (a page and a Word draft per department)
        — the same files as ``perfaudit audit --out``. ``charts``: a
        :class:`perfaudit.export.chartjob.ChartJob` started on ``folder/charts``. ``progress``:
        a bar over the parts (by default for an archive on a terminal or in a notebook).
        """
        return export_audit(self, Path(folder), charts=charts, progress=progress)

    def __repr__(self) -> str:
        counts = self.findings[self.findings["status"] == "open"]["severity"].value_counts()
        parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in severities())
        return f"<Audit: {len(self.forms)} forms, {self.rule_count} rules; findings: {parts}>"

    def _repr_html_(self) -> str:
        summary = self.summary()
        cells = []
        for row in summary.itertuples():
            badges = " ".join(
                f'<span style="background:{severity_colour(s)};color:white;padding:1px 6px;border-radius:3px">'
                f"{code_label('severity', s)} {getattr(row, s)}</span>"
                for s in severities()
            )
            skipped = f"（{row.not_evaluated} 条规则未能评估）" if row.not_evaluated else ""
            year = "" if pd.isna(row.year) else int(row.year)
            cells.append(
                f'<tr><td style="text-align:left">{html.escape(str(row.doc_id))}</td>'
                f'<td style="text-align:left">{html.escape(str(row.department))}</td>'
                f'<td style="text-align:left">{year}</td><td style="text-align:left">{badges}{skipped}</td></tr>'
            )
        heads = "".join(
            f'<th title="{label("findings", c, lang="en")}" style="text-align:left">{label("findings", c)}</th>'
            for c in ("doc_id", "department", "year")
        )
        return (
            f"<div><strong>Audit</strong>：{len(self.forms)} 份表格，{self.rule_count} 条规则 "
            f"({len(self.forms)} forms, {self.rule_count} rules)</div>"
            f'<table><thead><tr>{heads}<th style="text-align:left">{table_label("findings")}</th></tr></thead>'
            f"<tbody>{''.join(cells)}</tbody></table>"
        )


def audit(
    forms: FormSet,
    rulebook: str | os.PathLike | None = None,
    ledger: str | os.PathLike | None = None,
    today: date | None = None,
    progress: bool | None = None,
) -> Audit:
    """Derive the facts, run every suite once over the stacked frames, and build the findings.

    With ``ledger`` (a CSV or xlsx file, created when missing) the findings take the auditor's
    recorded status and note, gain a ``change`` column (new / persisting / reopened / resolved),
    and the ledger is updated; see :mod:`perfaudit.ledger`. ``progress``: a bar over the stages
    (derive, one suite at a time, findings), or over the parts of an archive; by default for
    more than 50 forms on a terminal or in a notebook.

    An archive of more than ``PART_FORMS`` (2,000) forms is derived and judged in parts of about
    that many, the forms compared with each other kept in one part (:func:`perfaudit.derive.parts`):
    the findings are the same, and its derived frames never exist all at once. Its ``frames``
    then keep those the exports read (``KEPT_FRAMES``); any other is derived again when asked for.

    Example:
        >>> result = audit(pa.load("data/forms"))   # doctest: +SKIP
        >>> result.findings[["severity", "department", "message"]]   # doctest: +SKIP
    """
    suites = read_rules(Path(rulebook) if rulebook else None)
    crossings = Crossings.of(forms)
    groups = parts(list(forms.documents["doc_id"]), crossings, PART_FORMS)
    if len(groups) > 1:
        frames, findings = _judge_in_parts(forms, suites, crossings, groups, progress)
    else:
        stages = iter(["derive", *suites, "findings"])
        if wanted(len(forms), progress):
            stages = iter(_stage_bar(stages, len(suites) + 2))
        frames, findings = _judge(forms, suites, crossings, stages)
    result = Audit(
        forms=forms,
        frames=frames,
        findings=findings,
        rule_count=sum(len(r) for r in suites.values()),
        rulebook=Path(rulebook) if rulebook else default_rulebook(),
    )
    if ledger is not None:
        result = apply_ledger(result, ledger, today=today)
    return result


# An archive of more forms is derived and judged this many forms at a time (perfaudit.derive.parts):
# its derived frames, several times the size of its tables, then never exist all at once.
PART_FORMS = 2_000
# The derived frames an Audit of an archive keeps (the exports and charts read them); any other
# is derived again, for the whole archive, when asked for.
KEPT_FRAMES = ("documents", "execution", "unit_costs")


def _judge(
    forms: FormSet, suites: dict, crossings: Crossings, stages: Iterator[str]
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Derive the frames of ``forms``, run the suites over them and build the findings."""
    next(stages)
    frames = derive(forms, crossings)
    unknown = sorted(set(suites) - set(frames))
    if unknown:
        raise RulebookError(f"suites name no derived frame: {', '.join(unknown)} (frames: {', '.join(frames)})")
    documents = set(forms.documents.columns)
    for name, rules in suites.items():
        check_templates(rules, set(frames[name].columns) | documents)
    results = []
    for name, rules in suites.items():
        next(stages)
        results.extend(validate(frames[name], rules, name))
    next(stages)
    findings = build_findings(results, frames, forms)
    next(stages, None)  # closes a bar
    return frames, findings


def _judge_in_parts(
    forms: FormSet, suites: dict, crossings: Crossings, groups: list[list[str]], progress: bool | None
) -> tuple[Mapping[str, pd.DataFrame], pd.DataFrame]:
    """:func:`_judge` a part of the archive at a time; the findings and the kept frames joined in load order."""
    kept: dict[str, list[pd.DataFrame]] = {name: [] for name in KEPT_FRAMES if name != "unit_costs"}
    findings: list[pd.DataFrame] = []
    names: list[str] = []
    shown = bar(groups, "审核 auditing", "part", total=len(groups)) if wanted(len(forms), progress) else groups
    for group in shown:
        frames, found = _judge(forms.select(group), suites, crossings.within(set(group)), itertools.repeat(""))
        names = names or list(frames)
        for name, pieces in kept.items():
            pieces.append(frames[name])
        findings.append(found)
        del frames
    order = {doc: n for n, doc in enumerate(forms.documents["doc_id"])}
    joined = {name: _in_load_order(_stack(pieces), order) for name, pieces in kept.items()}
    joined["unit_costs"] = crossings.costs
    return DerivedFrames(forms, joined, names), sort_findings(_stack(findings))


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    filled = [frame for frame in frames if len(frame)] or frames[:1]
    return pd.concat(filled, ignore_index=True)


def _in_load_order(frame: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Rows by their form's place in the load (stable: a form's rows keep their order)."""
    return frame.sort_values("doc_id", key=lambda ids: ids.map(order), kind="stable").reset_index(drop=True)


class DerivedFrames(Mapping):
    """The derived frames of an archive audited in parts.

    The frames the exports read are kept; any other is derived again, for the whole archive,
    the first time it is asked for (as much memory as the archive's tables several times over).
    """

    def __init__(self, forms: FormSet, kept: dict[str, pd.DataFrame], names: list[str]) -> None:
        self._forms, self._frames, self._names = forms, dict(kept), names

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames and name in self._names:
            self._frames.update({k: v for k, v in derive(self._forms).items() if k not in self._frames})
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _stage_bar(stages: Iterator[str], total: int) -> Iterator[str]:
    """The stages under a bar that names the one running (it advances when the next begins)."""
    progress: Any = bar(stages, "审核 auditing", "stage", total=total)  # a tqdm bar
    for stage in progress:
        progress.set_postfix_str(stage, refresh=True)
        yield stage
