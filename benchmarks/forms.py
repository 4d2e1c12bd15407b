"""Synthetic 整体 forms as data: a department's programmes, money and indicators, year by year.

A city's archive holds each department once a year. So a form is built in two steps: the
department (its programmes, staff, money and indicator set, drawn once from ``seed`` and the
department number) and the year (budget growth applied year after year, each year drawn from
its own random stream). Any form can therefore be built on its own, in any process, and
always comes out the same. Clean forms are meant to pass every rule of the rulebook, the
year-over-year rules included: quantities move with the money, unit costs drift by a few
per cent, indicators are kept from year to year.

The vocabularies are CSV files in ``benchmarks/vocab/`` (each says where it comes from).
"""

from __future__ import annotations

import csv
import functools
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

VOCAB = Path(__file__).resolve().parent / "vocab"
FIRST_YEAR = 2021
FIRM_QUALIFIERS = ("不少于", "不少于", "")
APPROX_QUALIFIERS = ("约",)


@functools.cache
def read_vocab(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``benchmarks/vocab/<name>.csv`` (lines starting with ``#`` are comments)."""
    lines = [line for line in (VOCAB / f"{name}.csv").read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return tuple({k: (v or "").strip() for k, v in row.items()} for row in rows)


# --- the form as data -------------------------------------------------------------------------


@dataclass
class Row:
    """One 三级 indicator: its name and values (text, or a number for a typed spreadsheet cell)."""

    name: str
    annual: object
    period: object = None
    number_format: str = ""
    mark: str = ""  # set by a defect: the answer key points at this row
    programme: str = ""  # for a quantity row: the programme whose count it measures
    unit: str = ""
    template: str = ""  # for a quantity row printed as text: "≥{q}{u}" and the like


@dataclass
class Group:
    """A 二级 category and its rows (an empty one is a defect)."""

    label: str
    rows: list[Row]
    mark: str = ""


@dataclass
class Block:
    """A 一级 category."""

    label: str
    groups: list[Group]
    print_label: bool = True


@dataclass
class Task:
    name: str
    content: str
    planned_yuan: float
    outcome: str
    printed: str = ""  # overrides the printed amount (a defect typing 元 under a 万元 header)
    mark: str = ""
    programme: str = ""
    template: str = ""
    fields: dict = field(default_factory=dict)
    quantities: list[int] = field(default_factory=list)


@dataclass
class BudgetLine:
    label: str
    yuan: float
    printed: str = ""
    mark: str = ""


@dataclass
class Goal:
    text: str
    mark: str = ""


@dataclass
class Form:
    """Everything a renderer needs to print one form, and the answer key of its defects."""

    doc_id: str
    layout: str  # "txt" or "xlsx"
    year: int
    title: str
    approver: str
    department: str
    staff: int
    subunits: int
    budget: dict[str, BudgetLine]
    goals: list[Goal]
    tasks: list[Task]
    task_unit: str  # 元 or 万元
    blocks: list[Block]
    two_columns: bool
    style: dict = field(default_factory=dict)
    answers: list[dict] = field(default_factory=list)
    answers_says: str = ""  # text the finding's message must hold (the budget line a gap equals)

    def groups(self, label: str) -> list[Group]:
        return [g for b in self.blocks for g in b.groups if g.label == label]

    def rows(self, label: str) -> list[Row]:
        return [r for g in self.groups(label) for r in g.rows]

    def block(self, label: str) -> Block | None:
        return next((b for b in self.blocks if b.label == label), None)

    @property
    def expend_yuan(self) -> float:
        return self.budget["basic"].yuan + self.budget["project"].yuan


BUDGET_LABELS = {
    "basic": "基本支出",
    "project": "项目支出",
    "fiscal": "财政拨款",
    "other": "其他资金",
    "special": "财政专项资金",
    "city": "市本级使用资金",
    "otherdev": "其他事业发展性支出",
    "transfer": "拟用于对下转移支付资金",
}


# --- departments ------------------------------------------------------------------------------


@dataclass
class Programme:
    """A task the department runs every year, with the counts its text promises."""

    row: dict
    name: str
    qualifier: str
    quantities: list[int]
    unit_cost: float  # yuan per unit of the first count

    @property
    def units(self) -> list[str]:
        return [u for u in (self.row["unit"], self.row["unit2"]) if u]

    @property
    def indicators(self) -> list[str]:
        return [self.row["indicator"], self.row["indicator2"]][: len(self.units)]

    @property
    def planned_yuan(self) -> float:
        return max(100.0, round(self.quantities[0] * self.unit_cost, -2))


@dataclass
class Department:
    number: int
    name: str
    kind: str
    city: str
    region: str
    staff: int
    programmes: list[Programme]
    covers_basic: bool
    basic_yuan: float
    extra_yuan: float  # project money outside the key tasks (forms that list only key tasks)
    shares: dict[str, float]
    indicators: dict[str, list[dict]]  # role -> chosen vocab rows with their base values
    task_unit: str
    title_style: int


def department_names() -> list[tuple[str, str, str, str]]:
    """Every (name, kind, city, region) a generated archive can use, in a fixed order."""
    out = []
    for region in read_vocab("regions"):
        place = region["city"] + region["county"]
        for kind in read_vocab("departments"):
            if region["level"] == "town" and kind["town"] != "yes":
                continue
            out.append((place + kind["name"], kind["kind"], region["city"], place))
    return out


def make_department(seed: int, number: int) -> Department:
    """Department ``number`` of the archive drawn from ``seed``."""
    rng = random.Random(f"perfaudit-bench/{seed}/dept/{number}")
    names = department_names()
    order = list(range(len(names)))
    random.Random(f"perfaudit-bench/{seed}/names").shuffle(order)
    units = read_vocab("units")
    unit, base = divmod(number, len(names))
    if unit > len(units):
        raise ValueError(f"the vocabulary names {len(names) * (len(units) + 1)} units; number {number} does not exist")
    name, kind, city, region = names[order[base]]
    if unit:  # past the departments, their subordinate units (a 局's 综合服务中心 …)
        name += units[unit - 1]["suffix"]
    kind_row = next(k for k in read_vocab("departments") if k["kind"] == kind)
    staff = int(math.exp(rng.uniform(math.log(int(kind_row["staff_min"])), math.log(int(kind_row["staff_max"])))))
    programmes = _pick_programmes(rng, kind)
    basic = round(staff * rng.uniform(15, 25) * 10_000, -2)
    # A large department runs its programmes on a larger scale: key tasks worth at least a
    # twentieth of the basic expenditure (the 湛江 人社 tasks are a third of its budget).
    scale = basic / (20 * sum(p.planned_yuan for p in programmes))
    if scale > 1:
        for p in programmes:
            p.quantities = [max(1, round(q * scale)) for q in p.quantities]
    covers = rng.random() < 0.5
    project = sum(p.planned_yuan for p in programmes)
    extra = 0.0 if covers else round(project * rng.uniform(0.1, 2.0), -2)
    shares = {
        "other": 0.0 if rng.random() < 0.7 else rng.uniform(0.01, 0.15),
        "special": 0.0 if rng.random() < 0.5 else rng.uniform(0.1, 0.6),
        "otherdev": 0.0 if rng.random() < 0.6 else rng.uniform(0.02, 0.2),
        "transfer": 0.0 if rng.random() < 0.7 else rng.uniform(0.1, 0.5),
    }
    return Department(
        number=number,
        name=name,
        kind=kind,
        city=city,
        region=region,
        staff=staff,
        programmes=programmes,
        covers_basic=covers,
        basic_yuan=basic,
        extra_yuan=extra,
        shares=shares,
        indicators=_pick_indicators(rng, programmes),
        task_unit=rng.choice(["元", "万元"]),
        title_style=rng.randrange(4),
    )


def _pick_programmes(rng: random.Random, kind: str) -> list[Programme]:
    """One to seven programmes, the department's own first, no two counting in the same unit.

    Distinct units keep a form's unit costs apart (R-REASON-05 compares tasks counting in the
    same unit) and give every promised count exactly one candidate indicator.
    """
    rows = read_vocab("programmes")
    own = [r for r in rows if kind in r["kinds"].split("|")]
    general = [r for r in rows if r["kinds"] == "*"]
    rng.shuffle(own)
    rng.shuffle(general)
    wanted = rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 7])
    chosen, units = [], set()
    for row in own + general:
        row_units = {row["unit"], row["unit2"]} - {""}
        if units & row_units or len(chosen) >= wanted:
            continue
        chosen.append(row)
        units |= row_units
    costs = {r["unit"]: (float(r["cost_min"]), float(r["cost_max"])) for r in read_vocab("unit_costs")}
    out = []
    for row in chosen:
        low, high = costs[row["unit"]]
        quantities = [rng.randint(int(row["q_min"]), int(row["q_max"]))]
        if row["unit2"]:
            quantities.append(rng.randint(int(row["q2_min"]), int(row["q2_max"])))
        out.append(
            Programme(
                row=row,
                name=rng.choice(row["names"].split("|")),
                qualifier=rng.choice(FIRM_QUALIFIERS + APPROX_QUALIFIERS),
                quantities=quantities,
                unit_cost=math.exp(rng.uniform(math.log(low), math.log(high))),
            )
        )
    return out


def _pick_indicators(rng: random.Random, programmes: list[Programme]) -> dict[str, list[dict]]:
    """The department's indicator set (kept from year to year), with base values."""
    rows = read_vocab("indicators")

    def pick(role: str, k: int) -> list[dict]:
        found = [r for r in rows if r["role"] == role]
        chosen = rng.sample(found, min(k, len(found)))
        return [{**r, "pct": _draw_pct(rng, r), "n": _draw_n(rng, r)} for r in chosen]

    picked = {
        "quality": pick("quality", rng.randint(1, 3)),
        "timeliness": pick("timeliness", rng.randint(1, 2)),
        "execution": pick("execution", 1),
        "cost": pick("cost", 1),
        "social": pick("social", rng.randint(1, 2)),
        "economic": pick("economic", int(rng.random() < 0.4)),
        "satisfaction": pick("satisfaction", rng.randint(1, 2)),
    }
    # At most one qualitative row (R-QUANT-04 keeps them under a third of the form).
    sustainable = [r for r in rows if r["role"] == "sustainable"]
    if rng.random() < 0.5:
        r = rng.choice(sustainable)
        picked["sustainable"] = [{**r, "pct": _draw_pct(rng, r), "n": 0}]
    else:
        picked["sustainable"] = []
    picked["date"] = rng.choice(["12月31日前", "11月30日前", "{year}年12月底前", "12月底前"])
    return picked


def _draw_pct(rng: random.Random, row: dict) -> int:
    return rng.randint(int(row["pct_min"]), int(row["pct_max"])) if row["pct_min"] else 0


def _draw_n(rng: random.Random, row: dict) -> int:
    return rng.randint(int(row["n_min"]), int(row["n_max"])) if row["n_min"] else 0


# --- years ------------------------------------------------------------------------------------


def evolve(dept: Department, seed: int, years: int) -> tuple[Department, list[float]]:
    """The department after ``years`` budget rounds; returns it and the growth of each round.

    Every round draws a growth g (2–15 % up or 2–8 % down). A rise raises counts by g, unit
    costs by up to half of g and percentages by a point; a cut lowers unit costs by g and
    keeps the targets. So a clean archive stays clean under the year-over-year rules (no
    target falls, no count moves against the money, unit costs drift by less than 20 %).
    """
    growth = []
    for step in range(1, years + 1):
        rng = random.Random(f"perfaudit-bench/{seed}/dept/{dept.number}/year/{step}")
        g = rng.uniform(0.02, 0.15) if rng.random() < 0.7 else -rng.uniform(0.02, 0.08)
        growth.append(g)
        dept.basic_yuan = round(dept.basic_yuan * (1 + g), -2)
        dept.extra_yuan = round(dept.extra_yuan * (1 + g), -2)
        for p in dept.programmes:
            if g > 0:
                p.quantities = [round(q * (1 + g)) for q in p.quantities]
                p.unit_cost *= 1 + g * rng.uniform(0, 0.5)
            else:
                # A cut costs money per unit, not promised outputs: a count falling faster
                # than the whole budget is what R-YOY-02 reports.
                p.unit_cost *= 1 + g
        rates = []
        for role in ("quality", "timeliness", "social", "economic", "sustainable", "execution", "satisfaction"):
            for row in dept.indicators[role]:
                if row["pct"] and row["pct"] < int(row["pct_max"]):
                    rates.append(row)
                if row["n"] and g > 0:
                    row["n"] = round(row["n"] * (1 + g))
        # One rate at least is raised a point, so no year repeats the last one's targets (R-YOY-01).
        for row in rng.sample(rates, k=min(len(rates), 1 + (g > 0) * rng.randint(0, 2))):
            row["pct"] += 1
    return dept, growth


# --- a form -----------------------------------------------------------------------------------


def build_form(seed: int, index: int, years_per_department: int = 5, xlsx_share: float = 0.5) -> Form:
    """Form ``index`` of the archive: department ``index // years``, year ``index % years``."""
    number, step = divmod(index, years_per_department)
    dept, _ = evolve(make_department(seed, number), seed, step)
    year = FIRST_YEAR + step
    rng = random.Random(f"perfaudit-bench/{seed}/form/{index}")
    layout = "xlsx" if rng.random() < xlsx_share else "txt"
    tasks = _tasks(dept, year)
    budget = _budget(dept)
    form = Form(
        doc_id=f"f{index:05d}",
        layout=layout,
        year=year,
        title=_title(dept, year, rng),
        approver=f"{dept.city}财政局" if rng.random() < 0.7 else "",
        department=dept.name,
        staff=dept.staff,
        subunits=rng.choice([0, 0, 0, 1, 2, 3, 5, 10]) if dept.staff > 30 else 0,
        budget=budget,
        goals=_goals(dept, tasks, year, rng),
        tasks=tasks,
        task_unit=dept.task_unit if layout == "txt" else "万元",
        blocks=_blocks(dept, year, rng, layout),
        two_columns=rng.random() < 0.5,
        style={
            "spaced": rng.random() < 0.5,
            "inline_labels": rng.random() < 0.5,
            "page_break": rng.random() < 0.5,
            "merged_task_line": rng.random() < 0.5,
            "formula": rng.choice(["=C5+C6", "=SUM(C5:C6)"]),
            "cached": rng.random() < 0.5,
            "typed_numbers": rng.random() < 0.5,
        },
    )
    if form.two_columns:
        _add_period_values(form, rng)
    return form


def _title(dept: Department, year: int, rng: random.Random) -> str:
    place = dept.region
    return [
        f"{year}年{place}部门整体预算绩效目标批复表",
        f"{year}年市级部门整体预算绩效目标表",
        f"{year}年{dept.name}部门整体支出绩效目标申报表",
        f"{place}部门整体预算绩效目标批复表",  # the year only in the text (东坑镇 2024)
    ][dept.title_style]


def _tasks(dept: Department, year: int) -> list[Task]:
    tasks = []
    if dept.covers_basic:
        tasks.append(
            Task("基本支出", "保障单位日常运转。", dept.basic_yuan, "保障单位日常运转顺畅。", programme="basic")
        )
    for p in dept.programmes:
        fields = {"year": year, "qual": p.qualifier, "q": p.quantities[0], "q2": p.quantities[-1]}
        tasks.append(
            Task(
                p.name,
                p.row["content"].format(**fields),
                p.planned_yuan,
                p.row["outcome"],
                programme=p.row["key"],
                template=p.row["content"],
                fields=fields,
                quantities=list(p.quantities),
            )
        )
    return tasks


def _budget(dept: Department) -> dict[str, BudgetLine]:
    project = sum(p.planned_yuan for p in dept.programmes) + dept.extra_yuan
    expend = dept.basic_yuan + project
    other = round(expend * dept.shares["other"], -2)
    special = round(project * dept.shares["special"], -2)
    otherdev = round(project * dept.shares["otherdev"], -2)
    transfer = round((special + otherdev) * dept.shares["transfer"], -2)
    amounts = {
        "basic": dept.basic_yuan,
        "project": project,
        "fiscal": expend - other,
        "other": other,
        "special": special,
        "city": special + otherdev - transfer,
        "otherdev": otherdev,
        "transfer": transfer,
    }
    return {key: BudgetLine(BUDGET_LABELS[key], amount) for key, amount in amounts.items()}


def _goals(dept: Department, tasks: list[Task], year: int, rng: random.Random) -> list[Goal]:
    """Goals restate the tasks' expected outcomes (so every task has a goal, R-CONSIST-13).

    Every goal names the year, so no goal is a run of vague words without a number (R-CONSIST-07).
    """
    outcomes = [t.outcome.rstrip("。") for t in tasks if t.programme != "basic"]
    goals = []
    if dept.covers_basic or rng.random() < 0.3:
        goals.append(f"{year}年保障单位各项工作正常开展，认真履行部门职责。")
    i = 0
    while i < len(outcomes):
        take = 2 if rng.random() < 0.3 and i + 1 < len(outcomes) else 1
        goals.append(f"{year}年" + "，".join(outcomes[i : i + take]) + "。")
        i += take
    return [Goal(f"目标{n}：{text}") for n, text in enumerate(goals, start=1)]


def _pct(row: dict) -> str:
    return row["value"].format(pct=row["pct"], n=row["n"], money=row["n"])


def _blocks(dept: Department, year: int, rng: random.Random, layout: str) -> list[Block]:
    typed = layout == "xlsx" and rng.random() < 0.5
    picked = dept.indicators
    quantity = []
    for p in dept.programmes:
        for name, unit, q in zip(p.indicators, p.units, p.quantities, strict=True):
            key = p.row["key"]
            if typed and rng.random() < 0.5:
                # 湛江 style: a bare number, the unit in brackets after the name.
                quantity.append(Row(f"{name}（{unit}）", q, programme=key, unit=unit))
                continue
            template = rng.choice(["≥{q}{u}", "不少于{q}{u}", "{q}{u}以上", "{q}{u}", "≥{q}{u}"])
            quantity.append(Row(name, template.format(q=q, u=unit), programme=key, unit=unit, template=template))

    def rows(role: str) -> list[Row]:
        out = []
        for r in picked[role]:
            value = _pct(r) if r["value"] != "{date}" else picked["date"].format(year=year)
            if typed and r["value"] == "{pct}%" and rng.random() < 0.7:
                out.append(Row(r["name"], r["pct"] / 100, number_format="0%"))
            else:
                out.append(Row(r["name"], value))
        return out

    output = [
        Group("数量指标", quantity),
        Group("质量指标", rows("quality")),
        Group("时效指标", rows("timeliness")),
        Group("成本指标", rows("execution") + rows("cost")),
    ]
    benefit = [Group("社会效益指标", rows("social"))]
    if picked["economic"]:
        benefit.insert(0, Group("经济效益指标", rows("economic")))
    if picked["sustainable"]:
        benefit.append(Group("可持续影响指标", rows("sustainable")))
    return [
        Block("产出指标", output),
        Block("效益指标", benefit),
        Block("满意度指标", [Group("服务对象满意度指标", rows("satisfaction"))], print_label=rng.random() < 0.8),
    ]


def _add_period_values(form: Form, rng: random.Random) -> None:
    """实施周期 values: the same as the year's, except counts planned over several years.

    At least one differs, or every row would repeat the annual target (R-CONSIST-08).
    """
    quantity = form.rows("数量指标")
    longer = set(rng.sample(range(len(quantity)), k=max(1, len(quantity) // 2)))
    for block in form.blocks:
        for group in block.groups:
            for row in group.rows:
                row.period = row.annual
    for i, row in enumerate(quantity):
        if i in longer:
            factor = rng.choice([2, 3])
            if isinstance(row.annual, int | float):
                row.period = row.annual * factor
            else:
                row.period = _scale_count(row.annual, factor)


def _scale_count(text: str, factor: int) -> str:
    digits = "".join(ch for ch in text if ch.isdigit())
    return text.replace(digits, str(int(digits) * factor), 1)


def count_of(value: object) -> int | None:
    """The count a quantity value states (``≥20场`` → 20; a typed number as it is)."""
    if isinstance(value, int | float):
        return int(value)
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return int(digits) if digits else None


def set_count(row: Row, q: int, period_q: int | None = None) -> None:
    """Give a quantity row a new annual count (and 实施周期 count, when the form prints one)."""
    if period_q is None and row.period is not None:
        annual, period = count_of(row.annual), count_of(row.period)
        period_q = q * (period // annual) if annual and period else q
    if isinstance(row.annual, int | float):
        row.annual = q
        if row.period is not None:
            row.period = period_q
        return
    template = row.template or "≥{q}{u}"
    row.annual = template.format(q=q, u=row.unit)
    if row.period is not None:
        row.period = template.format(q=period_q, u=row.unit)
