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


@pytest.mark.parametrize("command", ["tables", "convert"])
def test_every_command_documents_an_example(command):
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices[command]
    assert "example:" in sub.format_help() and f"perfaudit {command}" in sub.format_help()


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("perfaudit ")
