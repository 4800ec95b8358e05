"""办理结果 Outcomes: composition, refusal reasons grouped and compared across districts, 公开率 by 口径."""

import polars as pl
import streamlit as st

from app_pages._common import (
    label_county,
    basis,
    filters,
    lang,
    min_cases,
    no_data,
    null_caption,
    png_download,
    q,
    rename,
    t,
    view_link,
)
from pipelines import charts, read

f, L, B = filters(), lang(), basis()
st.title(t("page_outcomes"))

comp = q("outcome_composition", f, ("year",), L)
if comp.is_empty():
    no_data()
    st.stop()

c1, c2 = st.columns(2)
with c1:
    st.subheader(t("composition"))
    ch = charts.stacked(comp, "year", "label", L, x_title=t("year"), color_title=t("outcome"))
    st.altair_chart(ch, width="stretch")
    png_download(ch, "outcomes", "png_outcomes")
    null_caption(comp)
with c2:
    st.subheader(t("open_rate") + f" · 口径{B}")
    orate = q("open_rate", f, B, ("year",), min_cases(), L)
    st.altair_chart(charts.trend(orate, L, percent=True), width="stretch")
    st.caption(read.MEASURES[read.OPEN_RATE[B]].basis(L))
    all3 = q("aggregate", f, tuple(read.OPEN_RATE.values()), ("year",), min_cases=min_cases(), lang=L)
    st.dataframe(
        rename(all3.select("year", "label", "value", "numerator", "denominator", "basis", "n_null", "low_n")),
        hide_index=True,
        width="stretch",
        column_config={t("value"): st.column_config.NumberColumn(format="percent")},
    )

st.subheader(t("refusals"))
rr = q("refusal_reasons", f, (), L)
g = rr.group_by("group_label", maintain_order=True).agg(pl.col("value").sum())
cols = st.columns(len(g) or 1)
for col, r in zip(cols, g.iter_rows(named=True)):
    col.metric(r["group_label"], f"{r['value']:,.0f}", border=True)
st.altair_chart(
    charts.stacked(
        rr.with_columns(pl.lit(t("total")).alias("all")),
        "label",
        "group_label",
        L,
        normalize=False,
        horizontal=True,
        color_title=t("group"),
    ),
    width="stretch",
)
null_caption(rr)

st.subheader(t("refusals_by_county"))
rc = q("refusal_reasons", f, ("county",), L)
if not rc.is_empty():
    st.altair_chart(
        charts.stacked(label_county(rc), "county", "group_label", L, horizontal=True, color_title=t("group")),
        width="stretch",
    )
    wide = rc.pivot(on="group_label", index="county", values="value", aggregate_function="sum")
    wide = wide.with_columns(
        pl.col("county").map_elements(lambda c: view_link("outcomes", cty=[c]), return_dtype=pl.Utf8).alias("link")
    )
    st.dataframe(
        rename(wide),
        hide_index=True,
        width="stretch",
        column_config={t("link"): st.column_config.LinkColumn(display_text=t("open"))},
    )

st.subheader(t("open_rate") + " · " + t("ranking_districts"))
ranked, low = q("ranking", f, read.OPEN_RATE[B], "county", min_cases(), 50, True, L)
if not ranked.is_empty():
    st.altair_chart(charts.ranking(label_county(ranked), "county", L, percent=True), width="stretch")
    st.dataframe(
        rename(ranked.select("rank", "county", "value", "numerator", "denominator", "basis", "n_null")),
        hide_index=True,
        width="stretch",
        column_config={t("value"): st.column_config.NumberColumn(format="percent")},
    )
if not low.is_empty():
    st.caption(t("low_n_note", n=low.height, m=min_cases()))
