"""Readers turn a source file into rows of cells, each with a source reference.

A reader knows nothing of budgets: it only says what text stood where. The template
(:mod:`perfaudit.template`) gives the cells their meaning, with one code path for every reader.
"""

from __future__ import annotations

from pathlib import Path

from perfaudit.readers.cells import Cell, ReadError, Sheet
from perfaudit.readers.docx import read_docx
from perfaudit.readers.excel import read_excel
from perfaudit.readers.html import read_html
from perfaudit.readers.pdf import read_pdf
from perfaudit.readers.text import read_text
from perfaudit.readers.xls import read_xls

READERS = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_text,
    ".xlsx": read_excel,
    ".xlsm": read_excel,
    ".xls": read_xls,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}


def read_sheets(path: Path) -> list[Sheet]:
    """Read any supported file into sheets of rows of cells.

    Raises:
        ReadError: the file cannot be read (missing, empty, binary, unsupported type).
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(sorted(READERS))
        raise ReadError(path, f"unsupported file type {path.suffix or '(none)'!r}; expected {supported}")
    if not path.is_file():
        raise ReadError(path, "no such file")
    return reader(path)


__all__ = ["Cell", "ReadError", "Sheet", "read_sheets", "READERS"]
