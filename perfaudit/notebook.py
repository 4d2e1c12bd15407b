"""Helpers the notebooks call: tracing a finding to its source, and browsing findings.

Notebooks stay thin: anything longer than a line or two of pandas lives here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from perfaudit.fields import code_label, severities, severity_colour
from perfaudit.readers import read_sheets
from perfaudit.readers.text import decode_text
from perfaudit.refs import CELLS, LINES


def source_excerpt(forms, doc_id: str, ref: str, context: int = 2) -> pd.DataFrame:
    """The source lines or cells a reference points at, with a little context around them.

    Text files give one row per line (``行``, ``内容``, ``命中`` marks the referenced lines);
    workbooks give the referenced rows as a grid of what the cells display.

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
        return _text_excerpt(path, int(lines.group(1)), int(lines.group(2) or lines.group(1)), context)
    cells = CELLS.match(ref)
    if cells:
        return _sheet_excerpt(
            path, cells.group("sheet") or doc.source_sheet, cells.group("first"), cells.group("last"), context
        )
    raise ValueError(f"{ref!r} is neither a line (L12, L12-15) nor a cell reference (Sheet1!C5)")


def _text_excerpt(path: Path, first: int, last: int, context: int) -> pd.DataFrame:
    lines = decode_text(path.read_bytes(), path).splitlines()
    low, high = max(1, first - context), min(len(lines), last + context)
    rows = [{"行": n, "命中": "▶" if first <= n <= last else "", "内容": lines[n - 1]} for n in range(low, high + 1)]
    return pd.DataFrame(rows, columns=["行", "命中", "内容"])


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


def styled_findings(findings: pd.DataFrame, columns: list[str] | None = None):
    """The findings as a table coloured by severity, with Chinese headers (a pandas Styler)."""
    columns = columns or ["severity", "rule_id", "department", "year", "subject", "message", "source_ref", "status"]
    shown = findings[[c for c in columns if c in findings]].copy()
    shown["severity"] = shown["severity"].map(lambda s: code_label("severity", s))
    colours = {code_label("severity", s): severity_colour(s) for s in severities()}
    headers = {
        "severity": "级别",
        "rule_id": "规则",
        "department": "部门",
        "year": "年度",
        "subject": "对象",
        "message": "发现",
        "source_ref": "来源位置",
        "status": "状态",
        "change": "变化",
        "note": "备注",
    }
    shown = shown.rename(columns=headers)
    return (
        shown.style.hide(axis="index")
        .map(lambda v: f"color: white; background-color: {colours.get(v, '#777')}", subset=["级别"])
        .set_properties(subset=[c for c in ("对象", "发现") if c in shown], **{"text-align": "left"})
        .set_properties(
            subset=[c for c in ("级别", "规则", "年度", "来源位置", "状态") if c in shown], **{"white-space": "nowrap"}
        )
    )


def browse_findings(result):
    """Filter findings by severity, rule, department and year in the notebook.

    Uses ipywidgets where it is installed; an executed copy or an HTML export, where no widget
    runs, shows the plain coloured table instead.
    """
    findings = result.findings
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        return styled_findings(findings)

    def options(column: str) -> list:
        values = sorted({str(v) for v in findings[column].dropna()})
        return [("全部 all", None)] + [(v, v) for v in values]

    severity = widgets.Dropdown(
        options=[("全部 all", None)] + [(code_label("severity", s), s) for s in severities()], description="级别"
    )
    rule = widgets.Dropdown(options=options("rule_id"), description="规则")
    department = widgets.Dropdown(options=options("department"), description="部门")
    year = widgets.Dropdown(options=options("year"), description="年度")
    out = widgets.Output()

    def refresh(*_):
        shown = findings
        for control, column in ((severity, "severity"), (rule, "rule_id"), (department, "department"), (year, "year")):
            if control.value is not None:
                shown = shown[shown[column].astype(str) == str(control.value)]
        out.clear_output()
        with out:
            display(styled_findings(shown))

    for control in (severity, rule, department, year):
        control.observe(refresh, names="value")
    refresh()
    box = widgets.VBox([widgets.HBox([severity, rule]), widgets.HBox([department, year]), out])
    return _WithFallback(box, styled_findings(findings))


class _WithFallback:
    """A widget that also carries a plain HTML table: JupyterLab shows the live widget, while an
    executed copy or an HTML export (where no widget can run) shows the table."""

    def __init__(self, widget, table) -> None:
        self.widget, self.table = widget, table

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = self.table.to_html()
        return bundle


def trace(result, finding_id: str | None = None, context: int = 2):
    """A finding and the source lines or cells it points at (the worst open finding by default).

    Returns ``(finding, excerpt)``; ``(None, None)`` when there is no finding to trace.
    """
    findings = result.findings
    if finding_id is not None:
        chosen = findings[findings["finding_id"] == finding_id]
    else:
        rank = findings["severity"].map({"error": 0, "warning": 1, "info": 2})
        chosen = (
            findings[(findings["status"] == "open") & (findings["source_ref"] != "")].assign(_r=rank).sort_values("_r")
        )
    if chosen.empty:
        return None, None
    finding = chosen.iloc[0].drop(labels=["_r"], errors="ignore")
    return finding, source_excerpt(result.forms, finding["doc_id"], finding["source_ref"], context=context)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def render_notebooks(source: str | Path = "notebooks", out: str | Path = "out/notebooks") -> list[Path]:
    """Execute every notebook (papermill) and write an HTML copy for readers without Jupyter.

    An executed notebook holds no widget state, so widget outputs are dropped in favour of the
    plain table each of them carries (see :func:`browse_findings`).
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
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if WIDGET_VIEW in data and "text/html" in data:
                    del data[WIDGET_VIEW]
        html, _ = HTMLExporter().from_notebook_node(book)
        target = executed.with_suffix(".html")
        target.write_text(html, encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":  # pragma: no cover - `make notebooks`
    import sys

    for path in render_notebooks(*sys.argv[1:3]):
        print(path)


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
