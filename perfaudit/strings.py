"""Text helpers beneath every stage: lookup keys for labels and names, and the width of a string.

One normaliser for labels (:func:`key`), one for names compared across forms and years
(:func:`name_key`), one pattern for a bracketed part at the end of a name
(:data:`TRAILING_BRACKET`: the unit in 扶持创业企业（项目）个数(个)), one display width.
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETED = r"[（(]([^（）()]*)[）)]"
# A bracketed part at the end of a name or label, full- or half-width; group 1 is what it holds.
TRAILING_BRACKET = re.compile(_BRACKETED + r"\s*$")
_ANY_BRACKET = re.compile(_BRACKETED)
_WHITE = re.compile(r"\s+")


def key(text: str) -> str:
    """A label's lookup key: full-width to half-width (NFKC), no white space.

    Example:
        >>> key("效益 指标（个）")
        '效益指标(个)'
    """
    return _WHITE.sub("", unicodedata.normalize("NFKC", text or ""))


def strip_trailing_bracket(text: str) -> str:
    """The text without a bracketed part at its end: ``培训人次(人次)`` → ``培训人次``."""
    return TRAILING_BRACKET.sub("", text or "")


def name_key(name: str) -> str:
    """A name's key for matching across forms and years.

    The label key without any bracketed part, 个数 read as 数: 扶持创业企业（项目）个数 and
    扶持创业企业(项目)数 give the same key.

    Example:
        >>> name_key("扶持创业企业（项目）个数") == name_key("扶持创业企业(项目)数")
        True
    """
    return re.sub(r"个数$", "数", _ANY_BRACKET.sub("", key(name)))


def display_width(text: str) -> int:
    """Columns a string takes on a printed page or a terminal: wide (CJK) characters count two.

    Example:
        >>> display_width("R-01 三公经费")
        13
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


WIDE_CHARACTERS = (
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)
"""A regular expression of the characters :func:`display_width` counts two, for whole columns at once
(``series.str.len() + series.str.count(WIDE_CHARACTERS)``)."""
