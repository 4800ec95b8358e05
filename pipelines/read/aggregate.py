"""``aggregate``: any allow-listed measures, grouped by allow-listed dimensions, over the freshest source
(report_agg / report_dash / the join): a long frame with numerator, denominator, basis and n_null."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import polars as pl

from pipelines.read.filters import Filters, _and, _where
from pipelines.read.route import _facts_source, _route
from pipelines.settings import MIN_CASES
from pipelines.sqlq import EMPTY, Pattern, Sql, expr, frame, ident, pick
from pipelines.warehouse.measures import (
    EXPR_COLUMNS,
    MEASURES,
    REPORT_COLUMNS,
    Measure,
    agg_ident,
    measure_sql,
    rate_sql,
)

# Group dimensions: key → (SQL group expressions, output column names). Fixed text only.
BY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "year": (("r.year",), ("year",)),
    "province": (("r.province",), ("province",)),
    "city": (("r.province", "r.city"), ("province", "city")),
    "county": (("r.province", "r.city", "r.county"), ("province", "city", "county")),
    "agency": (("r.agency_id",), ("agency_id",)),
    "agency_type": (("r.agency_type",), ("agency_type",)),
    "dataset": (("r.dataset",), ("dataset",)),
    "template": (("r.template",), ("template",)),
}

# group dimension → (group expressions, output column names) as checked Sql
_BY_SQL: dict[str, tuple[tuple[Sql, ...], tuple[Sql, ...]]] = {
    k: (tuple(expr(e, EXPR_COLUMNS) for e in es), tuple(ident(c, REPORT_COLUMNS, "group column") for c in cs))
    for k, (es, cs) in BY.items()
}
# positional aliases of aggregate's wide frame: m<i>_num / m<i>_den / m<i>_null / m<i>_bad for the i-th measure
SLOTS = Pattern(r"m[0-9]+_(num|den|null|bad)")


@functools.lru_cache(maxsize=4096)
def _slot(i: int, part: str) -> Sql:
    return ident(f"m{i}_{part}", SLOTS, "measure slot")


def _check_by(by: Sequence[str]) -> None:
    for b in by:
        if b not in BY:
            raise ValueError(f"unknown group dimension {b!r}")


def _check_measures(measures: Sequence[str]) -> None:
    for m in measures:
        if m not in MEASURES:
            raise ValueError(f"unknown measure {m!r}")


def _measure_sql(m: Measure, i: int, dash: bool) -> list[Sql]:
    """SELECT items m<i>_num, m<i>_den, m<i>_null (and m<i>_bad of a rate) of measure ``m`` over the reports
    (x = facts, or r when ``dash``)."""
    a_num, a_den, a_null = _slot(i, "num"), _slot(i, "den"), _slot(i, "null")
    if m.key == "reports":
        return [
            Sql("count(*) AS {a}").format(a=a_num),
            Sql("NULL::DOUBLE AS {a}").format(a=a_den),
            Sql("0 AS {a}").format(a=a_null),
        ]
    if m.key == "agencies":
        return [
            Sql("count(DISTINCT r.agency_id) AS {a}").format(a=a_num),
            Sql("NULL::DOUBLE AS {a}").format(a=a_den),
            Sql("0 AS {a}").format(a=a_null),
        ]
    num, den = measure_sql(m.key, dash)
    if m.kind == "count":
        return [
            Sql("sum({num}) AS {a}").format(num=num, a=a_num),
            Sql("NULL::DOUBLE AS {a}").format(a=a_den),
            Sql("count(*) - count({num}) AS {a}").format(num=num, a=a_null),
        ]
    assert den is not None  # a rate has a denominator
    ok, bad = rate_sql(m.key, dash)
    return [
        Sql("sum({num}) FILTER (WHERE {ok}) AS {a}").format(num=num, ok=ok, a=a_num),
        Sql("sum({den}) FILTER (WHERE {ok}) AS {a}").format(den=den, ok=ok, a=a_den),
        Sql("count(*) FILTER (WHERE NOT ({ok}) AND NOT ({bad})) AS {a}").format(ok=ok, bad=bad, a=a_null),
        Sql("count(*) FILTER (WHERE {bad}) AS {a}").format(bad=bad, a=_slot(i, "bad")),
    ]


def _group_sql(by: Sequence[str]) -> tuple[list[Sql], list[Sql]]:
    """(group expressions, output column names) of allow-listed group dimensions."""
    groups = [pick(b, _BY_SQL, "group dimension") for b in by]
    return [e for es, _ in groups for e in es], [c for _, cs in groups for c in cs]


def _wide_agg(con, f: Filters, ms: list[Measure], by: tuple[str, ...], years: Sequence[int] | None) -> pl.DataFrame:
    """The wide frame of ``aggregate`` from report_agg / report_agg_region (+ report_agg_agency for distinct
    agencies). One plain sum per part in SQL (planning cost grows with the expressions); the rest in polars."""
    gx, gc = _group_sql(by)
    w, p = _where(f, years)
    w = _and(w, Sql("r.n_reports > 0"))  # cells holding only reports without facts are not groups
    coarse = not (f.agency_types or f.templates or {"agency_type", "template"} & set(by))
    table = Sql("report_agg_region") if coarse else Sql("report_agg")
    grp = (Sql(" GROUP BY ") + Sql(", ").join(gx)) if gx else EMPTY
    gsel = [Sql("{e} AS {c}").format(e=e, c=c) for e, c in zip(gx, gc)]
    sel = gsel + [Sql("sum(r.n_reports) AS n_reports")]
    post: list[pl.Expr] = []
    agencies = False
    for i, m in enumerate(ms):
        if m.key == "reports":
            post += [
                pl.col("n_reports").alias(f"m{i}_num"),
                pl.lit(None, pl.Float64).alias(f"m{i}_den"),
                pl.lit(0, pl.Int64).alias(f"m{i}_null"),
            ]
        elif m.key == "agencies":
            agencies = True
            post += [
                pl.col("_agencies").fill_null(0).alias(f"m{i}_num"),
                pl.lit(None, pl.Float64).alias(f"m{i}_den"),
                pl.lit(0, pl.Int64).alias(f"m{i}_null"),
            ]
        elif m.kind == "count":
            sel += [
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "s"), a=_slot(i, "num")),
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "z"), a=_slot(i, "null")),
            ]
            post += [pl.lit(None, pl.Float64).alias(f"m{i}_den"), pl.col(f"m{i}_null").cast(pl.Int64).fill_null(0)]
        else:
            sel += [
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "n"), a=_slot(i, "num")),
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "d"), a=_slot(i, "den")),
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "z"), a=_slot(i, "null")),
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "x"), a=_slot(i, "bad")),
            ]
            post += [pl.col(f"m{i}_null").cast(pl.Int64).fill_null(0)]
    order = (Sql(" ORDER BY ") + Sql(", ").join(gx)) if gx else EMPTY
    if agencies:
        wa, pa = _where(f, years)
        asel = Sql(", ").join(gsel + [Sql("count(DISTINCT r.agency_key) AS _n")])
        if "year" in by:  # agencies with one cell in the year are additive; the rest are counted distinct
            sel.append(Sql("sum(r.n_agencies_1) AS _ag1"))
            agq = Sql("SELECT {sel} FROM report_agg_agency r {w}{grp}").format(
                sel=asel, w=_and(wa, Sql("r.dup")), grp=grp
            )
            tot = Sql("coalesce(m._ag1, 0) + coalesce(ag._n, 0)")
        else:
            agq = Sql("SELECT {sel} FROM report_agg_agency r {w}{grp}").format(sel=asel, w=wa, grp=grp)
            tot = Sql("ag._n")
        sql = Sql("SELECT {sel} FROM {table} r {w}{grp}").format(sel=Sql(", ").join(sel), table=table, w=w, grp=grp)
        on = Sql(" AND ").join(Sql("m.{c} IS NOT DISTINCT FROM ag.{c}").format(c=c) for c in gc) or Sql("TRUE")
        morder = (Sql(" ORDER BY ") + Sql(", ").join(Sql("m.{c}").format(c=c) for c in gc)) if gc else EMPTY
        wide = frame(
            con.cursor(),
            Sql("SELECT m.*, {tot} AS _agencies FROM ({sql}) m LEFT JOIN ({agq}) ag ON {on}{morder}").format(
                tot=tot, sql=sql, agq=agq, on=on, morder=morder
            ),
            p + pa,
        )
    else:
        wide = frame(
            con.cursor(),
            Sql("SELECT {sel} FROM {table} r {w}{grp}{order}").format(
                sel=Sql(", ").join(sel), table=table, w=w, grp=grp, order=order
            ),
            p,
        )
    wide = wide.with_columns(pl.col("n_reports").cast(pl.Int64).fill_null(0))
    return wide.with_columns(post) if post else wide


def aggregate(
    con,
    f: Filters,
    measures: Sequence[str],
    by: Sequence[str] = (),
    *,
    years: Sequence[int] | None = None,
    min_cases: int = MIN_CASES,
    lang: str = "zh",
) -> pl.DataFrame:
    """Long frame: [by columns…, measure, label, kind, value, numerator, denominator, basis, n_reports, n_null,
    n_anomalous, low_n].

    ``value`` of a rate = scale × sum(numerator) / sum(denominator) over reports where both are known and, for a
    share (0–100 %), the report's numerator lies within its denominator; null when the denominator is 0.
    ``n_anomalous`` = reports left out because their rate breaks that (数据异常: see check C311 and kin; never
    a rate above 100 %). ``low_n`` = 0 < denominator < min_cases (rates only; a blank rate is no sample)."""
    by = tuple(by)
    _check_by(by)
    _check_measures(measures)
    gcols = [c for b in by for c in BY[b][1]]
    ms = [MEASURES[k] for k in measures]
    route = _route(con, agg_ok="agency" not in by and not f.agency_ids)
    if route == "agg":
        wide = _wide_agg(con, f, ms, by, years)
    else:
        gx, gc = _group_sql(by)
        sel = [Sql("{e} AS {c}").format(e=e, c=c) for e, c in zip(gx, gc)]
        if "agency" in by:
            sel += [Sql("min(r.agency_name) AS agency_name"), Sql("min(r.county) AS agency_county")]
        sel.append(Sql("count(*) AS n_reports"))
        for i, m in enumerate(ms):
            sel += _measure_sql(m, i, route != "base")
        w, p = _where(f, years)
        src, cond = _facts_source(route)
        if cond:
            w = _and(w, cond)
        sql = Sql("SELECT {sel} FROM {src} {w}").format(sel=Sql(", ").join(sel), src=src, w=w)
        if gx:
            sql += Sql(" GROUP BY {g} ORDER BY {g}").format(g=Sql(", ").join(gx))
        wide = frame(con.cursor(), sql, p)
    keep = gcols + (["agency_name", "agency_county"] if "agency" in by else []) + ["n_reports"]
    lazy = wide.lazy()
    parts = []
    for i, m in enumerate(ms):
        num = pl.col(f"m{i}_num").cast(pl.Float64)
        den = pl.col(f"m{i}_den").cast(pl.Float64)
        if m.kind == "rate":
            value = pl.when(den > 0).then(num / den * m.scale).otherwise(None)
            # 样本不足 is a small sample: a blank rate (no denominator, or 0) has no sample at all, not a small one
            low = ((den > 0) & (den < min_cases)).fill_null(False)
            bad = pl.col(f"m{i}_bad").cast(pl.Int64).fill_null(0)
        else:
            bad = pl.lit(0, pl.Int64)
            value = num
            low = pl.lit(False)
        parts.append(
            lazy.select(
                *keep,
                pl.lit(m.key).alias("measure"),
                pl.lit(m.label(lang)).alias("label"),
                pl.lit(m.kind).alias("kind"),
                value.alias("value"),
                num.alias("numerator"),
                den.alias("denominator"),
                pl.lit(m.basis(lang)).alias("basis"),
                pl.col(f"m{i}_null").cast(pl.Int64).alias("n_null"),
                bad.alias("n_anomalous"),
                low.alias("low_n"),
            )
        )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="vertical_relaxed").collect()  # one plan for all measures


def pivot(long: pl.DataFrame, index: Sequence[str]) -> pl.DataFrame:
    """Wide view of ``aggregate``: one column per measure (value only)."""
    if long.is_empty():
        return long
    return long.pivot(on="measure", index=list(index), values="value", aggregate_function="first")
