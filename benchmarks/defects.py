"""Defects injected into synthetic forms, each with the rule that must find it.

A defect edits a :class:`~benchmarks.forms.Form` before it is printed and returns the answer
key entry: the rule (``rule_id/check``) that must fire on that document, the subject, and a
mark on the edited element so that the printed source reference can be recorded. ``also``
lists rules the edit may set off as well (a vague count is also not a number, R-QUANT-01),
so that they are not counted as false alarms; ``YOY`` means any year-over-year rule, since
an edited target also moves against last year's form.

Example:
    >>> from benchmarks.forms import build_form
    >>> form = build_form(seed=1, index=0)
    >>> answer = DEFECTS["satisfaction-low"].apply(form, random.Random(0))
    >>> answer["rule"]
    'R-REASON-01/low'
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.forms import Form, Goal, Group, Row, Task, count_of, set_count


@dataclass(frozen=True)
class Defect:
    name: str
    rule: str
    edit: Callable[[Form, random.Random], str | None]  # returns the subject, or None when it does not apply
    also: tuple[str, ...] = ()
    needs_peers: bool = False  # found only when other forms count in the same unit

    def apply(self, form: Form, rng: random.Random) -> dict | None:
        subject = self.edit(form, rng)
        if subject is None:
            return None
        answer = {
            "doc_id": form.doc_id,
            "defect": self.name,
            "rule": self.rule,
            "family": self.rule.split("-")[1],
            "subject": subject,
            "mark": self.name,
            "also": "|".join(self.also),
            "needs_peers": self.needs_peers,
            "says": form.answers_says,
        }
        form.answers.append(answer)
        return answer


DEFECTS: dict[str, Defect] = {}


def defect(rule: str, also: tuple[str, ...] = (), needs_peers: bool = False):
    def register(edit):
        name = edit.__name__.replace("_", "-")
        DEFECTS[name] = Defect(name, rule, edit, also, needs_peers)
        return edit

    return register


def _wan(yuan: float) -> str:
    return f"{yuan / 10_000:.2f}"


def _programme_tasks(form: Form) -> list[Task]:
    return [t for t in form.tasks if t.programme != "basic" and t.template]


def _quantity_row(form: Form, task: Task, index: int = 0) -> Row | None:
    rows = [r for r in form.rows("数量指标") if r.programme == task.programme]
    return rows[index] if len(rows) > index else None


def _pick(rng: random.Random, items: list):
    return rng.choice(items) if items else None


def _mark(item, name: str):
    if item is not None:
        item.mark = name
    return item


# --- 4.3 arithmetic -------------------------------------------------------------------------


@defect("R-ARITH-02")
def budget_unbalanced(form: Form, rng: random.Random) -> str | None:
    line = _mark(form.budget["fiscal"], "budget-unbalanced")
    line.yuan += rng.randint(1, 50) * 10_000
    return "财政拨款"


@defect("R-ARITH-03/covers-budget")
def tasks_short_by_budget_line(form: Form, rng: random.Random) -> str | None:
    """The 东坑镇 case: a budget line's money is in the budget but in no key task."""
    if form.tasks[0].programme != "basic":
        return None
    gap = max(10_000.0, round(form.budget["project"].yuan * rng.uniform(0.02, 0.1), -4))
    form.budget["project"].yuan += gap
    form.budget["fiscal"].yuan += gap
    form.budget["otherdev"].yuan = gap
    # The finding points at the task amounts and names the budget line in its message.
    _mark(form.tasks[0], "tasks-short-by-budget-line")
    form.answers_says = "其他事业发展性支出"
    return "其他事业发展性支出"


@defect("R-ARITH-03/over-budget", also=("R-ARITH-03/covers-budget", "R-REASON-05/all-forms", "YOY"))
def tasks_over_budget(form: Form, rng: random.Random) -> str | None:
    if form.tasks[0].programme != "basic":
        return None
    task = _mark(_pick(rng, _programme_tasks(form)), "tasks-over-budget")
    if task is None:
        return None
    task.planned_yuan += max(10_000.0, round(task.planned_yuan * rng.uniform(0.05, 0.15), -2))
    return task.name


@defect("R-ARITH-05/tasks", also=("R-ARITH-03/*", "R-REASON-05/*", "R-CONSIST-02", "YOY"))
def yuan_in_wan_task(form: Form, rng: random.Random) -> str | None:
    """A task's amount in 元 typed under a 万元 header: ten thousand times too big."""
    tasks = _programme_tasks(form)
    if form.task_unit != "万元" or len(form.tasks) < 2 or not tasks:
        return None
    task = _mark(max(tasks, key=lambda t: t.planned_yuan), "yuan-in-wan-task")
    task.printed = f"{task.planned_yuan:.2f}"
    return task.name


