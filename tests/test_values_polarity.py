"""perfaudit.values.polarity: whether higher is better."""

from __future__ import annotations

import pytest

from perfaudit.values import infer_polarity, parse_value

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
