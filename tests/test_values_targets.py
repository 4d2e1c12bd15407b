"""perfaudit.values.targets: an indicator's target as printed or as a typed spreadsheet number."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfaudit.values import ParsedValue, parse_value
from tests.helpers import TASKY_TEXT

QUALITATIVE = ParsedValue("qualitative", None, None, "", False, "", "")


def pv(
    op: str,
    value: float | None,
    unit: str = "",
    qualifier: str = "",
    *,
    high: float | None = None,
    quantified: bool = True,
    baseline: str = "",
) -> ParsedValue:
    """Shorthand for an expected ParsedValue."""
    return ParsedValue(op, value, high, unit, quantified, qualifier, baseline)


# --- parse_value: text ------------------------------------------------------------------------

QUALITATIVE_TEXTS = [
    pytest.param("有效提升", id="vague-youxiao-tisheng"),
    pytest.param("有效减轻", id="vague-youxiao-jianqing"),
    pytest.param("有效改善", id="vague-youxiao-gaishan"),
    pytest.param("有利于", id="vague-youliyu"),
    pytest.param("长期性", id="vague-changqixing"),
    pytest.param("可持续", id="vague-kechixu"),
    pytest.param("下降", id="direction-xiajiang"),
    pytest.param("合规", id="vague-hegui"),
    pytest.param("根据下达任务目标要求确定", id="to-be-set-later"),
    pytest.param("湛江市基层", id="place-name"),
    pytest.param("保持稳定", id="vague-baochi-wending"),
    pytest.param("及时", id="vague-jishi"),
    pytest.param("每季度", id="frequency-meijidu"),
    pytest.param("按月", id="frequency-anyue"),
    pytest.param("", id="empty"),
    pytest.param("   \n", id="blank"),
    pytest.param("88 100", id="score-residue-two-numbers"),
    pytest.param("1:1:1", id="ratio"),
]


@pytest.mark.parametrize("raw", QUALITATIVE_TEXTS)
def test_parse_value_qualitative(raw: str) -> None:
    assert parse_value(raw) == QUALITATIVE


TEXT_CASES = [
    pytest.param("≥100场", pv(">=", 100, "场", "≥"), id="ge-100-chang"),
    pytest.param("≥8000人次", pv(">=", 8000, "人次", "≥"), id="ge-8000-renci"),
    pytest.param("≧95%", pv(">=", 95, "%", "≥"), id="geqq-95-pct"),
    pytest.param("≥ 80%", pv(">=", 80, "%", "≥"), id="ge-space-80-pct"),
    pytest.param(">=85%", pv(">=", 85, "%", "≥"), id="ascii-ge-85-pct"),
    pytest.param("＞＝85％", pv(">=", 85, "%", "≥"), id="fullwidth-ge-85-pct"),
    pytest.param("100%", pv("=", 100, "%"), id="eq-100-pct"),
    pytest.param("0", pv("=", 0, ""), id="zero"),
    pytest.param("0%", pv("=", 0, "%"), id="zero-pct"),
    pytest.param(
        "不低于上年度水平",
        pv(">=", None, "", "不低于", quantified=False, baseline="上年度水平"),
        id="relative-not-below-last-year",
    ),
    pytest.param("±3%以内", pv("range", -3, "%", "±", high=3), id="plus-minus-3-pct"),
    pytest.param("≤30个工作日", pv("<=", 30, "个工作日", "≤"), id="le-30-working-days"),
    pytest.param("30个工作日内", pv("<=", 30, "个工作日", "内"), id="within-30-working-days"),
    pytest.param("80-90%", pv("range", 80, "%", high=90), id="range-80-90-pct"),
    pytest.param("80%-90%", pv("range", 80, "%", high=90), id="range-80pct-90pct"),
    pytest.param("80～90%", pv("range", 80, "%", high=90), id="range-fullwidth-tilde"),
    pytest.param("3至5个工作日", pv("range", 3, "个工作日", high=5), id="range-zhi-days"),
    pytest.param("≥200元每人每月", pv(">=", 200, "元每人每月", "≥"), id="ge-200-yuan-per-person-month"),
    pytest.param("≥190元每人每月", pv(">=", 190, "元每人每月", "≥"), id="ge-190-yuan-per-person-month"),
    pytest.param("≥500元/人/月", pv(">=", 500, "元/人/月", "≥"), id="ge-500-yuan-slash-person-month"),
    pytest.param("5000万元", pv("=", 5000, "万元"), id="eq-5000-wanyuan"),
    pytest.param("≥200课时", pv(">=", 200, "课时", "≥"), id="ge-200-keshi"),
    pytest.param("≧35%", pv(">=", 35, "%", "≥"), id="geqq-35-pct"),
    pytest.param("不少于30人次", pv(">=", 30, "人次", "不少于"), id="bushaoyu-30-renci"),
    pytest.param("30人次以上", pv(">=", 30, "人次", "以上"), id="30-renci-yishang"),
    pytest.param("不超过5次", pv("<=", 5, "次", "不超过"), id="buchaoguo-5-ci"),
    pytest.param("5%以内", pv("<=", 5, "%", "以内"), id="5-pct-yinei"),
    pytest.param("控制在5%以内", pv("<=", 5, "%", "控制在…以内"), id="kongzhizai-5-pct-yinei"),
    pytest.param("约50场", pv("=", 50, "场", "约"), id="about-50-chang"),
    pytest.param("约50场以上", pv(">=", 50, "场", "以上"), id="bound-beats-about"),
    pytest.param("100余人", pv(">=", 100, "人", "余"), id="100-odd-people"),
    pytest.param("＞９０％", pv(">", 90, "%", ">"), id="fullwidth-gt-90-pct"),
    pytest.param("<5%", pv("<", 5, "%", "<"), id="lt-5-pct"),
    pytest.param("-3%", pv("=", -3, "%"), id="negative-3-pct"),
    pytest.param("≥90分", pv(">=", 90, "分", "≥"), id="score-90-fen"),
    pytest.param("2024年完成95%", pv("=", 95, "%"), id="year-is-context"),
    pytest.param("1,000人次", pv("=", 1000, "人次"), id="thousands-separator"),
    pytest.param("12月31日前", pv("<=", None, "日期", "前"), id="deadline-dec-31"),
    pytest.param("2025年6月底前", pv("<=", None, "日期", "前"), id="deadline-end-of-june"),
    pytest.param("2024年12月31日前完成", pv("<=", None, "日期", "前"), id="deadline-with-verb"),
    pytest.param("6月30日", pv("=", None, "日期"), id="bare-date"),
    pytest.param("年底前", pv("<=", None, "日期", "年底前"), id="deadline-word-niandiqian"),
    pytest.param("13月1日前", QUALITATIVE, id="not-a-date-month-13"),
]


@pytest.mark.parametrize(("raw", "expected"), TEXT_CASES)
def test_parse_value_text(raw: str, expected: ParsedValue) -> None:
    assert parse_value(raw) == expected


# --- parse_value: typed numbers and unit hints ------------------------------------------------

NUMBER_CASES = [
    pytest.param(1, "0%", "", pv("=", 100, "%"), id="one-in-pct-format"),
    pytest.param(1, "0.00%", "", pv("=", 100, "%"), id="one-in-pct2-format"),
    pytest.param(0.95, "0%", "", pv("=", 95, "%"), id="fraction-95-clean"),
    pytest.param(0.07, "0.0%", "", pv("=", 7, "%"), id="fraction-7-clean"),
    pytest.param(1, '0"%"', "", pv("=", 1, ""), id="quoted-pct-is-literal"),
    pytest.param(50000, "General", "城镇新增就业人数（人）", pv("=", 50000, "人"), id="unit-from-name-ren"),
    pytest.param(3, "General", "城镇新增就业人数（万人）", pv("=", 3, "万人"), id="unit-from-name-wanren"),
    pytest.param("90", "", "“三支一扶”人员服务期满考核合格率（%）", pv("=", 90, "%"), id="unit-from-name-pct"),
    pytest.param("3000", "", "促进创业人数（人）", pv("=", 3000, "人"), id="text-unit-from-name"),
    pytest.param("≥90%", "", "促进创业人数（人）", pv(">=", 90, "%", "≥"), id="value-unit-wins"),
    pytest.param(350, "", "扶持创业企业（项目）个数", pv("=", 350, ""), id="no-unit-from-mid-paren"),
    pytest.param(5, "", "办理时限（工作）", pv("=", 5, ""), id="paren-not-a-unit"),
    pytest.param(650, "", "", pv("=", 650, ""), id="bare-int"),
    pytest.param(
        "根据下达任务目标要求确定",
        "",
        "城镇新增就业人数（万人）",
        QUALITATIVE,
        id="qualitative-no-hint",
    ),
    pytest.param(None, "", "", QUALITATIVE, id="none"),
    pytest.param(float("nan"), "0%", "", QUALITATIVE, id="nan"),
    pytest.param(float("inf"), "", "", QUALITATIVE, id="inf"),
    pytest.param(True, "", "", QUALITATIVE, id="bool-is-not-a-number"),
]


@pytest.mark.parametrize(("raw", "number_format", "name", "expected"), NUMBER_CASES)
def test_parse_value_numbers(raw: object, number_format: str, name: str, expected: ParsedValue) -> None:
    assert parse_value(raw, number_format, name=name) == expected


# --- properties -------------------------------------------------------------------------------

NUMBER_FORMATS = st.sampled_from(["", "General", "0%", "0.00%", "#,##0.00", '0"%"'])


@given(st.text())
def test_parse_value_never_raises_on_text(text: str) -> None:
    parsed = parse_value(text)
    assert parsed.op in {">=", "<=", ">", "<", "=", "range", "qualitative"}
    assert parsed.quantified or parsed.value is None


@given(
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers()),
    NUMBER_FORMATS,
)
def test_parse_value_never_raises_on_numbers(number: float, number_format: str) -> None:
    parsed = parse_value(number, number_format)
    assert parsed.value is None or math.isfinite(parsed.value)


@given(st.one_of(st.text(), TASKY_TEXT), NUMBER_FORMATS, st.text(max_size=20))
def test_parse_value_is_deterministic(text: str, number_format: str, name: str) -> None:
    assert parse_value(text, number_format, name) == parse_value(text, number_format, name)
