"""Synthetic year-end self-evaluations (部门整体支出绩效自评表) of the synthetic target forms.

A share of the archive's target forms gets the department's self-evaluation of the same year:
the 年度资金总额 planned and spent (a 92–99% rate, its score ten points times the rate), the
first goal with what was achieved, and every indicator of the target form with its actual and
score — a count or rate reached or slightly passed (never by the 20% that would say the target
was low), an at-most target kept under, a worded target answered 达到; 90 points shared among
the indicators and every one scored in full. A clean self-evaluation passes every R-RESULT rule.
A share of them gets one result defect of the kinds real self-evaluations show (a missed target
scored in full, a rate printed 100%, an actual that says only 达成预期指标, a budget cut to what
was spent, a target lowered against the approved form …), written into the answer key with the
line it stands on. The target form is in the archive too, so the self-evaluation is paired with it.

Printed as a pipe table (``| 一级指标 | 二级指标 | … |``), one table row per line, as web pages and
document converters give them.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.forms import Form

INDICATOR_POINTS = 90
_TARGET = re.compile(
    r"^(≥|≤|>=|<=|≧|≦|>|<|不少于|不低于|不高于|不超过|约)?\s*(\d+(?:\.\d+)?)\s*([^\d\s]*?)(以上|以下)?$"
)
_SIGNS = {
    "不少于": "≥",
    "不低于": "≥",
    "不高于": "≤",
    "不超过": "≤",
    "约": "",
    ">=": "≥",
    "<=": "≤",
    "≧": "≥",
    "≦": "≤",
}
_SUFFIX = {"以上": "≥", "以下": "≤"}
_DEADLINE = re.compile(r"^(.*?)(\d{1,2})月(底|末|\d{1,2}日)前$")


@dataclass
class ResultRow:
    """One self-evaluated indicator: the target as printed, the actual, points and score."""

    level1: str
    level2: str
    name: str
    target: str
    actual: str
    points: int
    score: float
    reason: str = ""
    sign: str = ""
    value: float | None = None
    unit: str = ""
    mark: str = ""


@dataclass
class SelfEval:
    """A department's self-evaluation of one year, and the answer key of its defect."""

    doc_id: str
    department: str
    year: int
    goal: str
    achieved: str
    initial: float  # 万元
    final: float
    spent: float
    rate: str
    score: float
    rows: list[ResultRow]
    execution_mark: str = ""
    answers: list[dict] = field(default_factory=list)


def build_selfeval(form: Form, rng: random.Random) -> SelfEval:
    """The clean self-evaluation of ``form``'s department and year."""
    budget = round(form.expend_yuan / 10_000, 2)
    spent = round(budget * rng.uniform(0.92, 0.99), 2)
    rate = spent / budget * 100
    rows = []
    for block in form.blocks:
        for group in block.groups:
            for row in group.rows:
                target = _printed_target(row)
                if target:
                    rows.append(_result_row(block.label, group.label, row.name, target, rng))
    share, extra = divmod(INDICATOR_POINTS, max(len(rows), 1))
    for n, row in enumerate(rows):
        row.points = share + (1 if n < extra else 0)
        row.score = row.points
    goal = form.goals[0].text if form.goals else ""
    return SelfEval(
        doc_id=f"{form.doc_id}-ziping",
        department=form.department,
        year=form.year,
        goal=re.sub(r"^目标\d+[:：]", "", goal),
        achieved="已完成年度目标。",
        initial=budget,
        final=budget,
        spent=spent,
        rate=f"{rate:.2f}%",
        score=round(10 * rate / 100, 2),
        rows=rows,
    )


def _printed_target(row) -> str:
    """The row's annual target as text: a typed spreadsheet number as its format shows it (0.95 as 95%)."""
    if isinstance(row.annual, str):
        return row.annual.strip()
    if isinstance(row.annual, int | float) and not isinstance(row.annual, bool):
        if "%" in row.number_format:
            return f"{row.annual * 100:g}%"
        return f"{row.annual:g}{row.unit}"
    return ""


