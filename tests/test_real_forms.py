"""The three real forms in data/, pinned cell by cell.

Every expected value below was written from reading the source forms (the text lines and the
spreadsheet cells), not copied from the parser's output.
"""

import math

import pytest

import perfaudit as pa
from tests.conftest import DONGKENG, ZHANJIANG_2023, ZHANJIANG_2024

NAN = float("nan")


@pytest.fixture(scope="module")
def dongkeng():
    return pa.load(DONGKENG)


@pytest.fixture(scope="module")
def zj2023():
    return pa.load(ZHANJIANG_2023)


@pytest.fixture(scope="module")
def zj2024():
    return pa.load(ZHANJIANG_2024)


def rows(frame, columns):
    return [tuple(_plain(v) for v in r) for r in frame[columns].itertuples(index=False, name=None)]


def _plain(value):
    if value is None or value is pa.FormSet or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        import pandas as pd

        if value is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    return value


def assert_rows(frame, columns, expected):
    got = rows(frame, columns)
    assert len(got) == len(expected), f"{len(got)} rows, expected {len(expected)}:\n{got}"
    for index, (g, e) in enumerate(zip(got, expected, strict=True)):
        e = tuple(None if (isinstance(v, float) and math.isnan(v)) else v for v in e)
        assert g == e, f"row {index}: got {g}, expected {e}"


# --- 东坑镇妇联 2024 (pdftotext-style text) ----------------------------------------------------


def test_dongkeng_document(dongkeng):
    doc = dongkeng.documents.iloc[0]
    assert doc.doc_id == "dongkeng-fulian-2024"
    assert doc.title == "东坑镇部门整体预算绩效目标批复表"
    assert (doc.form_type, doc.stage) == ("dept_overall", "批复")
    assert doc.approver == "东莞市财政局东坑分局"
    assert doc.department == "东莞市东坑镇妇女联合会"
    assert doc.region == "东莞市东坑镇"
    assert (doc.year, doc.year_source) == (2024, "text")  # only "2024年计划…" in the task texts
    assert (doc.staff_count, doc.subunit_count) == (4, 0)
    assert doc.amount_unit == "万元"
    assert doc.missing_sections == ""
    assert len(doc.source_sha256) == 64


def test_dongkeng_budget(dongkeng):
    assert_rows(
        dongkeng.budget,
        ["section", "item", "amount_yuan", "printed", "printed_unit", "source_ref"],
        [
            ("部门预算支出", "基本支出", 70_200.0, "7.02", "万元", "L14"),
            ("收入来源", "财政拨款", 1_096_400.0, "109.64", "万元", "L14"),
            ("部门预算支出", "项目支出", 1_026_200.0, "102.62", "万元", "L16"),
            ("收入来源", "其他资金", 0.0, "0.00", "万元", "L16"),
            ("事业发展性支出", "财政专项资金", 0.0, "0.00", "万元", "L20"),
            ("按预算级次划分", "市本级使用资金", 0.0, "0.00", "万元", "L20"),
            ("事业发展性支出", "其他事业发展性支出", 30_000.0, "3.00", "万元", "L22"),
            ("按预算级次划分", "拟用于对下转移支付资金", 0.0, "0.00", "万元", "L22"),
        ],
    )


def test_dongkeng_goals(dongkeng):
    assert_rows(
        dongkeng.goals,
        ["goal_no", "text", "source_ref"],
        [
            (1, "保障妇联各项工作正常开展，确保认真履行妇联工作职责，充分发挥妇联职能作用。", "L26"),
            (
                2,
                "按照“抓点带面、突出特色、拓宽领域、注重实效”的工作思路，通过示范点、阵地建设和优秀典型培树，"
                "激励和带动广大妇女和家庭学有榜样、争当先进。",
                "L28-30",
            ),
            (
                3,
                "加强家庭文明建设的探索和实践，通过组织开展各具特色的家庭文明建设活动，引导广大群众建设好家庭、"
                "涵养好家教、弘扬好家风，推动社会主义核心价值观在家庭落地生根，筑牢家庭和睦和社会和谐稳定的根基。",
                "L32-34",
            ),
            (
                4,
                "组织开展好“三八”国际妇女节纪念活动，营造浓厚的节日氛围,通过创新有活力、接地气的各类载体和活动，"
                "引导广大妇女听党话、感党恩、跟党走。",
                "L36-38",
            ),
        ],
    )


