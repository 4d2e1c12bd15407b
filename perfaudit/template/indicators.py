"""The 绩效指标 block: 一级 / 二级 labels, 三级 indicators and their values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfaudit.readers.cells import Cell
from perfaudit.strings import strip_trailing_bracket
from perfaudit.template.common import (
    Doc,
    Piece,
    assign_columns,
    find_header,
    header_columns,
    join_fragments,
    key,
    lookup,
    span,
)
from perfaudit.values import infer_polarity, parse_amount, parse_value, printed_polarity
from perfaudit.vocab import read_vocab

# --- indicators ------------------------------------------------------------------------------


@dataclass
class _Levels:
    level1: str = ""
    level1_raw: str = ""
    level2: str = ""
    level2_raw: str = ""
    level2_ref: str = ""
    rows_in_level2: int = 0
    level2_open: bool = False
    seen_level1: set[str] = field(default_factory=set)


# A template placeholder standing alone in a cell (… or ……): nothing was filled in.
_PLACEHOLDER = re.compile(r"[…\.．·]+|指标\d+[:：]?")  # a blank template row: ……, 指标2:
# A line break typed inside a Chinese word in a spreadsheet cell (发放准\n确率).
_CELL_BREAK = re.compile(r"(?<=[\u4e00-\u9fff])[ \t]*\n\s*(?=[\u4e00-\u9fff])")
# A 一级 cell that holds only the block's points (自评表: (50分)): the 二级 label says the category.
_POINTS_ONLY = re.compile(r"[(（]\d+(?:\.\d+)?分[)）]")
# Points printed after a category label: 产出指标(50分), 成本指标(0-20)分, 效益指标 30分.
_POINTS_SUFFIX = re.compile(r"[(（]?\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?(?:分)?[)）]?分?$")


def _level_label(text: str) -> dict | None:
    labels = lookup("level_labels", "raw")
    text_key = key(text)
    found = labels.get(text_key) or labels.get(strip_trailing_bracket(text_key))
    if found is None and text_key.endswith("分"):
        found = labels.get(_POINTS_SUFFIX.sub("", text_key))
    return found


def _is_level1(canonical: str) -> bool:
    return any(row["canonical"] == canonical and row["level"] == "1" for row in read_vocab("level_labels"))


#: The reason a 分值 / 得分 cell that holds no number is left over (R-RESULT sums skip its form).
POINTS_UNREAD = "分值 / 得分 not a number"

# Columns beside the value that the positioned reader keeps: the operator and the unit printed in
# their own columns (指标性质 ≥ / 指标值 95 / 度量单位 %), the printed direction (指标方向性 正向指标),
# the points (分值, 权重), a note.
_SIDE_COLUMNS = (
    "op_text",
    "unit_text",
    "kind_text",
    "direction_text",
    "points",
    "note",
    "actual_value",
    "score",
    "deviation_reason",
    "adjusted_value",
    "score_coef",
    "core_text",
)


def read_indicators(doc: Doc, rows: list[list[Cell]], single_value: str = "annual_value") -> None:
    """The 绩效指标 table: one row per 三级 indicator under its 一级 and 二级 category, values parsed.

    ``single_value`` names the contract column of a lone 指标值 column: ``period_value`` for a
    project form's 长期/实施期 indicator table.
    """
    header_index, columns = find_header(rows, "indicators")
    places = place_columns(rows[header_index], columns) if header_index >= 0 else {}
    columns.update(places)
    if header_index >= 0:
        doc.take(*columns.values())
    if single_value != "annual_value" and "annual_value" in columns and "period_value" not in columns:
        columns["period_value"] = columns.pop("annual_value")
    value_columns = [name for name in ("period_value", "annual_value") if name in columns] or [single_value]
    levels = _Levels()
    body = rows[header_index + 1 :]
    positioned = bool(columns) and all(cell.col is not None for cell in columns.values())
    if positioned:
        for row in body:
            _read_positioned_row(doc, levels, row, columns, value_columns, places)
    else:
        stream = [[cell for row in body for cell in row]] if doc.sheet.cell_per_line else body
        for row in stream:
            doc.take(*row)
            _read_indicator_cells(doc, levels, row, value_columns)
    _flush_empty_level2(doc, levels)


def _read_positioned_row(
    doc: Doc,
    levels: _Levels,
    row: list[Cell],
    columns: dict[str, Cell],
    value_columns: list[str],
    places: dict[str, Cell],
) -> None:
    """One row of a table whose cells carry their column: labels, the name, values, side columns."""
    kept = [cell for cell in row if not _PLACEHOLDER.fullmatch(cell.text.strip())]
    cells = assign_columns([cell for cell in kept if not _POINTS_ONLY.fullmatch(key(cell.text))], columns)
    doc.take(*row)
    names = cells.get("level3", [])
    heading = _level_label(cells["level1"][0].text) if cells.get("level1") else None
    if heading is not None and heading["level"] == "0":  # 实施效果指标 | 产出指标 | name: one column off
        cells["level1"], cells["level2"] = cells.get("level2", []), []
    if cells.get("level1"):
        label = _level_label(cells["level1"][0].text)
        # A 二级 label in the 一级 column (鄂州: 数量指标 | its indicators): the form's
        # columns are one level off, and the 二级 column holds the indicator names.
        shifted = label is not None and label["level"] == "2" and "level3" not in columns
        # A 二级 label in the 一级 column of a table with no 二级 column (重庆 指标类型: 数量指标 |
        # 产出类指标 …): a 二级 category, its 一级 implied.
        in_place = label is not None and label["level"] == "2" and "level3" in columns and "level2" not in columns
        _set_level(doc, levels, cells["level1"][0], level=2 if shifted or in_place else 1)
        if shifted:
            names, cells["level2"] = cells.get("level2", []), []
    if cells.get("level2"):
        _set_level(doc, levels, cells["level2"][0], level=2)
    values = {name: (cells.get(name) or [None])[0] for name in value_columns}
    side = {name: join_fragments(c.text for c in cells.get(name, [])) for name in _SIDE_COLUMNS}
    if places:
        values, side["target_text"] = place_values(cells, places, join_fragments(c.text for c in names), side)
    if names or any(values.values()):
        piece = Piece([c.text for c in names], [c.ref for c in names])
        _add_indicator(doc, levels, piece, values, side)


def _read_indicator_cells(doc: Doc, levels: _Levels, cells: list[Cell], value_columns: list[str]) -> None:
    """Text rows: labels first, then the indicator name, then one cell per value column."""
    n_values = len(value_columns)
    i = 0
    level2_in_row = False
    while i < len(cells):
        label = _level_label(cells[i].text)
        # (One cell per line streams the whole block as one row: there a row says nothing.)
        after_level2 = level2_in_row and not doc.sheet.cell_per_line
        if label is not None and _names_an_indicator(cells, i, label, after_level2):
            label = None
        alone = len(cells) == 1 and key(cells[i].text).endswith("指标")
        if label is not None and label["level"] == "0":  # a heading above the 一级: nothing to set
            i += 1
            continue
        if label is not None or alone:
            level = int(label["level"]) if label else 2
            _set_level(doc, levels, cells[i], level=level)
            level2_in_row = level2_in_row or level == 2
            i += 1
            continue
        if doc.sheet.cell_per_line:
            name_cells = [cells[i]]
            value_cells = []
            j = i + 1
            while j < len(cells) and len(value_cells) < n_values and _level_label(cells[j].text) is None:
                value_cells.append(cells[j])
                j += 1
            i = j
        else:
            rest = cells[i:]
            split = max(1, len(rest) - n_values)
            name_cells, value_cells = rest[:split], rest[split:]
            i = len(cells)
        values = dict.fromkeys(value_columns)
        # Fewer values than columns: they are the leftmost columns' values.
        for name, cell in zip(value_columns, value_cells, strict=False):
            values[name] = cell
        _add_indicator(doc, levels, Piece([c.text for c in name_cells], [c.ref for c in name_cells]), values)


def _names_an_indicator(cells: list[Cell], i: int, label: dict, after_level2: bool) -> bool:
    """A 二级 synonym used as a 三级 name (社会公众满意度 ≥90%).

    After a 二级 label in the same row, or right before a measurable target. The canonical label itself is always a
    label.
    """
    if label["level"] != "2" or key(cells[i].text) == key(label["canonical"]):
        return False
    following = cells[i + 1].text if i + 1 < len(cells) else ""
    return after_level2 or (bool(following) and parse_value(following).quantified)


def _set_level(doc: Doc, levels: _Levels, cell: Cell, level: int) -> None:
    label = _level_label(cell.text)
    canonical = label["canonical"] if label else ""
    if level == 2 and label and label["parent"] and levels.level2_open and levels.rows_in_level2 == 0:
        # A 二级 label whose parent is the label just read: that label was a 一级 (101号 成本指标).
        if key(label["parent"]) == key(levels.level2):
            levels.level1, levels.level1_raw = levels.level2, levels.level2_raw
            levels.level2_open = False
    if level == 1:
        if canonical == levels.level1 and canonical:
            return  # repeated on a new page
        _flush_empty_level2(doc, levels)
        levels.level1, levels.level1_raw = canonical, cell.text
        levels.level2, levels.level2_raw, levels.level2_open = "", "", False
        levels.seen_level1.add(canonical)
        return
    if canonical and canonical == levels.level2 and levels.level2_open and key(cell.text) == key(levels.level2_raw):
        return  # the same 二级 label printed again on the next row (a merged cell written out per row)
    _flush_empty_level2(doc, levels)
    parent = label["parent"] if label else ""
    if parent and parent != levels.level1 and parent not in levels.seen_level1 and _is_level1(parent):
        # The form printed no 一级 label for this block (a cell lost in conversion): the 二级
        # label implies it. A 二级 under a 一级 already used (质量指标 under 效益) is kept as
        # filed, so that the rules can question it.
        levels.level1, levels.level1_raw = parent, ""
        levels.seen_level1.add(parent)
    levels.level2, levels.level2_raw, levels.level2_ref = canonical, cell.text, cell.ref
    levels.rows_in_level2, levels.level2_open = 0, True


def _flush_empty_level2(doc: Doc, levels: _Levels) -> None:
    if levels.level2_open and levels.rows_in_level2 == 0:
        _append_indicator(doc, levels, "", {}, levels.level2_ref)
    levels.level2_open = False


def _add_indicator(
    doc: Doc, levels: _Levels, name: Piece, values: dict[str, Cell | None], side: dict[str, str] | None = None
) -> None:
    refs = name.refs + [cell.ref for cell in values.values() if cell is not None]
    levels.rows_in_level2 += 1
    _append_indicator(doc, levels, name.text, values, span(refs), side or {})


def _append_indicator(
    doc: Doc, levels: _Levels, name: str, values: dict[str, Cell | None], ref: str, side: dict[str, str] | None = None
) -> None:
    side = side or {}
    annual, period = values.get("annual_value"), values.get("period_value")
    target = annual if annual is not None else period
    if target is not None and side.get("target_text"):
        target = Cell(text=side["target_text"], ref=target.ref, row=target.row, col=target.col)
    elif target is not None and (side.get("op_text") or side.get("unit_text")):
        target = _with_side_columns(target, side)
    row = {
        "row_no": len(doc.indicators) + 1,
        "level1": levels.level1,
        "level2": levels.level2,
        "level3": _CELL_BREAK.sub("", name),
        "level1_raw": levels.level1_raw,
        "level2_raw": levels.level2_raw,
        "period_value": period.text if period is not None else "",
        "annual_value": annual.text if annual is not None else "",
        **parse_target(name, target),
        "source_ref": ref,
    }
    for column in ("points", "score", "score_coef"):
        if side.get(column):
            row[column] = parse_amount(side[column].rstrip("%％"))
            if row[column] is None:  # 8 ? in an OCR'd form: said, and the sums it enters are not judged
                doc.leftovers.append({"source_ref": ref, "text": side[column], "reason": POINTS_UNREAD})
    if side.get("actual_value"):
        row.update(parse_actual(side["actual_value"], name, row["unit"] or side.get("unit_text", "")))
    for column in (
        "op_text",
        "unit_text",
        "kind_text",
        "direction_text",
        "note",
        "deviation_reason",
        "adjusted_value",
        "core_text",
    ):
        if side.get(column):
            row[column] = side[column]
    row["polarity"] = printed_polarity(side.get("direction_text", "")) or row["polarity"]
    doc.indicators.append(row)


def place_columns(header: list[Cell], columns: dict[str, Cell]) -> dict[str, Cell]:
    """Value columns headed by places, one per town or village, in a table without a 指标值 column.

    (安溪 2022: 三级指标 | 指标解释 | 西坪镇尧山村 | 桃舟乡吾培村 | ….) Header cells right of every
    known column that are no known header; at least two of them.
    """
    if "annual_value" in columns or "period_value" in columns:
        return {}
    last = max((cell.col for cell in columns.values() if cell.col is not None), default=0)
    places = [
        cell for cell in header if cell.col is not None and cell.col > last and not header_columns([cell], "indicators")
    ]
    return {f"place:{cell.col}": cell for cell in places} if len(places) >= 2 else {}


def place_values(
    cells: dict[str, list[Cell]], places: dict[str, Cell], name: str, side: dict[str, str] | None = None
) -> tuple[dict[str, Cell | None], str]:
    """One indicator's values across the places: the printed row, and the target they make together.

    Counts add up (1 project in each of 7 villages is ≥ 7 projects); rates are the range from the
    lowest to the highest (equal rates are that rate); the same words in every place (否) are that
    answer; values that do not parse alike (a date in one village, a count in another) are judged
    as printed, never summed on a guess. An operator or unit column (秀屿 2025: 指标方向 ≥) applies
    to every place's value.
    """
    found = [(head.text, cells[key][0]) for key, head in places.items() if cells.get(key)]
    if not found:
        return {"annual_value": None}, ""
    first = found[0][1]
    printed = Cell(
        text="；".join(f"{place} {cell.text}" for place, cell in found),
        ref=span([c.ref for _, c in found]),
        row=first.row,
        col=first.col,
    )
    texts = [_with_side_columns(cell, side or {}).text for _, cell in found]
    parsed = [parse_value(text, name=name) for text in texts]
    alike = {(p.op, p.unit) for p in parsed}
    if len(alike) != 1 or not all(p.quantified and p.value is not None for p in parsed):
        answers = {cell.text for _, cell in found}
        if len(answers) == 1:  # one answer for every place (否): that answer, over all their cells
            printed = Cell(text=answers.pop(), ref=printed.ref, row=printed.row, col=printed.col)
        return {"annual_value": printed}, printed.text
    op, unit = alike.pop()
    numbers = [p.value for p in parsed]
    sign = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}.get(op, "")
    if unit in ("%", "‰"):  # a rate is not added up: the places' rates, lowest to highest
        low, high = min(numbers), max(numbers)
        target = f"{sign}{low:g}{unit}" if low == high else f"{low:g}-{high:g}{unit}"
    else:
        target = f"{sign}{sum(numbers):g}{unit}"
    return {"annual_value": printed}, target


def _with_side_columns(cell: Cell, side: dict[str, str]) -> Cell:
    """The value cell read together with an operator and a unit printed in their own columns.

    An operator column that holds 定量/定性 instead of a sign (指标性质 means either, by province)
    adds nothing; a typed number keeps its number format unless a unit column names the unit.
    """
    op = side.get("op_text", "")
    sign = parse_value(op + "1").op
    op = op if sign in (">=", "<=", ">", "<", "range") or key(op) in ("=", "＝") else ""
    unit = side.get("unit_text", "")
    if not op and not unit:
        return cell
    return Cell(text=f"{op}{cell.text}{unit}", ref=cell.ref, row=cell.row, col=cell.col)


def parse_target(name: str, cell: Cell | None) -> dict[str, object]:
    """The parsed target columns of an indicator from its value cell (the annual one, else the period one).

    ``op``, ``value``, ``value_high``, ``unit``, ``quantified``, ``qualifier``, ``baseline``, ``polarity``. A typed
    spreadsheet number is read with its number format.
    """
    if cell is None:
        return dict(PARSED_EMPTY)
    parsed = parse_value(cell.value if cell.value is not None else cell.text, cell.number_format, name=name)
    return {
        "op": parsed.op,
        "value": parsed.value,
        "value_high": parsed.value_high,
        "unit": parsed.unit,
        "quantified": parsed.quantified,
        "qualifier": parsed.qualifier,
        "baseline": parsed.baseline,
        "polarity": infer_polarity(name, parsed, cell.text),
    }


def parse_actual(text: str, name: str, target_unit: str) -> dict[str, object]:
    """A self-evaluation's actual (实际完成值) parsed as a target is: the printed text, op, number, unit.

    An actual printed without a unit is in the target's unit (计量单位 % / 完成值 100 is 100%).
    """
    parsed = parse_value(text, name=name)
    unit = parsed.unit or (target_unit if parsed.value is not None else "")
    return {"actual_value": text, "actual_op": parsed.op, "actual": parsed.value, "actual_unit": unit}


# The parsed columns of a row without a value cell (an empty 二级 category).
PARSED_EMPTY = {
    "op": "",
    "value": None,
    "value_high": None,
    "unit": "",
    "quantified": None,
    "qualifier": "",
    "baseline": "",
    "polarity": "",
}
