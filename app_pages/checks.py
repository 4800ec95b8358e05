"""检查规则 Checks: the check catalogue (pipelines/checks/catalogue.yaml) as a table."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app_pages._common import lang
from pipelines import csvsafe, quality

EN = lang() == "en"
st.title("Checks" if EN else "检查规则")
st.caption(
    "Every rule a report is checked against. A rule whose operand is null (blank, dash, lost in extraction) "
    "is recorded as not assessable, never as a failure."
    if EN
    else "每份报告都按以下规则检查。运算项为空（空白、横线、提取时丢失）时记为“不可评估”，不算未通过。"
)

cat = quality.catalogue_frame()
scope_names = {"report": ("单份报告", "report"), "cross-year": ("跨年度", "cross-year"), "corpus": ("全库", "corpus")}
sev_names = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}
i = 1 if EN else 0
view = cat.select(
    pl.col("id"),
    pl.col("name"),
    pl.col("title_en" if EN else "title_zh").alias("Check" if EN else "检查"),
    pl.col("scope")
    .replace_strict({k: v[i] for k, v in scope_names.items()}, default=pl.col("scope"))
    .alias("Scope" if EN else "范围"),
    pl.col("formula").alias("Formula" if EN else "公式"),
    pl.col("tolerance").alias("Tolerance" if EN else "容差"),
    pl.col("severity")
    .replace_strict({k: v[i] for k, v in sev_names.items()}, default=pl.col("severity"))
    .alias("Severity" if EN else "严重程度"),
    pl.col("not_assessable_en" if EN else "not_assessable_zh").alias("Not assessable" if EN else "不可评估"),
)
st.dataframe(
    view,
    hide_index=True,
    key="checks_table",
    column_config={"Formula" if EN else "公式": st.column_config.TextColumn(width="large")},
)
st.download_button(
    "Export CSV" if EN else "导出 CSV",
    csvsafe.csv_bytes(view),
    file_name="xxgk_checks.csv",
    mime="text/csv",
    key="checks_csv",
)