DONGKENG_TASKS = [
    (1, "基本支出", "单位日常运作支出。", 70_200.0, "70,200.00", "元", "保障单位日常运作顺畅。", "L44"),
    (
        2,
        "妇联专项",
        "2024年计划开展约50场活动，做好妇女儿童关爱工作、性别平等教育工作、绿色环保宣传工作。",
        150_000.0,
        "150,000.00",
        "元",
        "保障妇联各项工作正常开展，确保认真履行妇联工作职责，充分发挥妇联职能作用。",
        "L46-57",
    ),
    (
        3,
        "示范点、阵地建设工作经费",
        "2024年计划培育示范点不少于2个，按照“抓点带面、突出特色、拓宽领域、注重实效”的工作思路，"
        "通过示范点、阵地建设和优秀典型培树。",
        160_000.0,
        "160,000.00",
        "元",
        "完成各项示范点、阵地创建和优秀典型培树工作，达到“培育一个、带动一批、影响一片”的示范引领作用。",
        "L59-79",
    ),
    (
        4,
        "困境妇女儿童慰问",
        "开展困境妇女儿童慰问、帮扶工作，计划对不少于30人次进行节日慰问、疾病救助、助养助教等，了解、"
        "掌握困境妇女、儿童的生活情况，协助她们解决遇到的问题。",
        40_000.0,
        "40,000.00",
        "元",
        "关爱困境妇女儿童，开展困境妇女儿童慰问、帮扶工作，提升她们积极面对生活的自信心。",
        "L81-96",
    ),
    (
        5,
        "家家幸福安康工程",
        "2024年计划开展约30场具特色的家庭文明建设活动。",
        200_000.0,
        "200,000.00",
        "元",
        "推动社会主义核心价值观在家庭落地生根，筑牢家庭和睦和社会和谐稳定的根基。",
        "L98-106",
    ),
    (
        6,
        "三八节活动费",
        "计划组织开展约3场主题庆祝活动，营造浓厚的节日氛围。",
        50_000.0,
        "50,000.00",
        "元",
        "通过创新有活力、接地气的各类载体和活动，引导广大妇女听党话、感党恩、跟党走。",
        "L108-116",
    ),
    (
        7,
        "省级“舒心驿站”工作经费",
        "以完善、提升“舒心驿站”服务为抓手，为不少于1000人次提供心理咨询、个案服务、团体辅导及心理健康教育"
        "活动等服务，更好地满足群众心理服务需求。",
        80_000.0,
        "80,000.00",
        "元",
        "群众心理服务需求，培育妇女自尊自信、理性平和、积极向上的社会心态，促进婚姻家庭和睦,维护社会和谐稳定。",
        "L118-138",
    ),
    (
        8,
        "儿童友好城市建设项目",
        "计划支付已建成的儿童友好示范基地2个，增加儿童校外活动空间；组织面向儿童的文体活动约20场，"
        "引导儿童积极思考、勇于表达，鼓励儿童参与城市治理。",
        316_200.0,
        "316,200.00",
        "元",
        "推进公共空间适童化改造，丰富儿童文体服务供给，推动儿童友好理念深入人心，为儿童成长发展提供适宜的条件、"
        "环境和服务，让儿童友好成为我镇高质量发展的重要标识。",
        "L140-160",
    ),
]


def test_dongkeng_tasks(dongkeng):
    columns = ["task_no", "name", "content", "planned_yuan", "planned_printed", "planned_unit", "expected_outcome"]
    assert_rows(dongkeng.tasks, [*columns, "source_ref"], DONGKENG_TASKS)
    assert dongkeng.tasks["planned_yuan"].sum() == pytest.approx(1_066_400.0)  # 106.64 万元


