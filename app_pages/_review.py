"""The quality page's list of hand corrections that wait for review: made on an earlier edition of a
report whose new edition reads another value in that cell, so they are not applied (pipelines/warehouse/
editions.py). Shown only when there are some."""

from __future__ import annotations

from urllib.parse import urlencode

import polars as pl
import streamlit as st

from pipelines.templates import cell_label

S = {
    "title": ("需复核的人工更正", "Corrections to review"),
    "note": (
        (
            "以下人工更正是在报告的旧版本上做的；新版本在该单元格提取到的数值不同，更正暂未应用。"
            "请核对后用 `xxgk correct --apply 编号` 应用，或 `xxgk correct --undo 编号` 撤销。"
        ),
        (
            "These hand corrections were made on an earlier edition of the report; its new edition reads another "
            "value in that cell, so they are not applied. Check them, then `xxgk correct --apply ID` or "
            "`xxgk correct --undo ID`."
        ),
    ),
    "id": ("更正编号", "Correction"),
    "agency": ("机关", "Agency"),
    "year": ("年度", "Year"),
    "cell": ("单元格", "Cell"),
    "new_value": ("更正值", "Corrected to"),
    "edition_value": ("新版本提取值", "New edition reads"),
    "reason": ("原因", "Reason"),
    "author": ("更正人", "By"),
    "report": ("报告", "Report"),
    "open": ("查看", "open"),
}


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,}"


def show(df: pl.DataFrame, lang: str) -> None:
    """df: read.corrections_needing_review for the sidebar's filters."""
    i = 1 if lang == "en" else 0

    def tr(key: str) -> str:
        return S[key][i]

    if df.is_empty():
        return
    st.subheader(f"{tr('title')}（{df.height}）" if i == 0 else f"{tr('title')} ({df.height})")
    st.warning(tr("note"))
    view = df.select(
        pl.col("correction_id").alias(tr("id")),
        pl.col("agency_name").fill_null("—").alias(tr("agency")),
        pl.col("year").cast(pl.Utf8).fill_null("—").alias(tr("year")),
        pl.struct("table_no", "row_key", "col_key")
        .map_elements(lambda c: cell_label(c["table_no"], c["row_key"], c["col_key"], lang), return_dtype=pl.Utf8)
        .alias(tr("cell")),
        pl.col("new_value").map_elements(_num, return_dtype=pl.Utf8, skip_nulls=False).alias(tr("new_value")),
        pl.col("edition_value").map_elements(_num, return_dtype=pl.Utf8, skip_nulls=False).alias(tr("edition_value")),
        pl.col("reason").alias(tr("reason")),
        pl.col("author").alias(tr("author")),
        pl.col("report_id")
        .map_elements(lambda r: "report?" + urlencode({"report": r}) + "#" + tr("open"), return_dtype=pl.Utf8)
        .alias(tr("report")),
    )
    st.dataframe(
        view,
        hide_index=True,
        key="q_review",
        column_config={tr("report"): st.column_config.LinkColumn(tr("report"), display_text=r"#(.*)$", width="small")},
    )
