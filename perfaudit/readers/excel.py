"""Excel workbooks (.xlsx): merged cells, number formats and formula cells.

Formula cells use the value the saving program cached. Where none is cached (a file written
by a program that does not calculate), simple sums (``=C5+C6``, ``=SUM(C5:C6)``) are evaluated
here; anything else is reported as a note naming the cell, never guessed.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

from perfaudit.readers.cells import Cell, ReadError, Sheet

_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)")
_SUM = re.compile(r"SUM\(([^()]*)\)", re.IGNORECASE)
_ARITH = re.compile(r"^[\d.+\-*/() ]+$")


def read_excel(path: Path) -> list[Sheet]:
    """Read every visible sheet of a workbook into rows of non-empty cells.

    Workbooks whose formulas all carry the value the saving program cached (nearly all) are
    read once, as values. Only a workbook with a formula lacking its cached value is read a
    second time for the formulas, to evaluate simple sums.
    """
    from openpyxl import load_workbook  # imported here: only workbooks need it

    try:
        formulas = has_uncached_formulas(path)
        with warnings.catch_warnings():
            # openpyxl warns about data validation and header/footer parts it ignores.
            warnings.simplefilter("ignore", UserWarning)
            # Values only: the read-only reader streams the sheet and skips what forms never
            # need (merged-range bookkeeping); formulas need random access to their operands.
            book = load_workbook(path, data_only=not formulas, read_only=not formulas)
            cached = load_workbook(path, data_only=True) if formulas else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as err:
        reason = str(err) or type(err).__name__
        raise ReadError(path, f"not a readable .xlsx workbook ({reason})") from None
    except Exception as err:  # openpyxl raises its own InvalidFileException and others
        raise ReadError(path, f"not a readable .xlsx workbook ({type(err).__name__}: {err})") from None
    sheets = []
    try:
        for ws in book.worksheets:
            if ws.sheet_state != "visible":
                continue
            sheets.append(_read_sheet(ws, cached[ws.title] if cached is not None else None, formulas))
    finally:
        book.close()  # a read-only workbook keeps its file open (and locked, on Windows)
    if not sheets or not any(sheet.rows for sheet in sheets):
        raise ReadError(path, "the workbook has no cells with content")
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


def _read_sheet(ws, cached_ws, formulas: bool) -> Sheet:
    sheet = Sheet(name=ws.title)
    raw = {(c.row, c.column): c for row in ws.iter_rows() for c in row if c.value is not None}
    for (row_no, col_no), cell in sorted(raw.items()):
        value = cell.value
        ref = f"{ws.title}!{cell.coordinate}"
        if formulas and cell.data_type == "f":
            value = cached_ws[cell.coordinate].value if cached_ws is not None else None
            if value is None:
                value = evaluate_formula(cell.value, ws)
            if value is None:
                sheet.notes.append(f"{ref}: formula {cell.value} has no cached value and is not a simple sum")
                value = cell.value
        text = format_number(value, cell.number_format) if _is_number(value) else _as_text(value)
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
                number_format="" if cell.number_format == "General" else cell.number_format,
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


def evaluate_formula(formula: str, ws) -> float | None:
    """Evaluate ``=A1+B2-C3`` or ``=SUM(A1:A9)`` style formulas over numeric cells.

    Returns None for anything else (functions other than SUM, text operands, references to
    empty or non-numeric cells are treated as 0 only inside SUM, as Excel does).
    """
    expression = formula.lstrip("=").upper().replace(" ", "")

    def cell_number(column: str, row: str, depth: int) -> float | None:
        value = ws[f"{column}{row}"].value
        if isinstance(value, str) and value.startswith("=") and depth < 8:
            return _evaluate(value, depth + 1)
        return float(value) if _is_number(value) else None

    def sum_range(args: str, depth: int) -> str | None:
        from openpyxl.utils import column_index_from_string, get_column_letter

        total = 0.0
        for arg in args.split(","):
            match = _RANGE.fullmatch(arg)
            if match:
                c1, r1, c2, r2 = match.groups()
                # By index, not by iterating cells: a merged cell has no column letter.
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
