"""Direct scale mode: row counts, facts equal to the generator's truth, determinism, rebuild."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.demo.direct import build_direct
from pipelines.demo.generate import generate
from pipelines.templates import TABLE3_COLUMNS, get


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    db = tmp_path_factory.mktemp("direct") / "w.duckdb"
    info = build_direct(db, 400, seed=5)
    con = duckdb.connect(str(db), read_only=True)
    yield info, con
    con.close()


def test_counts(small):
    info, con = small
    assert info["n_reports"] == 400 and info["with_cells"]
    assert con.execute("SELECT count(*), count(DISTINCT report_id) FROM reports").fetchone() == (400, 400)
    assert con.execute("SELECT count(*) FROM report_facts").fetchone()[0] == 400
    assert con.execute("SELECT DISTINCT dataset, format FROM reports").fetchall() == [("demo", "synthetic")]
    truth = generate(seed=5)[:400]
    n_cells = sum(len(get(t["template"]).table2_keys) + 7 * len(t["table3"]) + 15 for t in truth)
    assert con.execute("SELECT count(*) FROM cells").fetchone()[0] == info["n_cells"] == n_cells
    n_find = sum(len(t["faults"]) for t in truth)
    assert n_find > 0
    assert con.execute("SELECT count(*) FROM findings").fetchone()[0] == info["n_findings"] == n_find
    st = dict(con.execute("SELECT status, count(*) FROM reports GROUP BY 1").fetchall())
    assert st["ok"] == sum(not t["faults"] for t in truth)
    assert con.execute("SELECT n_loaded FROM ingest_runs").fetchone()[0] == 400


def test_facts_equal_generator_truth(small):
    _, con = small
    truth = generate(seed=5)[:400]
    rows = con.execute(
        "SELECT r.report_id, r.agency, r.agency_id, r.year, r.template, r.county, f.new_received, f.new_natural_person,"
        " f.granted, f.other_total, f.total_handled, f.carried_forward, f.review_total, f.review_corrected,"
        " r.fees_collected_yuan FROM reports r JOIN report_facts f USING (report_id)"
    ).fetchall()
    got = {r[0]: r[1:] for r in rows}
    for t in truth:
        g = got[t["report_id"]]
        t3 = t["table3"]
        other = (
            t3["other"][6]
            if t["template"] == "2019"
            else (
                None
                if None in [t3[k][6] for k in ("other_overdue_correction", "other_overdue_fee", "other_misc")]
                else sum(t3[k][6] for k in ("other_overdue_correction", "other_overdue_fee", "other_misc"))
            )
        )
        assert g == (
            t["agency"],
            t["agency_id"],
            t["year"],
            t["template"],
            t["region"]["county"],
            t3["new_received"][6],
            t3["new_received"][0],
            t3["granted"][6],
            other,
            t3["total_handled"][6],
            t3["carried_forward"][6],
            t["table4"][4],
            t["table4"][1],
            t["fees_collected_yuan"],
        )
    # totals over all reports (nulls skipped as SQL does)
    s = con.execute("SELECT sum(new_received), sum(review_total) FROM report_facts").fetchone()
    assert s[0] == sum(t["table3"]["new_received"][6] or 0 for t in truth)
    assert s[1] == sum(t["table4"][4] or 0 for t in truth)


def test_cells_match_truth_including_nulls(small):
    _, con = small
    truth = [t for t in generate(seed=5)[:400] if t["faults"]]
    for t in truth[:10]:
        got = {
            (r, c): (v, s)
            for r, c, v, s in con.execute(
                "SELECT row_key, col_key, value, state FROM cells WHERE report_id = ? AND table_no = 3",
                [t["report_id"]],
            ).fetchall()
        }
        lost = {tuple(f["where"].split(".")[1:]) for f in t["faults"] if f["kind"] == "lost_cell"}
        for key, row in t["table3"].items():
            for c, v in enumerate(row):
                col = TABLE3_COLUMNS[c]
                want = "number" if v is not None else "missing" if (key, col) in lost else "blank"
                assert got[(key, col)] == (v, want)


def test_deterministic_rebuild_and_scale_pool(tmp_path):
    db = tmp_path / "w.duckdb"
    q = "SELECT report_id, agency, province, year, new_received, review_total FROM reports JOIN report_facts USING (report_id) ORDER BY report_id"
    a = build_direct(db, 3000, seed=1, with_cells=False)
    assert a["n_cells"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        first = con.execute(q).fetchall()
        provinces = con.execute("SELECT count(DISTINCT province) FROM reports").fetchone()[0]
        assert con.execute("SELECT count(*) FROM cells").fetchone()[0] == 0
    assert len(first) == 3000 and provinces >= 2  # beyond the demo city: other real regions
    build_direct(db, 3000, seed=1, with_cells=False)  # rebuild replaces the dataset, no duplicates
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(q).fetchall() == first
        assert con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 2


def test_a_small_demo_spans_the_citys_districts(tmp_path):
    """A demo smaller than the city's own agencies' reports (the review's 40) takes whole agencies across the city's
    units, the city's and each district's in turn: its district views are not empty. The same n and seed give the
    same reports; a demo that reaches the districts in the city's own order (200, 300 … of the tests) is as before:
    the batch's first n reports."""
    from pipelines.demo.direct import batches
    from pipelines.demo.generate import YEARS, city_agencies, rng_for, simulate

    whole = simulate(city_agencies("洛阳市", 1.0, YEARS), rng_for(0, 0), YEARS)
    ids = [whole.report_id(r) for r in range(len(whole))]
    own = sum(1 for i in whole.agency_idx if whole.agencies[i].county[0][1] is None)
    first_district = next(r for r in range(len(whole)) if whole.agencies[whole.agency_idx[r]].county[0][1])
    assert own == first_district == 175  # the city's own agencies' 175 reports come first

    small = list(batches(40, seed=0))
    assert len(small) == 1 and len(small[0]) == 40
    got = [small[0].report_id(r) for r in range(40)]
    assert set(got) <= set(ids) and got != ids[:40]
    db = tmp_path / "w40.duckdb"
    build_direct(db, 40, seed=0)
    con = duckdb.connect(str(db), read_only=True)
    assert sorted(r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()) == sorted(got)
    n_city, n_counties = con.execute(
        "SELECT count(*) FILTER (WHERE county IS NULL), count(DISTINCT county) FROM reports"
    ).fetchone()
    con.close()
    assert n_city >= 7 and n_counties >= 4, (n_city, n_counties)
    assert [small[0].report_id(r) for r in range(40)] == [next(batches(40, seed=0)).report_id(r) for r in range(40)]
    # past the city's own agencies, the first n reports as before
    for n in (176, 300):
        b = next(batches(n, seed=0))
        assert [b.report_id(r) for r in range(n)] == ids[:n]
