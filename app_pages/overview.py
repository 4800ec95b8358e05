"""总览 Overview: the KPIs of the latest year with the change vs the previous year, the trend, districts ranked."""

import polars as pl
import streamlit as st

from app_pages._common import (
    label_county,
    basis,
    filters,
    fmt_value,
    lang,
    min_cases,
    no_data,
    null_caption,
    png_download,
    q,
    rate_help,
    rename,
    t,
    view_link,
)
from pipelines import charts, read

f, L = filters(), lang()
st.title(t("page_overview"))

k = q("overview_kpis", f, basis(), min_cases(), L)
if k.is_empty():
    no_data()
    st.stop()

latest = int(k["year"].max())
st.caption(t("latest_year", y=latest))
order = [m if m != "open_rate_A" else read.OPEN_RATE[basis()] for m in read.OVERVIEW_MEASURES]
cols = st.columns(4) + st.columns(4)
for col, m in zip(cols, order):
    rows = k.filter((pl.col("year") == latest) & (pl.col("measure") == m))
    if rows.is_empty():
        continue
    r = rows.row(0, named=True)
    value = fmt_value(r["value"], r["kind"])
    if r["kind"] == "rate" and r["low_n"]:
        value += f" ({t('low_n')})"
    delta = None
    if r["change"] is not None:
        delta = f"{r['change'] * 100:+.1f} pp" if r["kind"] == "rate" else f"{r['change']:+,.0f}"
    col.metric(r["label"], value, delta=delta, help=rate_help(r) + f" · {t('vs_prev')}", border=True)

st.subheader(t("trend"))
c1, c2, c3 = st.columns(3)
apps = k.filter(pl.col("measure") == "applications")
disp = k.filter(pl.col("measure").is_in(["reviews", "lawsuits"]))
rates = k.filter(pl.col("kind") == "rate")
with c1:
    ch = charts.trend(apps, L)
    st.altair_chart(ch, width="stretch")
    png_download(ch, "trend_applications", "png_trend")
with c2:
    st.altair_chart(charts.trend(disp, L), width="stretch")
with c3:
    st.altair_chart(charts.trend(rates, L, percent=True), width="stretch")

table = k.select("year", "label", "value", "numerator", "denominator", "basis", "n_null", "low_n", "change").sort(
    "year", "label", descending=[True, False]
)
st.dataframe(
    rename(table),
    hide_index=True,
    width="stretch",
    column_config={t("value"): st.column_config.NumberColumn(format="%.4g")},
)
null_caption(k)

st.subheader(t("ranking_districts"))
rank_opts = ["applications", read.OPEN_RATE[basis()], "reviews", "lawsuits", "correction_rate", "lawsuits_per_100"]
if st.session_state.get("rank") not in rank_opts:
    st.session_state["rank"] = "applications"
m = st.selectbox(t("measure"), rank_opts, key="rank", format_func={k: read.MEASURES[k].label(L) for k in rank_opts}.get)
ranked, low = q("ranking", f, m, "county", min_cases(), 30, True, L)
if ranked.is_empty():
    no_data()
else:
    pct = read.MEASURES[m].kind == "rate"
    st.altair_chart(charts.ranking(label_county(ranked), "county", L, percent=pct), width="stretch")
    show = ranked.with_columns(
        pl.col("county").map_elements(lambda c: view_link("overview", cty=[c]), return_dtype=pl.Utf8).alias("link")
    ).select("rank", "county", "value", "numerator", "denominator", "basis", "n_reports", "n_null", "link")
    st.dataframe(
        rename(show),
        hide_index=True,
        width="stretch",
        column_config={
            t("link"): st.column_config.LinkColumn(display_text=t("open")),
            t("value"): st.column_config.NumberColumn(format="%.4g"),
        },
    )
if not low.is_empty():
    st.caption(t("low_n_note", n=low.height, m=min_cases()))
