"""The warehouse as a Hive-partitioned Parquet dataset (by year), readable by DuckDB, Spark, Trino.

DIR/reports/year=YYYY/*.parquet   reports joined with report_facts (one row per report)
DIR/cells/year=YYYY/*.parquet     cells with corrections applied (v_cells) and the report's year
DIR/findings/year=YYYY/*.parquet  findings with the report's year
Reports without a year land in year=NULL (Hive's null partition), which readers handle.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.warehouse import db as dbm

# Fixed queries: the only variable part is the dataset filter, a bound parameter.
_QUERIES = {
    "reports": "SELECT r.*, f.* EXCLUDE (report_id) FROM reports r LEFT JOIN report_facts f USING (report_id)"
    " WHERE ? IS NULL OR r.dataset = ?",
    "cells": "SELECT c.*, r.year, r.dataset FROM v_cells c JOIN reports r USING (report_id)"
    " WHERE ? IS NULL OR r.dataset = ?",
    "findings": "SELECT x.*, r.year, r.dataset FROM findings x JOIN reports r USING (report_id)"
    " WHERE ? IS NULL OR r.dataset = ?",
}


@dataclass
class ExportResult:
    directory: Path
    rows: dict[str, int]


def export_parquet(db: str | Path, directory: str | Path, dataset: str | None = None) -> ExportResult:
    """Write the warehouse (or one dataset of it) under `directory`, replacing an earlier export."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    con = dbm.connect_read(db)
    rows: dict[str, int] = {}
    try:
        for name, query in _QUERIES.items():
            target = out / name
            # Write beside, then swap: a reader of DIR never sees a half-written table.
            tmp = out / f".{name}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            n = dbm.one(con.execute("SELECT count(*) FROM (" + query + ")", [dataset, dataset]).fetchone())[0]
            if n:
                con.execute(
                    "COPY (" + query + ") TO ? (FORMAT parquet, PARTITION_BY (year))", [dataset, dataset, str(tmp)]
                )
            else:
                tmp.mkdir()
            shutil.rmtree(target, ignore_errors=True)
            tmp.rename(target)
            rows[name] = n
    finally:
        con.close()
    return ExportResult(out, rows)
