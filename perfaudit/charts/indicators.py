"""The indicator framework of each form: how many 三级指标 sit in each 一级 × 二级 category.

Empty categories (a 二级 label printed with no indicator under it) and categories whose
indicators are all qualitative are marked, so the gaps R-COMPLETE-05 and R-QUANT-04 talk
about are visible at a glance and side by side for every form loaded.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from perfaudit.charts._inputs import NothingToPlot, form_headers, forms_of, ordered_docs
from perfaudit.charts.fonts import bold_weight
from perfaudit.charts.style import (
    GREY,
    INK,
    LIGHT_BLUE,
    LIGHT_GREY,
    LIGHT_ORANGE,
    LIGHT_RED,
    add_header,
    add_note,
    finish,
    new_figure,
    styled,
)
from perfaudit.fields import label
from perfaudit.vocab import read_vocab

# Display order of the 二级 families (the 88号 framework's order); the vocabulary gives the rest.
_FAMILY_ORDER = ("数量", "质量", "时效", "成本", "效益", "满意度")
UNKNOWN_LEVEL2 = "（未识别）"

HEADER = "#56718d"  # a 一级 row: its total, white on dark
STATUS_COLOUR = {"ok": LIGHT_BLUE, "qualitative_only": LIGHT_ORANGE, "empty": LIGHT_RED, "absent": "white"}
STATUS_ZH = {"qualitative_only": "均为定性指标", "empty": "空类别", "absent": "未列该类别"}


def _rank() -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """Sort keys of the canonical 一级 names (vocabulary order) and 二级 names (family, then vocabulary)."""
    level1: dict[str, int] = {}
    level2: dict[str, tuple[int, int]] = {}
    for n, row in enumerate(read_vocab("level_labels")):
        level1.setdefault(row["canonical"], n)
        family = _FAMILY_ORDER.index(row["family"]) if row["family"] in _FAMILY_ORDER else len(_FAMILY_ORDER)
        level2.setdefault(row["canonical"], (family, n))
    return level1, level2


def indicator_framework(source) -> pd.DataFrame:
    """One row per form and 一级 × 二级 category: the counts behind the framework chart.

    Columns: doc_id, level1, level2, indicators (三级指标 count), quantified, qualitative, status
    (``ok``, ``qualitative_only``, ``empty``); categories a form does not print have no row.
    """
    forms = forms_of(source)
    rows = forms.indicators.copy()
    rows = rows[rows["level1"] != ""]
    rows["level2"] = rows["level2"].where(rows["level2"] != "", UNKNOWN_LEVEL2)
    named = rows["level3"] != ""
    rows["is_quantified"] = named & rows["quantified"].fillna(False).astype(bool)
    rows["is_qualitative"] = named & ~rows["is_quantified"]
    rows["is_named"] = named
    grouped = rows.groupby(["doc_id", "level1", "level2"], sort=False)
    frame = grouped.agg(
        indicators=("is_named", "sum"), quantified=("is_quantified", "sum"), qualitative=("is_qualitative", "sum")
    ).reset_index()
    frame["status"] = "ok"
    frame.loc[(frame["quantified"] == 0) & (frame["qualitative"] > 0), "status"] = "qualitative_only"
    frame.loc[frame["indicators"] == 0, "status"] = "empty"
    for column in ("indicators", "quantified", "qualitative"):
        frame[column] = frame[column].astype(int)
    rank1, rank2 = _rank()
    doc_order = {d: n for n, d in enumerate(ordered_docs(forms))}
    frame["_key"] = [
        (rank1.get(l1, 999), rank2.get(l2, (99, 999)), l2, doc_order.get(doc, 0))
        for l1, l2, doc in zip(frame["level1"], frame["level2"], frame["doc_id"], strict=True)
    ]
    return frame.sort_values("_key").drop(columns="_key").reset_index(drop=True)


def plot_indicator_framework(source) -> Figure:
    """A grid of 一级 × 二级 categories (rows) by form (columns), each cell the number of 三级指标.

    Example:
        >>> plot_indicator_framework(pa.load("data/forms"))   # doctest: +SKIP
    """
    forms = forms_of(source)
    frame = indicator_framework(forms)
    if frame.empty:
        raise NothingToPlot("no indicators in the forms loaded")
    present = set(frame["doc_id"])  # made once: in the condition it is made per form
    docs = [d for d in ordered_docs(forms) if d in present]
    categories = list(dict.fromkeys(zip(frame["level1"], frame["level2"], strict=True)))
    # Rows: each 一级 as a header (its total), then its 二级 categories indented.
    layout: list[tuple[str, str | None]] = []
    for level1 in dict.fromkeys(l1 for l1, _ in categories):
        layout.append((level1, None))
        layout.extend((l1, l2) for l1, l2 in categories if l1 == level1)
    cells = frame.set_index(["doc_id", "level1", "level2"])
    totals = frame.groupby(["doc_id", "level1"])["indicators"].sum()
    with styled():
        fig = new_figure(0.26 * len(layout) + 1.5)
        ax = fig.subplots()
        for row, (level1, level2) in enumerate(layout):
            for col, doc in enumerate(docs):
                ink = INK
                if level2 is None:
                    present = (doc, level1) in totals.index
                    text = str(int(totals[(doc, level1)])) if present else "—"
                    colour, weight = (HEADER if present else LIGHT_GREY), bold_weight()
                    ink = "white" if present else GREY
                elif (doc, level1, level2) in cells.index:
                    cell = cells.loc[(doc, level1, level2)]
                    text, colour, weight = _cell(cell), STATUS_COLOUR[cell["status"]], "normal"
                else:
                    text, colour, weight, ink = "—", STATUS_COLOUR["absent"], "normal", GREY
                ax.add_patch(Rectangle((col, row), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5))
                ax.text(
                    col + 0.5,
                    row + 0.5,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    fontweight=weight,
                    color=ink,
                    gid=f"cell|{doc}|{level1}|{level2 or ''}",
                )
        ax.set_xlim(0, len(docs))
        ax.set_ylim(len(layout), 0)
        ax.set_yticks(
            [r + 0.5 for r in range(len(layout))],
            labels=[level1 if level2 is None else f"　{level2}" for level1, level2 in layout],
        )
        for tick, (_, level2) in zip(ax.get_yticklabels(), layout, strict=True):
            tick.set_fontweight(bold_weight() if level2 is None else "normal")
        headers = form_headers(forms, width=max(8, int(84 / len(docs))))
        ax.set_xticks([c + 0.5 for c in range(len(docs))], labels=[headers[d] for d in docs])
        ax.xaxis.tick_top()
        ax.tick_params(axis="x", length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_ylabel(f"{label('indicators', 'level1')} / {label('indicators', 'level2')}")
        handles = [Patch(facecolor=STATUS_COLOUR[s], edgecolor="#bbbbbb", label=z) for s, z in STATUS_ZH.items()]
        add_header(fig, "绩效指标框架：各类别三级指标个数", handles)
        add_note(
            fig,
            "深色行为一级指标合计。空类别：列了二级指标而未填三级指标。\n"
            "定性：未设可衡量数值的指标（如“有效提升”“长期性”）。",
        )
        return finish(fig)


def _cell(cell: pd.Series) -> str:
    if cell["status"] == "empty":
        return "空"
    if cell["status"] == "qualitative_only":
        return f"{cell['indicators']}（均定性）"
    if cell["qualitative"]:
        return f"{cell['indicators']}（定性 {cell['qualitative']}）"
    return str(cell["indicators"])
