"""Shared plumbing of the pages: warehouse connection, cached read-API calls, language, small widgets.

The pages read like a description of the UI; every number comes from pipelines.read through ``q``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from pipelines import numfmt, read, settings
from pipelines.i18n import t as _t
from pipelines.warehouse import snapshots

# read-API functions the pages may call through q() (an allow-list: q never calls anything else)
QUERIES = {
    "datasets",
    "report_dataset",
    "regions",
    "years",
    "distinct_values",
    "search_agencies",
    "agency_names",
    "aggregate",
    "overview_kpis",
    "trend",
    "ranking",
    "applicant_mix",
    "yoy",
    "outcome_composition",
    "refusal_reasons",
    "open_rate",
    "disputes",
    "correction_rates",
    "compare",
    "report_sources",
    "report_findings",
    "report_count",
    "report_list",
    "report_detail",
    "check_ids",
    "matrix_page",
    "map_values",
    "map_view",
    "failing_by_check_f",
    "corrections_needing_review",
    "findings_list",
    "cell_changes",
    "changed_cells",
}


def db_path() -> Path:
    return settings.db_path()


# --- live data: one snapshot of the warehouse per script run ------------------------------------
# A run pins the newest published snapshot when it starts (begin_run) and releases it when it ends
# (end_run): every query of the run reads the same file, and the next run reads whatever was published
# since. See pipelines/warehouse/snapshots.py for why each published file is opened under its own path.


def _pool() -> snapshots.SnapshotPool:
    return snapshots.pool(db_path())


def begin_run() -> snapshots.Snapshot:
    """Pin the newest published snapshot for this run (app.py, before the page runs)."""
    end_run()
    snap = _pool().acquire()
    st.session_state["_snap"] = snap
    return snap


def end_run() -> None:
    snap = st.session_state.pop("_snap", None)
    if snap is not None:
        _pool().release(snap)


def snapshot() -> snapshots.Snapshot:
    """This run's snapshot (pinned by begin_run; pinned here when a page runs without app.py)."""
    snap = st.session_state.get("_snap")
    if snap is None or snap.closed:
        snap = begin_run()
    return snap


def token() -> tuple:
    return snapshot().token


def published_token() -> tuple:
    """The token of the file published now (one stat): differs from token() once a newer file is in."""
    return _pool().token()


def _snapshot_of(tok: tuple) -> snapshots.Snapshot:
    snap = st.session_state.get("_snap")
    if snap is not None and snap.token == tok and not snap.closed:
        return snap
    found = _pool().get(tok)
    if found is None:  # not pinned by this run (cannot happen through q): read the newest instead
        raise RuntimeError("warehouse snapshot no longer open")
    return found


# A resource cache, not st.cache_data: cache_data pickles each result when it is stored and unpickles it on every
# read (a polars frame deserialised per query per run, ~8 % of a cached page run at 1M reports). The results are
# shared instead, and each caller gets its own handle (_own): a frame's clone shares the immutable buffers, a
# list or a dict is copied, so nothing a page does to a result reaches the cache.
@st.cache_resource(max_entries=4000, show_spinner=False)
def _q(path: str, tok: tuple, name: str, args: tuple, kwargs: tuple) -> Any:
    fn = getattr(read, name)
    return fn(_snapshot_of(tok), *args, **dict(kwargs))


def _own(v: Any) -> Any:
    if isinstance(v, pl.DataFrame):
        return v.clone()
    if isinstance(v, tuple):
        return tuple(_own(x) for x in v)
    if isinstance(v, list):
        return [_own(x) for x in v]
    if isinstance(v, dict):
        return {k: _own(x) for k, x in v.items()}
    return v


