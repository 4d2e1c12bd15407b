"""Targets against results: the facts R-RESULT judges on a self-evaluation (绩效自评表).

Three frames, each empty when no self-evaluation is loaded:

- ``results``: one row per self-evaluated indicator — whether its actual can be held against its
  target (same unit, a plain number), whether the target was met (the operator says which way:
  ≥ is "at least", ≤ "at most"), by how much it was missed or overshot, whether it was scored in
  full, whether its actual says anything (达成预期指标 is no actual), and whether a shortfall
  has its reason;
- ``execution``: one row per funding line of the execution block — the rate recomputed from
  the amounts, the score a proportional scheme gives, the sources against the total, a budget
  cut to what was spent;
- ``result_documents``: one row per self-evaluation — the points and scores added up, the total
  rate, whether every output was reported met;
- ``result_pairs``: where the approved target form it answers to is loaded too, each indicator
  of either with its twin of the other (by name, numbering and ★ left out) — a target lowered,
  raised or in another unit, an approved indicator left out, one added.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from perfaudit.derive.budget import half_unit_yuan
from perfaudit.derive.documents import found_placeholder_values
from perfaudit.derive.words import words
from perfaudit.derive.years import YEAR_IN_NAME
from perfaudit.strings import name_key
from perfaudit.template.indicators import POINTS_UNREAD
from perfaudit.values import printed_decimals

SELF_EVALUATIONS = ("project_selfeval", "dept_selfeval")
# Money units an actual may be printed in beside a target in another: converted, not a mismatch.
_MONEY = {"元": 1.0, "万元": 10_000.0, "亿元": 100_000_000.0}


def result_frames(forms, indicators: pd.DataFrame, pairs: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """``results``, ``execution``, ``result_documents`` and ``result_pairs`` (see the module).

    ``pairs``: :func:`approved_forms` of the whole archive when ``forms`` is a part of it.
    """
    docs = forms.documents
    own = set(docs.loc[docs["form_type"].isin(SELF_EVALUATIONS), "doc_id"])
    remarks = docs.set_index("doc_id")["remarks"].fillna("") if "remarks" in docs else pd.Series(dtype="str")
    rows = indicators.loc[indicators["doc_id"].isin(own), [*forms.indicators.columns, "family"]]
    results = _results(rows, remarks)
    execution = _execution(forms.execution[forms.execution["doc_id"].isin(own)], remarks)
    return {
        "results": results,
        "execution": execution,
        "result_documents": _documents(sorted(own), results, execution, forms.leftovers),
        "result_pairs": _result_pairs(forms, results, approved_forms(docs) if pairs is None else pairs),
    }


def is_answered(text: str) -> bool:
    """Whether a reason or remark says something: not empty, a placeholder or the template's prompt."""
    text = (text or "").strip()
    if not text or text in found_placeholder_values():
        return False
    return not any(prompt in text for prompt in words("prompt_text"))


