"""perfaudit.values.normalize and vocab/characters.csv: characters and symbols before any parse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfaudit.values import normalize_value_text
from perfaudit.vocab import read_vocab
from tests.helpers import TASKY_TEXT

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


@given(st.one_of(st.text(), TASKY_TEXT))
def test_normalize_value_text_is_idempotent(text: str) -> None:
    once = normalize_value_text(text)
    assert normalize_value_text(once) == once


# --- vocab/characters.csv ---------------------------------------------------------------------

ROWS = read_vocab("characters")
KEPT = {row["from"] for row in ROWS if row["kind"] == "keep"}


def _char(field: str) -> str:
    return chr(int(field[2:], 16)) if field.startswith("U+") else field


@pytest.mark.parametrize(
    "row", [pytest.param(r, id=f"{r['kind']}-{r['from']}") for r in ROWS if r["kind"] in ("char", "sequence")]
)
def test_every_mapping_of_the_vocabulary_is_applied(row: dict) -> None:
    low, _, high = row["from"].partition("..")
    target_low = row["to"].partition("..")[0]
    if not high:  # one character or one sequence
        source, expected = _char(low), _char(row["to"]) if row["to"] else ""
        assert normalize_value_text(f"1{source}2").replace(" ", "") == f"1{expected}2".replace(" ", "")
        return
    for offset in range(ord(_char(high)) - ord(_char(low)) + 1):
        source = chr(ord(_char(low)) + offset)
        expected = source if source in KEPT else chr(ord(_char(target_low)) + offset)
        assert normalize_value_text(f"a{source}b").replace(" ", "") == f"a{expected}b".replace(" ", "")


@pytest.mark.parametrize("mark", sorted(KEPT))
def test_clause_marks_are_kept(mark: str) -> None:
    assert normalize_value_text(f"约50场{mark}100人") == f"约50场{mark}100人"
