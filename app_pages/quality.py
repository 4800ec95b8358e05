"""数据质量 Data quality: agency × year matrix of check results; each cell opens the report."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app_pages import _htmltable, _review
from app_pages import _table as _tbl
from app_pages._common import filters, label_county, lang, link_col, navigate, q, report_link, t
from app_pages._common import table as table_
from pipelines import changeview, numfmt, read
from pipelines.checks import text as check_text

SEV = {"error": "q_sev_error", "warning": "q_sev_warning", "info": "q_sev_info"}


PER_PAGE = 100
SORTS = {"q_sort_name": "name", "q_sort_fail": "fail", "q_sort_region": "region"}


st.title(t("page_quality"))
st.caption(t("q_intro"))
st.caption(t("q_scope"))

f = filters()  # the sidebar's filters select the reports (dataset, region, agency type, years, template)
all_checks = q("check_ids")
c1, c2, c3 = st.columns([3, 2, 1])
sel_checks = c1.multiselect(
    t("page_checks"),
    all_checks,
    key="q_checks",
    help=t("q_checks_help"),
    placeholder=t("all"),
    format_func=lambda c: f"{check_text.code(c)} {check_text.title(c, lang())}",  # code and title, not the raw key
)
sel_sev = c2.multiselect(
    t("severity"),
    list(read.SEVERITIES),
    default=["error", "warning"],
    key="q_sev",
    format_func=lambda v: t(SEV[v]),
    placeholder=t("all"),
)
sort = c3.selectbox(t("sort"), list(SORTS), key="q_sort", format_func=t)
sev = tuple(sel_sev or ["error", "warning"])

_review.show(q("corrections_needing_review", f), lang())  # hand corrections a new edition put in doubt

# one page of agencies, aggregated and paged in SQL, with how many there are (one query: the page asked for;
# the first page again when the selection has fewer pages now)
ss = st.session_state
if not isinstance(ss.get("q_page"), int) or ss["q_page"] < 1:
    ss["q_page"] = 1
m, n_agencies, years = q("matrix_page", f, tuple(sel_checks), sev, SORTS[sort], PER_PAGE, (ss["q_page"] - 1) * PER_PAGE)
if not n_agencies:
    st.info(t("q_empty"))
    st.stop()
pages = max(1, -(-n_agencies // PER_PAGE))
if ss["q_page"] > pages:
    ss["q_page"] = 1
    m, n_agencies, years = q("matrix_page", f, tuple(sel_checks), sev, SORTS[sort], PER_PAGE, 0)
p1, p2 = st.columns([1, 3])
p1.number_input(t("page_n") + f" / {pages:,}", 1, pages, key="q_page")
p2.caption(t("n_agencies_caption", n=numfmt.count(n_agencies)))

yr_label = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
total_col = t("q_total", years=yr_label)
view = label_county(m).select(  # a city's own agencies by the city's name (洛阳市（市级机关）), as every table
    pl.col("agency_name").alias(t("agency")),
    pl.col("province").alias(t("province")),
    pl.col("city").alias(t("city")),
    pl.col("county").alias(t("county")),
    *[pl.col(str(y)) for y in years],
    pl.Series(total_col, [numfmt.count(v) for v in m["total_failing"].to_list()], dtype=pl.Utf8),
)


def _report_links(year: int) -> list[str | None]:
    """Each row's report of ``year``: the address of its page (none where the agency has no report that year)."""
    col = f"report_{year}"
    return [report_link(r) if r else None for r in m[col].to_list()] if col in m.columns else [None] * m.height


# one click on a year's cell opens that report in this tab (the drill-down of every page), drawn as HTML
# (app_pages._htmltable): the grid was most of this page's time in the browser
year_urls = [_report_links(y) for y in years]
lead = [None] * 4  # 机关, 省份, 城市, 区县
hit = _htmltable.draw(
    _htmltable.payload(
        view,
        right=[False] * 4 + [True] * (len(years) + 1),
        hrefs=[[*lead, *(u[i] for u in year_urls), None] for i in range(m.height)],
    ),
    "q_matrix",
)
if hit is not None and 4 <= hit[1] < 4 + len(years) and hit[0] < m.height and (url := year_urls[hit[1] - 4][hit[0]]):
    navigate(url)

# the export: one row per finding of the selection, the matrix page shown as a second sheet
st.subheader(t("q_list"))
fl = q("findings_list", f, tuple(sel_checks) or None, sev)
matrix_sheet = view.with_columns(
    *[m[f"report_{y}"].alias(f"{y} report_id") for y in years],
)


def finding_rows(d: pl.DataFrame) -> pl.DataFrame:
    """Findings as the list shows them: a finding names its report by agency and year (the 打开 column opens
    it; the report's id is no label), a city's own agencies by their city (洛阳市（市级机关）), its message in
    the UI's language with keys named in the template's words. Made for the page of rows shown (tens of
    thousands of findings at 1M reports), and for all of them in the export."""
    return (
        label_county(d)
        .with_columns(
            pl.col("severity").replace_strict({k: t(v) for k, v in SEV.items()}, default=pl.col("severity")),
            pl.col("status").replace_strict(
                {"open": t("q_open"), "corrected": t("q_corrected")}, default=pl.col("status")
            ),
            link_col(d, "report", {"report": "report_id"}),
            check_text.messages(d, lang()),
        )
        .drop("report_id", "city")
    )


# the page's own headers; each check by its code and title (catalogue data), never its raw key
finding_names = {"check_id": t("check"), "location": t("where")}
table_(
    fl,
    "q_findings",
    rows=finding_rows,
    names=finding_names,
    export="quality-findings",
    sheets={t("q_matrix"): matrix_sheet},
    years=yr_label,
)

st.subheader(t("q_by_check"))
by_check = q("failing_by_check_f", f, sev)
# each check by its code and title (catalogue data), never its raw key
table_(
    by_check,
    "q_by_check",
    names={"check_id": t("page_checks")},
    export="quality-by-check",
    years=yr_label,
)

# what a new reading (an extractor upgrade, a new edition of the file) moved in the selected reports
st.subheader(t("q_moved"))
MOVED_SHOWN = 500
moved = q("changed_cells", f, MOVED_SHOWN)
if moved.is_empty():
    st.caption(t("q_moved_none"))
else:
    n_moved = int(moved["n_total"][0])
    more = (
        " " + t("q_moved_more", n=numfmt.count(n_moved), k=numfmt.count(moved.height)) if n_moved > moved.height else ""
    )
    st.caption(t("q_moved_intro") + more)
    moved = changeview.order(moved)  # the links beside the table in the table's order
    open_h = _tbl.header("open", lang())
    links = link_col(moved, "report", {"report": "report_id"}).alias(open_h)
    shown = changeview.table(moved, lang()).select(links, pl.all())
    urls = shown[open_h].to_list()
    drawn = shown.with_columns(pl.Series(open_h, [t("open") if u else "" for u in urls], dtype=pl.Utf8))
    hit = _htmltable.draw(
        _htmltable.payload(
            drawn,
            help=[t("open_help")] + [None] * (drawn.width - 1),
            hrefs=_htmltable.row_hrefs(drawn, open_h, urls),
        ),
        "q_moved",
    )
    if hit is not None and hit[0] < len(urls) and urls[hit[0]]:
        navigate(urls[hit[0]])
