"""The one write path into the warehouse: every writer (file ingest, the demo's direct mode, corrections,
cross-year checks, the dashboard tables' refresh) goes through here.

- ``open_warehouse(path)``: the exclusive writer (db.open_writer: lock, W.next, atomic publish) on a warehouse
  whose schema and views (schema.sql, views/*.sql) are in place, whoever built it;
- ``load(con, items, …)``: the one loader (load.load_reports: a batch per transaction, each report's outcome
  as if loaded alone);
- ``start_run`` / ``end_run``: the ingest_runs row of a writer's run;
- ``write_crossyear(con, agency_ids)``: the cross-year checks' findings (computed by checks.crossyear) written;
- ``after_cells_changed(con, report_id)``: a hand correction's consequences (facts, cross-year findings,
  dashboard tables);
- ``refresh(con)``: the dashboard tables (aggregates.refresh_aggregates), so every published warehouse has
  them consistent with its rows.

So every warehouse, however built, has the same schema, views and catalogue ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines import settings
from pipelines.checks import crossyear
from pipelines.document import shown_path
from pipelines.warehouse import db as dbm
from pipelines.warehouse.aggregates import refresh_aggregates
from pipelines.warehouse.load import LoadItem, load_reports, refresh_facts

CROSSYEAR_CHUNK = settings.CROSSYEAR_CHUNK  # agencies per pass: memory stays flat however large the batch


# One statement, the columns as list parameters zipped by unnest: binding 7 parameters a row (the VALUES form)
# cost ~10x more. A plain execute, so it also runs after a query whose result was not read to its end.
_INSERT_FILES_UNNEST = (
    'INSERT INTO ingest_files (run_id, path, sha256, outcome, error, report_id, "at")'
    " SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
    " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::TIMESTAMP[])"
)


def insert_ingest_files(con: duckdb.DuckDBPyConnection, rows: list[list[Any]]) -> None:
    """ingest_files rows ([run_id, path, sha256, outcome, error, report_id, at] each), in order, in one statement."""
    if rows:
        con.execute(_INSERT_FILES_UNNEST, [list(c) for c in zip(*rows)])


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def open_warehouse(
    path: str | Path, *, wait: float | None = None, command: str | None = None, log=None
) -> Iterator[dbm.Writer]:
    """The exclusive writer on the warehouse at ``path`` (created if missing), schema and views applied.
    Published atomically on a normal exit; discarded on an exception (the warehouse stays as it was).
    While another writer holds it: waits, saying so, at most ``wait`` seconds (db.open_writer), then raises
    db.WarehouseBusy; ``command`` names this writer to the ones that wait."""
    with dbm.open_writer(path, wait=wait, command=command, log=log) as w:
        yield w


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """schema.sql and every view: idempotent."""
    dbm.ensure_schema(con)


def load(
    con: duckdb.DuckDBPyConnection, items: list[LoadItem], *, dataset: str, run_id: int | None = None
) -> list[str | Exception]:
    """Load extracted reports (see load.load_reports)."""
    return load_reports(con, items, dataset=dataset, run_id=run_id)


def start_run(con: duckdb.DuckDBPyConnection, dataset: str, args: dict[str, Any]) -> int:
    """A new ingest_runs row; returns its run_id."""
    run_id = int(dbm.one(con.execute("SELECT nextval('seq_run_id')").fetchone())[0])
    con.execute(
        "INSERT INTO ingest_runs (run_id, started_at, dataset, args) VALUES (?, ?, ?, ?)",
        [run_id, _now(), dataset, shown_path(json.dumps(args, ensure_ascii=False))],  # paths as stored
    )
    return run_id


def end_run(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    *,
    loaded: int,
    unchanged: int = 0,
    replaced: int = 0,
    failed: int = 0,
    reextracted: int = 0,
    finished: bool = True,
) -> None:
    """The run's counts (and its end, when ``finished``)."""
    con.execute(
        "UPDATE ingest_runs SET finished_at = ?, n_loaded = ?, n_unchanged = ?, n_replaced = ?, n_failed = ?,"
        " n_reextracted = ? WHERE run_id = ?",
        [_now() if finished else None, loaded, unchanged, replaced, failed, reextracted, run_id],
    )


def run_agencies(con: duckdb.DuckDBPyConnection, run_id: int) -> list[str]:
    """The agencies a run loaded reports for."""
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT agency_id FROM reports WHERE run_id = ? AND agency_id IS NOT NULL ORDER BY 1", [run_id]
        ).fetchall()
    ]


# Literal statements only: no identifier is ever spliced into SQL here (the dataset is a bound parameter).
_DELETE_DATASET = tuple(
    "DELETE FROM " + t + " WHERE report_id IN (SELECT report_id FROM reports WHERE dataset = ?)"
    for t in ("report_facts", "findings", "cells", "report_texts")
) + ("DELETE FROM reports WHERE dataset = ?",)
# Columns are matched by name (INSERT … BY NAME): the frame's column names never enter the SQL.
_INSERT_FRAME = {
    t: "INSERT INTO " + t + " BY NAME SELECT * FROM _xxgk_chunk"
    for t in ("reports", "report_facts", "findings", "cells")
}