def test_dongkeng_task_outputs(dongkeng):
    assert_rows(
        dongkeng.task_outputs,
        ["task_no", "quantity", "unit", "qualifier"],
        [
            (2, 50.0, "场", "约"),
            (3, 2.0, "个", "不少于"),
            (4, 30.0, "人次", "不少于"),
            (5, 30.0, "场", "约"),
            (6, 3.0, "场", "约"),
            (7, 1000.0, "人次", "不少于"),
            (8, 2.0, "个", ""),
            (8, 20.0, "场", "约"),
        ],
    )


# level1, level2, level3, period_value, annual_value, op, value, unit, quantified, source_ref
DONGKENG_INDICATORS = [
    ("产出指标", "数量指标", "开展活动数量", "≥100场", "≥100场", ">=", 100.0, "场", True, "L174"),
    ("产出指标", "数量指标", "服务妇女儿童数量", "≥8000人次", "≥8000人次", ">=", 8000.0, "人次", True, "L176"),
    ("产出指标", "数量指标", "培育示范点数量", "≥2个", "≥2个", ">=", 2.0, "个", True, "L178"),
    ("产出指标", "数量指标", "慰问人数", "≥30人", "≥30人", ">=", 30.0, "人", True, "L180"),
    ("产出指标", "质量指标", "活动参与率", "≥80%", "≥80%", ">=", 80.0, "%", True, "L184"),
    ("产出指标", "质量指标", "服务质量达标率", "100%", "100%", "=", 100.0, "%", True, "L186"),
    ("产出指标", "质量指标", "项目验收合格率", "100%", "100%", "=", 100.0, "%", True, "L188"),
    ("产出指标", "质量指标", "宣传制品质量达标率", "100%", "100%", "=", 100.0, "%", True, "L190"),
    ("产出指标", "质量指标", "慰问金/品发放准确率", "100%", "100%", "=", 100.0, "%", True, "L192"),
    ("产出指标", "质量指标", "资金使用合规率", "100%", "100%", "=", 100.0, "%", True, "L194"),
    ("产出指标", "时效指标", "工作任务进度完成率", "100%", "100%", "=", 100.0, "%", True, "L204"),
    ("产出指标", "时效指标", "慰问走访及时率", "100%", "100%", "=", 100.0, "%", True, "L206"),
    ("产出指标", "时效指标", "宣传制品验收及时率", "100%", "100%", "=", 100.0, "%", True, "L208"),
    ("产出指标", "成本指标", "预算执行率", "≥85%", "≥85%", ">=", 85.0, "%", True, "L212"),
    ("产出指标", "成本指标", "三公经费控制率", "下降", "下降", "qualitative", NAN, "", False, "L214"),
    ("效益指标", "经济效益指标", "", "", "", "", NAN, "", None, "L218"),
    (
        "效益指标",
        "社会效益指标",
        "提升群众对妇联工作认可",
        "有效提升",
        "有效提升",
        "qualitative",
        NAN,
        "",
        False,
        "L222",
    ),
    ("效益指标", "社会效益指标", "减轻困境妇女生活负担", "有效减轻", "有效减轻", "qualitative", NAN, "", False, "L224"),
    (
        "效益指标",
        "社会效益指标",
        "改善儿童友好成长的社会环境",
        "有效改善",
        "有效改善",
        "qualitative",
        NAN,
        "",
        False,
        "L226",
    ),
    (
        "效益指标",
        "社会效益指标",
        "提升关爱女性的社会氛围",
        "有效提升",
        "有效提升",
        "qualitative",
        NAN,
        "",
        False,
        "L228",
    ),
    ("效益指标", "社会效益指标", "发挥示范引领作用", "有利于", "有利于", "qualitative", NAN, "", False, "L230"),
    ("效益指标", "生态效益指标", "", "", "", "", NAN, "", None, "L232"),
    ("效益指标", "可持续影响指标", "持续提升妇女心理健康", "长期性", "长期性", "qualitative", NAN, "", False, "L236"),
    (
        "效益指标",
        "可持续影响指标",
        "促进妇女儿童可持续健康发展",
        "可持续",
        "可持续",
        "qualitative",
        NAN,
        "",
        False,
        "L238",
    ),
    (
        "效益指标",
        "可持续影响指标",
        "提升我镇儿童文体服务供给",
        "长期性",
        "长期性",
        "qualitative",
        NAN,
        "",
        False,
        "L240",
    ),
    ("效益指标", "可持续影响指标", "持续提升妇女幸福感", "可持续", "可持续", "qualitative", NAN, "", False, "L242"),
    ("满意度指标", "服务对象满意度指标", "受益群体满意度", "≥85%", "≥85%", ">=", 85.0, "%", True, "L244"),
]

