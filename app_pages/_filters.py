"""The shared sidebar filters and the view state ⇄ URL (st.query_params).

Every piece of view state lives in st.session_state under its URL key, so a copied link reproduces
the view: on a session's first run the URL is read into the state; after every run the state is
written back to the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import streamlit as st

from app_pages._common import q, t
from pipelines import i18n, read

# URL key → kind. list = repeated parameter; range = "2019-2023"; int; str.
PARAMS: dict[str, str] = {
    "lang": "str",
    "ds": "list",
    "prov": "str",
    "city": "str",
    "cty": "list",
    "ag": "list",
    "type": "list",
    "y": "range",
    "tpl": "list",
    "basis": "str",
    "minn": "int",
    # page state
    "m": "list",
    "lvl": "str",
    "ent": "list",
    "cy": "list",
    "rank": "str",
    "rp": "str",
    "by": "str",
    "report": "str",
    "pg": "int",
}
DEFAULTS = {
    "lang": "zh",
    "basis": "A",
    "minn": read.MIN_CASES,
    "lvl": "county",
    "pg": 1,
    "rank": "applications",
    "rp": "latest",
    "by": "county",
}
PAGE_ONLY = {"report": "report", "pg": "report"}  # written only while that page is shown


def _parse(k: str, vals: list[str]) -> Any:
    """One URL parameter's values as the state holds them (ValueError when malformed)."""
    kind = PARAMS[k]
    if kind == "list":
        return [v for v in vals if v != ""]
    if kind == "range":
        a, _, b = vals[-1].partition("-")
        return (int(a), int(b or a))
    if kind == "int":
        return int(vals[-1])
    return vals[-1]


def apply_params(params: Mapping[str, list[str]], clear: bool = False) -> None:
    """URL parameters → the state (widgets then take them). ``clear``: a parameter absent from ``params``
    goes back to its default, so the state is exactly the one the link describes."""
    ss = st.session_state
    for k in PARAMS:
        if k in params:
            try:
                ss[k] = _parse(k, list(params[k]))
            except (ValueError, IndexError):
                ss.pop(k, None)
        elif clear:
            ss.pop(k, None)
    if ss.get("lang") not in ("zh", "en"):
        ss["lang"] = "zh"


def load_url() -> None:
    """First run of a session: the URL's parameters become the state (widgets then take them)."""
    ss = st.session_state
    if ss.get("_url_loaded"):
        return
    ss["_url_loaded"] = True
    qp = st.query_params
    apply_params({k: qp.get_all(k) for k in qp})


def request_nav(url: str) -> str:
    """Follow a drill-down link inside the app: its parameters become the whole state at the start of the
    next run (apply_nav; widgets already drawn in this run cannot change). Returns the link's page key."""
    path, _, query = url.partition("?")
    st.session_state["_nav"] = parse_qs(query, keep_blank_values=False)
    page = path.strip("./") or "overview"
    return page


def apply_nav() -> None:
    """Start of a run: the state a followed link asked for (request_nav), before any widget is drawn."""
    nav = st.session_state.pop("_nav", None)
    if nav is not None:
        apply_params(nav, clear=True)


def keep_state() -> None:
    """Keep widget state across pages (Streamlit drops the state of widgets not drawn in a run)."""
    ss = st.session_state
    for k in PARAMS:
        if k in ss:
            ss[k] = ss[k]


def state_params(page_key: str) -> dict[str, list[str] | str]:
    """The view's URL parameters from the state as it is now (only what differs from the defaults)."""
    ss = st.session_state
    out: dict[str, list[str] | str] = {}
    for k, kind in PARAMS.items():
        if k in PAGE_ONLY and PAGE_ONLY[k] != page_key:
            continue
        v = ss.get(k)
        if v is None or v == "" or v == [] or v == DEFAULTS.get(k):
            continue
        if kind == "list":
            out[k] = [str(x) for x in v]
        elif kind == "range":
            if ss.get("_y_full") == tuple(v):
                continue
            out[k] = f"{int(v[0])}-{int(v[1])}"
        else:
            out[k] = str(v)
    return out


def sync_url(page_key: str) -> None:
    """Write the state to the URL (only what differs from the defaults)."""
    if "_nav" in st.session_state:  # a drill-down is under way: navigate() set the link's address
        return
    out = state_params(page_key)
    cur = {
        k: (st.query_params.get_all(k) if PARAMS.get(k) == "list" else st.query_params.get(k)) for k in st.query_params
    }
    if cur != out:
        st.query_params.from_dict(out)


def _clean_list(key: str, options: list) -> None:
    ss = st.session_state
    if key in ss:
        ss[key] = [v for v in (ss[key] or []) if v in options]


def _clean_one(key: str, options: list) -> None:
    ss = st.session_state
    if key in ss and ss[key] not in options:
        ss[key] = options[0] if options else None


