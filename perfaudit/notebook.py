"""Helpers the notebooks call: tracing a finding to its source, and browsing findings.

Notebooks stay thin: anything longer than a line or two of pandas lives here.
"""

from __future__ import annotations

import html
import re
import sys
import uuid
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from perfaudit.display import show
from perfaudit.fields import code_label, severities
from perfaudit.readers import read_sheets
from perfaudit.readers.text import decode_text
from perfaudit.refs import CELLS, LINES


def source_excerpt(forms, doc_id: str, ref: str, context: int = 2, cited: set[int] | None = None) -> pd.DataFrame:
    """The source lines or cells a reference points at, with a little context around them.

    Text files give one row per line (``行``, ``命中`` marks the referenced lines, ``内容``);
    workbooks give the referenced rows as a grid of what the cells display. ``cited``: the lines
    that matter within a long span (see :func:`cited_lines`); the excerpt then shows those with a
    line of context each and names the lines left out, instead of every line of the span.

    Example:
        >>> source_excerpt(forms, "dongkeng-fulian-2024", "L44-57")   # doctest: +SKIP
    """
    documents = forms.documents.set_index("doc_id")
    other, _, rest = ref.partition(":")
    if rest and other in documents.index:  # "zhanjiang-renshe-2023:Sheet1!D19": last year's form
        doc_id, ref = other, rest
    doc = documents.loc[doc_id]
    path = Path(doc.source_path)
    lines = LINES.match(ref)
    if lines:
        first, last = int(lines.group(1)), int(lines.group(2) or lines.group(1))
        return _text_excerpt(path, first, last, context, cited)
    cells = CELLS.match(ref)
    if cells:
        return _sheet_excerpt(
            path, cells.group("sheet") or doc.source_sheet, cells.group("first"), cells.group("last"), context
        )
    raise ValueError(f"{ref!r} is neither a line (L12, L12-15) nor a cell reference (Sheet1!C5)")


# A span longer than this shows only the lines that matter (with a line of context each).
LONG_SPAN = 15


def _text_excerpt(path: Path, first: int, last: int, context: int, cited: set[int] | None = None) -> pd.DataFrame:
    lines = decode_text(path.read_bytes(), path).splitlines()
    low, high = max(1, first - context), min(len(lines), last + context)
    cited = {n for n in (cited or ()) if first <= n <= last}
    if last - first + 1 <= LONG_SPAN or not cited:
        marked = cited or set(range(first, last + 1))
        wanted = list(range(low, high + 1))
    else:
        marked = cited
        keep = {n + d for n in cited for d in (-1, 0, 1)} | set(range(low, first)) | set(range(last + 1, high + 1))
        wanted = sorted(n for n in keep if low <= n <= high)
    rows, previous = [], None
    for n in wanted:
        if previous is not None and n > previous + 1:
            gap = f"{previous + 1}" if n == previous + 2 else f"{previous + 1}–{n - 1}"
            rows.append({"行": "", "命中": "", "内容": f"（第 {gap} 行未列出）"})
        rows.append({"行": str(n), "命中": "▶" if n in marked else "", "内容": lines[n - 1]})
        previous = n
    return pd.DataFrame(rows, columns=["行", "命中", "内容"])


_QUOTED = re.compile(r'[“"]([^“”"]{2,})[”"]')
_NUMBER = re.compile(r"\d[\d,]*\.\d+")


def cited_lines(forms, finding) -> set[int]:
    """The lines of a finding's span that matter.

    Those quoting what the message quotes, else the lines the forms' tables took an amount from (a task's money
    within a block of tasks).
    """
    lines = LINES.match(str(finding["source_ref"]))
    if not lines:
        return set()
    first, last = int(lines.group(1)), int(lines.group(2) or lines.group(1))
    path = Path(forms.documents.set_index("doc_id").loc[finding["doc_id"], "source_path"])
    text = decode_text(path.read_bytes(), path).splitlines()
    message = str(finding["message"])
    terms = [t.replace(" ", "").rstrip("…")[:8] for t in _QUOTED.findall(message)] + _NUMBER.findall(message)
    terms += [str(finding.get("subject", "")).split("/")[-1].replace(" ", "")[:8]]
    terms = [t for t in terms if len(t) >= 2]
    span = range(first, min(last, len(text)) + 1)
    found = {n for n in span if any(t in text[n - 1].replace(" ", "") for t in terms)}
    if found:
        return found
    refs = set()
    for frame in forms.tables.values():
        doc_rows = frame[frame["doc_id"] == finding["doc_id"]]
        amount_refs = [c for c in frame.columns if c.endswith("_ref") and c != "source_ref"]
        for column in amount_refs + (["source_ref"] if amount_refs else []):  # the amount and its row's start
            for ref in doc_rows[column]:
                match = LINES.match(str(ref))
                if match and first <= int(match.group(1)) <= last:
                    refs.add(int(match.group(1)))
    return refs


