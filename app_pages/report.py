"""报告 Report: the report list (paginated) or, with ?report=<id>, one report laid out as the template prints it
(pipelines.reportview): sections 一 to 六 in order, tables 2–4 with the template's labels, findings and
corrections marked on their cells, the section's text beside each table, the original file to download."""

import math
from pathlib import PurePath

import polars as pl
import streamlit as st

from app_pages import _htmltable
from app_pages._common import filters, label_county, lang, link_col, q, t
from app_pages._common import table as table_
from pipelines import changeview, i18n, numfmt, read, reportview
from pipelines import templates as T
from pipelines.checks import text as check_text

f, L = filters(), lang()
ss = st.session_state


def _meta(r: dict) -> str:
    """The report's particulars as one small table (escaped)."""
    region = " ".join(x for x in (r["province"], r["city"], r["county"]) if x) or "—"
    rid = r["report_id"] or ""
    items = [
        (t("report_region"), region, ""),
        (t("template"), i18n.template_label(r["template"], L), ""),
        (t("dataset_col"), i18n.dataset_label(r["dataset"], L), ""),
        (t("status"), i18n.cell(i18n.status_label(r["status"], L), L), ""),
        (t("report_format"), i18n.cell(i18n.format_label("ocr" if r.get("ocr") else r["format"], L), L), ""),
        (t("findings"), numfmt.count(r["n_findings"]), ""),
        (t("report_id"), rid[:12] + "…", rid + "\n" + t("report_id_help")),
    ]
    e = reportview.html.escape
    cells = "".join(
        f'<th class="xr-h">{e(k)}</th><td style="text-align:left" title="{e(tip)}">{e(v)}</td>'
        if tip
        else f'<th class="xr-h">{e(k)}</th><td style="text-align:left">{e(v)}</td>'
        for k, v, tip in items
    )
    return f'<div class="xr-wrap"><table class="xr"><tr>{cells}</tr></table></div>'


def _colon() -> str:
    return ": " if lang() == "en" else "："


def _original(r: dict) -> None:
    """The source path, and the original file to download when it is still the file that was loaded."""
    if str(r["source_path"] or "").startswith("synthetic://"):  # made by the demo generator: no file exists
        st.caption(f"{t('source')}{_colon()}{t('report_no_original_synthetic')}")
        return
    # the file's name, not the server's path to it (the file itself is offered below)
    st.caption(f"{t('source')}{_colon()}{PurePath(str(r['source_path'])).name}")
    try:
        data = read.original_file(r["source_path"], r["sha256"])
    except read.OriginalUnavailable as e:
        st.caption(t("report_original_" + e.reason))
        return
    name = r["source_path"].replace("\\", "/").rsplit("/", 1)[-1] or r["report_id"]
    st.download_button(
        t("report_original"),
        data,
        file_name=name,
        mime="application/octet-stream",
        icon=":material/download:",
        on_click="ignore",
        key="rep_original",
    )


