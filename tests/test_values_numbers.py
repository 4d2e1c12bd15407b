"""perfaudit.values.numbers: missing cells and percent formats."""

from __future__ import annotations

import pandas as pd
import pytest

from perfaudit.values.numbers import NUMBER, clean_float, is_missing, is_percent_format


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, True, id="none"),
        pytest.param(float("nan"), True, id="nan"),
        pytest.param(pd.NA, True, id="pandas-na"),
        pytest.param(pd.NaT, True, id="pandas-nat"),
        pytest.param("", False, id="empty-text-is-text"),
        pytest.param(0, False, id="zero"),
    ],
)
def test_is_missing(raw: object, expected: bool) -> None:
    assert is_missing(raw) is expected


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        pytest.param("0%", True, id="percent"),
        pytest.param("0.00%", True, id="percent-decimals"),
        pytest.param('0"%"', False, id="quoted-literal"),
        pytest.param("0\\%", False, id="escaped-literal"),
        pytest.param("General", False, id="general"),
        pytest.param("", False, id="none"),
    ],
)
def test_is_percent_format(number_format: str, expected: bool) -> None:
    assert is_percent_format(number_format) is expected


def test_clean_float_drops_scaling_noise() -> None:
    assert 0.57 * 100 != 57.0 and clean_float(0.57 * 100) == 57.0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param("≥100场", ["100"], id="integer"),
        pytest.param("95.5%", ["95.5"], id="decimal"),
        pytest.param("٣٤", [], id="arabic-indic-digits-are-not-read"),
    ],
)
def test_number_pattern_reads_ascii_digits_only(text: str, found: list[str]) -> None:
    assert NUMBER.findall(text) == found