def _sheet_excerpt(path: Path, sheet: str, first: str, last: str | None, context: int) -> pd.DataFrame:
    (c1, r1), (c2, r2) = coordinate_from_string(first), coordinate_from_string(last or first)
    rows_wanted = range(max(1, r1 - context), r2 + context + 1)
    cols = range(1, max(column_index_from_string(c2), column_index_from_string(c1)) + 1)
    # Match on the references the reader gave (Sheet1!C5, or p2!C13 for a PDF page), not on
    # sheet names: a PDF sheet holds several pages.
    cells = {
        (c.row, c.col): c.text
        for found in read_sheets(path)
        for row in found.rows
        for c in row
        if c.ref.rpartition("!")[0] == sheet and c.col is not None
    }
    if not cells:
        raise ValueError(f"{path.name}: no cells of {sheet!r} were read")

    grid = pd.DataFrame(
        [[cells.get((r, c), "") for c in cols] for r in rows_wanted],
        index=pd.Index(list(rows_wanted), name="行"),
        columns=[get_column_letter(c) for c in cols],
    )
    grid.insert(0, "命中", ["▶" if r1 <= r <= r2 else "" for r in rows_wanted])
    return grid


# The findings browser's table: what an auditor reads first, the rest is in the detail below it.
BROWSER_COLUMNS = ["severity", "rule_id", "department", "year", "subject", "message", "source_ref", "status"]
ALL = "全部"  # the filters' "no filter" option: a value of its own (None would read as no selection)
EMPTY = "没有符合条件的发现"


def findings_table(findings: pd.DataFrame, columns: list[str] | None = None, height: str = "28em"):
    """The findings as the working paper shows them (Chinese headers, coloured severities)."""
    if findings.empty:
        return _Note(EMPTY)
    columns = columns or BROWSER_COLUMNS
    return show(findings[[c for c in columns if c in findings]], "findings", height=height)


def browse_findings(result) -> FindingsBrowser:
    """Filter findings by severity, rule, department, year and words of the message.

    In JupyterLab the filters stay above a scrolling table, and a selector shows one finding in
    full with its source lines. Where no widget can run (a notebook reopened without its kernel,
    nbviewer, an HTML export) the output shows the plain findings table instead.
    """
    return FindingsBrowser(result)


class FindingsBrowser:
    """The widgets of :func:`browse_findings`; ``controls``, ``shown`` and ``view`` are there for tests."""

    def __init__(self, result) -> None:
        import ipywidgets as widgets

        self.result, self.findings = result, result.findings
        self.key = uuid.uuid4().hex[:10]
        wide = widgets.Layout(width="auto")

        def dropdown(description: str, options: list) -> widgets.Dropdown:
            return widgets.Dropdown(options=[(ALL, ALL), *options], value=ALL, description=description, layout=wide)

        def values(column: str) -> list:
            return [(v, v) for v in sorted({str(v) for v in self.findings[column].dropna()})]

        shown_severities = [s for s in severities() if s in set(self.findings["severity"])]
        self.controls = {
            "severity": dropdown("级别", [(code_label("severity", s), s) for s in shown_severities]),
            "rule_id": dropdown("规则", values("rule_id")),
            "department": dropdown("部门", values("department")),
            "year": dropdown("年度", values("year")),
            "search": widgets.Text(description="搜索", placeholder="问题描述中的字词", layout=wide),
        }
        self.count = widgets.HTML()
        self.table = widgets.Output(layout=widgets.Layout(max_height="30em", overflow="auto"))
        self.pick = widgets.Dropdown(description="查看", layout=widgets.Layout(width="95%"))
        self.detail = widgets.Output()
        for control in self.controls.values():
            control.observe(self._refresh, names="value")
        self.pick.observe(self._show_detail, names="value")
        filters = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = widgets.VBox([filters, self.count, self.table, self.pick, self.detail])
        self.widget.add_class(f"perfaudit-live-{self.key}")
        self.shown = self.findings
        self._refresh()

    def filtered(self) -> pd.DataFrame:
        """The findings that pass every control of the browser (search, severity, rule, …)."""
        shown = self.findings
        for column, control in self.controls.items():
            value = str(control.value).strip()
            if column == "search":
                if value:
                    shown = shown[shown["message"].astype(str).str.contains(value, case=False, regex=False)]
            elif value != ALL:
                shown = shown[shown[column].astype(str) == value]
        return shown

    def _refresh(self, *_) -> None:
        from IPython.display import display

        self.shown = self.filtered()
        self.count.value = f"显示 {len(self.shown)} / {len(self.findings)} 条发现"
        self.view = findings_table(self.shown, height="none")
        self.table.clear_output()
        with self.table:
            display(self.view)
        options = [
            (f"{n}. {r.rule_id} {r.department} {_clip(r.message, 40)}", r.finding_id)
            for n, r in enumerate(self.shown.itertuples(), start=1)
        ]
        self.pick.options = options or [("（无）", "")]
        self.pick.value = options[0][1] if options else ""
        self._show_detail()

    def _show_detail(self, *_) -> None:
        from IPython.display import display

        self.detail.clear_output()
        if self.pick.value:
            with self.detail:
                display(finding_detail(self.result, self.pick.value))

    def fallback_html(self) -> str:
        """The plain table, with the CSS that shows either it or the live widget.

        The rules hide the table beside a live widget and hide the widget's error where the widget
        cannot render (JupyterLab keeps both outputs of the cell).
        """
        live, plain = f".perfaudit-live-{self.key}", f".perfaudit-plain-{self.key}"
        child = ".jp-OutputArea-child"
        style = (
            f"<style>{child}:has({live}) + {child}:has({plain}) {{display: none;}}"
            f"{child}:has(+ {child} {plain}):not(:has({live})) {{display: none;}}</style>"
        )
        table = findings_table(self.findings, height="32em").to_html()
        return f'{style}<div class="perfaudit-plain-{self.key}">{table}</div>'

    def _ipython_display_(self) -> None:
        from IPython.display import display

        view = self.widget._repr_mimebundle_() or {}
        display({**view, "text/plain": "（筛选发现：在运行内核的 JupyterLab 中可用）"}, raw=True)
        display({"text/html": self.fallback_html(), "text/plain": repr(findings_table(self.findings))}, raw=True)


