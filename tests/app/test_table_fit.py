"""Every table reads whole at 1440 px (issue 17, defects 1, 4 and 5). The pages' tables are HTML
(app_pages._htmltable): a cell is never cut, long text wraps and short labels and numbers stay on one line.
The compare table's 数据异常报告数 equals the read API's count; the quality page names a finding's report by
agency and year, never by its hash."""

from __future__ import annotations

import re

import duckdb
import polars as pl
import pytest
from conftest import assert_ok, run_page

from app_pages import _htmltable
from pipelines import i18n, numfmt, read
from tests.tables import shown_tables

HASH = re.compile(r"^[0-9a-f]{64}$")


def _assert_reads(d) -> None:
    """An HTML table (no grid left on the pages): every cell whole (the data drawn is the text shown), long
    text free to wrap, numbers and short labels kept on one line."""
    assert d.data is not None, f"{d.key}: a grid"
    for j, col in enumerate(d.data["columns"]):
        cells = [r[j] for r in d.data["rows"]]
        long = any(len(c) > _htmltable.NOWRAP_CHARS for c in cells)
        assert d.data["nowrap"][j] is (not long), col
        assert not any(c.endswith("…") for c in cells), col


@pytest.mark.parametrize("page", ["overview", "disputes", "compare", "quality"])
def test_page_tables_fit(db, page):
    at = run_page(page if page != "overview" else None)
    assert_ok(at)
    assert shown_tables(at)
    for d in shown_tables(at):
        _assert_reads(d)


def test_compare_anomalous_count_is_the_read_apis(db, warehouse):
    """The agency whose 纠错率 is anomalous in a year: the column shows the read API's count on its row."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ids = read.search_agencies(con, read.Filters(), "", 500, ())["agency_id"].to_list()
        long = read.compare(con, read.Filters(), "agency", tuple(ids), (), ("correction_rate",), read.MIN_CASES, "zh")
        hit = long.filter(pl.col("n_anomalous") > 0)
        assert hit.height, "the test warehouse has an anomalous rate"
        agency = hit["entity_id"][0]
        expect = read.compare_table(
            read.compare(con, read.Filters(), "agency", (agency,), (), ("correction_rate",), read.MIN_CASES, "zh")
        )
    finally:
        con.close()
    at = run_page("compare", lvl="agency", ent=[agency], m=["correction_rate"])
    assert_ok(at)
    detail = shown_tables(at)[1]
    got = detail.value
    assert list(got["年度"]) == [str(y) for y in expect["year"].to_list()]
    assert list(got["数据异常报告数"]) == [numfmt.count(v) for v in expect["n_anomalous"].to_list()]
    assert "1" in list(got["数据异常报告数"])
    _assert_reads(detail)


def test_findings_name_the_report_not_its_hash(db, sql):
    at = run_page("quality")
    assert_ok(at)
    table = next(d for d in shown_tables(at) if "检查" in d.value.columns and "说明" in d.value.columns)
    findings = table.value
    assert "报告编号" not in findings.columns
    for col in findings.columns:
        assert not any(HASH.match(str(v)) for v in findings[col]), col
    # each row names its report by agency and year, and opens it (打开 → the report page of that id)
    n = sql.execute("SELECT count(*) FROM findings WHERE severity IN ('error', 'warning')").fetchone()[0]
    assert len(findings) == n
    assert set(findings["打开"]) == {"打开"}
    assert all(str(v).startswith("report?") and "report=" in str(v) for v in table.links("打开"))
    names = {r[0] for r in sql.execute("SELECT DISTINCT coalesce(agency_name, agency) FROM reports").fetchall()}
    assert set(findings["机关"]) <= names


def test_headings_say_their_years(db, sql):
    """逐年趋势, 热力图 and the map's title say which years they show (issue 17, defect 8)."""
    lo, hi = sql.execute("SELECT min(year), max(year) FROM reports").fetchone()
    at = run_page()
    assert_ok(at)
    assert f"逐年趋势（{lo}–{hi} 年）" in [s.value for s in at.subheader]
    at = run_page("compare", y=f"{lo + 1}-{hi}")
    assert_ok(at)
    assert f"热力图（区县 · {lo + 1}–{hi} 年）" in [s.value for s in at.subheader]
    at = run_page("compare", lang="en", cy=[str(hi)])
    assert_ok(at)
    assert f"Heatmap (District · {hi})" in [s.value for s in at.subheader]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_cells_read_whole(db, lang):
    """The findings' messages, longer than any column could be at 1440 px, are shown whole and wrap (issue 17,
    s6 defect 5 and the last review: the grid cut them to "…" and kept the rest in a cell overlay); the short
    columns stay on one line; the export holds the same text."""
    at = run_page("quality", lang=lang, ds="demo")
    assert_ok(at)
    col = "说明" if lang == "zh" else "Message"
    d = next(d for d in shown_tables(at) if col in d.value.columns)
    assert d.data is not None, "an HTML table"
    j = d.data["columns"].index(col)
    assert max(len(r[j]) for r in d.data["rows"]) > 3 * _htmltable.NOWRAP_CHARS
    assert d.data["nowrap"][j] is False
    year = d.data["columns"].index("年度" if lang == "zh" else "Year")
    assert d.data["nowrap"][year] is True
    _assert_reads(d)
    ex = at.session_state["_exports"]["q_findings"]["frame"]
    ex = ex() if callable(ex) else ex
    assert [r[j] for r in d.data["rows"]] == ex[col].head(len(d.data["rows"])).to_list()