INDICATOR_COLUMNS = [
    "level1",
    "level2",
    "level3",
    "period_value",
    "annual_value",
    "op",
    "value",
    "unit",
    "quantified",
    "source_ref",
]


def test_dongkeng_indicators(dongkeng):
    assert_rows(dongkeng.indicators, INDICATOR_COLUMNS, DONGKENG_INDICATORS)
    assert list(dongkeng.indicators["row_no"]) == list(range(1, len(DONGKENG_INDICATORS) + 1))
    # The 满意度 block has no printed 一级 label in the text; the 二级 label implies it.
    satisfaction = dongkeng.indicators.iloc[-1]
    assert (satisfaction.level1_raw, satisfaction.level2_raw) == ("", "服务对象满意度指标")


def test_dongkeng_has_no_leftovers(dongkeng):
    assert dongkeng.leftovers.empty, dongkeng.leftovers.to_string()


# --- 湛江市人社局 2023 and 2024 (Excel) --------------------------------------------------------


def test_zhanjiang_documents(zj2023, zj2024):
    for forms, year, staff in ((zj2023, 2023, 750), (zj2024, 2024, 737)):
        doc = forms.documents.iloc[0]
        assert doc.title == f"{year}年市级部门整体预算绩效目标表"
        assert (doc.form_type, doc.stage) == ("dept_overall", "目标")
        assert doc.department == "湛江市人力资源和社会保障局"
        assert doc.region == "湛江市"
        assert (doc.year, doc.year_source) == (year, "title")
        assert (doc.staff_count, doc.subunit_count) == (staff, 10)
        assert doc.amount_unit == "万元"
        assert doc.approver == ""
        assert doc.source_sheet == "Sheet1"


def test_zhanjiang_2023_budget(zj2023):
    assert_rows(
        zj2023.budget,
        ["section", "item", "amount_yuan", "printed", "source_ref"],
        [
            ("部门预算支出", "基本支出", 105_963_500.0, "10596.35", "Sheet1!C5"),
            # =SUM(C5:C6), cached by the saving program
            ("收入来源", "财政拨款", 828_009_200.0, "82800.92", "Sheet1!E5"),
            ("部门预算支出", "项目支出", 722_045_700.0, "72204.57", "Sheet1!C6"),
            ("收入来源", "其他资金", 0.0, "0", "Sheet1!E6"),
            ("事业发展性支出", "财政专项资金", NAN, "", "Sheet1!B8"),
            ("按预算级次划分", "市本级使用资金", NAN, "", "Sheet1!D8"),
            ("事业发展性支出", "其他事业发展性支出", NAN, "", "Sheet1!B9"),
            ("按预算级次划分", "拟用于对下转移支付资金", NAN, "", "Sheet1!D9"),
        ],
    )


def test_zhanjiang_2024_budget_keeps_full_precision_and_printed_text(zj2024):
    assert_rows(
        zj2024.budget.head(4),
        ["item", "amount_yuan", "printed", "source_ref"],
        [
            ("基本支出", 108_916_156.75, "10,891.62", "Sheet1!C5"),  # #,##0.00 shows 10,891.62
            ("财政拨款", 728_073_849.75, "72807.38", "Sheet1!E5"),  # =C5+C6 in a 0.00_ cell
            ("项目支出", 619_157_693.0, "61915.77", "Sheet1!C6"),
            ("其他资金", 0.0, "0", "Sheet1!E6"),
        ],
    )