def _result_row(level1: str, level2: str, name: str, target: str, rng: random.Random) -> ResultRow:
    match = _TARGET.match(target.strip())
    deadline = _DEADLINE.match(target.strip())
    row = ResultRow(level1, level2, name, target, "", 0, 0)
    if deadline:  # done a few days before the deadline (11月30日前, 2021年12月底前)
        day = 28 if deadline.group(3) in ("底", "末") else int(deadline.group(3)[:-1])
        row.actual = f"{deadline.group(1)}{deadline.group(2)}月{max(1, day - rng.randint(1, 5))}日"
        return row
    if match is None:  # a worded target: answered in words (是 for 是; against last year, how it moved)
        row.actual = target if target in ("是", "否") else "较上年有所提高" if "上年" in target else f"{target}，已实现"
        return row
    printed = match.group(1) or _SUFFIX.get(match.group(4) or "", "")
    sign, value, unit = _SIGNS.get(printed, printed), float(match.group(2)), match.group(3)
    row.sign, row.value, row.unit = sign, value, unit
    if sign in ("≤", "<"):
        actual = value * rng.uniform(0.85, 1.0)
    elif sign in ("≥", ">") and value > 0:
        # A rate stays within 100% (unless its target already lies above it: a defect of the target form).
        actual = (
            min(value * rng.uniform(1.0, 1.05), max(100.0, value)) if unit == "%" else value * rng.uniform(1.0, 1.15)
        )
    else:
        actual = value  # a bare target is met exactly
    row.actual = f"{_printed(actual, value, sign)}{unit}"
    return row


def _printed(actual: float, value: float, sign: str) -> str:
    """An actual printed like its target (whole when the target is whole), on its side of the target."""
    if not float(value).is_integer():
        return f"{actual:.2f}"
    n = round(actual)
    if sign in ("≥", ">"):  # rounded up, never to the 1.2 times that says the target was low
        n = min(n, math.ceil(value * 1.2) - 1)
    if sign == "≥":
        n = max(n, int(value))
    elif sign == ">":
        n = max(n, int(value) + 1)
    elif sign in ("≤", "<"):
        n = min(n, int(value) - (1 if sign == "<" else 0))
    return str(n)


# --- result defects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultDefect:
    """A defect of a self-evaluation: the rule that must find it, the others it may set off."""

    name: str
    rule: str
    edit: Callable[[SelfEval, random.Random], str | None]
    also: tuple[str, ...] = ()


RESULT_DEFECTS: dict[str, ResultDefect] = {}


def result_defect(rule: str, also: tuple[str, ...] = ()):
    """Register an edit as the result defect its rule must find."""

    def register(edit):
        name = edit.__name__.replace("_", "-")
        RESULT_DEFECTS[name] = ResultDefect(name, rule, edit, also)
        return edit

    return register


def _counting(se: SelfEval) -> list[ResultRow]:
    """Rows counted up: at-least targets of 2 or more, not a rate and not a cost.

    A cost is counted down: the rules read a 成本 target as at most whatever sign it prints (a
    target-form defect prints 单位服务成本 as ≥300元), so doubling or lowering it is another defect.
    """
    return [
        r
        for r in se.rows
        if r.sign in ("≥", ">") and r.value and r.value >= 2 and r.unit != "%" and "成本" not in r.level2 + r.name
    ]


@result_defect("R-RESULT-03/missed", also=("R-RESULT-05",))
def missed_scored_in_full(se: SelfEval, rng: random.Random) -> str | None:
    """A count missed by 30% and scored in full, with no reason given."""
    rows = _counting(se)
    if not rows:
        return None
    row = rng.choice(rows)
    row.actual, row.mark = f"{int(row.value * 0.7)}{row.unit}", "missed-scored-in-full"
    return row.name


@result_defect("R-RESULT-01/rate", also=("R-RESULT-01/score",))
def rate_printed_100(se: SelfEval, rng: random.Random) -> str | None:
    """The execution rate printed as 100% with 10 points while less was spent."""
    se.rate, se.score, se.execution_mark = "100.00%", 10, "rate-printed-100"
    return "年度资金总额"


@result_defect("R-RESULT-04/quantitative")
def actual_just_achieved(se: SelfEval, rng: random.Random) -> str | None:
    """A numeric target answered only 达成预期指标, scored."""
    rows = [r for r in se.rows if r.value is not None]
    if not rows:
        return None
    row = rng.choice(rows)
    row.actual, row.mark = "达成预期指标", "actual-just-achieved"
    return row.name


