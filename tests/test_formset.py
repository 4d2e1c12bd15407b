"""FormSet: stacking, selection and how it shows itself in a notebook."""

import pandas as pd
import pytest

import perfaudit as pa
from perfaudit.fields import TABLES, columns


def test_every_table_follows_the_field_dictionary(bundled):
    for table in TABLES:
        assert tuple(bundled.tables[table].columns) == columns(table)
        assert len(bundled.tables[table]) == 0 or bundled.tables[table]["doc_id"].ne("").all()


def test_select_and_concat_give_back_the_same_tables(bundled):
    ids = list(bundled.documents["doc_id"])
    parts = [bundled.select(doc_id) for doc_id in ids]
    again = pa.FormSet.concat(parts)
    for table in TABLES:
        pd.testing.assert_frame_equal(bundled.tables[table], again.tables[table], obj=table)


def test_concat_refuses_repeated_doc_ids(bundled):
    with pytest.raises(ValueError, match="doc_id repeated"):
        pa.FormSet.concat([bundled, bundled])


def test_notebook_display_is_a_summary_not_a_dump(bundled):
    html = bundled._repr_html_()
    assert "已读取 3 份表格" in html and "东莞市东坑镇妇女联合会" in html
    assert "<table" in html and "指标" in html
    assert repr(bundled).startswith("<FormSet: 3 forms")


def test_same_file_name_in_two_folders_gets_distinct_ids(tmp_path):
    from tests.conftest import DONGKENG

    for year in ("a", "b"):
        (tmp_path / year).mkdir()
        (tmp_path / year / DONGKENG.name).write_bytes(DONGKENG.read_bytes())
    forms = pa.load(tmp_path)
    assert sorted(forms.documents["doc_id"]) == ["b/dongkeng-fulian-2024", "dongkeng-fulian-2024"]


def test_excel_lock_files_are_skipped(tmp_path):
    from tests.conftest import ZHANJIANG_2023

    (tmp_path / ZHANJIANG_2023.name).write_bytes(ZHANJIANG_2023.read_bytes())
    (tmp_path / f"~${ZHANJIANG_2023.name}").write_bytes(b"lock")
    assert len(pa.load(tmp_path)) == 1


def test_year_from_folder_and_from_caller(tmp_path):
    from tests.conftest import DONGKENG

    text = DONGKENG.read_text(encoding="utf-8").replace("2024年", "")
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "f.txt").write_text(text, encoding="utf-8")
    doc = pa.load(tmp_path / "2025" / "f.txt").documents.iloc[0]
    assert (doc.year, doc.year_source) == (2025, "folder")
    (tmp_path / "plain.txt").write_text(text, encoding="utf-8")
    doc = pa.load(tmp_path / "plain.txt", year=2026).documents.iloc[0]
    assert (doc.year, doc.year_source) == (2026, "caller")


def test_loading_in_processes_gives_the_same_tables(bundled):
    import pandas as pd

    from tests.conftest import DATA

    parallel = pa.load(DATA, jobs=2)
    for table in bundled.tables:
        pd.testing.assert_frame_equal(bundled.tables[table], parallel.tables[table], obj=table)


def test_left_to_the_package_an_archive_is_read_on_several_cores(monkeypatch):
    import importlib

    load = importlib.import_module("perfaudit.load")  # the module, not pa.load

    monkeypatch.setattr(load.os, "cpu_count", lambda: 8)
    assert load.auto_jobs(load.AUTO_JOBS_MIN_FILES - 1) == 1  # starting processes would cost more
    assert load.auto_jobs(load.AUTO_JOBS_MIN_FILES) == load.AUTO_JOBS_MAX
    monkeypatch.setattr(load.os, "cpu_count", lambda: None)
    assert load.auto_jobs(10_000) == 1


def test_forms_typed_a_few_at_a_time_give_the_same_tables(monkeypatch):
    import importlib

    from tests.conftest import ROOT

    load = importlib.import_module("perfaudit.load")
    paths = sorted((ROOT / "data").glob("*/*.*"))  # real forms of every family read
    paths = [p for p in paths if p.suffix in load.READERS and p.parent.name in ("families", "2024")]
    at_once = pa.load(paths)
    monkeypatch.setattr(load, "CHUNK_FORMS", 2)
    in_chunks = pa.load(paths)
    assert len(in_chunks) == len(at_once) > 2
    for table in at_once.tables:
        pd.testing.assert_frame_equal(in_chunks.tables[table], at_once.tables[table], obj=table)


def test_a_text_repeated_down_a_column_is_held_once(bundled):
    from perfaudit.fields import make_frame

    units = [u for u in bundled.indicators["unit"].tolist() if u == "%"]
    assert len(units) > 1 and all(u is units[0] for u in units)
    frame = make_frame("goals", [{"doc_id": "a", "text": None}, {"doc_id": "a", "text": float("nan")}])
    assert frame["text"].tolist() == ["", ""]