def sidebar() -> read.Filters:
    """Draw the shared filters in the sidebar; returns the Filters of the current view."""
    ss = st.session_state
    sb = st.sidebar
    for k in ("lang", "basis", "minn"):
        ss.setdefault(k, DEFAULTS[k])
    if ss.get("basis") not in read.OPEN_RATE:
        ss["basis"] = "A"
    sb.radio(
        t("language"),
        ["zh", "en"],
        key="lang",
        horizontal=True,
        format_func=lambda x: {"zh": "中文", "en": "English"}[x],
    )
    sb.header(t("filters"))
    all_ = t("all")  # bound now: format functions must not read the session

    ds_df = q("datasets")
    ds_opts = ds_df["dataset"].to_list()
    # each dataset by its label (the shipped ones in the UI's language; the demo says it is synthetic)
    ds_names = {d: i18n.dataset_label(d, ss.get("lang", "zh")) for d in ds_opts}
    _clean_list("ds", ds_opts)
    datasets, placeholder = default_datasets(ds_opts, tuple(ss.get("ds") or ()))
    sb.multiselect(
        t("dataset"),
        ds_opts,
        key="ds",
        placeholder=placeholder,
        format_func=lambda d: ds_names.get(d, d),
        help=t("dataset_help"),
    )
    base = read.Filters(datasets=datasets)

    reg = q("regions", base)
    provs = [""] + sorted({p for p in reg["province"].to_list() if p})
    _clean_one("prov", provs)
    sb.selectbox(t("province"), provs, key="prov", format_func=lambda x: x or all_)
    prov = ss.get("prov") or None
    sub = reg.filter(reg["province"] == prov) if prov else reg
    cities = [""] + sorted({c for c in sub["city"].to_list() if c})
    _clean_one("city", cities)
    sb.selectbox(t("city"), cities, key="city", format_func=lambda x: x or all_)
    city = ss.get("city") or None
    sub = sub.filter(sub["city"] == city) if city else sub
    counties = sorted({c for c in sub["county"].to_list() if c})
    _clean_list("cty", counties)
    sb.multiselect(t("counties"), counties, key="cty", placeholder=t("all"))

    types = q("distinct_values", "agency_type", base)
    _clean_list("type", types)
    sb.multiselect(t("agency_types"), types, key="type", placeholder=t("all"))

    region_f = read.Filters(
        datasets=datasets,
        province=prov,
        city=city,
        counties=tuple(ss.get("cty") or ()),
        agency_types=tuple(ss.get("type") or ()),
    )
    text = sb.text_input(t("agency_search"), key="ag_q")
    found = q("search_agencies", region_f, text.strip(), 50, tuple(ss.get("ag") or ()))
    names = dict(zip(found["agency_id"].to_list(), found["agency_name"].to_list()))
    _clean_list("ag", list(names))
    sb.multiselect(t("agencies"), list(names), key="ag", placeholder=t("all"), format_func=lambda a: names.get(a) or a)

    yrs = q("years", base)
    y_from = y_to = None
    if yrs:
        lo, hi = min(yrs), max(yrs)
        ss["_y_full"] = (lo, hi)
        if lo < hi:
            cur = ss.get("y")
            if not cur or not isinstance(cur, (tuple, list)) or len(cur) != 2:
                ss["y"] = (lo, hi)
            else:
                a, b = sorted((max(lo, min(hi, int(cur[0]))), max(lo, min(hi, int(cur[1])))))
                ss["y"] = (a, b)
            sb.slider(t("years"), min_value=lo, max_value=hi, key="y", step=1)
            y_from, y_to = ss["y"]
        else:
            sb.caption(f"{t('years')}{': ' if ss.get('lang') == 'en' else '：'}{lo}")  # 年度：2020 in Chinese
    tpls = q("distinct_values", "template", base)
    _clean_list("tpl", tpls)
    sb.multiselect(t("templates"), tpls, key="tpl", placeholder=t("all"))

    sb.radio(
        t("basis"),
        list(read.OPEN_RATE),
        key="basis",
        horizontal=True,
        help="\n\n".join(f"{b}: {read.MEASURES[m].basis(ss.get('lang', 'zh'))}" for b, m in read.OPEN_RATE.items()),
    )
    sb.number_input(t("min_cases"), min_value=1, max_value=100000, step=1, key="minn")

    f = read.Filters(
        datasets=datasets,
        province=prov,
        city=city,
        counties=tuple(ss.get("cty") or ()),
        agency_ids=tuple(ss.get("ag") or ()),
        agency_types=tuple(ss.get("type") or ()),
        year_from=y_from,
        year_to=y_to,
        templates=tuple(ss.get("tpl") or ()),
    )
    ss["_filters"] = f
    ss["_demo"] = SYNTHETIC in datasets or (not datasets and SYNTHETIC in ds_opts)
    return f


def map_pick(level: str, where: read.Filters, name: str, reg: Any) -> dict[str, Any] | None:
    """The filters a click on the map's area ``name`` sets (省份, 城市 and, on a city's map, 区县), or None when
    no report of the datasets lies there: the sidebar's 区县 (or 城市) options are the places with reports
    (``reg``: read.regions), and a value outside them would be dropped without a word."""
    import polars as pl

    if level == "county":
        there = reg.filter((pl.col("province") == where.province) & (pl.col("city") == where.city))["county"]
        if name not in there.to_list():
            return None
        return {"prov": where.province, "city": where.city, "cty": [name]}
    there = reg.filter(pl.col("province") == where.province)["city"]
    if name not in there.to_list():
        return None
    return {"prov": where.province, "city": name, "cty": []}


SYNTHETIC = "demo"  # the synthetic corpus's dataset (xxgk demo); never mixed into real data by default


def default_datasets(options: list[str], chosen: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """(the datasets the view reads, the dataset box's placeholder). What the user chose, as chosen; with
    nothing chosen, every real dataset (the synthetic demo only when chosen, or when it is all there is)."""
    if chosen:
        return chosen, t("all")
    real = tuple(d for d in options if d != SYNTHETIC)
    if real and SYNTHETIC in options:
        return real, t("all_real")
    return (), t("all")
