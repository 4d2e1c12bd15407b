"""The template of the canonical workbook (``perfaudit convert``): one sheet per table.

The workbook is read by the ordinary Excel reader into cells, like any form. Its header row
names the contract columns; every other row is one row of a table. The columns a parse makes
from printed text are made here again by the form template's own functions, so that a text
corrected by hand is read the way the form's text is:

- indicators: ``op``, ``value``, ``value_high``, ``unit``, ``quantified``, ``qualifier``,
  ``baseline``, ``polarity`` from ``annual_value`` (else ``period_value``);
- budget and tasks: ``amount_yuan`` / ``planned_yuan`` from ``printed`` / ``planned_printed``
  in ``printed_unit`` / ``planned_unit``;
- task_outputs: the counts of each task's ``content``.

Where the stored parse still says what its text says (the same operator and unit, numbers
equal at the text's printed precision), the row is kept as written: a workbook read back
unedited gives the identical tables (a typed 10891.615675 printed as 10,891.62 stays), and a
column the text does not decide (``polarity``, a count added by hand) keeps its correction.
The text decides the rest: to correct a number, correct the text it was read from.
"""

from __future__ import annotations

import pandas as pd

from perfaudit.fields import TABLES, cast_frame, columns, dtypes
from perfaudit.readers.cells import Cell, Sheet
from perfaudit.template.common import cell_amount, money_factor, money_to_yuan
from perfaudit.template.indicators import parse_target
from perfaudit.template.tasks import task_output_rows
from perfaudit.values import printed_decimals, task_clauses


class LayoutError(ValueError):
    """A canonical workbook whose sheets lack columns of the contract."""


def is_canonical(sheets: list[Sheet]) -> bool:
    """A workbook written by ``convert``: a sheet named after every table."""
    return set(TABLES) <= {sheet.name for sheet in sheets}


def parse_canonical(sheets: list[Sheet]) -> list[tuple[str, dict]]:
    """Read the sheets of a canonical workbook into ``(doc_id, parsed form)`` pairs.

    Raises:
        LayoutError: a table's sheet lacks some of the table's columns.
    """
    by_name = {sheet.name: sheet for sheet in sheets}
    rows = {table: _rows(by_name[table], table) for table in TABLES}
    tables = {table: cast_frame(table, _frame_input(table, rows[table])) for table in TABLES}
    records = {table: _records(tables[table]) for table in TABLES}
    for table, reread in (("budget", _budget_row), ("tasks", _task_row), ("indicators", _indicator_row)):
        records[table] = [reread(record, cells) for record, cells in zip(records[table], rows[table], strict=True)]
    records["task_outputs"] = _task_outputs(records["tasks"], records["task_outputs"])
    by_doc: dict[str, dict[str, list[dict]]] = {info["doc_id"]: {} for info in records["documents"]}
    for table in TABLES[1:]:
        for record in records[table]:
            if record["doc_id"] in by_doc:
                by_doc[record["doc_id"]].setdefault(table, []).append(_without_doc(record))
    return [
        (info["doc_id"], {"info": info, **{t: by_doc[info["doc_id"]].get(t, []) for t in TABLES[1:]}})
        for info in records["documents"]
    ]


def _rows(sheet: Sheet, table: str) -> list[dict[str, Cell]]:
    """The body rows of a table's sheet as column → cell (a column left empty has no cell)."""
    header = {cell.col: cell.text for cell in sheet.rows[0]} if sheet.rows else {}
    missing = [name for name in columns(table) if name not in header.values()]
    if missing:
        raise LayoutError(f"sheet {table!r} lacks columns {missing}")
    return [{header[c.col]: c for c in row if c.col in header} for row in sheet.rows[1:]]


def _typed(cell: Cell | None, dtype: str) -> object:
    if cell is None:
        return None
    if dtype == "str":
        return cell.text  # as the cell shows it: a number typed into a text column too
    return cell.value if cell.value is not None else cell.text


def _frame_input(table: str, rows: list[dict[str, Cell]]) -> pd.DataFrame:
    kinds = dtypes(table)
    data = {name: [_typed(row.get(name), kinds[name]) for row in rows] for name in columns(table)}
    return pd.DataFrame(data, columns=list(columns(table)))


def _records(frame: pd.DataFrame) -> list[dict]:
    def plain(value: object) -> object:
        return None if value is pd.NA or (isinstance(value, float) and value != value) else value

    return [{k: plain(v) for k, v in r.items()} for r in frame.to_dict("records")]


def _without_doc(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "doc_id"}


def _same_at_precision(stored: float | None, printed: float | None, text: str) -> bool:
    """Whether a stored number is what its text prints, at the text's decimals (10891.615675 printed as 10,891.62)."""
    if stored is None or printed is None:
        return stored is None and printed is None
    decimals = printed_decimals(text)
    return round(stored, decimals) == round(printed, decimals)


def _reread_amount(record: dict, cells: dict[str, Cell], printed: str, unit: str, yuan: str) -> dict:
    """An amount in yuan read again from its printed text where the two no longer agree."""
    cell = cells.get(printed)  # none: the text was left empty or cleared, so no amount
    amount = cell_amount(cell) if cell is not None else None
    stored, factor = record[yuan], money_factor().get(record[unit] or "万元", 1.0)
    if _same_at_precision(None if stored is None else stored / factor, amount, cell.text if cell else ""):
        return record
    return {**record, yuan: money_to_yuan(amount, record[unit] or "万元")}


def _budget_row(record: dict, cells: dict[str, Cell]) -> dict:
    return _reread_amount(record, cells, "printed", "printed_unit", "amount_yuan")


def _task_row(record: dict, cells: dict[str, Cell]) -> dict:
    return _reread_amount(record, cells, "planned_printed", "planned_unit", "planned_yuan")


def _indicator_row(record: dict, cells: dict[str, Cell]) -> dict:
    """The target parsed again from the value text where the stored parse no longer follows it."""
    cell = cells.get("annual_value") or cells.get("period_value")
    fresh = parse_target(record["level3"], cell)  # no value text left: no target
    text = cell.text if cell is not None else ""
    if (fresh["op"], fresh["unit"]) == (record["op"], record["unit"]) and all(
        _same_at_precision(record[name], fresh[name], text) for name in ("value", "value_high")
    ):
        return record
    return {**record, **fresh}


def _task_outputs(tasks: list[dict], outputs: list[dict]) -> list[dict]:
    """Counts kept while their clause still stands in the task's content; new clauses' counts added.

    An unedited content keeps its rows as written (a count corrected or added by hand beside
    it too, and one without a phrase); a clause rewritten by hand loses its old counts and
    gets those of its new text.
    """
    clauses = {(t["doc_id"], t["task_no"]): set(task_clauses(t["content"])) for t in tasks}
    kept = [
        row
        for row in outputs
        if not row["phrase"] or row["phrase"] in clauses.get((row["doc_id"], row["task_no"]), {row["phrase"]})
    ]
    covered = {(row["doc_id"], row["task_no"], row["phrase"]) for row in kept}
    added = [
        {**row, "doc_id": task["doc_id"]}
        for task in tasks
        for row in task_output_rows(task)
        if (task["doc_id"], task["task_no"], row["phrase"]) not in covered
    ]
    return kept + added
