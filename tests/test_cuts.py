"""Every cut, every stage: forms cut off at a line (text) or a row (workbook) go through the whole
``audit --out --ledger`` command with exit 0 or 2, never a traceback.

Cutting at every line of every form and running the whole command on each cut takes minutes, so the
CI sweep cuts at every section boundary of every real form (just before and just after the line or
row holding a section title, a level-1 indicator label, a header label or a year) plus a sample
drawn with a fixed seed; the PDF fixtures are cut after their first page. Each cut is loaded on its
own (a cut that holds no form is a one-line error); the cuts that load are then audited together, as
one archive, through every stage and every export, and a few are audited alone (as a user would run
them).
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from perfaudit.cli import main
from perfaudit.limits import Limits
from perfaudit.load import _parse_file
from perfaudit.readers.cells import ReadError
from perfaudit.vocab import read_vocab
from tests.conftest import DONGKENG, ROOT, ZHANJIANG_2023, ZHANJIANG_2024

CLEAN = ROOT / "tests" / "forms" / "clean.txt"
REAL_FORMS = [DONGKENG, CLEAN, ZHANJIANG_2023, ZHANJIANG_2024]
# PDFs are cut after their first page (reading a PDF costs a second a page: a sample, not every page).
PDF_FIXTURES = [
    ROOT / "tests" / "fixtures" / "pdf" / f"{name}.pdf" for name in ("dongkeng-fulian-2024", "zhanjiang-renshe-2024")
]
SEED = 16
SAMPLE_PER_FORM = 3
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")


def _marks() -> tuple[str, ...]:
    """Text that starts a part of the form: section titles, level-1 labels, header labels."""
    words = [row["label"] for row in read_vocab("sections")]
    words += [row["raw"] for row in read_vocab("level_labels") if row["level"] == "1"]
    words += [row["label"] for row in read_vocab("info_labels")]
    return tuple(w for w in words if len(w) >= 4)


def _is_boundary(text: str) -> bool:
    squeezed = re.sub(r"\s+", "", text)
    return bool(_YEAR.search(squeezed)) or any(mark in squeezed for mark in _marks())


def _row_texts(path: Path) -> list[str]:
    """The text of each line (text form) or each row (first sheet of a workbook)."""
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8").splitlines()
    book = load_workbook(path)
    sheet = book.worksheets[0]
    return [" ".join(str(c.value) for c in row if c.value is not None) for row in sheet.iter_rows()]


def cut_points(path: Path) -> list[int]:
    """Where to cut (keep the first k lines or rows): around every boundary and a seeded sample."""
    texts = _row_texts(path)
    points = {0, 1, len(texts)}
    for number, text in enumerate(texts, start=1):
        if _is_boundary(text):
            points.update({number - 1, number})  # just before and just after it
    rest = sorted(set(range(len(texts) + 1)) - points)
    points.update(random.Random(f"{SEED}-{path.name}").sample(rest, min(SAMPLE_PER_FORM, len(rest))))
    return sorted(p for p in points if 0 <= p <= len(texts))


def write_cut(path: Path, keep: int, folder: Path) -> Path:
    """The form with only its first ``keep`` lines (text), rows (every sheet of a workbook) or pages."""
    target = folder / f"{path.stem}-cut{keep:03d}{path.suffix}"
    if path.suffix == ".pdf":
        import pypdfium2

        source, cut = pypdfium2.PdfDocument(str(path)), pypdfium2.PdfDocument.new()
        cut.import_pages(source, list(range(keep)))
        cut.save(str(target))
        cut.close()
        source.close()
        return target
    if path.suffix == ".txt":
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        target.write_text("".join(lines[:keep]), encoding="utf-8")
        return target
    book = load_workbook(path)
    for sheet in book.worksheets:
        for merged in list(sheet.merged_cells.ranges):
            if merged.max_row > keep:  # a merge reaching past the cut is not a merge any more
                sheet.unmerge_cells(str(merged))
        if sheet.max_row > keep:
            sheet.delete_rows(keep + 1, sheet.max_row - keep)
    book.save(target)
    return target


def run_cli(*args: str) -> tuple[int, str]:
    """``perfaudit *args`` in this process: (exit status, stderr). A traceback fails the test."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, err.getvalue()


def assert_one_line_error(status: int, stderr: str) -> None:
    assert status == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("perfaudit:"), stderr
    assert "Traceback" not in stderr


@pytest.fixture(scope="module")
def cuts(tmp_path_factory) -> dict[str, list[Path]]:
    """Every cut written once: ``loads`` (a form was found) and ``refused`` (a ReadError)."""
    folder = tmp_path_factory.mktemp("cuts")
    found: dict[str, list[Path]] = {"loads": [], "refused": []}
    cuts = [(form, keep) for form in REAL_FORMS for keep in cut_points(form)] + [(pdf, 1) for pdf in PDF_FIXTURES]
    for form, keep in cuts:
        cut = write_cut(form, keep, folder)
        try:  # what load does per file, without building the tables (a tenth of the time)
            _parse_file(cut, Limits(), named=frozenset({cut}))
        except ReadError:
            found["refused"].append(cut)
        else:
            found["loads"].append(cut)
    return found


def test_cut_points_cover_every_section_of_every_form():
    for form in REAL_FORMS:
        texts = _row_texts(form)
        points = set(cut_points(form))
        titled = [n for n, text in enumerate(texts, start=1) if _is_boundary(text)]
        assert len(titled) >= 4, form.name  # the title's year and at least three sections
        assert all({n - 1, n} <= points for n in titled)
        assert cut_points(form) == sorted(points)  # the same cuts on every run (fixed seed)


def test_a_cut_that_holds_no_form_is_a_one_line_error(cuts, tmp_path):
    assert cuts["refused"], "the cut before the first section holds no form"
    for cut in cuts["refused"][:3]:
        assert_one_line_error(*run_cli("audit", str(cut), "--out", str(tmp_path / "out"), "-q"))


def test_every_cut_that_loads_goes_through_every_stage_and_export(cuts, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for cut in cuts["loads"]:
        cut.rename(archive / cut.name)
    out, ledger = tmp_path / "out", tmp_path / "ledger.csv"
    status, stderr = run_cli("audit", str(archive), "--out", str(out), "--ledger", str(ledger), "-q")
    assert status == 0, stderr
    for name in ("findings.json", "findings.csv", "workpaper.xlsx", "report.html", "findings.docx"):
        assert (out / name).stat().st_size > 0
    documents = pd.read_csv(out / "tables" / "documents.csv", encoding="utf-8-sig")
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert len(documents) == len(cuts["loads"])
    # A cut form lacking a year is said so, and the rules needing a missing part are not evaluated.
    assert documents["year"].isna().any() and (documents["year_source"] == "unknown").any()
    assert any(f["status"] == "not_evaluated" and f["year"] is None for f in findings)
    assert ledger.stat().st_size > 0


@pytest.mark.parametrize(
    ("form", "keep"),
    [
        pytest.param(DONGKENG, 40, id="dongkeng-before-any-year"),
    ],
)
def test_one_cut_form_alone(form, keep, tmp_path):
    cut = write_cut(form, keep, tmp_path)
    out = tmp_path / "out"
    status, stderr = run_cli("audit", str(cut), "--out", str(out), "--ledger", str(tmp_path / "l.csv"), "-q")
    assert status == 0, stderr
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    # the missing year is a finding of its own, and the rules needing the missing parts say so
    assert any(f["rule_id"] == "R-COMPLETE-01" and f["check"] == "year" and f["year"] is None for f in findings)
    assert any(f["status"] == "not_evaluated" for f in findings)
