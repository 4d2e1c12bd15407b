"""Writing results to files: always atomically, CSV as UTF-8 with BOM so Excel shows Chinese.

:func:`export_audit` writes everything an audit produces into one folder; ``audit.export(dir)``
and ``perfaudit audit --out DIR`` both call it, so they write the same files:

- ``findings.json``, ``findings.csv`` and ``tables/<table>.csv`` — the data (deterministic);
- ``charts/*.png`` — from :mod:`perfaudit.charts`, when the package has it;
- ``workpaper.xlsx`` — the working paper (:mod:`perfaudit.export.workpaper`);
- ``report.html`` — one self-contained page, printable (:mod:`perfaudit.export.report`);
- ``findings.docx`` — a Word draft of the findings section (:mod:`perfaudit.export.worddoc`).

Every file goes to a temporary file beside it first and is moved into place, so a folder that
already holds an export never has a half-written file in it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from perfaudit.atomic import write_atomically, write_text
from perfaudit.export.common import write_chart_images
from perfaudit.export.report import export_report
from perfaudit.export.worddoc import export_findings_docx
from perfaudit.export.workpaper import export_workpaper
from perfaudit.limits import Limits
from perfaudit.locks import hold
from perfaudit.untrusted import neutralise_frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """A CSV file with BOM, atomically; form text that looks like a formula is neutralised."""
    frame = neutralise_frame(frame)
    return write_atomically(path, lambda temp: frame.to_csv(temp, index=False, encoding="utf-8-sig"))


def write_tables(forms, folder: Path) -> list[Path]:
    """``<table>.csv`` for every table of the FormSet."""
    return [write_csv(frame, folder / f"{name}.csv") for name, frame in forms.tables.items()]


def findings_records(findings: pd.DataFrame) -> list[dict]:
    """Findings as JSON-ready dicts (nulls as null, years as integers)."""
    records = []
    for row in findings.to_dict("records"):
        # A form without a year (cut off before its title) has a blank year: null, never int(None).
        records.append({k: (None if _is_blank(v) else (int(v) if k == "year" else v)) for k, v in row.items()})
    return records


def _is_blank(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def export_audit(audit, folder: Path, charts=None) -> list[Path]:
    """Write every output of an audit into ``folder`` and return the paths written.

    ``charts``: a :class:`perfaudit.export.chartjob.ChartJob` already drawing the charts
    into ``folder/charts`` (the command line starts one); without it they are drawn here.

    Example:
        >>> export_audit(pa.audit(pa.load("data/forms")), Path("out"))   # doctest: +SKIP
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # A second run writing into the same folder waits: the files of one run are never mixed with
    # the other's half way (each file is whole in any case: written atomically).
    with hold(folder, wait_s=Limits.from_env().lock_wait_s):
        return _export_audit(audit, folder, charts)


def _export_audit(audit, folder: Path, charts) -> list[Path]:
    if charts is not None:
        charts.hand_over(audit)  # the second process draws while this one writes the data files
    text = json.dumps(findings_records(audit.findings), ensure_ascii=False, indent=1)
    written = [write_text(text + "\n", folder / "findings.json")]
    written.append(write_csv(audit.findings, folder / "findings.csv"))
    written.extend(write_tables(audit.forms, folder / "tables"))
    written.append(write_csv(audit.findings, folder / "tables" / "findings.csv"))
    written.append(write_csv(audit.frames["unit_costs"], folder / "tables" / "unit_costs.csv"))
    written.append(export_findings_docx(audit, folder / "findings.docx"))
    # The working paper and the report show the charts: they come last.
    images = charts.finish(audit) if charts is not None else write_chart_images(audit, folder / "charts")
    written.extend(images)
    written.append(export_workpaper(audit, folder / "workpaper.xlsx", images))
    written.append(export_report(audit, folder / "report.html", images))
    return written
