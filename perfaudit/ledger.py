"""The findings ledger: what the auditor decided about each finding, carried from run to run.

A CSV (UTF-8 with BOM) or xlsx file the auditor keeps beside the data and edits in Excel or WPS,
one row per finding id. A rerun merges: findings found again keep their status and note; new
ones are added as ``open``; ones no longer found are marked ``resolved`` with the run date.
Nothing the auditor wrote is overwritten or dropped — extra columns included — and the file is
only rewritten when something changed, atomically. A malformed ledger is an error naming the
line, and the file stays as it was.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook

from perfaudit.atomic import write_atomically
from perfaudit.fields import columns, decided_statuses, statuses
from perfaudit.limits import Limits
from perfaudit.locks import hold
from perfaudit.readers.cells import ReadError
from perfaudit.readers.text import decode_text
from perfaudit.untrusted import neutralise_frame, protect_cell, restore, xml_text

STATUSES = statuses(ledger=True)
DECIDED = decided_statuses()
# The columns perfaudit writes (vocab/fields.csv, table ledger); the auditor edits status, note, who and when.
COLUMNS = columns("ledger")
# The finding's own columns among them (rule_id, severity, …, message), copied on every run.
CONTEXT = tuple(c for c in COLUMNS if c in columns("findings") and c not in ("finding_id", "status"))


CSV_FIELD_MAX = 64 * 1024 * 1024


class LedgerError(ValueError):
    """A ledger that cannot be read as it stands: the message names the file and line."""


def read_ledger(path: Path) -> pd.DataFrame:
    """Read a ledger (all columns as text); a missing file is an empty ledger."""
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=list(COLUMNS), dtype="str")
    try:
        rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    except (UnicodeDecodeError, csv.Error) as err:
        raise LedgerError(f"{path}: not a readable CSV ledger ({err})") from None
    if not rows:
        return pd.DataFrame(columns=list(COLUMNS), dtype="str")
    header = [h.strip() for h in rows[0]]
    if "finding_id" not in header or "status" not in header:
        raise LedgerError(f"{path}: line 1: the header needs finding_id and status columns")
    seen: dict[str, int] = {}
    records = []
    for line, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row):
            records.append(_record(path, line, header, row, seen))
    frame = pd.DataFrame(records, columns=header, dtype="str").fillna("")
    for column in COLUMNS:
        if column not in frame:
            frame[column] = ""
    return frame


def _record(path: Path, line: int, header: list[str], row: list[str], seen: dict[str, int]) -> dict[str, str]:
    """One ledger line as a record, checked: a finding id not seen before, a known status."""
    if len(row) > len(header):
        raise LedgerError(f"{path}: line {line}: {len(row)} cells for {len(header)} columns")
    record = dict(zip(header, [cell.strip() for cell in row] + [""] * (len(header) - len(row)), strict=True))
    finding_id = record["finding_id"]
    if not finding_id:
        raise LedgerError(f"{path}: line {line}: finding_id is empty")
    if finding_id in seen:
        raise LedgerError(f"{path}: line {line}: finding_id {finding_id} repeats line {seen[finding_id]}")
    status = record["status"].lower() or "open"
    if status not in STATUSES:
        raise LedgerError(f"{path}: line {line}: status {record['status']!r} is not one of {', '.join(STATUSES)}")
    record["status"] = status
    seen[finding_id] = line
    return record


def _csv_rows(path: Path) -> list[list[str]]:
    try:  # Excel on Chinese Windows saves a plain "CSV" as GBK
        text = decode_text(path.read_bytes(), path)
    except ReadError as err:
        raise LedgerError(str(err)) from None
    # A finding quoting a long form text makes a long cell: the ledger reads back what it wrote.
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_MAX))
    return [[restore(cell) for cell in row] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))]


def _xlsx_rows(path: Path) -> list[list[str]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several types for a damaged file
        raise LedgerError(f"{path}: not a readable xlsx ledger ({type(err).__name__})") from None
    try:
        sheet = book.worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def write_ledger(ledger: pd.DataFrame, path: Path) -> Path:
    """Write the ledger atomically, CSV with BOM or xlsx by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_atomically(path, lambda temp: _write_xlsx(ledger, temp))
    safe = neutralise_frame(ledger)  # read back through restore() in _csv_rows
    return write_atomically(path, lambda temp: safe.to_csv(temp, index=False, encoding="utf-8-sig"))


def _write_xlsx(ledger: pd.DataFrame, temp: str) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "ledger"
    sheet.append(list(ledger.columns))
    for row in ledger.itertuples(index=False, name=None):
        sheet.append([xml_text(v) if isinstance(v, str) else v for v in row])  # no \x01 in a workbook
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"
            protect_cell(cell)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.save(temp)


