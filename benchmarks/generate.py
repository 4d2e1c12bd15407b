"""Generate an archive of synthetic 整体 forms and self-evaluations, with an answer key of injected defects.

    python -m benchmarks.generate --n 100 --out /tmp/forms          # 100 forms and answer_key.csv
    python -m benchmarks.generate --n 10000                          # fill the cache (benchmarks/.corpus/)

Form ``i`` is department ``i // 5`` in year ``2021 + i % 5``; it is the same whatever ``--n`` is
and whichever process writes it, so a smaller archive is the first forms of a larger one. The
cache under ``benchmarks/.corpus/<id>/`` is keyed by the parameters and a hash of the generator's
code and vocabularies; several processes may fill it at once (a lock file serialises them, and
every file is written under a temporary name and renamed into place). A share of the forms
(``selfeval_share``) also gets its department's year-end self-evaluation, ``f00012-ziping.txt``,
of which a share (``result_defect_rate``) carries a result defect (``benchmarks/selfeval.py``).
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import hashlib
import json
import os
import random
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks.defects import DEFECTS, inject, inject_mix
from benchmarks.forms import VOCAB, Form, build_form, read_vocab
from benchmarks.render import render_text, render_xlsx
from benchmarks.selfeval import RESULT_DEFECTS, SelfEval, build_selfeval, inject_result, render_selfeval

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".corpus"
KEY_COLUMNS = ("doc_id", "defect", "rule", "family", "subject", "where", "says", "also", "needs_peers")


@dataclass(frozen=True)
class Settings:
    seed: int = 1
    xlsx_share: float = 0.5
    defect_rate: float = 0.3
    years: int = 5
    selfeval_share: float = 0.3
    result_defect_rate: float = 0.5
    mix: str = "real"  # "real": defects per form as real forms carry them; "clean": one defect on defect_rate of forms

    def corpus_id(self) -> str:
        digest = hashlib.sha256()
        code = ("forms.py", "defects.py", "render.py", "selfeval.py")
        for path in sorted([*VOCAB.glob("*.csv"), *(HERE / name for name in code)]):
            digest.update(path.name.encode() + path.read_bytes())
        shares = f"s{self.selfeval_share:g}-r{self.result_defect_rate:g}"
        defects = "real" if self.mix == "real" else f"d{self.defect_rate:g}"
        return f"seed{self.seed}-x{self.xlsx_share:g}-{defects}-y{self.years}-{shares}-{digest.hexdigest()[:10]}"


def make_form(settings: Settings, index: int, defect: str | None = None) -> Form:
    """Form ``index`` with its defects (``defect`` forces that one alone; ``"none"`` forbids any).

    The realistic mix (``settings.mix == "real"``) gives every form defects of each rule family
    at the rates of ``vocab/density.csv``; the clean mix one defect to a share of the forms.
    """
    form = build_form(settings.seed, index, settings.years, settings.xlsx_share)
    rng = random.Random(f"perfaudit-bench/{settings.seed}/defect/{index}")
    if defect == "none":
        return form
    if defect:
        inject(form, rng, defect)
    elif settings.mix == "real":
        inject_mix(form, rng, defect_rates())
    elif rng.random() < settings.defect_rate:
        inject(form, rng)
    return form


def defect_rates() -> dict[str, float]:
    """Defects per form by rule family in the realistic mix (``vocab/density.csv``)."""
    return {r["family"]: float(r["defects_per_form"]) for r in read_vocab("density") if float(r["defects_per_form"])}


def make_selfeval(settings: Settings, index: int, form: Form, defect: str | None = None) -> SelfEval | None:
    """Form ``index``'s self-evaluation, if it gets one (``defect`` forces one, with that result defect)."""
    rng = random.Random(f"perfaudit-bench/{settings.seed}/selfeval/{index}")
    if defect is None and rng.random() >= settings.selfeval_share:
        return None
    se = build_selfeval(form, rng)
    if defect or rng.random() < settings.result_defect_rate:
        inject_result(se, rng, defect)
    return se


def plan_result_defects(settings: Settings, n: int, taken: Iterable[int] = ()) -> dict[int, str]:
    """Give every result defect the self-evaluation of a form of its own among the first ``n``."""
    plan: dict[int, str] = {}
    busy = set(taken)
    for name in sorted(RESULT_DEFECTS):
        for index in range(n):
            if index in plan or index in busy:
                continue
            se = build_selfeval(make_form(settings, index, "none"), random.Random(0))
            if RESULT_DEFECTS[name].edit(se, random.Random(0)) is not None:
                plan[index] = name
                break
        else:
            raise ValueError(f"result defect {name} applies to none of the first {n} forms that are still free")
    return plan


def plan_defects(settings: Settings, n: int, names: Iterable[str] | None = None) -> dict[int, str]:
    """Give every defect (or those named) a form of its own among the first ``n`` that it applies to.

    Used for small archives where chance would leave some defects out (the recall test).
    """
    plan: dict[int, str] = {}
    for name in sorted(names or DEFECTS):
        for index in range(n):
            if index in plan:
                continue
            form = make_form(settings, index, "none")
            if DEFECTS[name].apply(form, random.Random(0)) is not None:
                plan[index] = name
                break
        else:
            raise ValueError(f"defect {name} applies to none of the first {n} forms that are still free")
    return plan


