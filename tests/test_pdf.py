"""PDF forms: the tables from a PDF equal the tables from its spreadsheet or text, up to what the
page shows. The PDFs in tests/fixtures/pdf/ were printed from the real forms by LibreOffice
(see the README there); the scanned, damaged and two-form PDFs are made here from them.
"""

import math
import re

import pandas as pd
import pytest

import perfaudit as pa
from perfaudit.derive.budget import half_unit_yuan
from perfaudit.readers import ReadError, read_sheets
from perfaudit.readers.pdf import column_letter, read_pdf
from tests.conftest import DONGKENG, ROOT, ZHANJIANG_2023, ZHANJIANG_2024
from tests.helpers import comparable

PDFS = ROOT / "tests" / "fixtures" / "pdf"
SOURCE_COLUMNS = ("source_ref", "planned_ref", "source_path", "source_sheet", "source_sha256")
FIELD_TABLES = ("documents", "budget", "goals", "tasks", "task_outputs", "indicators")


@pytest.fixture(scope="module")
def loaded():
    cache = {}

    def load(path):
        if path not in cache:
            cache[path] = pa.load(path)
        return cache[path]

    return load


def _same_text(a, b):
    """Equal, or both missing; text compared without line breaks: a PDF cannot tell a line
    break typed in a cell from one the cell's width made."""
    if _missing(a) or _missing(b):
        return _missing(a) and _missing(b)
    if isinstance(a, str) and isinstance(b, str):
        return re.sub(r"\s*\n\s*", "", a) == re.sub(r"\s*\n\s*", "", b)
    return a == b


def assert_same_table(source, pdf, table, skip=()):
    """Field by field; money within half of the last printed digit (what the page shows)."""
    want = comparable(source, table).drop(columns=["doc_id", *skip], errors="ignore")
    got = comparable(pdf, table).drop(columns=["doc_id", *skip], errors="ignore")
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want), f"{table}: {len(got)} rows from the PDF, {len(want)} from the source"
    for index in range(len(want)):
        for column in want.columns:
            a, b = want.at[index, column], got.at[index, column]
            if column in ("amount_yuan", "planned_yuan") and not (_missing(a) or _missing(b)):
                printed = got.at[index, "printed" if column == "amount_yuan" else "planned_printed"]
                unit = got.at[index, "printed_unit" if column == "amount_yuan" else "planned_unit"]
                assert abs(a - b) <= half_unit_yuan(printed, unit, b) + 0.005, (table, index, column, a, b)
                continue
            assert _same_text(a, b), f"{table} row {index} {column}: {a!r} != {b!r}"


def _missing(value):
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# --- the real forms, printed ---------------------------------------------------------------


@pytest.mark.parametrize("table", FIELD_TABLES)
def test_zhanjiang_2024_pdf_gives_the_spreadsheet_tables(loaded, table):
    assert_same_table(loaded(ZHANJIANG_2024), loaded(PDFS / "zhanjiang-renshe-2024.pdf"), table)


@pytest.mark.parametrize("table", FIELD_TABLES)
def test_dongkeng_pdf_gives_the_text_tables(loaded, table):
    assert_same_table(loaded(DONGKENG), loaded(PDFS / "dongkeng-fulian-2024.pdf"), table)


@pytest.mark.parametrize("table", [t for t in FIELD_TABLES if t != "goals"])
def test_zhanjiang_2023_pdf_gives_the_spreadsheet_tables(loaded, table):
    assert_same_table(loaded(ZHANJIANG_2023), loaded(PDFS / "zhanjiang-renshe-2023.pdf"), table)


def test_clipped_goals_cell_is_read_as_shown_and_marked(loaded):
    """The 2023 sheet gives the 总体绩效目标 cell one line of height: the page shows one line."""
    source, pdf = loaded(ZHANJIANG_2023), loaded(PDFS / "zhanjiang-renshe-2023.pdf")
    assert len(source.goals) == 6
    assert len(pdf.goals) == 1
    shown = pdf.goals.iloc[0]
    assert shown.goal_no == 4 and shown.source_ref == "p1!B10"
    assert source.goals.iloc[3].text.startswith(shown.text)  # a cut, not an invention
    assert len(shown.text) < len(source.goals.iloc[3].text)
    clipped = pdf.leftovers[pdf.leftovers.reason.str.contains("clipped")]
    assert clipped.source_ref.tolist() == ["p1!B10"]


def test_no_clip_marks_where_the_page_shows_everything(loaded):
    for name in ("zhanjiang-renshe-2024.pdf", "dongkeng-fulian-2024.pdf"):
        leftovers = loaded(PDFS / name).leftovers
        assert not leftovers.reason.str.contains("clipped").any(), leftovers


