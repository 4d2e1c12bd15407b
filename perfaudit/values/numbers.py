"""Numbers as forms print them: the number pattern, missing cells, percent formats."""

from __future__ import annotations

import re

# ASCII digits only: ``\d`` would also accept Arabic-Indic and other digits that float()
# reads but that no form prints.
NUM = r"[0-9]+(?:\.[0-9]+)?"
NUMBER = re.compile(rf"(?<![0-9.]){NUM}")
AMOUNT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def clean_float(x: float) -> float:
    """Drop binary noise from scaling (0.95 * 100 -> 95.0, not 94.99999999999999)."""
    return float(f"{x:.12g}")


def is_missing(raw: object) -> bool:
    """None, NaN, pandas NA/NaT: anything that is not equal to itself or cannot say so."""
    if raw is None:
        return True
    try:
        return bool(raw != raw)
    except (TypeError, ValueError):  # pd.NA refuses to be a bool: it is missing
        return True


def is_percent_format(number_format: str) -> bool:
    r"""True when an Excel number format scales by 100 (``0%``, ``0.00%``).

    A ``%`` inside quotes or after a backslash (``0"%"``, ``0\%``) is a literal and does not scale.
    """
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format or "")
    return "%" in unquoted
