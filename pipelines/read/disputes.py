"""Administrative reviews and lawsuits (table 4): counts per proceeding × outcome, correction rates."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines import i18n
from pipelines.read.aggregate import aggregate
from pipelines.read.filters import Filters
from pipelines.settings import MIN_CASES
from pipelines.warehouse.measures import OUT_EN, OUT_ZH, OUTCOMES, PROC_EN, PROC_ZH, PROCEEDINGS


def disputes(con, f: Filters, by: Sequence[str] = ("year",), lang: str = "zh") -> pl.DataFrame:
    """Table 4 counts per proceeding (行政复议 / 直接起诉 / 复议后起诉) × outcome, long form."""
    ms = [f"{p}_{o}" if not (p == "review" and o == "total") else "reviews" for p in PROCEEDINGS for o in OUTCOMES]
    long = aggregate(con, f, ms, by, lang=lang)
    if long.is_empty():
        return long
    pmap, omap = {}, {}
    for p in PROCEEDINGS:
        for o in OUTCOMES:
            k = "reviews" if (p == "review" and o == "total") else f"{p}_{o}"
            pmap[k], omap[k] = p, o
    pl_ = PROC_ZH if lang == "zh" else PROC_EN
    # an outcome labels a column, a legend entry: capitalised in English ("Upheld", as the headers)
    ol_ = OUT_ZH if lang == "zh" else {k: i18n.cell(v, lang) for k, v in OUT_EN.items()}
    return long.with_columns(
        pl.col("measure").replace_strict(pmap).alias("proceeding"),
        pl.col("measure").replace_strict(omap).alias("outcome"),
    ).with_columns(
        pl.col("proceeding").replace_strict(pl_).alias("proceeding_label"),
        pl.col("outcome").replace_strict(ol_).alias("outcome_label"),
    )


def correction_rates(con, f: Filters, by: str = "county", min_cases: int = MIN_CASES, lang: str = "zh") -> pl.DataFrame:
    return aggregate(
        con,
        f,
        ["review_correction_rate", "suit_correction_rate", "correction_rate", "lawsuits_per_100"],
        (by,),
        min_cases=min_cases,
        lang=lang,
    )
