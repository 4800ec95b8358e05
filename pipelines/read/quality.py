"""The data-quality queries: checks failing per report, the agency × year matrix, findings, corrections
(polars frames, bound parameters only)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import duckdb
import polars as pl

from pipelines import settings
from pipelines.read.filters import Filters, _and, _where
from pipelines.sqlq import Sql, frame, pick
from pipelines.warehouse.db import connect_read


class Con(Protocol):
    """What the queries need of a connection: a read-only DuckDB connection, or the dashboard's snapshot."""

    def execute(self, sql: str, params: Any = None) -> Any: ...

    def cursor(self) -> Any: ...


DEFAULT_DB = str(settings.DEFAULT_DB)
SEVERITIES = ("error", "warning", "info")
MISSING, OK = "—", "✓"


def db_path() -> str:
    return str(settings.db_path())


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (``XXGK_DB`` when no path is given)."""
    return connect_read(path or db_path())


def _frame(con: Con, sql: str, params: Sequence | None = None) -> pl.DataFrame:
    cur = con.execute(sql, list(params or []))
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return (
        pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
        if rows
        else pl.DataFrame({n: [] for n in names})
    )


def check_ids(con: Con) -> list[str]:
    """Every check that produced a finding in the warehouse, sorted."""
    return [r[0] for r in con.execute("SELECT DISTINCT check_id FROM findings ORDER BY check_id").fetchall()]


def datasets(con: Con) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT dataset FROM reports ORDER BY dataset").fetchall()]


def _scope(f: Filters | None, dataset: str | None) -> tuple[Sql, list]:
    """WHERE over reports r: the sidebar's filters (or the one dataset of the older signature)."""
    if f is None:
        f = Filters(datasets=(dataset,) if dataset else ())
    return _where(f)


def report_checks(
    con: Con,
    checks: Sequence[str] | None = None,
    severities: Sequence[str] = ("error", "warning"),
    dataset: str | None = None,
    f: Filters | None = None,
) -> pl.DataFrame:
    """One row per report of the selection ``f``: agency, year, report_id, n_failing (distinct checks failing,
    among the chosen checks and severities), n_findings, n_error, n_warning, failing (those check ids)."""
    w, p = _scope(f, dataset)
    sql = Sql(
        "SELECT r.report_id, r.dataset, coalesce(r.agency_id, r.agency) AS agency_id, "
        "coalesce(r.agency_name, r.agency) AS agency_name, r.province, r.city, r.county, r.year, "
        "count(DISTINCT fi.check_id) AS n_failing, count(fi.check_id) AS n_findings, "
        "count(fi.check_id) FILTER (WHERE fi.severity = 'error') AS n_error, "
        "count(fi.check_id) FILTER (WHERE fi.severity = 'warning') AS n_warning, "
        "string_agg(DISTINCT fi.check_id, '; ' ORDER BY fi.check_id) AS failing "
        "FROM reports r LEFT JOIN findings fi ON fi.report_id = r.report_id "
        "AND list_contains(?, fi.severity) AND (? IS NULL OR list_contains(?, fi.check_id)) "
        "{w} GROUP BY ALL ORDER BY agency_name, r.year"
    ).format(w=w)
    sev = list(severities)
    chk = list(checks) if checks else None
    return frame(con.cursor(), sql, [sev, chk, chk] + p)


# a finding's location → the cell a correction names (corrections.CellRef.where)
_CORRECTED = Sql(
    "SELECT DISTINCT report_id, CASE table_no WHEN 3 THEN 'table3.' || row_key || '.' || col_key "
    "WHEN 4 THEN 'table4.' || col_key ELSE 'table2.' || row_key END AS location "
    "FROM corrections WHERE undone_at IS NULL"
)


def findings_list(
    con: Con,
    f: Filters,
    checks: Sequence[str] | None = None,
    severities: Sequence[str] = ("error", "warning"),
    limit: int = 200_000,
) -> pl.DataFrame:
    """The quality export: one row per finding of the selection (report, agency, city, county, year, check,
    severity, where, message, status: 'corrected' when a correction in force names that cell, else 'open')."""
    w, p = _where(f)
    sql = Sql(
        "SELECT r.report_id, coalesce(r.agency_name, r.agency) AS agency_name, r.city, r.county, r.year, fi.check_id, "
        "fi.severity, fi.location, fi.message, "
        "CASE WHEN c.report_id IS NOT NULL THEN 'corrected' ELSE 'open' END AS status "
        "FROM reports r JOIN findings fi ON fi.report_id = r.report_id "
        "AND list_contains(?, fi.severity) AND (? IS NULL OR list_contains(?, fi.check_id)) "
        "LEFT JOIN ({corrected}) c ON c.report_id = fi.report_id AND c.location = fi.location "
        "{w} ORDER BY agency_name, r.year, r.report_id, fi.seq LIMIT ?"
    ).format(corrected=_CORRECTED, w=w)
    chk = list(checks) if checks else None
    return frame(con.cursor(), sql, [list(severities), chk, chk] + p + [int(limit)])


