"""Targets against results: money planned against money spent, and each target against its actual.

The numbers come from :func:`perfaudit.derive.results.result_frames` (the same frames R-RESULT
judges): ``execution`` for the money, ``results`` for the indicators. Only self-evaluations
(绩效自评表) have them; with none loaded the charts raise :class:`NothingToPlot`.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from perfaudit.charts._inputs import NothingToPlot, form_titles, forms_of, ordered_docs
from perfaudit.charts.style import (
    BLUE,
    ORANGE,
    RED,
    ROW_IN,
    add_header,
    add_note,
    amount,
    finish,
    label_bars,
    new_figure,
    plain_ticks,
    styled,
    wan,
    wrap,
)
from perfaudit.derive.indicators import indicator_facts
from perfaudit.derive.results import SELF_EVALUATIONS, approved_forms, result_frames

#: Rows a completion chart shows at most: the lowest completion first (the ones to look at).
COMPLETION_ROWS = 40
#: Self-evaluations an execution chart shows at most: past it, the lowest rates.
EXECUTION_ROWS = 40


def _frames(source) -> dict[str, pd.DataFrame]:
    frames = getattr(source, "frames", None)
    if isinstance(frames, dict) and "results" in frames and "execution" in frames:
        return frames
    # Derived for the self-evaluations and the target forms they answer to only: an archive's
    # target forms are most of it, and their facts would take more memory than the charts.
    forms = forms_of(source)
    documents = forms.documents
    pairs = approved_forms(documents)
    own = documents.loc[documents["form_type"].isin(SELF_EVALUATIONS), "doc_id"]
    some = forms.select([*own, *pairs["approved_doc_id"]]) if len(own) < len(documents) else forms
    return result_frames(some, indicator_facts(some.indicators, some.documents), pairs)


def completion_table(source) -> pd.DataFrame:
    """One row per self-evaluated indicator whose actual can be held against its target.

    Columns: doc_id, level3, target_text, actual_text, completion (actual ÷ target in the target's
    direction: for an at-most target, target ÷ actual), met, points, score. Sorted lowest first.
    """
    results = _frames(source)["results"]
    rows = results[results["comparable"] & results["value"].gt(0) & results["actual_in_target_unit"].gt(0)].copy()
    at_most = rows["target_op"].isin(["<=", "<"])
    rows["completion"] = (rows["actual_in_target_unit"] / rows["value"]).where(
        ~at_most, rows["value"] / rows["actual_in_target_unit"]
    )
    columns = ["doc_id", "level3", "target_text", "actual_text", "completion", "met", "points", "score"]
    return rows.sort_values("completion", kind="stable")[columns].reset_index(drop=True)


def plot_completion(source) -> Figure:
    """Each target against its actual: completion (1 = the target exactly), lowest first, missed in red.

    Example:
        >>> plot_completion(pa.audit(pa.load("data/families")))   # doctest: +SKIP
    """
    table = completion_table(source)
    if table.empty:
        raise NothingToPlot("no self-evaluated indicator whose actual can be held against its target")
    forms = forms_of(source)
    titles = form_titles(forms)
    shown = table.head(COMPLETION_ROWS)
    several = shown["doc_id"].nunique() > 1
    names = [
        wrap(f"{r.level3}（{r.target_text} → {r.actual_text}）" + (f" · {titles[r.doc_id]}" if several else ""), 40)
        for r in shown.itertuples()
    ]
    with styled():
        fig = new_figure(sum(1 + 0.35 * n.count("\n") for n in names) * ROW_IN + 1.6)
        ax = fig.subplots()
        y = list(range(len(shown)))
        missed = shown["met"].eq(False).fillna(False)
        colours = [RED if m else BLUE for m in missed]
        bars = ax.barh(y, shown["completion"], height=0.62, color=colours)
        label_bars(ax, bars, [f"{v:.0%}" for v in shown["completion"]])
        ax.axvline(1.0, color=ORANGE, linestyle="--", linewidth=1.2, zorder=3)
        ax.set_yticks(y, labels=names)
        ax.set_ylim(len(shown) - 0.4, -0.6)
        ax.grid(axis="x")
        ax.set_xlabel("完成程度（实际 ÷ 目标；“不高于”的目标为 目标 ÷ 实际）")
        handles = [Patch(color=BLUE, label="完成"), Patch(color=RED, label="未完成")]
        add_header(fig, f"目标与实际完成：{len(table)} 项可比指标", handles)
        notes = ["只列出实际值能与目标比较的指标（同一计量单位的数值）；定性指标、照抄目标的完成值不在其中。"]
        if len(table) > len(shown):
            notes.append(f"按完成程度从低到高列出前 {len(shown)} 项（共 {len(table)} 项）。")
        add_note(fig, "\n".join(notes))
        return finish(fig)


def execution_table(source) -> pd.DataFrame:
    """The 年度资金总额 line of each self-evaluation: budgets, spending and the rate (in 万元)."""
    execution = _frames(source)["execution"]
    total = execution[execution["is_total"]].copy()
    for column in ("budget_initial_yuan", "budget_final_yuan", "spent_yuan"):
        total[column.replace("_yuan", "_wan")] = total[column].map(wan)
    columns = ["doc_id", "budget_initial_wan", "budget_final_wan", "spent_wan", "rate_read", "points", "score"]
    return total[columns].reset_index(drop=True)


def plot_execution(source) -> Figure:
    """The execution rate of each self-evaluation (全年执行数 ÷ 全年预算数), with its amounts; below 90% in red.

    Rates, not amounts, are drawn: a town's 3 万元 and a district's 7,574 万元 share one axis.

    Example:
        >>> plot_execution(pa.audit(pa.load("data/families")))   # doctest: +SKIP
    """
    table = execution_table(source)
    table = table[table["rate_read"].notna()]
    if table.empty:
        raise NothingToPlot("no self-evaluation with an execution rate read or computable")
    forms = forms_of(source)
    titles = form_titles(forms)
    order = {doc: n for n, doc in enumerate(ordered_docs(forms))}
    total = len(table)
    if total > EXECUTION_ROWS:  # an archive: the lowest rates, the ones to look at
        table = table.sort_values("rate_read", kind="stable").head(EXECUTION_ROWS)
    table = table.assign(_order=table["doc_id"].map(order)).sort_values("_order")
    with styled():
        fig = new_figure(len(table) * 1.25 * ROW_IN + 1.4)
        ax = fig.subplots()
        y = list(range(len(table)))
        low = table["rate_read"] < 90
        bars = ax.barh(y, table["rate_read"], height=0.62, color=[RED if flag else BLUE for flag in low])
        texts = [
            f"{r:.1f}%" + ("" if pd.isna(s) or pd.isna(b) else f"（{amount(s)} / {amount(b)} 万元）")
            for r, s, b in zip(table["rate_read"], table["spent_wan"], table["budget_final_wan"], strict=True)
        ]
        label_bars(ax, bars, texts)
        ax.axvline(90, color=ORANGE, linestyle="--", linewidth=1.2, zorder=3)
        ax.set_yticks(y, labels=[wrap(titles[d], 24) for d in table["doc_id"]])
        ax.set_ylim(len(table) - 0.4, -0.6)
        ax.set_xlim(0, max(110.0, float(table["rate_read"].max()) * 1.1))
        ax.xaxis.set_major_formatter(plain_ticks())
        ax.grid(axis="x")
        ax.set_xlabel("预算执行率（%）")
        handles = [Patch(color=BLUE, label="不低于 90%"), Patch(color=RED, label="低于 90%")]
        add_header(fig, f"预算执行率：{total} 份自评表", handles)
        notes = [
            "执行率 = 全年执行数 ÷ 全年预算数（括号内为执行数 / 全年预算数；读不出金额时为表中所填执行率）；"
            "虚线为 90%。"
        ]
        if total > len(table):
            notes.append(f"列出执行率最低的 {len(table)} 份（共 {total} 份）。")
        add_note(fig, "\n".join(notes))
        return finish(fig)
