"""The rulebook: Great Expectations suites as JSON, one per derived frame.

Every entry must carry the rule's ``meta`` (``rule_id``, ``severity``, titles, ``basis``,
``advice``, ``message``). A suite names the families of form its checks apply to
(``meta.families``: ``dept_overall``, ``project`` …); an entry may narrow them with its own
``families``. A check is not run on a form of another family: no finding, not even
``not_evaluated``. An entry GX cannot build (an unknown expectation type, a misspelt
argument) is an error naming the file and the entry: GX itself would drop it with a log line.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from perfaudit.fields import TABLES, severities
from perfaudit.rules.gx import import_gx
from perfaudit.template.families import FAMILY_NAMES

REQUIRED_META = ("rule_id", "severity", "title_zh", "title_en", "basis", "advice", "message", "table")
OPTIONAL_META = ("check", "subject", "observed", "expected", "source_ref", "needs", "requires", "families")
SEVERITIES = severities()  # vocab/severities.csv
_SUITE_KEYS = {"name", "expectations", "meta", "notes", "id", "suite_parameters"}


# Namespace of the expectations' ids (uuid5 of the rule key), fixed once for the project.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "perfaudit:rulebook")


class RulebookError(ValueError):
    """A suite file that cannot be used as it stands; the message names the file and entry."""


@dataclass(frozen=True)
class Rule:
    """One expectation of a suite, with its metadata."""

    suite: str
    index: int
    type: str
    kwargs: dict
    meta: dict

    @property
    def key(self) -> str:
        """The rule and its check (``R-QUANT-05/negative``), or the rule id when it has one check."""
        check = self.meta.get("check")
        return f"{self.meta['rule_id']}/{check}" if check else self.meta["rule_id"]

    @property
    def gx_id(self) -> str:
        """The expectation's GX id: the same for the same rule and check on every run."""
        return str(uuid.uuid5(_ID_NAMESPACE, self.key))


def default_rulebook() -> Path:
    """Where the rulebook lives.

    ``$PERFAUDIT_RULEBOOK``, the source tree's ``expectations/``, or the copy a wheel installs inside the package.
    """
    package = Path(__file__).resolve().parents[1]
    candidates = [os.environ.get("PERFAUDIT_RULEBOOK"), package.parent / "expectations", package / "expectations"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir() and any(Path(candidate).glob("*.json")):
            return Path(candidate)
    raise RulebookError("no rulebook found: set PERFAUDIT_RULEBOOK to the expectations/ folder")


def read_rules(folder: Path | None = None) -> dict[str, list[Rule]]:
    """Read and check every suite file; returns the rules per suite (frame) name."""
    folder = Path(folder) if folder else default_rulebook()
    suites: dict[str, list[Rule]] = {}
    keys: dict[str, str] = {}
    files = sorted(folder.glob("*.json"))
    if not files:
        raise RulebookError(f"{folder}: no suite files (*.json)")
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise RulebookError(f"{path}: not valid JSON ({err})") from None
        if not isinstance(data, dict) or not isinstance(data.get("expectations"), list) or "name" not in data:
            raise RulebookError(f"{path}: a suite needs 'name' and a list 'expectations'")
        unknown = set(data) - _SUITE_KEYS
        if unknown:
            raise RulebookError(f"{path}: unknown top-level keys {sorted(unknown)}")
        families = _suite_families(path, data)
        rules = []
        for index, entry in enumerate(data["expectations"]):
            rule = _check_entry(path, index, data["name"], entry, families)
            if rule.key in keys:
                raise RulebookError(f"{path}: expectations[{index}]: {rule.key} already defined in {keys[rule.key]}")
            keys[rule.key] = path.name
            rules.append(rule)
        suites[data["name"]] = rules
    return suites


def _suite_families(path: Path, data: dict) -> list[str]:
    """The families of form a suite's checks apply to (``meta.families``), checked against the known ones."""
    families = (data.get("meta") or {}).get("families")
    if not isinstance(families, list) or not families:
        raise RulebookError(f"{path}: the suite's meta needs 'families', the form types its checks apply to")
    _check_families(str(path), families)
    return families


def _check_families(where: str, families: object) -> None:
    unknown = sorted(set(families) - set(FAMILY_NAMES)) if isinstance(families, list) else [str(families)]
    if unknown or not families:
        raise RulebookError(f"{where}: families must be a list of {', '.join(FAMILY_NAMES)}; got {unknown or '[]'}")


def _check_entry(path: Path, index: int, suite: str, entry: object, families: list[str]) -> Rule:
    where = f"{path}: expectations[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        raise RulebookError(f"{where}: an entry needs a 'type'")
    meta = {"families": families, **(entry.get("meta") or {})}
    where = f"{where} ({meta.get('rule_id', '?')} {entry['type']})"
    missing = [k for k in REQUIRED_META if not meta.get(k)]
    if missing:
        raise RulebookError(f"{where}: meta lacks {', '.join(missing)}")
    if meta["severity"] not in SEVERITIES:
        raise RulebookError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    unknown = sorted(set(meta) - set(REQUIRED_META) - set(OPTIONAL_META))
    if unknown:  # a misspelt "requires" would silently drop the rule's not-evaluated guard
        raise RulebookError(f"{where}: unknown meta keys {', '.join(unknown)}")
    _check_families(where, meta["families"])
    bad_tables = sorted(set(meta.get("needs", [])) - set(TABLES))
    if bad_tables:
        raise RulebookError(f"{where}: needs names no table: {', '.join(bad_tables)} (tables: {', '.join(TABLES)})")
    _build(entry, where)
    return Rule(suite=suite, index=index, type=entry["type"], kwargs=dict(entry.get("kwargs") or {}), meta=meta)


def _build(entry: dict, where: str):
    """Build the GX expectation, so that an unknown type or argument fails here, loudly."""
    import_gx()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    try:
        return ExpectationConfiguration(
            type=entry["type"], kwargs=dict(entry.get("kwargs") or {}), meta=entry.get("meta") or {}
        ).to_domain_obj()
    except Exception as err:  # GX raises ExpectationNotFoundError, pydantic errors, TypeError
        message = " | ".join(str(err).splitlines()[:3])
        raise RulebookError(f"{where}: {type(err).__name__}: {message}") from None


def to_gx_suite(name: str, rules: list[Rule]):
    """The GX ExpectationSuite of a list of rules; ``meta._index`` keeps the file order recoverable."""
    import_gx()
    from great_expectations.core import ExpectationSuite

    expectations = [
        {"type": r.type, "kwargs": r.kwargs, "meta": {**r.meta, "_index": r.index}, "id": r.gx_id} for r in rules
    ]
    suite = ExpectationSuite(name=name, expectations=expectations)
    if len(suite.expectations) != len(rules):
        raise RulebookError(f"suite {name}: GX loaded {len(suite.expectations)} of {len(rules)} expectations")
    return suite
