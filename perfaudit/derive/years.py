"""Year over year: each form paired with the same department's form of the previous year.

Departments are matched by their normalised name (a project form: with its family and project
name too); indicators by their normalised name (the
unit in brackets and white space left out, 个数 read as 数), and compared only in the same unit.
"""

from __future__ import annotations

import pandas as pd

from perfaudit.derive.words import bigrams, containment
from perfaudit.strings import name_key  # derive.years.name_key: the key years are paired by

YEAR_IN_NAME = r"(?:19|20)\d\d\s*年度?"


def previous_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """doc_id → prev_doc_id: a form of the same department from the latest earlier year loaded.

    Two forms of one department and year (a 申报 and a 批复) each get that predecessor; when the
    earlier year has several forms, the approved (批复) one is preferred, then the first by id.
    """
    docs = _keyed_documents(documents)
    chosen = department_years(documents)
    years = chosen[["dept_key", "year", "doc_id"]].rename(columns={"year": "prev_year", "doc_id": "prev_doc_id"})
    years = years.sort_values(["dept_key", "prev_year"])
    years["year"] = years.groupby("dept_key")["prev_year"].shift(-1)
    pairs = docs.merge(years.dropna(subset=["year"]), on=["dept_key", "year"], how="inner")
    return (
        pairs[["doc_id", "prev_doc_id", "department", "year", "prev_year"]].sort_values("doc_id").reset_index(drop=True)
    )


def _keyed_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """Documents with the key their years are paired by.

    A 整体 form is keyed by its department; a form of another family by its department, its family
    and its project's name, so that a project pairs only with the same project a year before, and
    never with its department's 整体 form.
    """
    columns = ["doc_id", "department", "year", "stage", "form_type", "project_name"]
    docs = documents.reindex(columns=columns).dropna(subset=["year"]).copy()
    docs["dept_key"] = docs["department"].fillna("").map(name_key)
    other = docs["form_type"].fillna("dept_overall") != "dept_overall"
    # The same project from year to year, though its name carries the year (岳阳县2022年高标准农田建设项目).
    project = docs["project_name"].fillna("").str.replace(YEAR_IN_NAME, "", regex=True).map(name_key)
    docs.loc[other, "dept_key"] = docs["dept_key"] + "/" + docs["form_type"] + "/" + project
    docs = docs[docs["department"].fillna("").map(name_key) != ""]
    return docs[["doc_id", "department", "year", "stage", "dept_key"]]


def department_years(documents: pd.DataFrame) -> pd.DataFrame:
    """The form that stands for each department (by normalised name) in each year loaded.

    The approved (批复) form is preferred, then the first by id: the forms the year-over-year
    rules compare and the charts draw. Columns: dept_key, department, year, doc_id.
    """
    docs = _keyed_documents(documents)
    docs["_rank"] = (docs["stage"] != "批复").astype(int)
    chosen = docs.sort_values(["dept_key", "year", "_rank", "doc_id"]).drop_duplicates(["dept_key", "year"])
    return chosen[["dept_key", "department", "year", "doc_id"]].reset_index(drop=True)


