"""Derive: the facts the rules judge, computed from the tables of a FormSet.

Each function returns a plain DataFrame (one row per document, task, indicator, …) with
``doc_id`` and the columns the rulebook's expectations name. Nothing here decides whether a
fact is a finding; the suites in ``expectations/`` do.

Most facts belong to one form. A few pair forms with each other (a form with its department's
previous year, a project form with its 整体 form, a self-evaluation with its approved targets)
or compare a form with all others (unit-cost peers): :class:`Crossings` holds those for a whole
archive, so that an archive can be derived and judged a part at a time (:func:`parts`) with
the same result as all at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from perfaudit.derive.budget import budget_facts, document_money
from perfaudit.derive.costs import unit_costs
from perfaudit.derive.documents import document_facts, goal_facts
from perfaudit.derive.indicators import indicator_facts
from perfaudit.derive.links import output_links, task_links
from perfaudit.derive.overall import overall_frames, project_pairs
from perfaudit.derive.projects import project_facts
from perfaudit.derive.results import approved_forms, result_frames
from perfaudit.derive.years import previous_documents, year_frames

__all__ = ["Crossings", "derive", "parts", "unit_costs"]


@dataclass(frozen=True)
class Crossings:
    """The facts of an archive that cross forms, each a frame with ``doc_id`` first.

    ``years``: a form and its department's previous one (``prev_doc_id``); ``projects``: a
    project form and its 整体 form (``overall_doc_id``); ``results``: a self-evaluation and its
    approved target form (``approved_doc_id``); ``costs``: unit costs with their peer statistics.
    """

    years: pd.DataFrame
    projects: pd.DataFrame
    results: pd.DataFrame
    costs: pd.DataFrame

    @classmethod
    def of(cls, forms) -> Crossings:
        """The crossings of every form loaded."""
        documents = forms.documents
        return cls(
            years=previous_documents(documents),
            projects=project_pairs(documents),
            results=approved_forms(documents),
            costs=unit_costs(forms),
        )

    def links(self) -> list[tuple[str, str]]:
        """Every pair of forms whose facts are derived together."""
        ends = ((self.years, "prev_doc_id"), (self.projects, "overall_doc_id"), (self.results, "approved_doc_id"))
        return [(str(a), str(b)) for frame, other in ends for a, b in zip(frame["doc_id"], frame[other], strict=True)]

    def within(self, doc_ids: set[str]) -> Crossings:
        """The crossings of some of the forms (those whose ``doc_id`` is in ``doc_ids``)."""
        return Crossings(
            **{name: frame[frame["doc_id"].isin(doc_ids)].reset_index(drop=True) for name, frame in self._frames()}
        )

    def _frames(self) -> list[tuple[str, pd.DataFrame]]:
        return [("years", self.years), ("projects", self.projects), ("results", self.results), ("costs", self.costs)]


def derive(forms, crossings: Crossings | None = None) -> dict[str, pd.DataFrame]:
    """Every derived frame, keyed by the name of the suite that judges it.

    ``crossings``: those of the whole archive when ``forms`` is one of its :func:`parts`
    (by default, those of ``forms``).
    """
    crossings = Crossings.of(forms) if crossings is None else crossings
    money = document_money(forms).merge(project_facts(forms), on="doc_id", how="left")
    indicators = indicator_facts(forms.indicators, forms.documents, money)
    outputs, promises = output_links(forms, indicators)
    costs = crossings.costs
    frames = {
        "documents": document_facts(forms, indicators, money),
        "budget": budget_facts(forms.budget, money),
        "goals": goal_facts(forms),
        "tasks": task_links(forms, indicators, money),
        "task_outputs": outputs,
        "promises": promises,
        "indicators": indicators,
        "unit_costs": costs,
        **year_frames(forms, money, indicators, costs, crossings.years),
        **overall_frames(forms, money, crossings.projects),
        **result_frames(forms, indicators, crossings.results),
    }
    return {name: frame.reset_index(drop=True) for name, frame in frames.items()}


def parts(doc_ids: list[str], crossings: Crossings, size: int) -> list[list[str]]:
    """The forms in groups of about ``size``, in load order, each pair of :class:`Crossings` in one group.

    Forms linked to each other (through any chain of pairs) stay together, so a group larger
    than ``size`` is possible when that many forms are linked.
    """
    root = {doc: doc for doc in doc_ids}

    def find(doc: str) -> str:
        while root[doc] != doc:
            root[doc] = root[root[doc]]
            doc = root[doc]
        return doc

    for a, b in crossings.links():
        if a in root and b in root:
            root[find(a)] = find(b)
    linked: dict[str, list[str]] = {}
    for doc in doc_ids:
        linked.setdefault(find(doc), []).append(doc)
    groups: list[list[str]] = [[]]
    for members in linked.values():  # in the load order of each group's first form
        if groups[-1] and len(groups[-1]) + len(members) > size:
            groups.append([])
        groups[-1].extend(members)
    return [group for group in groups if group]
