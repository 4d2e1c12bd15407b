"""Charts: every chart draws the data it should, renders every glyph, and keeps its labels apart.

Checks read the figures' artists (bar widths, point positions, cell texts), not pixels.
"""

import io
import logging
import subprocess
import sys
import warnings

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

import perfaudit as pa
from perfaudit import charts, fields
from perfaudit.audit import Audit
from perfaudit.charts import fonts
from perfaudit.charts.style import NOTE_GID, POINT_GID, VALUE_GID
from perfaudit.derive import unit_costs
from perfaudit.formset import FormSet
from tests.conftest import ROOT

ZHANJIANG = "湛江市人力资源和社会保障局"
DONGKENG = "东莞市东坑镇妇女联合会"
BUNDLED_CHARTS = {
    "budget",
    "task_money",
    "unit_costs",
    "money_vs_output",
    "indicator_framework",
    f"year_over_year-{ZHANJIANG}",
}


def variant(forms, doc_id, new_id, department=None, year=None, money=1.0):
    """A copy of one form under another id, department or year, with its money scaled."""
    tables = {name: frame.assign(doc_id=new_id) for name, frame in forms.select(doc_id).tables.items()}
    if department:
        tables["documents"]["department"] = department
    if year:
        tables["documents"]["year"] = year
    tables["budget"]["amount_yuan"] = (tables["budget"]["amount_yuan"] * money).round(2)
    tables["tasks"]["planned_yuan"] = (tables["tasks"]["planned_yuan"] * money).round(2)
    return FormSet.from_tables(tables)


@pytest.fixture(scope="module")
def multi(bundled):
    """Six forms: the three real ones, the clean test form, 东坑 a year earlier and a second town."""
    return FormSet.concat(
        [
            bundled,
            pa.load(ROOT / "tests" / "forms" / "clean.txt"),
            variant(bundled, "dongkeng-fulian-2024", "dongkeng-fulian-2023", year=2023, money=0.8),
            variant(bundled, "dongkeng-fulian-2024", "other-town-2024", department="东莞市某某镇妇女联合会", money=2.5),
        ]
    )


@pytest.fixture(scope="module")
def drawn(bundled, multi):
    return {"bundled": charts.all_charts(bundled), "multi": charts.all_charts(multi)}


