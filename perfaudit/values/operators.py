"""Qualifier words and the operator they set (不少于 -> ``>=``, 以上, 约, ±), from ``value_words.csv``."""

from __future__ import annotations

import functools

from perfaudit.vocab import read_vocab


@functools.cache
def words(kind: str) -> tuple[tuple[str, str], ...]:
    """(word, op) pairs of one kind from value_words.csv, longest first (不超过 before 超过)."""
    rows = [(row["word"], row["op"]) for row in read_vocab("value_words") if row["kind"] == kind]
    return tuple(sorted(rows, key=lambda pair: -len(pair[0])))


def words_at_end(text: str, kind: str) -> tuple[str, list[tuple[str, str]]]:
    """Peel words of ``kind`` off the end of ``text`` (the words just before a number)."""
    found: list[tuple[str, str]] = []
    while True:
        for word, op in words(kind):
            if text.endswith(word):
                found.insert(0, (word, op))
                text = text[: -len(word)]
                break
        else:
            return text, found


def words_at_start(text: str, kind: str) -> tuple[str, list[tuple[str, str]]]:
    """Peel words of ``kind`` off the start of ``text`` (the words just after a number)."""
    found: list[tuple[str, str]] = []
    while True:
        for word, op in words(kind):
            if text.startswith(word):
                found.append((word, op))
                text = text[len(word) :]
                break
        else:
            return text, found


def resolve_op(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> tuple[str, str]:
    """Pick the operator and the qualifier that set it.

    ± (a band) beats a bound, a bound beats 约/左右 (约50场以上 is still "at least"), and
    among bounds the first wins. Words that agree with the winner form the qualifier.
    """
    ops = [op for _, op in before + after]
    op = "range" if "range" in ops else next((o for o in ops if o != "="), "=")
    chosen = [[(word, o) for word, o in group if o == op] for group in (before, after)]
    return op, join_qualifiers(*chosen)


def join_qualifiers(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> str:
    """Words before the number run together as printed; a prefix and a suffix join with '…'."""
    parts = ("".join(word for word, _ in before), "".join(word for word, _ in after))
    return "…".join(part for part in parts if part)
