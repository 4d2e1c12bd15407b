"""An inter-process lock, so that two runs writing the same ledger or output folder take turns.

Two auditors (or one auditor's two windows) may run ``perfaudit audit --ledger ledger.csv`` at
once. The ledger is read, merged and written back; without a lock the second writer would
overwrite the first one's rows. :func:`hold` takes an exclusive lock on a small lock file beside
the target (``.ledger.csv.lock``; ``.perfaudit.lock`` inside an output folder) and waits for its
turn. The operating system drops the lock when the holding process ends, however it ends (a
kill or a crash may leave the file, never a lock), so there is no stale lock to clean up.

The holder deletes the lock file as it lets go, so that a folder holds only the outputs. A run
that was waiting on the file just deleted finds, once it has the lock, that the path no longer
names the file it locked, and starts again on the new file: two runs never hold locks on two
different files at once. (Windows does not delete a file another process has open: the file
then stays, which is harmless.)

POSIX uses ``fcntl.flock``, Windows ``msvcrt.locking``. This module imports nothing else from
perfaudit.

Example:
    >>> with hold(Path("data/ledger.csv")):   # doctest: +SKIP
    ...     merge_and_write()
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

POLL_S = 0.05


class LockTimeout(OSError):
    """Another run held the lock for longer than we were willing to wait."""


def lock_path(target: Path) -> Path:
    """The lock file for ``target``: inside it for a folder, beside it for a file."""
    target = Path(target)
    if target.is_dir():
        return target / ".perfaudit.lock"
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def hold(target: Path, wait_s: float = 600) -> Iterator[Path]:
    """Hold the lock of ``target`` (a file or folder) for the ``with`` block; wait up to ``wait_s``.

    Raises:
        LockTimeout: the lock is still held by another run after ``wait_s`` seconds; the
            message names the lock file and the process id written in it.
        OSError: the lock file cannot be created (a read-only folder): the caller could not
            have written there either.
    """
    path = lock_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    raise LockTimeout(
                        errno.EAGAIN,
                        f"another perfaudit run{holder} is writing here; waited {wait_s:g} s "
                        "(PERFAUDIT_LOCK_WAIT_S sets how long)",
                        str(path),
                    )
                time.sleep(POLL_S)
            if not _still_there(fd, path):  # the last holder deleted it while we waited: again
                _unlock(fd)
                continue
            try:
                _write_holder(fd)
                yield path
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                _unlock(fd)
            return
        finally:
            os.close(fd)


def _still_there(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def _write_holder(fd: int) -> None:
    # Who holds it, for the message of a run that gives up waiting. Written at offset 1 and on:
    # Windows locks byte 0 only, and a locked byte cannot be read by the waiting process.
    os.lseek(fd, 1, os.SEEK_SET)
    os.write(fd, f"{os.getpid():<20}".encode())


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 1, os.SEEK_SET)
        pid = os.read(fd, 20).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


if os.name == "nt":  # pragma: no cover - exercised on Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