def render(fig: Figure) -> list[str]:
    """Draw to PNG the way a notebook shows a returned figure (outside the chart style); return glyph warnings.

    ``write_charts`` draws inside the style; there pytest's warnings-as-errors catches a missing glyph.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def bars(ax) -> list[float]:
    return [round(p.get_width(), 6) for container in ax.containers for p in container]


def labels(ax, gid=VALUE_GID) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


# --- every chart, every glyph ------------------------------------------------------------


@pytest.mark.parametrize("which", ["bundled", "multi"])
def test_every_chart_renders_every_glyph(drawn, which, caplog):
    expected = BUNDLED_CHARTS | ({f"year_over_year-{DONGKENG}"} if which == "multi" else set())
    assert set(drawn[which]) == expected
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        for name, fig in drawn[which].items():
            assert render(fig) == [], name
    assert [r.getMessage() for r in caplog.records if "findfont" in r.getMessage()] == []


def test_the_glyph_check_would_catch_a_font_without_chinese():
    fig = Figure()
    fig.text(0.1, 0.5, "东坑镇妇联 预算 万元", family="DejaVu Sans")
    assert render(fig), "a missing glyph must be reported"


def test_bundled_font_renders_chinese_on_a_machine_without_one(bundled, monkeypatch):
    monkeypatch.setattr(fonts, "CANDIDATES", ())
    fonts.cjk_family.cache_clear()
    fonts.bold_weight.cache_clear()
    try:
        assert fonts.cjk_family() == "Noto Sans SC"
        assert fonts.covers(fonts.bundled_font_path(), "东坑镇妇联 预算 万元 湛江市人力资源和社会保障局 ≥ ≧ − ％")
        found = matplotlib.font_manager.findfont(matplotlib.font_manager.FontProperties(family=fonts.font_families()))
        assert found == str(fonts.bundled_font_path())
        for fn in (charts.plot_budget, charts.plot_year_over_year):
            assert render(fn(bundled)) == []
    finally:
        fonts.cjk_family.cache_clear()
        fonts.bold_weight.cache_clear()


def test_the_first_installed_cjk_candidate_wins():
    matplotlib.font_manager.fontManager.addfont(str(fonts.bundled_font_path()))
    assert fonts.pick_installed(("No Such Font", "Noto Sans SC", "DejaVu Sans")) == "Noto Sans SC"
    assert fonts.pick_installed(("DejaVu Sans",)) is None, "a font without Chinese glyphs is no candidate"


def test_importing_and_drawing_leave_matplotlib_settings_alone(bundled):
    code = (
        "import matplotlib, sys; before = matplotlib.rcParams.copy(); import perfaudit.charts; "
        "assert matplotlib.rcParams.copy() == before; assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    before = matplotlib.rcParams.copy()  # copy(): reading "backend" through [] would import pyplot
    charts.plot_budget(bundled)
    assert matplotlib.rcParams.copy() == before


# --- the data on the charts --------------------------------------------------------------


def test_budget_bars_are_the_budget_lines_in_wan(drawn, bundled):
    fig = drawn["bundled"]["budget"]
    expected = {
        "zhanjiang-renshe-2023": [10596.35, 72204.57, 82800.92, 0.0],
        "zhanjiang-renshe-2024": [10891.62, 61915.77, 72807.38, 0.0],  # 事业发展性支出 left blank: not shown
        "dongkeng-fulian-2024": [7.02, 102.62, 109.64, 0.0, 0.0, 3.0],  # 按预算级次 all zero: not shown
    }
    for ax, doc in zip(fig.axes, expected, strict=True):
        assert bars(ax) == pytest.approx(expected[doc], abs=0.005)
    assert "7.02（6.4%）" in labels(fig.axes[2])
    assert fig.axes[0].get_xlabel() == "金额(万元)"


@pytest.mark.parametrize("which", ["bundled", "multi"])
def test_task_bars_are_the_planned_money_in_wan(drawn, bundled, multi, which):
    forms = {"bundled": bundled, "multi": multi}[which]
    fig = drawn[which]["task_money"]
    docs = charts._inputs.ordered_docs(forms)
    assert len(fig.axes) == len(docs)
    for ax, doc in zip(fig.axes, docs, strict=True):
        tasks = forms.tasks[forms.tasks["doc_id"] == doc]
        assert bars(ax) == pytest.approx(list(tasks["planned_yuan"] / 1e4))
        assert len(ax.get_yticklabels()) == len(tasks)
    assert fig.axes[0].get_xlabel() == "拟投入资金(万元)"


def test_dongkeng_task_labels_carry_amount_and_share(drawn):
    ax = drawn["bundled"]["task_money"].axes[2]
    assert labels(ax)[7] == "31.62（28.8%）"
    assert "任务合计 106.64 万元" in ax.get_title(loc="left") and "109.64 万元" in ax.get_title(loc="left")


@pytest.mark.parametrize(
    ("unit", "costs", "median", "axis"),
    [
        pytest.param("场", [1.67, 0.67, 0.30], 0.67, "单位成本(万元/场)", id="per-event-in-wan"),
        pytest.param("人次", [1333.33, 80.0], 326.60, "单位成本(元/人次)", id="per-person-time-in-yuan"),
        pytest.param("个", [8.0], None, "单位成本(万元/个)", id="single-task-no-median"),
    ],
)
def test_unit_cost_bars_per_unit_with_the_peer_median(drawn, unit, costs, median, axis):
    fig = drawn["bundled"]["unit_costs"]
    ax = next(a for a in fig.axes if a.get_xlabel() == axis)
    assert bars(ax) == pytest.approx(costs, abs=0.01)
    lines = [line.get_xdata()[0] for line in ax.get_lines()]
    assert lines == ([pytest.approx(median, abs=0.01)] if median else [])


def test_unit_costs_across_forms_compare_like_with_like(drawn, multi):
    fig = drawn["multi"]["unit_costs"]
    costs = unit_costs(multi)
    per_unit = {ax.get_xlabel().split("/")[-1].rstrip(")"): len(bars(ax)) for ax in fig.axes}
    assert per_unit == costs.groupby("unit").size().to_dict()
    note = next(t for t in fig.texts if t.get_gid() == NOTE_GID).get_text()
    assert "湛江市人力资源和社会保障局 2023年" in note and "未列入" in note


@pytest.mark.parametrize("which", ["bundled", "multi"])
def test_scatter_has_one_point_per_costed_task(drawn, bundled, multi, which):
    forms = {"bundled": bundled, "multi": multi}[which]
    ax = drawn[which]["money_vs_output"].axes[0]
    points = pd.DataFrame(
        [xy for coll in ax.collections for xy in coll.get_offsets()], columns=["quantity", "wan"]
    ).sort_values(["quantity", "wan"], ignore_index=True)
    costs = unit_costs(forms)
    expected = pd.DataFrame({"quantity": costs["quantity"], "wan": costs["planned_yuan"] / 1e4})
    pd.testing.assert_frame_equal(points, expected.sort_values(["quantity", "wan"], ignore_index=True))
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert len(labels(ax, POINT_GID)) == len(costs)


@pytest.mark.parametrize(
    ("doc", "level1", "level2", "text"),
    [
        pytest.param("zhanjiang-renshe-2023", "产出指标", "成本指标", "空", id="empty-cost-category"),
        pytest.param("dongkeng-fulian-2024", "效益指标", "社会效益指标", "5（均定性）", id="qualitative-only"),
        pytest.param("zhanjiang-renshe-2023", "产出指标", "数量指标", "4（定性 2）", id="mixed"),
        pytest.param("dongkeng-fulian-2024", "产出指标", "质量指标", "6", id="all-quantified"),
        pytest.param("dongkeng-fulian-2024", "效益指标", "质量指标", "—", id="not-printed-by-this-form"),
        pytest.param("zhanjiang-renshe-2024", "效益指标", "质量指标", "4（定性 2）", id="misfiled-category-shown"),
        pytest.param("dongkeng-fulian-2024", "产出指标", "", "15", id="level1-total"),
    ],
)
def test_indicator_framework_cells(drawn, doc, level1, level2, text):
    fig = drawn["bundled"]["indicator_framework"]
    cells = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("cell|")}
    assert cells[f"cell|{doc}|{level1}|{level2}"] == text
    assert len(cells) == 3 * 13  # three forms × (3 一级 rows + 10 二级 rows)


def test_indicator_framework_counts_match_the_indicator_table(bundled):
    frame = charts.indicator_framework(bundled)
    named = bundled.indicators[bundled.indicators["level3"] != ""]
    assert frame["indicators"].sum() == len(named)
    assert set(frame["status"]) == {"ok", "empty", "qualitative_only"}


def test_year_over_year_pairs_budget_tasks_and_targets(drawn, bundled):
    fig = drawn["bundled"][f"year_over_year-{ZHANJIANG}"]
    budget_ax, tasks_ax, targets_ax = fig.axes
    assert [round(p.get_width(), 2) for p in budget_ax.containers[0]] == [10596.35, 72204.57, 82800.92, 0.0]
    assert [round(p.get_width(), 2) for p in budget_ax.containers[1]] == [10891.62, 61915.77, 72807.38, 0.0]
    tasks = charts.year_over_year(bundled, ZHANJIANG)["tasks"]
    assert tasks.loc["创业担保贷款贴息资金"].tolist()[0] == 790.0 and pd.isna(tasks.loc["创业担保贷款贴息资金", 2024])
    assert tasks.loc["城乡居民养老保险政府补贴资金"].tolist() == [20140.0, 18862.0]
    targets = charts.year_over_year(bundled, ZHANJIANG)["targets"].set_index("indicator")
    assert targets.loc["城乡居民基础养老金标准", "change_pct"] == -5.0
    assert targets.loc["扶持创业企业（项目）个数", "before"] == "650"  # paired with 扶持创业企业（项目）数
    assert bars(targets_ax) == pytest.approx(list(targets["change_pct"]))
    assert "≥200元每人每月 → ≥190元每人每月" in labels(targets_ax)


def test_year_over_year_colours_mean_one_thing_each(drawn):
    """The years' colours (budget and task bars) never mean 要求提高/要求降低 in the targets panel."""
    from matplotlib.colors import to_hex

    budget_ax, _, targets_ax = drawn["bundled"][f"year_over_year-{ZHANJIANG}"].axes
    year_colours = {to_hex(bar.get_facecolor()) for bars in budget_ax.containers for bar in bars}
    target_colours = {to_hex(bar.get_facecolor()) for bar in targets_ax.containers[0]}
    assert len(year_colours) == 2 and target_colours and not year_colours & target_colours


