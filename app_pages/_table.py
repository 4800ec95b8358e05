"""Tables as the pages show them: every number printed by pipelines.numfmt, every key named in the UI's
language, no null left to be drawn as "None".

``frame`` (no streamlit) turns a read-API frame into text cells with localised headers; ``config`` says which
columns are numbers (right-aligned) and what each header's hover says (the meaning of — and of 样本不足);
``cell_titles`` gives a cell its own hover. The pages draw the result as HTML (app_pages._htmltable). The values are text so that the table prints exactly
numfmt's format (thousands separators, 50.7%, —); a ranking arrives sorted by the read API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from pipelines import i18n, numfmt, read
from pipelines.checks import text as check_text

# columns holding counts (thousands separators), whatever their dtype
COUNTS = {
    "numerator",
    "denominator",
    "n_reports",
    "n_null",
    "n_findings",
    "n_agencies",
    "new_received",
    "total_handled",
    "total_failing",
}
# columns printed as they are (a year is 2025, never 2,025)
PLAIN = {"year", "rank", "template_year", "correction_id"}
# columns that name a key: the key → its label in the UI's language
LABELS: dict[str, Callable[[Any, str], str]] = {
    "status": i18n.status_label,
    "dataset": i18n.dataset_label,
    "template": i18n.template_label,
    "format": i18n.format_label,
    "check_id": lambda v, lang: f"{check_text.code(v)} {check_text.title(v, lang)}".strip() if v else numfmt.DASH,
    "severity": lambda v, lang: check_text.severity(v, lang) if v else numfmt.DASH,
    "location": lambda v, lang: check_text.location(v, lang) or numfmt.DASH,
}
# text columns whose cells are labels or sentences of the UI (a definition, a message, a note): capitalised in
# English like the headers (``i18n.cell``); names, file names and ids are printed as they are
SENTENCES = {"basis", "message", "note", "detail", "reason", "severity", "status"}
# header keys (pipelines.i18n) of columns whose name is not itself a key there
HEADERS = {
    "agency_name": "agency",
    "label": "measure",
    "dataset": "dataset_col",
    "check_id": "check",
    "basis": "basis_col",
}


def _kind_of(measure: str | None, kind: str | None) -> tuple[str, float]:
    m = read.MEASURES.get(measure or "")
    if m is not None:
        return m.kind, m.scale
    return (kind or "count"), 1.0


def _cells(df: pl.DataFrame, col: str, lang: str, kinds: Mapping[str, tuple[str, float]]) -> list[str]:
    """One column as text (in the script's thread: a list comprehension, never map_elements)."""
    s = df[col]
    vals = s.to_list()
    if col in LABELS:
        fn = LABELS[col]
        return [i18n.cell(fn(v, lang), lang) if v is not None else numfmt.DASH for v in vals]
    if s.dtype == pl.Boolean:  # low_n: the label where it applies, nothing where it does not
        low = i18n.cell(numfmt.low_n_label(lang), lang)
        return [low if v else "" for v in vals]
    if col in ("value", "prev", "change"):
        ms = df["measure"].to_list() if "measure" in df.columns else [None] * df.height
        ks = df["kind"].to_list() if "kind" in df.columns else [None] * df.height
        default = kinds.get(col)
        out = []
        for v, m, k in zip(vals, ms, ks):
            kind, scale = default if (default and m is None and k is None) else _kind_of(m, k)
            out.append(numfmt.change(v, kind, scale, lang) if col == "change" else numfmt.value(v, kind, scale))
        return out
    if col == "change_pct":
        return [numfmt.change_pct(v) for v in vals]
    if col in kinds:
        kind, scale = kinds[col]
        return [numfmt.value(v, kind, scale) for v in vals]
    if col in PLAIN:
        return [numfmt.DASH if numfmt.missing(v) else str(v) for v in vals]
    if col in COUNTS or s.dtype.is_integer():
        return [numfmt.count(v) for v in vals]
    if s.dtype.is_float():
        return [numfmt.exact(v) for v in vals]
    if col in SENTENCES and lang == "en":
        return [numfmt.DASH if v is None else i18n.cell(str(v), lang) for v in vals]
    return [numfmt.DASH if v is None else str(v) for v in vals]


def header(col: str, lang: str, names: Mapping[str, str] | None = None) -> str:
    """A column's header: the page's own name for it, else its key's label in pipelines.i18n (or the column's
    own name: data labels such as table 4's outcomes), capitalised in English (``i18n.heading``)."""
    if names and col in names:
        return i18n.heading(names[col], lang)
    key = HEADERS.get(col, col)
    return i18n.heading(i18n.t(key, lang) if key in i18n.S else col, lang)


NUMERIC = COUNTS | {"value", "prev", "change", "change_pct"}


def frame(
    df: pl.DataFrame,
    lang: str = "zh",
    kinds: Mapping[str, tuple[str, float]] | None = None,
    keep: tuple[str, ...] = ("link",),
    drop: tuple[str, ...] = ("measure", "kind"),
    names: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """``df`` as the page shows it: text cells (numfmt), localised headers (pipelines.i18n), city-level
    agencies named as such; ``keep`` columns pass through (links), ``drop`` columns only inform the format.
    ``kinds`` gives a column's (kind, scale) when no ``measure``/``kind`` column says it (wide tables);
    ``names`` the page's own headers for some columns."""
    kinds = dict(kinds or {})
    out: dict[str, pl.Series] = {}
    seen: set[str] = set()
    for col in df.columns:
        if col in drop:
            continue
        if col in keep:  # a link; none (a city-level row has no district to filter to) draws nothing, not "None"
            values = pl.Series(["" if v is None else v for v in df[col].to_list()], dtype=pl.Utf8)
        elif col == "county":  # a city's own agencies by the city's name where the frame has it (洛阳市（市级机关）)
            cities = df["city"].to_list() if "city" in df.columns else [None] * df.height
            own, sep = i18n.t("city_level", lang), (" " if lang == "en" else "")
            values = pl.Series(
                [(f"{c}{sep}{own}" if c else own) if v is None else v for v, c in zip(df[col].to_list(), cities)],
                dtype=pl.Utf8,
            )
        else:
            values = pl.Series(_cells(df, col, lang, kinds), dtype=pl.Utf8)
        name = header(col, lang, names)
        if name in seen:  # never two columns with one header
            name = f"{name} ({col})"
        seen.add(name)
        out[name] = values.alias(name)
    return pl.DataFrame(list(out.values())) if out else pl.DataFrame()


def config(
    df: pl.DataFrame,
    lang: str,
    min_cases: int | None = None,
    kinds: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
) -> dict:
    """Column settings for ``frame(df)``: numbers right-aligned, the meaning of — (and of 样本不足) on hover,
    links shown as 打开."""
    import streamlit as st

    cfg: dict[str, Any] = {}
    dash = (
        numfmt.DASH + "：" + numfmt.blank_meaning(None, lang)
        if lang != "en"
        else f"{numfmt.DASH}: " + numfmt.blank_meaning(None, lang)
    )
    for col in df.columns:
        name = header(col, lang, names)
        if col == "link":
            cfg[name] = st.column_config.LinkColumn(display_text=i18n.t("open", lang))
        elif df[col].dtype == pl.Boolean and min_cases is not None:
            cfg[name] = st.column_config.TextColumn(help=numfmt.low_n_rule(min_cases, lang))
        elif (
            col in NUMERIC
            or col in (kinds or {})
            or (col not in PLAIN and col not in LABELS and df[col].dtype.is_numeric())
        ):
            own = i18n.t(f"{col}_help", lang) + "\n\n" if f"{col}_help" in i18n.S else ""
            cfg[name] = st.column_config.TextColumn(alignment="right", help=own + dash)
        elif col in PLAIN:
            cfg[name] = st.column_config.TextColumn(alignment="right")
    return cfg


def cell_titles(shown: pl.DataFrame, lang: str, min_cases: int | None = None) -> list[list[str | None]] | None:
    """Each cell's own hover for a table drawn as HTML (``shown``, as ``frame`` prints it): what a — stands
    for, and the rule behind a 样本不足; None when no cell has one."""
    dash = numfmt.blank_meaning(None, lang)
    low = i18n.cell(numfmt.low_n_label(lang), lang)
    rule = numfmt.low_n_rule(min_cases, lang) if min_cases is not None else None
    out: list[list[str | None]] = []
    seen = False
    for row in shown.iter_rows():
        tips: list[str | None] = []
        for v in row:
            tip = dash if v == numfmt.DASH else (rule if rule and v == low else None)
            seen = seen or tip is not None
            tips.append(tip)
        out.append(tips)
    return out if seen else None