@result_defect("R-RESULT-08/far-above")
def target_doubled(se: SelfEval, rng: random.Random) -> str | None:
    """A count achieved twice over: the target was set low."""
    rows = [r for r in _counting(se) if "满意" not in r.name]
    if not rows:
        return None
    row = rng.choice(rows)
    row.actual, row.mark = f"{int(row.value * 2)}{row.unit}", "target-doubled"
    return row.name


@result_defect("R-RESULT-09", also=("R-RESULT-05/adjusted",))
def budget_cut_to_spending(se: SelfEval, rng: random.Random) -> str | None:
    """The year's budget cut to exactly what was spent, so that the rate reads 100%."""
    se.final, se.rate, se.score, se.execution_mark = se.spent, "100.00%", 10, "budget-cut-to-spending"
    return "年度资金总额"


@result_defect("R-RESULT-05/execution")
def low_rate_unexplained(se: SelfEval, rng: random.Random) -> str | None:
    """80% spent and no reason given."""
    se.spent = round(se.final * 0.8, 2)
    rate = se.spent / se.final * 100
    se.rate, se.score, se.execution_mark = f"{rate:.2f}%", round(rate / 10, 2), "low-rate-unexplained"
    return "年度资金总额"


@result_defect("R-RESULT-07/easier", also=("R-RESULT-08/far-above",))  # the actual now passes it by a quarter
def target_lowered(se: SelfEval, rng: random.Random) -> str | None:
    """A count's target printed a fifth lower than the approved form's (the actual then passes it)."""
    rows = [r for r in _counting(se) if r.value >= 5]
    if not rows:
        return None
    row = rng.choice(rows)
    row.target, row.mark = f"≥{int(row.value * 0.8)}{row.unit}", "target-lowered"
    return row.name


@result_defect("R-RESULT-02/row", also=("R-RESULT-10/*",))  # above its points is outside any band too
def score_above_points(se: SelfEval, rng: random.Random) -> str | None:
    """An indicator scored two points above its points."""
    row = rng.choice(se.rows) if se.rows else None
    if row is None:
        return None
    row.score, row.mark = row.points + 2, "score-above-points"
    return row.name


def inject_result(se: SelfEval, rng: random.Random, name: str | None = None) -> None:
    """Give the self-evaluation one result defect (``name``, or one drawn that applies)."""
    names = [name] if name else sorted(RESULT_DEFECTS)
    if not name:
        rng.shuffle(names)
    for candidate in names:
        defect = RESULT_DEFECTS[candidate]
        subject = defect.edit(se, rng)
        if subject is not None:
            mark = se.execution_mark or next(r.mark for r in se.rows if r.mark)
            se.answers.append(
                {
                    "doc_id": se.doc_id,
                    "defect": defect.name,
                    "rule": defect.rule,
                    "family": "RESULT",
                    "subject": subject,
                    "mark": mark,
                    "says": "",
                    "also": "|".join(defect.also),
                    "needs_peers": False,
                }
            )
            return


# --- printing ---------------------------------------------------------------------------------


def render_selfeval(se: SelfEval) -> tuple[str, dict[str, str]]:
    """The self-evaluation as pipe-table text, and the cell reference of each marked row."""
    lines: list[str] = []
    refs: dict[str, str] = {}

    def add(cells: list[str], mark: str = "") -> None:
        lines.append("| " + " | ".join(cells) + " |")
        if mark:
            refs[mark] = f"A{len(lines)}"

    add([f"{se.year}年度部门整体支出绩效自评表", "", "", "", "", "", "", ""])
    add(["预算部门、单位名称", se.department, "", "", "", "", "", ""])
    add(["年度预算执行情况(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    add(
        ["", "年度资金总额", f"{se.initial:.2f}", f"{se.final:.2f}", f"{se.spent:.2f}", "10", se.rate, f"{se.score:g}"],
        se.execution_mark,
    )
    add(["", "其中:财政拨款", f"{se.initial:.2f}", f"{se.final:.2f}", f"{se.spent:.2f}", "", "", ""])
    add(["年度总体目标", "预期目标", "", "", "实际完成情况", "", "", ""])
    add(["", se.goal, "", "", se.achieved, "", "", ""])
    add(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    for r in se.rows:
        add([r.level1, r.level2, r.name, r.target, r.actual, str(r.points), f"{r.score:g}", r.reason], r.mark)
    return "\n".join(lines) + "\n", refs
