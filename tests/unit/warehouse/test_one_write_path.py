"""Issue 16's four defects of the twin write paths, one test each: every warehouse, however built, has the same
schema, views, dashboard tables and catalogue ids, and a fact means one thing in every writer."""

from __future__ import annotations

import duckdb
import pytest

from pipelines import read
from pipelines.checks import known_check_ids
from pipelines.cli import main
from pipelines.corrections import add_correction
from pipelines.demo.direct import batches, build_direct, facts_frame
from pipelines.demo.generate import RI, truth
from pipelines.templates import TABLE3_COLUMNS
from pipelines.warehouse.load import facts_from_values


@pytest.fixture(scope="module")
def direct_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("direct") / "w.duckdb"
    assert main(["demo", "--direct", "--reports", "300", "--db", str(db)]) == 0
    return db


def test_direct_warehouse_exports_to_parquet(direct_db, tmp_path, capsys):
    # was: the direct warehouse had no views, so export failed on v_cells with a traceback
    out = tmp_path / "pq"
    assert main(["export", "--db", str(direct_db), "--parquet", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{out / 'reports'}: 300 rows" in printed
    con = duckdb.connect()
    n = con.execute(
        "SELECT count(*) FROM read_parquet(?, hive_partitioning = true)", [str(out / "reports/**/*.parquet")]
    )
    assert n.fetchone()[0] == 300
    n_cells = con.execute("SELECT count(*) FROM read_parquet(?)", [str(out / "cells/**/*.parquet")]).fetchone()[0]
    w = duckdb.connect(str(direct_db), read_only=True)
    assert n_cells == w.execute("SELECT count(*) FROM cells").fetchone()[0] > 0
    views = {r[0] for r in w.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert {"v_cells", "v_outcomes", "v_applications", "v_reviews_lawsuits", "v_report_summary"} <= views
    w.close()


def test_other_total_means_the_same_in_direct_mode_and_the_loader():
    b = next(batches(400, seed=3))
    r21 = [r for r in range(len(b)) if b.template[r] == "2021"][:5]
    assert len(r21) == 5
    b.t3_null[r21[0], RI["other_overdue_fee"], 6] = True  # one unknown part
    b.t3_null[r21[1], RI["other_misc"], :] = True
    ids = [f"id{r}" for r in range(len(b))]
    got = facts_frame(b, ids).to_dicts()
    n_null = 0
    for r in range(len(b)):
        t = truth(b, r)
        want = facts_from_values(t["table3"], t["table4"])
        assert {k: got[r][k] for k in want} == want, r
        n_null += want["other_total"] is None
    assert got[r21[0]]["other_total"] is None and got[r21[1]]["other_total"] is None
    assert got[r21[2]]["other_total"] == sum(
        truth(b, r21[2])["table3"][k][6] for k in ("other_overdue_correction", "other_overdue_fee", "other_misc")
    )
    assert n_null >= 2


def test_direct_mode_writes_only_catalogue_ids(direct_db):
    con = duckdb.connect(str(direct_db), read_only=True)
    ids = {r[0] for r in con.execute("SELECT DISTINCT check_id FROM findings").fetchall()}
    con.close()
    assert ids and ids <= known_check_ids(), ids - known_check_ids()
    assert "C303 table3_row_total" in ids and "P302 row_cells_missing" in ids


def test_a_correction_refreshes_the_dashboard_tables(tmp_path):
    db = tmp_path / "w.duckdb"
    build_direct(db, 200, seed=2)
    con = duckdb.connect(str(db), read_only=True)
    rid, before = con.execute(
        "SELECT report_id, new_received FROM report_facts WHERE new_received IS NOT NULL ORDER BY report_id LIMIT 1"
    ).fetchone()
    total_before = con.execute("SELECT sum(new_received) FROM report_facts").fetchone()[0]
    con.close()
    add_correction(db, rid, 3, "new_received", TABLE3_COLUMNS[-1], before + 1000, "test", "tester")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert read.freshness(con) == (True, True)  # built after the correction: the pages use them
        agg = read.aggregate(con, read.Filters(), ["applications"])
        assert agg["value"].to_list() == [total_before + 1000]
        dash = con.execute("SELECT new_received FROM report_dash WHERE report_id = ?", [rid]).fetchone()[0]
        assert dash == before + 1000
    finally:
        con.close()
