"""Every rule of the rulebook: a form that passes it and a form that fails it.

`tests/forms/clean.txt` is a small 整体 form that passes every rule. Each case below edits it
so that one rule must fire. All cases are loaded as one FormSet and audited once, the way the
rulebook runs on an archive: one validation per suite over the stacked forms.
"""

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfaudit as pa
from perfaudit.audit import audit
from perfaudit.rules import read_rules
from tests.conftest import ROOT

CLEAN = (ROOT / "tests" / "forms" / "clean.txt").read_text(encoding="utf-8")
# A small 项目支出绩效目标表 (a pipe table) that passes every rule a project form is judged by.
CLEAN_PROJECT = (ROOT / "tests" / "forms" / "clean-project.txt").read_text(encoding="utf-8")
CLEAN_SELFEVAL = (ROOT / "tests" / "forms" / "clean-selfeval.txt").read_text(encoding="utf-8")


def replace(*pairs):
    """An edit: replace each old text (which must occur) by the new one."""

    def edit(text):
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new)
        return text

    return edit


def remove(*lines):
    return replace(*[(line + "\n", "") for line in lines])


def two_value_columns(period_for=None):
    """Give the indicator block 实施周期 and 年度 columns, equal unless `period_for` says otherwise."""

    def edit(text):
        head, block = text.split("一级指标 二级指标 三级指标 年度指标值\n")
        rows = []
        for line in block.strip().splitlines():
            *words, value = line.split()
            period = (period_for or {}).get(words[-1], value)
            rows.append(" ".join([*words, period, value]))
        return head + "一级指标 二级指标 三级指标 实施周期指标值 年度指标值\n" + "\n".join(rows) + "\n"

    return edit


def cell_per_line(text):
    """The same form as a converter that writes one cell per line renders it."""
    return "\n".join(token for line in text.splitlines() for token in line.split()) + "\n"


def more_indicators(count, level2="数量指标"):
    def edit(text):
        extra = "".join(f"补充产出指标{i}号 ≥{i + 1}个\n" for i in range(count))
        anchor = "培训学员人次 ≥1000人次\n" if level2 == "数量指标" else "效益指标 社会效益指标 学员就业率 ≥60%\n"
        return text.replace(anchor, anchor + extra)

    return edit


def tasks(*rows):
    """Replace the two key tasks by `rows` of (name, content, 万元, outcome)."""

    def edit(text):
        start = text.index("基本支出 保障单位日常运转。")
        end = text.index("其他需完成的任务")
        lines = "".join(f"{n} {c} {m} {o}\n" for n, c, m, o in rows)
        return text[:start] + lines + text[end:]

    return edit


OUTCOME = "学员就业率达到60%以上。"
UNIT_COST_TASKS = tasks(
    ("基本支出", "保障单位日常运转。", "10.00", "保障单位日常运转。"),
    ("职业技能培训一期", "开展不少于10场职业技能培训活动。", "10.00", OUTCOME),
    ("职业技能培训二期", "开展不少于10场职业技能培训活动。", "12.00", OUTCOME),
    ("职业技能培训三期", "开展不少于10场职业技能培训活动。", "11.00", OUTCOME),
    ("职业技能培训专场", "开展不少于1场职业技能培训活动。", "17.00", OUTCOME),
)

