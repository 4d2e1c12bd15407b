"""Source references, beneath every stage.

``L14`` / ``L46-57`` for lines of a text file, ``Sheet1!C5`` / ``Sheet1!B12:E12`` for cells (``p4!E5`` for a PDF
page).

The template writes them, derive spans them over blocks, the notebooks trace them back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LINES = re.compile(r"^L(\d+)(?:-(\d+))?$")
CELLS = re.compile(r"^(?:(?P<sheet>[^!]+)!)?(?P<first>[A-Z]+\d+)(?::(?P<last>[A-Z]+\d+))?$")


def span(refs: Iterable[str]) -> str:
    """One reference for several cells: ``L48-52`` for lines, ``Sheet1!B12:E12`` for cells.

    Accepts references that are already spans (``L36-38``, ``Sheet1!D18:E18``).

    Example:
        >>> span(["L48", "L50-52"])
        'L48-52'
        >>> span(["Sheet1!B12", "Sheet1!E12"])
        'Sheet1!B12:E12'
    """
    refs = [ref for ref in refs if ref]
    if not refs:
        return ""
    lines = [m for m in map(LINES.match, refs) if m]
    if len(lines) == len(refs):
        numbers = [int(n) for m in lines for n in (m.group(1), m.group(2) or m.group(1))]
        low, high = min(numbers), max(numbers)
        return f"L{low}" if low == high else f"L{low}-{high}"
    first = refs[0].split(":")[0]
    last = refs[-1].split(":")[-1]
    sheet = first.rpartition("!")[0]
    last_cell = last.rpartition("!")[2] if last.rpartition("!")[0] in ("", sheet) else last
    return first if first.rpartition("!")[2] == last_cell else f"{first}:{last_cell}"


def column_letter(col: int) -> str:
    """Spreadsheet column letters: 1 → A, 27 → AA."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
