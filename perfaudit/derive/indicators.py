"""Facts about each indicator row: what kind of value it holds and how it is filed.

Facts, never verdicts: a column says *that* a value is vague or *that* a percentage is 120;
the rulebook decides whether that is a finding and how serious it is.
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from perfaudit.derive.words import cue_family, found_words, has_digit, holds, words
from perfaudit.strings import TRAILING_BRACKET, key, strip_trailing_bracket
from perfaudit.template.common import money_factor
from perfaudit.values import parse_value
from perfaudit.vocab import read_vocab

_BARE_NUMBERS = re.compile(r"^\s*\d+(?:\.\d+)?\s+\d+(?:\.\d+)?\s*$")
_MONEY_UNITS = {"元", "万元", "亿元"}


@functools.cache
def _families() -> dict[str, str]:
    return {row["canonical"]: row["family"] for row in read_vocab("level_labels")}


@functools.cache
def _parents() -> dict[str, str]:
    return {row["canonical"]: row["parent"] for row in read_vocab("level_labels") if row["level"] == "2"}


@functools.cache
def _level2_labels() -> frozenset[str]:
    """The canonical 二级 labels (数量指标 …).

    A synonym such as 社会公众满意度 is also a real indicator's name, so only a name equal to its own row's label counts
    besides these.
    """
    return frozenset(row["canonical"] for row in read_vocab("level_labels") if row["level"] == "2")


def family(level1: str, level2: str) -> str:
    """The 二级 family of a row (数量 / 质量 / 时效 / 成本 / 效益 / 满意度), else its 一级 family."""
    return _families().get(level2) or _families().get(level1, "")


def bare_name(name: str) -> str:
    """An indicator name without a trailing unit in brackets: 促进创业人数（人） → 促进创业人数."""
    return strip_trailing_bracket(name).strip()


def indicator_facts(
    indicators: pd.DataFrame, documents: pd.DataFrame, money: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per indicator row, with the facts the indicator rules judge."""
    frame = indicators.copy()
    frame["department"] = frame["doc_id"].map(documents.set_index("doc_id")["department"])
    frame["family"] = [family(a, b) for a, b in zip(frame["level1"], frame["level2"], strict=True)]
    frame["value_text"] = frame["annual_value"].where(frame["annual_value"] != "", frame["period_value"])
    frame["name"] = frame["level3"].map(bare_name)
    frame["subject"] = frame["level3"].where(
        frame["level3"] != "", frame["level2_raw"].where(frame["level2_raw"] != "", frame["level1_raw"])
    )
    for add in (_completeness, _measurability, _reasonableness, _filing, _costs):
        add(frame)
    expend = frame["doc_id"].map(money.set_index("doc_id")["expend_yuan"]) if money is not None else float("nan")
    _total_cost(frame, expend)
    return frame.reset_index(drop=True)


def _completeness(frame: pd.DataFrame) -> None:
    """Empty categories, placeholders, missing values and units (R-COMPLETE-05/06/07)."""
    named, value_text = frame["level3"] != "", frame["value_text"]
    frame["is_empty_category"] = (~named) & (value_text == "")
    frame["is_placeholder"] = frame["level3"].isin(_placeholders()) | (named & value_text.isin(_placeholders()))
    frame["has_value"] = ~named | (value_text != "")
    frame["quantified_num"] = frame["quantified"].fillna(False).astype(bool) & frame["value"].notna()
    frame["lacks_unit"] = _bools(
        [
            bool(q and u == "" and not _count_name(n) and not TRAILING_BRACKET.search(lv3))
            for q, u, n, lv3 in zip(frame["quantified_num"], frame["unit"], frame["name"], frame["level3"], strict=True)
        ],
        frame.index,
    )


