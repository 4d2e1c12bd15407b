"""Excel workbooks (.xlsx): merged cells, number formats and formula cells.

Formula cells use the value the saving program cached. Where none is cached (a file written
by a program that does not calculate), simple sums (``=C5+C6``, ``=SUM(C5:C6)``) are evaluated
here; anything else is reported as a note naming the cell, never guessed.

Sheets are streamed: their cells go through openpyxl's own cell parser, with only the
sheet list and the number formats read from the package; building openpyxl's whole workbook
(styles, theme) would cost three times as much. A package laid out unusually is read by
openpyxl's public reader instead, with the same result (the tests compare the two).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.reader.strings import read_string_table
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

from perfaudit.readers.cells import Cell, ReadError, Sheet

_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)")
_SUM = re.compile(r"SUM\(([^()]*)\)", re.IGNORECASE)
_ARITH = re.compile(r"^[\d.+\-*/() ]+$")


def read_excel(path: Path) -> list[Sheet]:
    """Read every visible sheet of a workbook into rows of non-empty cells."""
    try:
        uncached = has_uncached_formulas(path)
        sheets = stream_sheets(path, uncached)
        if sheets is None:
            sheets = _read_with_openpyxl(path, uncached)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as err:
        reason = str(err) or type(err).__name__
        raise ReadError(path, f"not a readable .xlsx workbook ({reason})") from None
    except Exception as err:  # openpyxl raises its own InvalidFileException and others
        raise ReadError(path, f"not a readable .xlsx workbook ({type(err).__name__}: {err})") from None
    if not sheets or not any(sheet.rows for sheet in sheets):
        raise ReadError(path, "the workbook has no cells with content")
    return sheets


# One cell as both readers give it: row, column, value (the cached one for a formula), number
# format, and the formula's text when the cell has a formula but no cached value.
RawCell = tuple[int, int, object, str, str | None]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def stream_sheets(path: Path, uncached: bool) -> list[Sheet] | None:
    """The visible sheets, streamed.

    None when the workbook's parts are not where this reader looks (then openpyxl builds the workbook).

    The cells go through openpyxl's own sheet parser, so values, shared strings and dates come
    out exactly as openpyxl gives them; only the workbook around them is not built. A sheet
    with formulas lacking their cached values is parsed a second time for the formulas.
    """
    try:
        from openpyxl.worksheet._reader import WorkSheetParser  # private: pinned in pyproject.toml
    except ImportError:  # another openpyxl: let its public reader do the work
        return None

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if not {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"} <= names:
            return None
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PACKAGE_REL}Relationship")}
        properties = workbook.find(f"{_MAIN}workbookPr")
        mac = properties is not None and properties.get("date1904", "0").lower() in ("1", "true")
        formats = ["General"]
        if "xl/styles.xml" in names:
            styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
            custom = {int(n.get("numFmtId")): n.get("formatCode") for n in styles.iter(f"{_MAIN}numFmt")}
            xfs = styles.find(f"{_MAIN}cellXfs")
            if xfs is not None:
                ids = [int(xf.get("numFmtId", 0)) for xf in xfs.findall(f"{_MAIN}xf")]
                formats = [custom.get(i) or BUILTIN_FORMATS.get(i, "General") for i in ids] or formats
        strings = []
        if "xl/sharedStrings.xml" in names:
            with archive.open("xl/sharedStrings.xml") as source:
                strings = read_string_table(source)
        dates = {n for n, code in enumerate(formats) if is_date_format(code)}
        durations = {n for n, code in enumerate(formats) if is_timedelta_format(code)}

        def cells(part: str, data_only: bool) -> dict:
            """``{(row, column): (value, number format)}`` of the non-empty cells of a sheet part."""
            with archive.open(part) as source:
                parser = WorkSheetParser(
                    source,
                    strings,
                    data_only=data_only,
                    epoch=MAC_EPOCH if mac else WINDOWS_EPOCH,
                    date_formats=dates,
                    timedelta_formats=durations,
                )
                return {
                    (c["row"], c["column"]): (c["value"], _format_of(formats, c["style_id"]))
                    for _, row in parser.parse()
                    for c in row
                    if c["value"] is not None
                }

        sheets = []
        for entry in workbook.iter(f"{_MAIN}sheet"):
            if entry.get("state", "visible") != "visible":
                continue
            target = targets.get(entry.get(f"{_REL}id"), "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if part not in names:
                return None
            written = cells(part, data_only=False) if uncached else {}
            sheets.append(read_sheet_cells(entry.get("name", ""), _combine(cells(part, data_only=True), written)))
    return sheets


def _combine(values: dict, written: dict) -> list[RawCell]:
    """Cells from a sheet read for values and, where formulas lack a cached value, for formulas.

    Both readings are ``{(row, column): (value, number format)}``.
    """
    cells = [(row, col, value, number_format, None) for (row, col), (value, number_format) in values.items()]
    for (row, col), (value, number_format) in written.items():
        formula = _formula_text(value)
        if (row, col) not in values and formula:
            cells.append((row, col, None, number_format, formula))
    return cells


def _format_of(formats: list[str], style_id: int) -> str:
    return formats[style_id] if 0 <= style_id < len(formats) else "General"


def _formula_text(value: object) -> str | None:
    """A formula's text (``=C5+C6``; an array formula's too), or None for any other value."""
    text = getattr(value, "text", value)
    return text if isinstance(text, str) and text.startswith("=") else None


def _read_with_openpyxl(path: Path, uncached: bool) -> list[Sheet]:
    """Read through openpyxl's workbook: the fallback for a package laid out unusually."""

    def cells(ws) -> dict:
        # A read-only sheet pads rows with EmptyCell, which has no coordinates: value None, skipped.
        rows = ws.iter_rows()
        return {(c.row, c.column): (c.value, c.number_format) for row in rows for c in row if c.value is not None}

    with warnings.catch_warnings():
        # openpyxl warns about data validation and header/footer parts it ignores.
        warnings.simplefilter("ignore", UserWarning)
        book = load_workbook(path, data_only=True, read_only=True)
        formulas = load_workbook(path, read_only=True) if uncached else None
    sheets = []
    try:
        for ws in book.worksheets:
            if ws.sheet_state != "visible":
                continue
            written = cells(formulas[ws.title]) if formulas is not None else {}
            sheets.append(read_sheet_cells(ws.title, _combine(cells(ws), written)))
    finally:
        book.close()  # a read-only workbook keeps its file open (and locked, on Windows)
        if formulas is not None:
            formulas.close()
    return sheets


