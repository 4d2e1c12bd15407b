"""The counts a task text promises: ``2024年计划开展约50场活动`` -> 50 场 (约, 活动).

Only Arabic digits are read: Chinese numerals (三场, 一是) are out of scope on purpose, so
that ordinals such as 一是/二是 never pass for counts.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from perfaudit.values.normalize import normalize_value_text
from perfaudit.values.operators import join_qualifiers, words, words_at_end
from perfaudit.values.units import unit_alternation

_CJK_RUN_START = re.compile(r"^[\u4e00-\u9fff]+")
_CJK_RUN_END = re.compile(r"[\u4e00-\u9fff]+$")
_CLAUSE_SPLIT = re.compile(r"[，。；、;,！？!?]")
# The noun counted in a task text is the head of a short noun phrase: keep its last characters.
_NOUN_MAX = 4
# 的 links a modifier to its head noun (已建成的儿童友好示范基地): the noun starts after it.
_MODIFIER = "的"


@dataclass(frozen=True)
class TaskOutput:
    """A count promised in a task text (``2024年计划开展约50场活动`` -> 50 场).

    Attributes:
        quantity: the number as printed.
        unit: a count unit from ``units.csv`` (场, 人次, 个, 件(套) ...), never money, time or %.
        qualifier: ``约``, ``不少于``, ``以上``, ``左右`` ... or ``""``.
        phrase: the clause (between ，。；、 and the like) holding the count, without white space.
        noun: best-effort counted object (``活动``, ``示范基地``), ``""`` when none is found.
    """

    quantity: float
    unit: str
    qualifier: str
    phrase: str
    noun: str


@functools.cache
def _task_re() -> re.Pattern[str]:
    """A count in task text: number, optional 余/多, count unit, optional 以上/左右.

    The look-behind keeps out ratios (1:1:1), ordinals (第3期), ranges and the tail of a
    longer number; at most 9 integer digits so that a float keeps the printed value exactly.
    """
    infix = "|".join(re.escape(word) for word, _ in words("infix"))
    suffix = "|".join(re.escape(word) for word, _ in words("suffix"))
    return re.compile(
        r"(?<![0-9.:：/第~\-])(?P<num>[0-9]{1,9}(?:\.[0-9]{1,4})?)"
        rf"(?P<infix>{infix})?(?P<unit>{unit_alternation('count')})(?P<suffix>{suffix})?"
    )


def _last_stop_end(run: str) -> int:
    """End of the last verb / function word (or 的) in ``run``; 0 when there is none."""
    ends = [run.rfind(word) + len(word) for word, _ in words("noun_stop") if word in run]
    if _MODIFIER in run:
        ends.append(run.rfind(_MODIFIER) + 1)
    return max(ends, default=0)


def _first_stop_start(run: str) -> int:
    """Start of the first verb / function word in ``run``; ``len(run)`` when there is none."""
    starts = [run.find(word) for word, _ in words("noun_stop") if word in run]
    return min(starts, default=len(run))


def _noun_after(tail: str) -> str:
    """The counted object written after the unit: 约50场[活动], 3场[主题庆祝活动] -> 庆祝活动."""
    match = _CJK_RUN_START.match(tail)
    if match is None:
        return ""
    run = match.group()[: _first_stop_start(match.group())]
    if _MODIFIER in run:
        run = run[run.rfind(_MODIFIER) + 1 :]
    return run[-_NOUN_MAX:]


def _noun_before(head: str) -> str:
    """The counted object written before the count.

    培育[示范点]不少于2个; 已建成的儿童友好[示范基地]2个 (the last characters of the phrase).
    """
    match = _CJK_RUN_END.search(head)
    if match is None:
        return ""
    run = match.group()
    return run[_last_stop_end(run) :][-_NOUN_MAX:]


def _task_output(clause: str, match: re.Match[str]) -> TaskOutput:
    head, prefix = words_at_end(clause[: match.start()], "prefix")
    after = [(match.group(group), "") for group in ("infix", "suffix") if match.group(group)]
    noun = _noun_after(clause[match.end() :]) or _noun_before(head)
    return TaskOutput(
        quantity=float(match.group("num")),
        unit=match.group("unit"),
        qualifier=join_qualifiers(prefix, after),
        phrase=clause.replace(" ", ""),
        noun=noun,
    )


def _split_clauses(text: str) -> list[str]:
    return _CLAUSE_SPLIT.split(normalize_value_text("" if text is None else str(text)))


def extract_task_outputs(text: str) -> list[TaskOutput]:
    """Find the counts a task text promises (年度重点工作任务 / 主要实施内容).

    ``2024年计划开展约50场活动`` -> 50 场 (约, 活动). Only count units of ``units.csv`` are
    read, so years (2024年), money (每人每月750元), percentages, dates (12月31日) and
    durations (3个月) are never counts; ratios (1:1:1), ordinals (第3期) and ranges (3-5场)
    are skipped. Chinese numerals (三场, 一是) are out of scope and not read.

    Args:
        text: the task text; line breaks and stray spaces from wrapped cells are removed.

    Returns:
        The counts in reading order (one per match; duplicates are kept).
    """
    return [_task_output(clause, match) for clause in _split_clauses(text) for match in _task_re().finditer(clause)]


def task_clauses(text: str) -> list[str]:
    """The clauses of a task text as :attr:`TaskOutput.phrase` gives them (no white space)."""
    return [clause.replace(" ", "") for clause in _split_clauses(text) if clause]
