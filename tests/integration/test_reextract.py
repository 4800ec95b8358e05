"""Re-extraction on upgrade: a warehouse built by an older extractor is read again by `xxgk ingest`, and
the replacement history says which cells the upgrade moved (issue 14)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import read
from pipelines.cli import main
from pipelines.extract import EXTRACTOR_VERSION, template_data_version
from pipelines.warehouse.ingest import ingest
from tests.tables import shown_tables

from .ingest_synth import write_reports

ONE_CELL = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "one-cell-per-line.txt"
pytestmark = pytest.mark.skipif(not ONE_CELL.exists(), reason=f"{ONE_CELL} absent (../shared not beside the repo)")


def q(db: Path, sql: str, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def w(db: Path, sql: str, params=()) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute(sql, list(params))
    finally:
        con.close()


@pytest.fixture
def built(tmp_path):
    """A warehouse as the extractor before issue 14 left it: the one-cell-per-line report with tables 3
    and 4 null and no agency (what that extractor gave), and an ordinary report; no version recorded."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ONE_CELL, src / "one-cell-per-line.txt")
    write_reports(src, 1)
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(src), "--db", str(db)]) == 0
    (rid,) = q(db, "SELECT report_id FROM reports WHERE source_path LIKE '%one-cell%'")[0]
    w(db, "UPDATE cells SET value = NULL, state = 'missing' WHERE report_id = ? AND table_no IN (3, 4)", [rid])
    w(db, "UPDATE reports SET agency = NULL WHERE report_id = ?", [rid])
    w(db, "UPDATE reports SET extractor_version = NULL, template_version = NULL")
    return src, db, rid