def merge(
    findings: pd.DataFrame, ledger: pd.DataFrame, today: date, scope: set[tuple[str, str]] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge this run's findings into the ledger.

    Args:
        findings: this run's findings.
        ledger: the ledger as read (all text).
        today: the run date written into ``first_seen`` and ``resolved_on``.
        scope: the (department, year) pairs this run audited; a ledger row of another
            department or year is left alone (a run on one year does not resolve the others).

    Returns ``(findings, ledger)``: the findings with the ledger's ``status`` and ``note`` and a
    ``change`` column (new / persisting / reopened / resolved; resolved findings are appended as
    rows of their own), and the updated ledger. A row counts as resolved while ``resolved_on``
    holds a date; an auditor's decision (accepted, explained, waived) is never overwritten.
    """
    run_day = today.isoformat()
    ledger = ledger.copy()
    index = {fid: i for i, fid in enumerate(ledger["finding_id"])}
    changes, statuses, notes = [], [], []
    new_rows, added = [], set()
    for finding in findings.itertuples():
        context = _context(finding)
        if finding.finding_id in index:
            i = index[finding.finding_id]
            if ledger.at[i, "resolved_on"] or ledger.at[i, "status"] == "resolved":  # back after it was resolved
                ledger.at[i, "resolved_on"] = ""
                if ledger.at[i, "status"] == "resolved":
                    ledger.at[i, "status"] = "open"
                changes.append("reopened")
            else:
                changes.append("persisting")
            status = ledger.at[i, "status"]
            for column, value in context.items():
                if column in ledger and ledger.at[i, column] != value:
                    ledger.at[i, column] = value
        elif finding.finding_id in added:  # the same finding in a second copy of a form: one ledger row
            status = "open"
            changes.append("new")
        else:
            added.add(finding.finding_id)
            status = "open"
            blank = dict.fromkeys(ledger.columns, "")
            new_rows.append(
                {**blank, "finding_id": finding.finding_id, "status": status, "first_seen": run_day, **context}
            )
            changes.append("new")
        # The auditor's decision wins; otherwise the run's own status (open or not_evaluated).
        statuses.append(status if status in DECIDED else finding.status)
        notes.append(ledger.at[index[finding.finding_id], "note"] if finding.finding_id in index else "")
    out = findings.copy()
    out["status"] = statuses
    out["note"] = notes
    out["change"] = changes
    in_scope = pd.Series(True, index=ledger.index)
    if scope is not None:
        in_scope = pd.Series(
            [(d, y) in scope for d, y in zip(ledger["department"], ledger["year"], strict=True)],
            index=ledger.index,
            dtype=bool,
        )
    gone = ledger[
        ~ledger["finding_id"].isin(set(findings["finding_id"]))
        & (ledger["resolved_on"] == "")
        & (ledger["status"] != "resolved")
        & in_scope
    ].index
    ledger.loc[gone, "resolved_on"] = run_day
    ledger.loc[gone, "status"] = ledger.loc[gone, "status"].where(ledger.loc[gone, "status"].isin(DECIDED), "resolved")
    resolved_now = ledger.loc[gone]
    if new_rows:
        ledger = pd.concat([ledger, pd.DataFrame(new_rows, columns=ledger.columns, dtype="str")], ignore_index=True)
    out = pd.concat([out, _resolved_findings(resolved_now, out.columns)], ignore_index=True)
    return out, ledger.fillna("")


def audit_scope(documents: pd.DataFrame) -> set[tuple[str, str]]:
    """The (department, year) pairs of the loaded forms, as the ledger writes them."""
    return {
        (d, "" if pd.isna(y) else str(int(y))) for d, y in zip(documents["department"], documents["year"], strict=True)
    }


def _context(finding) -> dict[str, str]:
    """The finding's columns the ledger keeps, for reading it without the findings file."""
    year = "" if pd.isna(finding.year) else str(int(finding.year))
    return {c: year if c == "year" else getattr(finding, c) for c in CONTEXT}


def _resolved_findings(rows: pd.DataFrame, columns) -> pd.DataFrame:
    records = []
    for row in rows.itertuples():
        records.append(
            {
                "finding_id": row.finding_id,
                "rule_id": row.rule_id,
                "severity": row.severity,
                "status": "resolved",
                "department": row.department,
                "year": int(row.year) if str(row.year).isdigit() else pd.NA,
                "subject": row.subject,
                "message": row.message,
                "note": row.note,
                "change": "resolved",
            }
        )
    frame = pd.DataFrame(records, columns=list(columns))
    frame["year"] = pd.array(frame["year"], dtype="Int64")
    return frame


def apply_ledger(result, path: str | os.PathLike, today: date | None = None):
    """Merge an audit's findings with the ledger file and write the ledger back if it changed.

    Returns a new Audit whose findings carry the ledger's status and note and a ``change`` column.
    """
    path = Path(path)
    # Another run merging into the same ledger waits its turn: no row of either run is lost.
    with hold(path, wait_s=Limits.from_env().lock_wait_s):
        ledger = read_ledger(path)
        scope = audit_scope(result.forms.documents)
        findings, updated = merge(result.findings, ledger, today or date.today(), scope=scope)
        if not _same(ledger, updated):
            write_ledger(updated, path)
    return replace(result, findings=findings)


def _same(before: pd.DataFrame, after: pd.DataFrame) -> bool:
    if list(before.columns) != list(after.columns) or len(before) != len(after):
        return False
    return bool((before.fillna("").astype(str).to_numpy() == after.fillna("").astype(str).to_numpy()).all())
