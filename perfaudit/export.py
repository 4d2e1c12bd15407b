"""Writing results to files: always atomically, CSV as UTF-8 with BOM so Excel shows Chinese."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def write_atomically(path: Path, write: Callable[[str], None]) -> Path:
    """Call ``write(temp_path)`` and move the result into place; a failure leaves ``path`` as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return path


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return write_atomically(path, lambda temp: frame.to_csv(temp, index=False, encoding="utf-8-sig"))


def write_tables(forms, folder: Path) -> list[Path]:
    """``<table>.csv`` for every table of the FormSet."""
    return [write_csv(frame, folder / f"{name}.csv") for name, frame in forms.tables.items()]


def findings_records(findings: pd.DataFrame) -> list[dict]:
    """Findings as JSON-ready dicts (nulls as null, years as integers)."""
    records = []
    for row in findings.to_dict("records"):
        records.append(
            {
                k: (None if v is pd.NA or (isinstance(v, float) and v != v) else (int(v) if k == "year" else v))
                for k, v in row.items()
            }
        )
    return records


def export_audit(audit, folder: Path) -> list[Path]:
    """findings.json, findings.csv and tables/<table>.csv (the forms' tables and the findings)."""
    folder = Path(folder)
    text = json.dumps(findings_records(audit.findings), ensure_ascii=False, indent=1)
    written = [
        write_atomically(folder / "findings.json", lambda temp: Path(temp).write_text(text + "\n", encoding="utf-8"))
    ]
    written.append(write_csv(audit.findings, folder / "findings.csv"))
    written.extend(write_tables(audit.forms, folder / "tables"))
    written.append(write_csv(audit.findings, folder / "tables" / "findings.csv"))
    written.append(write_csv(audit.frames["unit_costs"], folder / "tables" / "unit_costs.csv"))
    return written
