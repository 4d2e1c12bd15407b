"""Every notebook executes on the bundled data, and again with other parameters.

Notebooks are stored without outputs; an executed copy must hold no error and no warning.
"""

import json
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
    return executed


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
