"""Indicator values (指标值): ``≥100场``, ``80%-90%``, ``12月31日前``, ``不低于上年度水平`` and the like.

The regexes follow RULES.md §6.1 and are applied after :func:`normalize_value_text`.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from dataclasses import dataclass, replace

from perfaudit.values.normalize import ASCII_DIGITS, normalize_value_text
from perfaudit.values.numbers import NUM, NUMBER, clean_float, is_missing, is_percent_format
from perfaudit.values.operators import join_qualifiers, resolve_op, words, words_at_end, words_at_start
from perfaudit.values.units import unit_alternation, unit_from_name, value_unit_re

_RANGE_SEP = r"(?:-|~|—|–|至|到)"
# A year (2024年, 2024年度) is context, not the target, when the text holds another number.
_YEAR = re.compile(r"(?<![0-9])[0-9]{4}年度?")
_DATE_TAIL = r"(?:(?P<day>[0-9]{1,2})[日号]|底|末|初|上旬|中旬|下旬)?"


@dataclass(frozen=True)
class ParsedValue:
    """One indicator value, parsed.

    Attributes:
        op: ``>=``, ``<=``, ``>``, ``<``, ``=``, ``range`` or ``qualitative``.
        value: the number in ``unit``; for ``range`` the low end; ``None`` when no number.
        value_high: the high end of a ``range``, else ``None``.
        unit: ``%``, ``场``, ``万元``, ``元每人每月``, ``日期`` (a date or deadline) ... or ``""``.
        quantified: a number, range, bound or date was found.
        qualifier: the qualifier word(s) that set ``op`` (``不少于``, ``以上``, ``约``, ``≥``,
            ``±``, ``前`` ...), joined by ``…`` when a prefix and a suffix agree; else ``""``.
        baseline: the reference of a relative target (``上年度水平`` in ``不低于上年度水平``).
    """

    op: str
    value: float | None
    value_high: float | None
    unit: str
    quantified: bool
    qualifier: str
    baseline: str


_QUALITATIVE = ParsedValue("qualitative", None, None, "", False, "", "")


@functools.cache
def _range_re() -> re.Pattern[str]:
    unit = unit_alternation()
    return re.compile(rf"(?<![0-9.])(?P<lo>{NUM})(?P<lo_unit>{unit})?{_RANGE_SEP}(?P<hi>{NUM})")


@functools.cache
def _date_re() -> re.Pattern[str]:
    suffixes = "|".join(re.escape(word) for word, _ in words("deadline_suffix"))
    return re.compile(
        rf"(?<![0-9])(?:(?P<year>[0-9]{{4}})年)?(?P<month>[0-9]{{1,2}})月{_DATE_TAIL}"
        rf"(?P<suffix>{suffixes})?"
    )


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    """Blank out matches with '#' (same length, so positions still index the text)."""
    return pattern.sub(lambda m: "#" * len(m.group()), text)


def _valid_date(match: re.Match[str]) -> bool:
    day = match.group("day")
    return 1 <= int(match.group("month")) <= 12 and (day is None or 1 <= int(day) <= 31)


def _parse_date(text: str) -> ParsedValue | None:
    """A date or deadline (12月31日前, 2025年6月底前) as the whole quantitative content."""
    match = _date_re().search(text)
    if match is None or not _valid_date(match):
        return None
    outside = text[: match.start()] + text[match.end() :]
    if re.search("[0-9]", outside):
        return None
    suffix = match.group("suffix") or ""
    op = dict(words("deadline_suffix")).get(suffix, "=")
    return ParsedValue(op, None, None, "日期", True, suffix, "")


def _parse_wordy(text: str) -> ParsedValue:
    """A value without digits: a deadline word, a relative target, or qualitative text."""
    for word, op in words("deadline"):
        if text.startswith(word):
            return ParsedValue(op, None, None, "日期", True, word, "")
    rest, prefix = words_at_start(text, "prefix")
    if prefix and rest and any(word in rest for word, _ in words("baseline")):
        op, qualifier = resolve_op(prefix, [])
        if op != "range":
            return ParsedValue(op, None, None, "", False, qualifier, rest)
    return _QUALITATIVE


def _parse_range(text: str, match: re.Match[str]) -> ParsedValue:
    """``80-90%``, ``80%~90%``, ``3至5个工作日``: op ``range``; qualifiers are kept as words."""
    _, prefix = words_at_end(text[: match.start()], "prefix")
    unit_match = value_unit_re().match(text, match.end())
    unit = unit_match.group() if unit_match else (match.group("lo_unit") or "")
    rest = text[unit_match.end() if unit_match else match.end() :]
    _, suffix = words_at_start(rest, "suffix")
    qualifier = join_qualifiers(prefix, suffix)
    lo, hi = float(match.group("lo")), float(match.group("hi"))
    return ParsedValue("range", lo, hi, unit, True, qualifier, "")


def _parse_single(text: str, match: re.Match[str]) -> ParsedValue:
    """One number with the qualifier words around it and the unit after it."""
    before, prefix = words_at_end(text[: match.start()], "prefix")
    number = float(match.group())
    # A sign belongs to the number only when nothing numeric stands before it (-3%, 增长-3%).
    if before.endswith(("-", "+")) and not before[:-1].endswith(tuple(ASCII_DIGITS)):
        number = -number if before.endswith("-") else number
        _, more = words_at_end(before[:-1], "prefix")
        prefix = more + prefix
    rest = text[match.end() :]
    rest, infix = words_at_start(rest, "infix")
    unit_match = value_unit_re().match(rest)
    unit = unit_match.group() if unit_match else ""
    rest = rest[len(unit) :]
    _, suffix = words_at_start(rest, "suffix")
    op, qualifier = resolve_op(prefix, infix + suffix)
    if op == "range":
        return ParsedValue("range", -abs(number), abs(number), unit, True, qualifier, "")
    return ParsedValue(op, number, None, unit, True, qualifier, "")


def _parse_text(text: str) -> ParsedValue:
    """Parse a normalised value text; see :func:`parse_value`."""
    if not text:
        return _QUALITATIVE
    dated = _parse_date(text)
    if dated is not None:
        return dated
    numbers_found = list(NUMBER.finditer(_mask(text, _YEAR))) or list(NUMBER.finditer(text))
    if not numbers_found:
        return _parse_wordy(text)
    range_match = _range_re().search(text)
    if (
        len(numbers_found) == 2
        and range_match is not None
        and range_match.start() == numbers_found[0].start()
        and range_match.end() == numbers_found[1].end()
    ):
        return _parse_range(text, range_match)
    if len(numbers_found) == 1:
        return _parse_single(text, numbers_found[0])
    # Several unrelated numbers ("88 100", "1:1:1"): no single target can be read off.
    return _QUALITATIVE


def _parse_number(number: float, number_format: str, name: str) -> ParsedValue:
    """A typed spreadsheet number; a percent format stores a fraction (1 -> 100%)."""
    try:
        value = float(number)
    except (OverflowError, ValueError):
        return _QUALITATIVE
    unit = ""
    if is_percent_format(number_format):
        value, unit = clean_float(value * 100), "%"
    if not math.isfinite(value):
        return _QUALITATIVE
    return ParsedValue("=", value, None, unit or unit_from_name(name), True, "", "")


def parse_value(raw: object, number_format: str = "", name: str = "") -> ParsedValue:
    """Parse an indicator value (指标值) as printed or as a typed spreadsheet number.

    Args:
        raw: the cell value: text, int, float, or None / NaN / "" (qualitative, no unit).
        number_format: the Excel number format; with ``%`` a number is a fraction (0.95 -> 95 %).
        name: the indicator (三级指标) name; a unit in its parenthesised tail
            (``城镇新增就业人数（人）``) is used when the value itself has no unit.

    Returns:
        The parsed value. Dates and deadlines (``12月31日前``, ``年底前``) are quantified with
        unit ``日期``, value ``None`` and op ``<=`` (``=`` for a bare date). Frequencies
        (``每季度``, ``按月``) and vague words are ``qualitative``. A relative target such as
        ``不低于上年度水平`` has an op and a baseline but no number (``quantified`` False).
        Text with several unrelated numbers (``88 100``, ``1:1:1``) is ``qualitative``.

    Example:
        >>> p = parse_value("≥100场")
        >>> p.op, p.value, p.unit, p.qualifier
        ('>=', 100.0, '场', '≥')
    """
    if is_missing(raw):
        return _QUALITATIVE
    if isinstance(raw, numbers.Real) and not isinstance(raw, bool):
        return _parse_number(raw, number_format, name)
    parsed = _parse_text(normalize_value_text(str(raw)))
    if not _finite(parsed):
        return _QUALITATIVE
    if parsed.quantified and not parsed.unit:
        return replace(parsed, unit=unit_from_name(name))
    return parsed


def _finite(parsed: ParsedValue) -> bool:
    """A 400-digit number reads as inf: that is not a usable target."""
    return all(v is None or math.isfinite(v) for v in (parsed.value, parsed.value_high))