# rule key (rule_id/check) -> edit of the clean form that must make it fire
FAILING = [
    pytest.param(
        "R-COMPLETE-01/department", replace(("部门名称 测试市测试镇培训中心", "部门名称 无")), id="no-department"
    ),
    pytest.param("R-COMPLETE-01/year", replace(("2024年", "")), id="no-year"),
    pytest.param(
        "R-COMPLETE-01/budget-total",
        replace(("基本支出 10.00 财政拨款 60.00", "基本支出 0.00 财政拨款 0.00"), ("项目支出 50.00", "项目支出 0.00")),
        id="zero-budget",
    ),
    pytest.param("R-COMPLETE-02/present", remove(CLEAN.splitlines()[12]), id="no-goal"),
    pytest.param("R-COMPLETE-02/length", replace((CLEAN.splitlines()[12], "目标1：开展培训。")), id="goal-too-short"),
    pytest.param(
        "R-COMPLETE-03/output",
        replace(
            (
                "产出指标 数量指标 职业技能培训活动场次 ≥20场\n培训学员人次 ≥1000人次\n质量指标 培训考核合格率 ≥95%\n",
                "",
            ),
            ("时效指标 培训完成时间 12月31日前\n成本指标 人均培训成本 ≤500元\n预算执行率 ≥95%\n", ""),
        ),
        id="no-output-block",
    ),
    pytest.param("R-COMPLETE-03/benefit", remove("效益指标 社会效益指标 学员就业率 ≥60%"), id="no-benefit-block"),
    pytest.param(
        "R-COMPLETE-03/satisfaction", remove("满意度指标 服务对象满意度指标 学员满意度 ≥90%"), id="no-satisfaction"
    ),
    pytest.param(
        "R-COMPLETE-04/quantity",
        replace(
            ("产出指标 数量指标 职业技能培训活动场次 ≥20场\n培训学员人次 ≥1000人次\n质量指标", "产出指标 质量指标")
        ),
        id="no-quantity",
    ),
    pytest.param("R-COMPLETE-04/quality", remove("质量指标 培训考核合格率 ≥95%"), id="no-quality"),
    pytest.param("R-COMPLETE-04/timeliness", remove("时效指标 培训完成时间 12月31日前"), id="no-timeliness"),
    pytest.param(
        "R-COMPLETE-05/count",
        lambda t: (
            t[: t.index("产出指标 数量指标")]
            + "产出指标 数量指标 职业技能培训活动场次 ≥20场\n效益指标 社会效益指标 学员就业率 ≥60%\n"
        ),
        id="two-indicators",
    ),
    pytest.param(
        "R-COMPLETE-05/empty-category",
        replace(("学员就业率 ≥60%\n", "学员就业率 ≥60%\n生态效益指标\n")),
        id="empty-category",
    ),
    pytest.param("R-COMPLETE-06", replace(("培训学员人次 ≥1000人次", "培训学员人次 不涉及")), id="placeholder-value"),
    pytest.param("R-COMPLETE-07/value", replace(("培训学员人次 ≥1000人次", "培训学员人次")), id="no-value"),
    pytest.param("R-COMPLETE-07/unit", replace(("培训学员人次 ≥1000人次", "培训学员规模 ≥1000")), id="no-unit"),
    pytest.param("R-COMPLETE-08/present", tasks(), id="no-tasks"),
    pytest.param(
        "R-COMPLETE-08/fields",
        replace(("职业技能培训 2024年开展不少于20场职业技能培训活动，培训学员1000人次。 50.00", "职业技能培训 50.00")),
        id="task-without-content",
    ),
    pytest.param("R-QUANT-01", replace(("人均培训成本 ≤500元", "人均培训成本 以实际为准")), id="cost-not-a-number"),
    pytest.param(
        "R-QUANT-02/quantity", replace(("培训学员人次 ≥1000人次", "培训学员人次 明显增加")), id="vague-quantity"
    ),
    pytest.param("R-QUANT-02/other", replace(("学员就业率 ≥60%", "学员就业率 有效提升")), id="vague-benefit"),
    pytest.param("R-QUANT-03", replace(("学员就业率 ≥60%", "学员就业率 符合预期")), id="ungraded-text"),
    pytest.param(
        "R-QUANT-04/form",
        replace(
            ("学员就业率 ≥60%", "学员就业率 符合预期"),
            ("12月31日前", "按进度完成"),
            ("预算执行率 ≥95%", "预算执行率 符合要求"),
        ),
        id="too-many-qualitative",
    ),
    pytest.param(
        "R-QUANT-04/output",
        replace(("12月31日前", "按进度完成"), ("预算执行率 ≥95%", "预算执行率 符合要求")),
        id="qualitative-outputs",
    ),
    pytest.param(
        "R-QUANT-05/negative", replace(("人均培训成本 ≤500元", "人均培训成本 ≥500元")), id="cost-with-lower-bound"
    ),
    pytest.param(
        "R-QUANT-05/positive", replace(("学员满意度 ≥90%", "学员满意度 ≤90%")), id="satisfaction-with-upper-bound"
    ),
    pytest.param("R-QUANT-06", replace(("学员就业率 ≥60%", "学员就业率 ≥600人")), id="rate-in-persons"),
    pytest.param("R-QUANT-07/value", replace(("学员就业率 ≥60%", "学员就业率 ≥160%")), id="percent-over-100"),
    pytest.param("R-QUANT-07/upper", replace(("学员就业率 ≥60%", "学员就业率 60%-120%")), id="range-over-100"),
    pytest.param(
        "R-QUANT-08", replace(("培训完成时间 12月31日前", "培训完成时间 按进度完成")), id="timeliness-without-date"
    ),
    pytest.param(
        "R-QUANT-09",
        lambda t: cell_per_line(t).replace("培训学员人次\n≥1000人次\n", "培训学员人次\n88 100\n"),
        id="score-residue",
    ),
    pytest.param("R-QUANT-10", replace(("培训考核合格率 ≥95%", "培训经费到位率 ≥95%")), id="input-as-output"),
    pytest.param("R-ARITH-02", replace(("财政拨款 60.00", "财政拨款 61.00")), id="sources-1-wan-over"),
    pytest.param("R-ARITH-03/over-budget", replace((" 50.00 培训学员", " 55.00 培训学员")), id="tasks-over-budget"),
    pytest.param(
        "R-ARITH-03/covers-budget", replace((" 50.00 培训学员", " 47.00 培训学员")), id="tasks-short-by-3-wan"
    ),
    pytest.param(
        "R-ARITH-05",
        replace(("其他事业发展性支出 0.00", "其他事业发展性支出 300000.00")),
        id="yuan-in-wan-budget-line",
    ),
    pytest.param(
        "R-ARITH-05",
        replace(("基本支出 10.00 财政拨款", "基本支出 100000.00 财政拨款")),
        id="basic-expenditure-typed-in-yuan",
    ),
    pytest.param(
        "R-ARITH-05/tasks",
        tasks(
            ("基本支出", "保障单位日常运转。", "10.00", "保障单位日常运转。"),
            ("职业技能培训", "开展不少于20场职业技能培训活动，培训学员1000人次。", "200000.00", OUTCOME),
            ("培训教材编印", "编印培训教材。", "30.00", "教材满足培训需要。"),
        ),
        id="yuan-in-wan-task",
    ),
    pytest.param(
        "R-ARITH-05/tasks",
        tasks(
            ("基本支出", "保障单位日常运转。", "30.00", "保障单位日常运转。"),
            ("职业技能培训", "开展不少于20场职业技能培训活动，培训学员1000人次。", "300000.00", OUTCOME),
        ),
        id="yuan-in-wan-task-beside-only-the-basic-task",
    ),
    pytest.param(
        "R-ARITH-06/format", replace(("基本支出 10.00 财政拨款", "基本支出 10.00000 财政拨款")), id="five-decimals"
    ),
    pytest.param(
        "R-ARITH-06/converted", replace(("基本支出 10.00 财政拨款", "基本支出 10.0000 财政拨款")), id="four-decimals"
    ),
    pytest.param(
        "R-ARITH-08",
        replace(("学员就业率达到60%以上。\n年度", "学员就业率达到60%以上，安排资金40万元和30万元。\n年度")),
        id="goal-amounts",
    ),
    pytest.param("R-ARITH-10", two_value_columns({"职业技能培训活动场次": "≥10场"}), id="period-below-annual"),
    pytest.param(
        "R-CONSIST-01/missing",
        replace(("培训学员1000人次。 50.00", "培训学员1000人次，发放宣传册500份。 50.00")),
        id="count-without-indicator",
    ),
    pytest.param(
        "R-CONSIST-01/firm",
        replace(("职业技能培训活动场次 ≥20场", "职业技能培训活动场次 ≥10场")),
        id="indicator-below-promise",
    ),
    pytest.param(
        "R-CONSIST-01/approximate",
        replace(
            ("开展不少于20场职业技能培训活动，培训", "开展约20场职业技能培训活动，培训"),
            ("职业技能培训活动场次 ≥20场", "职业技能培训活动场次 ≥15场"),
        ),
        id="indicator-well-below-plan",
    ),
    pytest.param(
        "R-CONSIST-02",
        replace(
            (
                "职业技能培训 2024年开展不少于20场职业技能培训活动，培训学员1000人次。 50.00 培训学员1000人次，学员就业率达到60%以上。",
                "办公设备购置 购置办公电脑和打印机。 50.00 满足日常办公需要。",
            )
        ),
        id="task-without-indicator",
    ),
    pytest.param(
        "R-CONSIST-03",
        replace(("培训完成时间 12月31日前\n", "培训完成时间 12月31日前\n各项工作完成率 ≥95%\n")),
        id="generic-name",
    ),
    pytest.param(
        "R-CONSIST-04/level2",
        replace(("效益指标 社会效益指标 学员就业率", "效益指标 质量指标 学员就业率")),
        id="benefit-under-quality",
    ),
    pytest.param(
        "R-CONSIST-04/keywords",
        replace(("培训考核合格率 ≥95%", "学员对培训满意度 ≥95%")),
        id="satisfaction-under-quality",
    ),
    pytest.param(
        "R-CONSIST-05",
        replace(("学员就业率 ≥60%\n", "学员就业率 ≥60%\n培训学员人次 ≥1000人次\n")),
        id="benefit-restates-output",
    ),
    pytest.param(
        "R-CONSIST-06",
        replace(("社会效益指标 学员就业率 ≥60%", "社会效益指标 学员满意率 ≥90%")),
        id="satisfaction-as-benefit",
    ),
    pytest.param(
        "R-CONSIST-07",
        replace((CLEAN.splitlines()[12], "目标1：加强培训管理，推动就业工作，确保各项工作顺利开展。")),
        id="vague-goal",
    ),
    pytest.param("R-CONSIST-08", two_value_columns(), id="horizons-identical"),
    pytest.param(
        "R-CONSIST-10/same-category",
        replace(("培训学员人次 ≥1000人次\n", "培训学员人次 ≥1000人次\n培训学员人次 ≥1000人次\n")),
        id="duplicate",
    ),
    pytest.param(
        "R-CONSIST-10/two-categories",
        replace(("培训考核合格率 ≥95%\n", "培训考核合格率 ≥95%\n培训学员人次 ≥1000人次\n")),
        id="in-two-categories",
    ),
    pytest.param(
        "R-CONSIST-12",
        replace(("测试镇部门整体", "2024年测试镇部门整体"), ("目标1：2024年开展", "目标1：2023年开展")),
        id="goal-names-other-year",
    ),
    pytest.param(
        "R-CONSIST-13",
        replace((CLEAN.splitlines()[12], "目标1：2024年完成单位年度考核，考核合格率达到95%以上。")),
        id="task-without-goal",
    ),
    pytest.param("R-REASON-01/low", replace(("学员满意度 ≥90%", "学员满意度 ≥70%")), id="satisfaction-70"),
    pytest.param("R-REASON-01/hundred", replace(("学员满意度 ≥90%", "学员满意度 100%")), id="satisfaction-100"),
    pytest.param(
        "R-REASON-01/operator", replace(("学员满意度 ≥90%", "学员满意度 ≤90%")), id="satisfaction-upper-bound"
    ),
    pytest.param("R-REASON-02/missing", remove("预算执行率 ≥95%"), id="no-execution-rate"),
    pytest.param("R-REASON-02/low", replace(("预算执行率 ≥95%", "预算执行率 ≥80%")), id="execution-rate-80"),
    pytest.param(
        "R-REASON-03/form",
        replace(
            ("培训考核合格率 ≥95%", "培训考核合格率 100%"),
            ("预算执行率 ≥95%", "预算执行率 100%"),
            ("学员就业率 ≥60%", "学员就业率 100%"),
            ("学员满意度 ≥90%", "学员满意度 100%"),
        ),
        id="mostly-100-percent",
    ),
    pytest.param("R-REASON-04", replace(("培训学员人次 ≥1000人次", "培训学员人次 0人次")), id="zero-count"),
    pytest.param("R-REASON-05/form", UNIT_COST_TASKS, id="unit-cost-outlier-in-form"),
    pytest.param(
        "R-REASON-05/all-forms",
        tasks(
            ("基本支出", "保障单位日常运转。", "10.00", "保障单位日常运转。"),
            ("职业技能培训", "举办不少于1期职业技能培训班。", "50.00", OUTCOME),
        ),
        id="unit-cost-outlier-across-forms",
    ),
    pytest.param("R-COST-01", replace(("人均培训成本 ≤500元", "培训场地数量 ≥2个")), id="no-monetary-cost"),
    pytest.param(
        "R-COST-03",
        replace(("人均培训成本 ≤500元\n", "人均培训成本 ≤500元\n项目总成本 ≤80万元\n")),
        id="total-cost-over-budget",
    ),
    pytest.param("R-COST-02", replace(("人均培训成本 ≤500元", "人均培训成本 不超预算")), id="cost-not-real"),
    pytest.param(
        "R-FORMAT-01/unknown",
        replace(("学员就业率 ≥60%\n", "学员就业率 ≥60%\n创新指标\n创新项目数 ≥2个\n")),
        id="unknown-label",
    ),
    pytest.param(
        "R-FORMAT-01/variant", replace(("质量指标 培训考核合格率", "产出质量 培训考核合格率")), id="synonym-label"
    ),
    pytest.param("R-FORMAT-02/count", more_indicators(25), id="too-many-indicators"),
    pytest.param("R-FORMAT-02/level2", more_indicators(8), id="crowded-category"),
    pytest.param("R-FORMAT-03", replace(("培训考核合格率 ≥95%", "培训考核合格率 ≧95%")), id="variant-symbol"),
]

