"""Pre-aggregated dashboard tables, rebuilt by ``refresh_aggregates(con)`` after every load.

- ``report_dash``        one row per report: filter columns + facts + report-list rank columns (dash.py)
- ``report_agg``         one row per (dataset, province, city, county, agency_type, template, year) — the grain
                         of every filter but agency — with, for every measure of measures.MEASURES: a count's sum
                         and its null count (z), a rate's Σnum / Σden over reports where both are known (and, for a
                         share, 0 ≤ num ≤ den), the count of those with a part unknown (z) and of the anomalous (x), and the report counts (n_all = all reports, n_reports = reports with facts).
                         So a rate is Σnum/Σden and n_null = Σz, exactly as over the reports themselves.
- ``report_agg_agency``  distinct (grain, agency_key) of reports with facts, ``dup`` = the agency has another cell
                         in the same year. 'agencies' per year = Σ report_agg.n_agencies_1 (agencies with a single
                         cell that year, additive) + count(DISTINCT agency_key) over the few dup rows: exact and
                         fast. Without a year grouping: count(DISTINCT) over the whole table (exact, slower).
- ``report_agg_region``  report_agg rolled up to (dataset, province, city, county, year), for the queries that
                         neither filter nor group by agency_type / template.
- ``report_agencies``    one row per agency × name × region × type × dataset with its report count and o_name
                         (rank by name, id): the sidebar's agency search is a top-N on o_name.
- ``report_findings_dash`` (a view) findings with their report's filter columns, agency name and year.
- ``report_agg_meta``    the warehouse fingerprint they were built from; pipelines.read uses them only while it
                         matches (otherwise report_dash, otherwise the join: same results, slower).

All in one transaction: a reader sees the old set or the new set, never a mix.
"""

from __future__ import annotations

import time

import duckdb

from pipelines.sqlq import Sql, ident, run
from pipelines.warehouse import measures as M
from pipelines.warehouse.dash import build_dash, fingerprint

GRAIN = M.AGG_GRAIN

# The statements below do not vary at run time: they are composed once, here, from constant fragments and
# identifiers checked against the allow-lists of pipelines.warehouse.measures (grain columns ⊂ REPORT_COLUMNS,
# measure formulas from measure_sql, report_agg columns from agg_ident); ValueError at import for anything else.


def _cols(alias: Sql, names: tuple[str, ...]) -> Sql:
    """``alias.c1, alias.c2, …`` for allow-listed report columns."""
    return Sql(", ").join(Sql("{a}.{c}").format(a=alias, c=ident(c, M.REPORT_COLUMNS, "grain column")) for c in names)


def _measure_columns() -> list[tuple[str, Sql]]:
    """(column name, SELECT item over alias r = report_dash) of every measure part of report_agg.
    z = reports with facts whose value is unknown (n_null), so a query needs one sum per part."""
    out: list[tuple[str, Sql]] = []
    facts = Sql("count(*) FILTER (WHERE r.has_facts)")
    for m in M.MEASURES.values():
        parts = M.agg_parts(m)
        if not parts:
            continue
        num, den = M.measure_sql(m.key, dash=True)
        c = {part: M.agg_ident(m.key, part) for part in parts}
        if m.kind == "count":
            items = {
                "s": Sql("sum({num}) AS {c}").format(num=num, c=c["s"]),
                "z": Sql("{facts} - count({num}) AS {c}").format(facts=facts, num=num, c=c["z"]),
            }
        else:
            assert den is not None  # a rate has a denominator
            ok, bad = M.rate_sql(m.key, dash=True)
            items = {
                "n": Sql("sum({num}) FILTER (WHERE {ok}) AS {c}").format(num=num, ok=ok, c=c["n"]),
                "d": Sql("sum({den}) FILTER (WHERE {ok}) AS {c}").format(den=den, ok=ok, c=c["d"]),
                "z": Sql("{facts} - count(*) FILTER (WHERE ({ok}) OR ({bad})) AS {c}").format(
                    facts=facts, ok=ok, bad=bad, c=c["z"]
                ),
                "x": Sql("count(*) FILTER (WHERE {bad}) AS {c}").format(bad=bad, c=c["x"]),
            }
        out += [(M.agg_col(m.key, part), items[part]) for part in parts]
    return out


