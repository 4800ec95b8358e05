"""How applications were answered: outcome composition, refusal reasons by group, disclosure rates."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines.read.aggregate import BY, aggregate
from pipelines.read.filters import Filters
from pipelines.settings import MIN_CASES
from pipelines.warehouse.measures import DENIED, OPEN_RATE, REJECTED, UNABLE

OUTCOME_MEASURES = ("granted", "partial", "denied", "unable", "rejected", "other_total")


def outcome_composition(con, f: Filters, by: Sequence[str] = ("year",), lang: str = "zh") -> pl.DataFrame:
    """Outcome counts per group with their share of the groups' outcome sum."""
    long = aggregate(con, f, OUTCOME_MEASURES, by, lang=lang)
    if long.is_empty():
        return long
    keys = [c for b in by for c in BY[b][1]]
    tot = pl.col("value").sum().over(keys) if keys else pl.col("value").sum()
    return long.with_columns((pl.col("value") / tot).alias("share"))


REFUSAL_GROUPS = {
    "legal": ("不予公开（法定事由）", "Withheld (legal exemptions)", DENIED),
    "practical": ("无法提供", "Unable to provide", UNABLE),
    "procedural": ("不予处理及其他处理", "Not processed / other", REJECTED + ("other_total",)),
}


def refusal_reasons(con, f: Filters, by: Sequence[str] = (), lang: str = "zh") -> pl.DataFrame:
    """Every refusal reason with its group (legal / practical / procedural) and its share within the group set."""
    cols = DENIED + UNABLE + REJECTED + ("other_total",)
    long = aggregate(con, f, cols, by, lang=lang)
    if long.is_empty():
        return long
    gmap = {c: g for g, (_, _, cs) in REFUSAL_GROUPS.items() for c in cs}
    glabel = {g: (zh if lang == "zh" else en) for g, (zh, en, _) in REFUSAL_GROUPS.items()}
    keys = [c for b in by for c in BY[b][1]]
    tot = pl.col("value").sum().over(keys) if keys else pl.col("value").sum()
    return long.with_columns(pl.col("measure").replace_strict(gmap).alias("group")).with_columns(
        pl.col("group").replace_strict(glabel).alias("group_label"), (pl.col("value") / tot).alias("share")
    )


def open_rate(
    con, f: Filters, basis: str = "A", by: Sequence[str] = ("year",), min_cases: int = MIN_CASES, lang: str = "zh"
) -> pl.DataFrame:
    if basis not in OPEN_RATE:
        raise ValueError(basis)
    return aggregate(con, f, [OPEN_RATE[basis]], by, min_cases=min_cases, lang=lang)