def _measurability(frame: pd.DataFrame) -> None:
    """Vague, ungraded, unmeasurable and ill-formed values (R-QUANT-01 … 10)."""
    named, value_text = frame["level3"] != "", frame["value_text"]
    quantified = frame["quantified"].fillna(False).astype(bool)
    frequency = holds(value_text, lambda v: found_words(v, "frequency"))
    frame["needs_number"] = frame["family"].isin(["数量", "成本"]) & named
    frame["is_unmeasurable"] = frame["needs_number"] & ~quantified
    vague = _bools([bool(found_words(v, "vague")) and not has_digit(v) for v in value_text], frame.index)
    frame["vague_words"] = ["、".join(found_words(v, "vague")) for v in value_text]
    frame["is_vague_quantity"] = vague & (frame["family"] == "数量")
    frame["is_vague_other"] = vague & (frame["family"] != "数量")
    frame["is_ungraded_text"] = (
        named
        & (value_text != "")
        & ~quantified
        & ~vague
        & ~value_text.isin(_grading())
        & ~frequency
        & (frame["baseline"] == "")
        & ~frame["needs_number"]
    )
    frame["rate_without_percent"] = _bools(
        [
            bool(q and n.endswith(("率", "度")) and not n.endswith(words("measure_du")) and u != "%")
            for q, n, u in zip(frame["quantified_num"], frame["name"], frame["unit"], strict=True)
        ],
        frame.index,
    )
    growth = holds(frame["name"], lambda n: found_words(n, "growth"))
    frame["percent_value"] = frame["value"].where((frame["unit"] == "%") & ~growth)
    frame["percent_value_high"] = frame["value_high"].where((frame["unit"] == "%") & ~growth)
    frame["timeliness_unmeasurable"] = (frame["family"] == "时效") & named & ~quantified & ~frequency
    frame["is_residue"] = (
        holds(value_text, lambda v: _BARE_NUMBERS.match(v))
        | (
            named
            & (
                frame["level3"].isin(_level2_labels())
                | (frame["level3"] == frame["level2"])
                | (frame["level3"] == frame["level2_raw"])
            )
        )
        | (~named & (value_text != ""))
    )
    frame["input_words"] = frame["level3"].map(lambda n: "、".join(found_words(n, "input")))
    frame["is_input_as_output"] = frame["family"].isin(["数量", "质量"]) & (
        (frame["input_words"] != "") | frame["unit"].isin(_MONEY_UNITS)
    )
    frame["period_minus_annual"] = pd.Series(
        [
            _period_minus_annual(p, a, n)
            for p, a, n in zip(frame["period_value"], frame["annual_value"], frame["level3"], strict=True)
        ],
        index=frame.index,
        dtype="float64",
    )


def _reasonableness(frame: pd.DataFrame) -> None:
    """Satisfaction, execution rate, zero and 100% targets (R-REASON-01 … 04)."""
    named = frame["level3"] != ""
    frame["is_satisfaction"] = (frame["family"] == "满意度") & named
    frame["satisfaction_pct"] = frame["value"].where(frame["is_satisfaction"] & (frame["unit"] == "%"))
    frame["is_execution_rate"] = holds(frame["level3"], lambda n: found_words(n, "execution_rate"))
    frame["execution_rate_pct"] = frame["value"].where(frame["is_execution_rate"] & (frame["unit"] == "%"))
    frame["is_hundred"] = (
        frame["quantified_num"] & (frame["unit"] == "%") & (frame["value"] == 100) & (frame["op"] == "=")
    )


