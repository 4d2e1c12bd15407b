"""perfaudit.values.operators: qualifier words (value_words.csv) and the operator they set."""

from __future__ import annotations

import pytest

from perfaudit.values.operators import resolve_op, words_at_end, words_at_start


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param("不低于", "", (">=", "不低于"), id="prefix-bound"),
        pytest.param("约", "以上", (">=", "以上"), id="bound-beats-about"),
        pytest.param("≥", "以上", (">=", "≥…以上"), id="prefix-and-suffix-agree"),
        pytest.param("±", "", ("range", "±"), id="band"),
        pytest.param("约", "", ("=", "约"), id="about"),
        pytest.param("", "", ("=", ""), id="no-word"),
        pytest.param("不超过", "", ("<=", "不超过"), id="longest-word-first"),
    ],
)
def test_resolve_op(before: str, after: str, expected: tuple[str, str]) -> None:
    _, prefix = words_at_end(f"开展{before}", "prefix")
    _, suffix = words_at_start(f"{after}的活动", "suffix")
    assert resolve_op(prefix, suffix) == expected
