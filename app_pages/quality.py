"""数据质量 Data quality: agency × year matrix of check results; each cell opens the report."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app_pages import _review
from app_pages._common import filters, lang, link_col, navigate, q, report_link, t
from app_pages._common import table as table_
from pipelines import changeview, read
from pipelines.checks import text as check_text

S = {
    "title": ("数据质量", "Data quality"),
    "intro": (
        "每格为该机关该年度报告未通过的检查数（✓ = 全部通过，— = 无报告）。点击某年度的单元格，在本页打开该报告。",
        "Each cell counts the report's failing checks (✓ = all passed, — = no report). "
        "Click a year's cell to open that report here.",
    ),
    "scope": (
        "侧栏的数据集、地区、机关、年度、格式版本筛选均适用于本页；公开率口径与最小样本量不适用（本页不计算比率）。",
        (
            "The sidebar's dataset, region, agency, year and template filters apply here; the rate basis and "
            "minimum cases do not (this page computes no rates)."
        ),
    ),
    "list": ("校验发现清单", "Findings"),
    "check": ("检查", "Check"),
    "where": ("位置", "Where"),
    "message": ("说明", "Message"),
    "open_status": ("待处理", "Open"),
    "corrected": ("已人工更正", "Corrected by hand"),
    "matrix": ("矩阵", "Matrix"),
    "checks": ("校验规则", "Check"),
    "checks_help": ("留空 = 全部检查", "Empty = every check"),
    "severity": ("严重程度", "Severity"),
    "dataset": ("数据集", "Dataset"),
    "all": ("全部", "All"),
    "sort": ("排序", "Sort by"),
    "sort_name": ("机关名称", "Agency name"),
    "sort_fail": ("未通过数（多→少）", "Failing checks (most first)"),
    "sort_region": ("地区", "Region"),
    "agency": ("机关", "Agency"),
    "province": ("省", "Province"),
    "city": ("市", "City"),
    "county": ("区县", "District"),
    "total": ("未通过合计（{years}）", "Failing, sum {years}"),
    "csv": ("下载 CSV", "Download CSV"),
    "by_check": ("各检查未通过的报告数", "Reports failing each check"),
    "n_reports": ("报告数", "Reports"),
    "n_findings": ("校验发现数", "Findings"),
    "empty": ("没有报告。", "No reports."),
    "error": ("错误", "Error"),
    "warning": ("警告", "Warning"),
    "info": ("提示（不可评估等）", "Info (not assessable…)"),
    "moved": ("重新读取后变动的数值", "Values moved by a new reading"),
    "moved_intro": (
        "同一文件经新版提取程序重新读取，或同一机关同一年度换成新版本文件后，数值发生变化的单元格（最新在前）。点击查看报告。",
        "Cells whose value changed when a file was read again by a newer extractor, or replaced by a new edition "
        "for the same agency and year (newest first). Click to open the report.",
    ),
    "moved_none": (
        "所选报告没有数值因重新读取或替换而变动。",
        "No value of the selected reports was moved by a new reading.",
    ),
    "moved_more": ("共 {n:,} 处，显示最新的 {k:,} 处。", "{n:,} in all; the newest {k:,} shown."),
    "open": ("打开", "Open"),
}


def tr(key: str) -> str:
    zh, en = S[key]
    return en if lang() == "en" else zh


PER_PAGE = 100
SORTS = {"sort_name": "name", "sort_fail": "fail", "sort_region": "region"}

st.title(tr("title"))
st.caption(tr("intro"))
st.caption(tr("scope"))

f = filters()  # the sidebar's filters select the reports (dataset, region, agency type, years, template)
all_checks = q("check_ids")
c1, c2, c3 = st.columns([3, 2, 1])
sel_checks = c1.multiselect(
    tr("checks"),
    all_checks,
    key="q_checks",
    help=tr("checks_help"),
    placeholder=tr("all"),
    format_func=lambda c: f"{check_text.code(c)} {check_text.title(c, lang())}",  # code and title, not the raw key
)
sel_sev = c2.multiselect(
    tr("severity"),
    list(read.SEVERITIES),
    default=["error", "warning"],
    key="q_sev",
    format_func=tr,
    placeholder=tr("all"),
)
sort = c3.selectbox(tr("sort"), list(SORTS), key="q_sort", format_func=tr)
sev = tuple(sel_sev or ["error", "warning"])

_review.show(q("corrections_needing_review", f), lang())  # hand corrections a new edition put in doubt

# one page of agencies, aggregated and paged in SQL; the total first (cheap), then the page
_, n_agencies, years = q("matrix_page", f, tuple(sel_checks), sev, SORTS[sort], 0, 0)
if not n_agencies:
    st.info(tr("empty"))
    st.stop()
pages = max(1, -(-n_agencies // PER_PAGE))
if not isinstance(st.session_state.get("q_page"), int) or not 1 <= st.session_state["q_page"] <= pages:
    st.session_state["q_page"] = 1
p1, p2 = st.columns([1, 3])
page = p1.number_input(t("page_n") + f" / {pages:,}", 1, pages, key="q_page")
p2.caption(f"{n_agencies:,} " + tr("agency"))
m, _, _ = q("matrix_page", f, tuple(sel_checks), sev, SORTS[sort], PER_PAGE, (page - 1) * PER_PAGE)

yr_label = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
total_col = tr("total").format(years=yr_label)
view = m.select(
    pl.col("agency_name").alias(tr("agency")),
    pl.col("province").alias(tr("province")),
    pl.col("city").alias(tr("city")),
    pl.col("county").fill_null(t("city_level")).alias(tr("county")),
    *[pl.col(str(y)) for y in years],
    pl.col("total_failing").alias(total_col),
)
# one click on a year's cell opens that report in this tab (the drill-down of every page)
ev = st.dataframe(
    view,
    hide_index=True,
    key="q_matrix",
    on_select="rerun",
    selection_mode="single-cell",
    column_config={str(y): st.column_config.TextColumn(str(y), width="small") for y in years},
)
for r, col in (ev.selection.get("cells") or [])[:1]:
    rid = m[f"report_{col}"][r] if f"report_{col}" in m.columns and 0 <= r < m.height else None
    if rid:
        navigate(report_link(rid))

# the export: one row per finding of the selection, the matrix page shown as a second sheet
st.subheader(tr("list"))
fl = q("findings_list", f, tuple(sel_checks) or None, sev)
matrix_sheet = view.with_columns(
    *[m[f"report_{y}"].alias(f"{y} report_id") for y in years],
)
shown = fl.with_columns(
    pl.col("severity").replace_strict({k: tr(k) for k in read.SEVERITIES}, default=pl.col("severity")),
    pl.col("status").replace_strict(
        {"open": tr("open_status"), "corrected": tr("corrected")}, default=pl.col("status")
    ),
    pl.col("county").fill_null(t("city_level")),
    link_col(fl, "report_id", report_link),
    # the finding's message in the UI's language, keys named in the template's words
    pl.Series(
        "message",
        [check_text.message(c, m, lang()) for c, m in zip(fl["check_id"].to_list(), fl["message"].to_list())],
        dtype=pl.Utf8,
    ),
)
# the page's own headers; each check by its code and title (catalogue data), never its raw key
finding_names = {
    "agency_name": tr("agency"),
    "county": tr("county"),
    "year": t("year"),
    "check_id": tr("check"),
    "severity": tr("severity"),
    "location": tr("where"),
    "message": tr("message"),
    "status": t("status"),
}
table_(
    shown,
    "q_findings",
    names=finding_names,
    export="quality-findings",
    sheets={tr("matrix"): matrix_sheet},
    years=yr_label,
)

st.subheader(tr("by_check"))
by_check = q("failing_by_check_f", f, sev)
# each check by its code and title (catalogue data), never its raw key
table_(
    by_check,
    "q_by_check",
    names={"check_id": tr("checks"), "n_reports": tr("n_reports"), "n_findings": tr("n_findings")},
    export="quality-by-check",
    years=yr_label,
)

# what a new reading (an extractor upgrade, a new edition of the file) moved in the selected reports
st.subheader(tr("moved"))
MOVED_SHOWN = 500
moved = q("changed_cells", f, MOVED_SHOWN)
if moved.is_empty():
    st.caption(tr("moved_none"))
else:
    n_moved = int(moved["n_total"][0])
    more = " " + tr("moved_more").format(n=n_moved, k=moved.height) if n_moved > moved.height else ""
    st.caption(tr("moved_intro") + more)
    moved = changeview.order(moved)  # the links beside the table in the table's order
    links = link_col(moved, "report_id", report_link).alias(tr("open"))
    shown = changeview.table(moved, lang()).select(links, pl.all())
    widths = {
        changeview.column(k, lang()): st.column_config.TextColumn(width=changeview.WIDTHS[k]) for k in changeview.keys()
    }
    st.dataframe(
        shown,
        hide_index=True,
        key="q_moved",
        column_config={
            tr("open"): st.column_config.LinkColumn(tr("open"), display_text=tr("open"), width=44),
            **widths,
        },
    )
