"""Printed amounts: ``70,200.00`` -> 70200.0 and the decimals a form printed."""

from __future__ import annotations

import math
import numbers

from perfaudit.values.normalize import normalize_value_text
from perfaudit.values.numbers import AMOUNT, is_missing


def parse_amount(text: object) -> float | None:
    """Read a printed money or number cell: ``70,200.00`` -> 70200.0, ``１０９.６４`` -> 109.64.

    Only a whole cell that is a plain number counts (sign, thousands separators and decimals
    allowed): ``""``, ``abc``, ``2024年`` and ``5万元`` give ``None``. A typed number is
    returned as a float; NaN and infinities give ``None``.
    """
    if is_missing(text) or isinstance(text, bool):
        return None
    if isinstance(text, numbers.Real):
        try:
            value = float(text)
        except (OverflowError, ValueError):
            return None
        return value if math.isfinite(value) else None
    cleaned = normalize_value_text(str(text))
    if not AMOUNT.fullmatch(cleaned):
        return None
    value = float(cleaned)
    return value if math.isfinite(value) else None


def printed_decimals(text: str) -> int:
    """Number of decimals as printed: ``7.02`` -> 2, ``70,200.00`` -> 2, ``20140`` -> 0.

    For text that holds more than a number, the first number counts; no number gives 0.
    """
    match = AMOUNT.search(normalize_value_text("" if text is None else str(text)))
    if match is None or "." not in match.group():
        return 0
    return len(match.group().split(".", 1)[1])
