"""Normalise a value or task text before it is parsed (R-FORMAT-03).

The character and symbol mappings (full-width to half-width, ≧ -> ≥, zero-width characters
dropped, >= -> ≥) are data: ``vocab/characters.csv``.
"""

from __future__ import annotations

import functools
import re

from perfaudit.vocab import read_vocab

ASCII_DIGITS = "0123456789"
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_THOUSANDS = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9]|,[0-9])")
_CODE_POINT = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


def _text(field: str) -> str:
    """A field of characters.csv: ``U+XXXX`` is that code point, anything else is itself."""
    return _CODE_POINT.sub(lambda m: chr(int(m.group(1), 16)), field)


def _code_points(field: str) -> list[int]:
    """``U+FF01..U+FF5E`` -> every code point of the range; one character -> its code point."""
    low, dots, high = field.partition("..")
    if dots:
        return list(range(ord(_text(low)), ord(_text(high)) + 1))
    return [ord(_text(field))]


@functools.cache
def _char_map() -> dict[int, str | None]:
    """The ``char`` rows as a :meth:`str.translate` table, without the ``keep`` exceptions."""
    table: dict[int, str | None] = {}
    rows = read_vocab("characters")
    for row in rows:
        if row["kind"] != "char":
            continue
        sources = _code_points(row["from"])
        targets = _code_points(row["to"]) if row["to"] else [None] * len(sources)
        if len(targets) != len(sources):
            raise ValueError(f"characters.csv: {row['from']} and {row['to']} differ in length")
        table.update({s: None if t is None else chr(t) for s, t in zip(sources, targets, strict=True)})
    for row in rows:
        if row["kind"] == "keep":
            for point in _code_points(row["from"]):
                table.pop(point, None)
    return table


@functools.cache
def _sequences() -> tuple[re.Pattern[str], dict[str, str]]:
    pairs = {_text(row["from"]): _text(row["to"]) for row in read_vocab("characters") if row["kind"] == "sequence"}
    alternation = "|".join(re.escape(s) for s in sorted(pairs, key=len, reverse=True)) or "(?!)"
    return re.compile(alternation), pairs


def _squeeze_space(match: re.Match[str]) -> str:
    """Drop a run of white space, but keep one space between two digits.

    A line break is a wrapped cell (pdftotext, Excel Alt+Enter), so it is joined. A space
    between digits is kept because "88 100" is two numbers (score residue, R-QUANT-09).
    """
    run, text = match.group(), match.string
    if any(ch in _LINE_BREAKS for ch in run):
        return ""
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    between_digits = bool(before and after) and before in ASCII_DIGITS and after in ASCII_DIGITS
    return " " if between_digits else ""


def normalize_value_text(text: str) -> str:
    """Normalise a value or task text before matching (R-FORMAT-03).

    Full-width digits, letters and symbols become half-width (the clause marks ，；：！？ stay),
    ≧/≦ and >=/<= become ≥/≤, white space is removed (one space is kept between two digits),
    and thousands separators inside numbers are removed (``70,200.00`` -> ``70200.00``).
    Deterministic and idempotent.

    Example:
        >>> normalize_value_text("≥ １００ 场")
        '≥100场'
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text.translate(_char_map())
    text = re.sub(r"\s+", _squeeze_space, text)
    pattern, pairs = _sequences()
    text = pattern.sub(lambda m: pairs[m.group()], text)
    return _THOUSANDS.sub(lambda m: m.group().replace(",", ""), text)
