"""Text helpers beneath every stage: the width a string takes on a page or terminal."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns a string takes on a printed page or a terminal: wide (CJK) characters count two.

    Example:
        >>> display_width("R-01 三公经费")
        13
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
