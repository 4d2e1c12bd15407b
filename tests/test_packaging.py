"""Set-up files agree with each other and with the README."""

import re
import tomllib

from tests.conftest import ROOT


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].strip().lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_requirement_name(s): s.replace(" ", "") for s in project["dependencies"]}
    wanted.update({_requirement_name(s): s.replace(" ", "") for s in project["optional-dependencies"]["lab"]})
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    listed = {}
    for line in env.split("dependencies:", 1)[1].splitlines():
        # conda packages (two spaces) and PyPI-only packages under pip: (six spaces)
        match = re.match(r"^(?:\s{2}|\s{6})-\s+([A-Za-z][\w.-]*[^#]*)$", line)
        if match and match.group(1).strip() not in ("pip", "pip:") and _requirement_name(match.group(1)) != "python":
            spec = match.group(1).strip()
            listed[_requirement_name(spec)] = spec.replace(" ", "")
    assert listed == wanted
    assert "-e .[lab,test]" in env


def test_readme_first_screen_has_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:40])
    assert "make run" in first_screen and "make test" in first_screen
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_vocab_files_say_where_they_come_from():
    for path in sorted((ROOT / "perfaudit" / "vocab").glob("*.csv")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# source:"), path.name


def test_readme_rules_table_is_generated_from_the_rulebook():
    from perfaudit.rules.catalog import END, START, rules_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(START)[1].split(END)[0].strip()
    assert block == rules_markdown(), "run `make docs`"


def test_every_cli_command_is_documented_in_the_readme():
    from perfaudit.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"perfaudit {name}" in readme, name


def test_readme_shows_what_make_run_prints(capsys, tmp_path):
    from perfaudit.cli import main
    from tests.conftest import DATA

    assert main(["audit", str(DATA), "--out", str(tmp_path)]) == 0
    summary = capsys.readouterr().out.splitlines()[:5]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in summary:
        assert line in readme, f"README's first screen is stale: {line!r}"


def test_every_subpackage_is_listed_for_the_wheel():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "perfaudit").rglob("__init__.py")} | {
        "perfaudit.expectations"
    }
    assert listed == found
