"""Faults during a run, with real processes: a kill or Ctrl-C during the export leaves the previous
outputs whole, two runs on one ledger never lose a row, a read-only or full disk is one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import perfaudit as pa
from perfaudit.locks import hold, lock_path
from tests.conftest import DONGKENG, ROOT, ZHANJIANG_2024
from tests.test_cuts import assert_one_line_error, run_cli

# Runs the command line with os.replace (the last step of every atomic write) changed by MODE:
# "pause" marks a file and sleeps (the export is then under way: a temp file is written, not moved
# into place), "full" raises ENOSPC, "readonly" raises EACCES.
RUNNER = textwrap.dedent(
    """
    import errno, os, signal, sys, time
    from pathlib import Path

    mode, mark = os.environ["FAULT_MODE"], os.environ.get("FAULT_MARK", "")
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if mode == "pause" and str(dst).endswith("findings.json"):
            Path(mark).write_text(str(src))
            time.sleep(120)
        if mode == "full":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if mode == "readonly":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
        return real_replace(src, dst, *args, **kwargs)

    if __name__ == "__main__":  # not in the chart process, which imports this file again
        # Ctrl-C as on a terminal, even when the tests run in the background (where SIGINT is ignored)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.replace = replace
        from perfaudit.cli import main
        sys.exit(main(sys.argv[1:]))
    """
)


def start(tmp_path: Path, mode: str, *args: str, **popen) -> subprocess.Popen:
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    env = {**os.environ, "FAULT_MODE": mode, "FAULT_MARK": str(tmp_path / "mark"), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(runner), *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen
    )


def wait_for(path: Path, process: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached the export"
        time.sleep(0.05)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A complete export of the 湛江 2024 form, as a folder to export into again."""
    out = tmp_path_factory.mktemp("previous") / "out"
    status, stderr = run_cli("audit", str(ZHANJIANG_2024), "--out", str(out), "-q")
    assert status == 0, stderr
    return out, snapshot(out)


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_a_run_stopped_during_the_export_leaves_the_previous_outputs_whole(previous, tmp_path, sig):
    template, before = previous
    out = tmp_path / "out"
    out.mkdir()
    for name, data in before.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    process = start(tmp_path, "pause", "audit", str(DONGKENG), "--out", str(out), "-q")
    wait_for(tmp_path / "mark", process)
    temp = Path((tmp_path / "mark").read_text())
    assert temp.exists() and temp.parent == out  # the new findings.json is written, not yet in place
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    after = {name: data for name, data in snapshot(out).items() if not name.startswith(".")}
    assert set(after) >= {name for name in before if not name.startswith(".")}
    for name, data in after.items():
        if name.startswith("charts/") and data != before.get(name):
            # the chart process had drawn it anew: a whole PNG, moved into place at once
            assert data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82"), name
        else:
            assert data == before[name], name  # every previous output whole, byte for byte
    json.loads((out / "findings.json").read_text(encoding="utf-8"))
    if sig == signal.SIGINT:
        assert process.returncode == 130
        assert stderr.decode().strip() == "perfaudit: interrupted"
        assert not temp.exists()  # Ctrl-C cleans up its temporary file


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        pytest.param("full", "No space left on device", id="disk-full"),
        pytest.param("readonly", "Permission denied", id="read-only"),
    ],
)
def test_a_full_or_read_only_output_folder_is_one_line(tmp_path, mode, reason):
    process = start(tmp_path, mode, "tables", str(DONGKENG), "--out", str(tmp_path / "out"), "-q")
    _, stderr = process.communicate(timeout=240)
    assert_one_line_error(process.returncode, stderr.decode())
    assert reason in stderr.decode()
    assert not [p for p in (tmp_path / "out").rglob("*.tmp")]  # no temporary file left behind


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    assert_one_line_error(*run_cli("tables", str(DONGKENG), "--out", str(blocker / "sub")))


