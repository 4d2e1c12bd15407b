"""Where the money goes: the budget's composition and the money planned for each task."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from perfaudit.charts._inputs import NothingToPlot, form_titles, forms_of, ordered_docs
from perfaudit.charts.style import (
    GREY,
    ROW_IN,
    SERIES,
    add_header,
    add_note,
    amount,
    finish,
    label_bars,
    money_label,
    new_figure,
    plain_ticks,
    styled,
    wan,
    wrap,
)
from perfaudit.derive.budget import document_money
from perfaudit.derive.words import found_words
from perfaudit.vocab import read_vocab

_SECTION_GAP = 0.45  # blank rows' worth of space between the sections of one panel


def _sections() -> list[str]:
    """The budget block's sections in form order (合计 is a task-block line, not composition)."""
    return [row["section"] for row in read_vocab("budget_labels") if row["kind"] == "header"]


def _items() -> list[str]:
    seen: list[str] = []
    for row in read_vocab("budget_labels"):
        if row["kind"] == "item" and row["item"] not in seen:
            seen.append(row["item"])
    return seen


def budget_lines(source) -> pd.DataFrame:
    """The budget lines a composition chart shows: one row per document, section and item.

    A section is shown when it holds at least one amount above zero; blank cells are left out.
    Columns: doc_id, section, item, amount_yuan, amount_wan, share (of the section's total).
    """
    forms = forms_of(source)
    budget = forms.budget[forms.budget["amount_yuan"].notna()]
    sections, items = _sections(), _items()
    budget = budget[budget["section"].isin(sections)].copy()
    budget["section_order"] = budget["section"].map(sections.index)
    budget["item_order"] = budget["item"].map(lambda i: items.index(i) if i in items else len(items))
    budget["doc_order"] = budget["doc_id"].map({d: n for n, d in enumerate(ordered_docs(forms))})
    budget = budget.sort_values(["doc_order", "section_order", "item_order"], kind="stable")
    totals = budget.groupby(["doc_id", "section"])["amount_yuan"].transform("sum")
    budget = budget[budget.groupby(["doc_id", "section"])["amount_yuan"].transform("max") > 0].copy()
    budget["amount_wan"] = budget["amount_yuan"].map(wan)
    budget["share"] = (budget["amount_yuan"] / totals.loc[budget.index]).fillna(0.0)
    return budget[["doc_id", "section", "item", "amount_yuan", "amount_wan", "share"]].reset_index(drop=True)


def plot_budget(source) -> Figure:
    """Budget composition per form: 基本/项目 expenditure, the sources of funds, and the other blocks.

    Each form gets its own panel and scale (a town office and a city bureau differ a thousandfold);
    the number on a bar is the amount in 万元 and its share of the section.

    Example:
        >>> plot_budget(pa.load("data/forms"))   # doctest: +SKIP
    """
    forms = forms_of(source)
    lines = budget_lines(forms)
    if lines.empty:
        raise NothingToPlot("no budget amounts in the forms loaded")
    titles = form_titles(forms)
    money = document_money(forms).set_index("doc_id")
    colours = dict(zip(_sections(), SERIES, strict=False))
    panels = [(doc, part) for doc, part in lines.groupby("doc_id", sort=False)]
    with styled():
        rows = [len(part) + _SECTION_GAP * (part["section"].nunique() - 1) for _, part in panels]
        fig = new_figure(sum(r * ROW_IN + 0.75 for r in rows) + 0.45)
        axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": [r + 2.4 for r in rows]})
        for ax, (doc, part) in zip(axes[:, 0], panels, strict=True):
            y = _positions(part["section"].tolist())
            bars = ax.barh(y, part["amount_wan"], height=0.66, color=[colours[s] for s in part["section"]])
            shares = zip(part["amount_wan"], part["share"], strict=True)
            label_bars(ax, bars, [f"{amount(v)}（{s:.1%}）" for v, s in shares])
            ax.set_yticks(y, labels=part["item"].tolist())
            ax.set_ylim(max(y) + 0.6, -0.6)
            ax.xaxis.set_major_formatter(plain_ticks())
            ax.grid(axis="x")
            ax.set_xlabel(money_label("budget", "amount_yuan"))
            expend = wan(money["expend_yuan"].get(doc, float("nan")))
            total = f"：部门预算支出 {amount(expend)} 万元" if pd.notna(expend) else ""
            ax.set_title(f"{titles[doc]}{total}")
        present = set(lines["section"])
        shown = [s for s in _sections() if s in present]
        add_header(fig, "部门预算构成", [Patch(color=colours[s], label=s) for s in shown])
        add_note(fig, "条形旁为金额（万元）及其占所在部分合计的比例；未填金额的行不列出。")
        return finish(fig)


