"""Resource limits for reading forms: a hostile or broken file stops with a one-line reason.

Forms come from outside the auditor's office. Before a file is parsed it is checked here, so
that a zip bomb posing as ``.xlsx``, a PDF of thousands of pages, a 200 MB text file or a FIFO
stops at once with a reason instead of filling the memory or hanging:

===================  ==============================  =======  ================================
limit                environment variable            default  what it bounds
===================  ==============================  =======  ================================
``max_file_mb``      ``PERFAUDIT_MAX_FILE_MB``       50       size of one form file on disk
``max_text_mb``      ``PERFAUDIT_MAX_TEXT_MB``       2        size of one text form (a real one is
                                                              10-100 KB; parsing 2 MB of text takes
                                                              seconds, 50 MB minutes)
``max_unzipped_mb``  ``PERFAUDIT_MAX_UNZIPPED_MB``   200      an .xlsx's parts once unzipped
``max_zip_ratio``    ``PERFAUDIT_MAX_ZIP_RATIO``     100      unzipped/zipped size of one large
                                                              part (zip bombs reach thousands)
``max_zip_entries``  ``PERFAUDIT_MAX_ZIP_ENTRIES``   10000    parts in one .xlsx
``max_pdf_pages``    ``PERFAUDIT_MAX_PDF_PAGES``     500      pages of one PDF
``lock_wait_s``      ``PERFAUDIT_LOCK_WAIT_S``       600      waiting for another run writing
                                                              the same ``--out`` or ``--ledger``
===================  ==============================  =======  ================================

A real 整体 form is a few kilobytes and one to four pages. Raise a limit through its environment
variable (the command line) or ``pa.load(..., limits=Limits(max_pdf_pages=2000))``.

Only regular files are read: a FIFO, a socket or a device named on the command line is refused
(reading a FIFO would wait for a writer forever); a symbolic link is followed to its target.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

from perfaudit.readers.cells import ReadError

ENV_PREFIX = "PERFAUDIT_"
MB = 1024 * 1024
# A part smaller than this may compress as well as it likes (an empty sheet is all repetition).
_RATIO_FLOOR_BYTES = 1 * MB


class LimitsError(ReadError):
    """A limit given in the environment that is not a positive number."""


@dataclass(frozen=True)
class Limits:
    """The limits a file must stay within to be read (see the module for each)."""

    max_file_mb: float = 50
    max_text_mb: float = 2
    max_unzipped_mb: float = 200
    max_zip_ratio: float = 100
    max_zip_entries: int = 10000
    max_pdf_pages: int = 500
    lock_wait_s: float = 600

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """The defaults, each replaced by ``PERFAUDIT_<NAME>`` where that is set."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in fields(cls):
            name = ENV_PREFIX + field.name.upper()
            raw = environ.get(name, "").strip()
            if not raw:
                continue
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not value > 0 or value == float("inf"):
                raise LimitsError(name, f"expected a positive number, not {raw!r}")
            values[field.name] = int(value) if field.type in ("int", int) else value
        return cls(**values)


def check_file(path: Path, limits: Limits) -> None:
    """Raise ReadError naming the file and the limit when ``path`` must not be parsed."""
    try:
        info = os.stat(path)  # follows a symbolic link to its target
    except OSError as err:
        raise ReadError(path, f"cannot be opened ({err.strerror or err})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(path, f"not a regular file ({_kind(info.st_mode)}); only files are read")
    if info.st_size > limits.max_file_mb * MB:
        raise ReadError(
            path,
            f"{info.st_size / MB:.1f} MB is over the {limits.max_file_mb:g} MB limit for a form file "
            f"({ENV_PREFIX}MAX_FILE_MB raises it)",
        )
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text", ".md") and info.st_size > limits.max_text_mb * MB:
        raise ReadError(
            path,
            f"{info.st_size / MB:.1f} MB is over the {limits.max_text_mb:g} MB limit for a text form "
            f"({ENV_PREFIX}MAX_TEXT_MB raises it)",
        )
    if suffix in (".xlsx", ".xlsm", ".docx"):
        check_zip(path, limits)
    elif suffix == ".pdf":
        check_pdf_pages(path, limits)


def check_zip(path: Path, limits: Limits) -> None:
    """A workbook or Word file whose parts would unzip to too much (a zip bomb) is refused before it is read."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise ReadError(path, f"not a readable {path.suffix.lower()} file ({err or type(err).__name__})") from None
    if len(entries) > limits.max_zip_entries:
        kind = path.suffix.lower()
        raise ReadError(path, f"{len(entries)} parts in the {kind} file, over the limit of {limits.max_zip_entries}")
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_unzipped_mb * MB:
        raise ReadError(
            path,
            f"the {path.suffix.lower()} file unzips to {total / MB:.0f} MB, "
            f"over the {limits.max_unzipped_mb:g} MB limit "
            f"({ENV_PREFIX}MAX_UNZIPPED_MB raises it)",
        )
    for entry in entries:
        if entry.file_size > _RATIO_FLOOR_BYTES and entry.file_size > limits.max_zip_ratio * max(
            entry.compress_size, 1
        ):
            ratio = entry.file_size / max(entry.compress_size, 1)
            raise ReadError(
                path,
                f"part {entry.filename} unzips {ratio:.0f} times larger than stored "
                f"(over {limits.max_zip_ratio:g}: a zip bomb?)",
            )


def check_pdf_pages(path: Path, limits: Limits) -> None:
    """A PDF of more pages than the limit is refused before any page is read."""
    pages = count_pdf_pages(path)
    if pages is not None and pages > limits.max_pdf_pages:
        raise ReadError(
            path,
            f"{pages} pages, over the limit of {limits.max_pdf_pages} ({ENV_PREFIX}MAX_PDF_PAGES raises it)",
        )


def count_pdf_pages(path: Path) -> int | None:
    """The number of pages (pdfium reads only the page tree).

    None when pdfium cannot open the file, which the PDF reader then reports in its own words (damaged, encrypted,
    …).
    """
    try:
        import pypdfium2
    except ImportError:  # pragma: no cover - pdfplumber depends on it
        return None
    try:
        document = pypdfium2.PdfDocument(str(path))
    except Exception:  # pdfium's PdfiumError and others: the reader says what is wrong
        return None
    try:
        return len(document)
    finally:
        document.close()


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a plain file"
