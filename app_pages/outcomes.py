"""办理结果 Outcomes: composition, refusal reasons grouped and compared across districts, 公开率 by 口径."""

import polars as pl
import streamlit as st

from app_pages import _chart
from app_pages._common import (
    anomaly_caption,
    basis,
    district_links,
    filters,
    label_county,
    lang,
    min_cases,
    no_data,
    null_caption,
    q,
    t,
    with_period,
    with_span,
)
from app_pages._common import table as table_
from pipelines import charts, i18n, numfmt, read

f, L, B = filters(), lang(), basis()
CHART_TOP = 30  # districts drawn in the refusal-reasons chart
st.title(t("page_outcomes"))

comp = q("outcome_composition", f, ("year",), L)
if comp.is_empty():
    no_data()
    st.stop()

c1, c2 = st.columns(2)
half = charts.SCREEN_PX["half"]
orate = q("open_rate", f, B, ("year",), min_cases(), L)
# the two charts as tall, with room for the most legend rows: their export buttons line up
room = max(charts.stacked_legend_px(comp, "label", half), charts.trend_legend_px(orate, half))
with c1:
    st.subheader(with_span(t("composition")))
    ch = charts.stacked(
        comp, "year", "label", L, x_title=t("year"), color_title=t("outcome"), width=half, legend_px=room
    )
    _chart.show(ch, "png_outcomes", "outcomes", "half", L)
    null_caption(comp)
with c2:
    st.subheader(with_span(t("open_rate"), None, t("basis_n", b=B)))
    _chart.show(
        charts.trend(
            orate, L, percent=True, min_cases=min_cases(), width=half, legend_px=room, height=charts.STACK_HEIGHT
        ),
        "png_open_rate",
        "open_rate",
        "half",
        L,
    )
    st.caption(i18n.cell(read.MEASURES[read.OPEN_RATE[B]].basis(L), L))  # a sentence of its own
# the three rates by year: the page's width (in the chart's half its ten columns and definitions ran past the
# right edge)
all3 = q("aggregate", f, tuple(read.OPEN_RATE.values()), ("year",), min_cases=min_cases(), lang=L)
table_(
    all3.select(
        "year", "measure", "label", "value", "numerator", "denominator", "basis", "n_null", "n_anomalous", "low_n"
    ),
    "out_rates",
    min_cases=min_cases(),
    export="outcomes-rates",
)
anomaly_caption(all3)

st.subheader(with_period(t("refusals")))
rr = q("refusal_reasons", f, (), L)
# a group whose every reason is blank is blank (—), not 0: polars' sum of nulls is 0
g = rr.group_by("group_label", maintain_order=True).agg(
    pl.when(pl.col("value").count() > 0).then(pl.col("value").sum())
)
cols = st.columns(len(g) or 1)
for col, r in zip(cols, g.iter_rows(named=True)):
    col.metric(r["group_label"], numfmt.count(r["value"]), border=True)
_chart.show(
    charts.stacked(rr, "label", "group_label", L, normalize=False, horizontal=True, color_title=t("group")),
    "png_refusals",
    "refusal_reasons",
    "full",
    L,
)
null_caption(rr)

st.subheader(with_period(t("refusals_by_county")))
rc = q("refusal_reasons", f, ("county",), L)
if not rc.is_empty():
    # the chart: the districts with most refusals (one bar each, every label readable; at 1M reports there are
    # thousands of districts); the table below: all of them, most first
    # a district is (province, city, county): one name can be a district of many cities
    lab = label_county(rc)
    key = [c for c in ("province", "city", "county") if c in lab.columns]
    totals = lab.group_by(key).agg(pl.col("value").sum().alias("_total"))
    totals = totals.sort("_total", *key, descending=[True] + [False] * len(key), nulls_last=True)
    top = totals.head(CHART_TOP).select(key)
    _chart.show(
        charts.stacked(
            # in the table's order (most reasons first)
            lab.join(top.with_row_index("_rank"), on=key, how="inner", nulls_equal=True).sort(
                "_rank", maintain_order=True
            ),
            "county",
            "group_label",
            L,
            horizontal=True,
            color_title=t("group"),
        ),
        "png_refusals_county",
        "refusal_reasons_by_district",
        "full",
        L,
    )
    if totals.height > CHART_TOP:
        st.caption(t("chart_top_n", n=CHART_TOP, total=totals.height))
    wide = rc.pivot(
        on="group_label",
        index=key,
        values="value",
        aggregate_function=pl.when(pl.element().count() > 0).then(pl.element().sum()),  # blank stays blank
    )
    order = wide.select(pl.sum_horizontal(pl.exclude(key)).alias("_total"))["_total"]
    wide = wide.with_columns(order).sort("_total", *key, descending=[True] + [False] * len(key), nulls_last=True)
    # each district (and each city's own agencies, by the city's name) drills down to itself
    wide = label_county(wide.drop("_total").with_columns(district_links(wide, "outcomes"))).drop(
        [c for c in key if c != "county"]
    )
    table_(
        wide,
        "out_refusals",
        kinds={c: ("count", 1.0) for c in wide.columns if c not in ("county", "link")},
        export="outcomes-refusals-by-district",
    )

st.subheader(with_period(t("open_rate") + " · " + t("ranking_districts")))
ranked, low = q("ranking", f, read.OPEN_RATE[B], "county", min_cases(), 50, True, L)
if not ranked.is_empty():
    _chart.show(
        charts.ranking(label_county(ranked), "county", L, percent=True, min_cases=min_cases()),
        "png_open_rank",
        "open_rate_ranking",
        "full",
        L,
    )
    table_(
        label_county(ranked.with_columns(district_links(ranked, "outcomes"))).select(
            "rank", "county", "measure", "value", "numerator", "denominator", "basis", "n_null", "n_anomalous", "link"
        ),
        "out_rank",
        export="outcomes-ranking",
    )
else:  # no rate to rank (blank, or every one over too few cases): said, not an empty heading
    st.caption(t("no_chart_data"))
n_low = low.filter(pl.col("low_n")).height if not low.is_empty() else 0
if n_low:
    st.caption(t("low_n_note", n=n_low, m=min_cases()))
if not ranked.is_empty() or not low.is_empty():
    anomaly_caption(pl.concat([ranked.drop("rank"), low], how="diagonal_relaxed"))