# Edits that stay within what a rule allows: they must not make it fire.
PASSING = [
    pytest.param("R-ARITH-02", replace(("财政拨款 60.00", "财政拨款 60.01")), id="sources-within-rounding"),
    pytest.param(
        "R-ARITH-05",
        replace(("基本支出 10.00 财政拨款 60.00", "基本支出 5000.00 财政拨款 5050.00")),
        id="large-but-balanced-line",
    ),
    pytest.param(
        "R-ARITH-05/tasks",
        tasks(
            ("基本支出", "保障单位日常运转。", "20000.00", "保障单位日常运转。"),
            ("职业技能培训", "开展不少于20场职业技能培训活动，培训学员1000人次。", "20.00", OUTCOME),
            ("培训教材编印", "编印培训教材。", "10.00", "教材满足培训需要。"),
        ),
        id="large-basic-task-beside-small-key-tasks",
    ),
    pytest.param(
        "R-QUANT-09",
        replace(("学员满意度 ≥90%", "社会公众满意度 ≥90%")),
        id="label-synonym-as-indicator-name",
    ),
    pytest.param(
        "R-COMPLETE-05/empty-category",
        lambda t: cell_per_line(t.replace("学员满意度 ≥90%", "社会公众满意度 ≥90%")),
        id="label-synonym-as-indicator-name-one-cell-per-line",
    ),
    pytest.param("R-REASON-01/low", replace(("学员满意度 ≥90%", "学员满意度 ≥80%")), id="satisfaction-exactly-80"),
    pytest.param("R-REASON-02/low", replace(("预算执行率 ≥95%", "预算执行率 ≥90%")), id="execution-rate-exactly-90"),
    pytest.param(
        "R-QUANT-08", replace(("培训完成时间 12月31日前", "培训完成时间 ≤30个工作日")), id="duration-is-measurable"
    ),
    pytest.param(
        "R-COMPLETE-07/unit", replace(("培训学员人次 ≥1000人次", "培训学员人数 ≥1000")), id="count-name-needs-no-unit"
    ),
    pytest.param("R-REASON-05/form", replace(("基本支出 保障", "基本支出 保障")), id="no-single-output-tasks"),
    pytest.param(
        "R-CONSIST-01/approximate", replace(("开展不少于20场职业技能", "开展约21场职业技能")), id="about-21-vs-20"
    ),
    pytest.param(
        "R-COST-03",
        replace(("人均培训成本 ≤500元\n", "人均培训成本 ≤500元\n项目总成本 ≤60万元\n")),
        id="total-cost-equals-budget",
    ),
]


