"""perfaudit: load Chinese budget performance target forms (预算绩效目标表) into tidy tables and audit them.

Example:
    >>> import perfaudit as pa
    >>> forms = pa.load("data/forms")          # doctest: +SKIP
    >>> forms.indicators.head()                # doctest: +SKIP
    >>> pa.audit(forms).findings               # doctest: +SKIP
"""

from __future__ import annotations

from types import ModuleType

from perfaudit.audit import Audit, audit
from perfaudit.convert import write_workbook
from perfaudit.display import show
from perfaudit.formset import FormSet
from perfaudit.load import TemplateError, load
from perfaudit.readers import ReadError
from perfaudit.version import __version__


def __getattr__(name: str) -> ModuleType:
    # pa.charts imports matplotlib: only when a notebook asks for it.
    if name == "charts":
        import perfaudit.charts as charts

        return charts
    raise AttributeError(f"module 'perfaudit' has no attribute {name!r}")


__all__ = ["Audit", "FormSet", "ReadError", "TemplateError", "audit", "load", "show", "write_workbook", "__version__"]