LIST_COLUMNS = {
    "zh": ["机关", "区县", "年度", "状态", "校验发现", "本年新收", "办理总计", "公开率", "打开"],
    "en": ["Agency", "District", "Year", "Status", "Findings", "New", "Handled", "Disclosure rate", "Open"],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_list_reads_at_1440(db, sql, lang):
    """The 报告 list at 1440 px (issue 17, s7 defect 1): eleven columns cut the agency's name to six characters.
    Ten short columns now (the year says the template version; the rate's basis is on its header's hover): every
    cell of the page whole, the agency's longest name included, and together inside the main area."""
    at = run_page("report", lang=lang, ds="demo")
    assert_ok(at)
    d = next(d for d in shown_tables(at) if LIST_COLUMNS[lang][0] in d.value.columns)
    assert list(d.value.columns) == LIST_COLUMNS[lang]
    shown = pl.from_pandas(d.value.astype(str))
    _assert_reads(d)
    # the page's names are the read API's, whole (the demo's longest agency name among them on this page)
    n = sql.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert len(shown) == min(50, n)
    # the rate's basis on its header's hover, in the UI's words
    rate = LIST_COLUMNS[lang][7]
    assert read.MEASURES["open_rate_A"].basis(lang)[1:] in d.help(rate)
    if lang == "en":  # a status is a label of its own: capitalised as the headers are
        assert set(shown["Status"]) <= {"Passed", "Warnings", "Errors"} and set(shown["Open"]) == {"Open"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_correction_rate_table_reads_at_1440(db, lang):
    """复议诉讼's correction rates (issue 17, s7 defect 2): twelve columns cut the measure, the district and
    the definition to a few characters, in English most. The definitions (one per measure) are on the 指标
    header's hover and in a sheet of the workbook; no text column is cut and the table fits the main area."""
    at = run_page("disputes", lang=lang, minn="30")
    assert_ok(at)
    measure = i18n.heading(i18n.t("measure", lang), lang)
    definition = i18n.heading(i18n.t("basis_col", lang), lang)
    d = next(d for d in shown_tables(at) if measure in d.value.columns)
    assert definition not in d.value.columns
    shown = pl.from_pandas(d.value.astype(str))
    _assert_reads(d)
    ms = ("correction_rate", "review_correction_rate", "suit_correction_rate", "lawsuits_per_100")
    for m in ms:
        label, basis = read.MEASURES[m].label(lang), read.MEASURES[m].basis(lang)
        assert label in set(shown[measure])
        assert f"**{label}**" in d.help(measure) and basis[1:] in d.help(measure), m
    sheet = at.session_state["_exports"]["dis_rates"]["sheets"][i18n.t("basis_col", lang)]
    assert sheet.height == len(ms) and set(sheet[i18n.t("measure", lang)]) == {read.MEASURES[m].label(lang) for m in ms}


def test_report_list_shows_the_dataset_column_only_for_several_datasets(db):
    """One dataset in view (the badge and the export's notes name it): no 数据集 column, and the agency's name
    reads whole (the test warehouse holds one dataset; with several, each row says its own)."""
    one = run_page("report", ds="demo")
    assert_ok(one)
    d = next(d for d in shown_tables(one) if "机关" in d.value.columns)
    assert "数据集" not in d.value.columns
    _assert_reads(d)
