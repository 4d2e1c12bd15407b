"""How tasks, goals and indicators of one form refer to each other.

Texts are compared by their two-character pieces (bigrams), generic words left out: an
indicator is linked to a task when most of its name's pieces occur in the task's text.
"""

from __future__ import annotations

import pandas as pd

from perfaudit.derive.budget import ratio_to_others
from perfaudit.derive.words import bigrams, containment, found_words, holds

# Count units that name the same kind of thing (a 人次 promise is checked against 人 and 人次).
_COMPATIBLE_UNITS = {"人": {"人", "人次"}, "人次": {"人", "人次"}, "万人次": {"万人次"}}
_FIRM_QUALIFIERS = ("不少于", "以上", "至少", "不低于", "及以上", "")


def task_links(forms, indicator_facts: pd.DataFrame, money: pd.DataFrame) -> pd.DataFrame:
    """One row per task: its best indicator and goal, and its share of the budget."""
    tasks = forms.tasks.copy()
    expend = tasks["doc_id"].map(money.set_index("doc_id")["expend_yuan"])
    tasks["department"] = tasks["doc_id"].map(forms.documents.set_index("doc_id")["department"])
    tasks["share_of_budget"] = (tasks["planned_yuan"] / expend).round(4)
    tasks["is_basic"] = holds(tasks["name"], lambda n: found_words(n, "basic_task"))
    named = indicator_facts[indicator_facts["level3"] != ""]
    indicator_bigrams = {
        doc: [(r.level3, bigrams(r.name)) for r in part.itertuples()] for doc, part in named.groupby("doc_id")
    }
    goal_bigrams = {
        doc: [(r.goal_no, bigrams(r.text)) for r in part.itertuples()] for doc, part in forms.goals.groupby("doc_id")
    }
    best_indicator, indicator_score, best_goal, goal_score = [], [], [], []
    for task in tasks.itertuples():
        text = bigrams(f"{task.name}{task.content}{task.expected_outcome}")
        scored = [(containment(bg, text), name) for name, bg in indicator_bigrams.get(task.doc_id, [])]
        score, name = max(scored, default=(float("nan"), ""))
        best_indicator.append(name)
        indicator_score.append(score)
        # A task is covered when its own words, or its expected outcome, stand in a goal.
        own, outcome = bigrams(f"{task.name}{task.content}"), bigrams(task.expected_outcome)
        scored_goals = [
            (max(containment(own, bg), containment(outcome, bg)), no) for no, bg in goal_bigrams.get(task.doc_id, [])
        ]
        gscore, gno = max(scored_goals, default=(float("nan"), pd.NA))
        best_goal.append(gno)
        goal_score.append(gscore)
    tasks["best_indicator"] = best_indicator
    tasks["indicator_score"] = pd.Series(indicator_score, index=tasks.index, dtype="float64").round(3)
    tasks["best_goal"] = pd.array(best_goal, dtype="Int64")
    tasks["goal_score"] = pd.Series(goal_score, index=tasks.index, dtype="float64").round(3)
    tasks["planned_wan"] = tasks["planned_yuan"] / 10_000
    missing = [
        "、".join(
            label
            for label, empty in (("名称", n == ""), ("主要实施内容", c == ""), ("拟投入的资金", pd.isna(p)))
            if empty
        )
        for n, c, p in zip(tasks["name"], tasks["content"], tasks["planned_yuan"], strict=True)
    ]
    tasks["missing_fields"] = missing
    tasks["is_incomplete"] = tasks["missing_fields"] != ""
    tasks["ratio_to_median"] = ratio_to_others(tasks, "planned_yuan").where(tasks["planned_unit"] == "万元")
    tasks["subject"] = tasks["name"].where(tasks["name"] != "", "任务" + tasks["task_no"].astype(str))
    tasks["share_pct"] = tasks["share_of_budget"] * 100
    return tasks.reset_index(drop=True)


def output_links(forms, indicator_facts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts promised in task texts matched to quantity indicators.

    Returns ``(outputs, promises)``: one row per task output with the indicator it was matched
    to (empty when none), and one row per matched indicator with the promised counts summed
    over the tasks (firm promises such as 不少于 apart from approximate ones such as 约).
    """
    outputs = forms.task_outputs.copy()
    tasks = forms.tasks.set_index(["doc_id", "task_no"])
    outputs["task_name"] = [
        tasks.at[(d, t), "name"] for d, t in zip(outputs["doc_id"], outputs["task_no"], strict=True)
    ]
    outputs["department"] = outputs["doc_id"].map(forms.documents.set_index("doc_id")["department"])
    quantity = indicator_facts[(indicator_facts["family"] == "数量") & indicator_facts["quantified_num"]]
    by_doc = {doc: part for doc, part in quantity.groupby("doc_id")}
    matched_row, matched_name = [], []
    for out in outputs.itertuples():
        row = _match(out, by_doc.get(out.doc_id))
        matched_row.append(pd.NA if row is None else int(row.row_no))
        matched_name.append("" if row is None else row.level3)
    outputs["indicator_row_no"] = pd.array(matched_row, dtype="Int64")
    outputs["indicator"] = matched_name
    outputs["has_indicator"] = outputs["indicator"] != ""
    outputs["is_firm"] = outputs["qualifier"].isin(_FIRM_QUALIFIERS)
    matched = outputs[outputs["has_indicator"]]
    promises = (
        matched.assign(firm=matched["quantity"].where(matched["is_firm"], 0.0))
        .groupby(["doc_id", "indicator_row_no"])
        .agg(
            promised=("quantity", "sum"),
            promised_firm=("firm", "sum"),
            tasks=("task_name", lambda s: "、".join(dict.fromkeys(s))),
            unit=("unit", "first"),
        )
        .reset_index()
    )
    facts = indicator_facts.set_index(["doc_id", "row_no"])
    keys = list(zip(promises["doc_id"], promises["indicator_row_no"], strict=True))
    for column in ("level3", "annual_value", "value", "op", "source_ref", "department"):
        promises[column] = [facts.at[k, column] for k in keys]
    promises["value"] = promises["value"].astype("float64")
    promises["firm_shortfall"] = (promises["promised_firm"] - promises["value"]).where(
        promises["op"].isin([">=", "=", ">"])
    )
    promises["approx_ratio"] = (promises["value"] / promises["promised"]).where(promises["op"].isin([">=", "=", ">"]))
    return outputs.reset_index(drop=True), promises


def _match(out, candidates: pd.DataFrame | None):
    """The quantity indicator a promised count refers to, or None.

    With an object word (活动, 示范点) the indicator's name must contain it or its last two
    characters (the head of the phrase); without one, the indicator must share a piece of the
    phrase, or be the only quantity indicator counting in that unit.
    """
    if candidates is None or candidates.empty:
        return None
    units = _COMPATIBLE_UNITS.get(out.unit, {out.unit})
    same_unit = candidates[candidates["unit"].isin(units)]
    if same_unit.empty:
        return None
    noun = out.noun or ""
    if noun:
        for head in (noun, noun[-2:]):
            hits = same_unit[same_unit["level3"].str.contains(head, regex=False)]
            if len(hits):
                return hits.iloc[0]
        return None
    phrase = bigrams(out.phrase)
    shared = same_unit[[bool(bigrams(n) & phrase) for n in same_unit["name"]]]
    if len(shared):
        return shared.iloc[0]
    exact = same_unit[same_unit["unit"] == out.unit]
    return exact.iloc[0] if len(exact) == 1 else None