def matrix(frame: pl.DataFrame, years: Sequence[int] | None = None) -> pl.DataFrame:
    """Agency × year from report_checks(): a cell is ✓ (no failing check), the number of failing
    checks, or — (no report that year). Sorted by agency name."""
    if frame.is_empty():
        return pl.DataFrame({"agency_id": [], "agency_name": []}, schema={"agency_id": pl.Utf8, "agency_name": pl.Utf8})
    present = [int(y) for y in frame["year"].drop_nulls().to_list()]
    yrs = sorted(years) if years else (list(range(min(present), max(present) + 1)) if present else [])
    f = frame.filter(pl.col("year").is_not_null()).with_columns(
        pl.when(pl.col("n_failing") == 0).then(pl.lit(OK)).otherwise(pl.col("n_failing").cast(pl.Utf8)).alias("cell"),
        pl.col("year").cast(pl.Int64),
    )
    # several reports for one agency-year (different datasets): keep the worst
    f = f.sort("n_failing", descending=True).unique(subset=["agency_id", "year"], keep="first")
    agencies = f.select("agency_id", "agency_name", "province", "city", "county").unique("agency_id")
    out = agencies
    for y in yrs:
        col = f.filter(pl.col("year") == y).select(
            "agency_id", pl.col("cell").alias(str(y)), pl.col("report_id").alias(f"report_{y}")
        )
        out = out.join(col, on="agency_id", how="left")
        out = out.with_columns(pl.col(str(y)).fill_null(MISSING))
    totals = f.group_by("agency_id").agg(pl.col("n_failing").sum().alias("total_failing"))
    return out.join(totals, on="agency_id", how="left").sort("agency_name")


def matrix_years(m: pl.DataFrame) -> list[int]:
    return [int(c) for c in m.columns if c.isdigit()]


def findings_of(con: Con, report_id: str) -> pl.DataFrame:
    return _frame(
        con,
        "SELECT seq, check_id, severity, location, message FROM findings WHERE report_id = ? ORDER BY seq",
        [report_id],
    )


def corrections(con: Con) -> pl.DataFrame:
    from pipelines.corrections import LIST_SQL

    return _frame(con, LIST_SQL)


def corrections_needing_review(con, f: Filters = Filters()) -> pl.DataFrame:
    """Hand corrections made on an earlier edition of a report whose current edition reads another value
    there: not applied until a person reviews them (pipelines/warehouse/editions.py); for the reports the
    filters select. One row each: correction_id, report_id, agency_name, year, table_no, row_key, col_key,
    new_value (the correction), edition_value (what the current edition reads), reason, author, created_at."""
    w, p = _where(f)
    sql = Sql(
        "SELECT c.correction_id, c.report_id, coalesce(r.agency_name, r.agency) AS agency_name, r.year,"
        " c.table_no, c.row_key, c.col_key, c.new_value, c.edition_value, c.reason, c.author, c.created_at"
        " FROM corrections c JOIN reports r ON r.report_id = c.report_id {w}"
        " ORDER BY agency_name, r.year, c.correction_id"
    ).format(w=_and(w, Sql("c.undone_at IS NULL AND c.status = 'needs_review'")))
    return frame(con.cursor(), sql, p)


def catalogue_frame() -> pl.DataFrame:
    """The check catalogue as a table (both languages)."""
    from pipelines.checks import catalogue

    return pl.DataFrame(
        [
            {
                "id": r.id,
                "name": r.name,
                "scope": r.scope,
                "severity": r.severity,
                "title_zh": r.title_zh,
                "title_en": r.title_en,
                "formula": r.formula,
                "tolerance": r.tolerance,
                "not_assessable_zh": r.not_assessable_zh,
                "not_assessable_en": r.not_assessable_en,
            }
            for r in catalogue()
        ]
    )


def failing_by_check(
    con: Con,
    severities: Sequence[str] = ("error", "warning"),
    dataset: str | None = None,
    f: Filters | None = None,
) -> pl.DataFrame:
    """Per check: how many reports fail it and how many findings it made."""
    return _frame(
        con,
        """
        SELECT f.check_id, count(DISTINCT f.report_id) AS n_reports, count(*) AS n_findings
        FROM findings f JOIN reports r USING (report_id)
        WHERE list_contains(?, f.severity) AND (? IS NULL OR r.dataset = ?)
        GROUP BY f.check_id ORDER BY n_reports DESC, f.check_id
    """,
        [list(severities), dataset, dataset],
    )


# ---------------------------------------------------------------------------------------------
# The matrix, paged and aggregated in SQL (the page shows ``limit`` agencies at a time: at 1M reports the
# whole matrix is ~143,000 agencies × years, never built in Python).

MATRIX_SORTS = {
    "name": Sql("agency_name, agency_id"),
    "fail": Sql("total_failing DESC, agency_name, agency_id"),
    "region": Sql("province NULLS LAST, city NULLS LAST, county NULLS LAST, agency_name, agency_id"),
}


