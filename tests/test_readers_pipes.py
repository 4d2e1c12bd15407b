"""Pipe tables (markdown, or a web page's table copied as text): cells keep their column."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfaudit.cli import main
from perfaudit.readers import read_sheets
from perfaudit.readers.pipes import is_pipe_row, looks_like_pipes, split_pipe_row

DATA = Path(__file__).resolve().parents[1] / "data"

# Cell texts as forms print them: no pipe, no line break, no surrounding white space, and not
# a markdown separator (---).
cell_text = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="|\r\n\x85"),
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda text: not text or not set(text) <= set("-: "))
)


@settings(max_examples=200, deadline=None)
@given(grid=st.lists(st.lists(cell_text, min_size=2, max_size=6), min_size=3, max_size=8))
def test_a_grid_written_as_pipes_reads_back_cell_for_cell(tmp_path_factory, grid):
    """Every non-empty cell comes back with its column and line; an empty cell keeps its place."""
    path = tmp_path_factory.mktemp("pipes") / "grid.md"
    path.write_text("\n".join("| " + " | ".join(row) + " |" for row in grid) + "\n", encoding="utf-8")
    expected = [
        (number, col, text) for number, row in enumerate(grid, start=1) for col, text in enumerate(row, start=1) if text
    ]
    if not expected:
        return  # a table of empty cells is no text at all
    [sheet] = read_sheets(path)
    assert [(cell.row, cell.col, cell.text) for row in sheet.rows for cell in row] == expected


def test_markdown_separators_titles_and_references(tmp_path):
    path = tmp_path / "form.md"
    path.write_text(
        "# 项目支出绩效目标表\n\n| 项目名称 | 某项目 | | 实施单位 | 某中心 |\n|---|---|---|---|---|\n| 年度资金总额 | 50.00 |\n",
        encoding="utf-8",
    )
    [sheet] = read_sheets(path)
    cells = [(cell.ref, cell.col, cell.text) for row in sheet.rows for cell in row]
    assert cells == [
        ("L1", 1, "项目支出绩效目标表"),
        ("A3", 1, "项目名称"),
        ("B3", 2, "某项目"),
        ("D3", 4, "实施单位"),
        ("E3", 5, "某中心"),
        ("A5", 1, "年度资金总额"),
        ("B5", 2, "50.00"),
    ]


@pytest.mark.parametrize(
    ("line", "row"),
    [("| a | b |", True), ("a | b |", True), ("a |", True), ("说明：见附件", False), ("甲 | 乙", False)],
)
def test_what_a_pipe_row_is(line, row):
    assert is_pipe_row(line) is row


def test_text_is_a_pipe_table_only_when_most_lines_are_rows():
    rows = ["| a | b |"] * 3
    assert looks_like_pipes(rows + ["note"])
    assert not looks_like_pipes(rows + ["note"] * 4)
    assert split_pipe_row("| a || c |") == ["a", "", "c"]


def test_a_real_form_as_pipes(tmp_path):
    """The 岳阳县 form: the 指标值 of its first indicator stands in column D of its line."""
    [sheet] = read_sheets(DATA / "families" / "hunan-yueyangxian-nongtian-gaobiaozhun-2022-xiangmu-mubiao.md")
    row = next(row for row in sheet.rows if row[0].text == "产出指标" and "道路" in row[2].text)
    assert [(cell.col, cell.text) for cell in row] == [
        (1, "产出指标"),
        (2, "数量指标"),
        (3, "脱贫村村内道路硬化里程"),
        (4, "≥100公里"),
    ]


NON_FORMS = sorted(p for p in (DATA / "candidates").glob("nonform-*.md") if not p.name.endswith(".reading.md"))


@pytest.mark.parametrize("path", NON_FORMS, ids=lambda p: p.stem)
def test_pages_that_are_not_forms_stop_with_one_line(path, tmp_path, capsys):
    """A news page, a notice, a scoring table, a blank template, a report: exit 2, never findings."""
    assert main(["audit", str(path), "--out", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and path.name in err
    assert not (tmp_path / "out").exists()
