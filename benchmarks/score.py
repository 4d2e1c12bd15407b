"""Findings against the answer key: recall per rule family, and false alarms on clean forms.

A defect counts as found when an open finding of its rule (``rule_id/check``) stands on its
document, and as located when that finding's source reference also covers the place the
defect was printed (line or sheet row) and, where the key says so, its message names what it
must (the budget line a gap equals). Findings on a form without a defect are false alarms,
except year-over-year findings on a form whose previous year carries a defect: the edited
target moved against it too ("echoes", counted apart, on clean and defective forms alike).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pandas as pd

FAMILIES = ("COMPLETE", "QUANT", "ARITH", "CONSIST", "REASON", "COST", "YOY", "FORMAT", "RESULT")
_LINES = re.compile(r"L(\d+)(?:-(\d+))?$")
_CELLS = re.compile(r"^(?:(?P<sheet>[^!]+)!)?[A-Z]+(?P<r1>\d+)(?::[A-Z]+(?P<r2>\d+))?$")


def finding_key(rule_id: str, check: str) -> str:
    return f"{rule_id}/{check}" if check else rule_id


def covers(found_ref: str, where: str) -> bool:
    """Whether a finding's reference (``L44-152``, ``Sheet1!D22:E22``) covers a place (``L50``)."""
    spans = []
    for ref in (found_ref or "", where or ""):
        ref = ref.strip()
        lines, cells = _LINES.fullmatch(ref), _CELLS.fullmatch(ref)
        if lines:
            spans.append(("L", int(lines.group(1)), int(lines.group(2) or lines.group(1))))
        elif cells:
            r1 = int(cells.group("r1"))
            spans.append((cells.group("sheet") or "", r1, int(cells.group("r2") or r1)))
        else:
            return False
    (kind_a, lo_a, hi_a), (kind_b, lo_b, hi_b) = spans
    return kind_a == kind_b and lo_a <= lo_b and hi_b <= hi_a


def allowed(key: str, patterns: str) -> bool:
    for pattern in filter(None, patterns.split("|")):
        if pattern == "YOY" and key.startswith("R-YOY-"):
            return True
        if pattern.endswith("/*") and key.startswith(pattern[:-1]):
            return True
        if key == pattern:
            return True
    return False


def score(findings: pd.DataFrame, answers: list[dict], forms: list[dict]) -> dict:
    """Recall per family and defect, false alarms on clean forms, other findings on defective ones."""
    open_ = findings[findings["status"] == "open"]
    keys = [finding_key(r, c) for r, c in zip(open_["rule_id"], open_["check"].fillna(""), strict=True)]
    by_doc: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    columns = (open_["doc_id"], keys, open_["source_ref"].fillna(""), open_["message"].fillna(""))
    for doc, key, ref, message in zip(*columns, strict=True):
        by_doc[doc].append((key, ref, message))
    loaded = set(findings["doc_id"]) | {f["doc_id"] for f in forms}
    peers_possible = len(forms) > 1
    rows = []
    for answer in answers:
        if answer["doc_id"] not in loaded or (answer["needs_peers"] and not peers_possible):
            continue
        hits = [(ref, message) for key, ref, message in by_doc.get(answer["doc_id"], []) if key == answer["rule"]]
        where, says = answer.get("where", ""), answer.get("says", "")
        located = any(covers(ref, where) and says in message for ref, message in hits) if where else None
        rows.append({**answer, "found": bool(hits), "located": located})
    defective: dict[str, list[dict]] = defaultdict(list)  # a form of the realistic mix carries several
    for answer in answers:
        defective[answer["doc_id"]].append(answer)
    previous = _previous_year(forms)
    false_alarms: Counter = Counter()
    echoes: Counter = Counter()
    side_effects: Counter = Counter()
    unexplained: Counter = Counter()
    for doc, items in by_doc.items():
        own = defective.get(doc, [])
        rules = {a["rule"] for a in own}
        for key, _, _ in items:
            if key in rules:
                continue
            if key.startswith("R-YOY-") and previous.get(doc) in defective:
                echoes[key] += 1
            elif not own:
                false_alarms[key] += 1
            elif any(allowed(key, a.get("also", "")) for a in own):
                side_effects[key] += 1
            else:
                unexplained[key] += 1
    clean_docs = [f["doc_id"] for f in forms if f["doc_id"] not in defective]
    flagged_clean = {
        doc
        for doc in clean_docs
        if any(not (k.startswith("R-YOY-") and previous.get(doc) in defective) for k, _, _ in by_doc.get(doc, []))
    }
    table = pd.DataFrame(rows)
    return {
        "defects": table,
        "by_family": _by(table, "family"),
        "by_defect": _by(table, "defect"),
        "clean_forms": len(clean_docs),
        "clean_forms_flagged": len(flagged_clean),
        "false_alarms": dict(false_alarms.most_common()),
        "echoes": dict(echoes.most_common()),
        "side_effects": dict(side_effects.most_common()),
        "unexplained": dict(unexplained.most_common()),
    }


def _by(table: pd.DataFrame, column: str) -> pd.DataFrame:
    if table.empty:
        return pd.DataFrame(columns=[column, "injected", "found", "located", "recall"])
    grouped = table.groupby(column)
    out = pd.DataFrame(
        {
            "injected": grouped.size(),
            "found": grouped["found"].sum(),
            "located": grouped["located"].apply(lambda s: int((s == True).sum())),  # noqa: E712 (None = not applicable)
            "locatable": grouped["located"].apply(lambda s: int(s.notna().sum())),
        }
    )
    out["recall"] = (out["found"] / out["injected"]).round(3)
    if column == "family":
        out = out.reindex([f for f in FAMILIES if f in out.index])
    return out.reset_index().rename(columns={"index": column})


def _previous_year(forms: list[dict]) -> dict[str, str]:
    """doc_id → doc_id of the same department's previous year (generated archives only).

    Target forms pair with target forms, self-evaluations (``…-ziping``) with self-evaluations.
    """
    by_dept: dict[tuple[str, bool], list[tuple[int, str]]] = defaultdict(list)
    for f in forms:
        by_dept[(f["department"], f["doc_id"].endswith("-ziping"))].append((f["year"], f["doc_id"]))
    out = {}
    for items in by_dept.values():
        items.sort()
        for (_, prev), (_, doc) in zip(items, items[1:], strict=False):
            out[doc] = prev
    return out