# Other forms of the archive whose 期 (training course) costs are the peers of the case above.
PEER_FORMS = [
    tasks(
        ("基本支出", "保障单位日常运转。", "10.00", "保障单位日常运转。"),
        ("职业技能培训", "举办不少于10期职业技能培训班。", amount, OUTCOME),
    )
    for amount in ("10.00", "11.00", "12.00")
]


LONG_TERM_TABLE = (
    "| 满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90% |\n",
    "| 满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90% |\n| 长期绩效指标 | | | |\n"
    "| 一级指标 | 二级指标 | 三级指标 | 指标值 |\n| 产出指标 | 数量指标 | 职业技能培训活动场次 | ≥60场 |\n",
)
LONG_TERM_GOAL = (
    "学员就业率达到60%以上。 | |\n",
    "学员就业率达到60%以上。 | |\n| | 长期目标 | 三年内开展不少于60场职业技能培训活动，带动学员稳定就业。 | |\n",
)
LARGE_BUDGET = (("年度资金总额 | 50.00", "年度资金总额 | 150.00"), ("财政拨款 | 50.00", "财政拨款 | 150.00"))
# Project forms (clean-project.txt edited): rules only project forms are judged by.
PROJECT_FAILING = [
    pytest.param("R-COMPLETE-01/project-name", replace(("| 测试镇职业技能培训项目 |", "| |")), id="no-project-name"),
    pytest.param(
        "R-COMPLETE-01/project-budget",
        replace(
            ("年度资金总额 | 50.00", "年度资金总额 | "),
            ("财政拨款 | 50.00", "财政拨款 | "),
            ("| 培训课时费 | 30.00 |", "| 培训课时费 | |"),
            ("| 教材编印费 | 20.00 |", "| 教材编印费 | |"),
        ),
        id="no-project-budget",
    ),
    pytest.param("R-ARITH-01", replace(("财政拨款 | 50.00", "财政拨款 | 45.00")), id="sources-5-wan-short"),
    pytest.param("R-ARITH-07", replace(("培训课时费 | 30.00", "培训课时费 | 35.00")), id="cost-items-5-wan-over"),
    pytest.param(
        "R-ARITH-10/budget",
        replace(("| | 其他资金 | 0.00 | |", "| | 其他资金 | 0.00 | |\n| | 项目总预算 | 40.00 | |")),
        id="year-above-whole-project",
    ),
    pytest.param("R-COMPLETE-02/period", replace(LONG_TERM_TABLE), id="long-term-targets-without-goal"),
    pytest.param(
        "R-COST-07",
        replace(*LARGE_BUDGET),
        remove(
            "| 项目预算成本构成 | 金额 | 测算依据 | |",
            "| 培训课时费 | 30.00 | 20场×1.5万元 | |",
            "| 教材编印费 | 20.00 | 1000册×200元 | |",
        ),
        id="large-project-without-basis",
    ),
    pytest.param(
        "R-COMPLETE-05/empty-output-category",
        replace(("| 产出指标 | 时效指标 | 培训完成时间 | 12月31日前 |", "| 产出指标 | 时效指标 | | |")),
        id="empty-timeliness-row",
    ),
]
PROJECT_PASSING = [
    pytest.param("R-ARITH-01", replace(("财政拨款 | 50.00", "财政拨款 | 50.01")), id="sources-within-rounding"),
    pytest.param("R-ARITH-07", replace(("教材编印费 | 20.00", "教材编印费 | 20.01")), id="cost-items-within-rounding"),
    pytest.param(
        "R-ARITH-10/budget",
        replace(("| | 其他资金 | 0.00 | |", "| | 其他资金 | 0.00 | |\n| | 项目总预算 | 120.00 | |")),
        id="year-within-whole-project",
    ),
    pytest.param("R-COMPLETE-02/period", replace(LONG_TERM_TABLE, LONG_TERM_GOAL), id="long-term-targets-with-goal"),
    pytest.param(
        "R-COST-07",
        replace(*LARGE_BUDGET, ("培训课时费 | 30.00", "培训课时费 | 130.00")),
        id="large-project-with-breakdown",
    ),
    pytest.param(
        "R-COMPLETE-05/empty-output-category",
        replace(("| 效益指标 | 社会效益指标 |", "| 效益指标 | 经济效益指标 | | |\n| 效益指标 | 社会效益指标 |")),
        id="empty-benefit-row-is-allowed",
    ),
]


def year_pair(prev_edit=None, cur_edit=None):
    """Two forms of one department, 2023 and 2024: (edit of last year's, edit of this year's)."""
    return (prev_edit or (lambda t: t), cur_edit or (lambda t: t))


BUDGET_70 = replace(
    ("项目支出 50.00", "项目支出 60.00"), ("财政拨款 60.00", "财政拨款 70.00"), (" 50.00 培训学员", " 60.00 培训学员")
)
UNIT_COST_YEAR = tasks(
    ("基本支出", "保障单位日常运转。", "10.00", "保障单位日常运转。"),
    ("职业技能培训专场", "开展不少于10场职业技能培训活动。", "50.00", OUTCOME),
)
# rule key -> (edit of the 2023 form, edit of the 2024 form) of one department
YEARLY = [
    pytest.param("R-YOY-01/budget-changed", *year_pair(None, BUDGET_70), id="copied-while-budget-rose"),
    pytest.param("R-YOY-01/budget-same", *year_pair(), id="copied-same-budget"),
    pytest.param(
        "R-YOY-02", *year_pair(None, replace(("培训学员人次 ≥1000人次", "培训学员人次 ≥800人次"))), id="target-lowered"
    ),
    pytest.param(
        "R-YOY-03/apart",
        *year_pair(None, replace(("培训学员人次 ≥1000人次", "培训学员人次 ≥1500人次"))),
        id="quantity-up-50",
    ),
    pytest.param(
        "R-YOY-03/opposite",
        *year_pair(None, lambda t: BUDGET_70(t).replace("培训学员人次 ≥1000人次", "培训学员人次 ≥900人次")),
        id="money-up-quantity-down",
    ),
    pytest.param("R-YOY-05", *year_pair(None, remove("预算执行率 ≥95%")), id="indicator-dropped"),
    pytest.param(
        "R-YOY-06",
        *year_pair(
            UNIT_COST_YEAR,
            lambda t: UNIT_COST_YEAR(t).replace("10场职业技能培训活动。 50.00", "10场职业技能培训活动。 35.00"),
        ),
        id="unit-cost-down-30",
    ),
]
YEARLY_PASSING = [
    pytest.param(
        "R-YOY-02",
        *year_pair(BUDGET_70, replace(("培训学员人次 ≥1000人次", "培训学员人次 ≥900人次"))),
        id="target-lowered-less-than-budget",
    ),
    pytest.param(
        "R-YOY-01/budget-changed",
        *year_pair(None, replace(("学员满意度 ≥90%", "学员满意度 ≥92%"))),
        id="targets-revised",
    ),
    pytest.param(
        "R-YOY-03/apart",
        *year_pair(None, replace(("培训学员人次 ≥1000人次", "培训学员人次 ≥1100人次"))),
        id="quantity-up-10",
    ),
]

