"""对比 Compare: districts or agencies × years × measures → one table + heatmap; CSV / Excel / Parquet."""

import polars as pl
import streamlit as st

from app_pages import _chart
from app_pages._common import anomaly_caption, basis, filters, lang, min_cases, no_data, q, t, with_span
from app_pages._common import table as table_
from pipelines import charts, numfmt, read

f, L, B = filters(), lang(), basis()
ss = st.session_state
st.title(t("page_compare"))

# the level and the years on the left, the entities on the right; the measures below, over the whole width (in
# English five measures' chips are wider than three quarters of it, and the last was cut)
c1, c2 = st.columns([1, 3])
with c1:
    if ss.get("lvl") not in ("county", "agency"):
        ss["lvl"] = "county"
    level = st.radio(
        t("compare_level"),
        ["county", "agency"],
        key="lvl",
        format_func={"county": t("by_county"), "agency": t("by_agency")}.get,
    )
not_offered = None
with c2:
    if level == "county":
        reg = q("regions", f)
        if f.province:
            reg = reg.filter(pl.col("province") == f.province)
        if f.city:
            reg = reg.filter(pl.col("city") == f.city)
        if f.counties:
            reg = reg.filter(pl.col("county").is_in(list(f.counties)))
        opts = sorted({c for c in reg["county"].to_list() if c})
        names = {c: c for c in opts}
        # a city's (or a province's) own agencies have no district: not offered, and the box's help says so
        sep = " " if L == "en" else ""
        own = list(
            dict.fromkeys(
                f"{r['city']}{sep}{t('city_level')}"
                if r["city"]
                else f"{r['province'] or ''}{sep}{t('province_level')}"
                for r in reg.filter(pl.col("county").is_null()).iter_rows(named=True)
            )
        )
        own_names = (", " if L == "en" else "、").join(own[:3]) + (("…" if L == "en" else "等") if len(own) > 3 else "")
        not_offered = t("compare_not_offered", n=numfmt.count(len(own)), names=own_names) if own else None
    else:
        text = st.text_input(t("agency_search"), key="cmp_q")
        found = q("search_agencies", f, text.strip(), 200, tuple(ss.get("ent") or ()))
        names = dict(zip(found["agency_id"].to_list(), found["agency_name"].to_list()))
        opts = list(names)
    if "ent" in ss:
        ss["ent"] = [e for e in ss["ent"] if e in names]
    st.multiselect(
        t("compare_entities"),
        opts,
        key="ent",
        format_func=lambda e: names.get(e, e),
        # 全部 only where there is something: with no district to pick, the box says so (and is off)
        placeholder=(t("all") if opts else t("nothing_to_pick")) if level == "county" else t("pick_entities_hint"),
        disabled=level == "county" and not opts,
        help=not_offered,
    )

yrs = [y for y in q("years", f) if (f.year_from is None or y >= f.year_from) and (f.year_to is None or y <= f.year_to)]
if "cy" in ss:
    ss["cy"] = [y for y in ss["cy"] if y in [str(v) for v in yrs]]
# the sidebar's 口径 decides which disclosure rate is compared: the other bases are not offered, and a chosen
# disclosure rate follows the switch
rate_b = read.OPEN_RATE[B]
other_bases = set(read.OPEN_RATE.values()) - {rate_b}
measure_opts = [
    k for k, m in read.MEASURES.items() if (m.group != "coverage" or k == "reports") and k not in other_bases
]
default_m = ["applications", rate_b, "reviews", "lawsuits", "correction_rate"]
ss.setdefault("m", default_m)
ss["m"] = list(dict.fromkeys(rate_b if m in other_bases else m for m in ss["m"] if m in read.MEASURES))
c1.multiselect(t("compare_years"), [str(y) for y in yrs], key="cy", placeholder=t("all"))
mlabels = {k: read.MEASURES[k].label(L) for k in measure_opts}
st.multiselect(t("compare_measures"), measure_opts, key="m", format_func=lambda k: mlabels[k])

