"""Self-evaluations (绩效自评表): real public forms read field by field and judged.

Every expected value was read by hand from the form (the workbook's cells, or the transcription
in data/families/ with its reading in data/candidates/*.reading.md); every rate, sum and ratio
was worked out by hand. The expert's judgment of each form stands beside its findings, with the
findings that speak of an excerpt's cut rather than of the form named as such.
"""

from pathlib import Path

import pytest

import perfaudit as pa
from tests.helpers import doc_rows, open_keys

FAMILIES = Path(__file__).resolve().parents[1] / "data" / "families"
YUZHONG = "chongqing-yuzhong-jiuye-2021-ziping"
KEXUECHENG = "chongqing-kexuecheng-rongmeiti-2021-zhengti-ziping"
TIANCHANG = "anhui-tianchang-shuili-shuihan-2022-xiangmu-ziping"
GUICHI = "anhui-guichi-tangxi-weituoyewu-2022-xiangmu-ziping"
XIAOXIAN = "anhui-xiaoxian-zhangzhuangzhai-hexicun-zhongyang-2023-xiangmu-ziping"
QINGSHEN = "sichuan-qingshen-fagai-gongzi-2023-xiangmu-ziping"
ZHONGJIANG = "sichuan-zhongjiang-shuili-shuibiaochi-2022-xiangmu-ziping"
DAYING = "sichuan-daying-sifa-ankeitidai-2023-xiangmu-ziping"
HENGSHAN = "hunan-hengshan-guantang-xiang-2023-zhengti-ziping"
YUANZHOU = "ningxia-yuanzhou-nongji-malingshu-2022-xiangmu-ziping"
WAN = 10_000


@pytest.fixture(scope="module")
def forms():
    return pa.load(sorted(path for path in FAMILIES.iterdir() if "ziping" in path.name))


@pytest.fixture(scope="module")
def findings(forms):
    return pa.audit(forms).findings


def info(forms, doc_id):
    return forms.documents.set_index("doc_id").loc[doc_id]


def execution(forms, doc_id):
    lines = doc_rows(forms, "execution", doc_id).set_index("item")
    columns = ["budget_initial_yuan", "budget_final_yuan", "spent_yuan"]
    return {item: tuple(None if v != v else v / WAN for v in line[columns]) for item, line in lines.iterrows()}


def test_every_self_evaluation_is_read_with_its_family(forms):
    """Ten forms of five provinces (重庆, 安徽, 四川, 湖南, 宁夏), projects and departments."""
    families = dict(zip(forms.documents["doc_id"], forms.documents["form_type"], strict=True))
    assert families == {
        YUZHONG: "project_selfeval",
        KEXUECHENG: "dept_selfeval",
        TIANCHANG: "project_selfeval",
        GUICHI: "project_selfeval",
        XIAOXIAN: "project_selfeval",
        QINGSHEN: "project_selfeval",
        ZHONGJIANG: "project_selfeval",
        DAYING: "project_selfeval",
        HENGSHAN: "dept_selfeval",
        YUANZHOU: "project_selfeval",
    }
    assert set(forms.documents["stage"]) == {"自评"}


# --- 渝中 2021 就业补助资金 (重庆, the original .xlsx) ---------------------------------------------


def test_yuzhong_read(forms):
    doc = info(forms, YUZHONG)
    assert (doc["project_name"], doc["implementing_unit"], doc["competent_dept"], doc["contact"]) == (
        "就业补助资金",
        "渝中区就业和人才中心",
        "渝中区人力资源和社会保障局",
        "向俐",
    )
    assert execution(forms, YUZHONG) == {"年度资金总额": (None, 7574, 6643)}
    goal = doc_rows(forms, "goals", YUZHONG).iloc[0]
    assert goal["text"].startswith("城镇新增就业人数39500人") and goal["achieved"].startswith("城镇新增就业人数49358人")
    indicators = doc_rows(forms, "indicators", YUZHONG).set_index("level3")
    assert len(indicators) == 16 and indicators["points"].sum() == 100
    base = indicators.loc["新增区级创业孵化基地数量"]  # the line break typed in the cell is gone
    assert (base["level1"], base["level2"], base["op"], base["value"], base["actual"], base["actual_unit"]) == (
        "产出指标",
        "数量指标",
        ">=",
        1,
        3,
        "个",
    )
    assert indicators.loc["预算执行率", ["level1", "actual_value", "actual", "actual_unit"]].tolist() == [
        "管理指标",
        "88%",
        88,
        "%",
    ]
    assert indicators.loc["财务监控有效性", ["annual_value", "actual_value"]].tolist() == ["有效", "较有效"]


def test_yuzhong_judged(findings):
    """An expert: 6,643 of 7,574 万元 spent is 87.71% (the 预算执行率 row says 88%), below its own
    target of 90% and the usual line, and the 说明 row still holds the template's prompt — no reason
    given (R-RESULT-05, twice: the indicator and the execution block). 3 incubators for a target of
    1 and 49,358 jobs for 39,500 (1.25×) say the targets were set low (R-RESULT-08). The form has no
    得分 column: no score can be checked."""
    assert open_keys(findings, YUZHONG) == [
        "R-RESULT-05",
        "R-RESULT-05/execution",
        "R-RESULT-08/far-above",
        "R-RESULT-08/far-above",
    ]


