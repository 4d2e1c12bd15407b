"""Tests for perfaudit.values: indicator values, amounts, task counts and polarity."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfaudit.values import (
    ParsedValue,
    TaskOutput,
    extract_task_outputs,
    infer_polarity,
    normalize_value_text,
    parse_amount,
    parse_value,
    printed_decimals,
)

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


# --- normalize_value_text ---------------------------------------------------------------------

NORMALIZE_CASES = [
    pytest.param("≥ 100 场", "≥100场", id="spaces-removed"),
    pytest.param("＞＝９０％", "≥90%", id="fullwidth-ge"),
    pytest.param("≧95%", "≥95%", id="geqq"),
    pytest.param("≦5%", "≤5%", id="leqq"),
    pytest.param("<=30个工作日", "≤30个工作日", id="ascii-le"),
    pytest.param("70,200.00", "70200.00", id="thousands"),
    pytest.param("1,2345", "1,2345", id="not-thousands"),
    pytest.param("不少于\n2个", "不少于2个", id="line-break"),
    pytest.param("10\n0场", "100场", id="wrapped-number-joined"),
    pytest.param("88 100", "88 100", id="space-between-numbers-kept"),
    pytest.param("件（套），约", "件(套)，约", id="brackets-half-width-comma-kept"),
    pytest.param("\u200b100%\ufeff", "100%", id="zero-width"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZE_CASES)
def test_normalize_value_text(text: str, expected: str) -> None:
    assert normalize_value_text(text) == expected


# --- parse_amount and printed_decimals --------------------------------------------------------

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


# --- extract_task_outputs ---------------------------------------------------------------------

TASK_CASES = [
    pytest.param(
        "2024年计划开展约50场活动，做好\n妇女儿童关爱工作",
        [TaskOutput(50, "场", "约", "2024年计划开展约50场活动", "活动")],
        id="about-50-events",
    ),
    pytest.param(
        "计划对不少于30人次进行节日慰问",
        [TaskOutput(30, "人次", "不少于", "计划对不少于30人次进行节日慰问", "")],
        id="at-least-30-visits",
    ),
    pytest.param(
        "计划支付已建成的儿童友好示范基地2个，增加儿童校外活动空间；\n组织面向儿童的文体活动约 20场，",
        [
            TaskOutput(2, "个", "", "计划支付已建成的儿童友好示范基地2个", "示范基地"),
            TaskOutput(20, "场", "约", "组织面向儿童的文体活动约20场", "文体活动"),
        ],
        id="two-bases-and-20-events-with-space",
    ),
    pytest.param(
        "2024年计划培育示范点不少于\n2个，按照“抓点带面”的工作思路",
        [TaskOutput(2, "个", "不少于", "2024年计划培育示范点不少于2个", "示范点")],
        id="line-break-inside-count",
    ),
    pytest.param(
        "为不少于1000人次提供心理咨询",
        [TaskOutput(1000, "人次", "不少于", "为不少于1000人次提供心理咨询", "")],
        id="1000-counselling-visits",
    ),
    pytest.param(
        "计划组织开展约3场主题庆祝活动",
        [TaskOutput(3, "场", "约", "计划组织开展约3场主题庆祝活动", "庆祝活动")],
        id="about-3-celebrations",
    ),
    pytest.param(
        "布展引展10个以上",
        [TaskOutput(10, "个", "以上", "布展引展10个以上", "布展引展")],
        id="10-exhibitions-or-more",
    ),
    pytest.param(
        "征集藏品100件(套)以上",
        [TaskOutput(100, "件(套)", "以上", "征集藏品100件(套)以上", "藏品")],
        id="100-pieces-sets",
    ),
    pytest.param(
        "征集藏品100件（套）以上",
        [TaskOutput(100, "件(套)", "以上", "征集藏品100件(套)以上", "藏品")],
        id="100-pieces-sets-fullwidth",
    ),
    pytest.param(
        "社教活动50场以上",
        [TaskOutput(50, "场", "以上", "社教活动50场以上", "社教活动")],
        id="50-education-events",
    ),
    pytest.param(
        "培训200余人次",
        [TaskOutput(200, "人次", "余", "培训200余人次", "")],
        id="200-odd-trainees",
    ),
]


@pytest.mark.parametrize(("text", "expected"), TASK_CASES)
def test_extract_task_outputs(text: str, expected: list[TaskOutput]) -> None:
    assert extract_task_outputs(text) == expected


NOT_TASK_OUTPUTS = [
    pytest.param("2024年度工作", id="year"),
    pytest.param("按照每人每月750元标准统筹发放生活补贴", id="money-per-person-month"),
    pytest.param("360元及以下", id="money-bound"),
    pytest.param("覆盖率达到50%", id="percentage"),
    pytest.param("按1:1:1比例配套", id="ratio"),
    pytest.param("一是开展活动，二是加强宣传", id="chinese-ordinals"),
    pytest.param("12月31日前完成", id="date"),
    pytest.param("3个月内完成", id="duration-months"),
    pytest.param("5个工作日内办结", id="duration-working-days"),
    pytest.param("第3期培训班", id="ordinal-di"),
    pytest.param("开展三场活动", id="chinese-numeral-out-of-scope"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("text", NOT_TASK_OUTPUTS)
def test_extract_task_outputs_negatives(text: str) -> None:
    assert extract_task_outputs(text) == []


# --- infer_polarity ---------------------------------------------------------------------------

POLARITY_CASES = [
    pytest.param("三公经费控制率", "下降", "negative", id="value-word-xiajiang"),
    pytest.param("投诉率", "≤5%", "negative", id="name-cue-tousu"),
    pytest.param("受益群体满意度", "≥85%", "positive", id="name-cue-manyidu"),
    pytest.param("预算执行率", "≥85%", "positive", id="execution-rate"),
    pytest.param("提升群众对妇联工作认可", "有效提升", "positive", id="value-word-tisheng"),
    pytest.param("单位运行成本", "较上年压减5%", "negative", id="value-word-yajian"),
    pytest.param("项目成本", "100万元", "negative", id="name-cue-chengben"),
    pytest.param("投诉处理及时率", "100%", "positive", id="head-cue-wins"),
    pytest.param("死亡人数", "0", "negative", id="strong-cue-beats-count-cue"),
    pytest.param("服务妇女儿童数量", "8000人次", "positive", id="weak-count-cue"),
    pytest.param("创业担保贷款还款率", "≧90%", "positive", id="operator-ge"),
    pytest.param("结转结余率", "<5%", "negative", id="operator-lt"),
    pytest.param("资金使用合规率", "100%", "", id="unknown"),
    pytest.param("三公经费", "不增加", "negative", id="negated-increase"),
]


@pytest.mark.parametrize(("name", "raw", "expected"), POLARITY_CASES)
def test_infer_polarity(name: str, raw: str, expected: str) -> None:
    assert infer_polarity(name, parse_value(raw), raw) == expected


# --- properties -------------------------------------------------------------------------------

TASKY_TEXT = st.text(alphabet=st.sampled_from(list("0123456789.,:-约个场人次件(套)以上余第年元%，。 \n计划活动")))
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


@given(st.one_of(st.text(), TASKY_TEXT))
def test_normalize_value_text_is_idempotent(text: str) -> None:
    once = normalize_value_text(text)
    assert normalize_value_text(once) == once


def _printed(quantity: float) -> str:
    """A quantity as it must appear in the text (at most 4 decimals are read)."""
    return f"{quantity:.4f}".rstrip("0").rstrip(".")


@given(st.one_of(st.text(), TASKY_TEXT))
def test_task_outputs_come_from_the_text(text: str) -> None:
    normalized = normalize_value_text(text)
    for output in extract_task_outputs(text):
        assert _printed(output.quantity) in normalized
        assert output.unit in normalized
        assert output.unit not in {"元", "万元", "年", "%", "月", "日"}


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