def _results(rows: pd.DataFrame, remarks: pd.Series) -> pd.DataFrame:
    frame = rows[(rows["level3"] != "") | rows["actual_value"].fillna("").ne("")].copy()
    value, actual = frame["value"].astype("float64"), frame["actual"].astype("float64")
    factor = _unit_factor(frame["unit"], frame["actual_unit"])
    frame["actual_in_target_unit"] = (actual * factor).round(6)
    plain = frame["actual_op"].fillna("").isin(["", "="])
    frame["unit_mismatch"] = (
        frame["actual"].notna() & (frame["unit"] != "") & (frame["actual_unit"] != "") & factor.isna()
    )
    frame["comparable"] = value.notna() & frame["actual_in_target_unit"].notna() & plain & frame["op"].ne("qualitative")
    got = frame["actual_in_target_unit"]
    high = frame["value_high"].astype("float64")
    tolerance = 0.5 * 10.0 ** -frame["annual_value"].fillna("").map(printed_decimals).astype("float64")
    # A bare target (95%) is "at least" unless the indicator is one of lower-is-better; a target
    # printed with = (or 指标性质 =) must be hit.
    printed_equal = frame["op_text"].fillna("").str.strip().isin(["=", "＝"]) | frame["annual_value"].fillna(
        ""
    ).str.lstrip().str.startswith(("=", "＝"))
    bare = (frame["op"] == "=") & ~printed_equal
    frame["target_op"] = frame["op"].mask(bare, frame["polarity"].map({"negative": "<="}).fillna(">="))
    met = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    for op, test in {
        ">=": got >= value - 1e-9,
        ">": got > value,
        "<=": got <= value + 1e-9,
        "<": got < value,
        "=": (got - value).abs() <= tolerance,
        "range": (got >= value - 1e-9) & (got <= high + 1e-9),
    }.items():
        chosen = frame["comparable"] & (frame["target_op"] == op)
        met[chosen] = test[chosen]
    frame["met"] = met
    lower = frame["target_op"].isin(["<=", "<"])
    with np.errstate(divide="ignore", invalid="ignore"):
        shortfall = np.where(lower, (got - value) / value, (value - got) / value)
    frame["shortfall"] = pd.Series(shortfall, index=frame.index).where(frame["met"].eq(False)).round(4)
    has_points = frame["points"].notna() & frame["score"].notna()
    frame["full_score"] = has_points & (frame["score"] >= frame["points"] - 1e-9)
    frame["score_over_points"] = has_points & (frame["score"] > frame["points"] + 1e-9)
    frame["missed_full"] = frame["met"].eq(False).fillna(False) & frame["full_score"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(lower, value / got, got / value)
    frame["proportional_score"] = (frame["points"] * pd.Series(ratio, index=frame.index).clip(upper=1)).round(2)

    text = frame["actual_value"].fillna("").str.strip()
    says_nothing = (text == "") | text.isin(found_placeholder_values()) | text.isin(words("generic_actual"))
    frame["actual_says_nothing"] = says_nothing
    frame["actual_restated"] = frame["actual_op"].isin([">=", "<=", ">", "<", "range"])
    scored = frame["score"].fillna(0) > 0
    frame["no_actual_quantitative"] = scored & frame["quantified"].fillna(False).astype(bool) & says_nothing
    frame["no_actual_qualitative"] = (
        scored
        & ~frame["quantified"].fillna(False).astype(bool)
        & says_nothing
        & (frame["annual_value"].fillna("") != "")
    )
    frame["no_target_no_actual"] = scored & (frame["annual_value"].fillna("") == "") & (text == "")
    frame["unreported"] = (frame["annual_value"].fillna("") != "") & (text == "") & frame["score"].isna()

    below_points = has_points & (frame["score"] < frame["points"] - 1e-9)
    frame["needs_reason"] = frame["met"].eq(False).fillna(False) | below_points
    doc_reason = _answered(frame["doc_id"].map(remarks))
    frame["has_reason"] = _answered(frame["deviation_reason"]) | doc_reason
    frame["unexplained"] = frame["needs_reason"] & ~frame["has_reason"]

    positive = frame["polarity"].ne("negative") & (value > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["overshoot"] = (
            (got / value).where(frame["comparable"] & positive & frame["target_op"].isin([">=", ">"])).round(3)
        )
    frame["is_satisfaction"] = frame["family"] == "满意度"

    sign = frame["op"].map({">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": ""})
    shown = sign.fillna("") + _numbers_text(frame["value"]) + frame["unit"]
    frame["target_text"] = shown.where(frame["value"].notna(), frame["annual_value"].fillna(""))
    bare = frame["actual"].notna() & (frame["actual_value"].str.strip() == _numbers_text(frame["actual"]))
    frame["actual_text"] = (frame["actual_value"] + frame["actual_unit"]).where(bare, frame["actual_value"])
    frame["band"] = [_band(t) if not q else "" for t, q in zip(text, frame["quantified"].fillna(False), strict=True)]
    frame["score_ratio"] = (frame["score"] / frame["points"]).where(frame["points"] > 0).round(3)
    return frame.reset_index(drop=True)


def _numbers_text(numbers: pd.Series) -> pd.Series:
    """Numbers as the shortest text that reads back the same (12.5, 100), blank where missing."""
    return pd.Series([f"{v:g}" if pd.notna(v) else "" for v in numbers], index=numbers.index, dtype="str")


def _answered(texts: pd.Series) -> pd.Series:
    return pd.Series([is_answered(t) for t in texts.fillna("")], index=texts.index, dtype="bool")


def _band(text: str) -> str:
    """The band a qualitative actual names: reached, partly or not (the longest word found decides)."""
    found = [(len(w), band) for band in ("reached", "partly", "not") for w in words(f"result_{band}") if w in text]
    return max(found)[1] if found else ""


def _unit_factor(target: pd.Series, actual: pd.Series) -> pd.Series:
    """What turns an actual into the target's unit: 1 when alike (or one is blank), a money conversion, else NaN."""
    same = (target == actual) | (actual == "") | (target == "")
    money = actual.map(_MONEY).astype("float64") / target.map(_MONEY).astype("float64")
    return pd.Series(np.where(same, 1.0, money), index=target.index, dtype="float64")


def _execution(lines: pd.DataFrame, remarks: pd.Series) -> pd.DataFrame:
    frame = lines.copy()
    final, spent = frame["budget_final_yuan"], frame["spent_yuan"]
    frame["rate_calc"] = (spent / final * 100).where(final > 0).round(2)
    rate_decimals = frame["rate_printed"].fillna("").map(printed_decimals)
    frame["rate_tol"] = np.maximum(0.1, 0.5 * 10.0 ** -rate_decimals.astype("float64"))
    frame["rate_gap"] = (frame["rate"] - frame["rate_calc"]).abs().round(2)
    frame["rate_wrong"] = frame["rate_gap"] > frame["rate_tol"]
    frame["expected_score"] = (frame["points"] * frame["rate_calc"].fillna(frame["rate"]).clip(upper=100) / 100).round(
        2
    )
    frame["score_gap"] = (frame["score"] - frame["expected_score"]).abs().round(2)
    frame["score_above_points"] = frame["score"] > frame["points"] + 1e-9
    frame["is_total"] = frame["item"] == "年度资金总额"
    tol = [
        half_unit_yuan(p, u, a) for p, u, a in zip(frame["printed_final"], frame["printed_unit"], final, strict=True)
    ]
    frame["final_tol_yuan"] = tol
    sources = frame[~frame["is_total"]].groupby("doc_id")
    for column, name in (("budget_final_yuan", "final"), ("spent_yuan", "spent")):
        summed = sources[column].sum(min_count=1)
        frame[f"sources_{name}_yuan"] = frame["doc_id"].map(summed).where(frame["is_total"]).round(2)
        frame[f"sources_{name}_gap_yuan"] = (frame[f"sources_{name}_yuan"] - frame[column]).round(2)
    slack = frame["doc_id"].map(sources["final_tol_yuan"].sum()).fillna(0) + frame["final_tol_yuan"]
    gaps = frame[["sources_final_gap_yuan", "sources_spent_gap_yuan"]].abs().max(axis=1)
    frame["sources_excess_yuan"] = (gaps - 2 * slack).round(2).where(frame["is_total"])
    cut = frame["budget_initial_yuan"].notna() & (final < frame["budget_initial_yuan"] - frame["final_tol_yuan"])
    frame["revised_to_spending"] = cut & ((final - spent).abs() <= frame["final_tol_yuan"])
    frame["reason_given"] = _answered(frame["reason"]) | _answered(frame["doc_id"].map(remarks))
    # The printed rate where an amount could not be read (never where the budget is printed as 0).
    frame["rate_read"] = frame["rate_calc"].fillna(frame["rate"].where(final.isna() | spent.isna()))
    frame["low_rate_unexplained"] = frame["is_total"] & (frame["rate_read"] < 90) & ~frame["reason_given"]
    adjusted = (final - frame["budget_initial_yuan"]).abs() > frame["final_tol_yuan"]
    frame["adjustment_unexplained"] = frame["is_total"] & adjusted.fillna(False) & ~frame["reason_given"]
    return frame.reset_index(drop=True)


def _documents(
    doc_ids: list[str], results: pd.DataFrame, execution: pd.DataFrame, leftovers: pd.DataFrame
) -> pd.DataFrame:
    frame = pd.DataFrame({"doc_id": doc_ids}).set_index("doc_id")
    # Points that could not be read (an OCR'd 8 ?) leave the sum unknown, not short.
    unread = set(leftovers.loc[leftovers["reason"] == POINTS_UNREAD, "doc_id"])
    points = results.groupby("doc_id")["points"].sum(min_count=1).reindex(frame.index)
    frame["indicator_points"] = points.where(~frame.index.isin(list(unread)))
    total = execution[execution["is_total"]].drop_duplicates("doc_id").set_index("doc_id")
    frame["execution_points"] = total["points"].reindex(frame.index)
    frame["points_total"] = frame["indicator_points"] + frame["execution_points"].fillna(0)
    frame["rate_total"] = total["rate_read"].reindex(frame.index)
    output = results[results["level1"] == "产出指标"]
    reported_met = output["met"].fillna(False).astype(bool) | output["full_score"]
    frame["n_output_rows"] = output.groupby("doc_id").size().reindex(frame.index, fill_value=0)
    frame["outputs_all_met"] = reported_met.groupby(output["doc_id"]).all().reindex(frame.index, fill_value=False)
    frame["money_idle_outputs_met"] = (
        (frame["rate_total"] < 60) & frame["outputs_all_met"] & (frame["n_output_rows"] > 0)
    )
    frame["source_ref"] = total["source_ref"].reindex(frame.index).fillna("")
    return frame.reset_index()


# --- against the approved targets (R-RESULT-07) ---------------------------------------------------

# The family of the approved target form a self-evaluation answers to.
_APPROVED = {"dept_selfeval": "dept_overall", "project_selfeval": "project"}
_NUMBERING = re.compile(r"^(?:指标\d+[:：]?|★+)")
PAIR_COLUMNS = [
    "doc_id",
    "approved_doc_id",
    "level3",
    "target_text",
    "approved_text",
    "missing",
    "added",
    "easier",
    "harder",
    "unit_changed",
    "source_ref",
]


def approved_forms(documents: pd.DataFrame) -> pd.DataFrame:
    """Each self-evaluation with the approved target form it answers to: doc_id, approved_doc_id.

    A department's self-evaluation answers to its 整体 form of the same year, a project's to the
    project form of the same project (its name without a year) and year. The 批复 form is taken
    before another stage; with two candidates still left, the pairing would be a guess and none is made.
    """
    docs = documents.assign(
        dept=documents["department"].fillna("").map(name_key),
        project=documents["project_name"].fillna("").str.replace(YEAR_IN_NAME, "", regex=True).map(name_key),
        rank=(documents["stage"] != "批复").astype(int),
    )
    # one merge on (form family, year, project or department) rather than a scan per self-evaluation
    docs["family"] = docs["form_type"]
    docs["key"] = docs["project"].where(docs["form_type"] == "project", docs["dept"])
    selfevals = docs[docs["form_type"].isin(list(_APPROVED))].assign(family=lambda d: d["form_type"].map(_APPROVED))
    selfevals["key"] = selfevals["project"].where(selfevals["family"] == "project", selfevals["dept"])
    candidates = docs[(docs["dept"] != "") & (docs["key"] != "") & docs["year"].notna()]
    selfevals = selfevals[selfevals["year"].notna()]  # a year unread pairs with nothing (NaN would match NaN)
    found = selfevals[["doc_id", "family", "year", "key"]].merge(
        candidates[["doc_id", "family", "year", "key", "rank"]].rename(columns={"doc_id": "approved_doc_id"}),
        on=["family", "year", "key"],
    )
    found = found[found["rank"] == found.groupby("doc_id")["rank"].transform("min")]
    found = found[found.groupby("doc_id")["doc_id"].transform("size") == 1]
    order = {doc: i for i, doc in enumerate(selfevals["doc_id"])}
    found = found.sort_values("doc_id", key=lambda ids: ids.map(order), kind="stable")
    return found[["doc_id", "approved_doc_id"]].reset_index(drop=True)


def _result_pairs(forms, results: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    approved = forms.indicators[forms.indicators["doc_id"].isin(pairs["approved_doc_id"])]
    approved = approved[approved["level3"] != ""].rename(columns={"doc_id": "approved_doc_id"})
    approved = approved.assign(key=approved["level3"].map(_indicator_key)).drop_duplicates(["approved_doc_id", "key"])
    mine = results[results["doc_id"].isin(pairs["doc_id"]) & (results["level3"] != "")]
    mine = mine.assign(key=mine["level3"].map(_indicator_key)).drop_duplicates(["doc_id", "key"])
    mine = mine.merge(pairs, on="doc_id")
    columns = ["approved_doc_id", "key", "level3", "op", "value", "value_high", "unit", "annual_value", "source_ref"]
    both = mine.merge(approved[columns], on=["approved_doc_id", "key"], how="outer", suffixes=("", "_approved"))
    both["doc_id"] = both["doc_id"].fillna(both["approved_doc_id"].map(pairs.set_index("approved_doc_id")["doc_id"]))
    both["missing"] = both["target_text"].isna()
    both["added"] = both["annual_value_approved"].isna()
    both["level3"] = both["level3"].fillna(both["level3_approved"])
    both["source_ref"] = both["source_ref"].fillna("")
    both["target_text"] = both["target_text"].fillna("")
    both["approved_text"] = both["annual_value_approved"].fillna("")
    a_unit, m_unit = both["unit_approved"].fillna(""), both["unit"].fillna("")
    both["unit_changed"] = (a_unit != "") & (m_unit != "") & (a_unit != m_unit) & ~both["missing"] & ~both["added"]
    numbers = both["value"].notna() & both["value_approved"].notna() & ~both["unit_changed"]
    at_most = both["op_approved"].isin(["<=", "<"]) | (both["polarity"] == "negative")
    lower, higher = both["value"] < both["value_approved"] - 1e-9, both["value"] > both["value_approved"] + 1e-9
    both["easier"] = numbers & ((~at_most & lower) | (at_most & higher))
    both["harder"] = numbers & ((~at_most & higher) | (at_most & lower))
    for column in ("missing", "added", "easier", "harder", "unit_changed"):
        both[column] = both[column].fillna(False).astype(bool)
    return both[PAIR_COLUMNS].reset_index(drop=True)


def _indicator_key(name: str) -> str:
    """An indicator's name for matching a self-evaluation with its target form: numbering and ★ left out."""
    return name_key(_NUMBERING.sub("", (name or "").strip()))