def test_zhanjiang_goals(zj2023, zj2024):
    for forms, year in ((zj2023, 2023), (zj2024, 2024)):
        goals = forms.goals
        assert list(goals["goal_no"]) == [1, 2, 3, 4, 5, 6]
        assert set(goals["source_ref"]) == {"Sheet1!B10"}
        assert (
            goals["text"].iloc[0]
            == "城乡居民基本养老保险参保人数达到计划指标，城乡居民养老金应发尽发，缴费补贴应补尽补。"
        )
        assert goals["text"].iloc[1] == f"完成{year}年度市政府工作报告下达就业目标任务，保持我市就业形势总体稳定。"
        assert goals["text"].iloc[5] == "劳动人事争议案件仲裁结案率95%，劳动人事争议案件调解率75%。"
    assert zj2023.goals["text"].iloc[3].startswith("持续推进“智慧人社”建设，一是将分散的业务信息系统数据互通")
    assert zj2023.goals["text"].iloc[3].endswith("四是强化社保卡“一卡通”应用。")


def test_zhanjiang_tasks(zj2023, zj2024):
    assert_rows(
        zj2023.tasks,
        ["task_no", "name", "planned_yuan", "planned_printed", "planned_unit", "source_ref"],
        [
            (1, "城乡居民养老保险政府补贴资金", 201_400_000.0, "20140", "万元", "Sheet1!B12:E12"),
            (2, "创业担保贷款贴息资金", 7_900_000.0, "790", "万元", "Sheet1!B13:E13"),
            (3, "促进就业专项资金", 5_000_000.0, "500", "万元", "Sheet1!B14:E14"),
        ],
    )
    assert zj2023.tasks["content"].iloc[2] == "完成每年度市政府工作报告下达就业目标任务，保持我市就业形势总体稳定。"
    assert zj2023.tasks["expected_outcome"].iloc[1] == (
        "有效落实创业担保贷款政策，完场当年度新增创业担保贷款发放任务，按规定支付贷款贴息资金，促进创业带动就业。"
    )
    assert_rows(
        zj2024.tasks,
        ["task_no", "name", "planned_yuan", "planned_printed"],
        [
            (1, "城乡居民养老保险政府补贴资金", 188_620_000.0, "18862"),
            (2, "“三支一扶”高校毕业生社会保险缺口资金及生活补贴", 5_878_100.0, "587.81"),
            (3, "促进就业专项资金（含创业担保贷款贴息资金）", 11_400_000.0, "1140"),
        ],
    )
    assert zj2024.tasks["content"].iloc[1] == (
        "市级财政在省专项生活补贴基础上，按照每人每月750元标准统筹发放生活补贴；市级财政支付社保费单位部分缺口，"
        "保障“三支一扶”人员补贴发放和社保缴纳。"
    )
    assert zj2024.tasks["expected_outcome"].iloc[2].startswith("一、完成2024年度市政府工作报告下达就业目标任务")
    # Money in these texts (每人每月750元, 360元) and ratios (1:1:1) are not planned outputs.
    assert zj2023.task_outputs.empty and zj2024.task_outputs.empty


