"""The benchmark: load, audit and export 1, 100, 1,000 and 10,000 forms; recall; cold start.

    .venv/bin/python -m benchmarks.run --sizes 1 100 1000 10000      # measure, print, write README
    .venv/bin/python -m benchmarks.run --sizes 1000 --check           # rerun and compare with the record
    .venv/bin/python -m benchmarks.run --sizes 1000 --profile         # also print where the time goes

Each size runs in a fresh process (``--worker``), so peak memory (``ru_maxrss``) is that size's
and no cache is warm. Inside it the package's own functions are timed by wrapping them, not by
re-implementing the audit: ``perfaudit.load._parse_file`` per file type, and ``derive``,
``validate`` and ``build_findings`` as ``perfaudit.audit`` calls them. The plain-pandas
reference (:mod:`benchmarks.reference`) then evaluates the same suites on the same derived
frames in the same process, and both must name the same failing rows. Wall-clock and CPU
time are both recorded: the machine is shared, and CPU time is what another process's load
does not inflate.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import importlib
import importlib.util
import inspect
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.generate import Settings, cached_corpus, read_corpus

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
TARGETS = {
    "e2e_10k_s": 60.0,
    "peak_10k_mb": 2048.0,
    "growth": 1.5,
    "rules_vs_reference": 2.0,
    "cold_start_gap_s": 1.5,
    "all_1k_s": 30.0,
    "all_10k_s": 180.0,
    "all_100k_s": 1800.0,
    "peak_100k_mb": 8192.0,
    "export_growth": 1.5,
}


# --- timing inside a worker -------------------------------------------------------------------


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (load(jobs=...) reads in a pool)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Timers:
    """Wall and CPU seconds per label, summed over calls."""

    def __init__(self):
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    @contextlib.contextmanager
    def time(self, label: str):
        wall, cpu = time.perf_counter(), _cpu()
        try:
            yield
        finally:
            self.wall[label] += time.perf_counter() - wall
            self.cpu[label] += _cpu() - cpu
            self.calls[label] += 1

    def wrap(self, module, name: str, label: str, keep: list | None = None) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            with self.time(label(args) if callable(label) else label):
                result = original(*args, **kwargs)
            if keep is not None:
                keep.append((args, result))
            return result

        setattr(module, name, timed)

    def as_dict(self) -> dict:
        return {
            k: {"wall": round(self.wall[k], 4), "cpu": round(self.cpu[k], 4), "calls": self.calls[k]} for k in self.wall
        }


def _instrument(timers: Timers, validations: list, per_file: bool = True) -> None:
    # importlib, not ``import perfaudit.load as m``: the package re-exports functions named
    # like their modules (perfaudit.load, perfaudit.audit), which shadow the module attribute.
    audit_module = importlib.import_module("perfaudit.audit")
    derive_module = importlib.import_module("perfaudit.derive")
    load_module = importlib.import_module("perfaudit.load")

    if per_file:  # not with load(jobs=...): a pool pickles _parse_file by name, and a wrapper has none
        timers.wrap(load_module, "_parse_file", lambda args: f"load:{Path(args[0]).suffix.lower()}")
    for name in ("read_rules", "derive", "build_findings"):
        if hasattr(audit_module, name):
            timers.wrap(audit_module, name, f"audit:{name}")
    if hasattr(audit_module, "validate"):
        timers.wrap(audit_module, "validate", lambda args: f"rules:{args[2]}", keep=validations)
    for name, value in list(vars(derive_module).items()):
        if callable(value) and getattr(value, "__module__", "").startswith("perfaudit.derive.") and name != "derive":
            timers.wrap(derive_module, name, f"derive:{name}")


def worker(n: int, root: Path, out: Path, profile: bool, export_budget: float, load_jobs: int) -> None:
    """Measure one size in this process and write the numbers to ``out`` (JSON)."""
    timers = Timers()
    with timers.time("import:perfaudit"):
        import perfaudit as pa
    with timers.time("import:great_expectations"):
        from perfaudit.rules.gx import import_gx

        import_gx()
    corpus = read_corpus(root, n)
    validations: list = []
    _instrument(timers, validations, per_file=load_jobs == 1)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    accepted = inspect.signature(pa.load).parameters
    load_kwargs = {"progress": False} if "progress" in accepted else {}
    if load_jobs > 1:
        if "jobs" not in accepted:
            raise SystemExit("--load-jobs: this perfaudit's load() takes no jobs argument")
        load_kwargs["jobs"] = load_jobs
    with timers.time("load"):
        forms = pa.load(corpus.paths, **load_kwargs)
    with timers.time("audit"):
        result = pa.audit(forms)
    if profiler is not None:
        profiler.disable()
    # The target is memory for loading and auditing; the export (charts) is measured apart.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    export_done = _export(result, timers, export_budget)
    peak_export_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rules = _rule_stage(result, validations)
    from benchmarks.score import score

    recall = score(result.findings, corpus.answers, corpus.forms)
    data = {
        "n": n,
        "perfaudit": str(Path(pa.__file__).parent),
        "commit": _git_commit(),  # per size: the tree may change while a long run goes on
        "load_jobs": load_jobs,
        "layouts": {k: sum(f["layout"] == k for f in corpus.forms) for k in ("txt", "xlsx")},
        "rows": {name: len(frame) for name, frame in forms.tables.items()},
        "frames": {name: len(frame) for name, frame in result.frames.items()},
        "findings": int((result.findings["status"] == "open").sum()),
        "target_forms": sum(not f["doc_id"].endswith("-ziping") for f in corpus.forms),
        "export_done": export_done,
        "export_budget_s": export_budget,
        "timers": timers.as_dict(),
        "peak_mb": round(peak_mb, 1),
        "peak_export_mb": round(peak_export_mb, 1),
        "rules": rules,
        "recall": {
            "by_family": recall["by_family"].to_dict("records"),
            "by_defect": recall["by_defect"].to_dict("records"),
            **{
                k: recall[k]
                for k in ("clean_forms", "clean_forms_flagged", "false_alarms", "echoes", "side_effects", "unexplained")
            },
        },
    }
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    if profiler is not None:
        _print_profile(profiler, n)


class _OverBudget(Exception):
    pass


def _export(result, timers: Timers, budget: float) -> bool:
    """Time ``result.export``, its parts as well; give up after ``budget`` seconds (False then)."""
    common = importlib.import_module("perfaudit.export") if _has_module("perfaudit.export") else None
    if common is not None:
        for name in ("write_tables", "findings_records"):
            if hasattr(common, name):
                timers.wrap(common, name, f"export:{name}")
        for module, name in (
            ("perfaudit.export.common", "write_chart_images"),
            ("perfaudit.export.workpaper", "export_workpaper"),
            ("perfaudit.export.report", "export_report"),
            ("perfaudit.export.worddoc", "export_findings_docx"),
            ("perfaudit.export.worddoc", "export_department_drafts"),
            ("perfaudit.export.report", "export_department_pages"),
        ):
            if _has_module(module):
                mod = importlib.import_module(module)
                # the package calls the name it imported: time that one (else the module's own)
                owner = common if common is not None and hasattr(common, name) else mod
                if hasattr(owner, name):
                    timers.wrap(owner, name, f"export:{name}")

    def stop(signum, frame):
        raise _OverBudget

    folder = Path(tempfile.mkdtemp(prefix="perfaudit-bench-export-"))
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        with timers.time("export"):
            result.export(folder)
        return True
    except _OverBudget:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        shutil.rmtree(folder, ignore_errors=True)


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _export_text(entry: dict, unit: str = " s") -> str:
    seconds = entry["timers"]["export"]["wall"]
    if entry.get("export_done", True):
        return f"{seconds:.2f}{unit}"
    return f"> {seconds:.0f}{unit} (stopped)"


def _rule_stage(result, validations: list) -> dict:
    """The rule stage once more, warm, through GX and through the pandas reference (best of 2)."""
    from benchmarks import reference
    from perfaudit.rules import read_rules, validate

    suites = read_rules()
    frames = result.frames
    gx_times, ref_times, gx_cpu, ref_cpu = [], [], [], []
    gx_rows: dict[str, list] = {}
    for _ in range(2):
        wall, cpu = time.perf_counter(), time.process_time()
        for name, rules in suites.items():
            for item in validate(frames[name], rules, name):
                gx_rows[item.rule.key] = [int(i) for i in item.failed_rows]
        gx_times.append(time.perf_counter() - wall)
        gx_cpu.append(time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        ref_rows = reference.evaluate(frames, suites)
        ref_times.append(time.perf_counter() - wall)
        ref_cpu.append(time.process_time() - cpu)
    in_audit = {item.rule.key: [int(i) for i in item.failed_rows] for _, results in validations for item in results}
    return {
        "gx_s": round(min(gx_times), 4),
        "gx_cpu_s": round(min(gx_cpu), 4),
        "reference_s": round(min(ref_times), 6),
        "reference_cpu_s": round(min(ref_cpu), 6),
        "ratio": round(min(gx_times) / max(min(ref_times), 1e-9), 1),
        "rule_count": sum(len(r) for r in suites.values()),
        "disagree": reference.compare(gx_rows, ref_rows),
        "disagree_in_audit": reference.compare(in_audit, ref_rows),
        "failing_rows": sum(len(v) for v in ref_rows.values()),
    }


def _print_profile(profiler, n: int) -> None:
    import io
    import pstats

    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(r"perfaudit|great_expectations/validator|openpyxl/reader", 35)
    print(f"--- profile of load + audit, N = {n} (cumulative seconds, under cProfile) ---")
    print(stream.getvalue())


# --- cold start -------------------------------------------------------------------------------


def _timed_run(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cold_start(form: Path, repeat: int) -> dict:
    """One form from the CLI, against ``python -c "import great_expectations"`` (medians)."""
    python = sys.executable
    cli = str(Path(python).parent / "perfaudit")
    out = Path(tempfile.mkdtemp(prefix="perfaudit-bench-cli-"))
    runs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    commands = {
        "import_gx": [python, "-c", "import great_expectations"],
        "import_perfaudit": [python, "-c", "import perfaudit"],
        "cli_audit": [cli, "audit", str(form), "--out", str(out)],
    }
    try:
        for _ in range(repeat):  # interleaved, so that a burst of load hits all three alike
            for name, command in commands.items():
                runs[name].append(_timed_run(command))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    result = {
        name: {
            "wall": round(statistics.median(w for w, _ in values), 3),
            "cpu": round(statistics.median(c for _, c in values), 3),
        }
        for name, values in runs.items()
    }
    result["gap_wall"] = round(result["cli_audit"]["wall"] - result["import_gx"]["wall"], 3)
    result["gap_cpu"] = round(result["cli_audit"]["cpu"] - result["import_gx"]["cpu"], 3)
    result["form"] = form.name
    return result


_PEAK = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


class TreeMemory:
    """The peak memory of a process and all its descendants together, sampled twice a second.

    Each process counts its proportional set size (``Pss`` in ``/proc/PID/smaps_rollup``): pages
    shared by a forked child and its parent count half to each, so the sum is the memory the
    run takes from the machine. ``peak_mb`` is None where /proc does not tell it (not Linux).
    """

    def __init__(self, pid: int, every_s: float = 0.5):
        self.pid, self.every_s, self.peak_mb = pid, every_s, None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(self.every_s):
            kb = [_pss_kb(pid) for pid in _descendants(self.pid)]
            if kb[0] is not None:  # the run's own process tells it: /proc has Pss here
                total = round(sum(k or 0 for k in kb) / 1024, 1)
                self.peak_mb = max(self.peak_mb or 0.0, total)


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux: /proc/PID/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in task.read_text().split())
    return found


def _pss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def command_line(corpus, n: int) -> dict:
    """``perfaudit audit <the first n forms> --out OUT``, as an auditor runs it: wall time and peak.

    The forms are linked into a folder of their own. The peak is that of the largest process
    of the run (the main one, the chart process or a reading worker), taken by a parent that
    only waits for it.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"perfaudit-bench-cli-{n}-"))
    try:
        (folder / "forms").mkdir()
        for path in corpus.paths[: _files_of_first(corpus, n)]:
            (folder / "forms" / path.name).symlink_to(path)
        cli = str(Path(sys.executable).parent / "perfaudit")
        command = [sys.executable, "-c", _PEAK, cli, "audit", str(folder / "forms"), "--out", str(folder / "out")]
        start = time.perf_counter()
        process = subprocess.Popen([*command, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with TreeMemory(process.pid) as memory:
            stdout, _ = process.communicate()
        wall = time.perf_counter() - start
        outputs = [p for p in (folder / "out").rglob("*") if p.is_file()]
        return {
            "wall_s": round(wall, 2),
            "exit": process.returncode,
            "peak_mb": round(int(stdout.strip().splitlines()[-1]) / 1024, 1),
            "tree_peak_mb": memory.peak_mb,
            "files": len(outputs),
            "mb_written": round(sum(p.stat().st_size for p in outputs) / 2**20, 1),
            "largest_page_kb": round(max((p.stat().st_size for p in outputs if p.suffix == ".html"), default=0) / 1024),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def command_lines(sizes: list[int], settings: Settings, jobs: int | None) -> int:
    """``--cli-only``: the command line on the first N forms of the archive, for each size; printed."""
    start = time.perf_counter()
    corpus = cached_corpus(max(sizes), settings, jobs)
    print(f"corpus: {max(sizes)} forms in {corpus.root} (ready in {time.perf_counter() - start:.1f} s)", flush=True)
    for n in sizes:
        before = os.getloadavg()[0]
        c = command_line(corpus, n)
        print(
            f"N={n:,}: {_files_of_first(corpus, n):,} files; perfaudit audit --out: {c['wall_s']:.1f} s, exit "
            f"{c['exit']}, peak {c['peak_mb']:,.0f} MB (largest process), {_tree_text(c)} all processes, "
            f"{c['files']:,} files and "
            f"{c['mb_written']:,.1f} MB written, largest HTML page {c['largest_page_kb']:,} KB; "
            f"load average {before:.1f}–{os.getloadavg()[0]:.1f}",
            flush=True,
        )
    return 0


def _tree_text(entry: dict) -> str:
    peak = entry.get("tree_peak_mb")
    return "—" if peak is None else f"{peak:,.0f} MB"


def _files_of_first(corpus, n: int) -> int:
    """How many of the corpus's paths belong to its first ``n`` forms (self-evaluations follow theirs)."""
    forms = 0
    for count, meta in enumerate(corpus.forms, start=1):
        forms += not meta["doc_id"].endswith("-ziping")
        if forms > n:
            return count - 1
    return len(corpus.forms)


# --- the run ----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GB"
    import great_expectations
    import pandas

    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "great_expectations": great_expectations.__version__,
        "commit": _git_commit(),
    }


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "perfaudit", "expectations"],
            capture_output=True,
            text=True,
            cwd=HERE.parent,
        ).stdout.strip()
    except OSError:
        return ""
    return head + (" + uncommitted changes in perfaudit/ or expectations/" if dirty else "")


