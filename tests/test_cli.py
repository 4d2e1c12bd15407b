"""The command line: exit statuses, outputs, help with examples."""

import subprocess
import sys

import pandas as pd
import pytest

from perfaudit.cli import build_parser, main
from tests.conftest import DATA, DONGKENG


def test_tables_writes_every_table_as_utf8_bom_csv(tmp_path, capsys):
    assert main(["tables", str(DATA), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "东莞市东坑镇妇女联合会" in out and "zhanjiang-renshe-2023" in out
    for name in ("documents", "budget", "goals", "tasks", "task_outputs", "indicators", "leftovers"):
        path = tmp_path / "tables" / f"{name}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    tasks = pd.read_csv(tmp_path / "tables" / "tasks.csv", encoding="utf-8-sig")
    assert len(tasks) == 14 and "妇联专项" in set(tasks["name"])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(b"\x00\x01binary", "binary file", id="binary"),
        pytest.param("会议纪要\n今天开会。\n".encode(), "no 绩效目标表 found", id="unknown-layout"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(tmp_path, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "perfaudit.cli", "tables", str(bad), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and reason in lines[0]
    assert "Traceback" not in result.stderr
    assert bad.read_bytes() == content  # input untouched


def test_convert_writes_a_workbook(tmp_path, capsys):
    out = tmp_path / "d.xlsx"
    assert main(["convert", str(DONGKENG), "--out", str(out), "-q"]) == 0
    assert out.exists() and capsys.readouterr().out == ""


@pytest.mark.parametrize("command", ["audit", "rules", "tables", "convert"])
def test_every_command_documents_an_example(command):
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices[command]
    assert "example:" in sub.format_help() and f"perfaudit {command}" in sub.format_help()


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("perfaudit ")


def test_audit_writes_findings_and_exits_0(tmp_path, capsys):
    assert main(["audit", str(DATA), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "R-ARITH-03" in out and "106.64 万元" in out and "(L44-152)" in out
    assert (tmp_path / "findings.json").exists() and (tmp_path / "findings.csv").exists()
    assert (tmp_path / "tables" / "indicators.csv").exists()


@pytest.mark.parametrize(("fail_on", "status"), [("error", 1), ("warning", 1)])
def test_fail_on_turns_findings_into_an_exit_status(tmp_path, fail_on, status):
    assert main(["audit", str(DATA), "--out", str(tmp_path), "--fail-on", fail_on, "-q"]) == status


def test_fail_on_error_passes_a_form_with_only_warnings(tmp_path):
    from tests.conftest import ZHANJIANG_2024

    assert main(["audit", str(ZHANJIANG_2024), "--out", str(tmp_path), "--fail-on", "error", "-q"]) == 0
    assert main(["audit", str(ZHANJIANG_2024), "--out", str(tmp_path), "--fail-on", "warning", "-q"]) == 1


def test_rules_prints_the_rulebook(capsys):
    assert main(["rules", "--severity", "error"]) == 0
    out = capsys.readouterr().out
    assert "R-ARITH-02" in out and "收支平衡" in out and "R-QUANT-02" in out
    assert "R-FORMAT-03" not in out  # info, filtered out


def test_broken_rulebook_exits_2_with_one_line(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "goals.json").write_text(
        '{"name": "goals", "expectations": [{"type": "expect_nothing"}]}', encoding="utf-8"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfaudit.cli",
            "audit",
            str(DONGKENG),
            "--out",
            str(tmp_path / "o"),
            "--rulebook",
            str(book),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "goals.json" in result.stderr