ZJ2023_INDICATORS = [
    (
        "产出指标",
        "数量指标",
        "城乡居民基础养老金标准",
        "",
        "≥200元每人每月",
        ">=",
        200.0,
        "元每人每月",
        True,
        "Sheet1!D18:E18",
    ),
    ("产出指标", "数量指标", "发放创业担保贷款金额", "", "5000万元", "=", 5000.0, "万元", True, "Sheet1!D19:E19"),
    (
        "产出指标",
        "数量指标",
        "城镇新增就业人数（万人）",
        "",
        "根据下达任务目标要求确定",
        "qualitative",
        NAN,
        "",
        False,
        "Sheet1!D20:E20",
    ),
    (
        "产出指标",
        "数量指标",
        "促进创业人数（人）",
        "",
        "根据下达任务目标要求确定",
        "qualitative",
        NAN,
        "",
        False,
        "Sheet1!D21:E21",
    ),
    ("产出指标", "质量指标", "创业担保贷款还款率", "", "≧90%", ">=", 90.0, "%", True, "Sheet1!D22:E22"),
    ("产出指标", "质量指标", "补贴发放准确率", "", "≧98%", ">=", 98.0, "%", True, "Sheet1!D23:E23"),
    ("产出指标", "时效指标", "资金在规定时间内下达率", "", "100%", "=", 100.0, "%", True, "Sheet1!D24:E24"),
    ("产出指标", "时效指标", "资金支付规范性", "", "合规", "qualitative", NAN, "", False, "Sheet1!D25:E25"),
    ("产出指标", "时效指标", "实际资金支出率", "", "≧95%", ">=", 95.0, "%", True, "Sheet1!D26:E26"),
    ("产出指标", "成本指标", "", "", "", "", NAN, "", None, "Sheet1!C27"),
    (
        "效益指标",
        "经济效益指标",
        "就业困难人员就业人数",
        "",
        "根据下达任务目标要求确定",
        "qualitative",
        NAN,
        "",
        False,
        "Sheet1!D29:E29",
    ),
    (
        "效益指标",
        "经济效益指标",
        "失业人员再就业人数",
        "",
        "根据下达任务目标要求确定",
        "qualitative",
        NAN,
        "",
        False,
        "Sheet1!D30:E30",
    ),
    (
        "效益指标",
        "社会效益指标",
        "全市城乡居民养老保险覆盖面",
        "",
        "不低于上年度水平",
        ">=",
        NAN,
        "",
        False,
        "Sheet1!D31:E31",
    ),
    ("效益指标", "社会效益指标", "扶持创业企业（项目）数", "", "650", "=", 650.0, "", True, "Sheet1!D32:E32"),
    ("效益指标", "生态效益指标", "", "", "", "", NAN, "", None, "Sheet1!C33"),
    ("效益指标", "可持续影响指标", "", "", "", "", NAN, "", None, "Sheet1!C35"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "", "≥75%", ">=", 75.0, "%", True, "Sheet1!D37:E37"),
    (
        "满意度指标",
        "服务对象满意度指标",
        "享受创业担保贷款对象满意度",
        "",
        "≧95%",
        ">=",
        95.0,
        "%",
        True,
        "Sheet1!D38:E38",
    ),
    ("满意度指标", "服务对象满意度指标", "公共服务满意度", "", "≧95%", ">=", 95.0, "%", True, "Sheet1!D39:E39"),
]