@defect("R-ARITH-05")
def yuan_in_wan_budget(form: Form, rng: random.Random) -> str | None:
    line = _mark(form.budget["otherdev"], "yuan-in-wan-budget")
    amount = round(form.budget["project"].yuan * rng.uniform(0.5, 1.0), -2)
    form.budget["city"].yuan += amount - line.yuan
    line.yuan = amount
    line.printed = f"{amount:.2f}"
    return "其他事业发展性支出"


@defect("R-ARITH-10")
def period_below_annual(form: Form, rng: random.Random) -> str | None:
    rows = [r for r in form.rows("数量指标") if (count_of(r.annual) or 0) >= 2]
    if not form.two_columns or not rows:
        return None
    row = _mark(rng.choice(rows), "period-below-annual")
    q = count_of(row.annual)
    set_count(row, q, period_q=q // 2)
    return row.name


# --- 4.1 completeness -------------------------------------------------------------------------


@defect("R-COMPLETE-03/satisfaction", also=("YOY",))
def no_satisfaction(form: Form, rng: random.Random) -> str | None:
    form.blocks = [b for b in form.blocks if b.label != "满意度指标"]
    return "满意度指标"


@defect("R-COMPLETE-04/timeliness", also=("R-QUANT-04/*", "YOY"))
def no_timeliness(form: Form, rng: random.Random) -> str | None:
    output = form.block("产出指标")
    output.groups = [g for g in output.groups if g.label != "时效指标"]
    return "时效指标"


@defect("R-COMPLETE-05/empty-category")
def empty_category(form: Form, rng: random.Random) -> str | None:
    benefit = form.block("效益指标")
    present = {g.label for g in benefit.groups}
    free = [label for label in ("经济效益指标", "生态效益指标", "可持续影响指标") if label not in present]
    if not free:
        return None
    label = rng.choice(free)
    benefit.groups.insert(rng.randint(0, len(benefit.groups)), Group(label, [], mark="empty-category"))
    return label


@defect("R-COMPLETE-06", also=("R-QUANT-03", "R-QUANT-04/*", "R-CONSIST-08", "YOY"))
def placeholder_value(form: Form, rng: random.Random) -> str | None:
    row = _mark(_pick(rng, form.rows("质量指标") + form.rows("社会效益指标")), "placeholder-value")
    if row is None:
        return None
    row.annual = rng.choice(["不涉及", "无", "/", "—"])
    row.number_format = ""
    if row.period is not None:
        row.period = row.annual
    return row.name


@defect("R-COMPLETE-01/department", also=("YOY",))
def missing_department(form: Form, rng: random.Random) -> str | None:
    form.style["department_blank"] = True
    return "部门名称"


# --- 4.2 quantification -----------------------------------------------------------------------


def _set_text(row: Row, text: str) -> None:
    row.annual = text
    row.number_format = ""
    if row.period is not None:
        row.period = text


@defect("R-QUANT-02/quantity", also=("R-QUANT-01", "R-QUANT-04/*", "R-CONSIST-01/missing", "R-CONSIST-08", "YOY"))
def vague_quantity(form: Form, rng: random.Random) -> str | None:
    row = _mark(_pick(rng, form.rows("数量指标")), "vague-quantity")
    if row is None:
        return None
    _set_text(row, rng.choice(["明显增加", "有效提升", "逐步提高", "稳步增长"]))
    return row.name


@defect("R-QUANT-02/other", also=("R-QUANT-04/*", "YOY"))
def vague_benefit(form: Form, rng: random.Random) -> str | None:
    row = _mark(_pick(rng, form.rows("社会效益指标")), "vague-benefit")
    if row is None:
        return None
    _set_text(row, rng.choice(["有效提升", "明显改善", "进一步提高", "稳步提升"]))
    return row.name


@defect("R-QUANT-05/negative")
def polarity_conflict(form: Form, rng: random.Random) -> str | None:
    row = Row("单位服务成本", f"≥{rng.randint(3, 9) * 100}元", mark="polarity-conflict")
    form.groups("成本指标")[0].rows.append(row)
    return row.name


@defect("R-QUANT-06", also=("YOY",))
def rate_without_percent(form: Form, rng: random.Random) -> str | None:
    rows = [r for r in form.rows("社会效益指标") + form.rows("质量指标") if r.name.endswith("率")]
    row = _mark(_pick(rng, rows), "rate-without-percent")
    if row is None:
        return None
    _set_text(row, f"≥{rng.randint(2, 9) * 100}人")
    return row.name


@defect("R-QUANT-07/value", also=("YOY",))
def percent_over_100(form: Form, rng: random.Random) -> str | None:
    row = _mark(_pick(rng, form.rows("质量指标")), "percent-over-100")
    if row is None:
        return None
    _set_text(row, f"≥{rng.randint(105, 150)}%")
    return row.name


@defect("R-QUANT-08", also=("R-QUANT-02/other", "R-QUANT-03", "R-QUANT-04/*", "YOY"))
def timeliness_without_date(form: Form, rng: random.Random) -> str | None:
    row = _mark(_pick(rng, form.rows("时效指标")), "timeliness-without-date")
    if row is None:
        return None
    _set_text(row, rng.choice(["按进度完成", "按计划推进", "根据工作安排"]))  # 推进 is also vague (R-QUANT-02)
    return row.name


@defect("R-QUANT-10")
def input_as_output(form: Form, rng: random.Random) -> str | None:
    row = Row(
        rng.choice(["资金到位率", "经费拨付率", "专项资金支出率"]), f"≥{rng.randint(90, 99)}%", mark="input-as-output"
    )
    form.groups("质量指标")[0].rows.append(row)
    return row.name


# --- 4.4 consistency --------------------------------------------------------------------------

_EXTRA_COUNTS = [
    ("印发宣传册{n}份", "份"),
    ("编印便民手册{n}册", "册"),
    ("开展专题调研{n}次", "次"),
    ("走访企业{n}家", "家"),
]


@defect("R-CONSIST-01/missing")
def count_without_indicator(form: Form, rng: random.Random) -> str | None:
    units = {r.unit for r in form.rows("数量指标")} | {"人", "人次"}
    free = [(text, unit) for text, unit in _EXTRA_COUNTS if unit not in units]
    task = _mark(_pick(rng, _programme_tasks(form)), "count-without-indicator")
    if task is None or not free:
        return None
    text, _ = rng.choice(free)
    task.content = task.content.rstrip("。") + "，" + text.format(n=rng.randint(3, 60)) + "。"
    task.template = ""
    return task.name


@defect("R-CONSIST-01/firm", also=("R-CONSIST-01/approximate", "YOY"))  # a big shortfall is below 90 % too
def indicator_below_promise(form: Form, rng: random.Random) -> str | None:
    firm = [t for t in _programme_tasks(form) if t.fields.get("qual") != "约" and t.quantities[0] >= 2]
    task = _pick(rng, firm)
    row = _quantity_row(form, task) if task else None
    if row is None:
        return None
    _mark(row, "indicator-below-promise")
    set_count(row, task.quantities[0] // 2)
    return row.name


@defect("R-CONSIST-02", also=("YOY",))
def task_without_indicator(form: Form, rng: random.Random) -> str | None:
    name, content, outcome = rng.choice(
        [
            ("办公用房维修改造", "对办公用房进行维修改造。", "改善办公环境，满足日常办公需要。"),
            ("信息系统运维", "开展业务信息系统日常运行维护。", "保障业务信息系统安全稳定运行。"),
            ("车辆运行维护", "公务用车日常运行和维修保养。", "公务用车安全规范运行。"),
        ]
    )
    money = max(10_000.0, round(form.expend_yuan * rng.uniform(0.08, 0.2), -2))
    form.tasks.append(Task(name, content, money, outcome, mark="task-without-indicator", programme="extra"))
    for key in ("project", "fiscal", "city", "special"):
        form.budget[key].yuan += money
    form.goals.append(Goal(f"目标{len(form.goals) + 1}：{form.year}年{outcome}"))
    return name


@defect("R-CONSIST-04/level2", also=("YOY",))
def misfiled_benefit(form: Form, rng: random.Random) -> str | None:
    """A benefit filed under 质量指标 inside 效益指标 (as the 湛江 2024 form does)."""
    row = Row(rng.choice(["群众获得感提升率", "服务对象受益率"]), f"≥{rng.randint(80, 95)}%", mark="misfiled-benefit")
    form.block("效益指标").groups.append(Group("质量指标", [row]))
    return row.name


@defect("R-CONSIST-04/keywords", also=("YOY",))
def satisfaction_under_quality(form: Form, rng: random.Random) -> str | None:
    row = Row(
        rng.choice(["参与群众满意度", "活动参与者满意度"]),
        f"≥{rng.randint(85, 95)}%",
        mark="satisfaction-under-quality",
    )
    form.groups("质量指标")[0].rows.append(row)
    return row.name


@defect("R-CONSIST-07")
def vague_goal(form: Form, rng: random.Random) -> str | None:
    goal = Goal(f"目标{len(form.goals) + 1}：加强内部管理，推动各项工作，确保工作顺利开展。", mark="vague-goal")
    form.goals.append(goal)
    return goal.text


@defect("R-CONSIST-10/same-category", also=("YOY",))
def duplicate_indicator(form: Form, rng: random.Random) -> str | None:
    group = form.groups("质量指标")[0]
    original = rng.choice(group.rows)
    group.rows.append(
        Row(original.name, original.annual, original.period, original.number_format, "duplicate-indicator")
    )
    return original.name


@defect("R-CONSIST-12")
def goal_other_year(form: Form, rng: random.Random) -> str | None:
    # The first year in the text dates a form whose title has none: keep that one right.
    if str(form.year) not in form.title or len(form.goals) < 1:
        return None
    goal = _mark(form.goals[-1], "goal-other-year")
    goal.text = goal.text.replace(f"{form.year}年", f"{form.year - 1}年", 1)
    return goal.text


# --- 4.5 reasonableness -----------------------------------------------------------------------


@defect("R-REASON-01/low", also=("YOY",))
def satisfaction_low(form: Form, rng: random.Random) -> str | None:
    rows = [r for b in form.blocks if b.label == "满意度指标" for g in b.groups for r in g.rows]
    row = _mark(_pick(rng, rows), "satisfaction-low")
    if row is None:
        return None
    _set_text(row, f"≥{rng.randint(60, 79)}%")
    return row.name


@defect("R-REASON-01/hundred", also=("R-REASON-03/form",))
def satisfaction_100(form: Form, rng: random.Random) -> str | None:
    rows = [r for b in form.blocks if b.label == "满意度指标" for g in b.groups for r in g.rows]
    row = _mark(_pick(rng, rows), "satisfaction-100")
    if row is None:
        return None
    _set_text(row, "100%")
    return row.name


@defect("R-REASON-02/low", also=("YOY",))
def execution_rate_low(form: Form, rng: random.Random) -> str | None:
    row = _mark(form.groups("成本指标")[0].rows[0], "execution-rate-low")
    _set_text(row, f"≥{rng.randint(70, 85)}%")
    return row.name


@defect("R-REASON-02/missing", also=("YOY",))
def no_execution_rate(form: Form, rng: random.Random) -> str | None:
    group = form.groups("成本指标")[0]
    group.rows = group.rows[1:]
    return "预算执行率"


@defect("R-REASON-04", also=("R-CONSIST-01/*", "R-CONSIST-08", "YOY"))
def zero_count(form: Form, rng: random.Random) -> str | None:
    row = _mark(_pick(rng, form.rows("数量指标")), "zero-count")
    if row is None:
        return None
    set_count(row, 0, period_q=0)
    return row.name


@defect("R-REASON-05/all-forms", also=("YOY",), needs_peers=True)
def unit_cost_outlier(form: Form, rng: random.Random) -> str | None:
    """A task promising a fortieth of what its money buys elsewhere (the count and its indicator agree)."""
    single = [t for t in _programme_tasks(form) if len(t.quantities) == 1 and t.quantities[0] >= 40]
    task = _pick(rng, single)
    row = _quantity_row(form, task) if task else None
    if row is None:
        return None
    _mark(task, "unit-cost-outlier")
    q = max(1, task.quantities[0] // 40)
    task.quantities = [q]
    task.fields = {**task.fields, "q": q, "q2": q}
    task.content = task.template.format(**task.fields)
    set_count(row, q)
    return task.name


# --- 4.6 cost and 4.8 format ------------------------------------------------------------------


@defect("R-COST-02", also=("R-QUANT-01", "R-QUANT-02/other", "R-QUANT-04/*", "R-COST-01", "YOY"))
def cost_not_real(form: Form, rng: random.Random) -> str | None:
    row = _mark(form.groups("成本指标")[0].rows[-1], "cost-not-real")
    _set_text(row, rng.choice(["不超预算", "控制在预算内"]))
    return row.name


@defect("R-COST-03", also=("YOY",))
def total_cost_over_budget(form: Form, rng: random.Random) -> str | None:
    limit = form.expend_yuan * rng.uniform(1.2, 2.0) / 10_000
    row = Row("项目总成本", f"≤{limit:.0f}万元", mark="total-cost-over-budget")
    form.groups("成本指标")[0].rows.append(row)
    return row.name


@defect("R-FORMAT-01/unknown", also=("YOY",))
def unknown_label(form: Form, rng: random.Random) -> str | None:
    row = Row("创新举措数量", f"≥{rng.randint(2, 5)}项", mark="unknown-label")
    form.block("效益指标").groups.append(Group("创新指标", [row]))
    return "创新指标"


@defect("R-FORMAT-01/variant")
def synonym_label(form: Form, rng: random.Random) -> str | None:
    synonyms = {"数量指标": "产出数量", "质量指标": "产出质量", "时效指标": "产出时效"}
    group = _mark(rng.choice([g for g in form.block("产出指标").groups if g.label in synonyms]), "synonym-label")
    group.label = synonyms[group.label]
    return group.label


@defect("R-FORMAT-03")
def variant_symbol(form: Form, rng: random.Random) -> str | None:
    rows = [r for b in form.blocks for g in b.groups for r in g.rows if isinstance(r.annual, str) and "≥" in r.annual]
    row = _mark(_pick(rng, rows), "variant-symbol")
    if row is None:
        return None
    row.annual = row.annual.replace("≥", "≧")
    if isinstance(row.period, str):
        row.period = row.period.replace("≥", "≧")
    return row.name


def inject(form: Form, rng: random.Random, name: str | None = None) -> dict | None:
    """Inject the named defect, or one drawn at random among those that apply to the form."""
    names = [name] if name else sorted(DEFECTS)
    rng.shuffle(names)
    for candidate in names:
        answer = DEFECTS[candidate].apply(form, rng)
        if answer is not None:
            return answer
    return None


# --- the realistic mix ------------------------------------------------------------------------


def _marked(form: Form) -> dict[int, str]:
    """id → mark of every element of the form a defect can mark; a marked one with its content.

    A later defect that rewrites a marked element (a count set again by a unit-cost edit over
    a vague target) changes the content and so counts as a collision.
    """
    items = [*form.budget.values(), *form.goals, *form.tasks]
    for block in form.blocks:
        for group in block.groups:
            items.append(group)
            items.extend(group.rows)
    return {id(item): (f"{item.mark}\n{item!r}" if item.mark else "") for item in items}


STRUCTURAL = ("COMPLETE", "FORMAT")
# Defects that edit the same indicator's existence or value: a form gets one of each group at most.
EXCLUSIVE = (
    {"no-execution-rate", "execution-rate-low", "cost-not-real", "total-cost-over-budget", "empty-category"},
    {"no-satisfaction", "satisfaction-low", "satisfaction-100", "satisfaction-under-quality"},
    {"no-timeliness", "timeliness-without-date", "period-below-annual"},
    {"no-execution-rate", "input-as-output"},  # 专项资金支出率 is an execution rate
)


def inject_mix(form: Form, rng: random.Random, rates: dict[str, float]) -> list[dict]:
    """Inject several defects, about ``rates[family]`` per form of each family, as real forms carry.

    The number of each family is drawn from a Poisson law with that mean (at most every defect of
    the family once). A defect that would edit an element an earlier one marked, or remove one
    (no 满意度 after a low satisfaction target), is undone and another is tried, so every
    answer still points at a place of its own.
    """
    answers = []
    rare = {"missing-department"}  # a real form names its unit: without it, no year pairs with it
    # Families whose defects remove or rename parts of the form (a 二级 label, the 满意度 block) last.
    for family in sorted(rates, key=lambda f: (f in STRUCTURAL, f)):
        names = sorted(n for n, d in DEFECTS.items() if d.rule.split("-")[1] == family and n not in rare)
        rng.shuffle(names)
        wanted = min(len(names), _poisson(rng, rates[family]))
        for name in names:
            if wanted <= 0:
                break
            taken = {a["defect"] for a in answers}
            if any(name in group and group & taken for group in EXCLUSIVE):
                continue
            before = _marked(form)
            saved = copy.deepcopy(form)
            answer = DEFECTS[name].apply(form, rng)
            if answer is None:
                continue
            after = _marked(form)
            lost = any(mark and after.get(key) != mark for key, mark in before.items())
            # a 二级 label renamed or emptied over a marked indicator hides that indicator's defect
            lost |= any(g.mark and not before.get(id(g)) and any(r.mark for r in g.rows) for g in _groups(form))
            if lost:
                _restore(form, saved)
                continue
            answers.append(answer)
            wanted -= 1
    return answers


def _groups(form: Form) -> list[Group]:
    return [g for b in form.blocks for g in b.groups]


def _restore(form: Form, saved: Form) -> None:
    for name in form.__dataclass_fields__:
        setattr(form, name, getattr(saved, name))


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
