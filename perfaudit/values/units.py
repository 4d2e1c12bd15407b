"""Units of measure from ``units.csv``: 场, 人次, 件(套), %, 元每人每月 and the like."""

from __future__ import annotations

import functools
import re

from perfaudit.values.normalize import normalize_value_text
from perfaudit.vocab import read_vocab

_PAREN_TAIL = re.compile(r"\(([^()]+)\)$")


@functools.cache
def unit_alternation(kind: str = "") -> str:
    """A regex alternation of the units in units.csv (only ``kind`` when given), longest first."""
    rows = sorted(read_vocab("units"), key=lambda row: -len(row["unit"]))
    parts = []
    for row in rows:
        if kind and row["kind"] != kind:
            continue
        part = re.escape(row["unit"])
        if row["not_followed_by"]:
            stops = "|".join(re.escape(word) for word in row["not_followed_by"].split("|"))
            part += f"(?!{stops})"
        parts.append(part)
    return "(?:" + "|".join(parts) + ")"


@functools.cache
def value_unit_re() -> re.Pattern[str]:
    """A unit at the start of a text, with per-parts: 元/人/月, 元每人每月, 次/年."""
    unit = unit_alternation()
    return re.compile(rf"{unit}(?:(?:/|每){unit})*")


@functools.cache
def known_units() -> frozenset[str]:
    """Every unit the toolkit knows (``vocab/units.csv``), by its printed forms."""
    return frozenset(row["unit"] for row in read_vocab("units"))


def unit_from_name(name: str) -> str:
    """The unit in a parenthesised tail of the indicator name: 城镇新增就业人数（人） -> 人."""
    match = _PAREN_TAIL.search(normalize_value_text(name or ""))
    if match and match.group(1) in known_units():
        return match.group(1)
    return ""