ZJ2024_INDICATORS = [
    (
        "产出指标",
        "数量指标",
        "城乡居民基础养老金标准",
        "",
        "≥190元每人每月",
        ">=",
        190.0,
        "元每人每月",
        True,
        "Sheet1!D17:E17",
    ),
    ("产出指标", "数量指标", "城镇新增就业人数（人）", "", "50000", "=", 50000.0, "人", True, "Sheet1!D18:E18"),
    ("产出指标", "数量指标", "促进创业人数（人）", "", "3000", "=", 3000.0, "人", True, "Sheet1!D19:E19"),
    ("产出指标", "数量指标", "支教人员每人每年完成课时", "", "≥200课时", ">=", 200.0, "课时", True, "Sheet1!D20:E20"),
    (
        "产出指标",
        "质量指标",
        "“三支一扶”人员服务期满考核合格率（%）",
        "",
        "≥90%",
        ">=",
        90.0,
        "%",
        True,
        "Sheet1!D21:E21",
    ),
    ("产出指标", "质量指标", "补贴发放准确率", "", "100%", "=", 100.0, "%", True, "Sheet1!D22:E22"),
    ("产出指标", "时效指标", "“三支一扶”人员到岗及时率", "", "≥90%", ">=", 90.0, "%", True, "Sheet1!D23:E23"),
    ("产出指标", "时效指标", "资金在规定时间内下达率", "", "≧95%", ">=", 95.0, "%", True, "Sheet1!D24:E24"),
    ("产出指标", "成本指标", "", "", "", "", NAN, "", None, "Sheet1!C25"),
    (
        "效益指标",
        "经济效益指标",
        "解决就业困难人员就业人数（人）",
        "",
        "1500",
        "=",
        1500.0,
        "人",
        True,
        "Sheet1!D26:E26",
    ),
    ("效益指标", "经济效益指标", "失业人员再就业人数（人）", "", "27000", "=", 27000.0, "人", True, "Sheet1!D27:E27"),
    # filed under 质量指标 in the 效益 block, as printed
    (
        "效益指标",
        "质量指标",
        "全市城乡居民养老保险覆盖面",
        "",
        "不低于上年度水平",
        ">=",
        NAN,
        "",
        False,
        "Sheet1!D28:E28",
    ),
    ("效益指标", "质量指标", "扶持创业企业（项目）个数", "", "350", "=", 350.0, "", True, "Sheet1!D29:E29"),
    ("效益指标", "质量指标", "服务期满继续在基层就业人数比例", "", "≧35%", ">=", 35.0, "%", True, "Sheet1!D30:E30"),
    ("效益指标", "质量指标", "基层服务覆盖范围", "", "湛江市基层", "qualitative", NAN, "", False, "Sheet1!D31:E31"),
    ("效益指标", "生态效益指标", "", "", "", "", NAN, "", None, "Sheet1!C32"),
    (
        "效益指标",
        "可持续影响指标",
        "对保持就业局势总体稳定发挥的影响",
        "",
        "保持稳定",
        "qualitative",
        NAN,
        "",
        False,
        "Sheet1!D33:E33",
    ),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "", "≥75%", ">=", 75.0, "%", True, "Sheet1!D34:E34"),
    ("满意度指标", "服务对象满意度指标", "就业服务满意度", "", "≧90%", ">=", 90.0, "%", True, "Sheet1!D35:E35"),
    (
        "满意度指标",
        "服务对象满意度指标",
        "享受创业担保贷款对象满意度",
        "",
        "≧95%",
        ">=",
        95.0,
        "%",
        True,
        "Sheet1!D36:E36",
    ),
    (
        "满意度指标",
        "服务对象满意度指标",
        "服务单位对“三支一扶”人员满意度",
        "",
        "≥90%",
        ">=",
        90.0,
        "%",
        True,
        "Sheet1!D37:E37",
    ),
]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param("zj2023", ZJ2023_INDICATORS, id="zhanjiang-2023"),
        pytest.param("zj2024", ZJ2024_INDICATORS, id="zhanjiang-2024"),
    ],
)
def test_zhanjiang_indicators(request, fixture, expected):
    forms = request.getfixturevalue(fixture)
    assert_rows(forms.indicators, INDICATOR_COLUMNS, expected)


def test_zhanjiang_raw_labels_are_kept(zj2024):
    raw = zj2024.indicators[["level2", "level2_raw"]].drop_duplicates()
    assert ("服务对象满意度指标", "服务对象") in list(raw.itertuples(index=False, name=None))


@pytest.mark.parametrize("fixture", ["zj2023", "zj2024"])
def test_zhanjiang_has_no_leftovers(request, fixture):
    forms = request.getfixturevalue(fixture)
    assert forms.leftovers.empty, forms.leftovers.to_string()


def test_folder_load_stacks_all_three(bundled):
    assert sorted(bundled.documents["doc_id"]) == [
        "dongkeng-fulian-2024",
        "zhanjiang-renshe-2023",
        "zhanjiang-renshe-2024",
    ]
    assert bundled.indicators.groupby("doc_id").size().to_dict() == {
        "dongkeng-fulian-2024": len(DONGKENG_INDICATORS),
        "zhanjiang-renshe-2023": len(ZJ2023_INDICATORS),
        "zhanjiang-renshe-2024": len(ZJ2024_INDICATORS),
    }
