"""The district map's values: one measure by county (the districts of a city) or by city (the cities of a
province), with each area's 6-digit code (GB/T 2260, from the reports' region codes) to meet its boundary."""

from __future__ import annotations

import polars as pl

from pipelines.read.aggregate import aggregate
from pipelines.read.filters import Filters, _and, _where
from pipelines.settings import MIN_CASES
from pipelines.sqlq import Sql, frame

_CODE = {
    "county": Sql("substr(r.region_code, 1, 6)"),
    "city": Sql("substr(r.region_code, 1, 4) || '00'"),
}
_NOT_NULL = {"county": Sql("r.county IS NOT NULL"), "city": Sql("r.city IS NOT NULL")}


def map_values(
    con, f: Filters, measure: str, level: str = "county", min_cases: int = MIN_CASES, lang: str = "zh"
) -> pl.DataFrame:
    """[code, name, province, city, county, measure, label, kind, value, numerator, denominator, basis,
    n_reports, n_null, low_n] — ``aggregate`` of ``measure`` by ``level`` (county | city) for the filters, the
    same numbers as the charts; ``code`` is the area's code (the most common among its reports)."""
    return map_view(con, f, measure, level, min_cases, lang)[0]


def map_view(
    con, f: Filters, measure: str, level: str = "county", min_cases: int = MIN_CASES, lang: str = "zh"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(``map_values``, the reports in view that no area of the map holds): the second frame is
    [province, city, n_reports], one row per city whose own agencies (no county; at level city: per province,
    agencies with no city) are left off the map, from the same aggregate."""
    if level not in _CODE:
        raise ValueError(f"unknown map level {level!r}")
    long = aggregate(con, f, [measure], by=(level,), min_cases=min_cases, lang=lang)
    keys = ["province", "city"] + (["county"] if level == "county" else [])
    if long.is_empty():
        return long, pl.DataFrame(schema={"province": pl.Utf8, "city": pl.Utf8, "n_reports": pl.Int64})
    left = long.filter(pl.col(level).is_null()).select("province", "city", "n_reports")
    w, p = _where(f)
    sql = Sql("SELECT r.province, r.city{c}, mode({code}) AS code FROM reports r {w} GROUP BY ALL").format(
        c=Sql(", r.county") if level == "county" else Sql(""), code=_CODE[level], w=_and(w, _NOT_NULL[level])
    )
    codes = frame(con.cursor(), sql, p)
    out = long.filter(pl.col(level).is_not_null()).join(codes, on=keys, how="left")
    values = out.with_columns(pl.col(level).alias("name")).select(
        "code", "name", *[c for c in out.columns if c != "code"]
    )
    return values, left
