"""PDF forms (pdfplumber): the cells of ruled tables, or wrapped text rows where nothing is ruled.

A reader takes what the page shows, not what the file happens to hold:

- Characters a clipping path hides (text a cell clipped, text beyond the page edge) are not
  read. A cell that clips its text is reported in ``Sheet.notes`` (so in ``leftovers``) with the
  number of characters hidden, never completed from the hidden part.
- Numbers are the printed text (``10,891.62``); ``value`` is that number and ``number_format``
  the format that prints it so (``#,##0.00``), so the printed precision travels with the cell.
- Pages are tiles of one sheet. A spreadsheet printed over several pages continues its table
  from page to page (rows) and, when it is wider than the paper, from page to page sideways
  (LibreOffice and Excel print down the first columns, then down the next ones). The tiles are
  put back together before cells are found, so a merged cell cut by a page break is one cell
  again. Header rows repeated at the top of a continuation page are dropped (with a note).
- A PDF with several forms gives one sheet per form: a page whose first line is a title in a
  larger font than the body starts a new form.

References: ``p{page}!{column}{row}``. ``column`` is the column of the form's ruled grid
(``A`` = the leftmost ruling of the form, counted across pages printed side by side, so it
matches the spreadsheet's column when the PDF was printed from one), ``row`` counts the rows on
that page from the top (a ruled table row or a line of text outside the table). In text-only
pages ``row`` counts the text rows of the page (a line, or the lines of one table row whose cells
wrap) and ``column`` the cells of that row. ``p2!C5`` is page 2, column C, fifth row.

The stages, one module each:

- :mod:`~perfaudit.readers.pdf_pages` opens the file and reads each page into a tile;
- :mod:`~perfaudit.readers.pdf_clip` tracks clipping paths (what a page hides, which cells clip);
- :mod:`~perfaudit.readers.pdf_stitch` groups tiles into forms and places them on one canvas;
- :mod:`~perfaudit.readers.pdf_grid` reads the cells of ruled tables;
- :mod:`~perfaudit.readers.pdf_text` reads pages without rulings as rows of text, and
  :mod:`~perfaudit.readers.pdf_spans` puts the labels of merged cells before the rows they span;
- :mod:`~perfaudit.readers.pdf_lines` holds the text geometry they share.
"""

from __future__ import annotations

from pathlib import Path

from perfaudit.readers.cells import ReadError, Sheet
from perfaudit.readers.pdf_grid import find_cells, read_ruled_sheet
from perfaudit.readers.pdf_lines import mid_y
from perfaudit.readers.pdf_pages import Tile, read_tiles
from perfaudit.readers.pdf_stitch import group_tiles, on_canvas, place_tiles
from perfaudit.readers.pdf_text import read_text_sheet
from perfaudit.refs import column_letter

__all__ = ["column_letter", "read_pdf"]


def read_pdf(path: Path) -> list[Sheet]:
    """Read a PDF form into one sheet per form found in it.

    Raises:
        ReadError: not a PDF, damaged, encrypted, empty, or scanned (no text layer: OCR needed).

    Example:
        >>> sheets = read_pdf(Path("tests/fixtures/pdf/zhanjiang-renshe-2024.pdf"))  # doctest: +SKIP
        >>> sheets[0].rows[1][0].text, sheets[0].rows[1][0].ref  # doctest: +SKIP
        ('部门名称', 'p1!A2')
    """
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(path, "empty file")
    if b"%PDF-" not in data[:1024]:
        raise ReadError(path, "not a PDF file (no %PDF header)")
    tiles = read_tiles(path)
    if not any(tile.chars for tile in tiles):
        if any(tile.images for tile in tiles):
            raise ReadError(path, "scanned PDF: the pages are images without a text layer; OCR is needed to read it")
        raise ReadError(path, "the PDF has no text on any page")
    sheets = []
    for group in group_tiles(tiles):
        sheet = _read_group(group)
        if sheet.rows:
            sheets.append(sheet)
    return sheets


def _read_group(group: list[list[Tile]]) -> Sheet:
    place_tiles(group)
    tiles = [tile for band in group for tile in band]
    pages = sorted(t.number for t in tiles)
    name = f"p{pages[0]}" if len(pages) == 1 else f"p{pages[0]}-{pages[-1]}"
    chars, edges, notes = [], [], []
    for tile in tiles:
        cut = tile.cut_top
        if cut is not None:
            notes.append(f"p{tile.number}: header rows repeated at the top of the page were not read again")
        chars.extend(on_canvas(c, tile) for c in tile.chars if cut is None or mid_y(c) >= cut)
        for edge in tile.edges:
            if cut is not None and edge["bottom"] <= cut + 0.5:
                continue
            if cut is not None and edge["top"] < cut:
                edge = {**edge, "top": cut, "height": edge["bottom"] - cut}
            edges.append(on_canvas(edge, tile))
    cells = find_cells(edges)
    sheet = read_ruled_sheet(name, cells, chars, group) if cells else read_text_sheet(name, chars)
    sheet.notes = notes + sheet.notes
    return sheet
