"""Derive computes facts in base units, never verdicts: small inline tables, and the dictionary of its columns."""

import pandas as pd
import pytest

from perfaudit.derive import Crossings, derive, parts
from perfaudit.derive.budget import budget_facts
from perfaudit.derive.indicators import _period_minus_annual
from perfaudit.vocab import read_vocab

BUDGET_COLUMNS = ["doc_id", "section", "item", "amount_yuan", "printed", "printed_unit"]


def budget_lines(*lines):
    return pd.DataFrame(lines, columns=BUDGET_COLUMNS)


@pytest.mark.parametrize(
    ("lines", "gap", "expected"),
    [
        pytest.param(
            [
                ("a", "收入来源", "财政拨款", 6_000_000_000.0, "600000", "万元"),
                ("a", "支出", "基本支出", 400_000.0, "40", "万元"),
                ("a", "支出", "项目支出", 200_000.0, "20", "万元"),
            ],
            6_000_000_000.0 - 600_000.0,
            {
                "amount_if_yuan": [600_000.0, 40.0, 20.0],
                "in_budget_sums": [True] * 3,
                "balances_as_yuan": [True, False, False],
            },
            id="sources-typed-in-yuan-balance-when-read-as-yuan",
        ),
        pytest.param(
            [
                ("b", "收入来源", "财政拨款", 600_000.0, "60", "万元"),
                ("b", "支出", "基本支出", 400_000.0, "40", "万元"),
                ("b", "支出", "项目支出", 200_000.0, "20", "万元"),
                ("b", "支出", "其他事业发展性支出", 30_000.0, "3", "万元"),
            ],
            0.0,
            {"in_budget_sums": [True, True, True, False], "balances_as_yuan": [False] * 4},
            id="a-balanced-budget-balances-no-other-way",
        ),
    ],
)
def test_budget_facts_tell_what_reading_a_line_as_yuan_would_do(lines, gap, expected):
    budget = budget_lines(*lines)
    money = pd.DataFrame(
        {"doc_id": [budget["doc_id"][0]], "balance_gap_yuan": [gap], "balance_tolerance_yuan": [150.0]}
    )
    facts = budget_facts(budget, money)
    for column, values in expected.items():
        assert list(facts[column]) == values, column
    assert not any(c.endswith("_wan") for c in facts.columns)


@pytest.mark.parametrize(
    ("period", "annual", "difference"),
    [
        pytest.param("≥1000人次", "≥1200人次", -200.0, id="period-below-annual"),
        pytest.param("≥3000人次", "≥1000人次", 2000.0, id="period-above-annual"),
        pytest.param("≥90%", "≥95%", None, id="percentages-are-not-compared"),
        pytest.param("≥10个", "≥12人", None, id="other-units-are-not-compared"),
        pytest.param("", "≥12人", None, id="one-horizon-only"),
    ],
)
def test_the_period_target_less_the_annual_one(period, annual, difference):
    found = _period_minus_annual(period, annual, "指标")
    assert (pd.isna(found) and difference is None) or found == difference


def test_every_derived_column_is_in_the_dictionary(bundled):
    """Each column of each derived frame is a contract column (fields.csv) or described in derived.csv."""
    contract = {row["column"] for row in read_vocab("fields")}
    described = {(row["frame"], row["column"]) for row in read_vocab("derived")}
    frames = derive(bundled)
    present = {(name, column) for name, frame in frames.items() for column in frame.columns}
    undescribed = sorted(
        (name, column) for name, column in present if column not in contract and (name, column) not in described
    )
    assert undescribed == [], "describe these in perfaudit/vocab/derived.csv"
    assert sorted(described - present) == [], "derived.csv names columns no frame has"
    units = {row["unit"] for row in read_vocab("derived")}
    assert units <= {"元", "万元", "%", "ratio", "count", ""}


def test_no_derived_column_is_in_wan_or_a_sentence_fragment(bundled):
    columns = {column for frame in derive(bundled).values() for column in frame.columns}
    assert not {c for c in columns if c.endswith("_wan")}
    assert not columns & {"gap_note", "balance_direction", "tasks_gap_direction"}


def _pairs(column: str, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": [a for a, _ in pairs], column: [b for _, b in pairs]}, dtype="str")


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (2, [["a", "c"], ["b"], ["d", "e", "g"], ["f"]]),
        (3, [["a", "c", "b"], ["d", "e", "g"], ["f"]]),
        (1, [["a", "c"], ["b"], ["d", "e", "g"], ["f"]]),
        (10, [["a", "c", "b", "d", "e", "g", "f"]]),
    ],
)
def test_parts_keep_linked_forms_together_in_load_order(size, expected):
    crossings = Crossings(
        years=_pairs("prev_doc_id", [("c", "a"), ("g", "e")]),
        projects=_pairs("overall_doc_id", [("e", "d")]),
        results=_pairs("approved_doc_id", [("x", "a")]),  # a form not loaded links nothing
        costs=pd.DataFrame({"doc_id": []}, dtype="str"),
    )
    assert parts(["a", "b", "c", "d", "e", "f", "g"], crossings, size) == expected


def test_crossings_within_some_forms_keep_the_pairs_they_begin():
    crossings = Crossings(
        years=_pairs("prev_doc_id", [("c", "a"), ("g", "e")]),
        projects=_pairs("overall_doc_id", [("e", "d")]),
        results=_pairs("approved_doc_id", []),
        costs=pd.DataFrame({"doc_id": ["a", "e", "e"], "unit_cost_yuan": [1.0, 2.0, 3.0]}),
    )
    part = crossings.within({"d", "e", "g"})
    assert part.links() == [("g", "e"), ("e", "d")]
    assert part.costs["unit_cost_yuan"].tolist() == [2.0, 3.0]