_CELL_XML = re.compile(rb"<c\b[^>]*>(.*?)</c>", re.S)
_CACHED_XML = re.compile(rb"<v>[^<]+</v>")


def has_uncached_formulas(path: Path) -> bool:
    """True when some formula cell of the workbook carries no cached value (read from the XML)."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            xml = archive.read(name)
            if b"<f" not in xml:
                continue
            for body in _CELL_XML.findall(xml):
                if (b"<f>" in body or b"<f " in body) and not _CACHED_XML.search(body):
                    return True
    return False


def read_sheet_cells(title: str, cells: list[RawCell]) -> Sheet:
    """Rows of non-empty cells; a formula without a cached value is evaluated if it is a simple sum."""
    sheet = Sheet(name=title)
    lookup = {
        f"{get_column_letter(col)}{row}": (value if formula is None else formula)
        for row, col, value, _, formula in cells
    }
    for row_no, col_no, value, number_format, formula in sorted(cells, key=lambda c: (c[0], c[1])):
        ref = f"{title}!{get_column_letter(col_no)}{row_no}"
        if formula is not None:
            value = evaluate_formula(formula, lookup)
            if value is None:
                sheet.notes.append(f"{ref}: formula {formula} has no cached value and is not a simple sum")
                value = formula
        text = format_number(value, number_format) if _is_number(value) else _as_text(value)
        if not text:
            continue
        if not sheet.rows or sheet.rows[-1][0].row != row_no:
            sheet.rows.append([])
        sheet.rows[-1].append(
            Cell(
                text=text,
                ref=ref,
                row=row_no,
                col=col_no,
                value=value if _is_number(value) else None,
                number_format="" if number_format == "General" else number_format,
            )
        )
    return sheet


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def format_number(value: float, number_format: str) -> str:
    """Render a number the way its cell format shows it (the subset forms use).

    Example:
        >>> format_number(10891.615675, "#,##0.00")
        '10,891.62'
        >>> format_number(1, "0%")
        '100%'
    """
    fmt = (number_format or "General").split(";")[0]
    if fmt == "General" or not any(ch in fmt for ch in "0#"):
        if float(value).is_integer():
            return str(int(value))
        return f"{value:.10g}"
    percent = "%" in fmt
    number = value * 100 if percent else value
    decimals_part = re.search(r"\.([0#]+)", fmt)
    decimals = len(decimals_part.group(1)) if decimals_part else 0
    grouped = "," in fmt
    body = f"{number:,.{decimals}f}" if grouped else f"{number:.{decimals}f}"
    return body + ("%" if percent else "")


# C901: one branch per formula shape these forms use, tried in order; split up, the order would hide.
def evaluate_formula(formula: str, cells: dict[str, object]) -> float | None:  # noqa: C901
    """Evaluate ``=A1+B2-C3`` or ``=SUM(A1:A9)`` style formulas over numeric cells.

    ``cells`` maps a coordinate (``C5``) to the cell's value, or its formula's text.
    Returns None for anything else (functions other than SUM, text operands, references to
    empty or non-numeric cells are treated as 0 only inside SUM, as Excel does).
    """
    expression = formula.lstrip("=").upper().replace(" ", "")

    def cell_number(column: str, row: str, depth: int) -> float | None:
        value = cells.get(f"{column}{row}")
        if isinstance(value, str) and value.startswith("=") and depth < 8:
            return _evaluate(value, depth + 1)
        return float(value) if _is_number(value) else None

    def sum_range(args: str, depth: int) -> str | None:
        total = 0.0
        for arg in args.split(","):
            match = _RANGE.fullmatch(arg)
            if match:
                c1, r1, c2, r2 = match.groups()
                # Every coordinate of the range, empty and merged ones too.
                for row in range(int(r1), int(r2) + 1):
                    for col in range(column_index_from_string(c1), column_index_from_string(c2) + 1):
                        total += cell_number(get_column_letter(col), str(row), depth) or 0.0
            elif _REF.fullmatch(arg):
                column, row = _REF.fullmatch(arg).groups()
                total += cell_number(column, row, depth) or 0.0
            else:
                return None
        return format(total, ".10f")

    def _evaluate(text: str, depth: int) -> float | None:
        expr = text.lstrip("=").upper().replace(" ", "")
        for match in list(_SUM.finditer(expr)):
            replacement = sum_range(match.group(1), depth)
            if replacement is None:
                return None
            expr = expr.replace(match.group(0), replacement, 1)
        missing = False

        def substitute(match: re.Match) -> str:
            nonlocal missing
            number = cell_number(match.group(1), match.group(2), depth)
            if number is None:
                missing = True
                return "0"
            return format(number, ".10f")

        expr = _REF.sub(substitute, expr)
        if missing or not _ARITH.match(expr):
            return None
        try:
            # Only digits, dots, parentheses and + - * / reach here (checked above).
            return float(eval(expr, {"__builtins__": {}}, {}))  # noqa: S307
        except (SyntaxError, ZeroDivisionError, TypeError):
            return None

    return _evaluate(expression, 0)
