"""perfaudit.values.money: printed amounts and their decimals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfaudit.values import parse_amount, printed_decimals

AMOUNT_CASES = [
    pytest.param("70,200.00", 70200.0, id="thousands-two-decimals"),
    pytest.param("7.02", 7.02, id="plain-decimal"),
    pytest.param("0.00", 0.0, id="zero"),
    pytest.param("１０９.６４", 109.64, id="fullwidth-digits"),
    pytest.param("1,000,000", 1000000.0, id="millions"),
    pytest.param(" 3.00 ", 3.0, id="surrounding-space"),
    pytest.param("-5", -5.0, id="negative"),
    pytest.param(10596.35, 10596.35, id="float-passes-through"),
    pytest.param(20140, 20140.0, id="int"),
    pytest.param("", None, id="empty"),
    pytest.param("abc", None, id="letters"),
    pytest.param("2024年", None, id="year"),
    pytest.param("5万元", None, id="with-unit"),
    pytest.param("1,2345", None, id="bad-grouping"),
    pytest.param("1 000", None, id="inner-space"),
    pytest.param(None, None, id="none"),
    pytest.param(float("nan"), None, id="nan"),
    pytest.param(float("inf"), None, id="inf"),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNT_CASES)
def test_parse_amount(text: object, expected: float | None) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("7.02", 2, id="two"),
        pytest.param("70,200.00", 2, id="thousands-two"),
        pytest.param("20140", 0, id="integer"),
        pytest.param("10891.615675", 6, id="six"),
        pytest.param("", 0, id="empty"),
    ],
)
def test_printed_decimals(text: str, expected: int) -> None:
    assert printed_decimals(text) == expected


FEN = st.integers(min_value=0, max_value=10**12)


@given(FEN)
def test_amount_round_trips_in_yuan(fen: int) -> None:
    yuan = fen / 100
    assert parse_amount(f"{yuan:,.2f}") == yuan


@given(FEN)
def test_amount_survives_wanyuan(fen: int) -> None:
    yuan = (fen - fen % 100) // 100  # whole 元
    wan = yuan / 10000
    parsed = parse_amount(f"{wan:.4f}")
    assert parsed is not None
    assert round(parsed * 10000, 2) == yuan