_MEASURE_COLUMNS = _measure_columns()
# report_agg's columns after the grain, in order (report_agg_region sums each of them)
AGG_SUMS = ("n_all", "n_reports", *(c for c, _ in _MEASURE_COLUMNS), "n_agencies_1")
_SUM_COLUMNS = M.AGG_COLUMNS | {"n_all", "n_reports", "n_agencies_1"}
_G = _cols(Sql("r"), GRAIN)

# distinct (cell, agency) of reports with facts; dup = the agency has another cell in the same year
_AGG_AGENCY = Sql(
    "CREATE OR REPLACE TABLE report_agg_agency AS "
    "WITH k AS (SELECT agency_id, row_number() OVER (ORDER BY agency_id)::INTEGER AS agency_key "
    "FROM (SELECT DISTINCT agency_id FROM report_dash WHERE agency_id IS NOT NULL)), "
    "c AS (SELECT DISTINCT {g}, k.agency_key FROM report_dash r JOIN k ON k.agency_id = r.agency_id "
    "WHERE r.has_facts) "
    "SELECT r.*, count(*) OVER (PARTITION BY r.agency_key, r.year) > 1 AS dup FROM c r "
    "ORDER BY dup, {g}, r.agency_key"
).format(g=_G)
_AGG = Sql(
    "CREATE OR REPLACE TABLE report_agg AS SELECT a.*, coalesce(s.n1, 0)::BIGINT AS n_agencies_1 "
    "FROM (SELECT {g}, count(*)::BIGINT AS n_all, count(*) FILTER (WHERE r.has_facts)::BIGINT AS n_reports, "
    "{measures} FROM report_dash r GROUP BY {g}) a "
    "LEFT JOIN (SELECT {g}, count(*) AS n1 FROM report_agg_agency r WHERE NOT r.dup GROUP BY {g}) s "
    "ON {on} ORDER BY {order}"
).format(
    g=_G,
    measures=Sql(", ").join(item for _, item in _MEASURE_COLUMNS),
    on=Sql(" AND ").join(
        Sql("a.{c} IS NOT DISTINCT FROM s.{c}").format(c=ident(c, M.REPORT_COLUMNS, "grain column")) for c in GRAIN
    ),
    order=_cols(Sql("a"), GRAIN),
)
# the same sums rolled up without agency_type / template (most page queries filter neither): 3× fewer rows
_CG = _cols(Sql("r"), M.AGG_COARSE)
_AGG_REGION = Sql(
    "CREATE OR REPLACE TABLE report_agg_region AS SELECT {cg}, {sums} FROM report_agg r GROUP BY {cg} ORDER BY {cg}"
).format(
    cg=_CG,
    sums=Sql(", ").join(  # sums of measure parts stay DOUBLE, counts BIGINT
        (
            Sql("sum(r.{c})::DOUBLE AS {c}")
            if c.startswith("m_") and not c.endswith(("_z", "_x"))
            else Sql("sum(r.{c})::BIGINT AS {c}")
        ).format(c=ident(c, _SUM_COLUMNS, "report_agg column"))
        for c in AGG_SUMS
    ),
)
_AGENCIES = (
    "CREATE OR REPLACE TABLE report_agencies AS SELECT *, row_number() OVER (ORDER BY a.agency_name, "
    "a.agency_id, a.dataset, a.province, a.city, a.county, a.agency_type) AS o_name FROM "
    "(SELECT r.agency_id, r.agency_name, r.dataset, r.province, r.city, r.county, r.agency_type, "
    "count(*)::BIGINT AS n FROM report_dash r WHERE r.agency_id IS NOT NULL GROUP BY ALL) a "
    "ORDER BY o_name"
)
# findings with the reports' filter columns (the report page's findings list): a view, not a copy. A copy
# was rebuilt at every publish, inside the writer's transaction, so the ingest's peak memory grew with the
# number of findings in the warehouse (≈ +100 MB per 100k findings), and its sort could not finish within the
# writer's memory limit at a few million findings. The join is as fast on the page (one city: 16 vs 14 ms at 1M reports).
_FINDINGS_DASH = (
    "CREATE OR REPLACE VIEW report_findings_dash AS SELECT fi.report_id, r.dataset, r.province, "
    "r.city, r.county, r.agency_id, r.agency_type, r.template, r.agency_name, r.year, fi.seq, "
    "fi.check_id, fi.severity, fi.location, fi.message FROM findings fi "
    "JOIN report_dash r ON r.report_id = fi.report_id"
)
# warehouses built before it was a view hold a table of that name
_FINDINGS_DASH_IS_TABLE = (
    "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'report_findings_dash' "
    "AND schema_name = current_schema() AND NOT temporary"
)
_DROP_FINDINGS_DASH_TABLE = "DROP TABLE report_findings_dash"
_PROGRESS_BAR = {True: "SET enable_progress_bar = true", False: "SET enable_progress_bar = false"}
_SIZES = ("report_agg", "report_agg_region", "report_agg_agency", "report_agencies", "report_findings_dash")
_SIZES_SQL = (
    "SELECT (SELECT count(*) FROM report_agg), (SELECT count(*) FROM report_agg_region), "
    "(SELECT count(*) FROM report_agg_agency), (SELECT count(*) FROM report_agencies), "
    "(SELECT count(*) FROM report_findings_dash)"
)


