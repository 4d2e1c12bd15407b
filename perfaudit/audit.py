"""``audit``: run the rulebook over a FormSet and keep everything an auditor needs next."""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from perfaudit.derive import derive
from perfaudit.export import export_audit
from perfaudit.fields import code_label, label, severities, severity_colour, table_label
from perfaudit.formset import FormSet
from perfaudit.ledger import apply_ledger
from perfaudit.progress import bar, wanted
from perfaudit.rules import RulebookError, build_findings, default_rulebook, read_rules, validate
from perfaudit.rules.findings import check_templates

if TYPE_CHECKING:  # the chart job is started by the CLI and handed in here
    from perfaudit.export.chartjob import ChartJob


@dataclass
class Audit:
    """The result of an audit: the forms, the derived facts and the findings table."""

    forms: FormSet
    frames: dict[str, pd.DataFrame]
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
    (derive, one suite at a time, findings); by default for more than 50 forms on a terminal or
    in a notebook.

    Example:
        >>> result = audit(pa.load("data/forms"))   # doctest: +SKIP
        >>> result.findings[["severity", "department", "message"]]   # doctest: +SKIP
    """
    suites = read_rules(Path(rulebook) if rulebook else None)
    stages = iter(["derive", *suites, "findings"])
    if wanted(len(forms), progress):
        stages = iter(_stage_bar(stages, len(suites) + 2))
    next(stages)
    frames = derive(forms)
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
    next(stages, None)  # closes the bar
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


def _stage_bar(stages: Iterator[str], total: int) -> Iterator[str]:
    """The stages under a bar that names the one running (it advances when the next begins)."""
    progress: Any = bar(stages, "审核 auditing", "stage", total=total)  # a tqdm bar
    for stage in progress:
        progress.set_postfix_str(stage, refresh=True)
        yield stage
