"""检查规则 Checks: the check catalogue (pipelines/checks/catalogue.yaml) as a table, the same columns in
both languages; each formula named in the template's words (pipelines.checks.text.formula)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app_pages._common import lang, t
from pipelines import csvsafe, numfmt, quality
from pipelines.checks import text as check_text


def view(L: str) -> pl.DataFrame:
    """The catalogue as the page shows it (and exports it), in the language ``L``."""
    from pipelines.i18n import S, cell
    from pipelines.i18n import t as tt

    cat = quality.catalogue_frame()
    en = L == "en"
    ids = cat["id"].to_list()
    return pl.DataFrame(
        {
            tt("chk_code", L): ids,
            tt("check", L): cat["title_en" if en else "title_zh"].to_list(),
            # each text a cell of its own: capitalised in English (i18n.cell)
            tt("chk_scope", L): [
                cell(tt(f"scope_{v}", L) if f"scope_{v}" in S else v, L) for v in cat["scope"].to_list()
            ],
            tt("chk_formula", L): [cell(check_text.formula(i, L), L) for i in ids],
            tt("chk_tolerance", L): [numfmt.exact(v) for v in cat["tolerance"].to_list()],
            tt("severity", L): [cell(check_text.severity(v, L), L) for v in cat["severity"].to_list()],
            tt("chk_not_assessable", L): [
                cell(v, L) if v else v for v in cat["not_assessable_en" if en else "not_assessable_zh"].to_list()
            ],
        }
    )


L = lang()
st.title(t("page_checks"))
st.caption(t("chk_intro"))
shown = view(L)
# a static table: the long texts (titles, formulas, when a rule cannot be assessed) wrap inside the main area
st.table(shown.to_pandas().set_index(t("chk_code")))
st.download_button(
    t("export_csv"),
    csvsafe.csv_bytes(shown),
    file_name="xxgk_checks.csv",
    mime="text/csv",
    key="checks_csv",
)
