"""Vocabularies and layout facts as data files.

Every file in this folder is a small UTF-8 CSV. Lines starting with ``#`` are comments; the
first comment line says where the list comes from. Code reads them through :func:`read_vocab`
so that an auditor can extend a synonym or a unit without touching Python.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources


@functools.cache
def read_vocab(name: str) -> tuple[dict[str, str], ...]:
    """Return the rows of ``perfaudit/vocab/<name>.csv`` as dicts (comment lines skipped).

    Example:
        >>> rows = read_vocab("level_labels")
        >>> rows[0]["canonical"]
        '产出指标'
    """
    text = resources.files(__package__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return tuple({k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines))


def read_words(name: str, column: str = "word") -> tuple[str, ...]:
    """Return one column of a vocabulary file as a tuple of strings."""
    return tuple(row[column] for row in read_vocab(name))
