"""Every notebook executes on the bundled data, and again with other parameters.

Notebooks are stored without outputs; an executed copy must hold no error and no warning.
"""

import html
import json
import re
import shutil

import pytest

from tests.conftest import DATA, ROOT, ZHANJIANG_2023, ZHANJIANG_2024

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _run(notebook, tmp_path, parameters):
    import papermill

    out = tmp_path / notebook.name
    papermill.execute_notebook(
        str(notebook),
        str(out),
        parameters=parameters,
        cwd=str(notebook.parent),
        kernel_name="python3",
        progress_bar=False,
    )
    executed = json.loads(out.read_text(encoding="utf-8"))
    for cell in executed["cells"]:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            text = "".join(output.get("text", ""))
            assert output.get("name") != "stderr", f"{notebook.name}: stderr output: {text}"
    problems = table_problems(executed)
    assert not problems, f"{notebook.name}: tables an auditor should not see: {problems}"
    return executed


_CELL = re.compile(r"<(th|td)\b[^>]*>(.*?)</\1>", re.S)
_SCIENTIFIC = re.compile(r"^-?\d+(?:\.\d+)?e[+-]?\d+$", re.I)
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^[a-z]+$")
_RAW = {"nan", "none", "true", "false", "<na>", "nat"}


def table_problems(book: dict) -> list[str]:
    """Scientific notation, NaN/None/True/False and snake_case headers in any table of the outputs."""
    problems = []
    for number, cell in enumerate(book["cells"]):
        for output in cell.get("outputs", []):
            page = "".join(output.get("data", {}).get("text/html", ""))
            for tag, inner in _CELL.findall(page):
                value = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
                if _SCIENTIFIC.match(value) or value.lower() in _RAW or (tag == "th" and _SNAKE.match(value)):
                    problems.append(f"cell {number}: <{tag}> {value}")
    return problems


