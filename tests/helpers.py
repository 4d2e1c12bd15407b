"""Fixture builders shared by the tests: other renderings of the real forms."""

from pathlib import Path

from perfaudit.readers.excel import read_excel


def cell_per_line_text(xlsx: Path) -> str:
    """The workbook as a converter that writes one cell per line would render it."""
    lines = []
    for sheet in read_excel(xlsx):
        for row in sheet.rows:
            lines.extend(cell.text.replace("\n", "") for cell in row)
    return "\n".join(lines) + "\n"


def comparable(forms, table, drop=("source_ref", "planned_ref", "source_path", "source_sheet", "source_sha256")):
    frame = forms.tables[table]
    return frame.drop(columns=[c for c in drop if c in frame.columns]).reset_index(drop=True)
