"""地图 Map: the districts of the chosen city (or the cities of the chosen province) coloured by a measure,
with the sidebar's filters, the 样本不足 rule and the charts' tooltip; clicking an area filters to it."""

import polars as pl
import streamlit as st

from app_pages import _filters
from app_pages._common import basis, filters, lang, min_cases, no_data, period, q, t
from app_pages._common import table as table_
from pipelines import charts, geo, numfmt, read

f, L, B = filters(), lang(), basis()
ss = st.session_state
st.title(t("page_map"))

# which map: the chosen city's districts; else the chosen province's cities; else the city with most reports
reg = q("regions", f)
if f.city:
    level, where = "county", f
    place = f.city
elif f.province:
    level, where = "city", f
    place = f.province
else:
    if reg.is_empty():
        no_data()
        st.stop()
    top = (
        reg.filter(pl.col("city").is_not_null())
        .group_by("province", "city")
        .len()
        .sort("len", "province", "city", descending=[True, False, False])
    )
    if top.is_empty():
        no_data()
        st.stop()
    prov, city = top.row(0)[:2]
    level, where, place = "county", f.with_(province=prov, city=city), city
    st.caption(t("map_default", place=city))

opts = ["applications", read.OPEN_RATE[B], "reviews", "lawsuits", "correction_rate", "lawsuits_per_100", "reports"]
if ss.get("map_m") not in opts:
    ss["map_m"] = "applications"
m = st.selectbox(t("measure"), opts, key="map_m", format_func=lambda k: read.MEASURES[k].label(L))
# every area of the map is coloured; the sidebar's chosen districts (or city) are outlined
chosen = list(where.counties) if level == "county" else ([where.city] if where.city else [])
values, left = q("map_view", where.with_(counties=()) if level == "county" else where, m, level, min_cases(), L)
# reports no area holds (a city's own agencies have no district): named with their count, never a bare "no data"
sep = " " if L == "en" else ""
own = t("city_level") if level == "county" else t("province_level")
left_names = (", " if L == "en" else "、").join(
    f"{r['city' if level == 'county' else 'province'] or ''}{sep}{own}".strip() for r in left.iter_rows(named=True)
)
n_left = int(left["n_reports"].sum()) if left.height else 0
left_args = {"n": numfmt.count(n_left), "names": left_names, "area": t(f"area_{level}")}
if values.is_empty() or values["code"].drop_nulls().is_empty():
    if n_left and values.is_empty():
        st.info(t("map_only_left_off", **left_args))
    else:
        no_data()
    st.stop()
parent = values["code"].drop_nulls()[0]
feats = geo.features(level, parent)
spec = charts.choropleth_spec(
    feats,
    values,
    L,
    min_cases=min_cases(),
    title=" · ".join(x for x in (place, read.MEASURES[m].label(L), period()) if x),
    highlight=chosen,
)


def _picked() -> None:
    """A click filters the whole dashboard to that area (before the sidebar's widgets are drawn again); a
    click on an area without reports changes nothing and says so."""
    sel = (ss.get("map_chart") or {}).get("selection", {}).get(charts.MAP_SELECTION) or []
    names = [p.get("name") for p in sel if p.get("name")]
    if not names:
        return
    to = _filters.map_pick(level, where.with_(province=where.province or ss.get("prov")), names[0], reg)
    if to is None:
        ss["_map_none"] = names[0]
        return
    ss.update(to)


none = ss.pop("_map_none", None)
if none:
    st.info(t("map_no_reports", name=none), icon=":material/info:")


st.vega_lite_chart(
    spec,
    theme=None,
    width="content",
    on_select=_picked,
    selection_mode=charts.MAP_SELECTION,
    key="map_chart",
)

drawn = {x["code"] for x in feats}
no_shape = values.filter(~pl.col("code").is_in(list(drawn)) | pl.col("code").is_null())["name"].to_list()
if no_shape:
    st.caption(t("map_no_shape", names="、".join(no_shape)))
if n_left:
    st.caption(t("map_left_off", **left_args))
low = values.filter(pl.col("low_n") & (pl.col("kind") == "rate")).height
if low:
    st.caption(numfmt.low_n_rule(min_cases(), L) + f"（{low}）")
meas = read.MEASURES[m]
values = values.sort("value", descending=True, nulls_last=True)  # a district per row
cols = ["name", "measure", "value", *(["numerator", "denominator"] if meas.kind == "rate" else []), "n_reports"]
table = values.select(*cols, (pl.col("low_n") & (pl.col("kind") == "rate")).alias("low_n"))
if not table["low_n"].any():  # the 说明 column only when a row has a note (as 复议诉讼's table)
    table = table.drop("low_n")
table_(
    table,
    "map_table",
    link=None,
    min_cases=min_cases(),
    names={"name": t("county") if level == "county" else t("city"), "value": meas.label(L), "low_n": t("note")},
)
st.caption(t("map_source", src=geo.SOURCE if L != "en" else geo.SOURCE_EN))
