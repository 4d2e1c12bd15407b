"""One way to show a table in a notebook: as the working paper prints it.

:func:`show` takes any frame the package makes and renders it with the field dictionary's
Chinese labels (the English label and the column name on hover), money in 万元 or 元 with
thousands separators, blanks for missing values, 是/否 for booleans, severities and statuses in
Chinese, and every row inside a scrollable box instead of a table cut with "…". Nothing here
knows a particular table: a column is labelled and formatted by what the dictionary says of it,
so a table that is new tomorrow looks right without per-notebook code.

Example:
    >>> import perfaudit as pa
    >>> pa.show(forms.budget, "budget")        # doctest: +SKIP
    >>> pa.show(result.findings, "findings")   # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from perfaudit import fields

# Columns whose values are codes with Chinese names (the export's labels for statuses and changes).
VALUE_KINDS = ("severity", "status", "change")
MONEY_UNITS = ("元", "万元")
# A column whose longest value is longer than this wraps in a wide cell; shorter ones never wrap.
WIDE_TEXT = 24
_BRACKETED_UNIT = re.compile(r"[（(](?:万?元)[)）]$")


def show(
    frame: pd.DataFrame | pd.Series, table: str | None = None, height: str = "32em", highlight: list | None = None
) -> Table:
    """``frame`` as a readable table (``table``: the dictionary table its columns belong to).

    A Series (one row of a frame) is shown as a two-column table of field and value. The result
    displays itself in a notebook (HTML, scrollable within ``height``; ``"none"`` for no limit)
    and as text elsewhere. ``highlight``: one flag per row, marking the rows to shade.
    """
    if isinstance(frame, pd.Series):
        values = [format_column(pd.Series([v]), table, str(k))[0][0] for k, v in frame.items()]
        rows = pd.DataFrame({"字段": [header(table, str(k))[0] for k in frame.index], "内容": values})
        return Table(rows, None, height)
    return Table(frame, table, height, highlight)


class Table:
    """A frame formatted for reading; ``.cells`` holds the formatted text, ``.headers`` the labels."""

    def __init__(
        self, frame: pd.DataFrame, table: str | None, height: str = "32em", highlight: list | None = None
    ) -> None:
        index_names = {str(n) for n in frame.index.names if n is not None}
        if frame.columns.name == "severity":  # a pivot by severity reads 错误, 警告, 提示 in that order
            known = fields.severities()
            order = [c for c in frame.columns if c not in known] + [c for c in known if c in frame.columns]
            frame = frame[order].rename_axis(columns="severity")
        frame = _flatten(frame)
        self.frame, self.table, self.height = frame, table, height
        self.highlight = list(highlight) if highlight is not None else [False] * len(frame)
        self.columns = [str(c) for c in frame.columns]
        self.headers, self.cells, self.kinds = [], {}, {}
        value_axis = frame.columns.name if frame.columns.name in VALUE_KINDS else None
        for column, name in zip(frame.columns, self.columns, strict=True):
            cells, kind, unit = format_column(frame[column], table, name)
            if value_axis and name not in index_names:  # a pivot's columns are codes: error, warning, …
                zh, en = value_label(value_axis, name), name
            else:
                zh, en = header(table, name, unit)
            self.headers.append((zh, en, name))
            self.cells[name], self.kinds[name] = cells, kind

    def to_frame(self) -> pd.DataFrame:
        """The formatted text with the Chinese headers (what the HTML shows)."""
        return pd.DataFrame({zh: self.cells[name] for (zh, _, name) in self.headers}, index=range(len(self.frame)))

    def __repr__(self) -> str:
        if self.frame.empty:
            return "（无数据）"
        return self.to_frame().to_string(index=False)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The table as HTML: Chinese headings, English name on hover, severity colours."""
        if not self.headers:
            return "<div>（无数据）</div>"
        head = "".join(
            f'<th title="{html.escape(en)} · {html.escape(name)}" style="{_TH}">{html.escape(zh)}</th>'
            for zh, en, name in self.headers
        )
        styles = {name: _cell_style(self.kinds[name], self.cells[name]) for name in self.columns}
        body = []
        for i in range(len(self.frame)):
            tds = []
            for name in self.columns:
                value = self.cells[name][i]
                style = styles[name]
                if self.kinds[name] == "severity" and value:
                    colour = fields.severity_colour(_severity_code(value))
                    style += f"color:white;background:{colour};"
                tds.append(f'<td style="{style}">{html.escape(value)}</td>')
            shade = ' style="background:#fff3c4"' if self.highlight[i] else ""
            body.append(f"<tr{shade}>{''.join(tds)}</tr>")
        empty = "" if body else f'<tr><td colspan="{len(self.headers)}" style="{_TD}">（无数据）</td></tr>'
        return (
            f'<div class="perfaudit-table" style="max-height:{self.height};overflow:auto;max-width:100%">'
            f'<table style="border-collapse:collapse;font-size:13px"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}{empty}</tbody></table></div>"
        )


_TH = (
    "position:sticky;top:0;z-index:1;background:#f3f4f6;border-bottom:1px solid #999;"
    "padding:3px 8px;text-align:left;white-space:nowrap;"
)
_TD = "border-bottom:1px solid #e5e7eb;padding:3px 8px;vertical-align:top;"


