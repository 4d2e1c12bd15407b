"""Form families: which family a form is, decided by its title or by labels only that family prints."""

from pathlib import Path

import pytest

import perfaudit as pa
from perfaudit.cli import main
from perfaudit.readers.cells import Cell, Sheet
from perfaudit.template.families import detect

DATA = Path(__file__).resolve().parents[1] / "data"


def sheet(*rows: str) -> Sheet:
    """A sheet with one row per argument, cells separated by ``|``."""
    return Sheet(
        name="s",
        rows=[
            [Cell(text=t.strip(), ref=f"s!{chr(65 + c)}{r}", row=r, col=c + 1) for c, t in enumerate(line.split("|"))]
            for r, line in enumerate(rows, start=1)
        ],
    )


@pytest.mark.parametrize(
    ("title", "form_type", "stage"),
    [
        ("2024年部门整体预算绩效目标批复表", "dept_overall", "批复"),
        ("2023年项目支出绩效目标申报表", "project", "申报"),
        ("部门预算项目绩效目标申报表(2023年度)", "project", "申报"),
        ("2021年度项目支出绩效自评表", "project_selfeval", "自评"),
        ("2023年度部门整体支出绩效自评表", "dept_selfeval", "自评"),
    ],
)
def test_a_title_names_its_family(title, form_type, stage):
    found = detect(sheet(title, "项目名称 | 某项目"))
    assert (found.form_type, found.stage) == (form_type, stage)
    assert found.evidence[0].startswith("title: ")


def test_a_sentence_that_mentions_a_form_is_not_its_title():
    long = "根据财政部门要求，本单位按照项目支出绩效目标表的格式填报了本年度全部项目的绩效目标，并经主管部门审核后公开"
    assert detect(sheet(long)) is None


def test_labels_decide_when_the_title_names_no_family():
    project = detect(sheet("2020年项目申报表", "项目名称 | 专项资金", "项目主管部门 | 某局", "项目执行单位 | 某中心"))
    assert project.form_type == "project"
    assert "label: 项目名称" in project.evidence
    overall = detect(sheet("绩效目标", "预算整体情况", "年度重点工作任务"))
    assert overall.form_type == "dept_overall"


def test_a_self_evaluation_belongs_to_a_project_or_a_department():
    assert detect(sheet("项目名称 | 某项目", "全年执行数 | 执行率")).form_type == "project_selfeval"
    assert detect(sheet("预算整体情况", "全年执行数 | 执行率")).form_type == "dept_selfeval"


def test_too_few_cues_decide_nothing():
    """One label a 整体 form could also print (项目名称 in a task table) is not enough."""
    assert detect(sheet("项目名称 | 某项目")) is None


def test_the_real_forms_say_their_family_and_why():
    forms = pa.load(DATA / "forms")
    docs = forms.documents.set_index("doc_id")
    assert set(docs["form_type"]) == {"dept_overall"}
    assert docs.loc["dongkeng-fulian-2024", "family_evidence"] == "title: 部门整体预算绩效目标批复表"
    assert docs.loc["zhanjiang-renshe-2024", "family_evidence"] == "title: 部门整体预算绩效目标表"


# A self-evaluation whose title names its family but whose blocks are none that perfaudit reads
# (a layout of prose, as some disclosures print it).
PROSE_SELFEVAL = "2023年度项目支出绩效自评表\n项目按计划实施，资金使用规范，绩效目标基本实现。\n"


def test_a_layout_not_read_yet_is_named_not_misread(tmp_path, capsys):
    """Read as a 整体 form, a project form once gave dozens of false findings; a family's layout
    perfaudit does not read stops with exit 2, naming the family and what decided it."""
    path = tmp_path / "prose-ziping.txt"
    path.write_text(PROSE_SELFEVAL, encoding="utf-8")
    with pytest.raises(pa.TemplateError, match="项目支出绩效自评表") as err:
        pa.load(path)
    assert "title: 项目支出绩效自评表" in str(err.value) and "not read yet" in str(err.value)
    assert main(["audit", str(path), "--out", str(tmp_path / "out"), "-q"]) == 2
    message = capsys.readouterr().err.strip()
    assert message.count("\n") == 0 and path.name in message and "项目支出绩效自评表" in message
    assert not (tmp_path / "out" / "findings.json").exists()


def test_in_a_folder_a_form_not_read_yet_is_passed_over_and_named(tmp_path, capsys):
    """An auditor's folder holds target forms and self-evaluations: what is read is audited (the
    project form and the 重庆 self-evaluation), the prose one is named with the reason on stderr,
    and the run succeeds."""
    (tmp_path / "in").mkdir()
    for name in ("wuhan-donghu-renshe-2020-xiangmu.xlsx", "chongqing-yuzhong-jiuye-2021-ziping.xlsx"):
        (tmp_path / "in" / name).write_bytes((DATA / "families" / name).read_bytes())
    (tmp_path / "in" / "prose-ziping.txt").write_text(PROSE_SELFEVAL, encoding="utf-8")
    assert main(["audit", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "passed over 1 file(s)" in err and "prose-ziping.txt: a 项目支出绩效自评表" in err
    forms = pa.load(tmp_path / "in")
    assert list(forms.documents["doc_id"]) == [
        "chongqing-yuzhong-jiuye-2021-ziping",
        "wuhan-donghu-renshe-2020-xiangmu",
    ]
    assert [Path(path).name for path, _ in forms.passed_over] == ["prose-ziping.txt"]


def test_a_folder_of_no_forms_stops_with_one_line(tmp_path, capsys):
    (tmp_path / "notice.md").write_text(
        "# 关于下达资金的通知\n\n| 序号 | 乡镇 | 金额 |\n|---|---|---|\n| 1 | 西坪镇 | 20 |\n", encoding="utf-8"
    )
    (tmp_path / "news.txt").write_text("县水利局召开农田水利建设工作会议\n会议要求各乡镇加快进度\n", encoding="utf-8")
    assert main(["audit", str(tmp_path), "--out", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no 绩效目标表 found" in err and "(and 1 other file(s)" in err
