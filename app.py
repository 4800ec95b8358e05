"""xxgk dashboard — router only: page list, shared filters, URL state, page.run().

Run: XXGK_DB=data/xxgk.duckdb streamlit run app.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from app_pages import _warm

_warm.warm()  # before the other imports: sessions starting together must not share half-imported modules

from app_pages import _builtin_zh, _common, _filters  # noqa: E402
from app_pages._common import PAGES, db_path, lang, q, t  # noqa: E402
from pipelines import settings  # noqa: E402

HERE = Path(__file__).parent

st.set_page_config(page_title="xxgk 政府信息公开年报", page_icon="📑", layout="wide")
first_run = not st.session_state.get("_url_loaded")
_filters.load_url()
_filters.apply_nav()  # a drill-down followed in the last run: its link's state, before any widget
_filters.keep_state()
with st.sidebar:  # Streamlit's own English words, in Chinese when the UI is: first, so that its script loads
    _builtin_zh.mount(lang())  # while the page is built, not after it

have_db = db_path().is_file()
pages: dict[str, st.Page] = {}
for key, file, title, icon in PAGES:
    if not (HERE / "app_pages" / file).exists():
        continue
    if not have_db and key != "import":
        continue
    pages[key] = st.Page(
        f"app_pages/{file}",
        title=t(title),
        icon=icon,
        url_path="home" if key == "overview" else key,  # the default page is served at "/"
        default=(key == "overview") or (not have_db and key == "import"),
    )

# The overview is the default page, served at "/"; /overview (its name in links and bookmarks) leads there
# with the same parameters.
alias = {}
if "overview" in pages:
    alias["overview"] = st.Page(
        "app_pages/overview.py", title=t("page_overview"), url_path="overview", visibility="hidden"
    )
pg = st.navigation(list(pages.values()) + list(alias.values()))
if alias and pg.url_path == "overview":
    st.switch_page(pages["overview"], query_params={k: st.query_params.get_all(k) for k in st.query_params})
page_key = next((k for k, p in pages.items() if p is pg or p.url_path == pg.url_path), "")
st.session_state["_page"] = page_key
st.session_state["_exports"] = {}  # this run's exports (app_pages._export.offer)


@st.fragment(run_every=settings.live_refresh_s())
def watch_warehouse(pinned: tuple) -> None:
    """Live data: when an ingest or a correction publishes a new warehouse, rerun the page on it."""
    if _common.published_token() != pinned:
        st.rerun(scope="app")


try:
    if have_db:
        _common.begin_run()  # every query of this run reads this one published snapshot
        _filters.sidebar()
        # ?report=<id> on a fresh link: show that report whatever page the path names
        if first_run and st.session_state.get("report") and page_key != "report" and "report" in pages:
            st.switch_page(pages["report"])
        # the synthetic badge: on the view's data, or on the report page on that one report's own dataset
        rid = st.session_state.get("report") if page_key == "report" else None
        if (q("report_dataset", rid) == _filters.SYNTHETIC) if rid else st.session_state.get("_demo"):
            st.badge(t("demo_badge"), icon=":material/science:", color="orange")
    else:
        st.warning(t("no_db", path=str(db_path())))
        st.sidebar.radio(
            t("language"),
            ["zh", "en"],
            key="lang",
            horizontal=True,
            format_func=lambda x: {"zh": "中文", "en": "English"}[x],
        )
    pg.run()
finally:
    _filters.sync_url(page_key)
    # Registered last, with the snapshot this run showed: a run cut short (a rerun, a page switch) leaves the
    # watcher on the older token, so it asks again. A page that stopped early (st.stop) did show its data.
    if sys.exc_info()[0] is None or sys.exc_info()[0].__name__ == "StopException":
        with st.sidebar:
            watch_warehouse(_common.token() if have_db else ())
    _common.end_run()