# Project forms loaded with the 整体 form of their unit and year (R-ARITH-11): the clean forms are
# one unit's (测试市测试镇培训中心, 2024); its 项目支出 is 50 万元, its key task 职业技能培训.
ELDERLY = replace(("测试镇职业技能培训项目", "测试镇老年大学运行项目"), ("2024-001", "2024-002"))
SMALL_ELDERLY = replace(
    ("测试镇职业技能培训项目", "测试镇老年大学运行项目"),
    ("年度资金总额 | 50.00", "年度资金总额 | 4.00"),
    ("财政拨款 | 50.00", "财政拨款 | 4.00"),
    ("培训课时费 | 30.00", "培训课时费 | 2.00"),
    ("教材编印费 | 20.00", "教材编印费 | 2.00"),
)
CROSS_FAILING = [
    pytest.param("R-ARITH-11/sum", "overall", [ELDERLY], id="projects-above-project-expenditure"),
    pytest.param("R-ARITH-11/task", "p2", [ELDERLY], id="project-without-its-task"),
]
CROSS_PASSING = [
    pytest.param("R-ARITH-11/sum", "overall", [], id="project-within-project-expenditure"),
    pytest.param("R-ARITH-11/task", "p1", [], id="project-with-its-task"),
    pytest.param("R-ARITH-11/task", "p2", [SMALL_ELDERLY], id="project-under-a-tenth-needs-no-task"),
]


# Self-evaluations (R-RESULT): edits of the clean self-evaluation (tests/forms/clean-selfeval.txt:
# 48 of 50 万元 spent, 96.00%, 9.6 of 10 points; six indicators met, 90 points, full scores).
TOTAL_LINE = "| | 年度资金总额 | 50.00 | 50.00 | 48.00 | 10 | 96.00% | 9.6 |"
FISCAL_LINE = "| | 其中:财政拨款 | 50.00 | 50.00 | 48.00 | | | |"
HEADCOUNT = "| 培训学员人次 | ≥1000人次 | 1050人次 | 15 | 15 | |"
SESSIONS = "| 职业技能培训活动场次 | ≥20场 | 22场 | 15 | 15 | |"
SATISFIED = "| 学员满意度 | ≥90% | 92% | 10 | 10 | |"
LAST_ROW = "| 满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90% | 92% | 10 | 10 | |"


def spent(total: str, rate: str, score: str):
    """The year's spending changed on both lines, with the rate and score printed for it."""
    return replace(
        (TOTAL_LINE, f"| | 年度资金总额 | 50.00 | 50.00 | {total} | 10 | {rate} | {score} |"),
        (FISCAL_LINE, f"| | 其中:财政拨款 | 50.00 | 50.00 | {total} | | | |"),
    )


def extra_row(row: str):
    return replace((LAST_ROW, f"{LAST_ROW}\n{row}"))


