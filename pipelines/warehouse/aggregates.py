"""Pre-aggregated dashboard tables, rebuilt by ``refresh_aggregates(con)`` after every load.

- ``report_dash``        one row per report: filter columns + facts + report-list rank columns (read.build_dash)
- ``report_agg``         one row per (dataset, province, city, county, agency_type, template, year) — the grain
                         of every filter but agency — with, for every measure of read.MEASURES: a count's sum
                         and its null count (z), a rate's Σnum / Σden over reports where both are known and the count of the
                         others (z), and the report counts (n_all = all reports, n_reports = reports with facts).
                         So a rate is Σnum/Σden and n_null = Σz, exactly as over the reports themselves.
- ``report_agg_agency``  distinct (grain, agency_key) of reports with facts, ``dup`` = the agency has another cell
                         in the same year. 'agencies' per year = Σ report_agg.n_agencies_1 (agencies with a single
                         cell that year, additive) + count(DISTINCT agency_key) over the few dup rows: exact and
                         fast. Without a year grouping: count(DISTINCT) over the whole table (exact, slower).
- ``report_agg_region``  report_agg rolled up to (dataset, province, city, county, year), for the queries that
                         neither filter nor group by agency_type / template.
- ``report_agencies``    one row per agency × name × region × type × dataset with its report count and o_name
                         (rank by name, id): the sidebar's agency search is a top-N on o_name.
- ``report_findings_dash`` findings with their report's filter columns, agency name and year.
- ``report_agg_meta``    the warehouse fingerprint they were built from; read.py uses them only while it
                         matches (otherwise report_dash, otherwise the join: same results, slower).

All in one transaction: a reader sees the old set or the new set, never a mix.
"""
from __future__ import annotations

import time

from pipelines import read as R

GRAIN = R.AGG_GRAIN


def _measure_columns() -> list[str]:
    """SELECT items over alias r = report_dash (measure SQL is written over x.<col>; here r.<col>).
    z = reports with facts whose value is unknown (n_null), so a query needs one sum per part."""
    out: list[str] = []
    facts = "count(*) FILTER (WHERE r.has_facts)"
    for m in R.MEASURES.values():
        if m.key in ("reports", "agencies"):
            continue
        num, den = R._dx(m.num, True), R._dx(m.den, True) if m.den else None
        if m.kind == "count":
            out += [f"sum({num}) AS {R.agg_col(m.key, 's')}", f"{facts} - count({num}) AS {R.agg_col(m.key, 'z')}"]
        else:
            ok = f"({num}) IS NOT NULL AND ({den}) IS NOT NULL"
            out += [f"sum({num}) FILTER (WHERE {ok}) AS {R.agg_col(m.key, 'n')}",
                    f"sum({den}) FILTER (WHERE {ok}) AS {R.agg_col(m.key, 'd')}",
                    f"{facts} - count(*) FILTER (WHERE {ok}) AS {R.agg_col(m.key, 'z')}"]
    return out


