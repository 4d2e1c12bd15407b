"""Writing results to files: always atomically, CSV as UTF-8 with BOM so Excel shows Chinese.

:func:`export_audit` writes everything an audit produces into one folder; ``audit.export(dir)``
and ``perfaudit audit --out DIR`` both call it, so they write the same files:

- ``findings.json``, ``findings.csv`` and ``tables/<table>.csv`` — the data (deterministic);
- ``charts/*.png`` — from :mod:`perfaudit.charts`, when the package has it;
- ``workpaper.xlsx`` — the working paper (:mod:`perfaudit.export.workpaper`), streamed;
- ``report.html`` — the run's self-contained page, printable (:mod:`perfaudit.export.report`);
- ``findings.docx`` — a Word draft of the findings section (:mod:`perfaudit.export.worddoc`);
- ``departments/0001-<部门>.html`` and ``.docx`` — each department's page and draft.

A run of more than 200 forms or 500 findings is an archive (:func:`common.is_archive`): its
``report.html`` and ``findings.docx`` then summarise by department, rule and year, and the
findings themselves are read department by department.

Every file goes to a temporary file beside it first and is moved into place, so a folder that
already holds an export never has a half-written file in it.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import threading
from pathlib import Path

import pandas as pd

from perfaudit.atomic import write_atomically
from perfaudit.export.common import department_files, is_archive, write_chart_images
from perfaudit.export.report import export_department_pages, export_report
from perfaudit.export.worddoc import export_department_drafts, export_findings_docx
from perfaudit.export.workpaper import export_workpaper
from perfaudit.limits import Limits
from perfaudit.locks import hold
from perfaudit.progress import bar, wanted
from perfaudit.untrusted import neutralise_frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """A CSV file with BOM, atomically; form text that looks like a formula is neutralised."""
    frame = neutralise_frame(frame)
    return write_atomically(path, lambda temp: frame.to_csv(temp, index=False, encoding="utf-8-sig"))


def write_tables(forms, folder: Path) -> list[Path]:
    """``<table>.csv`` for every table of the FormSet."""
    return [write_csv(frame, folder / f"{name}.csv") for name, frame in forms.tables.items()]


JSON_CHUNK = 10_000


def write_findings_json(findings: pd.DataFrame, path: Path) -> Path:
    """``findings.json`` atomically, a chunk of findings at a time.

    The same text as ``json.dumps(findings_records(findings), ensure_ascii=False, indent=1)``,
    without the list of every finding as dicts and the whole text in memory at once (gigabytes
    for an archive's two million findings).
    """

    def write(temp: str) -> None:
        with open(temp, "w", encoding="utf-8") as out:
            if findings.empty:
                out.write("[]\n")
                return
            out.write("[\n")
            for start in range(0, len(findings), JSON_CHUNK):
                records = findings_records(findings.iloc[start : start + JSON_CHUNK])
                # indent=1 inside a list: every line of a record one space further in
                text = ",\n".join(
                    " " + json.dumps(r, ensure_ascii=False, indent=1).replace("\n", "\n ") for r in records
                )
                out.write(("" if start == 0 else ",\n") + text)
            out.write("\n]\n")

    return write_atomically(path, write)


def findings_records(findings: pd.DataFrame) -> list[dict]:
    """Findings as JSON-ready dicts (nulls as null, years as integers)."""
    records = []
    for row in findings.to_dict("records"):
        # A form without a year (cut off before its title) has a blank year: null, never int(None).
        records.append({k: (None if _is_blank(v) else (int(v) if k == "year" else v)) for k, v in row.items()})
    return records


def _is_blank(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def export_audit(audit, folder: Path, charts=None, progress: bool | None = None) -> list[Path]:
    """Write every output of an audit into ``folder`` and return the paths written.

    ``charts``: a :class:`perfaudit.export.chartjob.ChartJob` already drawing the charts
    into ``folder/charts`` (the command line starts one); without it they are drawn here.
    ``progress``: a bar over the parts (by default for more than 50 forms on a terminal or in a
    notebook), the departments' pages and drafts counted one by one.

    Example:
        >>> export_audit(pa.audit(pa.load("data/forms")), Path("out"))   # doctest: +SKIP
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # A second run writing into the same folder waits: the files of one run are never mixed with
    # the other's half way (each file is whole in any case: written atomically).
    with hold(folder, wait_s=Limits.from_env().lock_wait_s):
        return _export_audit(audit, folder, charts, _Steps(audit, progress))


PARTS = ("data", "findings.docx", "charts", "workpaper.xlsx", "report.html")


class _Steps:
    """The export's progress bar: a step per part and per department page or draft."""

    def __init__(self, audit, progress: bool | None):
        self.bar = None
        if wanted(len(audit.forms), progress):
            total = len(PARTS) + 2 * len(department_files(audit))
            self.bar = bar(iter(()), "导出 exporting", "part", total=total)

    def part(self, name: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(name, refresh=False)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.update()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _export_audit(audit, folder: Path, charts, steps: _Steps) -> list[Path]:
    if charts is not None:
        charts.hand_over(audit)  # the second process draws while this one writes the data files
    # An archive's departments are written beside the rest (by a forked process, where there is one)
    beside = _Beside(lambda: _departments(audit, folder), is_archive(audit))
    try:
        steps.part("findings, tables")
        written = [write_findings_json(audit.findings, folder / "findings.json")]
        written.append(write_csv(audit.findings, folder / "findings.csv"))
        written.extend(write_tables(audit.forms, folder / "tables"))
        written.append(write_csv(audit.findings, folder / "tables" / "findings.csv"))
        written.append(write_csv(audit.frames["unit_costs"], folder / "tables" / "unit_costs.csv"))
        steps.done()
        steps.part("findings.docx")
        written.append(export_findings_docx(audit, folder / "findings.docx"))
        steps.done()
        if beside.process is None:
            written.extend(_departments(audit, folder, steps))
        # The working paper and the report show the charts: they come last (the command line's
        # chart process draws them meanwhile).
        steps.part("charts")
        images = charts.finish(audit) if charts is not None else write_chart_images(audit, folder / "charts")
        written.extend(images)
        steps.done()
        steps.part("workpaper.xlsx")
        written.append(export_workpaper(audit, folder / "workpaper.xlsx", images, progress=steps.part))
        steps.done()
        steps.part("report.html")
        written.append(export_report(audit, folder / "report.html", images))
        steps.done()
        if beside.process is not None:
            steps.part("departments/")
            expected = [
                folder / "departments" / f"{department.stem}{suffix}"
                for suffix in (".docx", ".html")
                for department in department_files(audit)
            ]
            written.extend(beside.finish(expected, lambda: _departments(audit, folder, steps), steps))
        return written
    finally:
        beside.stop()  # after a failure here: the child is not left writing
        steps.close()


def _departments(audit, folder: Path, steps: _Steps | None = None) -> list[Path]:
    """Each department's Word draft and page in ``folder/departments``."""
    step = steps.done if steps is not None else None
    if steps is not None:
        steps.part("departments/*.docx")
    written = export_department_drafts(audit, folder / "departments", step)
    if steps is not None:
        steps.part("departments/*.html")
    return written + export_department_pages(audit, folder / "departments", step)


class _Beside:
    """A part of an archive's export written by a forked copy of this process meanwhile.

    The departments' drafts and pages take as long as the working paper and the report; on a
    machine with two cores or more they are written at the same time by a child process that
    shares this one's memory (``fork``: Linux and macOS). Where there is no fork (Windows), while
    another thread runs (a fork would copy it stopped), or when the child fails, this process
    writes them itself: the files are the same either way.
    """

    def __init__(self, write, wanted: bool):
        self.process = None
        usable = "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1
        if not (wanted and usable and threading.active_count() == 1):
            return
        # The child shares this process's memory until either writes to it. A garbage collection
        # would write to every object it visits, in either process: the objects there are now are
        # frozen out of its reach until the child is done.
        gc.freeze()
        try:
            self.process = multiprocessing.get_context("fork").Process(target=_quietly, args=(write,), daemon=True)
            self.process.start()
        except (OSError, ValueError):
            self.process = None
            gc.unfreeze()

    def finish(self, expected: list[Path], write, steps: _Steps) -> list[Path]:
        """Wait for the child: the ``expected`` paths it wrote, or ``write()`` here when it failed."""
        self.process.join()
        gc.unfreeze()
        if self.process.exitcode == 0 and all(path.is_file() for path in expected):
            for _ in expected:
                steps.done()
            return expected
        return write()

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()
        gc.unfreeze()  # (a second time is harmless)


def _quietly(write) -> None:
    """The child's work: on any failure exit 1 without a traceback (the parent then does it)."""
    try:
        write()
    except BaseException:  # noqa: BLE001 (the parent repeats the work and meets the error itself)
        os._exit(1)
    os._exit(0)