def test_ingest_after_an_upgrade_reads_old_files_again_and_says_which_cells_moved(built, capsys):
    src, db, rid = built
    truth = json.loads(ONE_CELL.with_suffix(".truth.json").read_text(encoding="utf-8"))
    capsys.readouterr()
    assert main(["ingest", str(src), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "reextracted 2, unchanged 0" in out
    n_t3 = sum(v is not None for row in truth["table3"].values() for v in row)
    n_t4 = sum(v is not None for v in truth["table4"])
    assert f"one-cell-per-line.txt: {n_t3 + n_t4 + 1} value(s) changed" in out  # + the agency
    assert f"extractor unversioned → {EXTRACTOR_VERSION}" in out
    assert "agency ∅ → 东川省文化和旅游厅" in out
    assert "table3.new_received.natural_person ∅ → 23" in out
    assert "0000.txt: 0 value(s) changed" in out  # the ordinary report: read again, nothing moved

    # the warehouse now holds the new reading, versioned
    assert q(db, "SELECT agency, extractor_version, template_version FROM reports WHERE report_id = ?", [rid]) == [
        ("东川省文化和旅游厅", EXTRACTOR_VERSION, template_data_version())
    ]
    got = dict(q(db, "SELECT col_key, value FROM cells WHERE report_id = ? AND row_key = 'new_received'", [rid]))
    assert [got[c] for c in ("natural_person", "commercial", "total")] == [23, 4, 28]

    # the history, through the read API the pages use
    con = duckdb.connect(str(db), read_only=True)
    try:
        run_id = q(db, "SELECT max(run_id) FROM ingest_runs")[0][0]
        ch = read.cell_changes(con, run_id=run_id, report_id=rid)
        reps = read.replacements(con, run_id=run_id)
    finally:
        con.close()
    moved = ch.filter(ch["table_no"] == 3)
    assert moved.height == 7 * len(truth["table3"])  # every cell's state moved from missing
    cell = moved.filter((moved["row_key"] == "granted") & (moved["col_key"] == "total")).row(0, named=True)
    assert (cell["old_value"], cell["new_value"], cell["old_state"], cell["new_state"]) == (
        None,
        12,
        "missing",
        "number",
    )
    assert set(ch["reason"]) == {"extractor upgrade"}
    assert reps.height == 2 and set(reps["reason"]) == {"extractor upgrade"}
    row = reps.filter(reps["new_report_id"] == rid).row(0, named=True)
    assert row["old_report_id"] == rid and row["n_values_changed"] == n_t3 + n_t4 + 1 - 1  # the agency is text
    assert (row["old_extractor_version"], row["new_extractor_version"]) == (None, EXTRACTOR_VERSION)
    assert q(db, "SELECT n_reextracted, n_loaded, n_unchanged FROM ingest_runs WHERE run_id = ?", [run_id]) == [
        (2, 0, 0)
    ]
    assert {r[0] for r in q(db, "SELECT outcome FROM ingest_files WHERE run_id = ?", [run_id])} == {"reextracted"}
    assert q(db, "SELECT count(*) FROM reports")[0][0] == 2  # replaced in place: no second copy

    # read by this extractor now: the next ingest leaves them alone
    assert main(["ingest", str(src), "--db", str(db), "--json"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["reextracted"] == [] and len(last["unchanged"]) == 2


def test_reextract_asks_for_a_new_reading_of_current_files(built, capsys):
    src, db, rid = built
    assert main(["ingest", str(src), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["ingest", str(src), "--db", str(db), "--reextract", "--json"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert len(last["reextracted"]) == 2 and last["unchanged"] == []
    run_id = q(db, "SELECT max(run_id) FROM ingest_runs")[0][0]
    assert {r[0] for r in q(db, "SELECT reason FROM replacements WHERE run_id = ?", [run_id])} == {
        "re-extraction asked"
    }
    # the same extractor read the same bytes: no cell moved
    assert q(db, "SELECT count(*) FROM replacement_cells WHERE run_id = ?", [run_id]) == [(0,)]


def test_a_newer_extractors_reading_is_never_replaced_by_an_older_one(built):
    src, db, rid = built
    w(db, "UPDATE reports SET extractor_version = ?, template_version = 'other'", [EXTRACTOR_VERSION + 1])
    res = ingest([src], db=db, progress=False)
    assert res.reextracted == [] and len(res.unchanged) == 2
    assert q(db, "SELECT agency FROM reports WHERE report_id = ?", [rid]) == [(None,)]  # untouched


def test_other_template_data_means_a_new_reading(built):
    src, db, rid = built
    ingest([src], db=db, progress=False)
    w(db, "UPDATE reports SET template_version = '000000000000' WHERE report_id = ?", [rid])
    res = ingest([src], db=db, progress=False)
    assert [Path(p).name for p in res.reextracted] == ["one-cell-per-line.txt"]


def test_a_file_of_another_dataset_is_not_read_into_this_one(built):
    src, db, rid = built
    res = ingest([src], db=db, dataset="other", progress=False)
    assert res.reextracted == [] and len(res.unchanged) == 2
    assert q(db, "SELECT dataset, extractor_version FROM reports WHERE report_id = ?", [rid]) == [("user", None)]


def test_a_failed_new_reading_keeps_the_old_one(built, monkeypatch):
    src, db, rid = built
    import pipelines.extract as ex

    real = ex.extract_bytes

    def boom(data, source, sha256=None):
        if "one-cell" in source:
            raise RuntimeError("parser bug")
        return real(data, source, sha256)

    monkeypatch.setattr(ex, "extract_bytes", boom)
    res = ingest([src], db=db, progress=False)
    assert len(res.failed) == 1 and "its earlier reading is kept" in res.failed[0][1]
    assert q(db, "SELECT extractor_version FROM reports WHERE report_id = ?", [rid]) == [(None,)]
    assert q(db, "SELECT count(*) FROM cells WHERE report_id = ?", [rid])[0][0] > 0


def test_a_changed_file_records_its_cells_too(tmp_path):
    # a new edition of a report (other bytes, same agency and year): the replacement says what it changed
    a, b = tmp_path / "a", tmp_path / "b"
    (old,) = write_reports(a, 1)
    text = old.read_text(encoding="utf-8")
    new_text = text.replace(
        "一、本年新收政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0",
        "一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1",
        1,
    )
    assert new_text != text
    b.mkdir()
    (b / old.name).write_text(new_text, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest([a], db=db, progress=False)
    res = ingest([b], db=db, progress=False)
    assert len(res.replaced) == 1
    rows = q(
        db,
        "SELECT row_key, col_key, old_value, new_value FROM replacement_cells WHERE table_no = 3 "
        "AND old_value IS DISTINCT FROM new_value ORDER BY col_key",
    )
    assert rows == [("new_received", "natural_person", 0, 1), ("new_received", "total", 0, 1)]
    assert q(db, "SELECT reason FROM replacements") == [("changed file",)]


def test_a_hand_correction_still_applies_after_a_new_reading(built):
    # the new reading keeps the report_id, so the correction (v_cells) and the wide facts still carry it
    from pipelines.corrections import add_correction

    src, db, rid = built
    add_correction(db, rid, 3, "carried_over", "total", 5, "源文件为5", "审核员甲")
    res = ingest([src], db=db, progress=False)
    assert len(res.reextracted) == 2
    sql = "SELECT value FROM v_cells WHERE report_id = ? AND table_no = 3 AND row_key = 'carried_over' AND col_key = 'total'"
    assert q(db, sql, [rid]) == [(5,)]
    assert q(db, "SELECT carried_over, new_received FROM report_facts WHERE report_id = ?", [rid]) == [(5, 28)]


def test_load_shards_lets_a_newer_reading_replace_an_older_one(built, tmp_path, capsys):
    # shards written by this extractor, loaded into the warehouse an older one built: a newer reading
    src, db, rid = built
    shards = tmp_path / "shards"
    ingest([src], db=tmp_path / "elsewhere.duckdb", progress=False, shards=shards)
    capsys.readouterr()
    assert main(["load-shards", str(shards), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "loaded 0, replaced 0, newer reading 2, unchanged 0, failed 0" in out
    assert "agency ∅ → 东川省文化和旅游厅" in out and "table3.new_received.natural_person ∅ → 23" in out
    assert q(db, "SELECT agency, extractor_version FROM reports WHERE report_id = ?", [rid]) == [
        ("东川省文化和旅游厅", EXTRACTOR_VERSION)
    ]
    # loaded again: the same reading, nothing to replace
    assert main(["load-shards", str(shards), "--db", str(db), "--json"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["reextracted"] == [] and len(last["unchanged"]) == 2


def test_the_moved_cells_in_the_template_words_and_on_the_pages(built, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from pipelines import changeview

    src, db, rid = built
    ingest([src], db=db, progress=False)
    con = duckdb.connect(str(db), read_only=True)
    try:
        moved = read.changed_cells(con, read.Filters(), limit=5)
        n_total = int(moved["n_total"][0])
        none = read.changed_cells(con, read.Filters(datasets=("demo",)))
        history = read.cell_changes(con, report_id=rid)
    finally:
        con.close()
    truth = json.loads(ONE_CELL.with_suffix(".truth.json").read_text(encoding="utf-8"))
    n_values = sum(v is not None for row in truth["table3"].values() for v in row) + sum(
        v is not None for v in truth["table4"]
    )
    assert moved.height == 5 and n_total == n_values + 1  # every value read now, and the agency
    assert none.is_empty()  # the sidebar's filters reach it
    zh = changeview.table(history, "zh", with_report=False)
    en = changeview.table(history, "en", with_report=False)
    rows = {(r["位置"], r["原值"], r["新值"]) for r in zh.to_dicts()}
    assert ("机关名称", "—", "东川省文化和旅游厅") in rows
    assert ("表三 · 一、本年新收政府信息公开申请数量 · 自然人", "—（未填报）", "23") in rows
    assert set(zh["原因"]) == {"提取程序升级"} and set(zh["提取程序版本"]) == {f"未记录 → {EXTRACTOR_VERSION}"}
    assert set(en["Why"]) == {"extractor upgrade"}
    where = list(zh["位置"])  # the report's fields first, then the cells in the template's print order
    assert where[0] == "机关名称"
    assert next(w for w in where if w.startswith("表三")) == "表三 · 一、本年新收政府信息公开申请数量 · 自然人"
    assert all(v and "None" not in v and "null" not in v for col in zh.columns for v in zh[col])

    monkeypatch.setenv("XXGK_DB", str(db))
    app = Path(__file__).resolve().parents[2] / "app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.switch_page("app_pages/quality.py")
    at.run()
    assert not at.exception
    (shown,) = [d.value for d in shown_tables(at) if {"位置", "原值", "新值"} <= set(d.value.columns)]
    assert len(shown) == n_total and "东川省文化和旅游厅" in set(shown["新值"])
    year = q(db, "SELECT year FROM reports WHERE report_id = ?", [rid])[0][0]
    assert set(shown["机关"]) == {"东川省文化和旅游厅"} and set(shown["年度"]) == {str(year)}
    at = AppTest.from_file(str(app), default_timeout=60)
    at.switch_page("app_pages/report.py")
    at.query_params["report"] = rid
    at.run()
    assert not at.exception
    assert any(e.label == f"数值变更记录（{history.height} 处）" for e in at.expander)
    (hist,) = [d.value for d in shown_tables(at) if {"位置", "原值", "新值"} <= set(d.value.columns)]
    assert len(hist) == history.height and "机关" not in hist.columns