def refresh_aggregates(con, verbose: bool = False) -> dict:
    """Rebuild report_dash, report_agg, report_agg_region, report_agg_agency, report_agencies,
    report_findings_dash and the fingerprint, in one transaction, on a writable connection (inside the
    caller's transaction when one is open). Call after every load, before publishing. Returns row counts
    and seconds."""
    t0 = time.perf_counter()
    steps: dict[str, float] = {}

    def lap(name: str) -> None:
        steps[name] = round(time.perf_counter() - t0 - sum(steps.values()), 2)

    g = ", ".join(f"r.{c}" for c in GRAIN)
    bar = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]
    con.execute("SET enable_progress_bar = false")
    # the caller's transaction open (same transaction id twice)? then build inside it: the caller commits
    own = con.execute("SELECT txid_current()").fetchone()[0] != con.execute("SELECT txid_current()").fetchone()[0]
    if own:
        con.execute("BEGIN TRANSACTION")
    try:
        fp = R.fingerprint(con, own=True)
        n_dash = R.build_dash(con, fp)
        lap("report_dash")
        # distinct (cell, agency) of reports with facts; dup = the agency has another cell in the same year
        con.execute(f"CREATE OR REPLACE TABLE report_agg_agency AS "
                    f"WITH k AS (SELECT agency_id, row_number() OVER (ORDER BY agency_id)::INTEGER AS agency_key "
                    f"FROM (SELECT DISTINCT agency_id FROM report_dash WHERE agency_id IS NOT NULL)), "
                    f"c AS (SELECT DISTINCT {g}, k.agency_key FROM report_dash r JOIN k ON k.agency_id = r.agency_id "
                    f"WHERE r.has_facts) "
                    f"SELECT r.*, count(*) OVER (PARTITION BY r.agency_key, r.year) > 1 AS dup FROM c r "
                    f"ORDER BY dup, {g}, r.agency_key")
        lap("report_agg_agency")
        on = " AND ".join(f"a.{c} IS NOT DISTINCT FROM s.{c}" for c in GRAIN)
        con.execute(f"CREATE OR REPLACE TABLE report_agg AS SELECT a.*, coalesce(s.n1, 0)::BIGINT AS n_agencies_1 "
                    f"FROM (SELECT {g}, count(*)::BIGINT AS n_all, "
                    "count(*) FILTER (WHERE r.has_facts)::BIGINT AS n_reports, "
                    + ", ".join(_measure_columns())
                    + f" FROM report_dash r GROUP BY {g}) a "
                    f"LEFT JOIN (SELECT {g}, count(*) AS n1 FROM report_agg_agency r WHERE NOT r.dup GROUP BY {g}) s "
                    f"ON {on} ORDER BY " + ", ".join(f"a.{c}" for c in GRAIN))
        lap("report_agg")
        # the same sums rolled up without agency_type / template (most page queries filter neither): 3× fewer rows
        cg = ", ".join(f"r.{c}" for c in R.AGG_COARSE)
        sums = [c for c, in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'report_agg' "
                                        "AND schema_name = current_schema() ORDER BY column_index").fetchall()
                if c not in GRAIN]
        con.execute(f"CREATE OR REPLACE TABLE report_agg_region AS SELECT {cg}, "
                    + ", ".join(f"sum(r.{c})::{'DOUBLE' if c.startswith('m_') and not c.endswith('_z') else 'BIGINT'}"
                                f" AS {c}" for c in sums)
                    + f" FROM report_agg r GROUP BY {cg} ORDER BY {cg}")
        lap("report_agg_region")
        con.execute("CREATE OR REPLACE TABLE report_agencies AS SELECT *, row_number() OVER (ORDER BY a.agency_name, "
                    "a.agency_id, a.dataset, a.province, a.city, a.county, a.agency_type) AS o_name FROM "
                    "(SELECT r.agency_id, r.agency_name, r.dataset, r.province, r.city, r.county, r.agency_type, "
                    "count(*)::BIGINT AS n FROM report_dash r WHERE r.agency_id IS NOT NULL GROUP BY ALL) a "
                    "ORDER BY o_name")
        lap("report_agencies")
        # findings with the reports' filter columns (the report page's findings list without a join)
        fcols = ", ".join(f"r.{c}" for c in ("dataset", "province", "city", "county", "agency_id", "agency_type",
                                              "template", "agency_name", "year"))
        con.execute(f"CREATE OR REPLACE TABLE report_findings_dash AS SELECT fi.report_id, {fcols}, fi.seq, "
                    "fi.check_id, fi.severity, fi.location, fi.message FROM findings fi "
                    "JOIN report_dash r ON r.report_id = fi.report_id ORDER BY r.agency_name, r.year, fi.report_id, fi.seq")
        con.execute("CREATE OR REPLACE TABLE report_agg_meta (fingerprint VARCHAR)")
        con.execute("INSERT INTO report_agg_meta VALUES (?)", [fp])
        if own:
            con.execute("COMMIT")
        lap("findings+commit")
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    finally:
        con.execute(f"SET enable_progress_bar = {'true' if str(bar).lower() == 'true' else 'false'}")
    sizes = {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # fixed table names
             for t in ("report_agg", "report_agg_region", "report_agg_agency", "report_agencies",
                       "report_findings_dash")}
    out = {"report_dash": n_dash, **sizes, "seconds": round(time.perf_counter() - t0, 2), "steps": steps}
    if verbose:
        print(f"refresh_aggregates: {out}", flush=True)
    return out