def test_numbers_are_what_the_page_prints(loaded):
    pdf, source = loaded(PDFS / "zhanjiang-renshe-2024.pdf"), loaded(ZHANJIANG_2024)
    line = pdf.budget.set_index("item").loc["基本支出"]
    assert (line.printed, line.amount_yuan, line.source_ref) == ("10,891.62", 108_916_200.0, "p1!C5")
    assert source.budget.set_index("item").loc["基本支出"].amount_yuan == 108_916_156.75
    cell = next(c for row in read_pdf(PDFS / "zhanjiang-renshe-2024.pdf")[0].rows for c in row if c.ref == "p1!C5")
    assert (cell.text, cell.value, cell.number_format) == ("10,891.62", 10891.62, "#,##0.00")


def test_source_refs_name_page_and_cell(loaded):
    """The sheet is wider than A4: LibreOffice prints columns A-C on pages 1-3, D-E on 4-6."""
    pdf = loaded(PDFS / "zhanjiang-renshe-2024.pdf")
    budget = dict(zip(pdf.budget["item"], pdf.budget["source_ref"], strict=True))
    assert budget["基本支出"] == "p1!C5" and budget["财政拨款"] == "p4!E5"
    assert pdf.tasks.source_ref.tolist() == ["p1!B12:p4!E12", "p2!B1:p5!E1", "p2!B2:p5!E2"]
    assert pdf.indicators.source_ref.iloc[0] == "p5!D5:E5"
    assert pdf.goals.source_ref.unique().tolist() == ["p1!B10"]
    assert pdf.documents.source_sheet.tolist() == ["p1-6"]


def test_table_continued_over_pages_with_repeated_header(loaded):
    """The 东坑镇 PDF repeats the 绩效指标 header row at the top of page 3; it is read once."""
    pdf = loaded(PDFS / "dongkeng-fulian-2024.pdf")
    assert pdf.indicators.source_ref.iloc[-1].startswith("p3!")
    assert (pdf.leftovers.source_ref == "p3").sum() == 1
    assert "repeated" in pdf.leftovers.set_index("source_ref").loc["p3", "reason"]
    header_rows = [
        row
        for row in read_pdf(PDFS / "dongkeng-fulian-2024.pdf")[0].rows
        if [c.text for c in row][:3] == ["一级指标", "二级指标", "三级指标"]
    ]
    assert len(header_rows) == 1


def test_merged_cells_sit_at_their_top_left_like_excel():
    sheet = read_pdf(PDFS / "zhanjiang-renshe-2024.pdf")[0]
    by_text = {c.text: c for row in sheet.rows for c in row}
    # A16:A37 is printed on page 2; B17:B25 (产出指标) starts the row of the first indicator.
    assert (by_text["绩效指标"].col, by_text["一级指标"].row) == (1, by_text["绩效指标"].row)
    assert by_text["产出指标"].row == by_text["城乡居民基础养老金标准"].row
    assert by_text["年度重点工作任务"].ref == "p2!A1"  # A11:A14 spans pages 1-2; its text is on page 2


# --- no ruling: text rows for the text path of the template --------------------------------


UNRULED = PDFS / "dongkeng-fulian-2024-unruled.pdf"


@pytest.mark.parametrize("table", FIELD_TABLES)
def test_unruled_pdf_gives_the_text_tables(loaded, table):
    assert_same_table(loaded(DONGKENG), loaded(UNRULED), table)


def test_unruled_pdf_falls_back_to_wrapped_text_rows():
    sheets = read_pdf(UNRULED)
    assert [s.wrapped for s in sheets] == [True]
    assert all(cell.col is None for row in sheets[0].rows for cell in row)


def _unruled_rows():
    return [[cell.text for cell in row] for row in read_pdf(UNRULED)[0].rows]


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(["基本信息", "财政供养人员数", "4", "下属二级单位数", "0"], id="labels-and-values-on-one-line"),
        pytest.param(
            ["名称", "主要实施内容", "拟投入的资金（元）", "期望达到的目标（概述）"], id="header-cell-wrapped"
        ),
        pytest.param(
            [
                "困境妇女儿童慰问",
                "开展困境妇女儿童慰问、帮扶工作，计划对不少于30人次进行节日慰问、疾病救助、助养助教等，"
                "了解、掌握困境妇女、儿童的生活情况，协助她们解决遇到的问题。",
                "40,000.00",
                "关爱困境妇女儿童，开展困境妇女儿童慰问、帮扶工作，提升她们积极面对生活的自信心。",
            ],
            id="body-cells-wrapped-up-to-a-lone-full-stop",
        ),
        pytest.param(
            [
                "家家幸福安康工程",
                "2024年计划开展约30场具特色的家庭文明建设活动。",
                "200,000.00",
                "推动社会主义核心价值观在家庭落地生根，筑牢家庭和睦和社会和谐稳定的根基。",
            ],
            id="cells-one-character-apart",
        ),
        pytest.param(["其他需完成的任务（可选填）"], id="open-bracket-goes-on"),
        pytest.param(["慰问走访及时率", "100%", "100%"], id="merged-label-taken-out-of-its-middle-row"),
    ],
)
def test_unruled_table_row_is_one_line_with_one_fragment_per_cell(row):
    """What pdftotext prints for a row whose cells fit, also for rows whose cells wrap."""
    assert row in _unruled_rows()


