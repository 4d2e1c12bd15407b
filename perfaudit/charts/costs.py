"""What each yuan is meant to buy: unit costs per task, and money against planned output.

The numbers come from :func:`perfaudit.derive.unit_costs` (a task's planned money divided by the
one count its text promises); costs are compared only within a count unit (场 with 场, 人次 with
人次), since a 场 and a 人次 are not the same thing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import LogLocator, NullFormatter

from perfaudit.charts._inputs import (
    PER_FORM_LIMIT,
    NothingToPlot,
    findings_of,
    form_titles,
    forms_of,
    ordered_docs,
    unit_costs_of,
)
from perfaudit.charts.style import (
    BLUE,
    GREY,
    ORANGE,
    POINT_GID,
    RED,
    ROW_IN,
    SERIES,
    add_header,
    add_note,
    amount,
    declutter,
    finish,
    label_bars,
    money_label,
    new_figure,
    plain,
    plain_ticks,
    styled,
    wrap,
)
from perfaudit.fields import heading, label

OUTLIER_RULE = "R-REASON-05"
_KIND_ZH = {"task": "任务", "project": "项目"}
_COST_NOTE = (
    "单位成本 = 任务拟投入资金 ÷ 任务内容中承诺的数量（项目表：年度资金总额 ÷ 其唯一的数量指标）；"
    "仅比较同一计量单位、同类的任务或项目。"
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")

# Columns of the unit-cost table, in order; their labels come from the field dictionary.
_TABLE_COLUMNS = (
    "doc_id",
    "department",
    "year",
    "task_no",
    "task_name",
    "phrase",
    "quantity",
    "unit",
    "planned_yuan",
    "unit_cost_yuan",
    "peers_all",
    "peer_median_all_yuan",
    "ratio_to_median",
    "robust_z_all",
    "is_flagged",
    "source_ref",
)


def unit_cost_table(source, lang: str | None = "zh") -> pd.DataFrame:
    """The unit costs behind the charts: one row per task with exactly one promised count.

    Args:
        source: a FormSet or an Audit. With an Audit, ``is_flagged`` says whether the task has an
            open unit-cost finding (R-REASON-05); with a FormSet it is empty (not audited).
        lang: ``"zh"`` (default) for Chinese column labels to show in a notebook, ``"en"`` for
            English labels, ``None`` for the snake_case column names (for code and exports).

    Example:
        >>> unit_cost_table(pa.audit(pa.load("data/forms")))   # doctest: +SKIP
    """
    costs = unit_costs_of(source).copy()
    costs["ratio_to_median"] = (costs["unit_cost_yuan"] / costs["peer_median_all_yuan"]).round(2)
    costs["is_flagged"] = _flags(source, costs)
    sizes = costs.groupby("unit")["unit"].transform("size")
    costs = costs.assign(_n=-sizes).sort_values(["_n", "unit", "unit_cost_yuan"], ascending=[True, True, False])
    table = costs[list(_TABLE_COLUMNS)].reset_index(drop=True)
    if lang is None:
        return table
    if lang == "zh":
        return table.rename(columns={column: heading("unit_costs", column) for column in _TABLE_COLUMNS})
    return table.rename(columns={column: label("unit_costs", column, lang=lang) for column in _TABLE_COLUMNS})


def _flags(source, costs: pd.DataFrame) -> pd.Series:
    findings = findings_of(source)
    if findings is None:
        return pd.Series(pd.NA, index=costs.index, dtype="boolean")
    hits = findings[(findings["rule_id"] == OUTLIER_RULE) & (findings["status"] == "open")]
    keys = set(zip(hits["doc_id"], hits["subject"], strict=True))
    return pd.Series(
        [(doc, name) in keys for doc, name in zip(costs["doc_id"], costs["task_name"], strict=True)],
        index=costs.index,
        dtype="boolean",
    )


def _uncosted_note(source, costs: pd.DataFrame) -> str:
    """Say which tasks have no unit cost and why (the chart must not look complete when it is not)."""
    forms = forms_of(source)
    tasks = forms.tasks[forms.tasks["planned_yuan"].notna()]
    counts = forms.task_outputs.groupby(["doc_id", "task_no"]).size()
    keys = list(zip(tasks["doc_id"], tasks["task_no"], strict=True))
    costed = set(zip(costs["doc_id"], costs["task_no"], strict=True))
    none = sum(1 for k in keys if counts.get(k, 0) == 0)
    several = sum(1 for k in keys if counts.get(k, 0) > 1 and k not in costed)
    reasons = []
    if none:
        reasons.append(f"{none} 项未写明计划数量")
    if several:
        reasons.append(f"{several} 项写明了多种产出")
    lines = [f"另有 {none + several} 项任务未计算单位成本（{'，'.join(reasons)}）。"] if reasons else []
    titles = form_titles(forms)
    costed_docs = set(costs["doc_id"])
    absent = [titles[d] for d in ordered_docs(forms) if d not in costed_docs]
    if absent:
        shown = "、".join(absent[:3]) + (f" 等 {len(absent)} 份" if len(absent) > 3 else "")
        lines.append(f"未列入（没有可计算单位成本的任务或项目）：{shown}。")
    return "\n".join(lines)


def _scale(values_yuan: pd.Series) -> tuple[float, str]:
    """万元 when the costs reach 10,000 元, else 元 (0.008 万元 reads worse than 80 元)."""
    return (10_000.0, "万元") if values_yuan.max() >= 10_000 else (1.0, "元")


def plot_unit_costs(source) -> Figure:
    """Unit cost per task, one panel per count unit (场, 人次, 个 …), the median of peers dashed.

    The median is over every form loaded (``peer_median_all_yuan``); with an Audit, tasks with an
    open unit-cost finding (R-REASON-05) are drawn in red.

    Example:
        >>> plot_unit_costs(pa.load("data/forms"))   # doctest: +SKIP
    """
    costs = unit_costs_of(source).copy()
    if costs.empty:
        raise NothingToPlot("no task promises exactly one count, so no unit cost")
    forms = forms_of(source)
    titles = form_titles(forms)
    costs["is_flagged"] = _flags(source, costs).fillna(False).astype(bool)
    costed_docs = set(costs["doc_id"])  # made once: in the condition it is made per form
    docs = [d for d in ordered_docs(forms) if d in costed_docs]
    colours = {doc: SERIES[n % len(SERIES)] for n, doc in enumerate(docs)} if len(docs) > 1 else {docs[0]: BLUE}
    # One panel per count unit and kind: a project's whole budget per output is not a task's money per output.
    sizes = costs.groupby(["kind", "unit"]).size()
    panel_keys = sorted(sizes.index, key=lambda k: (k[0] != "task", -sizes[k], k[1]))
    with styled():
        panels = []
        for kind, unit in panel_keys:
            part = costs[(costs["kind"] == kind) & (costs["unit"] == unit)]
            part = part.sort_values("unit_cost_yuan", ascending=False, kind="stable")
            names = [wrap(f"{r.task_name}（{r.qualifier}{plain(r.quantity)}{unit}）", 32) for r in part.itertuples()]
            panels.append((kind, unit, part, names))
        rows = [sum(1 + 0.35 * n.count("\n") for n in names) for *_, names in panels]
        note = "\n".join(filter(None, [_COST_NOTE, _uncosted_note(source, costs)]))
        # The note wraps at the page's width: room for its lines below the panels.
        fig = new_figure(sum(r * ROW_IN + 0.75 for r in rows) + 0.6 + 0.16 * (len(note) // 60 + note.count("\n")))
        axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": [r + 2.4 for r in rows]})
        for ax, (kind, unit, part, names) in zip(axes[:, 0], panels, strict=True):
            what = _KIND_ZH[kind]
            factor, money_unit = _scale(part["unit_cost_yuan"])
            values = part["unit_cost_yuan"] / factor
            y = list(range(len(part)))
            face = [RED if flag else colours[doc] for doc, flag in zip(part["doc_id"], part["is_flagged"], strict=True)]
            bars = ax.barh(y, values, height=0.62, color=face)
            label_bars(ax, bars, [amount(v) for v in values])
            ax.set_yticks(y, labels=names)
            ax.set_ylim(len(part) - 0.4, -0.6)
            ax.xaxis.set_major_formatter(plain_ticks())
            ax.grid(axis="x")
            ax.set_xlabel(f"单位成本({money_unit}/{unit})")
            peers = int(part["peers_all"].max())
            median = part["peer_median_all_yuan"].iloc[0] / factor
            if peers > 1:
                ax.axvline(median, color=ORANGE, linestyle="--", linewidth=1.2, zorder=3)
                ax.set_title(f"每{unit}：{peers} 个{what}，中位数 {amount(median)} {money_unit}/{unit}")
            else:
                ax.set_title(f"每{unit}：仅 1 个{what}，无可比")
        handles = [Line2D([], [], color=ORANGE, linestyle="--", label="同单位中位数")]
        if len(docs) > 1:
            handles += [Patch(color=colours[d], label=titles[d]) for d in docs]
        if costs["is_flagged"].any():
            handles.append(Patch(color=RED, label=f"单位成本偏离（{OUTLIER_RULE}）"))
        subject = titles[docs[0]] if len(docs) == 1 else f"{len(docs)} 份表格"
        add_header(fig, f"单位产出成本：{subject}", handles)
        add_note(fig, note)
        return finish(fig)


def plot_money_vs_output(source) -> Figure:
    """Planned money against planned output for every costed task of every form (log-log scatter).

    Colour is the count unit, the marker the form; a dashed line per unit shows the median unit
    cost, so a point above its line buys less output per yuan than its peers.

    Example:
        >>> plot_money_vs_output(pa.load("data/forms"))   # doctest: +SKIP
    """
    costs = unit_costs_of(source)
    if costs.empty:
        raise NothingToPlot("no task promises exactly one count, so no money-output pairs")
    forms = forms_of(source)
    titles = form_titles(forms)
    costed_docs = set(costs["doc_id"])  # made once: in the condition it is made per form
    docs = [d for d in ordered_docs(forms) if d in costed_docs]
    sizes = costs.groupby("unit").size()
    units = sorted(sizes.index, key=lambda u: (-sizes[u], u))
    colour = {u: SERIES[n % len(SERIES)] for n, u in enumerate(units)}
    # One marker per form, while there are few enough forms to tell apart in the legend.
    per_form = 1 < len(docs) <= PER_FORM_LIMIT
    marker = {d: MARKERS[n % len(MARKERS)] if per_form else "o" for n, d in enumerate(docs)}
    money = costs["planned_yuan"] / 10_000
    with styled():
        fig = new_figure(4.6)
        ax = fig.subplots()
        for unit in units:
            part = costs[costs["unit"] == unit]
            groups = part.groupby("doc_id", sort=False) if per_form else [("*", part)]
            for doc, points in groups:
                ax.scatter(
                    points["quantity"],
                    money[points.index],
                    s=36 if per_form or len(costs) <= 200 else 14,
                    color=colour[unit],
                    marker=marker.get(doc, "o"),
                    edgecolor="white",
                    linewidth=0.6 if per_form or len(costs) <= 200 else 0.3,
                    zorder=3,
                    gid=f"points:{unit}:{doc}",
                )
            if len(part) > 1:
                xs = np.array([part["quantity"].min() / 1.5, part["quantity"].max() * 1.5])
                ax.plot(xs, xs * part["peer_median_all_yuan"].iloc[0] / 10_000, color=colour[unit], ls="--", lw=0.9)
        ax.set_xscale("log")
        ax.set_yscale("log")
        _log_limits(ax, costs["quantity"], money)
        labels = []
        if len(costs) <= 20:
            labels = [
                ax.annotate(
                    wrap(name, 24, max_lines=1),
                    xy=(q, m),
                    xytext=(5, 3),
                    textcoords="offset points",
                    fontsize=7.5,
                    color="#333333",
                    gid=POINT_GID,
                    in_layout=False,
                )
                for name, q, m in zip(costs["task_name"], costs["quantity"], money, strict=True)
            ]
        ax.grid(which="major")
        ax.set_xlabel(f"{label('task_outputs', 'quantity')}（计划产出，对数坐标）")
        ax.set_ylabel(f"{money_label('tasks', 'planned_yuan')}，对数坐标")
        handles = [Line2D([], [], color=colour[u], marker="o", ls="--", lw=0.9, label=f"单位：{u}") for u in units]
        if per_form:
            handles += [Line2D([], [], color=GREY, marker=marker[d], ls="", label=titles[d]) for d in docs]
        subject = titles[docs[0]] if len(docs) == 1 else f"{len(docs)} 份表格"
        add_header(fig, f"拟投入资金与计划产出：{subject}", handles)
        add_note(fig, "虚线为同单位任务的中位数单位成本：点在其虚线之上，则每单位产出花钱多于同类任务。")
        declutter(ax, labels)  # last: it needs the final layout
        return finish(fig)


def _log_limits(ax, x: pd.Series, y: pd.Series) -> None:
    """Pad log axes by a factor, label 1-2-5 ticks in plain numbers."""
    ax.set_xlim(x.min() / 2, x.max() * 2.5)
    ax.set_ylim(y.min() / 1.8, y.max() * 1.8)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        axis.set_major_formatter(plain_ticks())
        axis.set_minor_formatter(NullFormatter())
