"""The one data structure every reader produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class ReadError(Exception):
    """A file that cannot be read at all. The message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class Cell:
    """One table cell (or one wrapped fragment of it) as the source showed it.

    Attributes:
        text: the text as printed, stripped of surrounding white space.
        ref: where it stood: ``L14`` (line 14 of a text file) or ``Sheet1!C5``.
        row: the row it belongs to (line number, or sheet row).
        col: the sheet column (1 = A) for spreadsheets; ``None`` for text, where columns
            are not known and only the order of fragments in a line is.
        value: the typed value when the source had one (a number in a spreadsheet cell).
        number_format: the spreadsheet number format (``0%`` makes ``1`` mean 100%).
    """

    text: str
    ref: str
    row: int
    col: int | None = None
    value: object = None
    number_format: str = ""


@dataclass
class Sheet:
    """The rows of cells of one sheet (a text file is one sheet).

    ``wrapped`` says whether a table cell may have been split over several lines
    (pdftotext output does that; a spreadsheet never does). ``cell_per_line`` marks text
    where every line is one whole cell.
    """

    name: str
    rows: list[list[Cell]] = field(default_factory=list)
    wrapped: bool = False
    cell_per_line: bool = False
    # Lines the reader saw but that hold no cell (kept so nothing is silently lost).
    notes: list[str] = field(default_factory=list)
