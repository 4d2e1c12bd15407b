"""Year over year for one department: its budget, its task money and its key targets.

Drawn only when the forms loaded hold the same department in two or more years. Forms,
tasks and indicators are paired as the year-over-year rules pair them (:mod:`perfaudit.derive.years`:
normalised names, the bracketed unit such as "（人）" left out, an indicator renamed by a word),
so that a chart never shows a pair the rules did not judge, or misses one they did.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from perfaudit.charts._inputs import NothingToPlot, forms_of
from perfaudit.charts.style import (
    ROW_IN,
    SERIES,
    add_header,
    add_note,
    amount,
    finish,
    label_bars,
    money_label,
    new_figure,
    plain,
    plain_ticks,
    styled,
    wan,
    wrap,
)
from perfaudit.derive.years import department_years, match_indicators, name_key

_BUDGET_ITEMS = ("基本支出", "项目支出", "财政拨款", "其他资金")
_OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": ""}
_TARGET_COLUMNS = ["doc_id", "key", "level3", "op", "value", "value_high", "unit", "polarity"]


def _chains(forms) -> dict[str, list[str]]:
    """Department (as its latest form prints it) → the doc_ids that stand for it, oldest year first.

    The forms are the ones the year-over-year rules pair (:func:`derive.years.department_years`):
    departments matched by normalised name, the approved form preferred in a year. Departments
    come in the order they were loaded.
    """
    chosen = department_years(forms.documents).sort_values(["year"], kind="stable")
    ids: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for key, department, doc_id in zip(chosen["dept_key"], chosen["department"], chosen["doc_id"], strict=True):
        ids.setdefault(key, []).append(doc_id)
        names[key] = department
    order = dict.fromkeys(map(name_key, forms.documents["department"].unique()))
    return {names[k]: ids[k] for k in order if len(ids.get(k, ())) >= 2}


def departments_with_years(source) -> dict[str, list[str]]:
    """Departments loaded in two or more years: department → doc_ids, oldest year first.

    The same forms the year-over-year rules compare: departments are matched by normalised
    name and, when one year has several forms of a department (申报 and 批复), the 批复 one.
    """
    return _chains(forms_of(source))


def _task_rows(per_year: list[pd.DataFrame], years: list[int]) -> list[dict]:
    """Tasks paired across years by :func:`name_key` (as the unit-cost rules pair them).

    The n-th task of a name in one year pairs with the n-th of that name in another; a row is
    labelled with the name as its newest year prints it.
    """
    rows: dict[tuple[str, int], dict] = {}
    for y in range(len(years) - 1, -1, -1):
        part = per_year[y]
        keys = part["name"].map(name_key)
        seen: dict[str, int] = {}
        for k, name, planned in zip(keys, part["name"], part["planned_yuan"], strict=True):
            n = seen[k] = seen.get(k, -1) + 1
            entry = rows.setdefault((k, n), {"task": name})
            entry[years[y]] = wan(planned)
    return [{year: entry.get(year) for year in years} | {"task": entry["task"]} for entry in rows.values()]


def year_over_year(source, department: str) -> dict[str, pd.DataFrame]:
    """The frames behind the chart: ``budget``, ``tasks`` (one column per year, 万元) and ``targets``."""
    forms = forms_of(source)
    chains = _chains(forms)
    doc_ids = chains.get(department) or next(
        (ids for name, ids in chains.items() if name_key(name) == name_key(department)), None
    )
    if not doc_ids:
        raise NothingToPlot(f"{department}: fewer than two years loaded")
    docs = forms.documents.set_index("doc_id")
    years = [int(docs.at[d, "year"]) for d in doc_ids]

    budget = forms.budget[forms.budget["doc_id"].isin(doc_ids) & forms.budget["item"].isin(_BUDGET_ITEMS)]
    table = budget.pivot_table(index="item", columns="doc_id", values="amount_yuan", aggfunc="sum")
    table = table.reindex(index=[i for i in _BUDGET_ITEMS if i in table.index], columns=doc_ids)
    budget_wan = table.map(wan).set_axis(years, axis=1).dropna(how="all")

    tasks = forms.tasks[forms.tasks["planned_yuan"].notna()]
    per_year = [tasks[tasks["doc_id"] == d].reset_index(drop=True) for d in doc_ids]
    tasks_wan = pd.DataFrame(_task_rows(per_year, years), columns=["task", *years]).set_index("task")

    return {"budget": budget_wan, "tasks": tasks_wan, "targets": _targets(forms, doc_ids[-2], doc_ids[-1])}


def _targets(forms, before: str, after: str) -> pd.DataFrame:
    """Quantified indicators present in both years with the same unit, and their relative change.

    Paired by :func:`derive.years.match_indicators`, the pairing of the year-over-year rules.
    """
    pair = pd.DataFrame({"doc_id": [after], "prev_doc_id": [before]})
    matched = match_indicators(pair, forms.indicators, _TARGET_COLUMNS)
    rows = []
    for _, m in matched.iterrows():
        a = pd.Series({c: m[f"prev_{c}"] for c in _TARGET_COLUMNS if c != "key"})
        b = pd.Series({c: m[c] for c in _TARGET_COLUMNS if c != "key"})
        if not (_quantified(a) and _quantified(b)) or a["unit"] != b["unit"] or a["value"] == 0:
            continue
        rows.append(
            {
                "indicator": b["level3"],
                "before": _target_text(a),
                "after": _target_text(b),
                "value_before": a["value"],
                "value_after": b["value"],
                "change_pct": round((b["value"] - a["value"]) / abs(a["value"]) * 100, 2),
                "polarity": b["polarity"] or a["polarity"],
            }
        )
    return pd.DataFrame(
        rows, columns=["indicator", "before", "after", "value_before", "value_after", "change_pct", "polarity"]
    )


def _quantified(row: pd.Series) -> bool:
    return isinstance(row["level3"], str) and pd.notna(row["value"]) and row["op"] != "qualitative"


def _target_text(row: pd.Series) -> str:
    if row["op"] == "range" and pd.notna(row["value_high"]):
        return f"{plain(row['value'])}–{plain(row['value_high'])}{row['unit']}"
    return f"{_OPS.get(row['op'], '')}{plain(row['value'])}{row['unit']}"


def _stricter(change: float, polarity: str) -> str:
    """Up (要求提高), down (要求降低), same, or unknown when the indicator's direction is unknown."""
    if change == 0:
        return "same"
    if polarity not in ("positive", "negative"):
        return "unknown"
    return "up" if (change > 0) == (polarity == "positive") else "down"


