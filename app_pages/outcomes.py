"""办理结果 Outcomes: composition, refusal reasons grouped and compared across districts, 公开率 by 口径."""

import polars as pl
import streamlit as st

from app_pages import _chart
from app_pages._common import (
    basis,
    filters,
    label_county,
    lang,
    link_col,
    min_cases,
    no_data,
    null_caption,
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
    _chart.show(ch, "png_outcomes", "outcomes", "half", L)
    null_caption(comp)
with c2:
    st.subheader(t("open_rate") + f" · 口径{B}")
    orate = q("open_rate", f, B, ("year",), min_cases(), L)
    _chart.show(charts.trend(orate, L, percent=True, min_cases=min_cases()), "png_open_rate", "open_rate", "half", L)
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
_chart.show(
    charts.stacked(rr, "label", "group_label", L, normalize=False, horizontal=True, color_title=t("group")),
    "png_refusals",
    "refusal_reasons",
    "full",
    L,
)
null_caption(rr)

st.subheader(t("refusals_by_county"))
rc = q("refusal_reasons", f, ("county",), L)
if not rc.is_empty():
    _chart.show(
        charts.stacked(label_county(rc), "county", "group_label", L, horizontal=True, color_title=t("group")),
        "png_refusals_county",
        "refusal_reasons_by_district",
        "full",
        L,
    )
    wide = rc.pivot(on="group_label", index="county", values="value", aggregate_function="sum")
    wide = wide.with_columns(link_col(wide, "county", lambda c: view_link("outcomes", cty=[c])))
    st.dataframe(
        rename(wide),
        hide_index=True,
        width="stretch",
        column_config={t("link"): st.column_config.LinkColumn(display_text=t("open"))},
    )

st.subheader(t("open_rate") + " · " + t("ranking_districts"))
ranked, low = q("ranking", f, read.OPEN_RATE[B], "county", min_cases(), 50, True, L)
if not ranked.is_empty():
    _chart.show(
        charts.ranking(label_county(ranked), "county", L, percent=True, min_cases=min_cases()),
        "png_open_rank",
        "open_rate_ranking",
        "full",
        L,
    )
    st.dataframe(
        rename(ranked.select("rank", "county", "value", "numerator", "denominator", "basis", "n_null")),
        hide_index=True,
        width="stretch",
        column_config={t("value"): st.column_config.NumberColumn(format="percent")},
    )
if not low.is_empty():
    st.caption(t("low_n_note", n=low.height, m=min_cases()))