def match_indicators(pairs: pd.DataFrame, indicators: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Each named indicator of a pair's previous form, with this year's indicator of that name.

    ``pairs`` has doc_id and prev_doc_id; ``columns`` (doc_id and key among them) are kept,
    last year's prefixed ``prev_``. Names match by :func:`name_key`, or renamed by a word;
    this year's columns are empty where the indicator was dropped.
    """
    named = indicators[indicators["level3"] != ""].assign(key=lambda f: f["level3"].map(name_key))
    prev = named[columns].rename(columns=lambda c: c if c == "key" else f"prev_{c}")
    cur = named[columns].drop_duplicates(["doc_id", "key"])
    out = pairs.merge(prev, on="prev_doc_id", how="inner")
    out["key"] = _renamed_keys(out, cur)
    return out.merge(cur, on=["doc_id", "key"], how="left")


def year_frames(
    forms, money: pd.DataFrame, indicators: pd.DataFrame, costs: pd.DataFrame, pairs: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The derived frames of the year-over-year rules (empty when no department has two years).

    ``pairs``: :func:`previous_documents` of the whole archive when ``forms`` is a part of it.
    """
    pairs = previous_documents(forms.documents) if pairs is None else pairs.copy()
    money = money.set_index("doc_id")
    # A 整体 form's budget is its 部门预算支出; a project's, its year's money.
    budget = (
        money["expend_yuan"].fillna(money["project_budget_yuan"])
        if "project_budget_yuan" in money
        else money["expend_yuan"]
    )
    pairs["budget_yuan"] = pairs["doc_id"].map(budget)
    pairs["prev_budget_yuan"] = pairs["prev_doc_id"].map(budget)
    pairs["budget_change"] = (pairs["budget_yuan"] / pairs["prev_budget_yuan"] - 1).round(4)
    is_project = pairs["doc_id"].map(forms.documents.set_index("doc_id")["form_type"]).isin(["project", "investment"])
    pairs["budget_name"] = is_project.map({True: "项目预算", False: "部门预算"})
    return {
        "year_pairs": _pair_facts(pairs, forms, indicators),
        "year_indicators": _indicator_pairs(pairs, indicators),
        "year_unit_costs": _unit_cost_pairs(pairs, costs),
    }


def _pair_facts(pairs: pd.DataFrame, forms, indicators: pd.DataFrame) -> pd.DataFrame:
    goals = forms.goals.groupby("doc_id")["text"].agg("".join) if len(forms.goals) else pd.Series(dtype="str")
    named = indicators[indicators["level3"] != ""]
    collected: dict[str, set] = {}
    for doc, level3, value in named[["doc_id", "level3", "value_text"]].itertuples(index=False, name=None):
        collected.setdefault(doc, set()).add((name_key(level3), value))
    targets = {doc: frozenset(pairs) for doc, pairs in collected.items()}
    out = pairs.copy()
    similarity = []
    for cur, prev in zip(out["doc_id"], out["prev_doc_id"], strict=True):
        a, b = bigrams(goals.get(cur, "")), bigrams(goals.get(prev, ""))
        similarity.append(round(min(containment(a, b), containment(b, a)), 3) if a and b else float("nan"))
    out["goal_similarity"] = pd.Series(similarity, index=out.index, dtype="float64")
    out["same_targets"] = [
        bool(targets.get(c)) and targets.get(c) == targets.get(p)
        for c, p in zip(out["doc_id"], out["prev_doc_id"], strict=True)
    ]
    # How much the money moved either way: the rulebook judges copied targets apart when it moved.
    out["budget_change_abs"] = out["budget_change"].abs()
    out["source_ref"] = ""
    return out.reset_index(drop=True)


def _indicator_pairs(pairs: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator of the previous year's form: matched to this year's or dropped."""
    columns = [
        "doc_id",
        "key",
        "level3",
        "level2",
        "family",
        "value_text",
        "value",
        "unit",
        "op",
        "polarity",
        "source_ref",
    ]
    out = match_indicators(pairs, indicators, columns)
    out["is_dropped"] = out["level3"].isna()
    for column in ("level3", "level2", "family", "value_text", "unit", "op", "polarity", "source_ref"):
        out[column] = out[column].fillna("").astype("str")
    comparable = (
        ~out["is_dropped"]
        & (out["unit"] == out["prev_unit"])
        & out["value"].notna()
        & out["prev_value"].notna()
        & (out["prev_value"] != 0)
        & out["op"].isin([">=", ">", "="])
        & out["prev_op"].isin([">=", ">", "="])
    )
    out["target_change"] = (out["value"] / out["prev_value"] - 1).where(comparable).round(4)
    # Counts and rates are targets to reach unless their name says lower is better.
    positive = out["polarity"] != "negative"
    # R-YOY-02: a positive target lowered by more than the budget was (a negative gap).
    out["lowered_beyond_budget_pp"] = ((out["target_change"] - out["budget_change"]) * 100).where(
        positive & (out["target_change"] < 0)
    )
    # R-YOY-03: a quantity moving against the money, or far apart from it.
    quantity = out["family"] == "数量"
    apart = (out["target_change"] - out["budget_change"]).abs() * 100
    opposite = (out["target_change"] * out["budget_change"]) < 0
    out["quantity_budget_gap_pp"] = apart.where(quantity & out["target_change"].notna())
    out["quantity_against_budget"] = (quantity & opposite).fillna(False).astype(bool)
    # A dropped indicator stands only in last year's form: point there.
    out["source_ref"] = out["source_ref"].where(~out["is_dropped"], out["prev_doc_id"] + ":" + out["prev_source_ref"])
    out["subject"] = out["prev_level3"]
    return out.reset_index(drop=True)


def _renamed_keys(out: pd.DataFrame, cur: pd.DataFrame) -> pd.Series:
    """Match an indicator renamed by a word (就业困难人员就业人数 → 解决就业困难人员就业人数)."""
    current = cur.groupby("doc_id")["key"].agg(set)
    keys = []
    for doc_id, key in zip(out["doc_id"], out["key"], strict=True):
        names = current.get(doc_id, set())
        if key in names:
            keys.append(key)
            continue
        near = [name for name in names if key and (key in name or name in key)]
        keys.append(near[0] if len(near) == 1 else key)
    return pd.Series(keys, index=out.index, dtype="str")


def _unit_cost_pairs(pairs: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    """Tasks of two years with the same name and output unit, and their unit costs."""
    keyed = costs.assign(key=costs["task_name"].map(name_key))[
        ["doc_id", "key", "unit", "task_name", "unit_cost_yuan", "source_ref"]
    ]
    prev = keyed.rename(
        columns={"doc_id": "prev_doc_id", "unit_cost_yuan": "prev_unit_cost_yuan", "source_ref": "prev_source_ref"}
    )
    out = pairs.merge(prev.drop(columns="task_name"), on="prev_doc_id").merge(keyed, on=["doc_id", "key", "unit"])
    out["unit_cost_change"] = (out["unit_cost_yuan"] / out["prev_unit_cost_yuan"] - 1).round(4)
    return out.reset_index(drop=True)
