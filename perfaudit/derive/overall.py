"""Project forms against the 整体 form of their department and year (R-ARITH-11).

A department's 整体 target form covers all its money; the project forms of the same year are
parts of its 项目支出. When both are loaded, two frames: ``overall_projects`` (one row per 整体
form: the project forms found for it and what their annual money adds up to) and
``project_links`` (one row per project form: its 整体 form, its share of the 项目支出 and the key
task it most resembles). A project form is paired only when exactly one 整体 form of its
department and year is loaded — with two (a 申报表 and a 批复表, say) the pairing would be a guess.
"""

from __future__ import annotations

import pandas as pd

from perfaudit.derive.budget import half_unit_yuan
from perfaudit.derive.words import bigrams, containment, found_words
from perfaudit.refs import span
from perfaudit.strings import key

OVERALL_COLUMNS = [
    "doc_id",
    "n_project_forms",
    "project_forms",
    "project_forms_yuan",
    "project_yuan",
    "project_forms_excess_yuan",
    "source_ref",
]
LINK_COLUMNS = [
    "doc_id",
    "overall_doc_id",
    "annual_budget_yuan",
    "project_yuan",
    "share_of_project_exp",
    "best_task",
    "task_score",
    "source_ref",
]


def overall_frames(forms, money: pd.DataFrame, pairs: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """``overall_projects`` and ``project_links`` (empty frames when no pair is loaded).

    ``pairs``: :func:`project_pairs` of the whole archive when ``forms`` is a part of it.
    """
    pairs = project_pairs(forms.documents) if pairs is None else pairs.copy()
    if pairs.empty:
        return {
            "overall_projects": pd.DataFrame(columns=OVERALL_COLUMNS),
            "project_links": pd.DataFrame(columns=LINK_COLUMNS),
        }
    money = money.set_index("doc_id")
    pairs["annual_budget_yuan"] = pairs["doc_id"].map(money["annual_budget_yuan"])
    pairs["project_yuan"] = pairs["overall_doc_id"].map(money["project_yuan"])
    pairs["share_of_project_exp"] = (pairs["annual_budget_yuan"] / pairs["project_yuan"]).round(4)
    matches = [
        _best_task(forms.tasks, doc, name)
        for doc, name in zip(pairs["overall_doc_id"], pairs["project_name"], strict=True)
    ]
    pairs["best_task"] = [name for name, _ in matches]
    pairs["task_score"] = [score for _, score in matches]
    tol = _tolerances(forms.budget)
    pairs["source_ref"] = pairs["doc_id"].map(tol["annual_ref"]).fillna("")
    pairs["tol_yuan"] = pairs["doc_id"].map(tol["annual"]).fillna(0)
    grouped = pairs.groupby("overall_doc_id")
    overall = pd.DataFrame(
        {
            "n_project_forms": grouped.size(),
            "project_forms": grouped["project_name"].agg("、".join),
            "project_forms_yuan": grouped["annual_budget_yuan"].sum(min_count=1).round(2),
        }
    )
    overall["project_yuan"] = money["project_yuan"].reindex(overall.index)
    slack = grouped["tol_yuan"].sum() + tol["project"].reindex(overall.index).fillna(0)
    overall["project_forms_excess_yuan"] = (overall["project_forms_yuan"] - overall["project_yuan"] - slack).round(2)
    overall["source_ref"] = tol["project_ref"].reindex(overall.index).fillna("")
    return {
        "overall_projects": overall.rename_axis("doc_id").reset_index()[OVERALL_COLUMNS],
        "project_links": pairs[LINK_COLUMNS].reset_index(drop=True),
    }


def project_pairs(documents: pd.DataFrame) -> pd.DataFrame:
    """Each project form with the one 整体 form of its department (or 主管部门 / 实施单位) and year."""
    docs = documents.assign(year=documents["year"].astype("Int64"))
    overall = docs[docs["form_type"] == "dept_overall"].dropna(subset=["year"])
    overall = overall.assign(dept=overall["department"].fillna("").map(key))
    overall = overall[overall["dept"] != ""]
    unique = overall.drop_duplicates(["dept", "year"], keep=False).set_index(["dept", "year"])["doc_id"]
    rows = []
    projects = docs[docs["form_type"].isin(["project", "investment"])].dropna(subset=["year"])
    for project in projects.itertuples():
        names = {
            key(str(getattr(project, column, "") or ""))
            for column in ("department", "implementing_unit", "competent_dept")
        }
        found = {unique[(name, project.year)] for name in names - {""} if (name, project.year) in unique.index}
        if len(found) == 1:
            rows.append(
                {"doc_id": project.doc_id, "overall_doc_id": found.pop(), "project_name": project.project_name or ""}
            )
    return pd.DataFrame(rows, columns=["doc_id", "overall_doc_id", "project_name"])


def _best_task(tasks: pd.DataFrame, overall_doc_id: str, project_name: str) -> tuple[str, float]:
    """The key task of the 整体 form whose name stands in the project's name, or holds it (0–1)."""
    own = bigrams(project_name)
    best = ("（无）", 0.0)
    for name in tasks.loc[tasks["doc_id"] == overall_doc_id, "name"]:
        if found_words(name, "basic_task"):
            continue
        task = bigrams(name)
        score = round(max(containment(task, own), containment(own, task)), 3)
        best = max(best, (name, score), key=lambda pair: pair[1])
    return best


def _tolerances(budget: pd.DataFrame) -> dict[str, pd.Series]:
    """Half the last printed digit of each form's 项目支出 and each project's 年度资金总额, in yuan; their cells."""
    tol = budget.assign(
        tol=[
            half_unit_yuan(p, u, a)
            for p, u, a in zip(budget["printed"], budget["printed_unit"], budget["amount_yuan"], strict=True)
        ]
    )
    project = tol[tol["item"] == "项目支出"].groupby("doc_id")
    annual = tol[(tol["item"] == "年度资金总额") & (tol["section"] == "项目资金")].groupby("doc_id")
    return {
        "project": project["tol"].sum(),
        "project_ref": project["source_ref"].agg(span),
        "annual": annual["tol"].first(),
        "annual_ref": annual["source_ref"].first(),
    }