def test_charts_without_data_are_skipped_not_drawn_empty(bundled):
    dongkeng_only = bundled.select("dongkeng-fulian-2024")
    assert set(charts.all_charts(dongkeng_only)) == BUNDLED_CHARTS - {f"year_over_year-{ZHANJIANG}"}
    with pytest.raises(charts.NothingToPlot):
        charts.plot_year_over_year(dongkeng_only)
    zhanjiang = bundled.select(["zhanjiang-renshe-2023", "zhanjiang-renshe-2024"])
    for fn in (charts.plot_unit_costs, charts.plot_money_vs_output):
        with pytest.raises(charts.NothingToPlot):
            fn(zhanjiang)  # no task of theirs promises a count
    assert charts.all_charts(bundled.select([])) == {}


# --- labels that read ----------------------------------------------------------------------


def _overlaps(boxes):
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1 :] if ba.overlaps(bb)]


@pytest.mark.parametrize("which", ["bundled", "multi"])
def test_labels_stay_inside_and_apart(drawn, which):
    for name, fig in drawn[which].items():
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        page = fig.bbox
        for ax in fig.axes:
            box = ax.get_window_extent(renderer)
            texts = [t for t in ax.texts if t.get_gid() in (VALUE_GID, POINT_GID)]
            extents = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
            for text, extent in extents:
                assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, (name, text)
                assert box.y0 - 1 <= extent.y0 and extent.y1 <= box.y1 + 1, (name, text)
            assert _overlaps(extents) == [], name
            ticks = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.get_yticklabels() if t.get_text()]
            assert _overlaps(ticks) == [], name
            for text in (ax.title, ax._left_title, ax.xaxis.label):
                if text.get_text():
                    extent = text.get_window_extent(renderer)
                    assert page.x0 <= extent.x0 and extent.x1 <= page.x1, (name, text.get_text())


