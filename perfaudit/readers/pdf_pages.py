"""Opening a PDF and reading each page into a :class:`Tile`: visible characters, rulings, images.

The errors a PDF can raise while it is opened (encrypted, damaged) become :class:`ReadError`
here, so that the rest of the reader only sees pages.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils import filter_edges
from pdfplumber.utils.exceptions import PdfminerException

from perfaudit.readers.cells import ReadError
from perfaudit.readers.pdf_clip import visible_chars
from perfaudit.readers.pdf_lines import RULE_TOLERANCE, group_lines


@dataclass
class Tile:
    """What one page shows: visible characters, rulings, and what a clip hid."""

    number: int
    width: float
    height: float
    chars: list[dict]
    hidden: list[dict]
    edges: list[dict]
    images: int
    # Set when the tile is placed on the canvas of its form (see place_tiles).
    band: int = 0
    down: int = 0
    dx: float = 0.0
    dy: float = 0.0
    start: float = 0.0  # canvas height where this page's part of the form begins
    cut_top: float | None = None  # page height above which repeated header rows were dropped
    dropped: int = 0  # how many rows that is

    @functools.cached_property
    def ruled(self) -> tuple[float, float, float, float] | None:
        """The box the tile's rulings enclose, or None when it has fewer than two of each direction."""
        h = [e for e in self.edges if e["orientation"] == "h"]
        v = [e for e in self.edges if e["orientation"] == "v"]
        if len(h) < 2 or len(v) < 2:
            return None
        return (
            min(e["x0"] for e in h + v),
            min(e["top"] for e in h + v),
            max(e["x1"] for e in h + v),
            max(e["bottom"] for e in h + v),
        )

    def row_rules(self) -> list[float]:
        """The heights of the tile's horizontal rulings, top to bottom."""
        return sorted({round(e["top"], 1) for e in self.edges if e["orientation"] == "h"})

    @functools.cached_property
    def lines(self) -> list[list[dict]]:
        """The tile's characters grouped into lines."""
        return group_lines(self.chars)


def read_tiles(path: Path) -> list[Tile]:
    """Every page of a PDF as a tile of characters and edges; a clear ReadError when it cannot be opened."""
    tiles = []
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise ReadError(path, "the PDF has no pages")
            for page in pdf.pages:
                tiles.append(_read_page(page))
    except ReadError:
        raise
    except PdfminerException as err:
        cause = err.args[0] if err.args else err
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or "password" in str(cause).lower():
            raise ReadError(path, "encrypted PDF: it needs a password to open; save an unprotected copy") from None
        raise ReadError(path, f"damaged PDF ({type(cause).__name__}: {cause})") from None
    except Exception as err:  # pdfminer raises many types for broken files
        raise ReadError(path, f"damaged PDF ({type(err).__name__}: {err})") from None
    return tiles


def _read_page(page) -> Tile:
    chars, hidden = visible_chars(page)
    box = (0.0, 0.0, float(page.width), float(page.height))
    edges = [
        e
        for e in filter_edges(page.edges, min_length=RULE_TOLERANCE)
        if e["x0"] >= box[0] - 1 and e["x1"] <= box[2] + 1 and e["top"] >= box[1] - 1 and e["bottom"] <= box[3] + 1
    ]
    return Tile(
        number=page.page_number,
        width=box[2],
        height=box[3],
        chars=chars,
        hidden=hidden,
        edges=edges,
        images=len(page.images),
    )