@pytest.mark.parametrize(
    ("label", "first_row"),
    [
        pytest.param("产出指标", ["数量指标"], id="level1-before-its-first-level2"),
        pytest.param("数量指标", ["开展活动数量", "≥100场", "≥100场"], id="centred-between-rows-2-and-3"),
        pytest.param("时效指标", ["工作任务进度完成率", "100%", "100%"], id="centred-on-row-2-of-3"),
        pytest.param("效益指标", ["经济效益指标"], id="level1-on-the-6th-of-11-rows"),
        pytest.param("经济效益指标", ["社会效益指标"], id="level2-without-indicators"),
        pytest.param("社会效益指标", ["提升群众对妇联工作认可", "有效提升", "有效提升"], id="centred-on-row-3-of-5"),
        pytest.param("可持续影响指标", ["持续提升妇女心理健康", "长期性", "长期性"], id="span-continued-on-page-3"),
    ],
)
def test_unruled_merged_label_comes_before_the_rows_it_spans(label, first_row):
    """The sheet centres a merged label on its rows; the template reads a label before its rows."""
    rows = _unruled_rows()
    assert rows.count([label]) == 1
    assert rows[rows.index([label]) + 1] == first_row


def test_unruled_moved_label_keeps_the_reference_where_it_is_printed():
    by_text = {cell.text: cell for row in read_pdf(UNRULED)[0].rows for cell in row}
    assert (by_text["产出指标"].ref, by_text["宣传制品质量达标率"].ref) == ("p2!A15", "p2!B15")
    assert by_text["可持续影响指标"].ref == "p2!A33"


def test_unruled_table_continued_over_pages_drops_the_repeated_header(loaded):
    assert _unruled_rows().count(["一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"]) == 1
    leftovers = loaded(UNRULED).leftovers
    assert leftovers.source_ref.tolist() == ["p3"]
    assert "repeated" in leftovers.reason.iloc[0]


# Spanning labels on made-up pages: columns A-D at x = 0, 40, 80, 120; one-character cells 8 pt
# wide and high; rows 20 pt apart; page 2 lies 1,000 pt below page 1 on the canvas.
_X = {"A": 0, "B": 40, "C": 80, "D": 120}


def _text_rows(*lines):
    """Text rows from ``(page, y, "A:x B:y ...")``."""
    from perfaudit.readers.pdf_text import TextCell, TextRow

    rows = []
    for number, (page, y, spec) in enumerate(lines, start=1):
        cells = []
        for item in spec.split():
            column, text = item.split(":")
            x = _X[column]
            char = {"text": text, "x0": x, "x1": x + 8, "top": y - 4, "bottom": y + 4, "size": 8, "page": page}
            cells.append(TextCell(fragments=[[char]], x0=x, top=y - 4, x1=x + 8, bottom=y + 4))
        rows.append(TextRow(cells=cells, page=page, number=number))
    return rows


@pytest.mark.parametrize(
    ("lines", "header_bottoms", "order"),
    [
        pytest.param(
            [(1, 10, "A:一 B:三 C:值"), (1, 30, "B:a C:1"), (1, 40, "A:L"), (1, 50, "B:b C:2"), (1, 70, "A:M B:c C:3")],
            {},
            ["一三值", "L", "a1", "b2", "Mc3"],
            id="label-between-its-two-rows",
        ),
        pytest.param(
            [
                (1, 10, "A:一 B:三 C:值"),
                (1, 30, "B:a C:1"),
                (1, 50, "A:L B:b C:2"),
                (1, 70, "B:c C:3"),
                (1, 90, "A:M B:d"),
            ],
            {},
            ["一三值", "L", "a1", "b2", "c3", "Md"],
            id="label-on-the-middle-of-three-rows",
        ),
        pytest.param(
            [
                (1, 10, "A:一 B:二 C:三 D:值"),
                (1, 30, "C:a D:1"),
                (1, 40, "B:x"),
                (1, 50, "C:b D:2"),
                (1, 60, "A:P"),
                (1, 70, "C:c D:3"),
                (1, 80, "B:y"),
                (1, 90, "C:d D:4"),
                (1, 110, "A:M B:z C:e D:5"),
            ],
            {},
            ["一二三值", "P", "x", "a1", "b2", "y", "c3", "d4", "Mze5"],
            id="two-levels",
        ),
        pytest.param(
            [(1, 10, "A:t C:v"), (1, 30, "A:s B:L C:4 D:k"), (1, 50, "C:w")],
            {},
            ["tv", "sL4k", "w"],
            id="other-columns-beside-it-not-a-label",
        ),
        pytest.param(
            [
                (1, 10, "A:一 B:三 C:值"),
                (1, 30, "B:a C:1"),
                (1, 50, "B:b C:2"),
                (1, 60, "A:L"),
                (2, 1030, "B:c C:3"),
                (2, 1050, "B:d C:4"),
                (2, 1070, "B:e C:5"),
                (2, 1080, "A:N"),
                (2, 1090, "B:f C:6"),
                (2, 1110, "A:M B:g C:7"),
            ],
            {2: 1014},
            ["一三值", "L", "a1", "b2", "c3", "d4", "N", "e5", "f6", "Mg7"],
            id="span-continued-on-the-next-page",
        ),
    ],
)
def test_spanning_label_goes_before_its_first_row(lines, header_bottoms, order):
    from perfaudit.readers.pdf_spans import order_rows

    rows = order_rows(_text_rows(*lines), header_bottoms)
    assert ["".join(cell.text for cell in row) for row in rows] == order