def _filing(frame: pd.DataFrame) -> None:
    """Where each indicator is filed: categories, labels, duplicates (R-CONSIST-03/04/05/10, R-FORMAT-01)."""
    named = frame["level3"] != ""
    frame["level2_parent"] = frame["level2"].map(lambda l2: _parents().get(l2, ""))
    frame["is_misfiled"] = _bools(
        [
            bool(l2 and l1 and _parents().get(l2) and _parents()[l2] != l1 and _families().get(l1) != "成本")
            for l1, l2 in zip(frame["level1"], frame["level2"], strict=True)
        ],
        frame.index,
    )
    frame["cue_family"] = frame["name"].map(cue_family)
    frame["category_conflict"] = (
        named & (frame["cue_family"] != "") & (frame["cue_family"] != frame["family"]) & ~frame["is_misfiled"]
    )
    frame["is_unknown_label"] = ((frame["level1"] == "") & (frame["level1_raw"] != "")) | (
        (frame["level2"] == "") & (frame["level2_raw"] != "")
    )
    variant = _is_variant(frame["level1_raw"], frame["level1"]) | _is_variant(frame["level2_raw"], frame["level2"])
    # Once per printed label block, not once per indicator row under it.
    frame["is_label_variant"] = variant & ~frame.duplicated(["doc_id", "level1", "level2_raw"])
    frame["is_generic_name"] = holds(frame["level3"], lambda n: found_words(n, "generic_name"))
    key = frame["name"].str.replace(r"\s+", "", regex=True)
    frame["duplicate_name"] = named & frame.duplicated(["doc_id", "level2", "name"], keep=False)
    level2_count = frame[named].groupby(["doc_id", "name"])["level2"].transform("nunique")
    frame["name_in_two_level2"] = (level2_count.reindex(frame.index) > 1).fillna(False).astype(bool)
    outputs = named & (frame["level1"] == "产出指标")
    output_names = set(zip(frame.loc[outputs, "doc_id"], key[outputs], strict=True))
    frame["restates_output"] = named & _bools(
        [
            l1 == "效益指标" and (d, k) in output_names
            for d, l1, k in zip(frame["doc_id"], frame["level1"], key, strict=True)
        ],
        frame.index,
    )


def _costs(frame: pd.DataFrame) -> None:
    """Whether cost rows are real, monetary cost indicators (R-COST-01/02)."""
    cost_rows = (frame["family"] == "成本") & (frame["level3"] != "")
    has_base = holds(frame["level3"], lambda n: found_words(n, "cost_base"))
    frame["cost_not_real"] = cost_rows & (
        frame["level3"].isin(_level2_labels())
        | frame["value_text"].isin(words("cost_not_real"))
        | ((frame["unit"] == "%") & (frame["value"] == 100) & ~has_base)
    )
    frame["is_cost_monetary"] = cost_rows & (
        frame["unit"].str.startswith(("元", "万元", "亿元")) | ((frame["unit"] == "%") & has_base)
    )


def _total_cost(frame: pd.DataFrame, expend) -> None:
    """A total-cost target in money must fit in the budget (R-COST-03)."""
    factor = frame["unit"].map(money_factor())
    total_cost = holds(frame["level3"], lambda n: found_words(n, "total_cost")) & factor.notna()
    frame["total_cost_yuan"] = (frame["value"] * factor).where(total_cost)
    frame["expend_yuan"] = expend
    frame["total_cost_excess_yuan"] = (frame["value"] * factor - expend).where(total_cost)


def _placeholders() -> tuple[str, ...]:
    return words("placeholder")


def _grading() -> tuple[str, ...]:
    return words("grading")


def _count_name(name: str) -> bool:
    return (name or "").endswith(words("count_name_suffix"))


def _bools(values, index) -> pd.Series:
    """A boolean column from a list (typed even when the list is empty)."""
    return pd.Series(values, index=index, dtype=bool)


def _is_variant(raw: pd.Series, canonical: pd.Series) -> pd.Series:
    """A printed label that is a known synonym, not the canonical name itself."""
    return _bools([bool(r) and c != "" and key(r) != key(c) for r, c in zip(raw, canonical, strict=True)], raw.index)


def _period_minus_annual(period: str, annual: str, name: str) -> float:
    """The 实施周期 target less the 年度 target, when both are numbers in one unit other than %."""
    if not period or not annual or period == annual:
        return float("nan")
    p, a = parse_value(period, name=name), parse_value(annual, name=name)
    if not (p.quantified and a.quantified) or p.unit != a.unit or p.unit == "%" or p.value is None or a.value is None:
        return float("nan")
    return p.value - a.value
