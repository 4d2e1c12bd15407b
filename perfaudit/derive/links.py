"""How tasks, goals and indicators of one form refer to each other.

Texts are compared by their two-character pieces (bigrams), generic words left out: an
indicator is linked to a task when most of its name's pieces occur in the task's text.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import pandas as pd

from perfaudit.derive.budget import ratio_to_others
from perfaudit.derive.words import bigrams, containment, found_words, holds
from perfaudit.vocab import read_vocab

# Count units that name the same kind of thing (a 人次 promise is checked against 人 and 人次).
_COMPATIBLE_UNITS = {"人": {"人", "人次"}, "人次": {"人", "人次"}, "万人次": {"万人次"}}


@functools.cache
def _firm_qualifiers() -> frozenset[str]:
    """Qualifiers that promise at least the count (``vocab/value_words.csv``, firm); a bare count too."""
    return frozenset({"", *(row["word"] for row in read_vocab("value_words") if row.get("firm") == "yes")})


def task_links(forms, indicator_facts: pd.DataFrame, money: pd.DataFrame) -> pd.DataFrame:
    """One row per task: its best indicator and goal, and its share of the budget."""
    tasks = forms.tasks.copy()
    expend = tasks["doc_id"].map(money.set_index("doc_id")["expend_yuan"])
    tasks["department"] = tasks["doc_id"].map(forms.documents.set_index("doc_id")["department"])
    tasks["share_of_budget"] = (tasks["planned_yuan"] / expend).round(4)
    # A task paid from 基本支出 (its 支出项目名称 says so) or named as running costs (人员工资).
    tasks["is_basic"] = holds(tasks["name"] + " " + tasks["spending_line"], lambda n: found_words(n, "basic_task"))
    named = indicator_facts.loc[indicator_facts["level3"] != "", ["doc_id", "level3", "name"]]
    indicator_bigrams: dict[str, list] = {}
    for doc, level3, name in named.itertuples(index=False, name=None):
        indicator_bigrams.setdefault(doc, []).append((level3, bigrams(name)))
    goal_bigrams: dict[str, list] = {}
    for doc, goal_no, text in forms.goals[["doc_id", "goal_no", "text"]].itertuples(index=False, name=None):
        goal_bigrams.setdefault(doc, []).append((goal_no, bigrams(text)))
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
    # A layout without a 主要实施内容 column (福建's 年度履职目标) is not asked for one.
    printed = tasks["doc_id"].map(forms.documents.set_index("doc_id")["task_columns"]).fillna("")
    asks_content = (printed == "") | printed.str.contains("content", regex=False)
    missing = [
        "、".join(
            label
            for label, empty in (("名称", n == ""), ("主要实施内容", c == "" and asked), ("拟投入的资金", pd.isna(p)))
            if empty
        )
        for n, c, p, asked in zip(tasks["name"], tasks["content"], tasks["planned_yuan"], asks_content, strict=True)
    ]
    tasks["missing_fields"] = missing
    tasks["is_incomplete"] = tasks["missing_fields"] != ""
    # A 基本支出 listed as a task is the department's whole running cost, a large department's a
    # thousand times its key tasks: never a suspect, and a key task's peer only when the form
    # has no other key task.
    key_tasks = tasks[~tasks["is_basic"]]
    among_key = ratio_to_others(key_tasks, "planned_yuan").reindex(tasks.index)
    ratio = among_key.fillna(ratio_to_others(tasks, "planned_yuan")).where(~tasks["is_basic"])
    tasks["ratio_to_median"] = ratio.where(tasks["planned_unit"] == "万元")
    tasks["subject"] = tasks["name"].where(tasks["name"] != "", "任务" + tasks["task_no"].astype(str))
    return tasks.reset_index(drop=True)


def output_links(forms, indicator_facts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts promised in task texts matched to quantity indicators.

    Returns ``(outputs, promises)``: one row per task output with the indicator it was matched
    to (empty when none), and one row per matched indicator with the promised counts summed
    over the tasks (firm promises such as 不少于 apart from approximate ones such as 约).
    """
    outputs = forms.task_outputs.copy()
    names = forms.tasks[["doc_id", "task_no", "name"]].rename(columns={"name": "task_name"})
    outputs = outputs.merge(names, on=["doc_id", "task_no"], how="left")
    outputs["task_name"] = outputs["task_name"].fillna("")
    outputs["department"] = outputs["doc_id"].map(forms.documents.set_index("doc_id")["department"])
    quantity = indicator_facts.loc[
        (indicator_facts["family"] == "数量") & indicator_facts["quantified_num"],
        ["doc_id", "row_no", "level3", "name", "unit"],
    ]
    by_doc: dict[str, list[_Candidate]] = {}
    for doc, row_no, level3, name, unit in quantity.itertuples(index=False, name=None):
        by_doc.setdefault(doc, []).append(_Candidate(int(row_no), level3, name, unit))
    matched_row, matched_name = [], []
    for doc, unit, noun, phrase in outputs[["doc_id", "unit", "noun", "phrase"]].itertuples(index=False, name=None):
        found = _match(unit, noun or "", phrase, by_doc.get(doc, []))
        matched_row.append(pd.NA if found is None else found.row_no)
        matched_name.append("" if found is None else found.level3)
    outputs["indicator_row_no"] = pd.array(matched_row, dtype="Int64")
    outputs["indicator"] = matched_name
    outputs["has_indicator"] = outputs["indicator"] != ""
    outputs["is_firm"] = outputs["qualifier"].isin(_firm_qualifiers())
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
    columns = ["doc_id", "row_no", "level3", "annual_value", "value", "op", "source_ref", "department"]
    facts = indicator_facts[columns].rename(columns={"row_no": "indicator_row_no"})
    facts["indicator_row_no"] = facts["indicator_row_no"].astype("Int64")
    promises = promises.merge(facts, on=["doc_id", "indicator_row_no"], how="left")
    promises["value"] = promises["value"].astype("float64")
    promises["firm_shortfall"] = (promises["promised_firm"] - promises["value"]).where(
        promises["op"].isin([">=", "=", ">"])
    )
    promises["approx_ratio"] = (promises["value"] / promises["promised"]).where(promises["op"].isin([">=", "=", ">"]))
    return outputs.reset_index(drop=True), promises


class _Candidate(NamedTuple):
    row_no: int
    level3: str
    name: str
    unit: str


def _match(unit: str, noun: str, phrase: str, candidates: list[_Candidate]) -> _Candidate | None:
    """The quantity indicator a promised count refers to, or None.

    With an object word (活动, 示范点) the indicator's name must contain it or its last two
    characters (the head of the phrase); without one, the indicator must share a piece of the
    phrase, or be the only quantity indicator counting in that unit.
    """
    units = _COMPATIBLE_UNITS.get(unit, {unit})
    same_unit = [c for c in candidates if c.unit in units]
    if not same_unit:
        return None
    if noun:
        for head in (noun, noun[-2:]):
            hits = [c for c in same_unit if head in c.level3]
            if hits:
                return hits[0]
        return None
    pieces = bigrams(phrase)
    shared = [c for c in same_unit if bigrams(c.name) & pieces]
    if shared:
        return shared[0]
    exact = [c for c in same_unit if c.unit == unit]
    return exact[0] if len(exact) == 1 else None