# Not the year colours (SERIES): within one figure a colour means one thing.
_STRICTER_COLOUR = {"up": "#1f1f1f", "down": "#a93226", "same": "#c8c8c8", "unknown": "#ffffff"}
_STRICTER_NAME = {"up": "黑色", "down": "红色", "same": "浅灰", "unknown": "白色"}
_STRICTER_ZH = {"up": "要求提高", "down": "要求降低", "same": "持平", "unknown": "方向不明"}


def plot_year_over_year(source, department: str | None = None) -> Figure:
    """Budget, task money and key targets of one department across the years loaded.

    Args:
        source: a FormSet or an Audit.
        department: the department as printed; by default the first one loaded in two or more years.

    Raises:
        NothingToPlot: no department (or not this one) is loaded in two years.

    Example:
        >>> plot_year_over_year(pa.load("data/forms"))   # doctest: +SKIP
    """
    found = departments_with_years(source)
    if department is None:
        if not found:
            raise NothingToPlot("no department is loaded in two or more years")
        department = next(iter(found))
    data = year_over_year(source, department)
    budget, tasks, targets = data["budget"], data["tasks"], data["targets"]
    years = list(tasks.columns) if len(tasks.columns) else list(budget.columns)
    colour = {year: SERIES[n % len(SERIES)] for n, year in enumerate(years)}
    with styled():
        task_labels = [wrap(name, 30) for name in tasks.index]
        target_labels = [wrap(name, 30) for name in targets["indicator"]]
        panels = _panel_heights(data, task_labels, target_labels, len(years))
        if not panels:
            raise NothingToPlot(f"{department}: no budget, task money or comparable target in two years")
        rows = [r for _, r in panels]
        fig = new_figure(sum(r * ROW_IN + 0.8 for r in rows) + 0.7)
        axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": [r + 2.4 for r in rows]})
        for ax, (kind, _) in zip(axes[:, 0], panels, strict=True):
            if kind == "budget":
                _grouped(ax, budget, list(budget.index), colour)
                ax.set_xlabel(money_label("budget", "amount_yuan"))
                ax.set_title("部门预算")
            elif kind == "tasks":
                _grouped(ax, tasks, task_labels, colour)
                ax.set_xlabel(money_label("tasks", "planned_yuan"))
                ax.set_title("年度重点工作任务拟投入资金（按任务名称对应）")
            else:
                _targets_panel(ax, targets, target_labels)
                ax.set_title(f"关键指标：{years[-1]}年相对{years[-2]}年的变动（同名、同单位的定量指标）")
        handles = [Patch(color=colour[y], label=f"{y}年") for y in years]
        add_header(fig, f"年度对比：{department}", handles)
        notes = ["金额条旁括号内为相对上一年度的变动；“—”为该年度未列。"]
        if not targets.empty:
            kinds = {_stricter(c, p) for c, p in zip(targets["change_pct"], targets["polarity"], strict=True)}
            legend = "，".join(f"{_STRICTER_NAME[s]}为{_STRICTER_ZH[s]}" for s in _STRICTER_ZH if s in kinds)
            notes.append(f"指标变动：{legend}（按指标方向判断）。")
        add_note(fig, "\n".join(notes))
        return finish(fig)


