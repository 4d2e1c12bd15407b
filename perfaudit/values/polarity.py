"""Whether higher is better: direction words in a value, cues in the indicator name, the operator."""

from __future__ import annotations

import functools

from perfaudit.values.normalize import normalize_value_text
from perfaudit.values.targets import ParsedValue
from perfaudit.vocab import read_vocab

_OP_POLARITY = {">=": "positive", ">": "positive", "<=": "negative", "<": "negative"}


@functools.cache
def _trend_words() -> tuple[tuple[str, str], ...]:
    """(word, polarity) pairs of the direction words that may appear in a value (value_words.csv)."""
    rows = read_vocab("value_words")
    return tuple((row["word"], row["polarity"]) for row in rows if row["kind"] == "trend")


@functools.cache
def _polarity_cues() -> tuple[tuple[str, str, str], ...]:
    rows = read_vocab("polarity_cues")
    return tuple((row["word"], row["polarity"], row["strength"]) for row in rows)


def _rightmost(text: str, cues: list[tuple[str, str]]) -> str:
    """Polarity of the cue ending last in ``text`` (the head of the phrase); longer wins ties.

    投诉处理及时率 is about 及时率 (positive), although it mentions 投诉 (negative).
    """
    found = [(text.rfind(w) + len(w), len(w), polarity) for w, polarity in cues if w in text]
    return max(found, key=lambda hit: hit[:2])[2] if found else ""


def _polarity_from_name(name: str) -> str:
    cues = _polarity_cues()
    strong = [(word, polarity) for word, polarity, strength in cues if strength == "strong"]
    weak = [(word, polarity) for word, polarity, strength in cues if strength == "weak"]
    return _rightmost(name, strong) or _rightmost(name, weak)


def infer_polarity(name: str, parsed: ParsedValue, raw: str = "") -> str:
    """Whether higher is better (``positive``), lower is better (``negative``) or unknown (``""``).

    Checks, in order: direction words in the value (下降, 压减, 控制 -> negative; 提升, 增长 ->
    positive), cues in the indicator name (RULES §6.2, ``polarity_cues.csv``), then the
    operator (``<=``/``<`` negative, ``>=``/``>`` positive).

    Example:
        >>> from perfaudit.values import parse_value
        >>> infer_polarity("三公经费控制率", parse_value("下降"), "下降")
        'negative'
    """
    value_text = normalize_value_text("" if raw is None else str(raw))
    name_text = normalize_value_text("" if name is None else str(name))
    return (
        _rightmost(value_text, list(_trend_words()))
        or _polarity_from_name(name_text)
        or _OP_POLARITY.get(parsed.op, "")
    )


def printed_polarity(text: str) -> str:
    """The polarity a 指标方向性 column prints (正向指标 → ``positive``); empty for other words."""
    printed = {word: polarity for word, polarity, strength in _polarity_cues() if strength == "printed"}
    return printed.get(normalize_value_text(text or "").strip(), "")