def _positions(sections: list[str]) -> list[float]:
    """Bar positions with a small gap where the section changes."""
    y, pos = [], 0.0
    for n, section in enumerate(sections):
        if n and section != sections[n - 1]:
            pos += _SECTION_GAP
        y.append(pos)
        pos += 1
    return y


def task_money(source) -> pd.DataFrame:
    """The tasks with planned money: doc_id, task_no, name, planned_yuan, planned_wan, is_basic, share.

    ``share`` is the task's share of the department's budget expenditure (基本 + 项目).
    """
    forms = forms_of(source)
    tasks = forms.tasks[forms.tasks["planned_yuan"].notna()].copy()
    expend = document_money(forms).set_index("doc_id")["expend_yuan"]
    tasks["planned_wan"] = tasks["planned_yuan"].map(wan)
    tasks["is_basic"] = tasks["name"].map(lambda n: bool(found_words(n, "basic_task")))
    tasks["share"] = tasks["planned_yuan"] / tasks["doc_id"].map(expend)
    return tasks[["doc_id", "task_no", "name", "planned_yuan", "planned_wan", "is_basic", "share"]].reset_index(
        drop=True
    )


def plot_task_money(source) -> Figure:
    """Planned money per task (年度重点工作任务), one panel per form, basic expenditure in grey.

    Example:
        >>> plot_task_money(pa.load("data/forms"))   # doctest: +SKIP
    """
    forms = forms_of(source)
    tasks = task_money(forms)
    if tasks.empty:
        raise NothingToPlot("no task with planned money in the forms loaded")
    titles = form_titles(forms)
    money = document_money(forms).set_index("doc_id")
    order = {d: n for n, d in enumerate(ordered_docs(forms))}
    panels = sorted(tasks.groupby("doc_id"), key=lambda item: order[item[0]])
    with styled():
        labels = {doc: [wrap(f"{r.task_no}. {r.name}", 30) for r in part.itertuples()] for doc, part in panels}
        rows = [sum(1 + 0.35 * lab.count("\n") for lab in labels[doc]) for doc, _ in panels]
        fig = new_figure(sum(r * ROW_IN + 0.75 for r in rows) + 0.3)
        axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": [r + 2.4 for r in rows]})
        for ax, (doc, part) in zip(axes[:, 0], panels, strict=True):
            y = range(len(part))
            colours = [GREY if basic else SERIES[0] for basic in part["is_basic"]]
            bars = ax.barh(y, part["planned_wan"], height=0.62, color=colours)
            shares = zip(part["planned_wan"], part["share"], strict=True)
            texts = [amount(v) + (f"（{s:.1%}）" if pd.notna(s) else "") for v, s in shares]
            label_bars(ax, bars, texts)
            ax.set_yticks(list(y), labels=labels[doc])
            ax.set_ylim(len(part) - 0.4, -0.6)
            ax.xaxis.set_major_formatter(plain_ticks())
            ax.grid(axis="x")
            ax.set_xlabel(money_label("tasks", "planned_yuan"))
            total = part["planned_wan"].sum()
            expend = wan(money["expend_yuan"].get(doc, float("nan")))
            versus = f"，部门预算支出 {amount(expend)} 万元" if pd.notna(expend) else ""
            ax.set_title(f"{titles[doc]}：任务合计 {amount(total)} 万元{versus}")
        add_header(fig, "年度重点工作任务拟投入资金")
        note = "条形旁为金额（万元）及其占部门预算支出的比例。"
        if tasks["is_basic"].any():
            note += "灰色为基本支出。"
        add_note(fig, note)
        return finish(fig)
