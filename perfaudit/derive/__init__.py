"""Derive: the facts the rules judge, computed from the tables of a FormSet.

Each function returns a plain DataFrame (one row per document, task, indicator, …) with
``doc_id`` and the columns the rulebook's expectations name. Nothing here decides whether a
fact is a finding; the suites in ``expectations/`` do.
"""

from __future__ import annotations

import pandas as pd

from perfaudit.derive.budget import budget_facts, document_money
from perfaudit.derive.costs import unit_costs
from perfaudit.derive.documents import document_facts, goal_facts
from perfaudit.derive.indicators import indicator_facts
from perfaudit.derive.links import output_links, task_links
from perfaudit.derive.overall import overall_frames
from perfaudit.derive.projects import project_facts
from perfaudit.derive.results import result_frames
from perfaudit.derive.years import year_frames

__all__ = ["derive", "unit_costs"]


def derive(forms) -> dict[str, pd.DataFrame]:
    """Every derived frame, keyed by the name of the suite that judges it."""
    money = document_money(forms).merge(project_facts(forms), on="doc_id", how="left")
    indicators = indicator_facts(forms.indicators, forms.documents, money)
    outputs, promises = output_links(forms, indicators)
    costs = unit_costs(forms)
    frames = {
        "documents": document_facts(forms, indicators, money),
        "budget": budget_facts(forms.budget, money),
        "goals": goal_facts(forms),
        "tasks": task_links(forms, indicators, money),
        "task_outputs": outputs,
        "promises": promises,
        "indicators": indicators,
        "unit_costs": costs,
        **year_frames(forms, money, indicators, costs),
        **overall_frames(forms, money),
        **result_frames(forms, indicators),
    }
    return {name: frame.reset_index(drop=True) for name, frame in frames.items()}
