"""Money facts: reconciliations of the budget block and the task block, with tolerances.

A printed amount is exact only to half of its last printed digit: 7.02 万元 may stand for
anything from 7.015 to 7.025 万元, so a sum of n such terms is exact to n × 50 元. Tolerances
follow the printed precision of the very terms that are added up.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from perfaudit.derive.words import found_words, holds
from perfaudit.refs import span
from perfaudit.template.common import money_factor
from perfaudit.values import printed_decimals

_WAN_IN_TEXT = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*万元")


def half_unit_yuan(printed: str, unit: str, amount_yuan: float | None) -> float:
    """Half of the last printed digit, in yuan (0 for a printed zero, which is exact)."""
    if amount_yuan is None or pd.isna(amount_yuan) or amount_yuan == 0:
        return 0.0
    decimals = printed_decimals(printed or "")
    return 0.5 * 10 ** (-decimals) * money_factor().get(unit or "万元", 1.0)


def budget_facts(budget: pd.DataFrame, money: pd.DataFrame) -> pd.DataFrame:
    """One row per budget line: printed precision, and the facts that tell 元 typed as 万元.

    ``ratio_to_median`` says how far a 万元 line stands above the other lines of its form;
    ``balances_as_yuan`` that reading it as 元 makes expenditure and sources balance again;
    ``in_budget_sums`` that the line is one of those two sums. The rulebook (R-ARITH-05) sets
    how far above is too far.
    """
    frame = budget.copy()
    frame["printed_decimals"] = frame["printed"].map(lambda p: printed_decimals(p) if p else pd.NA).astype("Int64")
    frame["wan_decimals"] = frame["printed_decimals"].where(frame["printed_unit"] == "万元")
    frame["ratio_to_median"] = ratio_to_others(frame, "amount_yuan").where(frame["printed_unit"] == "万元")
    facts = money.set_index("doc_id")
    gap = frame["doc_id"].map(facts["balance_gap_yuan"])
    tolerance = frame["doc_id"].map(facts["balance_tolerance_yuan"])
    # The printed number read as 元: the amount shrinks to a ten-thousandth.
    frame["amount_if_yuan"] = frame["amount_yuan"] / 10_000
    shrink = frame["amount_yuan"] - frame["amount_if_yuan"]
    in_sources = frame["section"] == "收入来源"
    in_expenditure = frame["item"].isin(["基本支出", "项目支出"])
    gap_as_yuan = (gap - shrink).where(in_sources, (gap + shrink).where(in_expenditure))
    frame["in_budget_sums"] = in_sources | in_expenditure
    frame["balances_as_yuan"] = (gap.abs() > tolerance) & (gap_as_yuan.abs() <= tolerance)
    return frame.reset_index(drop=True)


def ratio_to_others(frame: pd.DataFrame, column: str) -> pd.Series:
    """Each positive amount divided by the median of the *other* positive amounts of its form."""
    positive = frame[column].where(frame[column] > 0).dropna()
    out = pd.Series(float("nan"), index=frame.index)
    if positive.empty:
        return out
    # Sorted within each form, the amounts left when the one at position r is taken out are the
    # sorted ones with position r skipped; their median is one or two of them. No loop per form.
    docs = pd.factorize(frame.loc[positive.index, "doc_id"])[0]
    values = positive.to_numpy(dtype=float)
    order = np.lexsort((values, docs))
    docs, values, labels = docs[order], values[order], positive.index[order]
    sizes = np.bincount(docs)
    n = sizes[docs]
    start = np.concatenate(([0], np.cumsum(sizes)[:-1]))[docs]
    rank = np.arange(len(values)) - start
    half = np.maximum(n - 1, 1) // 2

    def left(k: np.ndarray) -> np.ndarray:  # the k-th amount once the own one is taken out
        return values[np.minimum(start + np.where(k < rank, k, k + 1), start + n - 1)]  # (a lone one: itself)

    median = np.where(n % 2 == 0, left(half), (left(np.maximum(half - 1, 0)) + left(half)) / 2)
    ok = n >= 2
    out[labels[ok]] = values[ok] / median[ok]
    return out


def _with_tolerance(lines: pd.DataFrame, amount: str, printed: str, unit: str) -> pd.DataFrame:
    out = lines[["doc_id", amount]].rename(columns={amount: "amount_yuan"})
    out["tol_yuan"] = [
        half_unit_yuan(p, u, a) for p, u, a in zip(lines[printed], lines[unit], lines[amount], strict=True)
    ]
    return out


def _totals(lines: pd.DataFrame, name: str) -> pd.DataFrame:
    """Sum and tolerance per document, as columns ``<name>_yuan`` and ``<name>_tol``."""
    grouped = lines.dropna(subset=["amount_yuan"]).groupby("doc_id")
    return pd.DataFrame(
        {f"{name}_yuan": grouped["amount_yuan"].sum().round(2), f"{name}_tol": grouped["tol_yuan"].sum()}
    )


def document_money(forms) -> pd.DataFrame:
    """One row per document: the budget totals, the task total and their reconciliations."""
    budget, tasks = forms.budget, forms.tasks
    lines = _with_tolerance(budget, "amount_yuan", "printed", "printed_unit")
    task_lines = _with_tolerance(tasks, "planned_yuan", "planned_printed", "planned_unit")
    frame = forms.documents[["doc_id", "department"]].set_index("doc_id")
    frame = frame.join(_totals(lines[budget["item"] == "基本支出"], "basic"))
    frame = frame.join(_totals(lines[budget["item"] == "项目支出"], "project"))
    frame = frame.join(_totals(lines[budget["section"] == "收入来源"], "income"))
    frame = frame.join(_totals(task_lines, "tasks"))
    basic_task = holds(tasks["name"], lambda n: found_words(n, "basic_task"))
    frame["tasks_include_basic"] = basic_task.groupby(tasks["doc_id"]).any().reindex(frame.index, fill_value=False)
    frame["expend_yuan"] = (frame["basic_yuan"] + frame["project_yuan"]).round(2)
    expend_tol = frame["basic_tol"].fillna(0) + frame["project_tol"].fillna(0)

    frame["balance_gap_yuan"] = (frame["income_yuan"] - frame["expend_yuan"]).round(2)
    frame["balance_tolerance_yuan"] = expend_tol + frame["income_tol"].fillna(0)
    frame["balance_excess_yuan"] = (frame["balance_gap_yuan"].abs() - frame["balance_tolerance_yuan"]).round(2)
    # A total that cannot be formed, or is not positive, is missing (R-COMPLETE-01).
    total = frame["basic_yuan"] + frame["project_yuan"]
    frame["budget_total_missing"] = ~(total > 0)

    tasks_tol = frame["tasks_tol"] + expend_tol
    frame["tasks_over_budget_yuan"] = (frame["tasks_yuan"] - frame["expend_yuan"] - tasks_tol).round(2)
    covers_all = frame["tasks_include_basic"].astype(bool)
    gap = (frame["tasks_yuan"] - frame["expend_yuan"]).round(2)
    frame["tasks_gap_yuan"] = gap.where(covers_all)
    frame["tasks_total_excess_yuan"] = (gap.abs() - tasks_tol).round(2).where(covers_all)
    frame["tasks_project_share"] = (frame["tasks_yuan"] / frame["project_yuan"]).round(4).where(~covers_all)
    frame["gap_explained_by"] = _explain_gaps(budget, lines, frame["tasks_gap_yuan"].abs(), tasks_tol)

    amounts = forms.goals["text"].str.extractall(_WAN_IN_TEXT)[0].str.replace(",", "").astype(float)
    per_goal_doc = forms.goals["doc_id"].reindex(amounts.index.get_level_values(0)).to_numpy()
    amounts = pd.Series(amounts.to_numpy(), index=per_goal_doc)
    counted = amounts.groupby(level=0).agg(["sum", "count"]).reindex(frame.index)
    # The amounts as the goals print them (in 万元); the rulebook says how many make a list.
    listed = pd.Series({doc: "、".join(f"{v:g}" for v in a) for doc, a in amounts.groupby(level=0)}, dtype="str")
    frame["goal_amounts_printed"] = listed.reindex(frame.index).fillna("")
    frame["n_goal_amounts"] = counted["count"].fillna(0).astype("int64")
    frame["goal_amounts_excess_yuan"] = (counted["sum"] * 10_000 - frame["expend_yuan"] - expend_tol).round(2)

    frame["budget_ref"] = _refs_by_doc(budget, "source_ref").reindex(frame.index).fillna("")
    frame["tasks_ref"] = _refs_by_doc(tasks, "planned_ref").reindex(frame.index).fillna("")
    return frame.drop(columns=["basic_tol", "project_tol", "income_tol", "tasks_tol"]).reset_index()


def _explain_gaps(budget: pd.DataFrame, lines: pd.DataFrame, gaps: pd.Series, tols: pd.Series) -> pd.Series:
    """The budget line whose amount equals each document's gap (其他事业发展性支出 3.00 万元)."""
    candidates = budget.assign(tol_yuan=lines["tol_yuan"])
    candidates = candidates[
        (candidates["amount_yuan"] > 0)
        & ~candidates["item"].isin(["基本支出", "项目支出"])
        & (candidates["section"] != "收入来源")
    ]
    joined = candidates.join(pd.DataFrame({"gap": gaps, "tol": tols}), on="doc_id", how="inner")
    joined = joined[
        (joined["gap"] > joined["tol"])
        & ((joined["amount_yuan"] - joined["gap"]).abs() <= joined["tol"] + joined["tol_yuan"])
    ]
    label = joined["item"] + " " + joined["printed"] + " " + joined["printed_unit"]
    return label.groupby(joined["doc_id"]).first().reindex(gaps.index).fillna("")


def _refs_by_doc(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby("doc_id")[column].agg(lambda refs: span(list(refs)))
