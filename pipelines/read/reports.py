"""Reports one by one: the report list (paged, sorted), its sources and findings, one report in detail."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import polars as pl

from pipelines.document import disk_path
from pipelines.read.filters import Filters, _and, _where
from pipelines.read.route import _route
from pipelines.readers import ReadError, read_path_bytes
from pipelines.sqlq import Sql, expr, frame, ident, pick, run
from pipelines.warehouse.dash import DASH_ORDERS, REPORT_SORT, SOURCES_ORDER
from pipelines.warehouse.measures import EXPR_COLUMNS

# the orders as checked Sql: report-list order → ORDER BY over r (x = facts) / its rank column in report_dash
_SORT_SQL = {k: expr(v, EXPR_COLUMNS) for k, v in REPORT_SORT.items()}
_RANK_SQL = {k: ident(f"o_{k}", DASH_ORDERS, "rank column") for k in REPORT_SORT}
_SOURCES_ORDER_SQL = expr(SOURCES_ORDER, EXPR_COLUMNS)


def report_sources(con, f: Filters, years_: Sequence[int] | None = None, limit: int = 50_000) -> pl.DataFrame:
    w, p = _where(f, years_)
    p.append(int(limit))
    route = _route(con, agg_ok=False)
    order = Sql("r.o_sources") if route != "base" else _SOURCES_ORDER_SQL + Sql(", r.report_id")
    src = Sql("report_dash r") if route != "base" else Sql("reports r")
    return frame(
        con.cursor(),
        Sql(
            "SELECT r.report_id, r.dataset, r.agency_name, r.province, r.city, r.county, "
            "r.year, r.template, r.format, r.source_path, r.sha256, r.status FROM {src} {w} "
            "ORDER BY {order} LIMIT ?"
        ).format(src=src, w=w, order=order),
        p,
    )


def report_findings(con, f: Filters, years_: Sequence[int] | None = None, limit: int = 50_000) -> pl.DataFrame:
    w, p = _where(f, years_)
    p.append(int(limit))
    route = _route(con)
    if route == "agg":  # findings pre-joined with their report's filter columns
        sql = Sql(
            "SELECT r.report_id, r.agency_name, r.year, r.seq, r.check_id, r.severity, r.location, r.message "
            "FROM report_findings_dash r {w} "
            "ORDER BY r.agency_name, r.year, r.report_id, r.seq LIMIT ?"
        ).format(w=w)
    else:
        src = Sql("report_dash r") if route == "dash" else Sql("reports r")
        sql = Sql(
            "SELECT r.report_id, r.agency_name, r.year, fi.seq, fi.check_id, fi.severity, fi.location, "
            "fi.message FROM {src} JOIN findings fi ON fi.report_id = r.report_id {w} "
            "ORDER BY r.agency_name, r.year, r.report_id, fi.seq LIMIT ?"
        ).format(src=src, w=w)
    return frame(con.cursor(), sql, p)


def report_count(con, f: Filters) -> int:
    w, p = _where(f)
    route = _route(con, agg_ok=not f.agency_ids)
    coarse = not (f.agency_types or f.templates)
    src, n = pick(
        route,
        {
            "agg": (
                Sql("report_agg_region r") if coarse else Sql("report_agg r"),
                Sql("coalesce(sum(r.n_all), 0)::BIGINT"),
            ),
            "dash": (Sql("report_dash r"), Sql("count(*)")),
            "base": (Sql("reports r"), Sql("count(*)")),
        },
        "route",
    )
    return int(run(con.cursor(), Sql("SELECT {n} FROM {src} {w}").format(n=n, src=src, w=w), p).fetchone()[0])


# the report list's columns; facts over x = report_facts, or r = report_dash (dash=True)
_LIST_COLS_T = Sql(
    "r.report_id, r.dataset, r.agency_name, r.agency_type, r.city, r.county, r.year, r.template, r.status, "
    "r.n_findings, {x}.new_received, {x}.total_handled, "
    "CASE WHEN {x}.total_handled > 0 THEN ({x}.granted + {x}.partial) / {x}.total_handled END "
    "AS open_rate_A, r.source_path"
)
_LIST_COLS = {False: _LIST_COLS_T.format(x=Sql("x")), True: _LIST_COLS_T.format(x=Sql("r"))}


def report_list(con, f: Filters, limit: int = 50, offset: int = 0, sort: str = "year") -> pl.DataFrame:
    """One page of the report list (ties broken by report_id). From report_dash: a top-N on the order's
    precomputed rank column; otherwise the page's ids are picked first (top-N over the filter), then joined.
    The 'applications' order lists only reports with facts."""
    if sort not in REPORT_SORT:
        raise ValueError(sort)
    w, p = _where(f)
    order = pick(sort, _SORT_SQL, "report order")
    p += [int(limit), int(offset)]
    if _route(con, agg_ok=False) != "base":
        if sort == "applications":
            w = _and(w, Sql("r.has_facts"))
        rank = pick(sort, _RANK_SQL, "report order")
        return frame(
            con.cursor(),
            Sql("SELECT {cols} FROM report_dash r {w} ORDER BY r.{rank} LIMIT ? OFFSET ?").format(
                cols=_LIST_COLS[True], w=w, rank=rank
            ),
            p,
        )
    if sort == "applications":
        ids = Sql(
            "SELECT r.report_id FROM reports r JOIN report_facts x ON x.report_id = r.report_id {w} "
            "ORDER BY {order}, r.report_id LIMIT ? OFFSET ?"
        ).format(w=w, order=order)
    else:
        ids = Sql("SELECT r.report_id FROM reports r {w} ORDER BY {order}, r.report_id LIMIT ? OFFSET ?").format(
            w=w, order=order
        )
    return frame(
        con.cursor(),
        Sql(
            "SELECT {cols} FROM reports r LEFT JOIN report_facts x ON x.report_id = r.report_id "
            "WHERE r.report_id IN ({ids}) ORDER BY {order}, r.report_id"
        ).format(cols=_LIST_COLS[False], ids=ids, order=order),
        p,
    )


def report_dataset(con, report_id: str) -> str | None:
    """The dataset one report belongs to (None when there is no such report)."""
    row = con.cursor().execute("SELECT dataset FROM reports WHERE report_id = ?", [report_id]).fetchone()
    return row[0] if row else None


def report_detail(con, report_id: str) -> dict[str, Any] | None:
    """One report: its reports row (dict), cells (corrections applied: ``value`` is what every page uses,
    ``original_value`` what was extracted, ``corrected`` marks the difference), findings, its corrections
    (the audit trail, undone ones included), text and facts row."""
    cur = con.cursor()
    head = frame(cur, Sql("SELECT * FROM reports WHERE report_id = ?"), [report_id])
    if head.is_empty():
        return None
    cells = frame(
        cur,
        Sql(
            "SELECT table_no, row_key, col_key, value, original_value, corrected, raw, state, confidence "
            "FROM v_cells WHERE report_id = ? ORDER BY table_no, row_key, col_key"
        ),
        [report_id],
    )
    findings = frame(
        cur,
        Sql("SELECT seq, check_id, severity, location, message FROM findings WHERE report_id = ? ORDER BY seq"),
        [report_id],
    )
    # fetchall, not fetchone: a long text comes back as a streaming result, and DuckDB refuses the
    # next statement on this cursor until that result is read to its end
    text = next(iter(cur.execute("SELECT text FROM report_texts WHERE report_id = ?", [report_id]).fetchall()), None)
    facts = frame(cur, Sql("SELECT * FROM report_facts WHERE report_id = ?"), [report_id])
    corrections = frame(
        cur,
        Sql(
            "SELECT correction_id, table_no, row_key, col_key, old_value, new_value, reason, author, created_at, "
            "undone_at FROM corrections WHERE report_id = ? ORDER BY correction_id"
        ),
        [report_id],
    )
    return {
        "corrections": corrections,
        "report": head.row(0, named=True),
        "cells": cells,
        "findings": findings,
        "text": text[0] if text else None,
        "facts": facts.row(0, named=True) if not facts.is_empty() else None,
    }


def original_file(source_path: str, sha256: str) -> bytes:
    """The bytes of a report's original file, served only when they are exactly the bytes that were loaded.

    The path comes from the warehouse (written by ingest), never from a user; the file must still be a regular
    file within the input size limit whose SHA-256 is the one recorded at ingest, so nothing but the report's
    own file can be served through this. Raises OriginalUnavailable with the reason otherwise."""
    try:
        data = read_path_bytes(disk_path(source_path))  # a non-UTF-8 name is stored with \xNN bytes
    except ReadError as e:
        raise OriginalUnavailable("missing", str(e)) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OriginalUnavailable("changed", f"{source_path}: changed since it was loaded")
    return data


class OriginalUnavailable(Exception):
    """The original file cannot be served: ``reason`` is "missing" (moved, deleted, unreadable) or "changed"."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