# --- several forms, and files that cannot be read ------------------------------------------


def _concatenate(paths, out):
    import pypdfium2 as pdfium

    joined = pdfium.PdfDocument.new()
    for path in paths:
        joined.import_pages(pdfium.PdfDocument(path))
    joined.save(out)
    return out


def test_pdf_with_two_forms_gives_two_documents(tmp_path):
    path = _concatenate([PDFS / "zhanjiang-renshe-2024.pdf", PDFS / "dongkeng-fulian-2024.pdf"], tmp_path / "two.pdf")
    forms = pa.load(path)
    docs = forms.documents
    assert docs.doc_id.tolist() == ["two#p1-6", "two#p7-9"]
    assert docs.department.tolist() == ["湛江市人力资源和社会保障局", "东莞市东坑镇妇女联合会"]
    assert forms.indicators.groupby("doc_id").size().tolist() == [21, 27]
    assert forms.budget[forms.budget.doc_id == "two#p7-9"].source_ref.iloc[0] == "p7!B7"


def test_two_forms_printed_in_bands_stay_apart(tmp_path):
    path = _concatenate([PDFS / "zhanjiang-renshe-2023.pdf", PDFS / "zhanjiang-renshe-2024.pdf"], tmp_path / "two.pdf")
    assert [s.name for s in read_pdf(path)] == ["p1-6", "p7-12"]


def _scanned(tmp_path):
    import pypdfium2 as pdfium

    image = pdfium.PdfDocument(PDFS / "zhanjiang-renshe-2024.pdf")[0].render(scale=1).to_pil()
    path = tmp_path / "scanned.pdf"
    image.convert("RGB").save(path)
    return path


def _blank(tmp_path):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    doc.new_page(595, 842)
    path = tmp_path / "blank.pdf"
    doc.save(path)
    return path


def _bytes(data):
    def make(tmp_path):
        path = tmp_path / "form.pdf"
        path.write_bytes(data(tmp_path) if callable(data) else data)
        return path

    return make


def _truncated(tmp_path):
    return (PDFS / "zhanjiang-renshe-2024.pdf").read_bytes()[:3000]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(_scanned, "scanned PDF: the pages are images without a text layer; OCR is needed", id="scanned"),
        pytest.param(lambda tmp_path: PDFS / "encrypted.pdf", "encrypted PDF: it needs a password", id="encrypted"),
        pytest.param(_bytes(_truncated), "damaged PDF", id="truncated"),
        pytest.param(_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8), "damaged PDF", id="garbage"),
        pytest.param(_bytes(b""), "empty file", id="empty"),
        pytest.param(_bytes(b"PK\x03\x04 not a pdf"), "not a PDF file", id="not-pdf"),
        pytest.param(_blank, "the PDF has no text on any page", id="blank-page"),
    ],
)
def test_unreadable_pdf_is_a_read_error_naming_the_file(tmp_path, make, reason):
    path = make(tmp_path)
    with pytest.raises(ReadError) as caught:
        read_sheets(path)
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)


def test_cli_stops_with_status_2_on_a_scanned_pdf(tmp_path, capsys):
    from perfaudit.cli import main

    path = _scanned(tmp_path)
    assert main(["tables", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "OCR is needed" in capsys.readouterr().err


@pytest.mark.parametrize(("col", "letters"), [(1, "A"), (5, "E"), (26, "Z"), (27, "AA"), (53, "BA")])
def test_column_letters(col, letters):
    assert column_letter(col) == letters