def _panel_heights(data: dict, task_labels: list[str], target_labels: list[str], n_years: int) -> list:
    """The panels with something to show, each with its height in rows of text."""
    per_year = max(n_years * 0.55, 1)
    panels = []
    if not data["budget"].empty:
        panels.append(("budget", len(data["budget"]) * per_year))
    if not data["tasks"].empty:
        panels.append(("tasks", sum(1 + 0.35 * t.count("\n") for t in task_labels) * per_year))
    if not data["targets"].empty:
        panels.append(("targets", sum(1 + 0.35 * t.count("\n") for t in target_labels)))
    return panels


def _grouped(ax, frame: pd.DataFrame, labels: list[str], colour: dict) -> None:
    """Horizontal bars, one group per row of ``frame`` and one bar per year (column)."""
    years = list(frame.columns)
    height = 0.8 / len(years)
    base = np.arange(len(frame))
    for n, year in enumerate(years):
        values = frame[year]
        y = base - 0.4 + height * (n + 0.5)
        bars = ax.barh(y, values.fillna(0), height=height * 0.92, color=colour[year])
        texts = []
        for row, value in enumerate(values):
            if pd.isna(value):
                texts.append("—")
                continue
            text = amount(value)
            previous = frame.iloc[row, n - 1] if n else None
            if previous is not None and pd.notna(previous) and previous:
                text += f"（{(value - previous) / previous:+.1%}）"
            texts.append(text)
        label_bars(ax, bars, texts, fontsize=7)
    ax.set_yticks(base, labels=labels)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.xaxis.set_major_formatter(plain_ticks())
    ax.grid(axis="x")


def _targets_panel(ax, targets: pd.DataFrame, labels: list[str]) -> None:
    kinds = [_stricter(c, p) for c, p in zip(targets["change_pct"], targets["polarity"], strict=True)]
    y = list(range(len(targets)))
    bars = ax.barh(
        y,
        targets["change_pct"],
        height=0.6,
        color=[_STRICTER_COLOUR[k] for k in kinds],
        edgecolor="#666666",
        linewidth=0.6,
    )
    texts = [f"{b} → {a}" for b, a in zip(targets["before"], targets["after"], strict=True)]
    label_bars(ax, bars, texts, fontsize=7)
    ax.axvline(0, color="#666666", linewidth=0.8)
    ax.set_yticks(y, labels=labels)
    ax.set_ylim(len(targets) - 0.4, -0.6)
    ax.xaxis.set_major_formatter(plain_ticks())
    ax.grid(axis="x")
    ax.set_xlabel("变动率(%)")
