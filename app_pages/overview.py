"""总览 Overview: the KPIs of the latest year with the change vs the previous year, the trend, districts ranked."""

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
    rate_help,
    snapshot,
    t,
    with_span,
)
from app_pages._common import table as table_
from pipelines import briefing, charts, i18n, numfmt, read

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
    scale = read.MEASURES[m].scale
    tip = rate_help(r) + f" · {t('vs_prev')}"
    delta = None if r["change"] is None else numfmt.change(r["change"], r["kind"], scale, L)
    if r["kind"] == "rate" and r["low_n"]:
        # 样本不足 as a label on the change's line, grey and without an arrow (a change over too few cases is no
        # trend), its rule on hover; in the card's title it made "公开率（口径A）（样本不足）", cut at the card's edge
        tip = numfmt.low_n_rule(min_cases(), L) + " · " + tip
        low = i18n.cell(numfmt.low_n_label(L), L)
        delta = low if delta is None else f"{delta} · {low}"
        col.metric(
            r["label"],
            numfmt.value(r["value"], r["kind"], scale),
            delta,
            "off",
            help=tip,
            border=True,
            delta_arrow="off",
        )
        continue
    # no change (+0): grey, without an arrow (an up arrow in green said it rose)
    flat = r["change"] == 0
    col.metric(
        r["label"],
        numfmt.value(r["value"], r["kind"], scale),
        delta=delta,
        delta_color="off" if flat else "normal",
        help=tip,
        border=True,
        delta_arrow="off" if flat else "auto",
    )

st.subheader(with_span(t("trend")))
c1, c2, c3 = st.columns(3)
apps = k.filter(pl.col("measure") == "applications")
disp = k.filter(pl.col("measure").is_in(["reviews", "lawsuits"]))
rates = k.filter(pl.col("kind") == "rate")
# the three charts make room for as many legend rows, so that their export buttons line up
room = max(charts.trend_legend_px(x) for x in (apps, disp, rates))
with c1:
    _chart.show(charts.trend(apps, L, legend_px=room), "png_trend", "trend_applications", "third", L)
with c2:
    _chart.show(charts.trend(disp, L, legend_px=room), "png_trend_disputes", "trend_disputes", "third", L)
with c3:
    rate_chart = charts.trend(rates, L, min_cases=min_cases(), legend_px=room)
    _chart.show(rate_chart, "png_trend_rates", "trend_rates", "third", L)

table = k.select(
    "year",
    "measure",
    "kind",
    "label",
    "value",
    "numerator",
    "denominator",
    "basis",
    "n_null",
    "n_anomalous",
    "low_n",
    "change",
).sort("year", "label", descending=[True, False])
table_(table, "ov_kpis", min_cases=min_cases(), export="overview-kpis")
null_caption(k)

# the ranking covers the cards' year unless a sum over the filters' years is asked for (then labelled so)
first = int(k["year"].min())
periods = {"latest": t("period_latest", y=latest)}
if first < latest:
    periods["range"] = t("period_range", a=first, b=latest)
if st.session_state.get("rp") not in periods:
    st.session_state["rp"] = "latest"
st.subheader(t("ranking_districts") + " · " + periods[st.session_state["rp"]])
rank_opts = ["applications", read.OPEN_RATE[basis()], "reviews", "lawsuits", "correction_rate", "lawsuits_per_100"]
if st.session_state.get("rank") not in rank_opts:
    st.session_state["rank"] = "applications"
r1, r2 = st.columns([2, 3])
m = r1.selectbox(t("measure"), rank_opts, key="rank", format_func=lambda k: read.MEASURES[k].label(L))
rp = r2.radio(t("period"), list(periods), key="rp", horizontal=True, format_func=periods.get)
ranked, low = q("ranking", f, m, "county", min_cases(), 30, True, L, (latest,) if rp == "latest" else None)
if ranked.is_empty():
    no_data()
else:
    pct = read.MEASURES[m].kind == "rate"
    _chart.show(
        charts.ranking(label_county(ranked), "county", L, percent=pct, min_cases=min_cases()),
        "png_rank",
        "ranking",
        "full",
        L,
    )
    show = label_county(ranked.with_columns(district_links(ranked, "overview"))).select(
        "rank",
        "county",
        "measure",
        "value",
        "numerator",
        "denominator",
        "basis",
        "n_reports",
        "n_null",
        "n_anomalous",
        "link",
    )
    table_(show, "ov_rank", export="overview-ranking")
n_low = low.filter(pl.col("low_n")).height if not low.is_empty() else 0
if n_low:
    st.caption(t("low_n_note", n=n_low, m=min_cases()))
if not ranked.is_empty() or not low.is_empty():
    anomaly_caption(pl.concat([ranked.drop("rank"), low], how="diagonal_relaxed"))

# 生成分析简报: the briefing of this view (its filters, 口径, minimum cases), as HTML and, where headless
# Chromium is available, PDF; built when asked (a few seconds), kept for this view until the filters change
st.subheader(t("briefing"))
view = (f, basis(), min_cases(), L)
if st.button(t("briefing_go"), icon=":material/summarize:", key="brief_go"):
    with st.spinner(t("briefing_busy")):
        html = briefing.build(snapshot(), f, basis(), min_cases(), L)
        st.session_state["_brief"] = (view, html, briefing.to_pdf(html))
made = st.session_state.get("_brief")
if made and made[0] == view:
    _, html, pdf = made
    b1, b2, _ = st.columns([1, 1, 3])
    b1.download_button(
        t("briefing_html"), html.encode("utf-8"), file_name="xxgk-briefing.html", mime="text/html", key="brief_html"
    )
    if pdf:
        b2.download_button(
            t("briefing_pdf"), pdf, file_name="xxgk-briefing.pdf", mime="application/pdf", key="brief_pdf"
        )
    else:
        b2.caption(t("briefing_no_pdf"))