SELFEVAL_FAILING = [
    pytest.param("R-RESULT-01/rate", replace(("96.00% | 9.6", "100.00% | 9.6")), id="rate-printed-100"),
    pytest.param("R-RESULT-01/score-above", replace(("96.00% | 9.6", "96.00% | 12")), id="score-12-of-10"),
    pytest.param("R-RESULT-01/score", replace(("96.00% | 9.6", "96.00% | 8")), id="score-8-at-96-percent"),
    pytest.param(
        "R-RESULT-01/total",
        replace((FISCAL_LINE, "| | 其中:财政拨款 | 50.00 | 45.00 | 45.00 | | | |")),
        id="sources-5-short",
    ),
    pytest.param(
        "R-RESULT-02/row",
        replace((SESSIONS, "| 职业技能培训活动场次 | ≥20场 | 22场 | 15 | 18 | |")),
        id="score-18-of-15",
    ),
    pytest.param("R-RESULT-02/total", replace(("| 62% | 30 | 30 |", "| 62% | 20 | 20 |")), id="points-90-in-all"),
    pytest.param(
        "R-RESULT-03/missed",
        replace((HEADCOUNT, "| 培训学员人次 | ≥1000人次 | 800人次 | 15 | 15 | |")),
        id="800-of-1000-full",
    ),
    pytest.param(
        "R-RESULT-03/missed-slightly",
        replace(("| ≥95% | 96% | 10 | 10 |", "| ≥95% | 93% | 10 | 10 |")),
        id="93-of-95-full",
    ),
    pytest.param(
        "R-RESULT-04/quantitative",
        replace(("| 62% | 30 | 30 |", "| 达成预期指标 | 30 | 30 |")),
        id="employment-just-achieved",
    ),
    pytest.param(
        "R-RESULT-04/empty",
        extra_row("| 效益指标 | 可持续影响指标 | 培训长效机制 | | | 5 | 5 | |"),
        id="no-target-no-actual-scored",
    ),
    pytest.param(
        "R-RESULT-04/qualitative",
        extra_row("| 效益指标 | 可持续影响指标 | 培训长效机制 | 逐步健全 | 达成预期指标 | 5 | 5 | |"),
        id="qualitative-just-achieved",
    ),
    pytest.param(
        "R-RESULT-04/restated",
        replace((SESSIONS, "| 职业技能培训活动场次 | ≥20场 | ≥20场 | 15 | 15 | |")),
        id="actual-copies-target",
    ),
    pytest.param(
        "R-RESULT-04/unreported", replace(("| ≥95% | 96% | 10 | 10 |", "| ≥95% | | 10 | |")), id="row-not-evaluated"
    ),
    pytest.param(
        "R-RESULT-05",
        replace((HEADCOUNT, "| 培训学员人次 | ≥1000人次 | 800人次 | 15 | 12 | |")),
        id="shortfall-without-reason",
    ),
    pytest.param("R-RESULT-05/execution", spent("40.00", "80.00%", "8"), id="rate-80-without-reason"),
    pytest.param(
        "R-RESULT-05/adjusted",
        replace((TOTAL_LINE, "| | 年度资金总额 | 40.00 | 50.00 | 48.00 | 10 | 96.00% | 9.6 |")),
        id="budget-raised-without-reason",
    ),
    pytest.param("R-RESULT-06", spent("25.00", "50.00%", "5"), id="half-spent-all-outputs-met"),
    pytest.param(
        "R-RESULT-08/far-above",
        replace((SESSIONS, "| 职业技能培训活动场次 | ≥20场 | 30场 | 15 | 15 | |")),
        id="30-sessions-for-20",
    ),
    pytest.param(
        "R-RESULT-08/satisfaction",
        replace((SATISFIED, "| 学员满意度 | ≥90% | 100% | 10 | 10 | |")),
        id="satisfaction-100-for-90",
    ),
    pytest.param(
        "R-RESULT-09",
        replace(
            (TOTAL_LINE, "| | 年度资金总额 | 60.00 | 48.00 | 48.00 | 10 | 100.00% | 10 |"),
            (FISCAL_LINE, "| | 其中:财政拨款 | 60.00 | 48.00 | 48.00 | | | |"),
        ),
        id="budget-cut-to-spending",
    ),
    pytest.param(
        "R-RESULT-10/reached",
        extra_row("| 产出指标 | 质量指标 | 培训教材规范性 | 规范 | 达到 | 5 | 2 | |"),
        id="reached-scored-40-percent",
    ),
    pytest.param(
        "R-RESULT-10/partly",
        extra_row("| 产出指标 | 质量指标 | 培训教材规范性 | 规范 | 基本达到 | 5 | 5 | |"),
        id="partly-scored-in-full",
    ),
    pytest.param(
        "R-RESULT-10/not",
        extra_row("| 产出指标 | 质量指标 | 培训教材规范性 | 规范 | 未达到 | 5 | 5 | |"),
        id="not-reached-scored-in-full",
    ),
    pytest.param(
        "R-RESULT-11",
        replace((HEADCOUNT, "| 培训学员人次 | ≥1000人次 | 1050人 | 15 | 15 | |")),
        id="persons-for-person-times",
    ),
]
SELFEVAL_PASSING = [
    pytest.param("R-RESULT-01/rate", replace(("96.00% | 9.6", "96% | 9.6")), id="rate-printed-rounded"),
    pytest.param("R-RESULT-01/score", replace(("96.00% | 9.6", "96.00% | 9.62")), id="score-within-rounding"),
    pytest.param(
        "R-RESULT-03/missed",
        replace((HEADCOUNT, "| 培训学员人次 | ≥1000人次 | 800人次 | 15 | 12 | 生源不足，已调整招生计划 |")),
        id="shortfall-scored-in-proportion",
    ),
    pytest.param(
        "R-RESULT-05",
        replace((HEADCOUNT, "| 培训学员人次 | ≥1000人次 | 800人次 | 15 | 12 | 生源不足，已调整招生计划 |")),
        id="shortfall-explained",
    ),
    pytest.param("R-RESULT-06", spent("33.00", "66.00%", "6.6"), id="two-thirds-spent"),
    pytest.param(
        "R-RESULT-08/far-above",
        replace((SESSIONS, "| 职业技能培训活动场次 | ≥20场 | 23场 | 15 | 15 | |")),
        id="23-sessions-for-20",
    ),
    pytest.param(
        "R-RESULT-09",
        replace(
            (TOTAL_LINE, "| | 年度资金总额 | 60.00 | 50.00 | 48.00 | 10 | 96.00% | 9.6 |"),
            (FISCAL_LINE, "| | 其中:财政拨款 | 60.00 | 50.00 | 48.00 | | | |"),
        ),
        id="budget-cut-not-to-spending",
    ),
    pytest.param(
        "R-RESULT-10/partly",
        extra_row("| 产出指标 | 质量指标 | 培训教材规范性 | 规范 | 基本达到 | 5 | 3.5 | |"),
        id="partly-scored-70-percent",
    ),
    pytest.param(
        "R-RESULT-11",
        replace((HEADCOUNT, "| 培训学员人次 | ≥1000人次 | 1050 | 15 | 15 | |")),
        id="bare-actual-takes-target-unit",
    ),
]


# A self-evaluation with the approved project form it answers to (R-RESULT-07): the clean
# project form cut to the clean self-evaluation's six indicators, both renamed to a project of
# their own so that they pair only with each other among the cases.
PAIRED_PROJECT = "测试镇社区养老服务项目"
APPROVED = replace(
    ("| 产出指标 | 时效指标 | 培训完成时间 | 12月31日前 |", "| 产出指标 | 时效指标 | 培训按期完成率 | 100% |"),
    ("| 产出指标 | 成本指标 | 人均培训成本 | ≤500元 |\n", ""),
    ("| 产出指标 | 成本指标 | 预算执行率 | ≥95% |\n", ""),
    ("测试镇职业技能培训项目", PAIRED_PROJECT),
)
PAIRED_SELFEVAL = replace(("测试镇职业技能培训项目", PAIRED_PROJECT))
ALL_CHANGED = replace(
    (HEADCOUNT, "| 培训学员人次 | ≥800人次 | 1050人次 | 15 | 15 | |"),
    (SESSIONS, "| 职业技能培训活动场次 | ≥21场 | 22场 | 15 | 15 | |"),
    ("| 学员就业率 | ≥60% | 62% |", "| 学员就业率 | ≥60人 | 62人 |"),
    (LAST_ROW, "| 效益指标 | 可持续影响指标 | 培训长效机制 | 逐步健全 | 逐步健全，已实现 | 10 | 10 | |"),
)
PAIR_FAILING = [
    pytest.param(
        "R-RESULT-07/easier",
        replace((HEADCOUNT, "| 培训学员人次 | ≥800人次 | 1050人次 | 15 | 15 | |")),
        id="target-lowered",
    ),
    pytest.param(
        "R-RESULT-07/harder",
        replace((SESSIONS, "| 职业技能培训活动场次 | ≥21场 | 22场 | 15 | 15 | |")),
        id="target-raised",
    ),
    pytest.param(
        "R-RESULT-07/unit", replace(("| 学员就业率 | ≥60% | 62% |", "| 学员就业率 | ≥60人 | 62人 |")), id="unit-changed"
    ),
    pytest.param("R-RESULT-07/missing", replace((f"\n{LAST_ROW}", "")), id="satisfaction-dropped"),
    pytest.param(
        "R-RESULT-07/added",
        extra_row("| 效益指标 | 可持续影响指标 | 培训长效机制 | 逐步健全 | 逐步健全，已实现 | 0 | 0 | |"),
        id="row-added",
    ),
]


