"""Parse indicator values (指标值), printed amounts and the counts promised in task texts.

The word lists live in ``perfaudit/vocab``: ``value_words.csv`` (qualifiers, deadlines,
baselines, direction words), ``units.csv`` (units and which of them are counts) and
``polarity_cues.csv`` (words in an indicator name that say whether higher is better).
The regexes follow RULES.md §6.1 and are applied after :func:`normalize_value_text`.

Only Arabic digits are read: Chinese numerals (三场, 一是) are out of scope on purpose, so
that ordinals such as 一是/二是 never pass for counts.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from dataclasses import dataclass, replace

from perfaudit.vocab import read_vocab

__all__ = [
    "ParsedValue",
    "TaskOutput",
    "extract_task_outputs",
    "infer_polarity",
    "normalize_value_text",
    "parse_amount",
    "parse_value",
    "printed_decimals",
    "task_clauses",
]

# ASCII digits only: ``\d`` would also accept Arabic-Indic and other digits that float()
# reads but that no form prints.
_NUM = r"[0-9]+(?:\.[0-9]+)?"
_CJK_RUN_START = re.compile(r"^[\u4e00-\u9fff]+")
_CJK_RUN_END = re.compile(r"[\u4e00-\u9fff]+$")
_NUMBER = re.compile(rf"(?<![0-9.]){_NUM}")
_AMOUNT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_RANGE_SEP = r"(?:-|~|—|–|至|到)"
# A year (2024年, 2024年度) is context, not the target, when the text holds another number.
_YEAR = re.compile(r"(?<![0-9])[0-9]{4}年度?")
_DATE_TAIL = r"(?:(?P<day>[0-9]{1,2})[日号]|底|末|初|上旬|中旬|下旬)?"
_PAREN_TAIL = re.compile(r"\(([^()]+)\)$")
_CLAUSE_SPLIT = re.compile(r"[，。；、;,！？!?]")
_ASCII_DIGITS = "0123456789"
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
# The noun counted in a task text is the head of a short noun phrase: keep its last characters.
_NOUN_MAX = 4
# 的 links a modifier to its head noun (已建成的儿童友好示范基地): the noun starts after it.
_MODIFIER = "的"

# Full-width ASCII (U+FF01..U+FF5E) becomes half-width, except the Chinese clause punctuation
# that separates phrases: turning ， into , would make it look like a thousands separator.
_KEEP_FULL_WIDTH = "，；：！？"
_CHAR_MAP: dict[int, str | None] = {
    cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULL_WIDTH
}
_CHAR_MAP.update(
    {
        ord("≧"): "≥",
        ord("≦"): "≤",
        ord("⩾"): "≥",
        ord("⩽"): "≤",
        ord("﹪"): "%",
        ord("﹤"): "<",
        ord("﹥"): ">",
        ord("﹦"): "=",
        ord("〜"): "~",
        ord("−"): "-",
        ord("\u3000"): " ",
        # zero-width characters copied from web pages or Word
        ord("\u200b"): None,
        ord("\u200c"): None,
        ord("\u200d"): None,
        ord("\u2060"): None,
        ord("\ufeff"): None,
    }
)
_TWO_CHAR_OPS = re.compile(r">=|<=")
_THOUSANDS = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9]|,[0-9])")


@dataclass(frozen=True)
class ParsedValue:
    """One indicator value, parsed.

    Attributes:
        op: ``>=``, ``<=``, ``>``, ``<``, ``=``, ``range`` or ``qualitative``.
        value: the number in ``unit``; for ``range`` the low end; ``None`` when no number.
        value_high: the high end of a ``range``, else ``None``.
        unit: ``%``, ``场``, ``万元``, ``元每人每月``, ``日期`` (a date or deadline) ... or ``""``.
        quantified: a number, range, bound or date was found.
        qualifier: the qualifier word(s) that set ``op`` (``不少于``, ``以上``, ``约``, ``≥``,
            ``±``, ``前`` ...), joined by ``…`` when a prefix and a suffix agree; else ``""``.
        baseline: the reference of a relative target (``上年度水平`` in ``不低于上年度水平``).
    """

    op: str
    value: float | None
    value_high: float | None
    unit: str
    quantified: bool
    qualifier: str
    baseline: str


@dataclass(frozen=True)
class TaskOutput:
    """A count promised in a task text (``2024年计划开展约50场活动`` -> 50 场).

    Attributes:
        quantity: the number as printed.
        unit: a count unit from ``units.csv`` (场, 人次, 个, 件(套) ...), never money, time or %.
        qualifier: ``约``, ``不少于``, ``以上``, ``左右`` ... or ``""``.
        phrase: the clause (between ，。；、 and the like) holding the count, without white space.
        noun: best-effort counted object (``活动``, ``示范基地``), ``""`` when none is found.
    """

    quantity: float
    unit: str
    qualifier: str
    phrase: str
    noun: str


_QUALITATIVE = ParsedValue("qualitative", None, None, "", False, "", "")


# --- normalisation ----------------------------------------------------------------------------


def _squeeze_space(match: re.Match[str]) -> str:
    """Drop a run of white space, but keep one space between two digits.

    A line break is a wrapped cell (pdftotext, Excel Alt+Enter), so it is joined. A space
    between digits is kept because "88 100" is two numbers (score residue, R-QUANT-09).
    """
    run, text = match.group(), match.string
    if any(ch in _LINE_BREAKS for ch in run):
        return ""
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    between_digits = bool(before and after) and before in _ASCII_DIGITS and after in _ASCII_DIGITS
    return " " if between_digits else ""


def normalize_value_text(text: str) -> str:
    """Normalise a value or task text before matching (R-FORMAT-03).

    Full-width digits, letters and symbols become half-width (the clause marks ，；：！？ stay),
    ≧/≦ and >=/<= become ≥/≤, white space is removed (one space is kept between two digits),
    and thousands separators inside numbers are removed (``70,200.00`` -> ``70200.00``).
    Deterministic and idempotent.

    Example:
        >>> normalize_value_text("≥ １００ 场")
        '≥100场'
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text.translate(_CHAR_MAP)
    text = re.sub(r"\s+", _squeeze_space, text)
    text = _TWO_CHAR_OPS.sub(lambda m: "≥" if m.group() == ">=" else "≤", text)
    return _THOUSANDS.sub(lambda m: m.group().replace(",", ""), text)


