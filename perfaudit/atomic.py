"""Atomic file writes, beneath every stage: a file is whole or as it was, never half-written.

The exports, the ledger, the charts and ``convert`` all write through :func:`write_atomically`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[str], None]) -> Path:
    """Call ``write(temp_path)`` and move the result into place; a failure leaves ``path`` as it was.

    Example:
        >>> write_atomically(Path("out/a.txt"), lambda temp: Path(temp).write_text("a"))  # doctest: +SKIP
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(temp)
        # mkstemp creates the file for its owner only; give it the mode a plain open() would.
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return path


def write_text(text: str, path: Path) -> Path:
    """A UTF-8 text file, atomically."""
    return write_atomically(path, lambda temp: Path(temp).write_text(text, encoding="utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
