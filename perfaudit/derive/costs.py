"""Unit costs: planned money per planned output, and how each compares with its peers.

A task's unit cost is its planned money divided by the one count its text promises (a task
promising two kinds of output has no single unit cost); a project form's is its 年度资金总额
divided by its one 数量 target that counts (a project with two count targets has none). Peers
count in the same unit and are of the same kind (task or project): within the form, and across
every form loaded. Costs are compared on the log scale
with the median and the median absolute deviation (MAD), which a single extreme value cannot
drag: ``robust_z`` is the distance from the median in MADs scaled to standard deviations, and
``fold`` how many times the cost stands above or below the median. Which of them makes an
outlier is the rulebook's call (``expectations/unit_costs.json``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The consistency constant that makes the MAD estimate a standard deviation for normal data
# (part of the definition of the robust z, not a threshold).
_MAD_TO_SD = 1.4826
# A robust z with no spread among the peers (MAD 0) is infinite; it is written as this bound.
_Z_BOUND = 99.0


def unit_costs(forms) -> pd.DataFrame:
    """One row per task with exactly one promised count: its cost per unit and peer statistics.

    Example:
        >>> costs = unit_costs(pa.load("data/forms"))   # doctest: +SKIP
        >>> costs[["task_name", "quantity", "unit", "unit_cost_yuan"]]   # doctest: +SKIP
    """
    outputs = forms.task_outputs
    single = outputs[outputs.groupby(["doc_id", "task_no"])["task_no"].transform("size") == 1]
    frame = single[["doc_id", "task_no", "quantity", "unit", "qualifier", "noun", "phrase", "source_ref"]]
    tasks = forms.tasks[["doc_id", "task_no", "name", "planned_yuan"]].rename(columns={"name": "task_name"})
    frame = frame.merge(tasks, on=["doc_id", "task_no"], how="left").assign(kind="task")
    projects = _project_outputs(forms)
    if len(projects):
        frame = pd.concat([frame, projects], ignore_index=True)
    frame["task_no"] = frame["task_no"].astype("Int64")
    docs = forms.documents.set_index("doc_id")
    frame["department"] = frame["doc_id"].map(docs["department"])
    frame["year"] = frame["doc_id"].map(docs["year"])
    frame = frame[(frame["quantity"] > 0) & frame["planned_yuan"].notna()].copy()
    frame["unit_cost_yuan"] = (frame["planned_yuan"] / frame["quantity"]).round(2)
    log_cost = np.log(frame["unit_cost_yuan"].where(frame["unit_cost_yuan"] > 0))
    for scope, keys in (("form", ["doc_id", "kind", "unit"]), ("all", ["kind", "unit"])):
        grouped = log_cost.groupby([frame[k] for k in keys])
        median = grouped.transform("median")
        mad = (log_cost - median).abs().groupby([frame[k] for k in keys]).transform("median")
        frame[f"peers_{scope}"] = grouped.transform("count").astype("Int64")
        frame[f"peer_median_{scope}_yuan"] = np.exp(median).round(2)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (log_cost - median) / (_MAD_TO_SD * mad)
        z = z.where(log_cost != median, 0.0).clip(-_Z_BOUND, _Z_BOUND)
        enough = frame[f"peers_{scope}"] >= 2
        frame[f"robust_z_{scope}"] = z.where(enough).round(2)
        frame[f"fold_{scope}"] = np.exp((log_cost - median).abs()).where(enough).round(2)
    # Across forms only where other forms add peers; within one form the form scope says it.
    across = frame["peers_all"] > frame["peers_form"]
    frame["robust_z_across"] = frame["robust_z_all"].where(across)
    frame["fold_across"] = frame["fold_all"].where(across)
    return frame.reset_index(drop=True)


def _project_outputs(forms) -> pd.DataFrame:
    """A project form's 年度资金总额 against its one counting 数量 target (≥20场, 7个), as task rows.

    ``task_no`` is empty and ``task_name`` the project's name. A target in % or without a unit
    counts nothing; a form with two counting targets spreads its money over both, so it has no
    single unit cost, as a task promising two outputs has none.
    """
    docs = forms.documents
    projects = docs.loc[docs["form_type"].isin(["project", "investment"]), ["doc_id", "project_name"]]
    if projects.empty:
        return pd.DataFrame()
    budget = forms.budget
    annual = budget[(budget["section"] == "项目资金") & (budget["item"] == "年度资金总额")]
    money = annual.dropna(subset=["amount_yuan"]).drop_duplicates("doc_id").set_index("doc_id")["amount_yuan"]
    rows = forms.indicators
    counting = rows[
        rows["doc_id"].isin(projects["doc_id"])
        & (rows["level2"] == "数量指标")
        & rows["quantified"].fillna(False).astype(bool)
        & (rows["value"] > 0)
        & ~rows["unit"].isin(["", "%", "‰"])
        & rows["op"].isin(["=", ">=", ">"])
    ]
    single = counting[counting.groupby("doc_id")["doc_id"].transform("size") == 1]
    names = projects.set_index("doc_id")["project_name"]
    return pd.DataFrame(
        {
            "doc_id": single["doc_id"],
            "task_no": pd.NA,
            "quantity": single["value"],
            "unit": single["unit"],
            "qualifier": single["op"].map({">=": "≥", ">": ">", "=": ""}),
            "noun": single["level3"],
            "phrase": single["level3"]
            + " "
            + single["annual_value"].where(single["annual_value"] != "", single["period_value"]),
            "source_ref": single["source_ref"],
            "task_name": single["doc_id"].map(names),
            "planned_yuan": single["doc_id"].map(money),
            "kind": "project",
        }
    )
