"""Parquet shards: extracted reports as an exchange format, written by `xxgk ingest --shards DIR`
and loaded by `xxgk load-shards DIR --db W` (or read by DuckDB, Spark, … directly).

A shard is one batch of extracted reports (the batch the ingest writes to the warehouse together),
as one Parquet file per table, the same name in each table's folder:

    DIR/reports/NAME.parquet    one row per report: seq (its place in the walk), report_id (sha256),
                                source_path, format, agency as printed and as resolved (agency_id …),
                                region as the parser read it, year, template, ocr, fees_collected_yuan,
                                status, n_findings, extractor_version and template_version (what read
                                it: load-shards lets a newer reading replace an older one in the warehouse)
    DIR/cells/NAME.parquet      the warehouse's cells rows
    DIR/findings/NAME.parquet   the warehouse's findings rows (report_id, seq, check_id, …)
    DIR/texts/NAME.parquet      report_id, text

NAME = the walk position of the batch's first report (9 digits, so names sort in walk order) and a
digest of its report ids and paths: the same files ingested the same way give the same names, and a
shard already present is not written again (reports/NAME.parquet is written last, so its presence
means the shard is whole). DuckDB: ``SELECT … FROM read_parquet('DIR/cells/*.parquet')``.

load-shards reads them back into the Reports they came from and hands them to the ingest's own
loader, in name order and walk order within a shard: the same outcomes (loaded / replaced /
unchanged), publication and crash safety as an ingest of the files, without extracting again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa

from pipelines.report import CellValue, Finding, Report
from pipelines.templates import TABLE3_COLUMNS, TABLE4_KEYS
from pipelines.warehouse.load import LoadItem, _cells_table, resolve_agency, status_of
from pipelines.warehouse.nopandas import without_pandas

TABLES = ("cells", "findings", "texts", "reports")  # reports last: its file marks a whole shard

_S, _I32 = pa.string(), pa.int32()
REPORTS_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("report_id", _S),
        ("source_path", _S),
        ("format", _S),
        ("agency", _S),
        ("agency_id", _S),
        ("agency_name", _S),
        ("agency_type", _S),
        ("province", _S),
        ("city", _S),
        ("county", _S),
        ("region_code", _S),
        ("region_province", _S),
        ("region_city", _S),
        ("region_county", _S),
        ("year", _I32),
        ("template", _S),
        ("ocr", pa.bool_()),
        ("fees_collected_yuan", pa.float64()),
        ("status", _S),
        ("n_findings", _I32),
        ("extractor_version", _I32),
        ("template_version", _S),
    ]
)
FINDINGS_SCHEMA = pa.schema(
    [("report_id", _S), ("seq", _I32), ("check_id", _S), ("severity", _S), ("location", _S), ("message", _S)]
)
TEXTS_SCHEMA = pa.schema([("report_id", _S), ("text", _S)])


def shard_name(first_seq: int, items: list[LoadItem]) -> str:
    h = hashlib.sha256()
    for it in items:
        h.update(f"{it.sha256}\t{it.source_path}\n".encode("utf-8", "surrogatepass"))
    return f"{first_seq:09d}-{h.hexdigest()[:16]}"


class ShardWriter:
    """Writes each batch the ingest loads as one shard under `root` (see the module docstring)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        for t in TABLES:
            (self.root / t).mkdir(parents=True, exist_ok=True)
        self.written = 0
        self.skipped = 0

    def write(self, first_seq: int, items: list[tuple[int, LoadItem]]) -> str | None:
        """items: (walk position, LoadItem). Returns the shard's name, or None when there was nothing."""
        if not items:
            return None
        name = shard_name(first_seq, [it for _, it in items])
        if (self.root / "reports" / f"{name}.parquet").exists():
            self.skipped += 1
            return name
        import pyarrow.parquet as pq

        with without_pandas():
            tables = _tables(items)
            for t in TABLES:  # each file complete under a temporary name, then renamed
                final = self.root / t / f"{name}.parquet"
                tmp = final.with_name(f".{name}.{os.getpid()}.tmp")
                pq.write_table(tables[t], tmp, compression="zstd")
                os.replace(tmp, final)
        self.written += 1
        return name


