"""Application volumes: the overview KPIs, trends, rankings, the applicant mix, year-on-year change."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines.read.aggregate import BY, aggregate
from pipelines.read.filters import Filters
from pipelines.settings import MIN_CASES
from pipelines.warehouse.measures import APPLICANTS, OPEN_RATE

OVERVIEW_MEASURES = ("reports", "agencies", "applications", "open_rate_A", "reviews", "lawsuits", "correction_rate")


def overview_kpis(con, f: Filters, basis: str = "A", min_cases: int = MIN_CASES, lang: str = "zh") -> pl.DataFrame:
    """KPIs per year (long form), with the change vs the previous year (``prev``, ``change``)."""
    ms = [OPEN_RATE.get(basis, "open_rate_A") if m == "open_rate_A" else m for m in OVERVIEW_MEASURES]
    long = aggregate(con, f, ms, ("year",), min_cases=min_cases, lang=lang)
    if long.is_empty():
        return long
    long = (
        long.sort(["measure", "year"])
        .with_columns(
            pl.col("value").shift(1).over("measure").alias("prev"),
            pl.col("year").shift(1).over("measure").alias("prev_year"),
        )
        .with_columns(
            pl.when(pl.col("prev_year") == pl.col("year") - 1)
            .then(pl.col("value") - pl.col("prev"))
            .otherwise(None)
            .alias("change")
        )
    )
    return long


def trend(con, f: Filters, measures: Sequence[str], min_cases: int = MIN_CASES, lang: str = "zh") -> pl.DataFrame:
    return aggregate(con, f, measures, ("year",), min_cases=min_cases, lang=lang)


def ranking(
    con,
    f: Filters,
    measure: str,
    by: str = "county",
    min_cases: int = MIN_CASES,
    limit: int | None = 30,
    descending: bool = True,
    lang: str = "zh",
    years: Sequence[int] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(ranked rows, rows left out: low n, or no value — e.g. every report 数据异常). Rank 1 = largest (or smallest
    if not descending). ``years``: only those years (the overview's latest year), else the filters' range."""
    if by not in ("county", "agency", "city", "agency_type"):
        raise ValueError(by)
    long = aggregate(con, f, [measure], (by,), years=years, min_cases=min_cases, lang=lang)
    if long.is_empty():
        return long, long
    ok = long.filter(~pl.col("low_n") & pl.col("value").is_not_null()).sort(
        "value", descending=descending, nulls_last=True
    )
    ok = ok.with_row_index("rank", offset=1)
    low = long.filter(pl.col("low_n") | pl.col("value").is_null())
    if limit:
        ok = ok.head(limit)
    return ok, low


def applicant_mix(con, f: Filters, by: Sequence[str] = (), lang: str = "zh") -> pl.DataFrame:
    return aggregate(con, f, APPLICANTS, by, lang=lang)


def yoy(con, f: Filters, measure: str = "applications", by: str = "county", lang: str = "zh") -> pl.DataFrame:
    """Value per group and year with the change vs the previous year (absolute and relative)."""
    long = aggregate(con, f, [measure], (by, "year"), lang=lang)
    if long.is_empty():
        return long
    keys = list(BY[by][1])
    # sorted by keys + year, each group is contiguous: the previous row is the group's previous year when all
    # keys equal (null = null, as in .over(keys)); same values as shift(1).over(keys), without hashing strings
    long = long.sort(keys + ["year"])
    same = pl.lit(True)
    for k in keys:
        same = same & pl.col(k).eq_missing(pl.col(k).shift(1)).fill_null(False)
    return long.with_columns(
        pl.when(same).then(pl.col("value").shift(1)).alias("prev"),
        pl.when(same).then(pl.col("year").shift(1)).alias("prev_year"),
    ).with_columns(
        pl.when(pl.col("prev_year") == pl.col("year") - 1).then(pl.col("value") - pl.col("prev")).alias("change"),
        pl.when((pl.col("prev_year") == pl.col("year") - 1) & (pl.col("prev") > 0))
        .then((pl.col("value") - pl.col("prev")) / pl.col("prev"))
        .alias("change_pct"),
    )
