"""Hostile files: each either reads or stops with a one-line reason, within bounded time and memory.

Big files are generated in tmp, never committed: a 200 MB text file is sparse (no disk used), a
zip bomb is a few hundred kilobytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import perfaudit as pa
from perfaudit.limits import Limits, LimitsError
from perfaudit.readers.cells import ReadError
from tests.conftest import DONGKENG, ROOT, ZHANJIANG_2024
from tests.test_cuts import assert_one_line_error, run_cli

PDF = ROOT / "tests" / "fixtures" / "pdf" / "zhanjiang-renshe-2024.pdf"


def refused(path: Path, reason: str, limits: Limits | None = None) -> None:
    """``pa.load`` stops with a ReadError matching ``reason`` within seconds, as does the CLI."""
    started = time.monotonic()
    with pytest.raises(ReadError, match=reason):
        pa.load(path, limits=limits)
    assert time.monotonic() - started < 20


def _rezip(source: Path, target: Path, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a workbook with some parts replaced and others added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, replace.get(item.filename, old.read(item.filename)))
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


def test_a_zip_bomb_posing_as_xlsx_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    refused(bomb, "unzips .* times larger than stored")
    assert_one_line_error(*run_cli("tables", str(bomb), "--out", str(tmp_path / "out")))


def test_a_workbook_over_the_unzipped_limit_is_refused_and_the_limit_is_an_option(tmp_path):
    strings = "".join(f"<si><t>{os.urandom(24).hex()}</t></si>" for _ in range(40_000))
    big = _rezip(
        ZHANJIANG_2024,
        tmp_path / "strings.xlsx",
        {},
        {"xl/extra.xml": f'<sst count="40000">{strings}</sst>'.encode()},
    )
    refused(big, "over the 1 MB limit", Limits(max_unzipped_mb=1))
    assert len(pa.load(big)) == 1  # under the default limits it reads


def test_a_huge_shared_strings_table_reads_in_bounded_time(tmp_path):
    with zipfile.ZipFile(ZHANJIANG_2024) as archive:
        table = archive.read("xl/sharedStrings.xml").decode("utf-8")
    count = int(re.search(r'uniqueCount="(\d+)"', table).group(1))
    extra = "".join(f"<si><t>无用字符串{n}</t></si>" for n in range(200_000))
    table = table.replace("</sst>", extra + "</sst>").replace(
        f'uniqueCount="{count}"', f'uniqueCount="{count + 200_000}"'
    )
    big = _rezip(ZHANJIANG_2024, tmp_path / "huge-strings.xlsx", {"xl/sharedStrings.xml": table.encode()})
    started = time.monotonic()
    forms = pa.load(big)
    assert time.monotonic() - started < 60
    assert forms.tasks["name"].tolist() == pa.load(ZHANJIANG_2024).tasks["name"].tolist()


EXTERNAL_LINK = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>"""
EXTERNAL_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath"
 Target="http://evil.invalid/steal.xlsx" TargetMode="External"/></Relationships>"""


def test_an_external_link_is_never_followed_and_the_form_reads(tmp_path):
    with zipfile.ZipFile(ZHANJIANG_2024) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    link = (
        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>'
    )
    linked = _rezip(
        ZHANJIANG_2024,
        tmp_path / "linked.xlsx",
        {"xl/_rels/workbook.xml.rels": rels.replace("</Relationships>", link).encode()},
        {
            "xl/externalLinks/externalLink1.xml": EXTERNAL_LINK,
            "xl/externalLinks/_rels/externalLink1.xml.rels": EXTERNAL_RELS,
        },
    )
    forms = pa.load(linked)  # no network in the tests: a fetch would fail
    assert forms.tasks["name"].tolist() == pa.load(ZHANJIANG_2024).tasks["name"].tolist()


def _pdf_with_pages(count: int) -> bytes:
    """A valid PDF of ``count`` empty pages, with a correct cross-reference table."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{n + 3} 0 R" for n in range(count))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>")
    objects += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * count
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_a_pdf_of_thousands_of_pages_is_refused_before_reading(tmp_path):
    pdf = tmp_path / "pages.pdf"
    pdf.write_bytes(_pdf_with_pages(3000))
    refused(pdf, "3000 pages, over the limit of 500")
    refused(pdf, "3000 pages, over the limit of 20", Limits(max_pdf_pages=20))


def test_a_pdf_with_a_malformed_xref_reads_or_stops_in_one_line(tmp_path):
    data = PDF.read_bytes()
    start = data.rindex(b"startxref")
    broken = tmp_path / "xref.pdf"
    broken.write_bytes(data[:start] + b"startxref\n999999999\n%%EOF\n")
    started = time.monotonic()
    try:
        forms = pa.load(broken)
    except ReadError as err:
        assert "xref.pdf" in str(err) and "\n" not in str(err)
    else:  # repaired by scanning the file for its objects
        assert len(forms) == 1
    garbled = tmp_path / "garbled.pdf"
    garbled.write_bytes(re.sub(rb"\d{10} \d{5} n", b"abcdefghij 00000 n", data))
    status, stderr = run_cli("tables", str(broken), str(garbled), "--out", str(tmp_path / "out"), "-q")
    assert status in (0, 2) and "Traceback" not in stderr
    assert time.monotonic() - started < 120