_COUNTER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from perfaudit.locks import hold

    target = Path(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        with hold(target):
            value = int(target.read_text()) if target.exists() else 0
            target.write_text(str(value + 1))
    """
)


def test_the_lock_serialises_two_real_processes(tmp_path):
    counter = tmp_path / "counter.txt"
    script = tmp_path / "counter.py"
    script.write_text(_COUNTER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, str(script), str(counter), "200"], env=env) for _ in range(2)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    assert counter.read_text() == "400"  # no increment lost to the other process
    assert lock_path(counter).name == ".counter.txt.lock"
    assert not lock_path(counter).exists()  # deleted by its last holder


def _has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (Linux: its /proc/<pid>/fd links)."""
    try:
        return any(os.readlink(fd) == str(path) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # the process is between opening and closing files
        return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see a process wait at the lock")
def test_two_runs_on_one_ledger_keep_every_row_and_decision(tmp_path):
    ledger = tmp_path / "ledger.csv"
    pa.audit(pa.load([DONGKENG]), ledger=ledger)
    decided = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    decided.loc[0, ["status", "note"]] = ["accepted", "已与单位核实"]
    decided.to_csv(ledger, index=False, encoding="utf-8-sig")
    with hold(ledger):  # both runs start while the ledger is held: each must wait for its turn
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "perfaudit.cli", "audit", str(form), "--out", str(tmp_path / f"out{n}"), "-q"]
                + ["--ledger", str(ledger)],
                cwd=ROOT,
                stderr=subprocess.PIPE,
            )
            for n, form in enumerate([DONGKENG, ZHANJIANG_2024])
        ]
        held = ledger.read_bytes()
        deadline = time.monotonic() + 240
        while not all(_has_open(run.pid, lock_path(ledger)) for run in runs):  # both waiting at the lock
            assert all(run.poll() is None for run in runs), [run.communicate()[1] for run in runs]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
        assert all(run.poll() is None for run in runs) and ledger.read_bytes() == held
    errors = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    final = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    assert set(final["department"]) == {"东莞市东坑镇妇女联合会", "湛江市人力资源和社会保障局"}
    row = final[final["finding_id"] == decided.loc[0, "finding_id"]].iloc[0]
    assert (row["status"], row["note"]) == ("accepted", "已与单位核实")


def test_a_run_that_cannot_get_the_lock_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFAUDIT_LOCK_WAIT_S", "0.2")
    out = tmp_path / "out"
    out.mkdir()
    with hold(out):
        status, stderr = run_cli("audit", str(DONGKENG), "--out", str(out), "-q")
    assert_one_line_error(status, stderr)
    assert "another perfaudit run (process" in stderr and ".perfaudit.lock" in stderr


def test_a_form_loaded_twice_gives_one_ledger_row_per_finding(tmp_path):
    folder = tmp_path / "forms"
    for copy in ("a", "b"):
        (folder / copy).mkdir(parents=True)
        (folder / copy / DONGKENG.name).write_bytes(DONGKENG.read_bytes())
    ledger = tmp_path / "ledger.csv"
    first = pa.audit(pa.load(folder), ledger=ledger)
    rows = pd.read_csv(ledger, dtype=str)
    assert rows["finding_id"].is_unique and len(rows) == first.findings["finding_id"].nunique()
    again = pa.audit(pa.load(folder), ledger=ledger)  # the rerun reads its own ledger back
    assert set(again.findings["change"]) == {"persisting"}


def test_an_unexpected_error_is_one_line_with_exit_3(monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(sys.modules["perfaudit.cli"], "load", broken)
    status, stderr = run_cli("tables", str(DONGKENG), "--out", str(tmp_path / "out"))
    assert status == 3
    assert stderr.strip() == (
        "perfaudit: internal error: RuntimeError: a bug over two lines "
        "(a bug: please report it; PERFAUDIT_DEBUG=1 shows where)"
    )
    monkeypatch.setenv("PERFAUDIT_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run_cli("tables", str(DONGKENG), "--out", str(tmp_path / "out"))
