"""``report_dash`` and the warehouse fingerprint: written here (a writer's job), read by ``pipelines.read``.

report_dash holds every reports column the pages read + report_facts in one table (LEFT JOIN; has_facts marks
the rows with facts), so aggregates need no join on the 64-character report_id (that join dominated
every page: ~1 s at 1M reports on 2 cores), plus one integer rank column per report-list order (o_*),
so a page of the list is a top-N on one integer. report_agg (pipelines/warehouse/aggregates.py) holds
the sums at the filters' grain. Both are built by a writer (ingest / build_direct / bench) and used only
while their fingerprint matches the warehouse; otherwise the queries fall back (same results, slower).
"""

from __future__ import annotations

from pipelines.sqlq import Sql, expr, ident, run
from pipelines.warehouse.measures import EXPR_COLUMNS, REPORT_COLUMNS, over_dash

DASH_VERSION = 6  # bump when report_dash / report_agg change shape: older copies then count as stale
DASH_COLUMNS = (
    "report_id",
    "dataset",
    "province",
    "city",
    "county",
    "agency_id",
    "agency_name",
    "agency_type",
    "year",
    "template",
    "status",
    "n_findings",
    "format",
    "source_path",
    "sha256",
)
# report-list order → (ORDER BY over alias r, with report_id as the final tie-break; rank column in report_dash)
REPORT_SORT = {
    "year": "r.year DESC, r.agency_name",
    "agency": "r.agency_name, r.year DESC",
    "county": "r.county, r.agency_name, r.year DESC",
    "findings": "r.n_findings DESC, r.agency_name",
    "applications": "x.new_received DESC NULLS LAST, r.agency_name",
}
SOURCES_ORDER = "r.county, r.agency_name, r.year"
DASH_ORDERS = {**{f"o_{k}": v for k, v in REPORT_SORT.items()}, "o_sources": SOURCES_ORDER}
# build_dash's statements (fixed: composed once, here, from the allow-listed columns and orders)
_DASH_SELECT = Sql(
    "SELECT {cols}, x.report_id IS NOT NULL AS has_facts, x.* EXCLUDE (report_id) "
    "FROM reports r LEFT JOIN report_facts x ON x.report_id = r.report_id"
).format(cols=Sql(", ").join(Sql("r.{c}").format(c=ident(c, REPORT_COLUMNS, "column")) for c in DASH_COLUMNS))
_DASH_ROWS = Sql("CREATE OR REPLACE TEMP TABLE _dash_rows AS ") + _DASH_SELECT + Sql(" LIMIT 0")
_DASH_PARTS = "SELECT dataset, province FROM reports GROUP BY ALL ORDER BY dataset, province"
_DASH_ROWS_PART = (
    Sql("INSERT INTO _dash_rows ")
    + _DASH_SELECT
    + Sql(
        " WHERE r.dataset IS NOT DISTINCT FROM ? AND r.province IS NOT DISTINCT FROM ? "
        "ORDER BY r.city, r.county, r.year"
    )
)
# report-list ranks by sorting, not windows: row_number() over all reports kept the whole set in memory (over
# the writer's 256 MB near 2M reports); ORDER BY spills. Per order: the rows' positions in that order
# (_rank_o_*: rowid = rank - 1), then those ranks back in row order (_pos_o_*), all joined by position.
_RANK_KEYS = tuple(ident(k, DASH_ORDERS, "rank column") for k in DASH_ORDERS)
_DASH_RANK_STEPS = tuple(
    (
        Sql(
            "CREATE OR REPLACE TEMP TABLE _rank_{k} AS SELECT r.rowid AS _rid FROM _dash_rows r "
            "ORDER BY {o}, r.report_id"
        ).format(k=k, o=expr(over_dash(DASH_ORDERS[str(k)], True), EXPR_COLUMNS)),
        Sql(
            "CREATE OR REPLACE TEMP TABLE _pos_{k} AS SELECT t.rowid + 1 AS {k} FROM _rank_{k} t ORDER BY t._rid"
        ).format(k=k),
        Sql("DROP TABLE _rank_{k}").format(k=k),
    )
    for k in _RANK_KEYS
)
_DASH_RANKS = Sql("CREATE OR REPLACE TEMP TABLE _dash_ranks AS SELECT * FROM {pos}").format(
    pos=Sql(" POSITIONAL JOIN ").join(Sql("_pos_{k}").format(k=k) for k in _RANK_KEYS)
)
_DASH_RANKS_DROP = tuple(Sql("DROP TABLE _pos_{k}").format(k=k) for k in _RANK_KEYS)
_FINGERPRINT = (
    "SELECT (SELECT count(*) FROM reports), (SELECT max(ingested_at) FROM reports)::VARCHAR, "
    "(SELECT count(*) FROM report_facts), (SELECT count(*) FROM findings), (SELECT count(*) FROM corrections), "
    "(SELECT max(greatest(created_at, coalesce(undone_at, created_at))) FROM corrections)::VARCHAR"
)


def fingerprint(con, own: bool = False) -> str:
    """The warehouse's fingerprint. ``own``: on ``con`` itself (a writer inside its transaction sees its own
    writes); otherwise on a cursor (readers share a connection across threads)."""
    return repr((DASH_VERSION,) + tuple((con if own else con.cursor()).execute(_FINGERPRINT).fetchone()))


def build_dash(con, fp: str | None = None) -> int:
    """(Re)build report_dash on a writable connection; returns its row count. Call after every load
    (pipelines.warehouse.aggregates.refresh_aggregates calls it, in its transaction).

    The rank columns come from sorts of row numbers alone (see _DASH_RANK_STEPS) and are attached by
    position, so no sort carries the fact columns. The wide rows are stored in region order
    (dataset, province, city, county, year: DuckDB's zone maps then skip most of the table for a region
    filter), sorted one (dataset, province) at a time: one sort of all of them could not finish within the
    ingest writer's memory limit at a million reports."""
    fp = fp or fingerprint(con, own=True)
    run(con, _DASH_ROWS)
    for part in con.execute(_DASH_PARTS).fetchall():
        run(con, _DASH_ROWS_PART, list(part))
    for step in _DASH_RANK_STEPS:
        for q in step:
            run(con, q)
    run(con, _DASH_RANKS)
    for q in _DASH_RANKS_DROP:
        run(con, q)
    con.execute("CREATE OR REPLACE TABLE report_dash AS SELECT * FROM _dash_rows POSITIONAL JOIN _dash_ranks")
    con.execute("DROP TABLE _dash_rows")
    con.execute("DROP TABLE _dash_ranks")
    con.execute("CREATE OR REPLACE TABLE report_dash_meta (fingerprint VARCHAR)")
    con.execute("INSERT INTO report_dash_meta VALUES (?)", [fp])
    return int(con.execute("SELECT count(*) FROM report_dash").fetchone()[0])