def _pair_folder(folder, edit, prefix=""):
    (folder / f"{prefix}approved.txt").write_text(APPROVED(CLEAN_PROJECT), encoding="utf-8")
    (folder / f"{prefix}selfeval.txt").write_text(edit(PAIRED_SELFEVAL(CLEAN_SELFEVAL)), encoding="utf-8")
    return folder


def _cross_folder(folder, others, prefix="", unit=None):
    """The clean 整体 form, the clean project form and ``others`` (edits of it): one unit's, one year's.

    ``unit`` renames the unit in all of them (so that they pair only with each other among the cases).
    """

    def own(text):
        return text.replace("测试市测试镇培训中心", unit) if unit else text

    (folder / f"{prefix}overall.txt").write_text(own(CLEAN), encoding="utf-8")
    (folder / f"{prefix}p1.txt").write_text(own(CLEAN_PROJECT), encoding="utf-8")
    for number, edit in enumerate(others, start=2):
        (folder / f"{prefix}p{number}.txt").write_text(own(edit(CLEAN_PROJECT)), encoding="utf-8")
    return folder


def _year_form(text: str, case_id: str, year: int) -> str:
    text = text.replace("2024年", "").replace("测试镇部门整体", f"{year}年测试镇部门整体")
    return text.replace("测试市测试镇培训中心", f"测试市{case_id}中心")


def _key(finding) -> str:
    return f"{finding.rule_id}/{finding.check}" if finding.check else finding.rule_id


def write_cases(folder):
    """Write the clean form and every case (failing, passing, peers, year pairs) into ``folder``."""
    (folder / "clean.txt").write_text(CLEAN, encoding="utf-8")
    for group, params in (("fail", FAILING), ("pass", PASSING)):
        for param in params:
            _, edit = param.values
            (folder / f"{group}-{param.id}.txt").write_text(edit(CLEAN), encoding="utf-8")
    (folder / "clean-project.txt").write_text(CLEAN_PROJECT, encoding="utf-8")
    for group, params in (("pfail", PROJECT_FAILING), ("ppass", PROJECT_PASSING)):
        for param in params:
            _, *edits = param.values
            text = CLEAN_PROJECT
            for edit in edits:
                text = edit(text)
            (folder / f"{group}-{param.id}.txt").write_text(text, encoding="utf-8")
    # One unit's 整体 form with two projects that outgrow it (R-ARITH-11), a unit of its own.
    _cross_folder(folder, [ELDERLY], prefix="cross-", unit="测试市勾稽核对中心")
    (folder / "clean-selfeval.txt").write_text(CLEAN_SELFEVAL, encoding="utf-8")
    _pair_folder(folder, ALL_CHANGED, prefix="pair-")  # every R-RESULT-07 check at once
    for group, params in (("sfail", SELFEVAL_FAILING), ("spass", SELFEVAL_PASSING)):
        for param in params:
            _, edit = param.values
            (folder / f"{group}-{param.id}.txt").write_text(edit(CLEAN_SELFEVAL), encoding="utf-8")
    for number, edit in enumerate(PEER_FORMS, start=1):
        (folder / f"peer-{number}.txt").write_text(edit(CLEAN), encoding="utf-8")
    for group, params in (("yoy", YEARLY), ("yoy-pass", YEARLY_PASSING)):
        for param in params:
            _, prev_edit, cur_edit = param.values
            (folder / f"{group}-{param.id}-2023.txt").write_text(
                _year_form(prev_edit(CLEAN), param.id, 2023), encoding="utf-8"
            )
            (folder / f"{group}-{param.id}-2024.txt").write_text(
                _year_form(cur_edit(CLEAN), param.id, 2024), encoding="utf-8"
            )
    return folder


@pytest.fixture(scope="module")
def case_audit(tmp_path_factory):
    return audit(pa.load(write_cases(tmp_path_factory.mktemp("cases"))))


def fired(result, doc_id) -> set[str]:
    found = result.findings[(result.findings["doc_id"] == doc_id) & (result.findings["status"] == "open")]
    return {_key(f) for f in found.itertuples()}


def test_the_clean_form_passes_every_rule(case_audit):
    assert fired(case_audit, "clean") == set()
    assert case_audit.findings[case_audit.findings["doc_id"] == "clean"].empty


@pytest.mark.parametrize(("key", "edit"), FAILING)
def test_rule_fires(case_audit, request, key, edit):
    doc_id = f"fail-{request.node.callspec.id}"
    assert key in fired(case_audit, doc_id), case_audit.findings[case_audit.findings["doc_id"] == doc_id][
        ["rule_id", "check", "message"]
    ]


@pytest.mark.parametrize(("key", "edit"), PASSING)
def test_rule_holds(case_audit, request, key, edit):
    assert key not in fired(case_audit, f"pass-{request.node.callspec.id}")


def test_the_clean_project_form_passes_every_rule(case_audit):
    """Also: no rule of the 整体 form alone (key tasks, 部门预算支出) is run on it, not even as not_evaluated."""
    assert case_audit.findings[case_audit.findings["doc_id"] == "clean-project"].empty


@pytest.mark.parametrize("key", [pytest.param(p.values[0], id=p.id) for p in PROJECT_FAILING])
def test_project_rule_fires(case_audit, request, key):
    doc_id = f"pfail-{request.node.callspec.id}"
    assert key in fired(case_audit, doc_id), case_audit.findings[case_audit.findings["doc_id"] == doc_id][
        ["rule_id", "check", "message"]
    ]


@pytest.mark.parametrize("key", [pytest.param(p.values[0], id=p.id) for p in PROJECT_PASSING])
def test_project_rule_holds(case_audit, request, key):
    assert key not in fired(case_audit, f"ppass-{request.node.callspec.id}")


def test_project_only_rules_are_not_run_on_an_overall_form(case_audit):
    project_only = {p.values[0] for p in PROJECT_FAILING}
    overall = case_audit.findings[~case_audit.findings["doc_id"].str.startswith(("pfail-", "ppass-", "clean-project"))]
    assert not project_only & {_key(f) for f in overall.itertuples()}


@pytest.mark.parametrize(("key", "prev_edit", "cur_edit"), YEARLY)
def test_year_over_year_rule_fires(case_audit, request, key, prev_edit, cur_edit):
    assert key in fired(case_audit, f"yoy-{request.node.callspec.id}-2024")
    assert (
        fired(case_audit, f"yoy-{request.node.callspec.id}-2023") & {key} == set()
    )  # the first year has no predecessor


@pytest.mark.parametrize(("key", "prev_edit", "cur_edit"), YEARLY_PASSING)
def test_year_over_year_rule_holds(case_audit, request, key, prev_edit, cur_edit):
    assert key not in fired(case_audit, f"yoy-pass-{request.node.callspec.id}-2024")


