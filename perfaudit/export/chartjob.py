"""Charts drawn in a second process while the first imports Great Expectations and audits.

The command line starts a :class:`ChartJob` as soon as the forms are loaded. The second process
imports matplotlib and draws every chart that needs only the forms while the first process
imports Great Expectations (seconds) and runs the rulebook; once the findings exist it draws
the one chart that marks them (unit costs, R-REASON-05 in red). The files are the same, byte
for byte, as :func:`perfaudit.charts.write_charts` writes in one process; if the second process
cannot start or fails, :meth:`ChartJob.finish` draws the charts in this process instead, so a
chart bug surfaces exactly as it would without the job.

It lives here, not in :mod:`perfaudit.charts`, because importing that package imports
matplotlib, which is what the second process is for. The forms are handed over by a thread,
so that this process goes on while the second one starts.

Example:
    >>> job = ChartJob(forms, "out/charts")        # doctest: +SKIP
    >>> result = pa.audit(forms)                    # doctest: +SKIP
    >>> job.finish(result)                          # doctest: +SKIP
    [PosixPath('out/charts/budget.png'), ...]
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from dataclasses import dataclass
from pathlib import Path

# Charts whose drawing reads the audit's findings; every other chart needs only the forms.
NEEDS_FINDINGS = frozenset({"unit_costs"})


@dataclass
class _AuditFacts:
    """What the charts read from an Audit: the forms, the unit-cost frame and the findings."""

    forms: object
    frames: dict
    findings: object


class ChartJob:
    """Draw the charts of ``forms`` into ``folder`` in a second process (see the module)."""

    def __init__(self, forms, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self._connection = None
        self._process = None
        self._handover = None
        self._findings_sent = False
        try:
            context = multiprocessing.get_context("spawn")  # the same on Windows, macOS and Linux
            self._connection, child = context.Pipe()
            self._process = context.Process(target=_serve, args=(child,), daemon=True, name="perfaudit-charts")
            self._process.start()
            child.close()
        except (OSError, ValueError, RuntimeError):  # no second process here: draw in this one later
            self._stop()
            return
        self._handover = threading.Thread(target=self._send, args=((forms, str(self.folder)),), daemon=True)
        self._handover.start()

    def _send(self, message) -> None:
        try:
            self._connection.send(message)
        except (OSError, ValueError):  # the process is gone; finish() notices and draws here
            pass

    def hand_over(self, audit) -> None:
        """Give the second process the audit's findings, for the charts that mark them."""
        if self._connection is not None and not self._findings_sent:
            self._handover.join()
            self._findings_sent = True
            try:
                self._connection.send((audit.findings, audit.frames.get("unit_costs")))
            except (OSError, ValueError):  # the process is gone; finish() draws here
                pass

    def finish(self, audit) -> list[Path]:
        """Wait for the charts (handing over the findings if not done yet); their paths in order."""
        self.hand_over(audit)
        if self._connection is not None:
            try:
                status, payload = self._connection.recv()
            except (OSError, EOFError):  # the process died: draw here
                status, payload = "failed", None
            self._stop()
            if status == "done":
                return [Path(p) for p in payload]
        from perfaudit.charts import write_charts  # imports matplotlib: only when drawing here

        return write_charts(audit, self.folder)

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process is not None and self._process.pid is not None:  # started (start() may have failed)
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.terminate()
            self._process = None


def _serve(connection) -> None:
    """The second process: charts from the forms, then the chart that needs the findings."""
    try:
        forms, folder = connection.recv()
        from perfaudit.charts import _makers, prune_charts, write_charts

        order = [name for name, _ in _makers(forms)]
        written = write_charts(forms, folder, only=lambda name: name not in NEEDS_FINDINGS, prune=False)
        findings, unit_costs = connection.recv()
        audit = _AuditFacts(forms=forms, frames={"unit_costs": unit_costs}, findings=findings)
        written += write_charts(audit, folder, only=lambda name: name in NEEDS_FINDINGS, prune=False)
        prune_charts(Path(folder), written)
        rank = {name: n for n, name in enumerate(order)}
        written.sort(key=lambda path: rank.get(path.stem, len(rank)))
        connection.send(("done", [str(p) for p in written]))
    except Exception:  # the first process draws the charts itself, and meets the error if it is a bug
        try:
            connection.send(("failed", None))
        except OSError:
            pass
    finally:
        connection.close()
    os._exit(0)  # the files are written and reported: skip tearing down matplotlib and pandas
