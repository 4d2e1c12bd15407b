"""perfaudit.values.tasks: the counts a task text promises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfaudit.values import TaskOutput, extract_task_outputs, normalize_value_text, task_clauses
from tests.helpers import TASKY_TEXT

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("计划开展约50场活动，做好\n关爱工作。", ["计划开展约50场活动", "做好关爱工作"], id="clauses"),
        pytest.param("", [], id="empty"),
    ],
)
def test_task_clauses_are_the_phrases_of_the_counts(text: str, expected: list[str]) -> None:
    assert task_clauses(text) == expected
    assert {output.phrase for output in extract_task_outputs(text)} <= set(task_clauses(text))