@pytest.mark.parametrize(
    ("page", "found"),
    [
        pytest.param("<table><tr><th>金额（万元）</th></tr><tr><td>10,596.35</td></tr></table>", [], id="clean"),
        pytest.param("<table><tr><td>1.059635e+08</td></tr></table>", ["<td> 1.059635e+08"], id="scientific"),
        pytest.param("<table><tr><td>NaN</td><td>True</td></tr></table>", ["<td> NaN", "<td> True"], id="raw-values"),
        pytest.param("<table><tr><th>basic_wan</th></tr></table>", ["<th> basic_wan"], id="snake-case-header"),
    ],
)
def test_the_output_scan_finds_what_it_looks_for(page, found):
    book = {"cells": [{"outputs": [{"data": {"text/html": page}}]}]}
    assert table_problems(book) == [f"cell 0: {f}" for f in found]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_on_the_bundled_data(notebook, tmp_path):
    parameters = {"data_dir": str(DATA)}
    if "ledger" in notebook.read_text(encoding="utf-8"):
        parameters["ledger"] = str(tmp_path / "ledger.csv")
    if "out_dir" in notebook.read_text(encoding="utf-8"):
        parameters["out_dir"] = str(tmp_path / "out")
    _run(notebook, tmp_path, parameters)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_on_another_folder_and_year(notebook, tmp_path):
    folder = tmp_path / "next"
    folder.mkdir()
    shutil.copy(ZHANJIANG_2023, folder / "a.xlsx")
    shutil.copy(ZHANJIANG_2024, folder / "b.xlsx")
    parameters = {"data_dir": str(folder)}
    text = notebook.read_text(encoding="utf-8")
    if "year = None" in text:
        parameters["year"] = 2025
    if "ledger" in text:
        parameters["ledger"] = str(tmp_path / "ledger.csv")
    if "out_dir" in text:
        parameters["out_dir"] = str(tmp_path / "out")
    _run(notebook, tmp_path, parameters)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebooks_are_stored_clean_and_thin(notebook):
    book = json.loads(notebook.read_text(encoding="utf-8"))
    code = [c for c in book["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "clear the outputs"
    assert book["cells"][0]["cell_type"] == "markdown" and "审计问题" in "".join(book["cells"][0]["source"])
    assert sum("parameters" in c.get("metadata", {}).get("tags", []) for c in code) == 1
    source = "".join("".join(c["source"]) for c in code)
    assert "def " not in source and "class " not in source, "move code into the package"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebooks_open_clean_with_the_kernelspec_ipykernel_writes(notebook):
    """JupyterLab rewrites any other display name on opening and marks the notebook modified."""
    from ipykernel.kernelspec import get_kernel_dict

    kernel = get_kernel_dict()
    book = json.loads(notebook.read_text(encoding="utf-8"))
    assert book["metadata"]["kernelspec"] == {
        "display_name": kernel["display_name"],
        "language": kernel["language"],
        "name": "python3",
    }
    assert notebook.read_text(encoding="utf-8") == json.dumps(book, ensure_ascii=False, indent=1) + "\n"


@pytest.fixture(scope="module")
def audited(bundled):
    import perfaudit as pa

    return pa.audit(bundled)


def test_findings_browser_filters_search_and_empty_line(audited):
    from perfaudit.notebook import ALL, EMPTY, browse_findings

    browser = browse_findings(audited)
    total = len(audited.findings)
    severity, search = browser.controls["severity"], browser.controls["search"]
    assert severity.value == ALL and len(browser.shown) == total
    severity.value = "error"
    assert len(browser.shown) == (audited.findings["severity"] == "error").sum() > 0
    severity.value = ALL
    assert severity.value == ALL and severity.label == "全部" and len(browser.shown) == total
    search.value = "模糊"
    assert 0 < len(browser.shown) < total and browser.shown["message"].str.contains("模糊").all()
    search.value = "没有这种字词"
    assert browser.shown.empty and repr(browser.view) == EMPTY
    assert browser.pick.value == ""


def test_findings_browser_output_carries_the_widget_and_a_plain_table(audited):
    from IPython.core.interactiveshell import InteractiveShell

    from perfaudit.notebook import WIDGET_VIEW, browse_findings

    shown = []
    shell = InteractiveShell.instance()
    shell.display_pub.publish = lambda data, **kwargs: shown.append(data)
    try:
        browser = browse_findings(audited)
        shown.clear()  # without a kernel the widget's own table is published too
        browser._ipython_display_()
    finally:
        InteractiveShell.clear_instance()
    assert WIDGET_VIEW in shown[0] and "text/html" not in shown[0]
    plain = shown[1]["text/html"]
    assert plain.count("<tr") == len(audited.findings) + 1 and "perfaudit-plain-" in plain
    assert "{display: none;}" in plain  # hidden beside the live widget, the widget's error hidden without it


def test_trace_shows_the_lines_that_matter_in_a_long_span(audited):
    from perfaudit.notebook import trace

    detail = trace(audited)  # the worst open finding: R-ARITH-03 over the tasks block L44-152
    excerpt = detail.excerpt
    assert detail.facts.to_frame()["内容"].tolist()[:2] == ["错误", "R-ARITH-03"]
    cited = excerpt[excerpt["命中"] == "▶"]["行"].astype(int).tolist()
    assert 44 in cited and 152 in cited and len(excerpt) < 113
    assert excerpt["内容"].str.contains("行未列出").any()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_on_a_mix_of_families(notebook, tmp_path):
    """A 整体 form, two project forms (one with no key tasks at all) and a self-evaluation in one folder."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(ZHANJIANG_2024, folder / "zhanjiang-2024.xlsx")
    for name in (
        "wuhan-donghu-renshe-2020-xiangmu.xlsx",
        "hunan-yueyangxian-nongtian-gaobiaozhun-2022-xiangmu-mubiao.md",
        "chongqing-yuzhong-jiuye-2021-ziping.xlsx",
    ):
        shutil.copy(DATA.parent / "families" / name, folder / name)
    parameters = {"data_dir": str(folder)}
    text = notebook.read_text(encoding="utf-8")
    if "ledger" in text:
        parameters["ledger"] = str(tmp_path / "ledger.csv")
    if "out_dir" in text:
        parameters["out_dir"] = str(tmp_path / "out")
    _run(notebook, tmp_path, parameters)


def test_the_results_notebook_runs_on_the_self_evaluations(tmp_path):
    """Notebook 06 on its default folder: the real self-evaluations, their charts and findings."""
    notebook = ROOT / "notebooks" / "06-targets-vs-results.ipynb"
    executed = _run(notebook, tmp_path, {"data_dir": str(DATA.parent / "families")})
    pages = "".join(
        "".join(o.get("data", {}).get("text/html", "")) for c in executed["cells"] for o in c.get("outputs", [])
    )
    images = sum("image/png" in o.get("data", {}) for c in executed["cells"] for o in c.get("outputs", []))
    assert "R-RESULT-03" in pages and "政府采购执行率" in pages and images == 2