def q(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call pipelines.read.<name>(snapshot, *args, **kwargs) on this run's snapshot, cached by the arguments
    and the snapshot's token (a new publish is a new token: nothing stale is served)."""
    if name not in QUERIES:
        raise ValueError(name)
    norm = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    return _own(_q(str(db_path()), token(), name, args, norm))


def lang() -> str:
    return st.session_state.get("lang", "zh") if st.session_state.get("lang") in ("zh", "en") else "zh"


def t(key: str, **fmt: Any) -> str:
    return _t(key, lang(), **fmt)


def filters() -> read.Filters:
    return st.session_state.get("_filters", read.Filters())


def basis() -> str:
    b = st.session_state.get("basis", "A")
    return b if b in read.OPEN_RATE else "A"


def min_cases() -> int:
    try:
        return max(1, int(st.session_state.get("minn", read.MIN_CASES)))
    except (TypeError, ValueError):
        return read.MIN_CASES


# (url path, file, title key, icon): the router's pages (app.py), and where a link's path leads
PAGES = [
    ("overview", "overview.py", "page_overview", ":material/dashboard:"),
    ("applications", "applications.py", "page_applications", ":material/inbox:"),
    ("outcomes", "outcomes.py", "page_outcomes", ":material/fact_check:"),
    ("disputes", "disputes.py", "page_disputes", ":material/gavel:"),
    ("compare", "compare.py", "page_compare", ":material/compare_arrows:"),
    ("map", "map.py", "page_map", ":material/map:"),
    ("report", "report.py", "page_report", ":material/description:"),
    ("quality", "quality.py", "page_quality", ":material/verified:"),
    ("checks", "checks.py", "page_checks", ":material/rule:"),
    ("import", "upload.py", "page_import", ":material/upload_file:"),
]
PAGE_FILES = {key: f"app_pages/{file}" for key, file, _, _ in PAGES}


def page_key() -> str:
    """The url path of the page this run shows (set by app.py)."""
    return st.session_state.get("_page", "")


def url_params(page: str | None = None) -> dict[str, list[str] | str]:
    """The view's query parameters as the state is now: what the user sees at this moment (a link made
    from them carries every filter, however recently changed)."""
    from app_pages import _filters

    return _filters.state_params(page if page is not None else page_key())


def _href(page: str, params: dict) -> str:
    # the default page (overview) lives at the app's root, not at /overview
    return ("./?" if page == "overview" else f"{page}?") + urlencode(params, doseq=True)


def report_link(report_id: str) -> str:
    """Relative link to the report page for one report, keeping the view's other parameters."""
    p = {k: v for k, v in url_params("report").items() if k not in ("report", "pg")}
    p["report"] = report_id
    return _href("report", p)


def view_link(page: str, **override: Any) -> str:
    """Relative link to ``page`` with the view's parameters and ``override`` (a drill-down)."""
    p = url_params(page)
    p.pop("report", None)
    p.pop("pg", None)
    for k, v in override.items():
        p[k] = v
    return _href(page, p)


def page_url() -> str:
    """This view's own link (for exports: where the figures came from). Absolute when the server knows
    the address the browser used, else relative."""
    rel = _href(page_key() or "overview", url_params())
    base = getattr(st.context, "url", None) or ""
    if base:
        base = base.split("?", 1)[0]
        base = base[: base.rfind("/") + 1] if "/" in base.split("://", 1)[-1] else base + "/"
    return base + rel.removeprefix("./")


def navigate(url: str) -> None:
    """Open a drill-down link in this tab: its parameters become the state, then its page shows."""
    from app_pages import _filters

    page = _filters.request_nav(url)
    params = st.session_state["_nav"]
    if page == page_key():
        # the same page: a rerun with the link's address (a switch to the page itself leaves the browser
        # on the old address)
        st.query_params.from_dict(params)
        st.rerun()
    # the link's parameters go to the URL with the switch (without them Streamlit clears the query string)
    st.switch_page(PAGE_FILES.get(page, PAGE_FILES["overview"]), query_params=params)


OPEN_COL = "_open"
NEWTAB_COL = "_newtab"


def table(
    df: pl.DataFrame,
    key: str,
    *,
    link: str | None = "link",
    column_config: dict | None = None,
    export: str | None = None,
    height: int | str = "auto",
    sheets: dict[str, pl.DataFrame] | Callable[[], dict[str, pl.DataFrame]] | None = None,
    notes: dict[str, str] | None = None,
    years: str | None = None,
    kinds: Mapping[str, tuple[str, float]] | None = None,
    names: Mapping[str, str] | None = None,
    min_cases: int | None = None,
    drop: tuple[str, ...] = ("measure", "kind"),
    rows: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> None:
    """A table of the page, from a read-API frame with its column keys: every cell printed by
    ``_table.frame`` (numfmt; keys named in the UI's language; ``measure``/``kind`` and ``kinds`` inform the
    format, ``names`` the page's own headers) and set by ``_table.config`` (numbers right-aligned, the
    meaning of — on hover). With a ``link`` column (relative URLs of drill-downs): a 打开 column that opens
    the link in this tab (a click; Ctrl-click: a new tab), and in the export a 链接 column of the addresses. ``export``: CSV / Excel /
    Parquet of exactly this table as shown (its values and headers, with the view's filters, years and 口径;
    ``sheets`` added to the workbook). ``rows``: how the page makes its rows from ``df``'s (labels, links,
    messages), row by row in order; made for the rows shown only, and for all of them in the export."""
    from app_pages import _export, _htmltable, _table

    L = lang()
    if df.is_empty():  # the grid would draw its own English placeholder ("empty"): say it in the UI's words
        st.caption(t("table_empty"))
        return
    made = rows or (lambda d: d)
    full = df
    paged = df.height > settings.table_rows()
    if paged:  # a page of rows on the screen; the export has them all (printed when it is asked for)
        df = _page_of(df, key)
    df = made(df)
    # headers (capitalised in English): 打开 on the screen, 链接 (the address) in the export
    open_, tab = _table.header("open", L), _table.header("link", L)
    t_open = t("open")

    def printed(d: pl.DataFrame) -> tuple[pl.DataFrame, list[str] | None]:
        """``d`` as the table prints it (打开, and the 链接 column of the export), and its links."""
        if not (link and link in d.columns):
            return _table.frame(d, L, kinds, keep=(), drop=drop, names=names), None
        links = d[link].to_list()
        out = _table.frame(d.drop(link), L, kinds, keep=(), drop=drop, names=names).with_columns(
            pl.Series(open_, [t_open if v else "" for v in links], dtype=pl.Utf8),
            d[link].fill_null("").alias(tab),  # a row with no drill-down draws nothing, not None
        )
        return out, links

    shown, links = printed(df)
    body = df.drop([c for c in (*drop, link) if c and c in df.columns])
    cfg = _table.config(body, L, min_cases, kinds, names)
    cfg.update(column_config or {})
    # the table as HTML (app_pages._htmltable: a grid per page cost more in the browser than the rest of it);
    # 打开 is the drill-down's link; the 链接 column (its address) is the export's
    drawn = shown.drop(tab) if links is not None else shown
    help_ = [(cfg.get(c) or {}).get("help") for c in drawn.columns]
    if links is not None:
        help_[drawn.columns.index(open_)] = t("open_help")
    data = _htmltable.payload(
        drawn,
        right=[(cfg.get(c) or {}).get("alignment") == "right" for c in drawn.columns],
        help=help_,
        titles=_table.cell_titles(drawn, L, min_cases),
        hrefs=_htmltable.row_hrefs(drawn, open_, links) if links is not None else None,
        height=height if isinstance(height, int) else _htmltable.HEIGHT,
    )
    hit = _htmltable.draw(data, key)
    if links and hit is not None and 0 <= hit[0] < len(links) and links[hit[0]]:
        navigate(links[hit[0]])
    if export:

        def whole() -> pl.DataFrame:
            out, has_links = printed(made(full))
            return out.drop(open_) if has_links else out

        _export.offer(
            whole if paged else (shown.drop(open_) if links else shown),
            export,
            key,
            sheets=sheets,
            notes=notes,
            years=years,
            link_col=tab if links else None,
        )


def _page_of(df: pl.DataFrame, key: str) -> pl.DataFrame:
    """The rows of ``df`` on the page the user chose under the table (第 N 页), with how many there are."""
    per = settings.table_rows()
    pages = -(-df.height // per)
    k = f"{key}_pg"
    if not isinstance(st.session_state.get(k), int) or not 1 <= st.session_state[k] <= pages:
        st.session_state[k] = 1
    c1, c2 = st.columns([1, 4], vertical_alignment="bottom")
    n = c1.number_input(t("page_n") + f" / {pages:,}", min_value=1, max_value=pages, step=1, key=k)
    a = (n - 1) * per
    c2.caption(
        t("rows_paged", a=numfmt.count(a + 1), b=numfmt.count(min(a + per, df.height)), n=numfmt.count(df.height))
    )
    return df.slice(a, per)


# quote_plus by column: a value's UTF-8 bytes as hex, each pair of hex digits replaced by what quote_plus
# writes for that byte (itself when safe, + for a space, else %XX). Every position of the hex text starts a
# pair, so the replacements stay aligned on bytes.
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_HEX = [f"{b:02x}" for b in range(256)]
_QUOTED = [chr(b) if b in _SAFE else "+" if b == 32 else f"%{b:02X}" for b in range(256)]


def quoted(col: str) -> pl.Expr:
    """``col``'s values as urlencode writes them in a query string (quote_plus), by column."""
    return pl.col(col).cast(pl.Utf8).str.encode("hex").str.replace_many(_HEX, _QUOTED)


def link_col(df: pl.DataFrame, page: str, by: Mapping[str, str], fixed: Mapping[str, Any] | None = None) -> pl.Series:
    """A column ``link``: for each row, the link to ``page`` with the view's parameters (less the report and
    its page), ``fixed`` set, and each URL parameter of ``by`` set to the row's value of its column — the same
    text as view_link / report_link give one value at a time, made by column (the parameters are read once;
    the values quoted by polars; nothing per row in Python, nothing in polars' threads, which have no
    Streamlit context). A row with a null in one of ``by``'s columns has no link (null)."""
    p: dict[str, Any] = {k: v for k, v in url_params(page).items() if k not in ("report", "pg")}
    p.update(fixed or {})
    p.update(dict.fromkeys(by))  # each keeps its place when the view has it already, else goes last
    parts: list[pl.Expr] = []
    text = "./?" if page == "overview" else f"{page}?"
    sep = ""
    for k, v in p.items():
        if k in by:
            parts += [pl.lit(text + sep + urlencode({k: ""})), quoted(by[k])]
            text, sep = "", "&"
        elif pair := urlencode({k: v}, doseq=True):
            text, sep = text + sep + pair, "&"
    parts.append(pl.lit(text))
    return df.select(pl.concat_str(parts).alias("link")).to_series()


def district_links(df: pl.DataFrame, page: str, fixed: Mapping[str, Any] | None = None) -> pl.Series:
    """A by-district table's drill-downs: a district's row to that district (区县 set), a city's own agencies
    (the row with no county) to that city (省份 and 城市 set, no 区县)."""
    fixed = dict(fixed or {})
    to_county = link_col(df, page, {"cty": "county"}, fixed)
    if "city" not in df.columns:
        return to_county
    where = {"prov": "province", "city": "city"} if "province" in df.columns else {"city": "city"}
    to_city = link_col(df, page, where, {**fixed, "cty": []})
    return to_county.fill_null(to_city)  # a district row's link is null only where its county is


def period() -> str:
    """The years a figure over the whole selection covers: "2024 年", or "2019–2024 年合计" (counts summed,
    rates pooled over the years)."""
    f, ss = filters(), st.session_state
    a, b = (f.year_from, f.year_to) if f.year_from is not None else tuple(ss.get("_y_full") or (None, None))
    if a is None:
        return ""
    return t("period_latest", y=a) if a == b else t("period_range", a=a, b=b)


def with_period(title: str) -> str:
    p = period()
    return f"{title} · {p}" if p else title


def years_span(years: list[int] | tuple[int, ...] | None = None) -> str:
    """The years a by-year figure shows (a trend, a heatmap): "2019–2025 年", or "2025 年"; ``years`` when the
    page narrows them (the compare page's years), else the filters' years."""
    if years:
        a, b = min(years), max(years)
    else:
        f, ss = filters(), st.session_state
        a, b = (f.year_from, f.year_to) if f.year_from is not None else tuple(ss.get("_y_full") or (None, None))
    if a is None:
        return ""
    return t("span_one", y=a) if a == b else t("span", a=a, b=b)


def with_span(title: str, years: list[int] | tuple[int, ...] | None = None, *more: str) -> str:
    """``title`` with the years it shows (and ``more`` of what it shows): 逐年趋势（2019–2025 年）."""
    parts = [p for p in (*more, years_span(years)) if p]
    if not parts:
        return title
    return f"{title} ({' · '.join(parts)})" if lang() == "en" else f"{title}（{' · '.join(parts)}）"


def rate_help(row: dict) -> str:
    if row.get("kind") != "rate":
        s = row.get("basis", "")
    else:
        s = t("rate_help", num=row.get("numerator") or 0, den=row.get("denominator") or 0, basis=row.get("basis", ""))
        if row.get("low_n"):
            s += " · " + t("low_n")
    if row.get("n_null"):
        s += " · " + t("null_note", n=row["n_null"])
    if row.get("n_anomalous"):
        s += " · " + t("anomaly_note", n=row["n_anomalous"])
    return s


def null_caption(df: pl.DataFrame) -> None:
    """Say how many reports had nulls in the measures shown (excluded, not counted as 0)."""
    if df.is_empty() or "n_null" not in df.columns:
        return
    agg = df.group_by("label", maintain_order=True).agg(pl.col("n_null").sum()).filter(pl.col("n_null") > 0)
    # one sentence per count, naming its measures in the page's order (not one note per measure)
    sep = "、" if lang() != "en" else ", "
    for n, labels in agg.group_by("n_null", maintain_order=True).agg("label").sort("n_null").iter_rows():
        st.caption(t("null_note_items", n=n, items=sep.join(labels)))
    anomaly_caption(df)


def anomaly_caption(df: pl.DataFrame) -> None:
    """Say how many reports were left out of each rate as 数据异常 (outside 0–100 %), with the way to their
    findings (the quality page of the same filters, in this tab)."""
    if df.is_empty() or "n_anomalous" not in df.columns:
        return
    agg = df.group_by("label").agg(pl.col("n_anomalous").sum()).filter(pl.col("n_anomalous") > 0).sort("label")
    if agg.height:
        st.caption(
            "⚠ "
            + " · ".join(f"{r['label']}: " + t("anomaly_note", n=r["n_anomalous"]) for r in agg.iter_rows(named=True))
        )
        st.page_link(PAGE_FILES["quality"], label=t("anomaly_link"), icon=":material/rule:")


def label_county(df: pl.DataFrame) -> pl.DataFrame:
    """City-level agencies have no county: name the row by its city and say so (洛阳市（市级机关）, Luoyang's
    own agencies), never None nor a bare （市级机关） that names no one (and, over several cities, would draw
    them as one bar with their labels on top of each other)."""
    if "county" not in df.columns:
        return df
    level = pl.lit(t("city_level"))
    if "city" in df.columns:
        city = pl.col("city") + pl.lit(" " if lang() == "en" else "")
        level = pl.concat_str([city.fill_null(""), level])
    return df.with_columns(pl.col("county").fill_null(level))


def no_data() -> None:
    st.info(t("no_data"))