# --- vocabularies -----------------------------------------------------------------------------


@functools.cache
def _words(kind: str) -> tuple[tuple[str, str], ...]:
    """(word, op) pairs of one kind from value_words.csv, longest first (不超过 before 超过)."""
    rows = [(row["word"], row["op"]) for row in read_vocab("value_words") if row["kind"] == kind]
    return tuple(sorted(rows, key=lambda pair: -len(pair[0])))


@functools.cache
def _trend_words() -> tuple[tuple[str, str], ...]:
    """(word, polarity) pairs of the direction words that may appear in a value."""
    rows = read_vocab("value_words")
    return tuple((row["word"], row["polarity"]) for row in rows if row["kind"] == "trend")


@functools.cache
def _unit_alternation(kind: str = "") -> str:
    """A regex alternation of the units in units.csv (only ``kind`` when given), longest first."""
    rows = sorted(read_vocab("units"), key=lambda row: -len(row["unit"]))
    parts = []
    for row in rows:
        if kind and row["kind"] != kind:
            continue
        part = re.escape(row["unit"])
        if row["not_followed_by"]:
            stops = "|".join(re.escape(word) for word in row["not_followed_by"].split("|"))
            part += f"(?!{stops})"
        parts.append(part)
    return "(?:" + "|".join(parts) + ")"


@functools.cache
def _value_unit_re() -> re.Pattern[str]:
    """A unit at the start of a text, with per-parts: 元/人/月, 元每人每月, 次/年."""
    unit = _unit_alternation()
    return re.compile(rf"{unit}(?:(?:/|每){unit})*")


@functools.cache
def _known_units() -> frozenset[str]:
    return frozenset(row["unit"] for row in read_vocab("units"))


@functools.cache
def _range_re() -> re.Pattern[str]:
    unit = _unit_alternation()
    return re.compile(rf"(?<![0-9.])(?P<lo>{_NUM})(?P<lo_unit>{unit})?{_RANGE_SEP}(?P<hi>{_NUM})")


