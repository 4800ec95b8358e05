"""Correction round trip: correct → v_cells and report_facts show it → list → undo → original back."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent / "checks"))
from xxgk_checks_helpers import make_report, row

from pipelines import corrections as C
from pipelines import quality
from pipelines.cli import main
from pipelines.warehouse.db import open_writer
from pipelines.warehouse.load import load_report


@pytest.fixture
def db(tmp_path):
    p = tmp_path / "w.duckdb"
    a = make_report(
        year=2022,
        agency="西工区商务局",
        rows={
            "new_received": row(3, 0, 0, 0, 0, 0),
            "granted": row(3, 0, 0, 0, 0, 0),
            "total_handled": row(3, 0, 0, 0, 0, 0),
            "carried_forward": row(2, 0, 0, 0, 0, 0, total=2),
        },
    )
    # 2023 carried over 1 (a misread 2): cross-year check C401 fails until corrected
    b = make_report(
        year=2023,
        agency="西工区商务局",
        rows={
            "new_received": row(4, 0, 0, 0, 0, 0),
            "carried_over": row(1, 0, 0, 0, 0, 0),
            "granted": row(5, 0, 0, 0, 0, 0),
            "total_handled": row(5, 0, 0, 0, 0, 0),
        },
    )
    a.sha256, b.sha256 = "a" * 64, "b" * 64
    with open_writer(p) as w:
        for r in (a, b):
            load_report(w.con, r, dataset="test", source_path=r.sha256[:4], sha256=r.sha256)
        from pipelines.warehouse.writer import write_crossyear as run_crossyear

        run_crossyear(w.con)
    return p


def q(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


CELL = (
    "SELECT value, original_value, corrected FROM v_cells WHERE report_id = ? AND table_no = 3"
    " AND row_key = 'carried_over' AND col_key = ?"
)


def test_round_trip(db):
    rid = "b" * 64
    assert q(db, CELL, [rid, "total"]) == [(1.0, 1.0, False)]
    assert q(db, "SELECT count(*) FROM findings WHERE report_id = ? AND check_id LIKE 'C401%'", [rid]) == [(2,)]

    cid = C.add_correction(db, rid, 3, "carried_over", "total", 2, "源文件为2，识别成1", "审核员甲")
    C.add_correction(db, rid, 3, "carried_over", "natural_person", 2, "源文件为2", "审核员甲")
    assert cid == 1
    assert q(db, CELL, [rid, "total"]) == [(2.0, 1.0, True)]
    assert q(
        db, "SELECT value FROM cells WHERE report_id = ? AND row_key = 'carried_over' AND col_key = 'total'", [rid]
    ) == [(1.0,)]  # the original stays
    assert q(db, "SELECT carried_over FROM report_facts WHERE report_id = ?", [rid]) == [(2.0,)]
    # the corrected carry now matches last year's carried forward: C401 is gone
    assert q(db, "SELECT count(*) FROM findings WHERE report_id = ? AND check_id LIKE 'C401%'", [rid]) == [(0,)]

    (first, second) = C.list_corrections(db)
    assert (first["correction_id"], first["author"], first["reason"], first["old_value"], first["new_value"]) == (
        1,
        "审核员甲",
        "源文件为2，识别成1",
        1.0,
        2.0,
    )
    assert first["created_at"] is not None and first["undone_at"] is None
    assert (first["agency"], first["year"]) == ("西工区商务局", 2023)

    assert C.undo_correction(db, cid) == rid
    assert q(db, CELL, [rid, "total"]) == [(1.0, 1.0, False)]
    assert q(db, "SELECT carried_over FROM report_facts WHERE report_id = ?", [rid]) == [(1.0,)]
    assert C.list_corrections(db)[0]["undone_at"] is not None
    with pytest.raises(ValueError):
        C.undo_correction(db, cid)


def test_required_fields_and_bad_targets(db):
    rid = "b" * 64
    with pytest.raises(ValueError):
        C.add_correction(db, rid, 3, "carried_over", "total", 2, "", "x")
    with pytest.raises(ValueError):
        C.add_correction(db, rid, 3, "carried_over", "total", 2, "why", " ")
    with pytest.raises(KeyError):
        C.add_correction(db, "c" * 64, 3, "carried_over", "total", 2, "why", "x")
    with pytest.raises(KeyError):
        C.add_correction(db, rid, 3, "no_such_row", "total", 2, "why", "x")
    with pytest.raises(ValueError):
        C.parse_location("table3.granted")
    assert C.parse_location("table4.review_total") == C.CellRef(4, "table4", "review_total")
    assert C.list_corrections(db) == []


def test_cli(db, capsys):
    rid = "b" * 64
    assert (
        main(["correct", rid, "table4.review_total", "3", "--reason", "原文为3", "--author", "乙", "--db", str(db)])
        == 0
    )
    assert q(db, "SELECT review_total FROM report_facts WHERE report_id = ?", [rid]) == [(3.0,)]
    assert main(["correct", rid, "table3.granted.total", "6", "--db", str(db)]) == 2  # no reason
    capsys.readouterr()
    assert main(["correct", "--list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "#1" in out and "乙" in out and "table4.review_total 0 → 3" in out and "原文为3" in out
    assert main(["correct", "--undo", "1", "--db", str(db)]) == 0
    assert q(db, "SELECT review_total FROM report_facts WHERE report_id = ?", [rid]) == [(0.0,)]


def test_quality_matrix(db):
    con = quality.connect(db)
    try:
        f = quality.report_checks(con)
        m = quality.matrix(f, years=[2021, 2022, 2023])
        only = quality.report_checks(con, checks=["C301 table3_balance"])
    finally:
        con.close()
    assert m.select("agency_name", "2021", "2022", "2023").rows() == [("西工区商务局", "—", "✓", "1")]
    assert m["report_2023"].to_list() == ["b" * 64]
    assert only["n_failing"].to_list() == [0, 0]
