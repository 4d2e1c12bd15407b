"""The README's generated parts: the rules table, the tables of the forms, the findings columns.

``make docs`` runs ``python -m perfaudit.readme README.md``; a test fails when the README drifts.
"""

from __future__ import annotations

import re
from pathlib import Path

from perfaudit import fields
from perfaudit.rules.catalog import rules_markdown
from perfaudit.vocab import read_vocab


def tables_markdown() -> str:
    """The README's table of the forms' tables: one row per table, what one row of it is."""
    lines = ["| table | one row per |", "| --- | --- |"]
    lines += [f"| {row['table']} | {row['row']} |" for row in read_vocab("tables") if row["kind"] == "contract"]
    return "\n".join(lines)


def findings_markdown() -> str:
    """The README's list of the findings columns, in the order the files write them."""
    ledger = ", ".join(f"`{c}`" for c in fields.added_by_ledger())
    return f"`{', '.join(fields.columns('findings'))}` (and with a ledger {ledger})."


BLOCKS = {"rules": rules_markdown, "tables": tables_markdown, "findings": findings_markdown}


def update_readme(readme: Path) -> bool:
    """Rewrite the README's generated blocks; True when it changed."""
    text = readme.read_text(encoding="utf-8")
    new = text
    for name, render in BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        block = f"{start}\n{render()}\n{end}"
        new = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _, b=block: b, new, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover - `make docs`
    import sys

    changed = update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README updated" if changed else "README is current")
