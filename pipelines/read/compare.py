"""The compare page: counties or agencies × years × measures, and the table it exports."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines.read.aggregate import aggregate
from pipelines.read.filters import Filters
from pipelines.settings import MIN_CASES


def compare(
    con,
    f: Filters,
    level: str,
    entities: Sequence[str],
    years_: Sequence[int],
    measures: Sequence[str],
    min_cases: int = MIN_CASES,
    lang: str = "zh",
) -> pl.DataFrame:
    """Entities (counties or agency ids) × years × measures, long form with numerator/denominator/basis."""
    if level not in _COMPARE_LEVELS:
        raise ValueError(level)
    field, group, id_col, name_col = _COMPARE_LEVELS[level]
    g = f.with_(**{field: tuple(entities)}) if entities else f
    out = aggregate(con, g, measures, (group, "year"), years=years_ or None, min_cases=min_cases, lang=lang)
    if out.is_empty():
        return out
    return out.with_columns(pl.col(id_col).alias("entity_id"), pl.col(name_col).alias("entity"))


# compare level → (Filters field, aggregate grouping, id column, display column)
_COMPARE_LEVELS = {
    "county": ("counties", "county", "county", "county"),
    "agency": ("agency_ids", "agency", "agency_id", "agency_name"),
}


def compare_table(long: pl.DataFrame) -> pl.DataFrame:
    """The comparison as exported: one row per entity × year × measure."""
    if long.is_empty():
        return pl.DataFrame(
            schema={
                "entity_id": pl.Utf8,
                "entity": pl.Utf8,
                "year": pl.Int64,
                "measure": pl.Utf8,
                "label": pl.Utf8,
                "value": pl.Float64,
                "numerator": pl.Float64,
                "denominator": pl.Float64,
                "basis": pl.Utf8,
                "n_reports": pl.Int64,
                "n_null": pl.Int64,
                "n_anomalous": pl.Int64,
                "low_n": pl.Boolean,
            }
        )
    return long.select(
        "entity_id",
        "entity",
        "year",
        "measure",
        "label",
        "value",
        "numerator",
        "denominator",
        "basis",
        "n_reports",
        "n_null",
        "n_anomalous",
        "low_n",
    ).sort("entity", "year", "measure")
