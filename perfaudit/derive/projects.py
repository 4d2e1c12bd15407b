"""Money and goal facts of project forms: funding sources, the cost breakdown, the two horizons.

One row per document; the columns are empty (NaN) on forms that print no such block, so a
rule on them has nothing to judge there. Tolerances follow the printed precision of the terms
added up, as in :mod:`perfaudit.derive.budget`.
"""

from __future__ import annotations

import pandas as pd

from perfaudit.derive.budget import half_unit_yuan
from perfaudit.derive.documents import found_placeholder_values
from perfaudit.refs import span

# The budget sections of project forms (vocab/fund_labels.csv, and the cost breakdown's 合计).
PROJECT_BUDGET_SECTIONS = ("项目资金", "资金来源", "资金来源明细", "成本构成")


def project_facts(forms) -> pd.DataFrame:
    """One row per document: the project's budget, its sources, its cost breakdown and its goals."""
    docs = forms.documents.set_index("doc_id")
    # Only a project form's sections (a 整体 form's 收入来源 is not its 资金来源): an archive of
    # 整体 forms pays nothing here.
    budget = forms.budget[forms.budget["section"].isin(PROJECT_BUDGET_SECTIONS)]
    budget = budget.assign(
        tol_yuan=[
            half_unit_yuan(p, u, a)
            for p, u, a in zip(budget["printed"], budget["printed_unit"], budget["amount_yuan"], strict=True)
        ]
    )
    frame = pd.DataFrame(index=docs.index)

    def line(item: str, section: str) -> tuple[pd.Series, pd.Series]:
        rows = budget[(budget["item"] == item) & (budget["section"] == section)].drop_duplicates("doc_id")
        rows = rows.set_index("doc_id")
        return rows["amount_yuan"].reindex(docs.index), rows["tol_yuan"].reindex(docs.index).fillna(0)

    annual, annual_tol = line("年度资金总额", "项目资金")
    sources_total, sources_total_tol = line("合计", "资金来源")
    period, period_tol = line("项目总预算", "项目资金")
    cost_total, cost_total_tol = line("合计", "成本构成")
    frame["annual_budget_yuan"] = annual.fillna(sources_total)
    annual_tol = annual_tol.where(annual.notna(), sources_total_tol)
    sources = budget[(budget["section"] == "资金来源") & (budget["item"] != "合计")].dropna(subset=["amount_yuan"])
    by_doc = sources.groupby("doc_id")
    frame["sources_yuan"] = by_doc["amount_yuan"].sum().round(2).reindex(docs.index)
    frame["n_sources"] = by_doc.size().reindex(docs.index, fill_value=0)
    sources_tol = by_doc["tol_yuan"].sum().reindex(docs.index).fillna(0)
    frame["sources_gap_yuan"] = (frame["sources_yuan"] - frame["annual_budget_yuan"]).round(2)
    frame["sources_excess_yuan"] = (frame["sources_gap_yuan"].abs() - sources_tol - annual_tol).round(2)

    frame["period_budget_yuan"] = period
    frame["period_shortfall_yuan"] = (frame["annual_budget_yuan"] - period - period_tol - annual_tol).round(2)

    items = forms.cost_items.dropna(subset=["amount_yuan"])
    items = items.assign(
        tol_yuan=[half_unit_yuan(p, "万元", a) for p, a in zip(items["printed"], items["amount_yuan"], strict=True)]
    )
    grouped = items.groupby("doc_id")
    frame["n_cost_items"] = forms.cost_items.groupby("doc_id").size().reindex(docs.index, fill_value=0)
    frame["cost_items_yuan"] = grouped["amount_yuan"].sum().round(2).reindex(docs.index)
    items_tol = grouped["tol_yuan"].sum().reindex(docs.index).fillna(0)
    # The cost breakdown is held against the annual budget, else against its own printed total.
    reference = frame["annual_budget_yuan"].fillna(cost_total)
    reference_tol = annual_tol.where(frame["annual_budget_yuan"].notna(), cost_total_tol)
    frame["cost_reference"] = pd.Series("年度资金总额", index=docs.index).where(
        frame["annual_budget_yuan"].notna(), "成本构成合计"
    )
    frame["cost_reference_yuan"] = reference
    frame["cost_gap_yuan"] = (frame["cost_items_yuan"] - reference).round(2)
    frame["cost_excess_yuan"] = (frame["cost_gap_yuan"].abs() - items_tol - reference_tol).round(2)
    frame["cost_ref"] = forms.cost_items.groupby("doc_id")["source_ref"].agg(span).reindex(docs.index).fillna("")

    frame["project_budget_yuan"] = frame["annual_budget_yuan"].fillna(cost_total).fillna(period)
    frame["project_budget_missing"] = ~(frame["project_budget_yuan"] > 0)
    basis_text = docs.get("cost_basis_text", pd.Series("", index=docs.index)).fillna("").str.strip() != ""
    line_basis = (forms.cost_items["basis"].fillna("").str.strip() != "").groupby(forms.cost_items["doc_id"]).any()
    frame["has_estimate_basis"] = (
        (frame["n_cost_items"] > 0) | basis_text | line_basis.reindex(docs.index, fill_value=False)
    )
    frame["project_name_missing"] = docs["project_name"].fillna("").isin(["", *found_placeholder_values()])

    goals = forms.goals
    has_period_goal = (goals["period"] == "period").groupby(goals["doc_id"]).any()
    frame["has_period_goal"] = has_period_goal.reindex(docs.index, fill_value=False)
    period_targets = (forms.indicators["period_value"].fillna("") != "").groupby(forms.indicators["doc_id"]).any()
    frame["asks_period_targets"] = period_targets.reindex(docs.index, fill_value=False)
    return frame.reset_index()