def run_sizes(
    sizes: list[int],
    settings: Settings,
    profile: bool,
    jobs: int | None,
    export_budget: float,
    load_jobs: int,
    cli: bool = True,
) -> dict:
    start = time.perf_counter()
    corpus = cached_corpus(max(sizes), settings, jobs)
    generated = time.perf_counter() - start
    print(f"corpus: {max(sizes)} forms in {corpus.root} (ready in {generated:.1f} s)", flush=True)
    results = {}
    for n in sizes:
        out = Path(tempfile.mkstemp(prefix=f"perfaudit-bench-{n}-", suffix=".json")[1])
        load_before = os.getloadavg()[0]
        command = [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--worker",
            str(n),
            "--root",
            str(corpus.root),
            "--json",
            str(out),
        ]
        command += ["--export-budget", str(export_budget), "--load-jobs", str(load_jobs)]
        command += ["--profile"] if profile else []
        wall = time.perf_counter()
        subprocess.run(command, check=True, cwd=HERE.parent)
        data = json.loads(out.read_text(encoding="utf-8"))
        out.unlink()
        data["process_wall_s"] = round(time.perf_counter() - wall, 2)
        data["loadavg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        if cli:
            data["cli"] = command_line(corpus, n)
        results[str(n)] = data
        print(format_size_line(data), flush=True)
    first_txt = next(p for p in corpus.paths if p.suffix == ".txt")
    return {"corpus": corpus.root.name, "generation_s": round(generated, 1), "sizes": results, "first_txt": first_txt}


def summarise(data: dict) -> dict:
    """Derived numbers and the targets: per-form cost, growth, ratio, cold-start gap."""
    sizes = data["sizes"]
    for entry in sizes.values():
        t = entry["timers"]
        entry["load_s"] = t["load"]["wall"]
        entry["audit_s"] = t["audit"]["wall"]
        entry["export_s"] = t["export"]["wall"]
        entry["e2e_s"] = round(entry["load_s"] + entry["audit_s"], 3)
        entry["all_s"] = round(entry["e2e_s"] + entry["export_s"], 3)
        entry["e2e_cpu_s"] = round(t["load"]["cpu"] + t["audit"]["cpu"], 3)
        entry["per_form_ms"] = round(1000 * entry["e2e_s"] / entry["n"], 2)
        entry["per_form_cpu_ms"] = round(1000 * entry["e2e_cpu_s"] / entry["n"], 2)
        derive = sum(v["wall"] for k, v in t.items() if k == "audit:derive")
        rules = sum(v["wall"] for k, v in t.items() if k.startswith("rules:"))
        entry["derive_s"], entry["rules_s"] = round(derive, 3), round(rules, 3)
        entry["findings_s"] = t.get("audit:build_findings", {}).get("wall", 0.0)
    checks = {}
    big, mid = sizes.get("10000"), sizes.get("1000")
    if big:
        checks["e2e_10k_s"] = big["e2e_s"]
        checks["peak_10k_mb"] = big["peak_mb"]
        checks["rules_vs_reference"] = big["rules"]["ratio"]
    if big and mid:
        checks["growth"] = round(big["per_form_ms"] / mid["per_form_ms"], 2)
        checks["growth_cpu"] = round(big["per_form_cpu_ms"] / mid["per_form_cpu_ms"], 2)
    if "cold" in data:
        checks["cold_start_gap_s"] = data["cold"]["gap_wall"]
    # "everything written" is the command line's run when it was measured (it draws the charts in
    # a second process while it audits), else load + audit + export in one process
    for n, key in (("1000", "all_1k_s"), ("10000", "all_10k_s"), ("100000", "all_100k_s")):
        entry = sizes.get(n)
        if entry and "cli" in entry and entry["cli"]["exit"] in (0, 1):
            checks[key] = entry["cli"]["wall_s"]
        elif entry and entry.get("export_done", True):
            checks[key] = entry["all_s"]
    if "100000" in sizes:
        entry = sizes["100000"]
        peaks = [entry.get("peak_export_mb", entry["peak_mb"]), entry.get("cli", {}).get("peak_mb", 0)]
        checks["peak_100k_mb"] = max(peaks)
    largest = max(sizes.values(), key=lambda e: e["n"])
    if mid and largest is not mid and mid["findings"] and largest["findings"] and largest.get("export_done", True):
        per_finding = [e["export_s"] / e["findings"] for e in (largest, mid)]
        checks["export_growth"] = round(per_finding[0] / per_finding[1], 2)
    data["checks"] = checks
    return data


def format_size_line(entry: dict) -> str:
    t = entry["timers"]
    e2e = t["load"]["wall"] + t["audit"]["wall"]
    return (
        f"N={entry['n']:>6}: {_per_form(entry):.1f} findings a form, "
        f"load {t['load']['wall']:.2f} s, audit {t['audit']['wall']:.2f} s, "
        f"export {_export_text(entry)}, "
        f"load+audit {e2e:.2f} s ({1000 * e2e / entry['n']:.1f} ms/form), peak {entry['peak_mb']:.0f} MB, "
        f"rules GX {entry['rules']['gx_s']:.3f} s vs pandas {entry['rules']['reference_s']:.4f} s"
        + (f"; command line {entry['cli']['wall_s']:.1f} s, {entry['cli']['peak_mb']:.0f} MB" if "cli" in entry else "")
    )


def _mix_text(settings: dict) -> str:
    if settings.get("mix", "clean") == "real":
        return "the realistic defect mix (vocab/density.csv)"
    return f"{settings['defect_rate']:.0%} of forms with one defect"


def _per_form(entry: dict) -> float:
    """Open findings per file loaded (target forms and self-evaluations)."""
    files = entry["layouts"]["txt"] + entry["layouts"]["xlsx"]
    return entry["findings"] / max(1, files)


def _export_per_finding(entry: dict) -> str:
    """Export milliseconds per open finding."""
    if not entry.get("export_done", True) or not entry["findings"]:
        return "—"
    return f"{1000 * entry['timers']['export']['wall'] / entry['findings']:.2f}"


def tables(data: dict) -> str:
    """The results as markdown (printed and written to the README)."""
    m = data["machine"]
    s = data["settings"]
    measured = next(iter(data["sizes"].values())).get("perfaudit", "")
    commits = list(dict.fromkeys(e.get("commit", m["commit"]) for e in data["sizes"].values()))
    m = {**m, "commit": " then ".join(commits)}
    if measured and Path(measured) != HERE.parent / "perfaudit":
        m["commit"] += f" — but the package measured is {measured}"
    lines = [
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['memory']}), Python {m['python']}, "
        f"pandas {m['pandas']}, great-expectations {m['great_expectations']}, perfaudit at {m['commit']}.",
        f"Corpus `{data['corpus']}`: seed {s['seed']}, {s['xlsx_share']:.0%} .xlsx, {_mix_text(s)}, "
        f"{s['years']} years per department. Command: `{data['command']}`.",
        "",
        "| N | txt / xlsx | findings a file | load s | derive s | rules s | findings s | audit s | export s | "
        "export ms a finding | load+audit s | everything s | per form ms | CPU per form ms | peak MB (load+audit / with export) | "
        "load avg |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for entry in data["sizes"].values():
        lines.append(
            f"| {entry['n']:,} | {entry['layouts']['txt']} / {entry['layouts']['xlsx']} | {_per_form(entry):.1f} | "
            f"{entry['load_s']:.2f} | "
            f"{entry['derive_s']:.2f} | {entry['rules_s']:.2f} | {entry['findings_s']:.2f} | {entry['audit_s']:.2f} | "
            f"{_export_text(entry, unit='')} | {_export_per_finding(entry)} | {entry['e2e_s']:.2f} | "
            f"{entry['all_s']:.2f} | "
            f"{entry['per_form_ms']:.1f} | "
            f"{entry['per_form_cpu_ms']:.1f} | "
            f"{entry['peak_mb']:.0f} / {entry.get('peak_export_mb', entry['peak_mb']):.0f} | "
            f"{entry['loadavg'][0]:.1f}–{entry['loadavg'][1]:.1f} |"
        )
    if any("cli" in e for e in data["sizes"].values()):
        lines += [
            "",
            "The command line, as an auditor runs it (`perfaudit audit FOLDER --out OUT --quiet`, a fresh process: "
            "reading in parallel, charts drawn in a second process while it audits):",
            "",
            "| N | findings | everything written s | peak MB (largest process) | peak MB (all processes) | "
            "files written | MB written | largest HTML page KB | exit |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for entry in data["sizes"].values():
            if "cli" in entry:
                c = entry["cli"]
                lines.append(
                    f"| {entry['n']:,} | {entry['findings']:,} | {c['wall_s']:.1f} | {c['peak_mb']:,.0f} | "
                    f"{_tree_text(c).removesuffix(' MB')} | {c['files']:,} | {c['mb_written']:,.1f} | {c['largest_page_kb']:,} | {c['exit']} |"
                )
    lines += [
        "",
        "Load per file type (ms per form, wall; not timed with --load-jobs): "
        + ", ".join(
            f"N={e['n']:,}: "
            + " / ".join(
                f"{k[5:]} {1000 * v['wall'] / max(v['calls'], 1):.1f}"
                for k, v in sorted(e["timers"].items())
                if k.startswith("load:")
            )
            for e in data["sizes"].values()
        )
        + ".",
        "",
        "Rule stage, warm, best of two: the package's `validate` (GX) against the plain-pandas reference "
        "on the same frames.",
        "",
        "| N | rules | GX s | pandas s | GX / pandas | failing rows | rules where the two disagree |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for entry in data["sizes"].values():
        r = entry["rules"]
        lines.append(
            f"| {entry['n']:,} | {r['rule_count']} | {r['gx_s']:.3f} | {r['reference_s']:.4f} | {r['ratio']:.0f}× | "
            f"{r['failing_rows']:,} | {', '.join(r['disagree']) or 'none'} |"
        )
    if "cold" in data:
        c = data["cold"]
        lines += [
            "",
            f"Cold start (median of {data['cold_repeat']}, form `{c['form']}`): `perfaudit audit` one form "
            f"{c['cli_audit']['wall']:.2f} s (CPU {c['cli_audit']['cpu']:.2f} s); "
            '`python -c "import great_expectations"` '
            f"{c['import_gx']['wall']:.2f} s (CPU {c['import_gx']['cpu']:.2f} s); `import perfaudit` "
            f"{c['import_perfaudit']['wall']:.2f} s. Gap {c['gap_wall']:.2f} s (CPU {c['gap_cpu']:.2f} s).",
        ]
    lines += ["", "| target | goal | measured | met |", "| --- | ---: | ---: | --- |"]
    names = {
        "e2e_10k_s": ("10,000 forms loaded and audited", "< 60 s"),
        "peak_10k_mb": ("peak memory at 10,000", "< 2,048 MB"),
        "growth": ("per-form cost at 10,000 / at 1,000", "≤ 1.5×"),
        "rules_vs_reference": ("rule stage at 10,000, GX / pandas", "≤ 2×"),
        "cold_start_gap_s": ("one-form CLI minus bare GX import", "≤ 1.5 s"),
        "all_1k_s": ("1,000 forms loaded, audited and exported", "< 30 s"),
        "all_10k_s": ("10,000 forms loaded, audited and exported", "< 180 s"),
        "all_100k_s": ("100,000 forms loaded, audited and exported", "< 1,800 s"),
        "peak_100k_mb": ("peak memory at 100,000, with the export", "< 8,192 MB"),
        "export_growth": ("export time per finding, largest N / 1,000", "≤ 1.5×"),
    }
    for key, (label, goal) in names.items():
        if key in data["checks"]:
            value = data["checks"][key]
            met = "yes" if value <= TARGETS[key] else "**no**"
            unit = " MB" if key.endswith("_mb") else " s" if key.endswith("_s") else "×"
            lines.append(f"| {label} | {goal} | {value:,.2f}{unit} | {met} |")
    if "growth_cpu" in data["checks"]:
        lines.append(f"| per-form CPU time at 10,000 / at 1,000 | ≤ 1.5× | {data['checks']['growth_cpu']:.2f}× | |")
    largest = max(data["sizes"].values(), key=lambda e: e["n"])
    rec = largest["recall"]
    lines += [
        "",
        f"Recall at N = {largest['n']:,} ({sum(r['injected'] for r in rec['by_family'])} injected defects; "
        "found = an open "
        "finding of the expected rule on the form; located = its source reference covers the edited line or cell):",
        "",
        "| family | injected | found | recall | located / locatable |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rec["by_family"]:
        lines.append(
            f"| {r['family']} | {r['injected']} | {r['found']} | {r['recall']:.0%} | "
            f"{r['located']} / {r['locatable']} |"
        )
    missed = [r for r in rec["by_defect"] if r["found"] < r["injected"]]
    if missed:
        lines.append("")
        lines.append(
            "Defects not always found: "
            + "; ".join(f"{r['defect']} {r['found']}/{r['injected']}" for r in missed)
            + "."
        )
    alarms = ", ".join(f"{k} {v}" for k, v in rec["false_alarms"].items()) or "none"
    lines += [
        "",
        f"False alarms on the {rec['clean_forms']:,} clean forms: {rec['clean_forms_flagged']:,} forms flagged; "
        f"findings by rule: {alarms}.",
        "Other findings on defective forms that the defect does not explain: "
        + (", ".join(f"{k} {v}" for k, v in rec["unexplained"].items()) or "none")
        + ". Year-over-year echoes on the form after a defective one: "
        + (", ".join(f"{k} {v}" for k, v in rec["echoes"].items()) or "none")
        + ".",
    ]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    block = f"{START}\n{text}\n{END}"
    if START in readme:
        head, rest = readme.split(START, 1)
        readme = head + block + rest.split(END, 1)[1]
    else:
        readme = readme.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(readme, encoding="utf-8")


def compare_with_record(data: dict, recorded: dict) -> str:
    """Recorded against rerun, metric by metric, with the relative change."""
    rows = ["| N | metric | recorded | rerun | change |", "| ---: | --- | ---: | ---: | ---: |"]
    for n, entry in data["sizes"].items():
        old = recorded.get("sizes", {}).get(n)
        if not old:
            continue
        for metric in ("load_s", "derive_s", "rules_s", "audit_s", "export_s", "e2e_s", "e2e_cpu_s", "peak_mb"):
            a, b = old.get(metric), entry.get(metric)
            if a is None or b is None:
                continue
            change = (b - a) / a if a else 0.0
            rows.append(f"| {int(n):,} | {metric} | {a:.2f} | {b:.2f} | {change:+.0%} |")
        a, b = old["rules"]["ratio"], entry["rules"]["ratio"]
        rows.append(f"| {int(n):,} | GX / pandas | {a:.0f}× | {b:.0f}× | {(b - a) / a:+.0%} |")
    if "cold" in recorded and "cold" in data:
        a, b = recorded["cold"]["gap_wall"], data["cold"]["gap_wall"]
        rows.append(f"| 1 | cold-start gap s | {a:.2f} | {b:.2f} | {(b - a) / a if a else 0:+.0%} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--xlsx-share", type=float, default=0.5)
    parser.add_argument(
        "--mix", choices=("real", "clean"), default="real", help="defects as real forms carry them (default), or few"
    )
    parser.add_argument("--defect-rate", type=float, default=0.3, help="with --mix clean: share of forms with a defect")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--cold-repeat", type=int, default=5, help="cold-start runs per command (default 5; 0 skips)")
    parser.add_argument("--jobs", type=int, default=None, help="processes generating forms (default: all cores)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary of load + audit per size")
    parser.add_argument(
        "--export-budget", type=float, default=900, help="stop an export after this many seconds (default 900)"
    )
    parser.add_argument("--load-jobs", type=int, default=1, help="pass jobs=N to perfaudit.load (if it takes it)")
    parser.add_argument(
        "--no-cli", action="store_true", help="skip the command-line run (perfaudit audit DIR --out OUT) per size"
    )
    parser.add_argument(
        "--cli-only", action="store_true", help="only the command-line run per size (print it; write nothing)"
    )
    parser.add_argument("--check", action="store_true", help="compare with benchmarks/results.json; write nothing")
    parser.add_argument("--no-write", action="store_true", help="print only; leave README.md and results.json alone")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.root, args.json, args.profile, args.export_budget, args.load_jobs)
        return 0
    settings = Settings(args.seed, args.xlsx_share, args.defect_rate, args.years, mix=args.mix)
    if args.cli_only:
        return command_lines(sorted(args.sizes), settings, args.jobs)
    data = run_sizes(
        sorted(args.sizes), settings, args.profile, args.jobs, args.export_budget, args.load_jobs, not args.no_cli
    )
    first_txt = data.pop("first_txt")
    if args.cold_repeat:
        data["cold"] = cold_start(first_txt, args.cold_repeat)
        data["cold_repeat"] = args.cold_repeat
    data["machine"] = machine()
    data["settings"] = dataclasses.asdict(settings)
    data["command"] = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    data = summarise(data)
    text = tables(data)
    print()
    print(text)
    if args.check:
        recorded = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
        print()
        print(compare_with_record(data, recorded))
        return 0
    if not args.no_write:
        RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        write_readme(text)
        print(f"\nwrote {RESULTS.relative_to(HERE.parent)} and the results block of {README.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
