"""Progress bars for archives: on a terminal or in a notebook, never in a pipe or a test run.

A bar is worth its noise only when there is something to wait for: more than
``PROGRESS_MIN_FORMS`` files or forms. ``progress=True`` / ``False`` overrides the guess.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

PROGRESS_MIN_FORMS = 50


def wanted(count: int, progress: bool | None) -> bool:
    """Whether to show a bar for ``count`` files or forms (``progress`` decides when given)."""
    if progress is not None:
        return progress
    return count > PROGRESS_MIN_FORMS and (sys.stderr.isatty() or _in_notebook())


def bar(items: Iterable, description: str, unit: str, total: int | None = None) -> Iterable:
    """``items`` wrapped in a tqdm bar (a widget in a notebook, text on a terminal)."""
    from tqdm.auto import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: a bar's process may fork (the export of an archive)
    return tqdm(items, desc=description, unit=unit, total=total, leave=False)


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where stderr is no terminal, but a bar shows)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"
