"""perfaudit.values.units: units of measure (units.csv)."""

from __future__ import annotations

import pytest

from perfaudit.values.units import unit_from_name, value_unit_re


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("城镇新增就业人数（人）", "人", id="full-width-brackets"),
        pytest.param("培训人次(人次)", "人次", id="half-width-brackets"),
        pytest.param("扶持创业企业（项目）数", "", id="bracket-not-at-end"),
        pytest.param("慰问金（标准）", "", id="bracket-not-a-unit"),
        pytest.param("", "", id="empty"),
    ],
)
def test_unit_from_name(name: str, expected: str) -> None:
    assert unit_from_name(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("元/人/月以上", "元/人/月", id="per-parts"),
        pytest.param("元每人每月", "元每人每月", id="per-words"),
        pytest.param("场地", "", id="not-followed-by"),
        pytest.param("个月", "个月", id="duration-not-count"),
    ],
)
def test_value_unit_at_start(text: str, expected: str) -> None:
    match = value_unit_re().match(text)
    assert (match.group() if match else "") == expected
