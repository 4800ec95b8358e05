"""复议诉讼 Reviews & lawsuits: counts and outcome mix of 行政复议 / 直接起诉 / 复议后起诉, 纠错率, lawsuits per 100."""

import polars as pl
import streamlit as st

from app_pages import _chart
from app_pages._common import (
    anomaly_caption,
    district_links,
    filters,
    label_county,
    lang,
    link_col,
    min_cases,
    no_data,
    null_caption,
    q,
    t,
    with_period,
    with_span,
)
from app_pages._common import table as table_
from pipelines import charts, i18n, read

f, L = filters(), lang()
st.title(t("page_disputes"))

d = q("disputes", f, ("year",), L)
if d.is_empty():
    no_data()
    st.stop()
tot = d.filter(pl.col("outcome") == "total")
st.subheader(with_span(t("disputes")))
c1, c2 = st.columns(2)
half = charts.SCREEN_PX["half"]
tot = tot.with_columns(pl.col("proceeding_label").alias("label"))
allyrs = q("disputes", f, (), L).filter(pl.col("outcome") != "total")
# the two charts alike (a title, a plot as tall, a titled x axis, room for the most legend rows): their export
# buttons line up
room = max(charts.trend_legend_px(tot, half), charts.grouped_legend_px(allyrs))
with c1:
    _chart.show(
        charts.trend(tot, L, title=t("trend"), width=half, legend_px=room, height=charts.STACK_HEIGHT),
        "png_disp",
        "disputes",
        "half",
        L,
    )
    null_caption(tot)
with c2:
    _chart.show(
        charts.grouped(
            allyrs,
            "proceeding_label",
            "outcome_label",
            L,
            title=with_period(t("disputes_mix")),
            x_title=t("proceeding"),
            color_title=t("outcome"),
            legend_px=room,
        ),
        "png_disp_mix",
        "disputes_mix",
        "half",
        L,
    )
table = d.pivot(on="outcome_label", index=["year", "proceeding_label"], values="value", aggregate_function="first")
table_(
    table,
    "dis_totals",
    names={"proceeding_label": t("proceeding")},
    kinds=dict.fromkeys(table.columns[2:], ("count", 1.0)),
    export="disputes-totals",
)

st.subheader(with_period(t("correction")))
by = st.radio(
    t("by"),
    ["county", "agency"],
    key="by",
    horizontal=True,
    format_func={"county": t("by_county"), "agency": t("by_agency")}.get,
)
cr = q("correction_rates", f, by, min_cases(), L)
if cr.is_empty():
    no_data()
    st.stop()
name = "county" if by == "county" else "agency_name"
if by == "county":
    link = district_links(cr, "disputes", {"by": "agency"})
else:
    link = link_col(cr, "disputes", {"ag": "agency_id"})
# The measures' definitions are one per measure, not one per row: on the 指标 header's hover (and a sheet of the
# workbook), not a column. The 说明 column only when a row has a note. Twelve columns cut every text column
# to a few characters, in English most.
defs = cr.select("label", "basis").unique(subset="label", maintain_order=True).sort("label")
notes = (
    pl.when(pl.col("value").is_null() & (pl.col("n_anomalous") > 0)).then(pl.lit(t("anomalous"))).otherwise(pl.lit(""))
)
show = (
    label_county(cr.with_columns(link))
    .with_columns(notes.alias("note"))
    .select(
        name,
        "measure",
        "label",
        "value",
        "numerator",
        "denominator",
        "low_n",
        "n_null",
        "n_anomalous",
        "note",
        "link",
    )
    .sort(name, "label")
)
if not (show["note"] != "").any():
    show = show.drop("note")
measure_h, colon = t("measure"), (": " if L == "en" else "：")
table_(
    show,
    "dis_rates",
    min_cases=min_cases(),
    export="disputes-correction-rates",
    column_config={
        i18n.heading(measure_h, L): st.column_config.TextColumn(
            help="\n\n".join(f"**{lab}**{colon}{i18n.cell(b, L)}" for lab, b in defs.iter_rows())
        )
    },
    sheets={t("basis_col"): defs.rename({"label": measure_h, "basis": t("basis_col")})},
)
ok = cr.filter((pl.col("measure") == "correction_rate") & ~pl.col("low_n") & pl.col("value").is_not_null())
if not ok.is_empty():
    # the chart's own title: what is ranked, and by what (its axis named only the measure)
    title = (
        read.MEASURES["correction_rate"].label(L)
        + " · "
        + t("ranking_districts" if by == "county" else "ranking_agencies")
    )
    _chart.show(
        charts.ranking(
            label_county(ok).sort("value", descending=True).head(30), name, L, title=title, min_cases=min_cases()
        ),
        "png_corr_rank",
        "correction_rate_ranking",
        "full",
        L,
    )
n_low = cr.filter((pl.col("measure") == "correction_rate") & pl.col("low_n")).height
if n_low:
    st.caption(t("low_n_note", n=n_low, m=min_cases()))
anomaly_caption(cr)