def test_a_200_mb_text_file_is_refused_at_once(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: 200 MB long, no disk used
        handle.write("部门整体预算绩效目标表\n".encode())
        handle.truncate(200 * 1024 * 1024)
    refused(huge, r"200\.0 MB is over the 50 MB limit for a form file")
    refused(huge, r"200\.0 MB is over the 100 MB limit for a text form", Limits(max_file_mb=500, max_text_mb=100))
    long_text = tmp_path / "long.txt"  # 3 MB of real text: parsing it would take a minute
    long_text.write_text(DONGKENG.read_text(encoding="utf-8") * 600, encoding="utf-8")
    refused(long_text, r"over the 2 MB limit for a text form \(PERFAUDIT_MAX_TEXT_MB raises it\)")
    assert_one_line_error(*run_cli("audit", str(huge), "--out", str(tmp_path / "out")))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "form.txt"
    os.mkfifo(fifo)
    refused(fifo, "not a regular file")
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(DONGKENG, folder / "form.txt")
    os.mkfifo(folder / "pipe.txt")
    done = subprocess.run(  # a real process: if it waited on the FIFO the timeout would say so
        [sys.executable, "-m", "perfaudit.cli", "tables", str(fifo), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert_one_line_error(done.returncode, done.stderr)
    assert len(pa.load(folder)) == 1  # in a folder a FIFO is not a form file: passed over


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_symbolic_links(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(DONGKENG)
    assert pa.load(link).tasks["name"].tolist() == pa.load(DONGKENG).tasks["name"].tolist()
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    assert_one_line_error(*run_cli("tables", str(dangling), "--out", str(tmp_path / "out")))
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop)
    shutil.copy(DONGKENG, loop / "form.txt")
    assert len(pa.load(loop)) == 1  # a folder linking to itself is not walked forever


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param(["带 空格 的 目录", "表 格 2024.txt"], id="spaces-and-chinese"),
        pytest.param(["a", "..", "b", "form..txt"], id="dot-dot"),
        pytest.param(["深" * 60] * 12 + ["form.txt"], id="long-path"),
        pytest.param(["-form.txt"], id="leading-dash"),
    ],
)
def test_names_and_paths(tmp_path, parts):
    path = tmp_path.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DONGKENG, path)
    out = path.parent / "输出 out"
    status, stderr = run_cli("tables", str(path), "--out", str(out), "-q")
    assert status == 0, stderr
    assert (out / "tables" / "tasks.csv").exists()


def test_every_export_into_a_folder_named_in_chinese_with_spaces(tmp_path):
    folder = tmp_path / "带 空格 的 目录"
    folder.mkdir()
    shutil.copy(DONGKENG, folder / "表 格 2024.txt")
    out = folder / "输出 out"
    status, stderr = run_cli("audit", str(folder / "表 格 2024.txt"), "--out", str(out), "-q")
    assert status == 0, stderr
    assert {"findings.json", "workpaper.xlsx", "report.html", "findings.docx"} <= {p.name for p in out.iterdir()}


def test_a_name_too_long_for_the_file_system_is_one_line(tmp_path):
    name = tmp_path / ("长" * 200 + ".txt")  # 600 bytes: over any file system's 255
    assert_one_line_error(*run_cli("tables", str(name), "--out", str(tmp_path / "out")))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({}, Limits(), id="defaults"),
        pytest.param({"PERFAUDIT_MAX_PDF_PAGES": "2000"}, Limits(max_pdf_pages=2000), id="pages"),
        pytest.param({"PERFAUDIT_MAX_FILE_MB": "0.5"}, Limits(max_file_mb=0.5), id="file-size"),
    ],
)
def test_limits_from_the_environment(environ, expected):
    assert Limits.from_env(environ) == expected


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "inf"])
def test_a_bad_limit_is_a_one_line_error(raw, monkeypatch, tmp_path):
    with pytest.raises(LimitsError, match="PERFAUDIT_MAX_FILE_MB: expected a positive number"):
        Limits.from_env({"PERFAUDIT_MAX_FILE_MB": raw})
    monkeypatch.setenv("PERFAUDIT_MAX_FILE_MB", raw)
    assert_one_line_error(*run_cli("tables", str(DONGKENG), "--out", str(tmp_path / "out")))


def test_a_limit_lowered_in_the_environment_refuses_a_real_form(monkeypatch, tmp_path):
    monkeypatch.setenv("PERFAUDIT_MAX_FILE_MB", "0.001")
    status, stderr = run_cli("tables", str(DONGKENG), "--out", str(tmp_path / "out"))
    assert_one_line_error(status, stderr)
    assert "PERFAUDIT_MAX_FILE_MB" in stderr


def test_a_broken_convert_workbook_is_one_line(tmp_path):
    from openpyxl import load_workbook

    from perfaudit.convert import write_workbook

    book_path = write_workbook(pa.load(DONGKENG), tmp_path / "form.xlsx")
    book = load_workbook(book_path)
    sheet = book["budget"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("amount_yuan") + 1, value="十万")
    book.save(book_path)
    status, stderr = run_cli("tables", str(book_path), "--out", str(tmp_path / "out"), "-q")
    assert status in (0, 2) and "Traceback" not in stderr
    if status == 2:
        assert_one_line_error(status, stderr)
