"""The one place Great Expectations is imported: lazily, because the import takes seconds."""

from __future__ import annotations

import functools
import logging
import warnings


@functools.cache
def import_gx():
    """Import great_expectations quietly and return the module.

    GX imports the deprecated ``sre_constants`` / ``sre_parse`` modules itself, which warns under
    ``-W error``; and it routes every later Python warning into logging, where it would vanish.
    """
    # Was warnings capture on before GX turned it on? (logging keeps the original showwarning.)
    captured_before = getattr(logging, "_warnings_showwarning", None) is not None
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="module 'sre_(constants|parse)' is deprecated", category=DeprecationWarning
        )
        import great_expectations

    if not captured_before:
        logging.captureWarnings(False)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    # GX makes tqdm bars even when they are off; tqdm's monitor thread would then live on, and a
    # process with a second thread is not forked (perfaudit.export writes an archive's departments
    # in a forked process)
    from tqdm import tqdm

    tqdm.monitor_interval = 0
    return great_expectations