def _tables(items: list[tuple[int, LoadItem]]) -> dict[str, pa.Table]:
    rep: dict[str, list] = {n: [] for n in REPORTS_SCHEMA.names}
    fnd: dict[str, list] = {n: [] for n in FINDINGS_SCHEMA.names}
    cells = []
    texts: dict[str, str] = {}
    for seq, it in items:
        r = it.report
        ag = it.agency or resolve_agency(r)
        region = r.region or {}
        row = (
            seq,
            it.sha256,
            it.source_path,
            it.fmt or r.format,
            r.agency,
            ag.agency_id,
            ag.name,
            ag.agency_type,
            ag.province,
            ag.city,
            ag.county,
            ag.region_code,
            region.get("province"),
            region.get("city"),
            region.get("county"),
            r.year,
            r.template,
            bool(r.ocr),
            None if r.fees_collected_yuan is None else float(r.fees_collected_yuan),
            status_of(r.findings),
            len(r.findings),
            r.extractor_version,
            r.template_version,
        )
        for k, v in zip(REPORTS_SCHEMA.names, row):
            rep[k].append(v)
        if it.sha256 in texts:  # the same bytes again under another path: its rows are there already
            continue
        texts[it.sha256] = r.text or ""
        for i, f in enumerate(r.findings):
            for k, fv in zip(FINDINGS_SCHEMA.names, (it.sha256, i, f.check, f.severity, f.where, f.message)):
                fnd[k].append(fv)
        cells.append(_cells_table(it.sha256, r))
    return {
        "reports": pa.Table.from_pydict(rep, schema=REPORTS_SCHEMA),
        "cells": pa.concat_tables(cells),
        "findings": pa.Table.from_pydict(fnd, schema=FINDINGS_SCHEMA),
        "texts": pa.Table.from_pydict({"report_id": list(texts), "text": list(texts.values())}, schema=TEXTS_SCHEMA),
    }


# --- reading back --------------------------------------------------------------------------------


def shard_names(root: str | Path) -> list[str]:
    """Whole shards under root, in name (= walk) order."""
    d = Path(root) / "reports"
    if not d.is_dir():
        raise FileNotFoundError(f"{root}: no shards here (no reports/ folder)")
    return sorted(p.name[: -len(".parquet")] for p in d.glob("*.parquet") if not p.name.startswith("."))


def read_shard(root: str | Path, name: str) -> Iterator[tuple[str, str, Report]]:
    """(source_path, sha256, Report) for each report of a shard, in walk order. DuckDB reads the files."""
    import duckdb

    root = Path(root)
    con = duckdb.connect()
    try:

        def q(table: str, sql: str) -> list[tuple]:
            return con.execute(sql, [str(root / table / f"{name}.parquet")]).fetchall()

        cur = con.execute("SELECT * FROM read_parquet(?) ORDER BY seq", [str(root / "reports" / f"{name}.parquet")])
        cols = [d[0] for d in cur.description]  # by name: shards written before a column was added lack it
        reports = cur.fetchall()
        cells: dict[str, list[tuple]] = {}
        for row in q(
            "cells", "SELECT report_id, table_no, row_key, col_key, value, raw, state, confidence FROM read_parquet(?)"
        ):
            cells.setdefault(row[0], []).append(row[1:])
        findings: dict[str, list[Finding]] = {}
        for rid, _, check, sev, where, msg in q("findings", "SELECT * FROM read_parquet(?) ORDER BY report_id, seq"):
            findings.setdefault(rid, []).append(Finding(check, sev, where, msg))
        texts = dict(q("texts", "SELECT report_id, text FROM read_parquet(?)"))
    finally:
        con.close()
    for values in reports:
        r = dict(zip(cols, values))
        rid = r["report_id"]
        yield r["source_path"], rid, _report(r, cells.get(rid, []), findings.get(rid, []), texts.get(rid, ""))


_T3_INDEX = {c: i for i, c in enumerate(TABLE3_COLUMNS)}
_T4_INDEX = {k: i for i, k in enumerate(TABLE4_KEYS)}


def _report(r: dict, cells: list[tuple], findings: list[Finding], text: str) -> Report:
    rep = Report(
        source=r["source_path"],
        sha256=r["report_id"],
        format=r["format"],
        agency=r["agency"],
        region={"province": r["region_province"], "city": r["region_city"], "county": r["region_county"]},
        year=r["year"],
        template=r["template"],
        fees_collected_yuan=r["fees_collected_yuan"],
        findings=findings,
        text=text,
        ocr=bool(r["ocr"]),
        extractor_version=r.get("extractor_version"),
        template_version=r.get("template_version"),
    )
    t3: dict[str, dict[int, CellValue]] = {}
    for table_no, row_key, col_key, value, raw, state, conf in cells:
        c = CellValue(value, raw, state, float(conf))
        if table_no == 2:
            rep.table2[row_key] = c
        elif table_no == 3:
            t3.setdefault(row_key, {})[_T3_INDEX[col_key]] = c
        elif table_no == 4:
            rep.table4[_T4_INDEX[col_key]] = c
    # rows in the order the cells table holds them (the parser's), each row's cells in column order
    for row_key, row in t3.items():
        rep.table3[row_key] = [row[i] for i in sorted(row)]
    if r["agency_id"] is not None and r["agency"]:
        # the agency as resolved when extracted: the loader takes it as it is (no new resolution)
        rep.meta["entity"] = SimpleNamespace(
            agency_id=r["agency_id"],
            name=r["agency_name"],
            agency_type=r["agency_type"],
            province=r["province"],
            city=r["city"],
            county=r["county"],
            region_code=r["region_code"],
        )
    return rep


def read_all(root: str | Path, names: list[str] | None = None) -> Iterator[tuple[str, str, Report]]:
    """Every report of every whole shard under root, shard by shard in name order."""
    for name in shard_names(root) if names is None else names:
        yield from read_shard(root, name)
