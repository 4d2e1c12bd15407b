"""Facts about each form as a whole: what its indicator framework holds, and its money."""

from __future__ import annotations

import pandas as pd

from perfaudit.derive.words import found_words, has_digit, holds, words, years_in
from perfaudit.refs import span


def document_facts(forms, indicators: pd.DataFrame, money: pd.DataFrame) -> pd.DataFrame:
    """One row per document: counts and shares over its indicators, merged with its money facts."""
    docs = forms.documents[["doc_id", "department", "year", "missing_sections"]].set_index("doc_id")
    named = indicators[indicators["level3"] != ""]
    by_doc = named.groupby("doc_id")

    def count(mask: pd.Series) -> pd.Series:
        return mask.groupby(named["doc_id"]).sum().reindex(docs.index, fill_value=0).astype("int64")

    facts = pd.DataFrame(index=docs.index)
    facts["n_indicators"] = by_doc.size().reindex(docs.index, fill_value=0).astype("int64")
    output = named["level1"] == "产出指标"
    for column, mask in {
        "n_output": output,
        "n_benefit": named["level1"] == "效益指标",
        "n_satisfaction": named["family"] == "满意度",
        "n_benefit_not_satisfaction": (named["level1"] == "效益指标") & (named["cue_family"] != "满意度"),
        "n_quantity": output & (named["family"] == "数量"),
        "n_quality": output & (named["family"] == "质量"),
        "n_timeliness": output & (named["family"] == "时效"),
        "n_qualitative": ~named["quantified"].fillna(False).astype(bool),
        "n_quantified": named["quantified_num"],
        "n_hundred": named["is_hundred"],
        "n_hundred_unusual": named["is_hundred"] & ~holds(named["level3"], lambda n: found_words(n, "normal_hundred")),
        "n_execution_rate": named["is_execution_rate"],
        "n_cost_monetary": named["is_cost_monetary"],
        "n_symbol_variants": named["annual_value"].str.contains("[≧≦＞＜＝％０-９]", regex=True)
        | named["period_value"].str.contains("[≧≦＞＜＝％０-９]", regex=True),
    }.items():
        facts[column] = count(mask)
    output_count = count(output)
    facts["qualitative_share"] = (facts["n_qualitative"] / facts["n_indicators"]).where(facts["n_indicators"] > 0)
    facts["qualitative_share_output"] = (
        count(output & ~named["quantified"].fillna(False).astype(bool)) / output_count
    ).where(output_count > 0)
    facts["hundred_share"] = (facts["n_hundred"] / facts["n_quantified"]).where(facts["n_quantified"] > 0)
    facts["max_rows_in_level2"] = (
        named.groupby(["doc_id", "level2"]).size().groupby(level=0).max().reindex(docs.index).fillna(0)
    )
    both = named[(named["period_value"] != "") & (named["annual_value"] != "")]
    facts["n_both_horizons"] = both.groupby("doc_id").size().reindex(docs.index, fill_value=0)
    facts["n_same_both_horizons"] = (
        (both["period_value"] == both["annual_value"]).groupby(both["doc_id"]).sum().reindex(docs.index, fill_value=0)
    )
    facts["same_horizons_share"] = (facts["n_same_both_horizons"] / facts["n_both_horizons"]).where(
        facts["n_both_horizons"] > 0
    )
    facts["n_tasks"] = forms.tasks.groupby("doc_id").size().reindex(docs.index, fill_value=0)
    facts["n_goals"] = forms.goals.groupby("doc_id").size().reindex(docs.index, fill_value=0)
    facts["indicators_ref"] = indicators.groupby("doc_id")["source_ref"].agg(_span).reindex(docs.index).fillna("")
    facts["goals_ref"] = forms.goals.groupby("doc_id")["source_ref"].agg(_span).reindex(docs.index).fillna("")
    facts["year_text"] = docs["year"].astype("string").fillna("")
    facts["department_missing"] = docs["department"].isin(["", *found_placeholder_values()])
    facts["year_missing"] = docs["year"].isna()
    out = docs.join(facts).reset_index()
    out = out.merge(money.drop(columns=["department"]), on="doc_id", how="left")
    out["source_ref"] = ""  # form-wide facts: rules name a block's reference (budget_ref, …) instead
    return out


def goal_facts(forms) -> pd.DataFrame:
    """One row per goal: its length, vague words, numbers and the years it names."""
    goals = forms.goals.copy()
    docs = forms.documents.set_index("doc_id")
    goals["department"] = goals["doc_id"].map(docs["department"])
    year = goals["doc_id"].map(docs["year"])
    goals["n_chars"] = goals["text"].str.len()
    goals["vague_words"] = goals["text"].map(lambda t: "、".join(found_words(t, "vague")))
    goals["n_vague"] = goals["text"].map(lambda t: len(found_words(t, "vague")))
    goals["has_number"] = goals["text"].map(has_digit)
    goals["vague_without_number"] = goals["n_vague"].where(~goals["has_number"], 0)
    goals["other_years"] = [
        "、".join(str(y) for y in dict.fromkeys(years_in(t)) if pd.notna(yr) and y != yr)
        for t, yr in zip(goals["text"], year, strict=True)
    ]
    goals["n_other_years"] = goals["other_years"].map(lambda years: len(years.split("、")) if years else 0)
    goals["excerpt"] = goals["text"].map(lambda t: t if len(t) <= 30 else t[:30] + "…")
    return goals.reset_index(drop=True)


def found_placeholder_values() -> tuple[str, ...]:
    """The template placeholders (``……``, ``XX``) that stand where a value should be."""
    return words("placeholder")


def _span(refs) -> str:
    return span(list(refs))
