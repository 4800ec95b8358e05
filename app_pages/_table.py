"""Tables as the pages show them: every number printed by pipelines.numfmt, every key named in the UI's
language, no null left to be drawn as "None".

``frame`` (no streamlit) turns a read-API frame into text cells with localised headers; ``config`` says which
columns are numbers (right-aligned) and what each header's hover says (the meaning of — and of 样本不足);
``cell_titles`` gives a cell its own hover. The pages draw the result as HTML (app_pages._htmltable; the
widths below serve the few st.dataframe grids left). The values are text so that the table prints exactly
numfmt's format (thousands separators, 50.7%, —); a ranking arrives sorted by the read API.
"""

from __future__ import annotations

import math
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

# --- widths: every column visible in the main area ------------------------------------------------------
# The grid sizes a column to its widest cell and never wraps a header: a wide table runs past the main
# area's right edge, where its last columns (right-aligned numbers first) cannot be seen. ``fit`` measures
# each column as printed and, when the whole is wider than the area, narrows the widest text columns (a
# definition, a message) until it fits; the full text of a cut cell is in the export.
MAIN_PX = 960  # the main area at a 1440 px window with the sidebar open (layout="wide"), less the grid's border
MIN_PX = 64  # no column narrower than this (a year, a short count)
CJK_PX, LATIN_PX, PAD_PX, HEAD_PX = 14.0, 8.0, 18, 24  # glyph widths at the grid's 14 px; padding; sort/menu icon
SAMPLE = 400  # rows measured (a page of a long table is enough to know its widths)


# Latin glyphs by width at the grid's 14 px "Source Sans" (Streamlit's own web font, so the same on every
# machine), each group at its widest glyph as canvas measureText gives it in headless Chromium; any other glyph
# below the wide (CJK) ones at 8 px. One width for every letter (7.6 px) made English headers and labels a third
# wider than drawn ("Disclosure rate" 114 px for 86) and cut the columns beside them.
_GLYPHS = {
    2.8: " ",
    3.5: "i|',.:;j·",
    3.7: "lI",
    4.0: "!f",
    4.2: "()[]{}",
    4.5: "-t",
    4.9: "/\\r",
    6.0: '*?sz"“”',
    6.2: "cJx",
    6.5: "vy",
    6.9: "YLFek",
    7.0: "#$+0123456789<=>^_~÷−×≠",
    7.5: "agXSVZΣEAT",
    7.7: "C`houbn",
    7.9: "dpqP",
    8.2: "RKB",
    8.7: "&DG→↗",
    9.3: "UHNOQ",
    10.2: "wM",
    11.2: "W—",
    11.9: "%m@",
    12.2: "∈",
    CJK_PX: "…",
}
_GLYPH_PX = {ch: px for px, chars in _GLYPHS.items() for ch in chars}


def text_px(s: Any) -> float:
    """The width of ``s`` as the grid draws it, never less: wide (CJK) glyphs at 14 px, the others by
    ``_GLYPH_PX`` (else ``LATIN_PX``)."""
    t = "" if s is None else str(s)
    return 1.02 * sum(CJK_PX if ord(ch) >= 0x2E80 else _GLYPH_PX.get(ch, LATIN_PX) for ch in t)  # 2 %: rounding


def natural_px(name: str, values: list[Any]) -> int:
    """A column's width at its widest: its header (with the grid's icons) or its widest cell."""
    cells = max((text_px(v) for v in values[:SAMPLE]), default=0.0)
    return math.ceil(max(text_px(name) + HEAD_PX, cells + PAD_PX, MIN_PX))


def widths(shown: pl.DataFrame, avail: int = MAIN_PX, fixed: Mapping[str, int] | None = None) -> dict[str, int]:
    """Pixel widths for the columns of ``shown`` (text as printed) so that together they fit in ``avail``:
    {} when the grid's own sizing already fits; else the long cells are cut first (every column keeps at least
    its header's width, the widest cells share what is left), and only when the headers alone are too wide
    are the widest headers cut too (never below ``MIN_PX``). ``fixed`` columns keep the width given."""
    fixed = dict(fixed or {})
    nat = {c: fixed.get(c) or natural_px(c, shown[c].to_list()) for c in shown.columns}
    if sum(nat.values()) <= avail:
        return {}
    head = {c: fixed.get(c) or math.ceil(max(text_px(c) + HEAD_PX, MIN_PX)) for c in shown.columns}
    floor = head
    if sum(head.values()) > avail:
        # the headers alone are too wide: the columns whose cells are longer than their header (names, labels:
        # cut anyway) give way first, down to MIN_PX; a column of short cells (a rate, a count) keeps its header
        # whole, as its cells say nothing without it
        floor = {c: head[c] if nat[c] <= head[c] else MIN_PX for c in shown.columns}
        if sum(floor.values()) > avail:
            floor = dict.fromkeys(shown.columns, MIN_PX)

    def total(cap: float) -> int:
        return sum(w if c in fixed else max(floor[c], int(min(w, cap))) for c, w in nat.items())

    lo, hi = 0.0, float(max(nat.values()))
    for _ in range(40):  # the largest cap under which the columns fit
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if total(mid) <= avail else (lo, mid)
    return {c: (w if c in fixed else max(floor[c], int(min(w, lo)))) for c, w in nat.items()}


def fit(shown: pl.DataFrame, cfg: dict[str, Any], avail: int = MAIN_PX) -> dict[str, Any]:
    """``cfg`` (column_config by header) with widths from ``widths(shown)`` set on every column (a column's
    own width in ``cfg`` is kept as given)."""
    fixed = {name: _px(c.get("width")) for name, c in cfg.items() if isinstance(c, dict) and c.get("width") is not None}
    out = dict(cfg)
    for name, w in widths(shown, avail, {k: v for k, v in fixed.items() if v}).items():
        c = out.get(name)
        c = dict(c) if isinstance(c, dict) else {}
        if c.get("width") is None:
            c["width"] = w
        out[name] = c
    return out


def _inner(cfg: Mapping[str, Any], name: str, shown: pl.DataFrame) -> float | None:
    c = cfg.get(name)
    if not isinstance(c, dict):
        return None
    w = _px(c.get("width"))
    if not w or name not in shown.columns or shown[name].dtype != pl.Utf8:
        return None
    if (c.get("type_config") or {}).get("type", "text") != "text":  # a link draws its label, not its URL
        return None
    return float(max(w - PAD_PX, 1))


def cut_columns(shown: pl.DataFrame, cfg: Mapping[str, Any]) -> list[str]:
    """The text columns of ``shown`` with a cell longer than the width ``fit`` gave the column."""
    out = []
    for name in shown.columns:
        inner = _inner(cfg, name, shown)
        if inner is not None and any(v and text_px(v) > inner for v in shown[name].to_list()[:SAMPLE]):
            out.append(name)
    return out


def one_line(shown: pl.DataFrame, cfg: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """``cfg`` for a grid of one-line rows (the grid's own 35 px): a cell longer than its column ends in "…",
    and its column's header says where the whole text is (the cell's own overlay, the export). Rows tall
    enough to wrap the longest cell made every row of a table that tall for one cell a few pixels too long."""
    out = dict(cfg)
    note = i18n.t("cut_help", lang)
    for name in cut_columns(shown, cfg):
        c = dict(out[name])
        c["help"] = f"{c['help']}\n\n{note}" if c.get("help") else note
        out[name] = c
    return out


def _px(w: Any) -> int | None:
    return {"small": 75, "medium": 200, "large": 400}.get(w, w if isinstance(w, int) else None)


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
