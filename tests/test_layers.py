"""Layers only look down (STYLE.md habit 3): each module imports its own layer or the ones beneath.

readers → template → derive → rules/findings/ledger → charts/export → audit/notebook/cli, with the
shared helpers (the dictionary, atomic writes, source references, text widths) beneath them all.
Only Great Expectations and matplotlib (the charts) are imported inside functions, besides a few
optional or deliberately guarded imports named below with the reason.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "perfaudit"

# Lowest first. A module belongs to the first layer with a prefix that names it or its package.
LAYERS = (
    (
        "base",
        (
            "perfaudit.vocab",
            "perfaudit.version",
            "perfaudit.atomic",
            "perfaudit.refs",
            "perfaudit.strings",
            "perfaudit.fields",
            "perfaudit.progress",
            "perfaudit.untrusted",
            "perfaudit.locks",
        ),
    ),
    ("readers", ("perfaudit.readers", "perfaudit.limits")),
    (
        "template",
        (
            "perfaudit.values",
            "perfaudit.template",
            "perfaudit.display",
            "perfaudit.formset",
            "perfaudit.convert",
            "perfaudit.load",
        ),
    ),
    ("derive", ("perfaudit.derive",)),
    ("rules", ("perfaudit.rules", "perfaudit.ledger")),
    ("outputs", ("perfaudit.charts", "perfaudit.export")),
    ("top", ("perfaudit.audit", "perfaudit.notebook", "perfaudit.cli", "perfaudit.readme")),
)
# Imported inside functions on purpose: the heavy libraries (GX ~2.5 s, matplotlib ~1 s) only where
# they run, and imports that are optional or guarded with a fallback.
LAZY = {
    "great_expectations": "imported only where a suite runs",
    "matplotlib": "charts only when drawn",
    "perfaudit.charts": "imports matplotlib",
    "tqdm": "tqdm.auto imports IPython to tell a notebook from a terminal; only when a bar is shown",
    "pylopdf_fonts_zh_cn": "the fallback font, with an error naming the package when missing",
    "openpyxl.worksheet._reader": "openpyxl's private streaming parser, with openpyxl's reader as the fallback",
    "ipywidgets": "optional: the findings browser falls back to a table",
    "IPython": "optional: only inside a notebook",
    "nbformat": "optional: rendering notebooks (make notebooks)",
    "papermill": "optional: rendering notebooks (make notebooks)",
    "nbconvert": "optional: rendering notebooks (make notebooks)",
    "msvcrt": "Windows only (file locks)",
    "fcntl": "POSIX only (file locks)",
    "pypdfium2": "pdfplumber's PDF engine, guarded: counting pages only where a PDF is checked against the page limit",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    if module == "perfaudit":
        return len(LAYERS) - 1
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_layers.py")


@functools.cache
def imports(path: Path) -> tuple[tuple[str, bool], ...]:
    """(module imported, at module level?) for every import statement of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.walk(node)
        if child is not node
    }
    typing_only = {  # `if TYPE_CHECKING:` imports are for annotations, never run
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for child in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) not in nested) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.append((candidate if candidate in MODULES else node.module, id(node) not in nested))
    return tuple(found)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_its_layer_and_the_ones_below(module):
    mine = layer_of(module)
    for imported, _ in imports(MODULES[module]):
        if imported == "perfaudit" or imported.startswith("perfaudit."):
            assert layer_of(imported) <= mine, (
                f"{module} ({LAYERS[mine][0]}) imports {imported} ({LAYERS[layer_of(imported)][0]}), a layer above it"
            )


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_heavy_optional_or_guarded_imports_are_inside_functions(module):
    for imported, at_top in imports(MODULES[module]):
        if not at_top:
            assert any(imported == lazy or imported.startswith(lazy + ".") for lazy in LAZY), (
                f"{module} imports {imported} inside a function: move it to the top (only {', '.join(LAZY)} wait)"
            )


def test_no_import_cycle_between_modules():
    graph = {
        module: sorted({m for m, top in imports(path) if top and m in MODULES and m != module})
        for module, path in MODULES.items()
    }
    state: dict[str, str] = {}

    def visit(module: str, trail: tuple[str, ...]) -> None:
        state[module] = "open"
        for target in graph[module]:
            if state.get(target) == "open":
                raise AssertionError("import cycle: " + " → ".join([*trail, module, target]))
            if target not in state:
                visit(target, (*trail, module))
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, ())


def _import_alone(module: str) -> tuple[str, int, str]:
    code = (
        "import sys, importlib; importlib.import_module(sys.argv[1]); "
        "print(' '.join(m for m in ('great_expectations', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, module], capture_output=True, text=True, timeout=120)
    return module, done.returncode, done.stdout.strip() + done.stderr[-800:]


def test_every_module_imports_alone_in_a_fresh_interpreter_without_gx_or_matplotlib_unless_charts():
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_import_alone, sorted(MODULES)))
    for module, returncode, output in results:
        assert returncode == 0, f"import {module} failed in a fresh interpreter: {output}"
        assert "great_expectations" not in output, f"import {module} imports Great Expectations"
        if not module.startswith("perfaudit.charts"):
            assert "matplotlib" not in output, f"import {module} imports matplotlib"
