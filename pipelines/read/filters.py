"""The sidebar's filters (``Filters`` → a WHERE clause of fixed fragments and bound parameters) and the
filter options (datasets, regions, years, template versions, agency search)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from pipelines.read.route import _route
from pipelines.sqlq import EMPTY, Sql, frame, ident, run


@dataclass(frozen=True)
class Filters:
    datasets: tuple[str, ...] = ()
    province: str | None = None
    city: str | None = None
    counties: tuple[str, ...] = ()
    agency_ids: tuple[str, ...] = ()
    agency_types: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    templates: tuple[str, ...] = ()

    def with_(self, **kw: Any) -> Filters:
        changes: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()}
        return replace(self, **changes)


def _where(f: Filters, years: Sequence[int] | None = None) -> tuple[Sql, list[Any]]:
    """The WHERE clause (fixed fragments) and its bound parameters, for alias ``r`` = reports."""
    cl: list[Sql] = []
    p: list[Any] = []
    if f.datasets:
        cl.append(Sql("r.dataset = ANY(?::VARCHAR[])"))
        p.append(list(f.datasets))
    if f.province:
        cl.append(Sql("r.province = ?"))
        p.append(f.province)
    if f.city:
        cl.append(Sql("r.city = ?"))
        p.append(f.city)
    if f.counties:
        cl.append(Sql("r.county = ANY(?::VARCHAR[])"))
        p.append(list(f.counties))
    if f.agency_ids:
        cl.append(Sql("r.agency_id = ANY(?::VARCHAR[])"))
        p.append(list(f.agency_ids))
    if f.agency_types:
        cl.append(Sql("r.agency_type = ANY(?::VARCHAR[])"))
        p.append(list(f.agency_types))
    if f.year_from is not None:
        cl.append(Sql("r.year >= ?"))
        p.append(int(f.year_from))
    if f.year_to is not None:
        cl.append(Sql("r.year <= ?"))
        p.append(int(f.year_to))
    if f.templates:
        cl.append(Sql("r.template = ANY(?::VARCHAR[])"))
        p.append(list(f.templates))
    if years:
        cl.append(Sql("r.year = ANY(?::INTEGER[])"))
        p.append([int(y) for y in years])
    return (Sql("WHERE ") + Sql(" AND ").join(cl)) if cl else EMPTY, p


def _and(w: Sql, cond: Sql) -> Sql:
    return (w + Sql(" AND ") if w else Sql("WHERE ")) + cond


def datasets(con) -> pl.DataFrame:
    if _route(con) == "agg":
        return frame(
            con.cursor(),
            Sql("SELECT dataset, sum(n_all)::BIGINT AS n FROM report_agg GROUP BY dataset ORDER BY dataset"),
            [],
        )
    return frame(con.cursor(), Sql("SELECT dataset, count(*) AS n FROM reports GROUP BY dataset ORDER BY dataset"), [])


def regions(con, f: Filters = Filters()) -> pl.DataFrame:
    """province, city, county, n for the selected datasets (the region hierarchy)."""
    w, p = _where(Filters(datasets=f.datasets))
    src, n = (
        (Sql("report_agg_region r"), Sql("sum(r.n_all)::BIGINT"))
        if _route(con) == "agg"
        else (Sql("reports r"), Sql("count(*)"))
    )
    return frame(
        con.cursor(),
        Sql(
            "SELECT r.province, r.city, r.county, {n} AS n FROM {src} {w} GROUP BY ALL "
            "ORDER BY r.province NULLS LAST, r.city NULLS LAST, r.county NULLS LAST"
        ).format(n=n, src=src, w=w),
        p,
    )


def years(con, f: Filters = Filters()) -> list[int]:
    w, p = _where(Filters(datasets=f.datasets))
    src = Sql("report_agg_region r") if _route(con) == "agg" else Sql("reports r")
    rows = run(
        con.cursor(),
        Sql("SELECT DISTINCT r.year FROM {src} {w} ORDER BY 1").format(src=src, w=_and(w, Sql("r.year IS NOT NULL"))),
        p,
    ).fetchall()
    return [int(r[0]) for r in rows]


_DISTINCT_COLUMNS = ("template", "agency_type", "dataset", "province")


def distinct_values(con, column: str, f: Filters = Filters()) -> list[str]:
    """Distinct values of an allow-listed column (template, agency_type)."""
    col = ident(column, _DISTINCT_COLUMNS, "column")  # ValueError for any other
    w, p = _where(Filters(datasets=f.datasets))
    src = Sql("report_agg r") if _route(con) == "agg" else Sql("reports r")
    rows = run(
        con.cursor(),
        Sql("SELECT DISTINCT r.{c} FROM {src} {w} ORDER BY 1").format(
            c=col, src=src, w=_and(w, Sql("r.{c} IS NOT NULL").format(c=col))
        ),
        p,
    ).fetchall()
    return [r[0] for r in rows]


def search_agencies(con, f: Filters, text: str = "", limit: int = 50, include: Sequence[str] = ()) -> pl.DataFrame:
    """Agencies within the region/dataset filters whose name contains ``text`` (at most ``limit``, by name),
    plus the ids in ``include`` (already selected) so a selection never disappears.
    From report_agencies (one row per agency × name × region × type × dataset, built by refresh) when fresh."""
    base = Filters(
        datasets=f.datasets, province=f.province, city=f.city, counties=f.counties, agency_types=f.agency_types
    )
    agg = _route(con) == "agg"
    src, n = (Sql("report_agencies r"), Sql("sum(r.n)::BIGINT")) if agg else (Sql("reports r"), Sql("count(*)"))
    w, p = _where(base)
    w = _and(w, Sql("r.agency_id IS NOT NULL"))
    if text:
        w = _and(w, Sql("contains(r.agency_name, ?)"))
        p.append(text)
    head = Sql(
        "SELECT r.agency_id, min(r.agency_name) AS agency_name, min(r.county) AS county, {n} AS n FROM {src} "
    ).format(n=n, src=src)
    tail = Sql(" GROUP BY r.agency_id ORDER BY agency_name, r.agency_id LIMIT ?")
    if agg:
        # report_agencies is ranked by (name, id, …) in o_name: an agency's first row there carries its min name, so
        # the first ``limit`` distinct agencies of a prefix in o_name order are exactly the answer's agencies.
        k = max(4 * int(limit), 64)
        while True:
            pre = run(
                con.cursor(),
                Sql("SELECT r.agency_id FROM {src} {w} ORDER BY r.o_name LIMIT ?").format(src=src, w=w),
                p + [k],
            ).fetchall()
            ids = list(dict.fromkeys(i for (i,) in pre))[: max(int(limit), 0)]
            if len(pre) < k or len(ids) >= int(limit):
                break
            k *= 4
        out = frame(con.cursor(), head + _and(w, Sql("r.agency_id = ANY(?::VARCHAR[])")) + tail, p + [ids, int(limit)])
    else:
        out = frame(con.cursor(), head + w + tail, p + [int(limit)])
    missing = [i for i in include if i not in set(out["agency_id"].to_list())]
    if missing:
        more = frame(
            con.cursor(),
            head + Sql("WHERE r.agency_id = ANY(?::VARCHAR[]) GROUP BY r.agency_id ORDER BY r.agency_id"),
            [list(missing)],
        )
        out = pl.concat([more, out], how="vertical_relaxed")
    return out


def agency_names(con, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    src = Sql("report_agencies") if _route(con) == "agg" else Sql("reports")
    rows = run(
        con.cursor(),
        Sql(
            "SELECT agency_id, min(agency_name) FROM {src} WHERE agency_id = ANY(?::VARCHAR[]) GROUP BY agency_id"
        ).format(src=src),
        [list(ids)],
    ).fetchall()
    return dict(rows)