def _clip(text: object, size: int) -> str:
    text = str(text)
    return text if len(text) <= size else text[: size - 1] + "…"


class _Note:
    """One line of text in place of a table."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<p><em>{html.escape(self.text)}</em></p>"

    def to_html(self) -> str:
        return self._repr_html_()


def finding_detail(result, finding_id: str):
    """One finding in full: message, basis, advice, facts and its source lines, cited lines marked."""
    chosen = result.findings[result.findings["finding_id"] == finding_id]
    if chosen.empty:
        return _Note(f"没有编号为 {finding_id} 的发现")
    finding = chosen.iloc[0]
    fields = ["severity", "rule_id", "title_zh", "department", "year", "subject", "message", "observed", "expected"]
    fields += ["basis", "advice", "source_ref"]
    facts = show(finding[[f for f in fields if f in finding.index]], "findings", height="none")
    excerpt = None
    if str(finding["source_ref"]):
        try:
            excerpt = source_excerpt(
                result.forms, finding["doc_id"], finding["source_ref"], cited=cited_lines(result.forms, finding)
            )
        except (ValueError, OSError, KeyError) as reason:
            excerpt = _Note(f"来源无法显示：{reason}")
    return _Detail(facts, excerpt)


class _Detail:
    def __init__(self, facts, excerpt) -> None:
        self.facts, self.excerpt = facts, excerpt

    def _excerpt_table(self):
        if self.excerpt is None or isinstance(self.excerpt, _Note):
            return self.excerpt
        return show(self.excerpt, highlight=list(self.excerpt["命中"] == "▶"), height="24em")

    def __repr__(self) -> str:
        return f"{self.facts!r}\n\n{self._excerpt_table()!r}"

    def _repr_html_(self) -> str:
        excerpt = self._excerpt_table()
        source = f"<h4>源文件</h4>{excerpt.to_html()}" if excerpt is not None else ""
        return f"<div>{self.facts.to_html()}{source}</div>"


def trace(result, finding_id: str | None = None):
    """One finding in full with its source lines (the worst open finding by default).

    Example:
        >>> trace(result)   # doctest: +SKIP
    """
    findings = result.findings
    if finding_id is None:
        rank = findings["severity"].map({s: n for n, s in enumerate(severities())})
        candidates = findings[(findings["status"] == "open") & (findings["source_ref"] != "")]
        if candidates.empty:
            return _Note("没有需要追溯的发现")
        finding_id = candidates.assign(_r=rank).sort_values("_r", kind="stable").iloc[0]["finding_id"]
    return finding_detail(result, finding_id)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def render_notebooks(source: str | Path = "notebooks", out: str | Path = "out/notebooks") -> list[Path]:
    """Execute every notebook (papermill) and write an HTML copy for readers without Jupyter.

    An executed notebook holds no widget state, so widget outputs are dropped: the plain table
    displayed beside each of them stays (see :func:`browse_findings`).
    """
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook in sorted(source.glob("*.ipynb")):
        executed = out / notebook.name
        papermill.execute_notebook(str(notebook), str(executed), cwd=str(notebook.parent), progress_bar=False)
        book = nbformat.read(executed, as_version=4)
        for cell in book.cells:
            if "outputs" in cell:
                cell.outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
        html, _ = HTMLExporter().from_notebook_node(book)
        target = executed.with_suffix(".html")
        target.write_text(html, encoding="utf-8")
        written.append(target)
    return written


def chart(plot, source, **kwargs):
    """Draw a chart in a notebook, or say in a line why there is nothing to draw.

    Example:
        >>> chart(charts.plot_unit_costs, result)   # doctest: +SKIP
    """
    from IPython.display import Markdown

    from perfaudit.charts import NothingToPlot

    try:
        return plot(source, **kwargs)
    except NothingToPlot as reason:
        return Markdown(f"*（无可绘制的数据 nothing to plot：{reason}）*")


if __name__ == "__main__":  # pragma: no cover - `make notebooks`
    for path in render_notebooks(*sys.argv[1:3]):
        print(path)
