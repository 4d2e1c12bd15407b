"""Web pages saved from a government site (``.html``, ``.htm``): the form's tables, not the page.

Budget disclosures are often published as a page whose body holds the form as an HTML table,
around it the site's navigation, a comment box and a footer. Only tables are read: each table
that holds no other table (a table used for the page layout is not a form), with the short
text just above it (the form's title, ``金额单位：万元``) as one-cell rows referenced ``H2``.
Cells are placed on the table's grid (``rowspan``/``colspan``, :mod:`perfaudit.readers.grid`)
and referenced ``T1!C5``. Scripts, styles and input fields are never read; nothing is fetched. The
page's encoding comes from its byte-order mark or ``<meta charset>`` (GB2312/GBK pages are read
as GB18030, their superset), else UTF-8, else GB18030.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html

from perfaudit.readers.cells import Cell, ReadError, Sheet
from perfaudit.readers.grid import Span, place_rows

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.IGNORECASE)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}
# (Not <form>: some sites wrap the whole page in one.)
_DROPPED = ("script", "style", "noscript", "textarea", "select", "button", "input", "iframe", "template")
# The text above a table counts as its caption when it is this short (a title, a unit line).
CAPTION_MAX_CHARS = 120
CAPTION_MAX_LINES = 3


def decode_page(data: bytes, path: Path) -> str:
    """The page's text in the encoding it declares (or the first that decodes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    match = _CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii").lower() if match else ""
    for codec in [_SUPERSETS.get(declared, declared), "utf-8", "gb18030"]:
        if not codec:
            continue
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    raise ReadError(path, "the page's text is in no encoding perfaudit knows")


def read_html(path: Path) -> list[Sheet]:
    """Read the form tables of a saved web page into one sheet."""
    text = decode_page(path.read_bytes(), path)
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as err:
        raise ReadError(path, f"not a readable web page ({err})") from None
    for element in list(root.iter(*_DROPPED)):
        element.drop_tree()
    tables = [table for table in root.iter("table") if not table.findall(".//table")]
    if not tables:
        raise ReadError(path, "the page holds no table")
    sheet = Sheet(name=path.name)
    row_number = 0
    for number, table in enumerate(tables, start=1):
        for line in _caption(table):
            row_number += 1
            sheet.rows.append([Cell(text=line, ref=f"H{row_number}", row=row_number, col=1)])
        spans = [
            [Span(_cell_text(td), _int(td.get("colspan")), _int(td.get("rowspan"))) for td in tr.iter("td", "th")]
            for tr in _rows(table)
        ]
        placed = place_rows(spans, f"T{number}", row_number + 1)
        row_number += len(placed)
        sheet.rows.extend(row for row in placed if row)
    if not sheet.rows:
        raise ReadError(path, "the page's tables hold no text")
    return [sheet]


def _rows(table) -> list:
    """The table's own rows (thead, tbody, tfoot or bare), not those of a nested table."""
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table")) is table]


def _cell_text(cell) -> str:
    for br in cell.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = [" ".join(line.split()) for line in cell.text_content().splitlines()]
    return "\n".join(line for line in lines if line)


# A form spans a few dozen columns at most; a larger colspan is capped (a hostile page's 10**9).
MAX_SPAN = 200


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), MAX_SPAN))
    except ValueError:
        return 1


def _caption(table) -> list[str]:
    """The short lines just above a table (its title), nearest last; a <caption> first."""
    caption = table.find("caption")
    lines: list[str] = [caption.text_content().strip()] if caption is not None else []
    if caption is not None:
        caption.drop_tree()
    above: list[str] = []
    node = table
    while node is not None and not above:
        for sibling in node.itersiblings(preceding=True):
            if sibling.tag == "table" or sibling.find(".//table") is not None:
                break
            text = " ".join(sibling.text_content().split())
            if not text:
                continue
            if len(text) > CAPTION_MAX_CHARS or len(above) >= CAPTION_MAX_LINES:
                break
            above.insert(0, text)
        node = node.getparent() if not above else None
        if node is not None and node.tag in ("body", "html"):
            break
    return [line for line in lines + above if line]
