"""FormSet: the tables of many forms stacked, one ``doc_id`` column tying rows to a form."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from perfaudit.display import show
from perfaudit.fields import TABLES, cast_frame, make_frame


@dataclass(frozen=True)
class FormSet:
    """The tables of the DESIGN contract for every loaded form.

    Attributes are the tables: ``documents``, ``budget``, ``execution`` (a self-evaluation's
    budget execution), ``goals``, ``cost_items`` (project forms' cost breakdown), ``tasks``,
    ``task_outputs``, ``indicators`` and ``leftovers`` (pandas DataFrames).
    """

    documents: pd.DataFrame
    budget: pd.DataFrame
    execution: pd.DataFrame
    goals: pd.DataFrame
    cost_items: pd.DataFrame
    tasks: pd.DataFrame
    task_outputs: pd.DataFrame
    indicators: pd.DataFrame
    leftovers: pd.DataFrame
    #: Files found in the folders loaded that hold no form perfaudit reads: (path, reason).
    passed_over: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame]) -> FormSet:
        """A FormSet from a dict of the contract tables, each cast to its dictionary dtypes."""
        return cls(**{name: cast_frame(name, tables[name]) for name in TABLES})

    @classmethod
    def concat(cls, sets: list[FormSet]) -> FormSet:
        """Stack several FormSets (their doc_ids must not repeat)."""
        if sets:
            tables = {name: pd.concat([getattr(s, name) for s in sets], ignore_index=True) for name in TABLES}
        else:
            tables = {name: make_frame(name) for name in TABLES}
        ids = tables["documents"]["doc_id"]
        if ids.duplicated().any():
            raise ValueError(f"doc_id repeated: {sorted(set(ids[ids.duplicated()]))}")
        return cls.from_tables(tables)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The contract tables by name."""
        return {name: getattr(self, name) for name in TABLES}

    def __len__(self) -> int:
        return len(self.documents)

    def select(self, doc_ids: list[str] | str) -> FormSet:
        """The same tables restricted to some documents (already of the dictionary's dtypes)."""
        ids = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids)
        return FormSet(
            **{name: frame[frame["doc_id"].isin(ids)].reset_index(drop=True) for name, frame in self.tables.items()}
        )

    def summary(self) -> pd.DataFrame:
        """One line per form: who, which year, and how many rows each table took."""
        docs = self.documents.set_index("doc_id")
        out = docs[["department", "year", "year_source", "amount_unit"]].copy()
        for name in ("budget", "goals", "tasks", "indicators", "leftovers"):
            out[name] = self.tables[name].groupby("doc_id").size().reindex(out.index, fill_value=0)
        out["missing_sections"] = docs["missing_sections"]
        return out.reset_index()

    def __repr__(self) -> str:
        counts = ", ".join(f"{name} {len(frame)}" for name, frame in self.tables.items() if name != "documents")
        return f"<FormSet: {len(self)} forms; {counts}>"

    def _repr_html_(self) -> str:
        return (
            f"<div><strong>FormSet</strong>：已读取 {len(self)} 份表格 "
            f"({len(self)} forms loaded)</div>" + show(self.summary(), "summary").to_html()
        )