def test_the_clean_self_evaluation_passes_every_rule(case_audit):
    """Also: no rule of the target forms (quantification, completeness …) is run on a self-evaluation."""
    assert case_audit.findings[case_audit.findings["doc_id"] == "clean-selfeval"].empty


@pytest.mark.parametrize(("key", "edit"), SELFEVAL_FAILING)
def test_self_evaluation_rule_fires(case_audit, request, key, edit):
    doc_id = f"sfail-{request.node.callspec.id}"
    assert key in fired(case_audit, doc_id), case_audit.findings[case_audit.findings["doc_id"] == doc_id][
        ["rule_id", "check", "message"]
    ]


@pytest.mark.parametrize(("key", "edit"), SELFEVAL_PASSING)
def test_self_evaluation_rule_holds(case_audit, request, key, edit):
    assert key not in fired(case_audit, f"spass-{request.node.callspec.id}")


@pytest.mark.parametrize(("key", "edit"), PAIR_FAILING)
def test_self_evaluation_against_its_approved_form_fires(tmp_path, key, edit):
    result = audit(pa.load(_pair_folder(tmp_path, edit)))
    assert key in fired(result, "selfeval"), result.findings[["doc_id", "rule_id", "check", "message"]]


def test_a_self_evaluation_that_keeps_its_approved_targets_passes(tmp_path):
    result = audit(pa.load(_pair_folder(tmp_path, lambda text: text)))
    assert {k for k in fired(result, "selfeval") if k.startswith("R-RESULT-07")} == set()
    pairs = result.frames["result_pairs"]
    assert list(pairs["approved_doc_id"].unique()) == ["approved"] and len(pairs) == 6


def test_a_self_evaluation_is_not_paired_with_two_approved_forms_of_one_stage(tmp_path):
    _pair_folder(tmp_path, PAIR_FAILING[0].values[1])
    (tmp_path / "approved-again.txt").write_text(APPROVED(CLEAN_PROJECT), encoding="utf-8")
    assert not {k for k in fired(audit(pa.load(tmp_path)), "selfeval") if k.startswith("R-RESULT-07")}


@pytest.mark.parametrize(("key", "doc_id", "others"), CROSS_FAILING)
def test_cross_form_rule_fires(tmp_path, key, doc_id, others):
    assert key in fired(audit(pa.load(_cross_folder(tmp_path, others))), doc_id)


@pytest.mark.parametrize(("key", "doc_id", "others"), CROSS_PASSING)
def test_cross_form_rule_holds(tmp_path, key, doc_id, others):
    result = audit(pa.load(_cross_folder(tmp_path, others)))
    assert key not in fired(result, doc_id)
    assert result.findings[result.findings["doc_id"] == doc_id].empty or key.endswith("task")


def test_a_project_is_not_paired_when_its_unit_has_two_overall_forms_that_year(tmp_path):
    """A 申报表 and a 批复表 of one unit and year: which one the project belongs to would be a guess."""
    _cross_folder(tmp_path, [ELDERLY])
    (tmp_path / "overall-again.txt").write_text(CLEAN, encoding="utf-8")
    keys = {_key(f) for f in audit(pa.load(tmp_path)).findings.itertuples()}
    assert not {"R-ARITH-11/sum", "R-ARITH-11/task"} & keys


def test_every_rule_has_a_failing_case():
    keys = {rule.key for rules in read_rules().values() for rule in rules}
    tested = {p.values[0] for p in FAILING + YEARLY + PROJECT_FAILING + CROSS_FAILING + SELFEVAL_FAILING + PAIR_FAILING}
    assert keys - tested == set(), "rules without a failing case"
    assert tested - keys == set(), "cases for rules that do not exist"


def test_messages_carry_the_numbers(case_audit):
    found = case_audit.findings.set_index(["doc_id", "rule_id"])
    message = found.loc[("fail-tasks-short-by-3-wan", "R-ARITH-03"), "message"]
    message = message.iloc[0] if isinstance(message, pd.Series) else message
    assert "57.00 万元" in message and "60.00 万元" in message and "少 3.00 万元" in message
    assert re.search(
        r"财政拨款|收入来源合计 61\.00 万元", found.loc[("fail-sources-1-wan-over", "R-ARITH-02"), "message"]
    )


def test_a_length_is_not_a_rate(tmp_path):
    text = CLEAN.replace("培训学员人次 ≥1000人次", "培训学员人次 ≥1000人次\n河道清淤整治长度 ≥5公里")
    (tmp_path / "length.txt").write_text(text, encoding="utf-8")
    assert "R-QUANT-06" not in fired(audit(pa.load(tmp_path)), "length")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.one_of(st.none(), st.integers(-3, 60).map(float))),
        max_size=25,
    )
)
def test_ratio_to_others_is_the_amount_over_the_median_of_the_rest_of_its_form(rows):
    """The vectorised ratio (R-ARITH-05's input) against the definition, taken literally."""
    import numpy as np

    from perfaudit.derive.budget import ratio_to_others

    frame = pd.DataFrame(rows, columns=["doc_id", "amount"], index=[7 + 3 * n for n in range(len(rows))])
    expected = pd.Series(float("nan"), index=frame.index)
    for _, part in frame[frame["amount"] > 0].groupby("doc_id"):
        values = part["amount"].to_numpy()
        if len(values) > 1:
            expected[part.index] = [v / np.median(np.delete(values, i)) for i, v in enumerate(values)]
    pd.testing.assert_series_equal(ratio_to_others(frame, "amount"), expected, rtol=1e-12)


@pytest.mark.parametrize("layout", [lambda t: t, cell_per_line], ids=["rows", "one-cell-per-line"])
def test_a_label_synonym_naming_an_indicator_is_read_as_its_name(tmp_path, layout):
    """社会公众满意度 is a 二级 label in some templates and a 三级 indicator in most forms."""
    clean, edited = tmp_path / "clean.txt", tmp_path / "edited.txt"
    clean.write_text(layout(CLEAN), encoding="utf-8")
    edited.write_text(layout(CLEAN.replace("学员满意度 ≥90%", "社会公众满意度 ≥90%")), encoding="utf-8")
    forms = pa.load(edited)
    row = forms.indicators.iloc[-1]
    assert (row.level2, row.level3, row.annual_value) == ("服务对象满意度指标", "社会公众满意度", "≥90%")
    assert fired_keys(audit(forms)) == fired_keys(audit(pa.load(clean)))


def fired_keys(result) -> set[str]:
    open_ = result.findings[result.findings["status"] == "open"]
    return {f"{r}/{c}" if c else r for r, c in zip(open_["rule_id"], open_["check"], strict=True)}