@functools.cache
def _date_re() -> re.Pattern[str]:
    suffixes = "|".join(re.escape(word) for word, _ in _words("deadline_suffix"))
    return re.compile(
        rf"(?<![0-9])(?:(?P<year>[0-9]{{4}})年)?(?P<month>[0-9]{{1,2}})月{_DATE_TAIL}"
        rf"(?P<suffix>{suffixes})?"
    )


@functools.cache
def _task_re() -> re.Pattern[str]:
    """A count in task text: number, optional 余/多, count unit, optional 以上/左右.

    The look-behind keeps out ratios (1:1:1), ordinals (第3期), ranges and the tail of a
    longer number; at most 9 integer digits so that a float keeps the printed value exactly.
    """
    infix = "|".join(re.escape(word) for word, _ in _words("infix"))
    suffix = "|".join(re.escape(word) for word, _ in _words("suffix"))
    return re.compile(
        r"(?<![0-9.:：/第~\-])(?P<num>[0-9]{1,9}(?:\.[0-9]{1,4})?)"
        rf"(?P<infix>{infix})?(?P<unit>{_unit_alternation('count')})(?P<suffix>{suffix})?"
    )


@functools.cache
def _polarity_cues() -> tuple[tuple[str, str, str], ...]:
    rows = read_vocab("polarity_cues")
    return tuple((row["word"], row["polarity"], row["strength"]) for row in rows)


# --- small helpers ----------------------------------------------------------------------------


def _clean_float(x: float) -> float:
    """Drop binary noise from scaling (0.95 * 100 -> 95.0, not 94.99999999999999)."""
    return float(f"{x:.12g}")


def _is_missing(raw: object) -> bool:
    """None, NaN, pandas NA/NaT: anything that is not equal to itself or cannot say so."""
    if raw is None:
        return True
    try:
        return bool(raw != raw)
    except (TypeError, ValueError):  # pd.NA refuses to be a bool: it is missing
        return True


def _is_percent_format(number_format: str) -> bool:
    """True when an Excel number format scales by 100 (``0%``, ``0.00%``).

    A ``%`` inside quotes or after a backslash (``0"%"``, ``0\\%``) is a literal and does not scale.
    """
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format or "")
    return "%" in unquoted


def _unit_from_name(name: str) -> str:
    """The unit in a parenthesised tail of the indicator name: 城镇新增就业人数（人） -> 人."""
    match = _PAREN_TAIL.search(normalize_value_text(name or ""))
    if match and match.group(1) in _known_units():
        return match.group(1)
    return ""


def _words_at_end(text: str, kind: str) -> tuple[str, list[tuple[str, str]]]:
    """Peel words of ``kind`` off the end of ``text`` (the words just before a number)."""
    found: list[tuple[str, str]] = []
    while True:
        for word, op in _words(kind):
            if text.endswith(word):
                found.insert(0, (word, op))
                text = text[: -len(word)]
                break
        else:
            return text, found


def _words_at_start(text: str, kind: str) -> tuple[str, list[tuple[str, str]]]:
    """Peel words of ``kind`` off the start of ``text`` (the words just after a number)."""
    found: list[tuple[str, str]] = []
    while True:
        for word, op in _words(kind):
            if text.startswith(word):
                found.append((word, op))
                text = text[len(word) :]
                break
        else:
            return text, found


