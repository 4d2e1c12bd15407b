"""Which family a form belongs to, and the printed evidence that decided it.

A title names its family (``vocab/form_titles.csv``: 部门整体…目标表, 项目支出绩效目标申报表,
…绩效自评表); the longest title keyword found wins. A form whose title names no family is
recognised by the labels and headers only one family prints (``vocab/family_cues.csv``: 项目名称
for a project form, 全年执行数 for a self-evaluation). A self-evaluation is a project one when it
also carries a project's labels, else a department's.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from perfaudit.readers.cells import Sheet
from perfaudit.strings import key, strip_trailing_bracket
from perfaudit.template.common import text_layout
from perfaudit.vocab import read_vocab

#: The families a form can belong to, with their Chinese names (documents.form_type).
FAMILY_NAMES = {
    "dept_overall": "部门整体绩效目标表",
    "project": "项目支出绩效目标表",
    "investment": "中央预算内投资计划绩效目标表",
    "project_selfeval": "项目支出绩效自评表",
    "dept_selfeval": "部门整体支出绩效自评表",
}


#: A title cell holds its keyword and little else (a year, a department, 单位：万元); a longer
#: cell that merely mentions a form's name is a sentence, not a title.
_TITLE_SLACK = 40


@dataclass(frozen=True)
class Family:
    """A recognised family: its code, the stage its title names, and what decided it."""

    form_type: str
    stage: str
    evidence: tuple[str, ...]


@functools.cache
def _titles() -> tuple[tuple[str, dict[str, str]], ...]:
    rows = ((key(row["keyword"]), row) for row in read_vocab("form_titles"))
    return tuple(sorted(rows, key=lambda pair: -len(pair[0])))


@functools.cache
def _cues() -> dict[str, tuple[str, int]]:
    return {key(row["cue"]): (row["form_type"], int(row["weight"])) for row in read_vocab("family_cues")}


def _cell_keys(sheet: Sheet) -> list[str]:
    return [key(cell.text) for row in sheet.rows for cell in row if cell.text.strip()]


def by_title(texts: list[str]) -> Family | None:
    """The family a title among ``texts`` names (the longest keyword found wins)."""
    for text in texts:
        for keyword, row in _titles():
            if keyword in text and len(text) <= len(keyword) + _TITLE_SLACK:
                return Family(row["form_type"], row["stage"], (f"title: {keyword}",))
    return None


def by_cues(texts: list[str]) -> Family | None:
    """The family whose own labels and headers weigh most, if they reach the minimum score."""
    scores: dict[str, int] = {}
    found: dict[str, list[str]] = {}
    for text in dict.fromkeys(texts):
        cue = (
            _cues().get(text)
            or _cues().get(strip_trailing_bracket(text))
            or _cues().get(re.sub(r"[(（][^)）]*$", "", text))
        )
        if cue is None:
            continue
        scores[cue[0]] = scores.get(cue[0], 0) + cue[1]
        found.setdefault(cue[0], []).append(text)
    if not scores:
        return None
    best = max(scores, key=lambda name: scores[name])
    if scores[best] < int(text_layout()["family_min_score"]):
        return None
    evidence = tuple(f"label: {text}" for text in found[best])
    if best == "selfeval":
        project = scores.get("project", 0) > 0 and scores.get("project", 0) >= scores.get("dept_overall", 0)
        owner = "project" if project else "dept_overall"
        evidence += tuple(f"label: {text}" for text in found.get(owner, []))
        return Family("project_selfeval" if project else "dept_selfeval", "自评", evidence)
    return Family(best, "", evidence)


def detect(sheet: Sheet) -> Family | None:
    """The family of the form on ``sheet``: by its title, else by its labels; None if neither."""
    texts = _cell_keys(sheet)
    return by_title(texts) or by_cues(texts)
