"""Parse indicator values (指标值), printed amounts and the counts promised in task texts.

One small module per parser, all reading their word lists from ``perfaudit/vocab``:

- :mod:`~perfaudit.values.normalize`: characters and symbols before any parse
  (``characters.csv``: full-width -> half-width, ≧ -> ≥, zero-width characters dropped);
- :mod:`~perfaudit.values.numbers`: the number pattern, missing cells, percent formats;
- :mod:`~perfaudit.values.money`: printed amounts and their decimals;
- :mod:`~perfaudit.values.operators`: qualifier words and the operator they set
  (``value_words.csv``: 不低于 -> ``>=``, 以上, 约, ±);
- :mod:`~perfaudit.values.units`: units of measure (``units.csv``);
- :mod:`~perfaudit.values.targets`: an indicator's target (:func:`parse_value`);
- :mod:`~perfaudit.values.tasks`: the counts a task text promises;
- :mod:`~perfaudit.values.polarity`: whether higher is better (``polarity_cues.csv``).
"""

from __future__ import annotations

from perfaudit.values.money import parse_amount, printed_decimals
from perfaudit.values.normalize import normalize_value_text
from perfaudit.values.polarity import infer_polarity, printed_polarity
from perfaudit.values.targets import ParsedValue, parse_value
from perfaudit.values.tasks import TaskOutput, extract_task_outputs, task_clauses

__all__ = [
    "ParsedValue",
    "TaskOutput",
    "extract_task_outputs",
    "infer_polarity",
    "printed_polarity",
    "normalize_value_text",
    "parse_amount",
    "parse_value",
    "printed_decimals",
    "task_clauses",
]