def test_a_chart_shows_itself_once_in_a_notebook(drawn):
    formatters = pytest.importorskip("IPython.core.formatters")
    data, metadata = formatters.DisplayFormatter().format(drawn["bundled"]["budget"])
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert metadata["image/png"]["width"] == 804


def test_figures_are_working_paper_width(drawn):
    for fig in drawn["bundled"].values():
        assert fig.get_figwidth() == pytest.approx(6.7)


# --- files, tables, audits --------------------------------------------------------------------


def test_write_charts_writes_a_png_per_chart_under_a_stable_name(bundled, tmp_path):
    from PIL import Image

    written = charts.write_charts(bundled, tmp_path / "charts")
    assert sorted(p.name for p in written) == sorted(f"{name}.png" for name in BUNDLED_CHARTS)
    assert sorted((tmp_path / "charts").iterdir()) == sorted(written), "no temp files left behind"
    for path in written:
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size[0] == 1340  # 6.7 in at 200 dpi: A4 text width


def test_write_charts_removes_its_own_stale_charts_only(bundled, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "CHARTS", {"budget": charts.plot_budget})  # the other charts change nothing here
    zhanjiang = bundled.select(["zhanjiang-renshe-2023", "zhanjiang-renshe-2024"])
    first = charts.write_charts(zhanjiang, tmp_path)
    assert [p.name for p in first] == ["budget.png", f"year_over_year-{ZHANJIANG}.png"]
    (tmp_path / "notes.png").write_bytes(b"not ours")
    second = charts.write_charts(zhanjiang.select("zhanjiang-renshe-2024"), tmp_path)
    assert [p.name for p in second] == ["budget.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.png", "notes.png"]


