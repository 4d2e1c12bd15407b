"""The rulebook evaluated in plain pandas: the floor the Great Expectations path is measured against.

It reads the same suites (``expectations/*.json``, through :func:`perfaudit.rules.read_rules`)
and evaluates the same expectations on the same derived frames, with GX's semantics for the
types the rulebook uses:

- ``expect_column_values_to_be_between``: ``min_value`` / ``max_value`` with ``strict_min`` /
  ``strict_max``; a missing value is never unexpected;
- ``expect_column_values_to_be_in_set`` / ``..._not_be_in_set``: a missing value is skipped;
- ``expect_column_values_to_not_be_null`` / ``..._to_be_null``;
- ``row_condition`` as GX's JSON form: ``comparison`` (== != < <= > >= IN NOT_IN), ``nullity``,
  ``and`` / ``or``; a comparison with a missing value is false, as in ``DataFrame.query``.

An expectation type or condition it does not know raises ``NotImplementedError``: a reference
that skipped a rule would make the ratio meaningless.
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _bools(values) -> np.ndarray:
    """A plain bool array from a comparison result (pd.NA, from nullable dtypes, is false)."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return values.to_numpy(dtype=bool, na_value=False)
    return np.asarray(values, dtype=bool)


def condition_mask(frame: pd.DataFrame, condition: dict) -> np.ndarray:
    kind = condition.get("type")
    if kind in ("and", "or"):
        masks = [condition_mask(frame, c) for c in condition["conditions"]]
        return np.logical_and.reduce(masks) if kind == "and" else np.logical_or.reduce(masks)
    column = frame[condition["column"]["name"]]
    if kind == "nullity":
        return _bools(column.isna() if condition.get("is_null", True) else column.notna())
    if kind == "comparison":
        op, parameter = condition["operator"], condition["parameter"]
        if op in ("IN", "NOT_IN"):
            hit = _bools(column.isin(parameter)) & _bools(column.notna())
            return hit if op == "IN" else ~hit & _bools(column.notna())
        return _bools(_OPS[op](column, parameter))
    raise NotImplementedError(f"row_condition type {kind!r}")


def _numbers(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype="float64", na_value=np.nan)


def unexpected(frame: pd.DataFrame, rule_type: str, kwargs: dict) -> np.ndarray:
    """Positions of the rows an expectation reports as unexpected."""
    column = frame[kwargs["column"]]
    if rule_type == "expect_column_values_to_be_between":
        values = _numbers(column)
        present = ~np.isnan(values)
        bad = np.zeros(len(values), dtype=bool)
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        with np.errstate(invalid="ignore"):
            if low is not None:
                bad |= values <= low if kwargs.get("strict_min") else values < low
            if high is not None:
                bad |= values >= high if kwargs.get("strict_max") else values > high
        bad &= present
    elif rule_type in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
        present = _bools(column.notna())
        inside = _bools(column.isin(kwargs["value_set"]))
        bad = present & (~inside if rule_type == "expect_column_values_to_be_in_set" else inside)
    elif rule_type == "expect_column_values_to_not_be_null":
        bad = _bools(column.isna())
    elif rule_type == "expect_column_values_to_be_null":
        bad = _bools(column.notna())
    else:
        raise NotImplementedError(f"expectation type {rule_type!r}")
    condition = kwargs.get("row_condition")
    if condition:
        if not isinstance(condition, dict):
            raise NotImplementedError("row_condition must be GX's JSON form (a dict)")
        bad &= condition_mask(frame, condition)
    return np.flatnonzero(bad)


def evaluate(frames: dict[str, pd.DataFrame], suites: dict[str, list]) -> dict[str, list[int]]:
    """Failing row positions per rule key (``rule_id/check``), for every suite over its frame."""
    out = {}
    for name, rules in suites.items():
        frame = frames[name].reset_index(drop=True)
        for rule in rules:
            out[rule.key] = unexpected(frame, rule.type, rule.kwargs).tolist() if len(frame) else []
    return out


def compare(gx_rows: dict[str, list], reference_rows: dict[str, list]) -> list[str]:
    """Rule keys where GX and the reference disagree on the failing rows."""
    keys = set(gx_rows) | set(reference_rows)
    return sorted(k for k in keys if sorted(gx_rows.get(k, [])) != sorted(reference_rows.get(k, [])))