def _severity_code(label: str) -> str:
    return next((code for code in fields.severities() if fields.code_label("severity", code) == label), "")


def _cell_style(kind: str, cells: list[str]) -> str:
    if kind == "number":
        return _TD + "text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;"
    longest = max((len(c) for c in cells), default=0)
    if longest > WIDE_TEXT:
        return _TD + "text-align:left;white-space:normal;min-width:18em;max-width:42em;"
    return _TD + "text-align:left;white-space:nowrap;"


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """A meaningful index (a groupby's keys) becomes columns; a plain row number is dropped."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) or all(n is None for n in index.names):
        frame = frame.reset_index(drop=True)
    else:
        name = frame.columns.name
        frame = frame.reset_index()
        frame.columns.name = name
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" ".join(str(p) for p in parts if str(p)) for parts in frame.columns]
    return frame


# ----- labels -------------------------------------------------------------------------------


def header(table: str | None, column: str, unit: str | None = None) -> tuple[str, str]:
    """``(Chinese, English)`` label of a column, the Chinese one naming ``unit`` when it is money.

    The field dictionary answers: ``table``'s entry first, then any table or derived frame with
    that column; a column named after a table (a count per table) or a severity or status code
    (a count per severity) takes that name. A column no one knows keeps its name (and the
    notebook tests catch it).
    """
    zh, en = _dictionary_label(table, column)
    if zh is None:
        for kind in ("severity", "status"):
            if fields.code_label(kind, column) != column:
                zh, en = fields.code_label(kind, column), column
                break
    if zh is None and fields.table_label(column) != column:
        zh, en = fields.table_label(column), column
    if zh is None or en is None:
        zh, en = zh or column, en or column
    if unit in MONEY_UNITS:
        bare = _BRACKETED_UNIT.sub("", zh)
        zh = f"{bare}（{unit}）"
    return zh, en


def _dictionary_label(table: str | None, column: str) -> tuple[str | None, str | None]:
    for name in ([table] if table else []) + fields.tables_with(column):
        try:
            return fields.label(name, column), fields.label(name, column, lang="en")
        except KeyError:
            continue
    return None, None


def value_label(kind: str | None, value: str) -> str:
    """A code as the working paper names it: ``error`` → 错误, ``open`` → 待处理."""
    return fields.code_label(kind, value) if kind in VALUE_KINDS else value


def column_unit(table: str | None, column: str) -> str:
    """The unit of a column: the dictionary's, else the one its name ends in (``_yuan``, ``_wan``)."""
    for name in ([table] if table else []) + fields.tables_with(column):
        found = fields.unit(name, column)
        if found:
            return found
    if column.endswith("_yuan"):
        return "元"
    if column.endswith("_wan"):
        return "万元"
    return ""


# ----- values -------------------------------------------------------------------------------


def format_column(series: pd.Series, table: str | None, column: str) -> tuple[list[str], str, str]:
    """The cells of one column as text, the kind of column (number, text, severity) and its unit."""
    unit = column_unit(table, column)
    values = list(series)
    present = [v for v in values if not _blank(v)]
    if column in VALUE_KINDS:
        return [_text(v, lambda s: value_label(column, s)) for v in values], column, ""
    if present and all(_is_bool(v) for v in present):
        return ["" if _blank(v) else ("是" if v else "否") for v in values], "text", ""
    numeric = all(_is_number(v) for v in present) and (bool(present) or pd.api.types.is_numeric_dtype(series.dtype))
    if numeric:
        if unit in MONEY_UNITS:  # 万元 as the forms print it, with as many decimals as the amount has
            scale = 10_000.0 if unit == "元" else 1.0
            cells = ["" if _blank(v) else _number(float(v) / scale, _decimals(float(v) / scale), True) for v in values]
            return cells, "number", "万元"
        decimals = next((d for d in (0, 1, 2) if all(_exact(float(v), d) for v in present)), 2)
        separators = bool(unit) or decimals > 0
        return ["" if _blank(v) else _number(float(v), decimals, separators) for v in values], "number", unit
    return [_text(v, str) for v in values], "text", ""


def _decimals(wan: float) -> int:
    """Two decimals of 万元, or up to six where the amount has fen below 100 yuan (10891.615675)."""
    return next((d for d in (2, 3, 4, 5) if _exact(wan, d)), 6)


def _exact(number: float, decimals: int) -> bool:
    return math.isclose(round(number, decimals), number, rel_tol=0, abs_tol=1e-9)


def _number(value: float, decimals: int, separators: bool) -> str:
    return f"{value:,.{decimals}f}" if separators else f"{value:.{decimals}f}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not _is_bool(value)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)


def _blank(value: object) -> bool:
    if isinstance(value, list | tuple | set):
        return not value
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _text(value: object, convert: Callable[[str], str]) -> str:
    if _blank(value):
        return ""
    if _is_bool(value):
        return "是" if value else "否"
    if isinstance(value, Iterable) and not isinstance(value, str):
        return "、".join(_text(v, convert) for v in value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return _number(number, 0 if number.is_integer() else 2, False)
    return convert(str(value))
