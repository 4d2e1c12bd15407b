"""Run the rulebook: one Great Expectations validation per suite over a stacked frame.

Never one validation per document: GX costs about 6 ms per expectation and validation, so a
thousand forms validated one by one take a minute where the stack takes a tenth of a second.
GX is imported here, lazily, because importing it takes seconds.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, field

import pandas as pd

from perfaudit.rules.gx import import_gx
from perfaudit.rules.suites import Rule, RulebookError, to_gx_suite

RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False, "partial_unexpected_count": 0}


@dataclass
class RuleResult:
    """What one rule found: the frame rows that failed it (by index label), or why it could not run."""

    rule: Rule
    success: bool
    failed_rows: list = field(default_factory=list)
    error: str = ""


@functools.cache
def _batch_definition():
    gx = import_gx()
    import great_expectations.execution_engine.pandas_execution_engine as engine
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX fingerprints every frame it loads (an md5 over the data) only to label the batch; for a
    # stacked archive that costs more than the checks. A threshold of 0 turns it off.
    engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("perfaudit")
    return source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole")


def validate(frame: pd.DataFrame, rules: list[Rule], name: str) -> list[RuleResult]:
    """Validate one stacked frame against its suite; results come back in file order."""
    if not rules:
        return []
    frame = frame.reset_index(drop=True)
    missing = sorted({r.kwargs["column"] for r in rules if "column" in r.kwargs} - set(frame.columns))
    if missing:
        raise RulebookError(f"suite {name}: columns not in the derived frame: {', '.join(missing)}")
    if frame.empty:
        return [RuleResult(rule=r, success=True) for r in rules]
    suite = to_gx_suite(name, rules)
    used = _columns_used(rules)
    if used is not None:  # GX copies and inspects what it is given: only the columns the suite reads
        frame = frame[[c for c in frame.columns if c in used]]
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": _for_gx(frame)})
    with _configurations_built_once():
        result = batch.validate(suite, result_format=RESULT_FORMAT)
    by_index = {}
    for item in result.results:
        rule = next(r for r in rules if r.index == item.expectation_config.meta["_index"])
        errors = _errors(item)
        rows = list(item.result.get("unexpected_index_list") or [])
        by_index[rule.index] = RuleResult(
            rule=rule, success=bool(item.success), failed_rows=rows, error="; ".join(errors)
        )
    if len(by_index) != len(rules):
        raise RulebookError(f"suite {name}: GX returned {len(by_index)} results for {len(rules)} rules")
    return [by_index[r.index] for r in rules]


_COLUMN_KWARGS = ("column", "column_A", "column_B")
# Expectations that read only the columns their kwargs name (a table-level one, such as
# expect_table_columns_to_match_set, reads them all).
_COLUMN_LEVEL = ("expect_column_", "expect_multicolumn_", "expect_compound_columns_", "expect_select_column_")


def _columns_used(rules: list[Rule]) -> set[str] | None:
    """The columns a suite's checks and row conditions read; None if one reads in a way not known here."""
    used: set[str] = set()
    for rule in rules:
        if not rule.type.startswith(_COLUMN_LEVEL):
            return None
        used.update(rule.kwargs[k] for k in _COLUMN_KWARGS if k in rule.kwargs)
        used.update(rule.kwargs.get("column_list", []))
        condition = rule.kwargs.get("row_condition")
        if condition is not None:
            columns = _condition_columns(condition)
            if columns is None:
                return None
            used.update(columns)
    return used


def _condition_columns(condition) -> set[str] | None:
    """Columns of a GX row condition made of comparisons joined by and/or; None for anything else."""
    if not isinstance(condition, dict):
        return None
    if condition.get("type") == "comparison" and isinstance(condition.get("column"), dict):
        return {condition["column"]["name"]}
    if condition.get("type") in ("and", "or") and isinstance(condition.get("conditions"), list):
        columns: set[str] = set()
        for part in condition["conditions"]:
            found = _condition_columns(part)
            if found is None:
                return None
            columns |= found
        return columns
    return None


@contextlib.contextmanager
def _configurations_built_once():
    """Let each expectation build its configuration once per validation.

    GX 1.x rebuilds an expectation's ``configuration`` (a pydantic ``.dict()`` and a new
    ExpectationConfiguration) every time it reads one of its kwargs: about 140 times per
    expectation and validation, half of GX's fixed cost per expectation. Nothing changes an
    expectation while it is validated, so the first build is reused until the validation ends.
    """
    from great_expectations.expectations.expectation import Expectation

    original = Expectation.__dict__.get("configuration")
    if not isinstance(original, property):  # another GX version: leave it alone
        yield
        return
    built: dict[int, tuple] = {}

    def configuration(self):
        hit = built.get(id(self))
        if hit is None or hit[0] is not self:  # hold the expectation, so its id is not reused
            hit = built[id(self)] = (self, original.fget(self))
        return hit[1]

    Expectation.configuration = property(configuration, doc=original.__doc__)
    try:
        yield
    finally:
        Expectation.configuration = original


def _for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """GX's pandas checks want plain numpy-backed columns: nullable dtypes become object/float."""
    out = {}
    for column, series in frame.items():
        if isinstance(series.dtype, pd.BooleanDtype):
            out[column] = series.astype("object").where(series.notna(), None)
        elif isinstance(series.dtype, pd.Int64Dtype):
            out[column] = series.astype("float64")
        else:
            out[column] = series
    return pd.DataFrame(out, index=frame.index)


def _errors(item) -> list[str]:
    info = item.exception_info or {}
    if "raised_exception" in info:
        return [str(info.get("exception_message"))] if info.get("raised_exception") else []
    return [str(v.exception_message) for v in info.values() if getattr(v, "raised_exception", False)]
