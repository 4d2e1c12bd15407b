"""``load``: files and folders in, one FormSet out."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from perfaudit.fields import TABLES, make_frame
from perfaudit.formset import FormSet
from perfaudit.limits import Limits, check_file
from perfaudit.progress import bar, wanted
from perfaudit.readers import READERS, ReadError, read_sheets
from perfaudit.template import UnreadFamily, parse_sheet
from perfaudit.template.canonical import LayoutError, is_canonical, parse_canonical

_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_FOLDER_YEAR = re.compile(r"^(?:19|20)\d{2}$")
# A party organ (中共宁德市委…) is named after its area: the prefix is not part of the region.
_REGION = re.compile(
    r"^(?:中共|中国共产党)?(.{1,6}?(?:省|自治区))?(.{1,6}?(?:市|州|盟))?(.{1,6}?(?:县|区|旗|镇|乡|街道))?"
)


class TemplateError(ReadError):
    """A readable file that holds no form of a known layout."""


def find_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[tuple[Path, Path]]:
    """Expand files and folders into ``(file, root)`` pairs in a stable order.

    ``root`` is the folder the user named (or the file itself): only folders below it may give
    a year. A path that does not exist is an error naming it.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    found: list[tuple[Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        try:
            exists = path.exists()
        except OSError as err:  # a name too long for the file system, a loop of links
            raise ReadError(path, err.strerror or str(err)) from None
        if not exists:
            raise ReadError(path, "no such file or folder")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not _is_scratch(p))
            found.extend((p, path) for p in files if p.suffix.lower() in READERS)
        else:
            found.append((path, path.parent))
    return found


def skipped_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Files inside the given folders that are not forms perfaudit reads (.xls, .doc, …)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    return [
        p
        for raw in paths
        if Path(raw).is_dir()
        for p in sorted(Path(raw).rglob("*"))
        if p.is_file() and not _is_scratch(p) and p.suffix.lower() not in READERS
    ]


def _is_scratch(path: Path) -> bool:
    # Excel's lock files (~$name.xlsx) and hidden files are never forms.
    return path.name.startswith(("~$", "."))


def load(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    year: int | None = None,
    progress: bool | None = None,
    jobs: int | None = 1,
    limits: Limits | None = None,
) -> FormSet:
    """Load forms from a file, a folder (searched recursively) or a list of them.

    Args:
        paths: what to load. Folders named by a year (``data/forms/2024/``) give that year
            to forms that do not state one.
        year: the fiscal year for forms whose title, text and folder say none.
        progress: show a progress bar; by default for more than 50 files on a terminal or in
            a notebook.
        jobs: read files in this many processes (an archive on a multi-core machine); the
            tables are the same whatever the number. ``None``: one process per core, up to
            four, for 200 files or more, else one (what the command line does).
        limits: the size, page and zip limits a file must keep to be read
            (:class:`perfaudit.limits.Limits`); by default from ``PERFAUDIT_*`` environment
            variables, else the documented defaults.

    Raises:
        ReadError: a file cannot be read, is over a limit or holds no known form; the message
            names the file.

    Example:
        >>> forms = load("data/forms")
        >>> forms.tasks[["doc_id", "name", "planned_yuan"]]  # doctest: +SKIP
    """
    limits = Limits.from_env() if limits is None else limits
    files = find_files(paths)
    if not files:
        named = paths if isinstance(paths, str | os.PathLike) else ", ".join(map(str, paths))
        raise ReadError(Path(named), f"no form files ({', '.join(sorted(READERS))}) found")
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    built: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    forms_read = 0
    seen: set[str] = set()
    named_files = frozenset(_named_files(paths))
    passed_over: list[tuple[Path, str]] = []
    parsed_files = _parse_all([p for p, _ in files], jobs, progress, limits, named_files)
    for (path, root), parsed_file in zip(files, parsed_files, strict=True):
        for doc_id, parsed in parsed_file:
            if PASSED_OVER in parsed:
                passed_over.append((path, parsed[PASSED_OVER]))
                continue
            doc_id = _unique(doc_id, path, seen)
            info = parsed["info"]
            info["doc_id"] = doc_id
            _fill_year(info, path, root, year)
            info.setdefault("region", _region(info.get("department", "")))
            rows["documents"].append({k: v for k, v in info.items() if not k.startswith("_")})
            for name in TABLES[1:]:
                rows[name].extend({**row, "doc_id": doc_id} for row in parsed.get(name, []))
            forms_read += 1
            if len(rows["documents"]) == CHUNK_FORMS:
                _build(rows, built)
    _build(rows, built)
    if not forms_read and passed_over:
        path, reason = passed_over[0]
        others = (
            f" (and {len(passed_over) - 1} other file(s) hold no form perfaudit reads)" if len(passed_over) > 1 else ""
        )
        raise TemplateError(path, reason + others)
    tables = {name: pd.concat(parts, ignore_index=True) if parts else make_frame(name) for name, parts in built.items()}
    return FormSet(**tables, passed_over=tuple((str(path), reason) for path, reason in passed_over))


# Rows become typed columns this many forms at a time: a row held as a dict of Python objects
# takes several times the memory of its column cells, so an archive never holds all its rows so.
CHUNK_FORMS = 1_000


def _build(rows: dict[str, list[dict]], built: dict[str, list[pd.DataFrame]]) -> None:
    """Turn the rows gathered so far into typed frames (the dictionary's dtypes) and empty them."""
    for name, table_rows in rows.items():
        if table_rows:
            built[name].append(make_frame(name, table_rows))
            table_rows.clear()


# The key of a parse result standing for a file found in a folder that holds no form read here.
PASSED_OVER = "_passed_over"


def _named_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> set[Path]:
    """The files the caller named one by one (not found in a folder)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    return {Path(raw) for raw in paths if not Path(raw).is_dir()}


# Below this many files a second process costs more to start than it saves.
AUTO_JOBS_MIN_FILES = 200
AUTO_JOBS_MAX = 4


def auto_jobs(files: int) -> int:
    """Processes for reading ``files`` files when the caller leaves it to the package."""
    return min(os.cpu_count() or 1, AUTO_JOBS_MAX) if files >= AUTO_JOBS_MIN_FILES else 1


def _parse_all(
    files: list[Path], jobs: int | None, progress: bool | None, limits: Limits, named: frozenset[Path] = frozenset()
) -> Iterator[list[tuple[str, dict]]]:
    """Each file's parsed forms, in file order; in a process pool when ``jobs`` > 1."""
    jobs = auto_jobs(len(files)) if jobs is None else jobs
    parse = functools.partial(_parse_file, limits=limits, named=named)
    if jobs <= 1 or len(files) < 2:
        return (parse(path) for path in _progress(files, progress))

    pool = ProcessPoolExecutor(max_workers=jobs)
    chunk = max(1, len(files) // (jobs * 8))

    def results() -> Iterator[list[tuple[str, dict]]]:
        with pool:
            yield from pool.map(parse, _progress(files, progress), chunksize=chunk)

    return results()


def _progress(files: list[Path], progress: bool | None) -> Iterable[Path]:
    return bar(files, "读取表格 loading", "file") if wanted(len(files), progress) else files


def _parse_file(path: Path, limits: Limits, named: frozenset[Path] = frozenset()) -> list[tuple[str, dict]]:
    """A file's forms.

    A file found in a folder that holds none (a notice, a form of a family not read yet) is passed
    over with the reason; named on its own, it is an error.
    """
    check_file(path, limits)  # a FIFO, a zip bomb or a huge file stops here, before it is read
    sheets = read_sheets(path)
    try:
        return _forms_of(path, sheets)
    except TemplateError as err:
        if path in named:
            raise
        return [("", {PASSED_OVER: err.reason})]


def _forms_of(path: Path, sheets: list) -> list[tuple[str, dict]]:
    if is_canonical(sheets):
        try:
            return parse_canonical(sheets)
        except LayoutError as err:
            raise TemplateError(path, str(err)) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    out, unread = [], []
    for sheet in sheets:
        try:
            parsed = parse_sheet(sheet)
        except UnreadFamily as err:
            unread.append(str(err))
            continue
        for form in parsed or []:
            form["info"].update(source_path=path.resolve().as_posix(), source_sheet=sheet.name, source_sha256=digest)
            out.append(form)
    if not out and unread:
        raise TemplateError(path, unread[0])
    if not out:
        raise TemplateError(path, "no 绩效目标表 found (none of its section titles such as 预算整体情况, 绩效指标)")
    if len(out) == 1:
        return [(path.stem, out[0])]
    # Several forms: one per sheet, or one per project of a sheet that lists several.
    return [(f"{path.stem}#{p['info'].pop('_part', None) or p['info']['source_sheet']}", p) for p in out]


def _unique(doc_id: str, path: Path, seen: set[str]) -> str:
    candidate = doc_id
    if candidate in seen:
        candidate = f"{path.parent.name}/{doc_id}"
    n = 2
    while candidate in seen:
        candidate, n = f"{doc_id}~{n}", n + 1
    seen.add(candidate)
    return candidate


def _fill_year(info: dict, path: Path, root: Path, year: int | None) -> None:
    if info.get("year") is not None and info.get("year_source"):
        return  # read back from a canonical workbook
    match = _YEAR_IN_TITLE.search(info.get("title", ""))
    if match:
        info["year"], info["year_source"] = int(match.group(1)), "title"
        return
    match = _YEAR_IN_TITLE.search(info.get("_all_text", ""))
    if match:
        info["year"], info["year_source"] = int(match.group(1)), "text"
        return
    # Only folders from the one the user named down to the file: D:\\2023\\审计\\ is not a year.
    top = root.resolve()
    for parent in path.resolve().parents:
        if parent != top and top not in parent.parents:
            break
        if _FOLDER_YEAR.match(parent.name):
            info["year"], info["year_source"] = int(parent.name), "folder"
            return
    if year is not None:
        info["year"], info["year_source"] = int(year), "caller"
    else:
        info["year"], info["year_source"] = None, "unknown"


def _region(department: str) -> str:
    """The administrative area a department name starts with (湛江市, 东莞市东坑镇)."""
    match = _REGION.match(department or "")
    region = "".join(part for part in match.groups() if part) if match else ""
    if region == department:
        return ""
    return region
