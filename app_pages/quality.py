"""数据质量 Data quality: agency × year matrix of check results; each cell opens the report."""

from __future__ import annotations

from urllib.parse import urlencode

import polars as pl
import streamlit as st

from app_pages._common import db_path, lang, snapshot, token
from pipelines import csvsafe, quality

S = {
    "title": ("数据质量", "Data quality"),
    "intro": (
        "每格为该机构该年度报告未通过的检查数（✓ = 全部通过，— = 无报告）。点击单元格查看报告。",
        "Each cell counts the report's failing checks (✓ = all passed, — = no report). Click a cell to open the report.",
    ),
    "checks": ("检查规则", "Checks"),
    "checks_help": ("留空 = 全部检查", "Empty = every check"),
    "severity": ("严重程度", "Severity"),
    "dataset": ("数据集", "Dataset"),
    "all": ("全部", "All"),
    "sort": ("排序", "Sort by"),
    "sort_name": ("机构名称", "Agency name"),
    "sort_fail": ("未通过数（多→少）", "Failing checks (most first)"),
    "sort_region": ("地区", "Region"),
    "agency": ("机构", "Agency"),
    "province": ("省", "Province"),
    "city": ("市", "City"),
    "county": ("县区", "County"),
    "total": ("合计未通过", "Total failing"),
    "csv": ("导出 CSV", "Export CSV"),
    "by_check": ("各检查未通过的报告数", "Reports failing each check"),
    "n_reports": ("报告数", "Reports"),
    "n_findings": ("问题数", "Findings"),
    "empty": ("没有报告。", "No reports."),
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示（不可评估等）", "info (not assessable…)"),
}


def tr(key: str) -> str:
    zh, en = S[key]
    return en if lang() == "en" else zh


def con():
    """This run's snapshot: every statement on it gets its own cursor (sessions never share one)."""
    return snapshot()


@st.cache_data(max_entries=200, show_spinner=False)
def _report_checks(path: str, tok: tuple, checks: tuple, sev: tuple, dataset: str | None) -> pl.DataFrame:
    return quality.report_checks(snapshot(), list(checks) or None, list(sev), dataset)


st.title(tr("title"))
st.caption(tr("intro"))

c = con()
all_checks = quality.check_ids(c)
sets = quality.datasets(c)
f1, f2, f3, f4 = st.columns([3, 2, 1, 1])
sel_checks = f1.multiselect(tr("checks"), all_checks, key="q_checks", help=tr("checks_help"))
sel_sev = f2.multiselect(
    tr("severity"), list(quality.SEVERITIES), default=["error", "warning"], key="q_sev", format_func=tr
)
ds = f3.selectbox(tr("dataset"), [None, *sets], key="q_dataset", format_func=lambda d: tr("all") if d is None else d)
sort = f4.selectbox(tr("sort"), ["sort_name", "sort_fail", "sort_region"], key="q_sort", format_func=tr)

long = _report_checks(str(db_path()), tuple(token()), tuple(sel_checks), tuple(sel_sev or ["error", "warning"]), ds)
if long.is_empty():
    st.info(tr("empty"))
    st.stop()

m = quality.matrix(long)
years = quality.matrix_years(m)
if sort == "sort_fail":
    m = m.sort(["total_failing", "agency_name"], descending=[True, False])
elif sort == "sort_region":
    m = m.sort(["province", "city", "county", "agency_name"], nulls_last=True)


def _link(report_id: str | None, cell: str) -> str:
    # the text after '#' is what the cell shows (display_text regex); a missing report links nowhere
    if not report_id:
        return "#" + quality.MISSING
    return "report?" + urlencode({"report": report_id}) + "#" + cell


view = m.select(
    pl.col("agency_name").alias(tr("agency")),
    pl.col("province").alias(tr("province")),
    pl.col("city").alias(tr("city")),
    pl.col("county").alias(tr("county")),
    *[
        pl.struct(f"report_{y}", str(y))
        .map_elements(lambda s, y=y: _link(s[f"report_{y}"], s[str(y)]), return_dtype=pl.Utf8)
        .alias(str(y))
        for y in years
    ],
    pl.col("total_failing").alias(tr("total")),
)
st.dataframe(
    view,
    hide_index=True,
    key="q_matrix",
    column_config={str(y): st.column_config.LinkColumn(str(y), display_text=r"#(.*)$", width="small") for y in years},
)

csv = csvsafe.csv_bytes(
    m.select(
        "agency_id",
        "agency_name",
        "province",
        "city",
        "county",
        *[str(y) for y in years],
        *[f"report_{y}" for y in years],
        "total_failing",
    )
)
st.download_button(tr("csv"), csv, file_name="xxgk_quality.csv", mime="text/csv", key="q_csv")

st.subheader(tr("by_check"))
by_check = quality.failing_by_check(c, list(sel_sev or ["error", "warning"]), ds)
st.dataframe(
    by_check.rename({"check_id": tr("checks"), "n_reports": tr("n_reports"), "n_findings": tr("n_findings")}),
    hide_index=True,
    key="q_by_check",
)