entities = list(ss.get("ent") or [])
years_ = [int(y) for y in (ss.get("cy") or [])]
measures = list(ss.get("m") or [])
if level == "agency" and not entities:
    st.info(t("pick_entities_hint"))
    st.stop()
if level == "county" and not opts:
    # no district: every report in view is a city's own agency's (or there is none)
    st.info(t("compare_no_districts") if q("report_count", f) else t("no_data"))
    st.stop()
if level == "county" and not entities:
    entities = opts[:60]
if not measures or not entities:
    st.info(t("pick_entities_hint"))
    st.stop()

long = q("compare", f, level, tuple(entities), tuple(years_), tuple(measures), min_cases(), L)
table = read.compare_table(long)
if table.is_empty():
    no_data()
    st.stop()

wide = table.pivot(on="label", index=["entity", "year"], values="value", aggregate_function="first").sort(
    "entity", "year"
)
# the measures' columns in the order they were chosen (as the heatmap's panels), not the pivot's
label_of = dict(table.select("measure", "label").unique().iter_rows())
chosen = [label_of[m] for m in measures if m in label_of and label_of[m] in wide.columns]
wide = wide.select("entity", "year", *chosen, *[c for c in wide.columns if c not in {"entity", "year", *chosen}])
# a column per measure: each printed in its measure's format
kinds = {
    r["label"]: (read.MEASURES[r["measure"]].kind, read.MEASURES[r["measure"]].scale)
    for r in table.select("measure", "label").unique().iter_rows(named=True)
}
entity_name = {"entity": t("by_county") if level == "county" else t("agency")}
table_(wide, "cmp_wide", kinds=kinds, names=entity_name, export="compare")
st.caption(t("basis") + " · " + read.MEASURES[rate_b].basis(L))  # the definition names its basis (口径A：…)
anomaly_caption(long)

st.subheader(t("numerator") + " / " + t("denominator") + " / " + t("basis"))
sel = f.with_(counties=tuple(entities)) if level == "county" else f.with_(agency_ids=tuple(entities))
notes = {
    t("exp_rates"): t("exp_rates_note", m=min_cases()),
    t("compare_years"): "、".join(str(y) for y in years_) or t("all"),
}


def more_sheets() -> dict[str, pl.DataFrame]:
    """The workbook's other sheets: definitions and 口径, the findings and the sources of the reports compared."""
    return {
        t("definitions"): read.definitions(measures, L, min_cases()),
        t("findings"): q("report_findings", sel, tuple(years_) or None),
        t("source"): q("report_sources", sel, tuple(years_) or None),
    }


# the detail rows in the order the measures were chosen (as the table above and the heatmap), not by their key
rank = {m: i for i, m in enumerate(measures)}
detail = table.sort("entity", "year", pl.col("measure").replace_strict(rank, default=len(rank), return_dtype=pl.Int64))
table_(
    detail.drop("entity_id"),
    "cmp_long",
    min_cases=min_cases(),
    names=entity_name,
    export="compare-detail",
    sheets=more_sheets,
    notes=notes,
)

st.subheader(with_span(t("heatmap"), years_ or yrs, t("by_county") if level == "county" else t("by_agency")))
# a page of entities at a time, so that the heatmap fits the page
HM_PAGE = 30
ents = long["entity"].unique(maintain_order=True).to_list()
n_pages = max(1, -(-len(ents) // HM_PAGE))
hm_page = 1
if n_pages > 1:
    hm_page = int(st.number_input(t("page_n") + f" / {n_pages}", 1, n_pages, 1, key="hm_page"))
shown = ents[(hm_page - 1) * HM_PAGE : hm_page * HM_PAGE]
hm = charts.heatmap(long.filter(pl.col("entity").is_in(shown)), L, min_cases=min_cases())
_chart.show(hm, "png_heatmap", "heatmap", "full", L)