def write_form(form: Form, folder: Path) -> tuple[Path, list[dict]]:
    """Print the form into ``folder`` (atomically) and return its path and answer key rows."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{form.doc_id}.{form.layout}"
    handle, temp = tempfile.mkstemp(prefix=f".{form.doc_id}.", suffix=f".{form.layout}", dir=folder)
    os.close(handle)
    try:
        if form.layout == "txt":
            text, refs = render_text(form)
            Path(temp).write_text(text, encoding="utf-8")
        else:
            refs = render_xlsx(form, Path(temp))
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    answers = [{**a, "where": refs.get(a["mark"], "")} for a in form.answers]
    return path, answers


def write_selfeval(se: SelfEval, folder: Path) -> tuple[Path, list[dict]]:
    """Print the self-evaluation into ``folder`` (atomically) and return its path and answer key rows."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{se.doc_id}.txt"
    text, refs = render_selfeval(se)
    handle, temp = tempfile.mkstemp(prefix=f".{se.doc_id}.", suffix=".txt", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temp, path)
    return path, [{**a, "where": refs.get(a["mark"], "")} for a in se.answers]


def _write_one(args: tuple[Settings, int, str, dict[int, str], dict[int, str]]) -> None:
    settings, index, root, forced, forced_results = args
    root_path = Path(root)
    form = make_form(settings, index, forced.get(index))
    _, answers = write_form(form, root_path / "forms")
    meta = {"doc_id": form.doc_id, "layout": form.layout, "department": form.department, "year": form.year}
    key: dict = {"form": meta, "answers": answers}
    se = make_selfeval(settings, index, form, forced_results.get(index))
    if se is not None:
        _, se_answers = write_selfeval(se, root_path / "forms")
        key["selfeval"] = {"doc_id": se.doc_id, "layout": "txt", "department": se.department, "year": se.year}
        key["answers"] = answers + se_answers
    _write_json(root_path / "keys" / f"{form.doc_id}.json", key)


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    os.replace(temp, path)


@dataclass
class Corpus:
    """The first ``n`` forms of an archive and their answer key."""

    root: Path
    paths: list[Path]
    forms: list[dict]  # doc_id, layout, department, year
    answers: list[dict]

    @property
    def defective(self) -> set[str]:
        return {a["doc_id"] for a in self.answers}


def generate(
    n: int,
    root: Path,
    settings: Settings = Settings(),
    jobs: int | None = None,
    forced: dict[int, str] | None = None,
    forced_results: dict[int, str] | None = None,
) -> Corpus:
    """Make sure ``root`` holds forms 0..n-1 (writing the missing ones) and return them.

    Safe to call from several processes at once: a lock on ``root/.lock`` serialises writers.
    """
    root.mkdir(parents=True, exist_ok=True)
    forced, forced_results = forced or {}, forced_results or {}
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [i for i in range(n) if not (root / "keys" / f"f{i:05d}.json").exists()]
        work = [(settings, i, str(root), forced, forced_results) for i in missing]
        jobs = jobs or os.cpu_count() or 1
        if len(work) > 50 and jobs > 1:
            with ProcessPoolExecutor(jobs) as pool:
                for _ in pool.map(_write_one, work, chunksize=64):
                    pass
        else:
            for item in work:
                _write_one(item)
    return read_corpus(root, n)


def read_corpus(root: Path, n: int) -> Corpus:
    paths, forms, answers = [], [], []
    for i in range(n):
        data = json.loads((root / "keys" / f"f{i:05d}.json").read_text(encoding="utf-8"))
        for meta in (data["form"], data.get("selfeval")):
            if meta is not None:
                forms.append(meta)
                paths.append(root / "forms" / f"{meta['doc_id']}.{meta['layout']}")
        answers.extend(data["answers"])
    return Corpus(root, paths, forms, answers)


def cached_corpus(n: int, settings: Settings = Settings(), jobs: int | None = None) -> Corpus:
    """The first ``n`` forms of the cached archive for ``settings`` (generated when missing)."""
    return generate(n, CACHE / settings.corpus_id(), settings, jobs)


def write_answer_key(answers: Iterable[dict], path: Path) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=KEY_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(answers)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="number of forms (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--xlsx-share", type=float, default=0.5, help="share of forms written as .xlsx (default 0.5)")
    parser.add_argument(
        "--mix",
        choices=("real", "clean"),
        default="real",
        help="defects as real forms carry them (default), or one defect on a share of the forms",
    )
    parser.add_argument(
        "--defect-rate", type=float, default=0.3, help="with --mix clean: share of forms with a defect (default 0.3)"
    )
    parser.add_argument("--years", type=int, default=5, help="years per department (default 5)")
    parser.add_argument(
        "--selfeval-share", type=float, default=0.3, help="share of forms with a self-evaluation (default 0.3)"
    )
    parser.add_argument(
        "--result-defect-rate", type=float, default=0.5, help="share of self-evaluations with a defect (default 0.5)"
    )
    parser.add_argument("--out", type=Path, help="folder to write to (default: the cache, benchmarks/.corpus/)")
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: all cores)")
    args = parser.parse_args(argv)
    settings = Settings(
        args.seed, args.xlsx_share, args.defect_rate, args.years, args.selfeval_share, args.result_defect_rate, args.mix
    )
    root = args.out or CACHE / settings.corpus_id()
    corpus = generate(args.n, root, settings, args.jobs)
    key = write_answer_key(corpus.answers, root / "answer_key.csv")
    selfevals = sum(1 for f in corpus.forms if f["doc_id"].endswith("-ziping"))
    print(
        f"{len(corpus.paths)} forms ({selfevals} self-evaluations) in {root / 'forms'}; {len(corpus.answers)} defects in {key}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