def test_unit_cost_table_for_notebooks_and_exports(bundled):
    table = charts.unit_cost_table(bundled)
    raw = charts.unit_cost_table(bundled, lang=None)
    assert list(table.columns) == [fields.heading("unit_costs", column) for column in raw.columns]
    assert list(table.columns[:5]) == ["文档编号", "部门", "年度", "任务序号", "任务名称"]
    assert "单位成本（元）" in table.columns and "全部同类中位数（元）" in table.columns
    assert len(raw) == len(unit_costs(bundled)) == 6
    assert raw["unit"].tolist() == ["场", "场", "场", "人次", "人次", "个"]  # most compared unit first
    first = raw.iloc[0]
    assert (first["task_name"], first["unit_cost_yuan"], first["ratio_to_median"]) == ("三八节活动费", 16666.67, 2.5)
    assert raw["is_flagged"].isna().all(), "a FormSet is not audited"
    assert list(charts.unit_cost_table(bundled, lang="en").columns)[-1] == "source reference"


def test_an_audit_is_accepted_and_its_outliers_are_red(bundled):
    costs = unit_costs(bundled)
    finding = {"rule_id": "R-REASON-05", "status": "open", "doc_id": "dongkeng-fulian-2024", "subject": "三八节活动费"}
    fake = Audit(forms=bundled, frames={"unit_costs": costs}, findings=pd.DataFrame([finding]), rule_count=1)
    table = charts.unit_cost_table(fake, lang=None)
    assert table.loc[table["task_name"] == "三八节活动费", "is_flagged"].tolist() == [True]
    assert table["is_flagged"].sum() == 1
    ax = charts.plot_unit_costs(fake).axes[0]
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.containers[0]]
    assert colours[0] == charts.style.RED and charts.style.RED not in colours[1:]


def test_a_real_audit_is_accepted(bundled):
    result = pa.audit(bundled)
    table = charts.unit_cost_table(result, lang=None)
    assert not table["is_flagged"].any(), "no unit-cost finding on the bundled forms"
    assert len(charts.plot_unit_costs(result).axes) == 3


def test_anything_else_is_refused():
    with pytest.raises(TypeError, match="FormSet or an Audit"):
        charts.plot_budget(pd.DataFrame())


def test_an_archive_gets_only_the_charts_across_forms(tmp_path):
    import shutil

    import perfaudit as pa
    from perfaudit.charts import PER_FORM, PER_FORM_LIMIT, all_charts
    from tests.conftest import DONGKENG

    for number in range(PER_FORM_LIMIT + 1):
        shutil.copy(DONGKENG, tmp_path / f"form-{number:02d}.txt")
    names = set(all_charts(pa.load(tmp_path)))
    assert names and not names & set(PER_FORM)


