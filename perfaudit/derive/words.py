"""Word lists and text measures shared by the derive steps."""

from __future__ import annotations

import functools
import re

import pandas as pd

from perfaudit.vocab import read_vocab

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DIGIT = re.compile(r"\d")


@functools.cache
def words(list_name: str) -> tuple[str, ...]:
    """A list from ``vocab/rule_words.csv``, longest words first (so 较好 is tried before 好)."""
    found = [row["word"] for row in read_vocab("rule_words") if row["list"] == list_name]
    if not found:
        raise KeyError(f"rule_words.csv has no list {list_name!r}")
    return tuple(sorted(found, key=len, reverse=True))


def found_words(text: str, list_name: str) -> list[str]:
    """The words of a list that occur in ``text`` (a shorter word inside a longer one found is skipped)."""
    text = text or ""
    hits: list[str] = []
    for word in words(list_name):
        if word in text and not any(word in longer for longer in hits):
            hits.append(word)
    return hits


def has_digit(text: str) -> bool:
    """Whether the text holds a digit."""
    return bool(_DIGIT.search(text or ""))


def years_in(text: str) -> list[int]:
    """The four-digit years (2000–2099) the text names, in order."""
    return [int(y) for y in _YEAR.findall(text or "")]


@functools.cache
def _stop_bigrams() -> frozenset[str]:
    return frozenset(words("stop_bigram"))


def bigrams(text: str) -> frozenset[str]:
    """Two-character pieces of the Chinese runs of a text, generic ones left out."""
    out = set()
    for run in _CJK.findall(text or ""):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out - _stop_bigrams())


def containment(part: frozenset[str], whole: frozenset[str]) -> float:
    """Share of ``part``'s bigrams found in ``whole`` (0 when ``part`` is empty)."""
    return len(part & whole) / len(part) if part else 0.0


@functools.cache
def category_cues() -> tuple[dict[str, str], ...]:
    """The words that point a name to an indicator category (``vocab/category_cues.csv``)."""
    return tuple(read_vocab("category_cues"))


def cue_family(name: str) -> str:
    """The 二级 family a name's strongest cue points to; the cue ending last wins."""
    best, best_end = "", -1
    for cue in category_cues():
        if cue["strength"] != "strong":
            continue
        end = (name or "").rfind(cue["word"])
        if end >= 0 and end + len(cue["word"]) > best_end:
            best, best_end = cue["family"], end + len(cue["word"])
    return best


def holds(series, test) -> pd.Series:
    """A boolean column: ``test`` applied to each value (typed bool even for an empty column)."""
    return pd.Series([bool(test(v)) for v in series], index=series.index, dtype=bool)
