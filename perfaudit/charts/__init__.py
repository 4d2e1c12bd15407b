"""Charts of funding versus outputs: where the money goes, what each yuan is meant to buy.

Every ``plot_*`` function takes a FormSet or an Audit and returns a matplotlib Figure whose
Chinese renders on Windows, macOS and a bare Linux machine (see :mod:`perfaudit.charts.fonts`).
A chart with no data for the forms loaded raises :class:`NothingToPlot`; :func:`all_charts` and
:func:`write_charts` skip it.

Example:
    >>> import perfaudit as pa
    >>> from perfaudit import charts
    >>> forms = pa.load("data/forms")                 # doctest: +SKIP
    >>> charts.plot_unit_costs(forms)                 # doctest: +SKIP
    >>> charts.unit_cost_table(forms)                 # doctest: +SKIP
    >>> charts.write_charts(forms, "out/charts")      # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from matplotlib.figure import Figure

from perfaudit.atomic import write_atomically
from perfaudit.charts._inputs import PER_FORM_LIMIT, ChartSource, NothingToPlot, forms_of
from perfaudit.charts.budget import budget_lines, plot_budget, plot_task_money, task_money
from perfaudit.charts.costs import plot_money_vs_output, plot_unit_costs, unit_cost_table
from perfaudit.charts.indicators import indicator_framework, plot_indicator_framework
from perfaudit.charts.results import completion_table, execution_table, plot_completion, plot_execution
from perfaudit.charts.style import styled
from perfaudit.charts.years import departments_with_years, plot_year_over_year, year_over_year

# DESIGN.md's name for the chart of funding against planned outputs.
funding_vs_outputs = plot_unit_costs

# Chart name (and PNG file name) → function; year-over-year charts are added per department.
CHARTS: dict[str, Callable[..., Figure]] = {
    "budget": plot_budget,
    "task_money": plot_task_money,
    "unit_costs": plot_unit_costs,
    "money_vs_output": plot_money_vs_output,
    "indicator_framework": plot_indicator_framework,
    "execution": plot_execution,
    "completion": plot_completion,
}
YEAR_OVER_YEAR = "year_over_year"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')  # characters Windows or a shell would trip over in a file name

__all__ = [
    "CHARTS",
    "NothingToPlot",
    "all_charts",
    "budget_lines",
    "completion_table",
    "execution_table",
    "departments_with_years",
    "funding_vs_outputs",
    "indicator_framework",
    "plot_budget",
    "plot_completion",
    "plot_execution",
    "plot_indicator_framework",
    "plot_money_vs_output",
    "plot_task_money",
    "plot_unit_costs",
    "plot_year_over_year",
    "task_money",
    "unit_cost_table",
    "write_charts",
    "year_over_year",
]


def chart_name(department: str) -> str:
    """The stable name of a department's year-over-year chart (safe as a file name everywhere)."""
    name = _UNSAFE.sub("_", department).strip("_.")
    if len(name) > _NAME_MAX:  # a file name has at most 255 bytes; a form may hold any text
        digest = hashlib.sha256(department.encode("utf-8")).hexdigest()[:8]
        name = f"{name[:_NAME_MAX]}~{digest}"
    return f"{YEAR_OVER_YEAR}-{name}"


_NAME_MAX = 40  # characters of a department in a chart's file name (3 bytes each in UTF-8)


# Charts with one panel per form grow with the archive: past PER_FORM_LIMIT forms only the
# charts across all forms are drawn.
PER_FORM = ("budget", "task_money", "unit_costs", "indicator_framework")


def _makers(source: ChartSource) -> list[tuple[str, Callable[[], Figure]]]:
    """The charts to draw for these forms, in order: name and a function that draws it."""
    many = len(forms_of(source)) > PER_FORM_LIMIT
    makers: list[tuple[str, Callable[[], Figure]]] = [
        (name, functools.partial(fn, source)) for name, fn in CHARTS.items() if not (many and name in PER_FORM)
    ]
    # A chart per department with several years while they are few: the first dozen of an
    # archive's thousands would say nothing about it (a department's years are drawn on demand,
    # plot_year_over_year, and its R-YOY findings are on its page).
    departments = departments_with_years(source)
    if len(departments) <= PER_FORM_LIMIT:
        makers += [(chart_name(dept), functools.partial(plot_year_over_year, source, dept)) for dept in departments]
    return makers


def _charts(source: ChartSource, only: Callable[[str], bool] | None = None) -> Iterator[tuple[str, Figure]]:
    """Draw the charts one at a time (those ``only`` accepts), skipping those with nothing to plot."""
    for name, make in _makers(source):
        if only is not None and not only(name):
            continue
        try:
            yield name, make()
        except NothingToPlot:
            continue


def all_charts(source: ChartSource) -> dict[str, Figure]:
    """Every chart that has data for the forms loaded, by stable name.

    Example:
        >>> sorted(all_charts(pa.load("data/forms")))   # doctest: +SKIP
        ['budget', 'indicator_framework', 'money_vs_output', 'task_money', 'unit_costs',
         'year_over_year-湛江市人力资源和社会保障局']
    """
    return dict(_charts(source))


def write_charts(
    source: ChartSource, folder: str | os.PathLike, only: Callable[[str], bool] | None = None, prune: bool = True
) -> list[Path]:
    """Write ``folder/<name>.png`` for every chart with data; return the paths written.

    Each file is written to a temporary file in the folder and moved into place, so a reader
    never sees half a PNG. Charts this package wrote earlier that no longer have data (a
    year-over-year chart after a year was removed) are deleted (``prune``), so the folder never
    shows a stale chart beside fresh ones. ``only`` picks charts by name.
    """
    folder = Path(folder)
    written: list[Path] = []
    for name, fig in _charts(source, only):
        fig.set_layout_engine("none")  # laid out by finish(): saving need not lay it out again
        with styled():
            path = write_atomically(folder / f"{name}.png", functools.partial(_save_png, fig))
        written.append(path)
        fig.clear()  # the figure is ours alone: free its artists now rather than at garbage collection
    if prune:
        prune_charts(folder, written)
    return written


def _save_png(fig: Figure, path: str) -> None:
    fig.savefig(path, format="png")


def prune_charts(folder: Path, written: list[Path]) -> None:
    """Delete the charts this package wrote into ``folder`` earlier that are not in ``written``."""
    for old in _ours(Path(folder)):
        if old not in written:
            old.unlink()


def _ours(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    names = {f"{name}.png" for name in CHARTS}
    return [p for p in folder.glob("*.png") if p.name in names or p.name.startswith(f"{YEAR_OVER_YEAR}-")]