# --- 天长 2022 水旱灾害防御经费 (安徽, the 财预〔2020〕10号 layout) ----------------------------------


def test_tianchang_read(forms):
    assert execution(forms, TIANCHANG) == {"年度资金总额": (880, 880, 880), "财政拨款": (880, 880, 880)}
    total = doc_rows(forms, "execution", TIANCHANG).iloc[0]
    assert (total["points"], total["score"]) == (10, 10)
    indicators = doc_rows(forms, "indicators", TIANCHANG)
    # 指标2: and …… rows of the template are blank rows, not indicators; (50分) is the block's points.
    assert len(indicators) == 10 and indicators["points"].sum() == 90
    assert list(indicators["level1"].unique()) == ["产出指标", "效益指标", "满意度指标"]


def test_tianchang_judged(findings):
    """An expert: six rows with neither a target nor an actual are scored 10 of 10 each (60 of
    the 90 indicator points rest on nothing); satisfaction 100% against 90% with full marks is
    listed. Every amount reconciles: 880 = 880 = 880, 100%, 10 points."""
    assert open_keys(findings, TIANCHANG) == ["R-RESULT-04/empty"] * 6 + ["R-RESULT-08/satisfaction"]


# --- 棠溪镇 2022 委托业务 (安徽 池州) ---------------------------------------------------------------


def test_guichi_read(forms):
    doc = info(forms, GUICHI)
    assert (doc["implementing_unit"], doc["dept_code"]) == ("池州市贵池区棠溪镇人民政府", "219001")
    assert (doc["competent_dept"], doc["competent_dept_code"]) == ("池州市贵池区棠溪镇人民政府", "219")
    assert execution(forms, GUICHI) == {"年度资金总额": (0, 0, 0), "财政拨款": (90, 89.974, 89.974)}
    indicators = doc_rows(forms, "indicators", GUICHI).set_index("level3")
    # ≥100百分比 is ≥100%; its actual 100 is in %.
    assert indicators.loc["委托业务报告合格率", ["op", "value", "unit", "actual", "actual_unit"]].tolist() == [
        ">=",
        100,
        "%",
        100,
        "%",
    ]


def test_guichi_judged(findings):
    """An expert: the 年度资金总额 line prints 0 / 0 / 0 (rate 0, score 0) while the 财政拨款 under it
    is 90 → 89.974 → 89.974 — the total does not add up (R-RESULT-01); the 全年预算数 was cut to
    exactly what was spent (R-RESULT-09); its printed rate of 0 belongs to the broken total, not
    to the money (no finding of low execution from it); six worded targets are answered only "达成预期指标" yet
    scored in full (info). R-RESULT-02/total (90 points) speaks of the excerpt: its 满意度 block is
    cut off."""
    assert open_keys(findings, GUICHI) == [
        "R-RESULT-01/total",
        "R-RESULT-02/total",
        *["R-RESULT-04/qualitative"] * 6,
        "R-RESULT-09",
    ]


# --- 张庄寨镇 2023 (安徽 萧县) and 中江 2022 (四川) ----------------------------------------------


def test_xiaoxian_read_and_judged(forms, findings):
    """Every actual equals its target to the decimal (29.5亩, 192只, 90人) — plausible for a subsidy
    paid per declared area, and no rule's business; 12万元 ≥ 11.376万元 is met. The 其中 rows carry
    no points. R-RESULT-02/total (80 + 10) speaks of the excerpt: cut in the 满意度 block."""
    assert execution(forms, XIAOXIAN) == {"年度资金总额": (None, 9.48, 9.48), "财政拨款": (None, 9.48, 9.48)}
    indicators = doc_rows(forms, "indicators", XIAOXIAN).set_index("level3")
    assert indicators.loc["★补助家畜家禽养殖数量", ["value", "unit", "actual", "points"]].tolist() == [
        192,
        "只",
        192,
        10,
    ]
    assert open_keys(findings, XIAOXIAN) == ["R-RESULT-02/total"]


def test_zhongjiang_judged(forms, findings):
    """An expert: every 全年实际值 is the target copied with its sign (≥266米, ≥95%) — six rows say
    nothing of what was done (R-RESULT-04/restated; the two rows without a sign, 100% and 20万元, may
    be real); the indicator blocks carry 100 points and the execution rate 10 more (R-RESULT-02)."""
    rows_ = doc_rows(forms, "indicators", ZHONGJIANG).set_index("level3")
    assert rows_.loc["水标尺宽度", ["value", "unit", "actual_value", "actual_op"]].tolist() == [
        50,
        "厘米",
        "≥50厘米",
        ">=",
    ]
    assert open_keys(findings, ZHONGJIANG) == ["R-RESULT-02/total", *["R-RESULT-04/restated"] * 6]


# --- 青神 2023 and 大英 2023 (四川 部门预算项目支出绩效自评表) ---------------------------------------


