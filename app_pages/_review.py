"""The quality page's list of hand corrections that wait for review: made on an earlier edition of a
report whose new edition reads another value in that cell, so they are not applied (pipelines/warehouse/
editions.py). Shown only when there are some."""

from __future__ import annotations

from urllib.parse import urlencode

import polars as pl
import streamlit as st

from app_pages import _htmltable
from pipelines import i18n, numfmt
from pipelines.templates import cell_label


def frame(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """read.corrections_needing_review as the page shows it (headers and words from pipelines.i18n; numbers by
    numfmt; each cell named in the template's words; built in the script's thread, no map_elements)."""

    def t(key: str) -> str:
        return i18n.t(key, lang)

    cells = [cell_label(tn, rk, ck, lang) for tn, rk, ck in df.select("table_no", "row_key", "col_key").iter_rows()]
    return df.select(
        pl.col("correction_id").alias(t("correction_id")),
        pl.col("agency_name").fill_null(numfmt.DASH).alias(t("agency")),
        pl.col("year").cast(pl.Utf8).fill_null(numfmt.DASH).alias(t("year")),
        pl.Series(t("rv_cell"), cells, dtype=pl.Utf8),
        pl.Series(t("rv_new_value"), [numfmt.exact(v) for v in df["new_value"].to_list()], dtype=pl.Utf8),
        pl.Series(t("rv_edition_value"), [numfmt.exact(v) for v in df["edition_value"].to_list()], dtype=pl.Utf8),
        pl.col("reason").fill_null(numfmt.DASH).alias(t("rv_reason")),
        pl.col("author").fill_null(numfmt.DASH).alias(t("rv_author")),
        pl.Series(
            t("page_report"),
            ["report?" + urlencode({"report": r}) + "#" + t("rv_open") for r in df["report_id"].to_list()],
            dtype=pl.Utf8,
        ),
    )


def show(df: pl.DataFrame, lang: str) -> None:
    """df: read.corrections_needing_review for the sidebar's filters."""
    if df.is_empty():
        return
    st.subheader(i18n.t("rv_title", lang, n=numfmt.count(df.height)))
    st.warning(i18n.t("rv_note", lang))
    view = frame(df, lang)
    report = i18n.t("page_report", lang)
    # drawn as HTML like every table (app_pages._htmltable): 查看 opens the report in this tab
    urls = [u.split("#", 1)[0] for u in view[report].to_list()]
    drawn = view.with_columns(pl.Series(report, [i18n.t("rv_open", lang)] * view.height, dtype=pl.Utf8))
    hit = _htmltable.draw(
        _htmltable.payload(
            drawn,
            right=[c == i18n.t("correction_id", lang) for c in drawn.columns],
            help=[i18n.t("open_help", lang) if c == report else None for c in drawn.columns],
            hrefs=_htmltable.row_hrefs(drawn, report, urls),
        ),
        "q_review",
    )
    if hit is not None and hit[0] < len(urls):
        from app_pages._common import navigate

        navigate(urls[hit[0]])