def _resolve_op(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> tuple[str, str]:
    """Pick the operator and the qualifier that set it.

    ± (a band) beats a bound, a bound beats 约/左右 (约50场以上 is still "at least"), and
    among bounds the first wins. Words that agree with the winner form the qualifier.
    """
    words = before + after
    ops = [op for _, op in words]
    if "range" in ops:
        op = "range"
    else:
        op = next((o for o in ops if o != "="), "=")
    chosen = [[(word, o) for word, o in group if o == op] for group in (before, after)]
    return op, _join_qualifiers(*chosen)


def _join_qualifiers(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> str:
    """Words before the number run together as printed; a prefix and a suffix join with '…'."""
    parts = ("".join(word for word, _ in before), "".join(word for word, _ in after))
    return "…".join(part for part in parts if part)


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    """Blank out matches with '#' (same length, so positions still index the text)."""
    return pattern.sub(lambda m: "#" * len(m.group()), text)


def _valid_date(match: re.Match[str]) -> bool:
    day = match.group("day")
    return 1 <= int(match.group("month")) <= 12 and (day is None or 1 <= int(day) <= 31)


# --- parse_value ------------------------------------------------------------------------------


def _parse_date(text: str) -> ParsedValue | None:
    """A date or deadline (12月31日前, 2025年6月底前) as the whole quantitative content."""
    match = _date_re().search(text)
    if match is None or not _valid_date(match):
        return None
    outside = text[: match.start()] + text[match.end() :]
    if re.search("[0-9]", outside):
        return None
    suffix = match.group("suffix") or ""
    op = dict(_words("deadline_suffix")).get(suffix, "=")
    return ParsedValue(op, None, None, "日期", True, suffix, "")


def _parse_wordy(text: str) -> ParsedValue:
    """A value without digits: a deadline word, a relative target, or qualitative text."""
    for word, op in _words("deadline"):
        if text.startswith(word):
            return ParsedValue(op, None, None, "日期", True, word, "")
    rest, prefix = _words_at_start(text, "prefix")
    if prefix and rest and any(word in rest for word, _ in _words("baseline")):
        op, qualifier = _resolve_op(prefix, [])
        if op != "range":
            return ParsedValue(op, None, None, "", False, qualifier, rest)
    return _QUALITATIVE


def _parse_range(text: str, match: re.Match[str]) -> ParsedValue:
    """``80-90%``, ``80%~90%``, ``3至5个工作日``: op ``range``; qualifiers are kept as words."""
    _, prefix = _words_at_end(text[: match.start()], "prefix")
    unit_match = _value_unit_re().match(text, match.end())
    unit = unit_match.group() if unit_match else (match.group("lo_unit") or "")
    rest = text[unit_match.end() if unit_match else match.end() :]
    _, suffix = _words_at_start(rest, "suffix")
    qualifier = _join_qualifiers(prefix, suffix)
    lo, hi = float(match.group("lo")), float(match.group("hi"))
    return ParsedValue("range", lo, hi, unit, True, qualifier, "")


def _parse_single(text: str, match: re.Match[str]) -> ParsedValue:
    """One number with the qualifier words around it and the unit after it."""
    before, prefix = _words_at_end(text[: match.start()], "prefix")
    number = float(match.group())
    # A sign belongs to the number only when nothing numeric stands before it (-3%, 增长-3%).
    if before.endswith(("-", "+")) and not before[:-1].endswith(tuple(_ASCII_DIGITS)):
        number = -number if before.endswith("-") else number
        _, more = _words_at_end(before[:-1], "prefix")
        prefix = more + prefix
    rest = text[match.end() :]
    rest, infix = _words_at_start(rest, "infix")
    unit_match = _value_unit_re().match(rest)
    unit = unit_match.group() if unit_match else ""
    rest = rest[len(unit) :]
    _, suffix = _words_at_start(rest, "suffix")
    op, qualifier = _resolve_op(prefix, infix + suffix)
    if op == "range":
        return ParsedValue("range", -abs(number), abs(number), unit, True, qualifier, "")
    return ParsedValue(op, number, None, unit, True, qualifier, "")


def _parse_text(text: str) -> ParsedValue:
    """Parse a normalised value text; see :func:`parse_value`."""
    if not text:
        return _QUALITATIVE
    dated = _parse_date(text)
    if dated is not None:
        return dated
    numbers_found = list(_NUMBER.finditer(_mask(text, _YEAR))) or list(_NUMBER.finditer(text))
    if not numbers_found:
        return _parse_wordy(text)
    range_match = _range_re().search(text)
    if (
        len(numbers_found) == 2
        and range_match is not None
        and range_match.start() == numbers_found[0].start()
        and range_match.end() == numbers_found[1].end()
    ):
        return _parse_range(text, range_match)
    if len(numbers_found) == 1:
        return _parse_single(text, numbers_found[0])
    # Several unrelated numbers ("88 100", "1:1:1"): no single target can be read off.
    return _QUALITATIVE


def _parse_number(number: float, number_format: str, name: str) -> ParsedValue:
    """A typed spreadsheet number; a percent format stores a fraction (1 -> 100%)."""
    try:
        value = float(number)
    except (OverflowError, ValueError):
        return _QUALITATIVE
    unit = ""
    if _is_percent_format(number_format):
        value, unit = _clean_float(value * 100), "%"
    if not math.isfinite(value):
        return _QUALITATIVE
    return ParsedValue("=", value, None, unit or _unit_from_name(name), True, "", "")


def parse_value(raw: object, number_format: str = "", name: str = "") -> ParsedValue:
    """Parse an indicator value (指标值) as printed or as a typed spreadsheet number.

    Args:
        raw: the cell value: text, int, float, or None / NaN / "" (qualitative, no unit).
        number_format: the Excel number format; with ``%`` a number is a fraction (0.95 -> 95 %).
        name: the indicator (三级指标) name; a unit in its parenthesised tail
            (``城镇新增就业人数（人）``) is used when the value itself has no unit.

    Returns:
        The parsed value. Dates and deadlines (``12月31日前``, ``年底前``) are quantified with
        unit ``日期``, value ``None`` and op ``<=`` (``=`` for a bare date). Frequencies
        (``每季度``, ``按月``) and vague words are ``qualitative``. A relative target such as
        ``不低于上年度水平`` has an op and a baseline but no number (``quantified`` False).
        Text with several unrelated numbers (``88 100``, ``1:1:1``) is ``qualitative``.

    Example:
        >>> p = parse_value("≥100场")
        >>> p.op, p.value, p.unit, p.qualifier
        ('>=', 100.0, '场', '≥')
    """
    if _is_missing(raw):
        return _QUALITATIVE
    if isinstance(raw, numbers.Real) and not isinstance(raw, bool):
        return _parse_number(raw, number_format, name)
    parsed = _parse_text(normalize_value_text(str(raw)))
    if not _finite(parsed):
        return _QUALITATIVE
    if parsed.quantified and not parsed.unit:
        return replace(parsed, unit=_unit_from_name(name))
    return parsed


def _finite(parsed: ParsedValue) -> bool:
    """A 400-digit number reads as inf: that is not a usable target."""
    return all(v is None or math.isfinite(v) for v in (parsed.value, parsed.value_high))


# --- amounts ----------------------------------------------------------------------------------


def parse_amount(text: object) -> float | None:
    """Read a printed money or number cell: ``70,200.00`` -> 70200.0, ``１０９.６４`` -> 109.64.

    Only a whole cell that is a plain number counts (sign, thousands separators and decimals
    allowed): ``""``, ``abc``, ``2024年`` and ``5万元`` give ``None``. A typed number is
    returned as a float; NaN and infinities give ``None``.
    """
    if _is_missing(text) or isinstance(text, bool):
        return None
    if isinstance(text, numbers.Real):
        try:
            value = float(text)
        except (OverflowError, ValueError):
            return None
        return value if math.isfinite(value) else None
    cleaned = normalize_value_text(str(text))
    if not _AMOUNT.fullmatch(cleaned):
        return None
    value = float(cleaned)
    return value if math.isfinite(value) else None


def printed_decimals(text: str) -> int:
    """Number of decimals as printed: ``7.02`` -> 2, ``70,200.00`` -> 2, ``20140`` -> 0.

    For text that holds more than a number, the first number counts; no number gives 0.
    """
    match = _AMOUNT.search(normalize_value_text("" if text is None else str(text)))
    if match is None or "." not in match.group():
        return 0
    return len(match.group().split(".", 1)[1])


# --- task outputs -----------------------------------------------------------------------------


def _last_stop_end(run: str) -> int:
    """End of the last verb / function word (or 的) in ``run``; 0 when there is none."""
    ends = [run.rfind(word) + len(word) for word, _ in _words("noun_stop") if word in run]
    if _MODIFIER in run:
        ends.append(run.rfind(_MODIFIER) + 1)
    return max(ends, default=0)


def _first_stop_start(run: str) -> int:
    """Start of the first verb / function word in ``run``; ``len(run)`` when there is none."""
    starts = [run.find(word) for word, _ in _words("noun_stop") if word in run]
    return min(starts, default=len(run))


def _noun_after(tail: str) -> str:
    """The counted object written after the unit: 约50场[活动], 3场[主题庆祝活动] -> 庆祝活动."""
    match = _CJK_RUN_START.match(tail)
    if match is None:
        return ""
    run = match.group()[: _first_stop_start(match.group())]
    if _MODIFIER in run:
        run = run[run.rfind(_MODIFIER) + 1 :]
    return run[-_NOUN_MAX:]


def _noun_before(head: str) -> str:
    """The counted object written before the count.

    培育[示范点]不少于2个; 已建成的儿童友好[示范基地]2个 (the last characters of the phrase).
    """
    match = _CJK_RUN_END.search(head)
    if match is None:
        return ""
    run = match.group()
    return run[_last_stop_end(run) :][-_NOUN_MAX:]


def _task_output(clause: str, match: re.Match[str]) -> TaskOutput:
    head, prefix = _words_at_end(clause[: match.start()], "prefix")
    after = [(match.group(group), "") for group in ("infix", "suffix") if match.group(group)]
    noun = _noun_after(clause[match.end() :]) or _noun_before(head)
    return TaskOutput(
        quantity=float(match.group("num")),
        unit=match.group("unit"),
        qualifier=_join_qualifiers(prefix, after),
        phrase=clause.replace(" ", ""),
        noun=noun,
    )


def extract_task_outputs(text: str) -> list[TaskOutput]:
    """Find the counts a task text promises (年度重点工作任务 / 主要实施内容).

    ``2024年计划开展约50场活动`` -> 50 场 (约, 活动). Only count units of ``units.csv`` are
    read, so years (2024年), money (每人每月750元), percentages, dates (12月31日) and
    durations (3个月) are never counts; ratios (1:1:1), ordinals (第3期) and ranges (3-5场)
    are skipped. Chinese numerals (三场, 一是) are out of scope and not read.

    Args:
        text: the task text; line breaks and stray spaces from wrapped cells are removed.

    Returns:
        The counts in reading order (one per match; duplicates are kept).
    """
    outputs: list[TaskOutput] = []
    for clause in _CLAUSE_SPLIT.split(normalize_value_text("" if text is None else str(text))):
        for match in _task_re().finditer(clause):
            outputs.append(_task_output(clause, match))
    return outputs


def task_clauses(text: str) -> list[str]:
    """The clauses of a task text as :attr:`TaskOutput.phrase` gives them (no white space)."""
    normalized = normalize_value_text("" if text is None else str(text))
    return [clause.replace(" ", "") for clause in _CLAUSE_SPLIT.split(normalized) if clause]


# --- polarity ---------------------------------------------------------------------------------

_OP_POLARITY = {">=": "positive", ">": "positive", "<=": "negative", "<": "negative"}


def _rightmost(text: str, cues: list[tuple[str, str]]) -> str:
    """Polarity of the cue ending last in ``text`` (the head of the phrase); longer wins ties.

    投诉处理及时率 is about 及时率 (positive), although it mentions 投诉 (negative).
    """
    found = [(text.rfind(w) + len(w), len(w), polarity) for w, polarity in cues if w in text]
    return max(found, key=lambda hit: hit[:2])[2] if found else ""


def _polarity_from_name(name: str) -> str:
    cues = _polarity_cues()
    strong = [(word, polarity) for word, polarity, strength in cues if strength == "strong"]
    weak = [(word, polarity) for word, polarity, strength in cues if strength != "strong"]
    return _rightmost(name, strong) or _rightmost(name, weak)


def infer_polarity(name: str, parsed: ParsedValue, raw: str = "") -> str:
    """Whether higher is better (``positive``), lower is better (``negative``) or unknown (``""``).

    Checks, in order: direction words in the value (下降, 压减, 控制 -> negative; 提升, 增长 ->
    positive), cues in the indicator name (RULES §6.2, ``polarity_cues.csv``), then the
    operator (``<=``/``<`` negative, ``>=``/``>`` positive).

    Example:
        >>> infer_polarity("三公经费控制率", parse_value("下降"), "下降")
        'negative'
    """
    value_text = normalize_value_text("" if raw is None else str(raw))
    name_text = normalize_value_text("" if name is None else str(name))
    return (
        _rightmost(value_text, list(_trend_words()))
        or _polarity_from_name(name_text)
        or _OP_POLARITY.get(parsed.op, "")
    )