def test_qingshen_filed_blank(forms, findings):
    """An expert: the form was filed without its self-evaluation — no 完成值, no 得分, the 完成情况
    cell still holds the template's prompt — and the budget rose from 238.93 to 251.89 万元 with
    only the template's note in the 原因 cell."""
    assert execution(forms, QINGSHEN)["年度资金总额"] == (238.93, 251.89, 251.89)
    goal = doc_rows(forms, "goals", QINGSHEN).iloc[0]
    assert goal["achieved"].startswith("对照年度目标,说明相关任务目标的完成情况")
    assert open_keys(findings, QINGSHEN) == ["R-RESULT-04/unreported"] * 2 + ["R-RESULT-05/adjusted"]


def test_daying_budget_added_in_the_year(forms, findings):
    """年初 0.00, 调整后 3.36, 执行 3.36 万元: a subsidy received in the year (normal), whose reason the
    原因 cell should give (it holds the template's note). The excerpt ends before the indicators."""
    assert execution(forms, DAYING)["年度资金总额"] == (0, 3.36, 3.36)
    assert info(forms, DAYING)["content"] == "2023年购买13台安可电脑,并于12月前完成资金支付。"
    assert open_keys(findings, DAYING) == ["R-RESULT-05/adjusted"]


# --- 科学城融媒体中心 2021 and 贯塘乡 2023: department self-evaluations ------------------------------


def test_kexuecheng_judged(forms, findings):
    """An expert: 政府采购执行率 72.74% against 100% with 得分系数 100% (2 of 2) — a missed target scored
    in full, by 27.3% (R-RESULT-03, and no reason, R-RESULT-05); 76% executed with no reason given;
    2,859 稿件 for a target of 2,200 (1.30×). 财政供养人员控制率 92% and 公用经费控制率 97% against 100%
    are within their limits (lower is better) and must not be called missed. The OCR garbled some
    targets (printed here as ?): they are not judged. R-RESULT-02/total (70 + 10) speaks of the
    excerpt, which holds 19 of the form's rows."""
    indicators = doc_rows(forms, "indicators", KEXUECHENG).set_index("level3")
    assert indicators.loc[
        "政府采购执行率", ["annual_value", "actual", "score_coef", "points", "score", "core_text"]
    ].tolist() == [
        "100%",
        72.74,
        100,
        2,
        2,
        "是",
    ]
    assert info(forms, KEXUECHENG)["total_score"] == 97.6
    assert doc_rows(forms, "goals", KEXUECHENG).iloc[0]["text"] == "无"  # 年初绩效目标: none at the start of the year
    assert open_keys(findings, KEXUECHENG) == [
        "R-RESULT-02/total",
        "R-RESULT-03/missed",
        "R-RESULT-05",
        "R-RESULT-05/execution",
        "R-RESULT-08/far-above",
    ]


def test_hengshan_is_read_with_doubt(forms, findings):
    """The 湖南 部门整体支出绩效自评表 opens with tables perfaudit does not read (财政供养人员情况,
    经费控制情况, 楼堂馆所): more cells left over than read, so nothing is judged — the execution block
    is read (861.10 → 2,030.12 → 2,030.12 万元, 100%, 10 of 10) and every rule is not evaluated."""
    assert execution(forms, HENGSHAN) == {"年度资金总额": (861.1, 2030.12, 2030.12)}
    assert info(forms, HENGSHAN)["department"] == "衡山县贯塘乡人民政府"
    mine = findings[findings["doc_id"] == HENGSHAN]
    assert set(mine["status"]) == {"not_evaluated"} and mine["message"].str.contains("读取把握不足").all()


# --- 原州 2022 马铃薯种薯繁育 (宁夏): OCR text, read without the sums it cannot read -------------------


def test_yuanzhou_read_and_judged(forms, findings):
    """259.45 of 300 万元 spent (the amount printed with its unit): 86.48%, with no reason given for
    the 40.55 万元 left (R-RESULT-05). Three 分值 / 得分 cells the OCR left unreadable (8 ?) are
    named as leftovers, and the points total is not evaluated rather than called 80 of 100. An
    expert would also flag the 时效 target "100% paid by 30 November" scored in full with 86.5%
    spent, and 550万粒 against the goal's 425万粒 — no rule reads those yet."""
    doc = info(forms, YUANZHOU)
    assert (doc["total_score"], doc["superior_dept"], doc["competent_dept"]) == (99, "农业农村厅", "原州区农业农村局")
    assert (doc["period_text"], doc["implementing_unit"]) == ("2022年3月-2022年11月", "原州区农技中心/杨勃兴")
    assert execution(forms, YUANZHOU) == {"年度资金总额": (None, 300, 259.45)}
    unread = doc_rows(forms, "leftovers", YUANZHOU)
    assert (unread["reason"] == "分值 / 得分 not a number").sum() == 3
    assert open_keys(findings, YUANZHOU) == ["R-RESULT-05/execution"]
    total = findings[(findings["doc_id"] == YUANZHOU) & (findings["rule_id"] == "R-RESULT-02")]
    assert list(total["status"]) == ["not_evaluated"]
