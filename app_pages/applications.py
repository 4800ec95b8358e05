"""申请量 Applications: by district / agency / year, the applicant mix, the change vs the previous year."""

import polars as pl
import streamlit as st

from app_pages import _chart
from app_pages._common import (
    district_links,
    filters,
    label_county,
    lang,
    link_col,
    no_data,
    null_caption,
    q,
    t,
    with_span,
)
from app_pages._common import table as table_
from pipelines import charts

f, L = filters(), lang()
st.title(t("page_applications"))

tr = q("trend", f, ("applications", "carried_over", "total_handled"), 30, L)
if tr.is_empty():
    no_data()
    st.stop()
c1, c2 = st.columns(2)
half = charts.SCREEN_PX["half"]
mix = q("applicant_mix", f, ("year",), L)
mix = mix.with_columns((pl.col("value") / pl.col("value").sum().over("year")).alias("share"))
# the two charts as tall, with room for the most legend rows: their export buttons line up
room = max(charts.trend_legend_px(tr, half), charts.stacked_legend_px(mix, "label", half))
with c1:
    st.subheader(with_span(t("trend")))
    trend = charts.trend(tr, L, width=half, legend_px=room, height=charts.STACK_HEIGHT)
    _chart.show(trend, "png_app_trend", "applications_trend", "half", L)
    null_caption(tr)
with c2:
    st.subheader(with_span(t("applicant_mix")))
    _chart.show(
        charts.stacked(
            mix, "year", "label", L, x_title=t("year"), color_title=t("applicant_mix"), width=half, legend_px=room
        ),
        "png_app_mix",
        "applicant_mix",
        "half",
        L,
    )
    null_caption(mix)

if st.session_state.get("by") not in ("county", "agency"):
    st.session_state["by"] = "county"
by = st.radio(
    t("by"),
    ["county", "agency"],
    key="by",
    horizontal=True,
    format_func={"county": t("by_county"), "agency": t("by_agency")}.get,
)
name_col = "county" if by == "county" else "agency_name"

st.subheader(t("yoy"))
y = q("yoy", f, "applications", by, L)
if y.is_empty():
    no_data()
    st.stop()
latest = int(y["year"].max())
cur = y.filter(pl.col("year") == latest).sort("value", descending=True, nulls_last=True)
st.caption(t("latest_year", y=latest))
_chart.show(
    charts.ranking(label_county(cur.head(30)), name_col, L, title=t("applications")),
    "png_app_rank",
    "applications",
    "full",
    L,
)
if by == "county":
    link = district_links(cur, "applications", {"by": "agency"})
else:
    link = link_col(cur, "applications", {"ag": "agency_id"})
show = label_county(cur.with_columns(link)).select(
    name_col, "measure", "value", "prev", "change", "change_pct", "n_reports", "n_null", "link"
)
table_(
    show,
    "app_yoy",
    names={"value": f"{latest} {t('applications')}"},
    export="applications-yoy",
)

st.subheader(t("applicant_mix") + " · " + t(f"by_{by}"))
mixg = q("applicant_mix", f.with_(year_from=latest, year_to=latest), (by,), L)
if not mixg.is_empty():
    # by the names the chart shows: a city's own agencies (no county) are a bar of their own too
    top = label_county(cur.head(15))[name_col].to_list()
    mixg = label_county(mixg).filter(pl.col(name_col).is_in(top))
    _chart.show(
        charts.stacked(mixg, name_col, "label", L, horizontal=True, color_title=t("applicant_mix")),
        "png_app_mix_by",
        "applicant_mix_by",
        "full",
        L,
    )

if len(f.agency_ids) == 1 or by == "agency":
    st.subheader(t("report_list"))
    rl = q("report_list", f, 20, 0, "applications")
    rl = rl.with_columns(link_col(rl, "report", {"report": "report_id"}))
    table_(
        rl.select("agency_name", "year", "new_received", "total_handled", "link"),
        "app_reports",
        export="applications-reports",
    )