def delete_dataset(con: duckdb.DuckDBPyConnection, dataset: str) -> None:
    """Every row of a dataset (a rebuilt synthetic dataset replaces the old one)."""
    for stmt in _DELETE_DATASET:
        con.execute(stmt, [dataset])


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, rows: Any) -> None:
    """Rows of a generator (an Arrow table whose columns are named as the table's) into an allow-listed table."""
    stmt = _INSERT_FRAME.get(table)
    if stmt is None:
        raise ValueError(f"not an allowed table: {table}")
    con.register("_xxgk_chunk", rows)
    try:
        con.execute(stmt)
    finally:
        con.unregister("_xxgk_chunk")


_DELETE_CROSSYEAR = "DELETE FROM findings WHERE report_id = ANY(?::VARCHAR[]) AND check_id LIKE ?"
_FINDING_COLUMNS = ("report_id", "seq", "check_id", "severity", "location", "message")
_INSERT_FINDINGS = (
    "INSERT INTO findings (report_id, seq, check_id, severity, location, message)"
    " SELECT report_id, seq, check_id, severity, location, message FROM _xxgk_crossyear_in"
)
_NEXT_SEQ = (
    "SELECT report_id, coalesce(max(seq) + 1, 0) FROM findings WHERE report_id = ANY(?::VARCHAR[]) GROUP BY report_id"
)
# n_findings and status of each listed report from its findings now (no findings: 0 and 'ok')
_REPORT_STATUS = (
    "UPDATE reports SET n_findings = s.n, status = s.status FROM ("
    " SELECT k.report_id, count(f.report_id) AS n,"
    "  CASE WHEN bool_or(f.severity = 'error') THEN 'errors'"
    "       WHEN bool_or(f.severity = 'warning') THEN 'warnings' ELSE 'ok' END AS status"
    " FROM (SELECT unnest(?::VARCHAR[]) AS report_id) k LEFT JOIN findings f ON f.report_id = k.report_id"
    " GROUP BY k.report_id) s"
    " WHERE reports.report_id = s.report_id"
)


def write_crossyear(con: duckdb.DuckDBPyConnection, agency_ids: Iterable[str] | None = None) -> int:
    """Replace the cross-year findings (of ``agency_ids``, default all) in the warehouse, in one transaction.
    Returns how many findings were written. Set-wise: a handful of statements whatever the number of reports
    (a DuckDB statement costs milliseconds; four a report were a third of a large ingest's publish)."""
    ids = None if agency_ids is None else list(agency_ids)
    con.execute("BEGIN TRANSACTION")
    try:
        touched = crossyear.reports_with_findings(con, ids)
        if touched:
            con.execute(_DELETE_CROSSYEAR, [touched, crossyear.PREFIX + "%"])
        new = crossyear.compute(con, ids)
        n = 0
        if new:
            start = dict(con.execute(_NEXT_SEQ, [list(new)]).fetchall())
            cols: dict[str, list] = {c: [] for c in _FINDING_COLUMNS}
            for rid, items in new.items():
                first = start.get(rid, 0)
                for i, item in enumerate(items):
                    for c, v in zip(_FINDING_COLUMNS, (rid, first + i, *item)):
                        cols[c].append(v)
                n += len(items)
            table = pa.table({c: pa.array(v, pa.int32() if c == "seq" else pa.string()) for c, v in cols.items()})
            con.register("_xxgk_crossyear_in", table)
            try:
                con.execute(_INSERT_FINDINGS)
            finally:
                con.unregister("_xxgk_crossyear_in")
        status = sorted(set(touched) | set(new))
        if status:
            con.execute(_REPORT_STATUS, [status])
        con.execute("COMMIT")
        return n
    except BaseException:
        con.execute("ROLLBACK")
        raise


def crossyear_for_run(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    """The cross-year checks of the agencies a run loaded, a few hundred agencies at a time."""
    ids = run_agencies(con, run_id)
    return sum(write_crossyear(con, ids[i : i + CROSSYEAR_CHUNK]) for i in range(0, len(ids), CROSSYEAR_CHUNK))


def refresh(con: duckdb.DuckDBPyConnection, verbose: bool = False) -> dict:
    """Rebuild the dashboard tables from the rows as they are now (in the caller's transaction if open)."""
    return refresh_aggregates(con, verbose=verbose)


def after_cells_changed(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    """After a hand correction (or its undo) of one report: its facts from the corrected cells, its agency's
    cross-year findings, and the dashboard tables — so every page shows the corrected value."""
    refresh_facts(con, report_id)
    row = con.execute("SELECT agency_id FROM reports WHERE report_id = ?", [report_id]).fetchone()
    if row and row[0]:
        write_crossyear(con, [row[0]])
    refresh(con)