def _section(sec: T.Section, d: dict, marks: reportview.Marks, texts: dict[int, str]) -> None:
    st.subheader(f"{sec.no}. {sec.en}" if L == "en" else sec.label)
    r, cells = d["report"], d["cells"].to_dicts()
    text = texts.get(sec.no) or t("report_no_section_text" if texts else "report_no_text")
    if sec.table is None:
        # the box's height follows the text (about 75 characters a line at 1440 px), at most 480 px
        lines = sum(1 + len(ln) // 75 for ln in text.splitlines())
        with st.container(height=min(480, 44 + 21 * lines), border=True):
            st.html(reportview.text_html(text))
        if sec.no == len(T.SECTIONS):  # 六: the fees the parser read from it
            fees = r.get("fees_collected_yuan")
            note = t("report_fees_none") if fees is None else t("report_fees_value", v=numfmt.exact(fees))
            st.caption(f"{t('report_fees')}{_colon()}{note}")
        return
    # table 3 is the widest (three label columns and seven values): a wider share of the row, the text beside
    left, right = st.columns([5, 2] if sec.table == 3 else [2, 1], gap="medium")
    with left:
        if sec.table == 2:
            body, rows = reportview.table2_html(r["template"], cells, marks), 16
        elif sec.table == 3:
            body, rows = reportview.table3_html(r["template"], cells, marks), 30
        else:
            body, rows = reportview.table4_html(cells, marks), 6
        notes = marks.under(f"table{sec.table}")
        st.html(body)
        if notes:
            with st.expander(f"{t('report_table_findings')}（{len(notes)}）", expanded=len(notes) <= 5):
                st.html(reportview.findings_html(notes, L))
    with right:
        st.caption(t("report_source_text"))
        # as tall as the table beside it, but no taller than the text needs (a report without its text says so in
        # one line, not in an empty box of 800 px); about 30 characters a line in the right-hand column
        lines = sum(1 + len(ln) // 30 for ln in text.splitlines())
        with st.container(height=max(80, min(820, 27 * rows, 44 + 21 * lines)), border=True):
            st.html(reportview.text_html(text))


def detail(rid: str) -> None:
    d = q("report_detail", rid)
    if d is None:
        st.error(t("report_not_found", id=rid))
        return
    r = d["report"]
    st.title(f"{r['agency_name'] or r['agency'] or '—'} · {r['year'] or '—'}")
    st.html(reportview.CSS)
    st.html(_meta(r))
    _original(r)
    if r["dataset"] == "demo":
        st.caption(t("report_synthetic"))
    if r.get("ocr"):
        st.warning(t("ocr_note"), icon=":material/document_scanner:")
    corrections = d.get("corrections")
    marks = reportview.Marks.build(
        d["findings"].to_dicts(), corrections.to_dicts() if corrections is not None else [], L
    )
    whole = [n for loc, ns in marks.by_loc.items() if reportview.section_of(loc) == 0 for n in ns]
    if whole:
        st.caption(t("report_whole"))
        st.html(reportview.findings_html(whole, L))
    st.html(reportview.legend(L))
    # a PDF's paragraphs as paragraphs, not as the page's lines (for display: the stored text is as extracted)
    texts = reportview.section_texts(d["text"], reflow=r["format"] == "pdf")
    for sec in T.SECTIONS:
        _section(sec, d, marks, texts)
    if corrections is not None and not corrections.is_empty():
        _audit_trail(corrections)
    _history(rid)


def _audit_trail(corr: pl.DataFrame) -> None:
    """Every correction of this report, undone ones included, with the cell named in the template's words."""
    st.subheader(t("corrections"))
    st.caption(t("corrections_note"))
    where = [
        check_text.location(
            f"table3.{rk}.{ck}" if tn == 3 else f"table4.{ck}" if tn == 4 else f"table2.{rk}",
            L,
        )
        for tn, rk, ck in corr.select("table_no", "row_key", "col_key").iter_rows()
    ]
    show = corr.with_columns(
        pl.Series("where", where, dtype=pl.Utf8),
        pl.when(pl.col("undone_at").is_null())
        .then(pl.lit(t("corr_active")))
        .otherwise(pl.lit(t("corr_undone")))
        .alias("status"),
    ).select("correction_id", "where", "old_value", "new_value", "reason", "author", "created_at", "status")
    table_(show, "rep_corrections", link=None, export="report-corrections")


def _history(rid: str) -> None:
    """The cells new readings of this report moved (an extractor upgrade, a new edition of the file)."""
    ch = q("cell_changes", report_id=rid)
    if ch.is_empty():
        return
    with st.expander(t("report_history", n=ch.height), expanded=False):
        st.caption(t("report_history_help"))
        shown = changeview.table(ch, L, with_report=False)
        _htmltable.draw(_htmltable.payload(shown), "rep_history")


def report_list() -> None:
    st.title(t("report_list"))
    n = q("report_count", f)
    per = 50
    pages = max(1, math.ceil(n / per))
    c1, c2, c3 = st.columns([1, 1, 2])
    if not isinstance(ss.get("pg"), int) or not 1 <= ss["pg"] <= pages:
        ss["pg"] = 1
    c1.number_input(t("page_n") + f" / {pages}", min_value=1, max_value=pages, step=1, key="pg")
    sorts = ["year", "agency", "county", "findings", "applications"]
    sort = c2.selectbox(t("sort"), sorts, key="rep_sort", format_func=lambda s_: t(f"sort_{s_}"))
    c3.caption(t("n_reports_caption", n=f"{n:,}"))
    rl = q("report_list", f, per, (ss["pg"] - 1) * per, sort)
    # a city's own agencies by the city's name (洛阳市（市级机关）), as in every other table
    rl = label_county(rl.with_columns(link_col(rl, "report", {"report": "report_id"})))
    # the dataset column only when the page holds more than one (the badge, the sidebar and the export's notes
    # name a single one). The template version is not a column: the year says it (the 2019 edition to 2020, the
    # 2021 one since), the report's page names it (a non-standard one too) and the sidebar filters by it. Short
    # headers for the findings and the rate (its basis on the header's hover): with eleven columns the agency's
    # name was cut to six characters
    one_dataset = rl["dataset"].n_unique() <= 1
    rate = t("open_rate")
    table_(
        rl.select(
            "agency_name",
            "county",
            "year",
            "status",
            "n_findings",
            T.FIRST_ROW,  # 本年新收
            T.TOTAL_ROW,  # 办理总计
            "open_rate_A",
            *(() if one_dataset else ("dataset",)),
            "link",
        ),
        "rep_list",
        kinds={"open_rate_A": ("rate", 1.0)},
        names={"n_findings": t("findings"), "open_rate_A": rate},
        column_config={
            i18n.heading(rate, L): st.column_config.TextColumn(
                alignment="right",
                help=i18n.cell(read.MEASURES["open_rate_A"].basis(L), L)
                + f"\n\n{numfmt.DASH}{_colon()}{numfmt.blank_meaning(None, L)}",
            )
        },
        export="reports",
    )


rid = ss.get("report")
if rid:
    if st.button(t("back_to_list"), icon=":material/arrow_back:"):
        ss["report"] = ""
        st.rerun()
    detail(str(rid))
else:
    report_list()