def refresh_aggregates(con, verbose: bool = False) -> dict:
    """Rebuild report_dash, report_agg, report_agg_region, report_agg_agency, report_agencies,
    report_findings_dash and the fingerprint, in one transaction, on a writable connection (inside the
    caller's transaction when one is open). Call after every load, before publishing. Returns row counts
    and seconds."""
    t0 = time.perf_counter()
    steps: dict[str, float] = {}

    def lap(name: str) -> None:
        steps[name] = round(time.perf_counter() - t0 - sum(steps.values()), 2)

    bar = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]
    con.execute(_PROGRESS_BAR[False])
    # the caller's transaction open (same transaction id twice)? then build inside it: the caller commits
    own = con.execute("SELECT txid_current()").fetchone()[0] != con.execute("SELECT txid_current()").fetchone()[0]
    if own:
        con.execute("BEGIN TRANSACTION")
    try:
        fp = fingerprint(con, own=True)
        n_dash = build_dash(con, fp)
        lap("report_dash")
        run(con, _AGG_AGENCY)
        lap("report_agg_agency")
        run(con, _AGG)
        lap("report_agg")
        run(con, _AGG_REGION)
        lap("report_agg_region")
        con.execute(_AGENCIES)
        lap("report_agencies")
        if con.execute(_FINDINGS_DASH_IS_TABLE).fetchone()[0]:
            con.execute(_DROP_FINDINGS_DASH_TABLE)
        con.execute(_FINDINGS_DASH)
        con.execute("CREATE OR REPLACE TABLE report_agg_meta (fingerprint VARCHAR)")
        con.execute("INSERT INTO report_agg_meta VALUES (?)", [fp])
        if own:
            con.execute("COMMIT")
        lap("findings+commit")
    except BaseException:
        if own:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:  # DuckDB may have ended the failed transaction itself: keep the first error
                pass
        raise
    finally:
        con.execute(_PROGRESS_BAR[str(bar).lower() == "true"])
    sizes = dict(zip(_SIZES, (int(n) for n in con.execute(_SIZES_SQL).fetchone())))
    out = {"report_dash": n_dash, **sizes, "seconds": round(time.perf_counter() - t0, 2), "steps": steps}
    if verbose:
        print(f"refresh_aggregates: {out}", flush=True)
    return out