def _matrix_cells(f: Filters, checks: Sequence[str] | None, severities: Sequence[str]) -> tuple[Sql, list]:
    """One row per agency × year: the worst report's id and its number of failing checks (distinct, among
    ``checks`` / ``severities``), for the reports the sidebar's filters select."""
    w, p = _where(f)
    # the failing checks counted per report over the findings (tens of thousands of rows), then joined to the
    # reports: grouping a million reports by all their columns to count their findings took seconds
    sql = Sql(
        "WITH fc AS (SELECT report_id, count(DISTINCT check_id) AS n FROM findings"
        " WHERE list_contains(?::VARCHAR[], severity)"
        " AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], check_id)) GROUP BY report_id),"
        " rc AS (SELECT r.report_id, coalesce(r.agency_id, r.agency) AS agency_id,"
        " coalesce(r.agency_name, r.agency) AS agency_name, r.province, r.city, r.county, r.year,"
        " coalesce(fc.n, 0) AS n_failing"
        " FROM reports r LEFT JOIN fc ON fc.report_id = r.report_id {w}),"
        " cells AS (SELECT agency_id, year, arg_max(report_id, n_failing) AS report_id, max(n_failing) AS n_failing"
        " FROM rc WHERE year IS NOT NULL GROUP BY ALL),"
        " ag AS (SELECT c.agency_id, min(rc.agency_name) AS agency_name, min(rc.province) AS province,"
        " min(rc.city) AS city, min(rc.county) AS county, sum(c.n_failing) AS total_failing"
        " FROM cells c JOIN rc ON rc.report_id = c.report_id GROUP BY c.agency_id)"
    ).format(w=w)
    chk = list(checks) if checks else None
    return sql, [list(severities), chk, chk, *p]


def matrix_page(
    con,
    f: Filters = Filters(),
    checks: Sequence[str] | None = None,
    severities: Sequence[str] = ("error", "warning"),
    sort: str = "name",
    limit: int = 100,
    offset: int = 0,
) -> tuple[pl.DataFrame, int, list[int]]:
    """(one page of the agency × year matrix, the number of agencies, the years).

    The page's frame: agency_id, agency_name, province, city, county, total_failing, then per year
    ``<year>`` (✓, the number of failing checks, or — for no report) and ``report_<year>`` (the report's id,
    the worst one when an agency has several that year). Sorted by ``sort`` (name | fail | region)."""
    order = pick(sort, MATRIX_SORTS, "matrix sort")
    head, p = _matrix_cells(f, checks, severities)
    # one statement: the page's rows, and the count and the years on every row (on one row of nulls when the
    # page is empty), so that the cells are computed once
    got = frame(
        con.cursor(),
        head
        + Sql(
            " , pg AS (SELECT * FROM ag ORDER BY {o} LIMIT ? OFFSET ?),"
            " t AS (SELECT (SELECT count(*) FROM ag) AS n_ag, (SELECT min(year) FROM cells) AS y0,"
            " (SELECT max(year) FROM cells) AS y1)"
            " SELECT pg.*, c.year, c.report_id, c.n_failing, t.n_ag, t.y0, t.y1"
            " FROM t LEFT JOIN pg ON true LEFT JOIN cells c USING (agency_id)"
            " ORDER BY {o}, c.year"
        ).format(o=order),
        [*p, int(limit), int(offset)],
    )
    n, y0, y1 = got.row(0)[-3:]
    years = list(range(int(y0), int(y1) + 1)) if y0 is not None else []
    page = got.filter(pl.col("agency_id").is_not_null()).drop("n_ag", "y0", "y1")
    base = ["agency_id", "agency_name", "province", "city", "county", "total_failing"]
    if page.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(base[:-1], pl.Utf8) | {"total_failing": pl.Int64}), int(n), years
    agencies = page.select(base).unique("agency_id", maintain_order=True)
    cells = page.filter(pl.col("year").is_not_null()).with_columns(
        pl.when(pl.col("n_failing") == 0).then(pl.lit(OK)).otherwise(pl.col("n_failing").cast(pl.Utf8)).alias("cell")
    )
    out = agencies
    for y in years:  # a handful of years: one join each over the page's rows
        c = cells.filter(pl.col("year") == y).select(
            "agency_id", pl.col("cell").alias(str(y)), pl.col("report_id").alias(f"report_{y}")
        )
        out = out.join(c, on="agency_id", how="left", maintain_order="left").with_columns(
            pl.col(str(y)).fill_null(MISSING)
        )
    return out.with_columns(pl.col("total_failing").cast(pl.Int64)), int(n), years


def failing_by_check_f(con, f: Filters = Filters(), severities: Sequence[str] = ("error", "warning")) -> pl.DataFrame:
    """Per check: how many of the selected reports fail it and how many findings it made."""
    w, p = _where(f)
    sql = Sql(
        "SELECT fd.check_id, count(DISTINCT fd.report_id) AS n_reports, count(*) AS n_findings"
        " FROM findings fd JOIN reports r ON r.report_id = fd.report_id {w}"
    ).format(w=_and(w, Sql("list_contains(?::VARCHAR[], fd.severity)")))
    sql += Sql(" GROUP BY fd.check_id ORDER BY n_reports DESC, fd.check_id")
    return frame(con.cursor(), sql, [*p, list(severities)])
