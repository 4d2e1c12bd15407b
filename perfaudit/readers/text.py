"""Text forms: pdftotext-style output and one-cell-per-line text.

In pdftotext-style output the fragments of a row stand on one line and cells wrap over several
lines. Encodings: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (a superset of GBK and GB2312).
"""

from __future__ import annotations

import re
from pathlib import Path

from perfaudit.readers.cells import Cell, ReadError, Sheet
from perfaudit.readers.pipes import looks_like_pipes, read_pipes

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_FRAGMENT_GAP = re.compile(r"\s+")
# A pdftotext page has many lines that hold several fragments of one table row; a file where
# (almost) no line does is one cell per line. A real pdftotext form has at least 9 such lines
# (its budget block alone has six), one-cell-per-line text 0 or 1: five such lines, or a tenth
# of a short file's lines, make rows. These are layout facts, not budget facts.
_ROW_LINE_MIN_FRAGMENTS = 3
_ROW_LAYOUT_MIN_SHARE = 0.10
_ROW_LAYOUT_MIN_LINES = 5


def decode_text(data: bytes, path: Path) -> str:
    """Decode bytes in the encodings Chinese offices use; raise ReadError for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as err:
                raise ReadError(path, f"invalid {encoding} text ({err.reason})") from None
    if b"\x00" in data:
        raise ReadError(path, "binary file, not text (it contains NUL bytes)")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(path, "text is neither UTF-8 nor GBK/GB18030")


def read_text(path: Path) -> list[Sheet]:
    """Read a text form into one sheet whose rows are the non-blank lines.

    Text whose lines are mostly pipe rows (a markdown table, a web page's table copied as text)
    is read by :mod:`perfaudit.readers.pipes`, with column positions. In pdftotext-style text
    each line is split into fragments at white space (a row of the printed table); in
    one-cell-per-line text each line is one cell.
    """
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(path, "empty file")
    text = decode_text(data, path)
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        raise ReadError(path, "empty file (white space only)")
    if not any(_looks_like_text(line) for _, line in lines):
        raise ReadError(path, "no readable text (control characters only)")
    if looks_like_pipes([line for _, line in lines]):
        return read_pipes(path, lines)
    multi = sum(len(_FRAGMENT_GAP.split(line)) >= _ROW_LINE_MIN_FRAGMENTS for _, line in lines)
    cell_per_line = multi < min(_ROW_LAYOUT_MIN_LINES, max(1, _ROW_LAYOUT_MIN_SHARE * len(lines)))
    sheet = Sheet(name=path.name, wrapped=not cell_per_line, cell_per_line=cell_per_line)
    for number, line in lines:
        parts = [line] if cell_per_line else _FRAGMENT_GAP.split(line)
        sheet.rows.append([Cell(text=part, ref=f"L{number}", row=number) for part in parts])
    return [sheet]


def _looks_like_text(line: str) -> bool:
    return any(ch.isprintable() and not ch.isspace() for ch in line)
