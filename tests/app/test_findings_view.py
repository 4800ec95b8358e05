"""report_findings_dash is a view over findings ⋈ report_dash (no copy rebuilt at every publish), and a
warehouse still holding it as a table (built before) gets the view on its next refresh."""

from __future__ import annotations

import duckdb
import pytest

from pipelines import read as R
from pipelines.warehouse.aggregates import refresh_aggregates

COLS = (
    "report_id, dataset, province, city, county, agency_id, agency_type, template, agency_name, year, "
    "seq, check_id, severity, location, message"
)
EXPECTED = (
    "SELECT fi.report_id, r.dataset, r.province, r.city, r.county, r.agency_id, r.agency_type, r.template, "
    "r.agency_name, r.year, fi.seq, fi.check_id, fi.severity, fi.location, fi.message "
    "FROM findings fi JOIN reports r ON r.report_id = fi.report_id ORDER BY ALL"
)


@pytest.fixture()
def con(tmp_path):
    from pipelines.demo.direct import build_direct

    p = tmp_path / "xxgk.duckdb"
    build_direct(p, 200, seed=5)
    c = duckdb.connect(str(p))
    yield c
    c.close()


def _kind(con) -> str | None:
    row = con.execute(
        "SELECT 'view' FROM duckdb_views() WHERE view_name = 'report_findings_dash' UNION ALL "
        "SELECT 'table' FROM duckdb_tables() WHERE table_name = 'report_findings_dash'"
    ).fetchall()
    assert len(row) <= 1
    return row[0][0] if row else None


def test_view_holds_every_finding_with_its_report(con):
    refresh_aggregates(con)
    assert _kind(con) == "view"
    n = con.execute("SELECT count(*) FROM findings").fetchone()[0]
    assert n > 0
    got = con.execute(f"SELECT {COLS} FROM report_findings_dash ORDER BY ALL").fetchall()
    assert len(got) == n
    assert got == con.execute(EXPECTED).fetchall()


def test_old_table_replaced_by_the_view(con):
    # a warehouse built before: a stale copy under the same name
    assert _kind(con) == "view"  # build_direct refreshes, as an ingest does
    con.execute("DROP VIEW report_findings_dash")
    con.execute("CREATE TABLE report_findings_dash AS SELECT 'stale' AS report_id")
    assert _kind(con) == "table"
    info = refresh_aggregates(con)
    assert _kind(con) == "view"
    assert info["report_findings_dash"] == con.execute("SELECT count(*) FROM findings").fetchone()[0]
    # being a view it follows findings without a rebuild (the pages still check the fingerprint first)
    rid = con.execute("SELECT report_id FROM reports ORDER BY report_id LIMIT 1").fetchone()[0]
    con.execute(
        "INSERT INTO findings (report_id, seq, check_id, severity, location, message) "
        "VALUES (?, 9999, 'C999 test', 'warning', 'table3', 'added after the refresh')",
        [rid],
    )
    assert con.execute("SELECT message FROM report_findings_dash WHERE seq = 9999").fetchall() == [
        ("added after the refresh",)
    ]
    assert not R.has_agg(con)  # the fingerprint counts findings: the pages fall back until the next refresh
