"""检查规则 Checks: the check catalogue (pipelines/checks/catalogue.yaml) as a table."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app_pages._common import lang, t
from pipelines import csvsafe, numfmt, quality

EN = lang() == "en"
st.title(t("page_checks"))
st.caption(
    "Every rule a report is checked against. A rule whose operand is null (blank, dash, lost in extraction) "
    "is recorded as not assessable, never as a failure."
    if EN
    else "每份报告都按以下规则检查。运算项为空（空白、横线、提取时丢失）时记为“不可评估”，不算未通过。"
)

cat = quality.catalogue_frame()
cat = cat.with_columns(pl.Series("tolerance", [numfmt.exact(v) for v in cat["tolerance"].to_list()], dtype=pl.Utf8))
scope_names = {"report": ("单份报告", "report"), "cross-year": ("跨年度", "cross-year"), "corpus": ("全库", "corpus")}
sev_names = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}
i = 1 if EN else 0
# the rule's code and title (its raw name is left out); the machine formula only in the English UI, where the
# title says the same in the template's words for the Chinese one
view = cat.select(
    pl.col("id").alias("Code" if EN else "编号"),
    pl.col("title_en" if EN else "title_zh").alias("Check" if EN else "检查"),
    pl.col("scope")
    .replace_strict({k: v[i] for k, v in scope_names.items()}, default=pl.col("scope"))
    .alias("Scope" if EN else "范围"),
    *([pl.col("formula").alias("Formula")] if EN else []),
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
    column_config={"Formula": st.column_config.TextColumn(width="large")} if EN else None,
)
st.download_button(
    "Export CSV" if EN else "导出 CSV",
    csvsafe.csv_bytes(view),
    file_name="xxgk_checks.csv",
    mime="text/csv",
    key="checks_csv",
)
