"""The ``perfaudit`` command line. Every command calls the same functions the notebooks use."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from perfaudit.audit import audit
from perfaudit.convert import write_workbook
from perfaudit.export import write_tables
from perfaudit.export.chartjob import ChartJob
from perfaudit.fields import changes, code_label, label, severities
from perfaudit.ledger import LedgerError
from perfaudit.load import load, skipped_files
from perfaudit.readers import READERS
from perfaudit.readers.cells import ReadError
from perfaudit.rules import rulebook_table
from perfaudit.rules.suites import RulebookError
from perfaudit.strings import display_width
from perfaudit.untrusted import one_line, terminal_safe
from perfaudit.version import __version__

VERBOSE_HELP = {
    "audit": "also list info findings",
    "tables": "also list the leftovers (fragments no table took)",
    "convert": "also list the leftovers",
    "rules": "also show each rule's basis",
}
EXAMPLES = {
    "audit": "perfaudit audit data/forms --out out/ --fail-on error",
    "rules": "perfaudit rules --severity error",
    "tables": "perfaudit tables data/forms --out out/",
    "convert": "perfaudit convert data/forms/2024/dongkeng-fulian-2024.txt --out out/dongkeng.xlsx",
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for input it cannot read)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # a GBK console must not crash on a glyph
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    return _run(args)


# Input perfaudit cannot use: the file, the rulebook or the ledger, each named in its message.
_INPUT_ERRORS = {ReadError: "error", RulebookError: "rulebook error", LedgerError: "ledger error"}


def _run(args: argparse.Namespace) -> int:
    """Run one command; every failure becomes one line on stderr and an exit status."""
    try:
        return args.run(args)
    except tuple(_INPUT_ERRORS) as err:
        _say(f"{next(word for kind, word in _INPUT_ERRORS.items() if isinstance(err, kind))}: {err}")
        return 2
    except BrokenPipeError:  # output piped into head or more, which stopped reading
        sys.stderr.close()
        return 0
    except OSError as err:
        # A file locked by Excel on Windows, a full disk, a folder without write permission.
        where = err.filename or "output"
        _say(f"error: {where}: {err.strerror or err}")
        return 2
    except KeyboardInterrupt:
        print("perfaudit: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line, not a traceback, unless asked for
        if os.environ.get("PERFAUDIT_DEBUG"):
            raise
        _say(f"internal error: {type(err).__name__}: {err} (a bug: please report it; PERFAUDIT_DEBUG=1 shows where)")
        return 3


def _say(message: str) -> None:
    """One line on stderr: a message may carry a file name or form text with a newline or ESC."""
    print(f"perfaudit: {one_line(message)}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The command line: its commands, options and an example of each."""
    parser = argparse.ArgumentParser(
        prog="perfaudit",
        description="Load and audit budget performance target forms (预算绩效目标表).",
        epilog="examples:\n  " + "\n  ".join(EXAMPLES.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"perfaudit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    audit = _command(commands, "audit", "check forms against the rulebook and write the findings")
    audit.add_argument("paths", nargs="+", metavar="PATH", help="form files or folders")
    audit.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    audit.add_argument("--year", type=int, help="fiscal year for forms that state none")
    audit.add_argument("--rulebook", type=Path, metavar="DIR", help="a folder of suites instead of expectations/")
    audit.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="read the files in N processes (default: one per core, up to 4, for 200 files or more)",
    )
    audit.add_argument(
        "--ledger",
        type=Path,
        metavar="FILE",
        help="findings ledger (.csv or .xlsx) kept beside the data: statuses and notes carried between runs",
    )
    audit.add_argument(
        "--fail-on",
        choices=["error", "warning"],
        help="exit with status 1 when an open finding of this severity (or worse) is found",
    )
    audit.set_defaults(run=run_audit)

    rules = _command(commands, "rules", "print the rulebook: id, severity, title and basis of every check")
    rules.add_argument("--severity", choices=["error", "warning", "info"], help="only rules of this severity")
    rules.add_argument("--rulebook", type=Path, metavar="DIR", help="a folder of suites instead of expectations/")
    rules.set_defaults(run=run_rules)

    tables = _command(commands, "tables", "read forms and write every table as CSV (UTF-8 with BOM)")
    tables.add_argument("paths", nargs="+", metavar="PATH", help="form files or folders")
    tables.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    tables.add_argument("--year", type=int, help="fiscal year for forms that state none")
    tables.set_defaults(run=run_tables)

    convert = _command(commands, "convert", "write a form as an editable workbook (one sheet per table)")
    convert.add_argument("path", metavar="FILE", help="a form file")
    convert.add_argument("--out", required=True, type=Path, metavar="F.xlsx", help="workbook to write")
    convert.add_argument("--year", type=int, help="fiscal year for forms that state none")
    convert.set_defaults(run=run_convert)
    return parser


def _command(commands, name: str, help_text: str) -> argparse.ArgumentParser:
    sub = commands.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"example:\n  {EXAMPLES[name]}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbosity = sub.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP.get(name, "print more"))
    return sub


def run_audit(args: argparse.Namespace) -> int:
    """``perfaudit audit``: load, audit and export; the exit status follows ``--fail-on``."""
    forms = load(args.paths, year=args.year, progress=False if args.quiet else None, jobs=args.jobs)
    report_skipped(args)
    report_passed_over(forms, args)
    # A second process draws the charts while this one imports Great Expectations and audits.
    charts = ChartJob(forms, Path(args.out) / "charts") if len(forms) else None
    result = audit(forms, rulebook=args.rulebook, ledger=args.ledger, progress=False if args.quiet else None)
    written = result.export(args.out, charts=charts, progress=False if args.quiet else None)
    if not args.quiet:
        print(terminal_safe(format_findings(result, verbose=args.verbose)))
        print(f"\n{len(written)} files written to {args.out}")
    if args.fail_on:
        worst = ["error"] if args.fail_on == "error" else ["error", "warning"]
        found = result.findings[result.findings["status"].eq("open") & result.findings["severity"].isin(worst)]
        return 1 if len(found) else 0
    return 0


def report_passed_over(forms, args: argparse.Namespace) -> None:
    """Name the files in the folders that were read but hold no form perfaudit reads, and why."""
    if forms.passed_over and not args.quiet:
        print(f"perfaudit: passed over {len(forms.passed_over)} file(s) that hold no form read here:", file=sys.stderr)
        for path, reason in forms.passed_over[:20]:
            print(f"  {one_line(path)}: {one_line(reason)}", file=sys.stderr)


def report_skipped(args: argparse.Namespace) -> None:
    """Say which files in the folders were passed over for their type (.doc, .wps, …)."""
    skipped = skipped_files(args.paths)
    if skipped and not args.quiet:
        kinds = ", ".join(sorted(READERS))
        print(f"perfaudit: skipped {len(skipped)} file(s) that are not {kinds}:", file=sys.stderr)
        for path in skipped[:20]:
            print(f"  {one_line(str(path))}", file=sys.stderr)


def run_rules(args: argparse.Namespace) -> int:
    """``perfaudit rules``: print the rulebook with every threshold's current value."""
    table = rulebook_table(args.rulebook)
    if args.severity:
        table = table[table["severity"] == args.severity]
    rows = [[r.rule_id, r.check, r.severity, r.title_zh, r.thresholds] for r in table.itertuples()]
    headers = ["rule_id", "check", "severity", "规则", "thresholds"]
    if args.verbose:
        rows = [[*row, r.title_en, r.basis] for row, r in zip(rows, table.itertuples(), strict=True)]
        headers += ["rule", "依据 basis"]
    if not args.quiet:
        print(format_rows(rows, headers))
        print(f"\n{len(table)} checks of {table['rule_id'].nunique()} rules")
    return 0


def format_findings(result, verbose: bool = False) -> str:
    """The terminal summary: counts per form, then each finding in one line (info only with -v)."""
    summary = result.summary()
    head = format_rows(
        [
            [
                r.doc_id,
                r.department,
                "" if pd.isna(r.year) else int(r.year),
                *(getattr(r, s) for s in severities()),
                r.not_evaluated,
            ]
            for r in summary.itertuples()
        ],
        [
            "doc_id",
            label("findings", "department"),
            label("findings", "year"),
            *(code_label("severity", s) for s in severities()),
            code_label("status", "not_evaluated"),
        ],
    )
    lines = [head]
    shown = result.findings if verbose else result.findings[result.findings["severity"] != "info"]
    if "change" in result.findings:
        counts = result.findings["change"].value_counts()
        lines.append("\n" + "，".join(f"{code_label('change', c)} {counts[c]}" for c in changes() if c in counts))
    resolved = f"({code_label('change', 'resolved')})"
    for doc_id, part in shown.groupby(
        shown["doc_id"].where(shown["doc_id"] != "", resolved).fillna(resolved), sort=False
    ):
        lines.append(f"\n{doc_id}")
        for f in part.itertuples():
            status = "" if f.status == "open" else f" [{f.status}]"
            change = f"[{code_label('change', f.change)}] " if "change" in shown and isinstance(f.change, str) else ""
            severity = code_label("severity", f.severity)
            lines.append(f"  {change}{severity} {f.rule_id}{status} {f.message} ({f.source_ref or '—'})")
    hidden = len(result.findings) - len(shown)
    if hidden:
        lines.append(f"\n(+{hidden} 条{code_label('severity', 'info')} info findings; -v lists them)")
    return "\n".join(lines)


def run_tables(args: argparse.Namespace) -> int:
    """``perfaudit tables``: write the contract tables of the forms as CSV files."""
    forms = load(args.paths, year=args.year, progress=False if args.quiet else None, jobs=None)
    report_skipped(args)
    written = write_tables(forms, args.out / "tables")
    return report_loaded(args, forms, f"{len(written)} tables written to {args.out / 'tables'}")


def run_convert(args: argparse.Namespace) -> int:
    """``perfaudit convert``: write a form as the canonical, editable workbook."""
    forms = load(args.path, year=args.year)
    path = write_workbook(forms, args.out)
    return report_loaded(args, forms, f"workbook written to {path}")


def report_loaded(args: argparse.Namespace, forms, done: str) -> int:
    """What was read (and with -v what was left over), then what was written."""
    if not args.quiet:
        print(terminal_safe(format_summary(forms)))
        if args.verbose:
            print_leftovers(forms)
        print(f"\n{done}")
    return 0


def print_leftovers(forms) -> None:
    """Print the fragments of the forms that no table took, one per line."""
    columns = ["doc_id", "source_ref", "reason", "text"]
    if len(forms.leftovers):
        print()
        print(terminal_safe(format_rows(forms.leftovers[columns].values.tolist(), columns)))


def format_summary(forms) -> str:
    """One line per form loaded: department, year and the rows of each table."""
    summary = forms.summary()
    headers = ["doc_id", "部门", "年度", "预算行", "目标", "任务", "指标", "未识别", "缺失部分"]
    rows = [
        [
            r.doc_id,
            r.department,
            "" if pd.isna(r.year) else int(r.year),
            r.budget,
            r.goals,
            r.tasks,
            r.indicators,
            r.leftovers,
            r.missing_sections,
        ]
        for r in summary.itertuples()
    ]
    return format_rows(rows, headers)


def format_rows(rows: list[list], headers: list[str]) -> str:
    """A plain text table aligned for Chinese (wide characters take two columns)."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(v + " " * (w - display_width(v)) for v, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(cells[0]), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]])


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
