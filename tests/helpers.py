"""Fixture builders and strategies shared by the tests: other renderings of the real forms, texts."""

from pathlib import Path

from hypothesis import strategies as st

from perfaudit.readers.excel import read_excel

# Text made of the characters of task and value texts: numbers, units, qualifiers, clause marks.
TASKY_TEXT = st.text(alphabet=st.sampled_from(list("0123456789.,:-约个场人次件(套)以上余第年元%，。 \n计划活动")))


def cell_per_line_text(xlsx: Path) -> str:
    """The workbook as a converter that writes one cell per line would render it."""
    lines = []
    for sheet in read_excel(xlsx):
        for row in sheet.rows:
            lines.extend(cell.text.replace("\n", "") for cell in row)
    return "\n".join(lines) + "\n"


# Where and how values were read (a PDF splits into more fragments what a text keeps whole), not what they are.
READ_COLUMNS = ("source_ref", "planned_ref", "source_path", "source_sheet", "source_sha256", "cells_read")


def comparable(forms, table, drop=READ_COLUMNS):
    frame = forms.tables[table]
    return frame.drop(columns=[c for c in drop if c in frame.columns]).reset_index(drop=True)


def doc_rows(forms, table, doc_id):
    """One document's rows of a table."""
    frame = getattr(forms, table)
    return frame[frame["doc_id"] == doc_id]


def open_keys(findings, doc_id):
    """The open findings of a document as sorted ``rule_id/check`` keys (a judgment's list)."""
    found = findings[(findings["doc_id"] == doc_id) & (findings["status"] == "open")]
    return sorted(f"{r.rule_id}/{r.check}" if r.check else r.rule_id for r in found.itertuples())