def test_an_archive_scatter_has_no_legend_entry_per_form(tmp_path):
    import shutil

    from perfaudit.charts import PER_FORM_LIMIT
    from tests.conftest import DONGKENG

    for number in range(PER_FORM_LIMIT + 1):
        shutil.copy(DONGKENG, tmp_path / f"form-{number:02d}.txt")
    forms = pa.load(tmp_path)

    def legend(fig):
        return [t.get_text() for legend in fig.legends for t in legend.get_texts()]

    entries = legend(charts.plot_money_vs_output(forms))
    assert entries and all(entry.startswith("单位：") for entry in entries), entries
    two = forms.select(list(forms.documents["doc_id"][:2]))
    assert any(not entry.startswith("单位：") for entry in legend(charts.plot_money_vs_output(two)))


def _year_forms(folder):
    """One department in 2023 and 2024, where the old chart pairing and the rules' disagreed.

    2024 prints the department with （本级） (raw names differ, normalised ones agree), renames
    培训学员人次 to 培训学员人数 (difflib 0.83, but another indicator for the rules) and has a
    申报 form loaded after its 批复 form (the rules compare the 批复 form).
    """
    clean = (ROOT / "tests" / "forms" / "clean.txt").read_text(encoding="utf-8").replace("2024年", "")
    old = clean.replace("测试镇部门整体", "2023年测试镇部门整体")
    new = clean.replace("测试镇部门整体", "2024年测试镇部门整体").replace("培训中心", "培训中心（本级）")
    new = new.replace("培训学员人次 ≥1000人次", "培训学员人数 ≥800人次").replace("学员满意度 ≥90%", "学员满意度 ≥95%")
    draft = new.replace("批复表", "申报表").replace("学员满意度 ≥95%", "学员满意度 ≥80%")
    for name, text in (("a-2023", old), ("a-2024", new), ("b-2024-draft", draft)):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return pa.load(folder)


def test_charts_pair_years_as_the_rules_do(tmp_path):
    from perfaudit.derive import derive

    forms = _year_forms(tmp_path)
    frames = derive(forms)
    rules = frames["year_indicators"]
    rules = rules[rules["doc_id"] == "a-2024"]
    assert charts.departments_with_years(forms) == {"测试市测试镇培训中心（本级）": ["a-2023", "a-2024"]}
    targets = charts.year_over_year(forms, "测试市测试镇培训中心（本级）")["targets"].set_index("indicator")
    paired = set(zip(rules["prev_level3"], rules["level3"], strict=True))
    assert {(name, name) for name in targets.index} <= paired
    assert "培训学员人数" not in targets.index  # the rules judge 培训学员人次 as dropped (R-YOY-05)
    assert rules.loc[rules["prev_level3"] == "培训学员人次", "is_dropped"].item()
    assert targets.loc["学员满意度", "after"] == "≥95%"  # the 批复 form's, not the 申报 form's ≥80%
    assert frames["year_pairs"].set_index("doc_id").loc["a-2024", "prev_doc_id"] == "a-2023"


def test_year_over_year_charts_are_drawn_while_the_departments_are_few(tmp_path):
    from perfaudit.charts import PER_FORM_LIMIT

    clean = (ROOT / "tests" / "forms" / "clean.txt").read_text(encoding="utf-8").replace("2024年", "")

    def archive(departments: int):
        folder = tmp_path / str(departments)
        folder.mkdir()
        for number in range(departments):
            for year in (2023, 2024):
                text = clean.replace("测试镇部门整体", f"{year}年测试镇部门整体").replace(
                    "培训中心", f"培训中心{number}"
                )
                (folder / f"d{number}-{year}.txt").write_text(text, encoding="utf-8")
        return pa.load(folder)

    few = {n for n in charts.all_charts(archive(2)) if n.startswith("year_over_year-")}
    assert len(few) == 2
    many = archive(PER_FORM_LIMIT + 1)
    assert len(charts.departments_with_years(many)) == PER_FORM_LIMIT + 1
    assert not [n for n in charts.all_charts(many) if n.startswith("year_over_year-")]
