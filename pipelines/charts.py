"""Pure chart builders: polars frame → alt.Chart. No streamlit.

What every builder promises (tests/unit/test_charts.py renders them with 1, 3 and 40 rows):
- every category label is drawn: the height follows the number of rows (a fixed step per row, a
  readable minimum for 1–3 rows) and labels never hide each other (``labelOverlap`` off); a long name is
  cut with "…" and the full name is in the row's tooltip;
- numbers are printed by ``pipelines.numfmt`` (counts with separators, rates as % with one decimal);
- a missing value is drawn as nothing (no ``null`` text) and a rate over too few cases (``low_n``) is
  drawn faded and says 样本不足 in its tooltip;
- the chart carries its whole look (fonts, colours, sizes) in its own config, and the pages show it with
  Streamlit's theme off, so a PNG/SVG export (vl-convert, with the CJK font registered) is the chart on
  the screen.
"""

from __future__ import annotations

import functools
import inspect
import io
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl
from altair.utils import schemapi

from pipelines import numfmt

# Altair's default theme adds a 300 × 300 view config that Streamlit turns off on the screen (it draws with
# theme "none"); off here too, so the dict a page draws and the one it exports are the same.
alt.theme.enable("none")
# Altair validates every schema object as it is made ("debug mode", for its tracebacks): ~half of a chart's
# building. The specs are validated whole in the tests instead (tests/unit/test_charts.py).
schemapi.disable_debug_mode()

CJK_FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
WIDTH = 640  # export width when the page did not say (the screen stretches to its column)
ROW_STEP = 26  # px per category row (bars, heatmap rows)
ROW_STEP_FEW = 40  # … when there are 1–3 rows, so that a short ranking still reads as a chart
BAR_SIZE = 18
LABEL_PX = 180  # a category label longer than this is cut with "…" (full name in the tooltip)
MIN_HEIGHT = 140
# The width (px) a chart is drawn at on a 1440 px page, by the share of the main area it is given (the screen
# stretches a chart over its column; the export draws it at _chart.WIDTHS): what a legend must fit in.
SCREEN_PX = {"full": 960, "half": 470, "third": 305}
LEGEND_FONT = 12  # px, the legend's labels (_LOOK)
LEGEND_ITEM_PX = 16 + 4 + 10  # a legend entry's symbol, its gap to the label, the gap to the next column
# a legend row's height on the screen (Chromium): a trend's (its symbols are the points') and a stack's (squares)
TREND_ROW_PX, STACK_ROW_PX = 18, 14
# Streamlit draws a chart whose spec sets no padding with {bottom: 20} (its other sides 0): a chart that sets its
# own bottom padding starts from the same
SCREEN_BOTTOM_PAD = 20
STACK_HEIGHT = 280  # a vertical stack's plot (a trend beside it is drawn as tall)
BLUE, GREY, TEXT = "#2f6db5", "#c9ccd1", "#31333f"
PALETTE = ["#2f6db5", "#7fb2e5", "#e4572e", "#f3a712", "#29a19c", "#a06cd5", "#8c8c8c", "#f28ab2", "#5c946e"]


# --- memo: a chart drawn again from the same data is the same chart ---------------------------------------
# A page drawn again with data it drew before (a sidebar navigation back to it, a filter set back) would build
# the same Altair objects and convert them to the same dict: about half of a cached page run's CPU at 1M
# reports (a layered chart deep-copies its layers twice as it is made). The builders are pure, so a call is
# remembered by its arguments, frames compared by content: their Arrow IPC bytes (equal bytes, equal frame;
# an equal frame in other bytes is only a miss).
MEMO_SIZE = 256
_MEMO: OrderedDict[tuple, Any] = OrderedDict()
_SPECS: dict[int, tuple[Any, dict | None]] = {}  # id(memoised chart) → (the chart, its spec once made)
_MEMO_LOCK = threading.Lock()


def _key_of(v: Any) -> Any:
    if isinstance(v, pl.DataFrame):
        buf = io.BytesIO()
        v.write_ipc(buf)
        return ("frame", buf.getvalue())
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(_key_of(x) for x in v))
    hash(v)  # anything else unhashable: the call is not remembered (TypeError)
    return v


def _memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def built(*args: Any, **kwargs: Any) -> Any:
        try:
            key = (fn.__name__, _key_of(args), _key_of(tuple(sorted(kwargs.items()))))
        except TypeError:
            return fn(*args, **kwargs)
        with _MEMO_LOCK:
            chart = _MEMO.get(key)
            if chart is not None:
                _MEMO.move_to_end(key)
                return chart
        chart = fn(*args, **kwargs)
        with _MEMO_LOCK:
            _MEMO[key] = chart
            _SPECS[id(chart)] = (chart, None)
            while len(_MEMO) > MEMO_SIZE:
                _, old = _MEMO.popitem(last=False)
                _SPECS.pop(id(old), None)
        return chart

    return built


def _labels(lang: str) -> dict[str, str]:
    from pipelines.i18n import t

    keys = (
        "year",
        "value",
        "numerator",
        "denominator",
        "n_reports",
        "n_null",
        "low_n",
        "county",
        "agency",
        "share",
        "measure",
        "group",
        "reason",
        "proceeding",
        "outcome",
        "change",
        "change_pct",
    )
    out = {k: t(k, lang) for k in keys}
    out["basis"] = "口径" if lang != "en" else "Basis"
    out["note"] = "说明" if lang != "en" else "Note"
    return out


def _kind_scale(df: pl.DataFrame, percent: bool) -> tuple[str, float]:
    """The measure's kind and scale: from the frame's ``measure`` column when it names one measure."""
    if "measure" in df.columns and df.height:
        from pipelines.read import MEASURES

        keys = df["measure"].unique().to_list()
        ms = [MEASURES[k] for k in keys if k in MEASURES]
        if ms and all(m.kind == ms[0].kind and m.scale == ms[0].scale for m in ms):
            return ms[0].kind, ms[0].scale
    return ("rate", 1.0) if percent else ("count", 1.0)


def _note(df: pl.DataFrame, lang: str, min_cases: int | None) -> pl.DataFrame:
    """A ``note`` column for the tooltip: 样本不足 and its rule, or empty (never true/false or null)."""
    if "low_n" not in df.columns:
        return df.with_columns(pl.lit("").alias("note"))
    rule = numfmt.low_n_rule(min_cases, lang) if min_cases else numfmt.low_n_label(lang)
    return df.with_columns(
        pl.when(pl.col("low_n").fill_null(False)).then(pl.lit(rule)).otherwise(pl.lit("")).alias("note")
    )


def _rate_tooltip(lang: str, extra: list, kind: str, scale: float, df: pl.DataFrame | None = None) -> list:
    L = _labels(lang)
    fmt = numfmt.d3(kind, scale)
    cols = set(df.columns) if df is not None else {"numerator", "denominator", "basis", "n_reports", "n_null", "note"}
    tips = extra + [alt.Tooltip("value:Q", title=L["value"], format=fmt)]
    if kind == "rate":
        tips += [
            alt.Tooltip("numerator:Q", title=L["numerator"], format=numfmt.D3_COUNT),
            alt.Tooltip("denominator:Q", title=L["denominator"], format=numfmt.D3_COUNT),
        ]
    for c, f in (("basis", None), ("n_reports", numfmt.D3_COUNT), ("n_null", numfmt.D3_COUNT), ("note", None)):
        if c in cols:
            tips.append(alt.Tooltip(f"{c}:Q", title=L[c], format=f) if f else alt.Tooltip(f"{c}:N", title=L[c]))
    return tips


def _text_px(s: str, size: int = LEGEND_FONT) -> float:
    """``s``'s width at ``size`` px in the charts' font (wide glyphs a full em, the others about 0.58 em)."""
    wide = sum(1 for ch in s if ord(ch) >= 0x2E80)
    return wide * size + (len(s) - wide) * size * 0.58


def _legend_cols(labels: list[str], width: int) -> int:
    longest = max((_text_px(str(x)) for x in labels), default=0.0)
    return int(max(1, min(3, len(labels) or 1, width // (longest + LEGEND_ITEM_PX))))


def _legend(labels: list[str], width: int, **kw: Any) -> alt.Legend:
    """A legend under the plot whose columns fit in ``width`` px: as many columns as its longest label allows
    (at most 3), each label cut (with "…", the full name in the tooltip) only when one column is still too
    narrow for it."""
    cols = _legend_cols(labels, width)
    limit = int(max(60, width // cols - LEGEND_ITEM_PX))
    return alt.Legend(orient="bottom", columns=cols, labelLimit=limit, **kw)


def _trend_labels(df: pl.DataFrame) -> list[str]:
    return df.filter(pl.col("value").is_not_null())["label"].unique().to_list() if df.height else []


def _rows_of(labels: list, width: int) -> int:
    return -(-len(labels) // _legend_cols(labels, width)) if labels else 0


def trend_legend_px(df: pl.DataFrame, width: int = SCREEN_PX["third"]) -> int:
    """The height of ``trend(df, width=width)``'s legend rows on the screen: charts side by side make room for the
    tallest (``legend_px=``), so that what comes under them lines up."""
    return _rows_of(_trend_labels(df), width) * TREND_ROW_PX


def stacked_legend_px(df: pl.DataFrame, color: str, width: int = SCREEN_PX["full"]) -> int:
    """The height of ``stacked(df, …, color, width=width)``'s legend rows on the screen (see ``trend_legend_px``)."""
    labels = df.filter(pl.col("value").is_not_null())[color].unique().to_list() if df.height else []
    return _rows_of(labels, width) * STACK_ROW_PX


def grouped_legend_px(df: pl.DataFrame) -> int:
    """The height of ``grouped(df, …)``'s legend on the screen: one row (see ``trend_legend_px``)."""
    return STACK_ROW_PX if df.height and df["value"].is_not_null().any() else 0


def _room(ch: Any, short: int) -> Any:
    """The legend height (px) a chart lacks beside its neighbours, as padding under it: from the screen's own
    bottom padding (Streamlit draws a chart that sets none with {bottom: 20}, its other sides 0)."""
    if short > 0:
        ch.padding = alt.Padding(bottom=SCREEN_BOTTOM_PAD + short)
    return ch


def _rows_height(n: int) -> int:
    """Plot height for ``n`` category rows: one step each, a readable minimum for 1–3 rows."""
    n = max(n, 1)
    if n <= 3:
        return max(80, ROW_STEP_FEW * n)
    return max(MIN_HEIGHT, ROW_STEP * n)


def _cat_axis(title: str | None = None, limit: int = LABEL_PX) -> alt.Axis:
    """A category axis that draws every label (no overlap culling), cut at ``limit`` px with "…"."""
    return alt.Axis(title=title, labelOverlap=False, labelLimit=limit, labelPadding=6, ticks=False)


def _num_axis(fmt: str, count: bool, **kw: Any) -> alt.Axis:
    """A value axis; a count's ticks are whole numbers (at small values the default steps of 0.5 printed
    every label twice: 0, 0, 1, 1)."""
    return alt.Axis(format=fmt, tickMinStep=1 if count else alt.Undefined, **kw)


# The whole look of a chart, one config object made once. Set on the chart as an attribute rather than by
# .configure_*(): each of those copies a layered chart whole (its layers and data), eight copies a chart.
_LOOK = alt.Config(
    font=CJK_FONT,
    background="white",
    view=alt.ViewConfig(stroke=None),
    range=alt.RangeConfig(category=PALETTE),
    axis=alt.AxisConfig(
        labelFontSize=12,
        titleFontSize=12,
        labelFont=CJK_FONT,
        titleFont=CJK_FONT,
        labelColor=TEXT,
        titleColor=TEXT,
        titleFontWeight="normal",
        gridColor="#e6e9ef",
        domainColor="#c9ccd1",
        tickColor="#c9ccd1",
    ),
    legend=alt.LegendConfig(
        labelFont=CJK_FONT,
        titleFont=CJK_FONT,
        labelFontSize=12,
        titleFontSize=12,
        labelLimit=260,
        labelColor=TEXT,
        titleColor=TEXT,
    ),
    title=alt.TitleConfig(font=CJK_FONT, fontSize=14, color=TEXT, anchor="start"),
    text=alt.MarkConfig(font=CJK_FONT),
)
# the height is the plot's, axes and legend come on top: Streamlit's default (fit) would squeeze a short
# chart's bars into what its axis and legend leave of the height
_FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")


# Encodings given as dicts or strings (alt.condition's result, "name:N") are turned into channel objects by
# Altair's from_dict, which rebuilds a lookup of the whole Vega-Lite schema at each call (~5 ms apiece, most of
# a chart's building). Channel objects made here directly give the same spec.
_CHANNELS = {
    "color": (alt.ColorValue, alt.Color),
    "opacity": (alt.OpacityValue, alt.Opacity),
    "stroke": (alt.StrokeValue, alt.Stroke),
    "strokeWidth": (alt.StrokeWidthValue, alt.StrokeWidth),
}


def _if(channel: str, predicate: Any, then: Any, otherwise: Any) -> Any:
    """``alt.condition(predicate, then, otherwise)`` as the ``channel``'s own object."""
    d = alt.condition(predicate, then, otherwise)
    if not isinstance(d, dict):  # a channel object already (``otherwise`` was one)
        return d
    value_cls, field_cls = _CHANNELS[channel]
    return (value_cls if "value" in d else field_cls)(**d)


def _config(ch: Any) -> Any:
    """The whole look of a chart, in the chart: the same on the screen (theme off) and in the export."""
    ch = ch.copy(deep=False)
    if not isinstance(ch, (alt.FacetChart, alt.HConcatChart, alt.VConcatChart, alt.ConcatChart)):
        ch.autosize = _FIT_X
    ch.config = _LOOK
    return ch


@_memo
def trend(
    df: pl.DataFrame,
    lang: str = "zh",
    percent: bool = False,
    title: str = "",
    min_cases: int | None = None,
    width: int = SCREEN_PX["third"],
    legend_px: int = 0,
    height: int = 260,
) -> alt.Chart:
    """Lines by year, one per ``label``. df: aggregate() long frame grouped by year. ``width``: the px it is
    drawn at (its legend fits in them). ``legend_px``: the legend height to make room for (its own, or more: the
    tallest of the charts beside it, see ``trend_legend_px()``), so that charts side by side are as tall."""
    L = _labels(lang)
    kind, scale = _kind_scale(df, percent)
    d = _note(df.filter(pl.col("value").is_not_null()), lang, min_cases)
    short = legend_px - trend_legend_px(df, width)
    faded = "datum.low_n" if "low_n" in d.columns else "false"
    base = alt.Chart(d).encode(
        x=alt.X("year:O", title=L["year"], axis=alt.Axis(labelAngle=0, labelOverlap=False)),
        # the scale ends on a tick (niced for the axis's 5 ticks): a top label on every trend, so that trends side by
        # side draw their plots at one height (a plot ending between ticks had no label to overhang, and sat higher)
        y=alt.Y(
            "value:Q",
            title=L["value"],
            scale=alt.Scale(nice=5),
            axis=_num_axis(numfmt.d3(kind, scale, axis=True), kind == "count", tickCount=5),
        ),
        color=alt.Color("label:N", title=L["measure"], legend=_legend(d["label"].unique().to_list(), width)),
        tooltip=_rate_tooltip(
            lang,
            [alt.Tooltip("year:O", title=L["year"]), alt.Tooltip("label:N", title=L["measure"])],
            kind,
            scale,
            d,
        ),
    )
    pts = base.mark_point(size=70, filled=True).encode(opacity=_if("opacity", faded, alt.value(0.3), alt.value(1.0)))
    return _room(_config((base.mark_line() + pts).properties(height=height, width=WIDTH, title=title)), short)


@_memo
def ranking(
    df: pl.DataFrame,
    cat: str,
    lang: str = "zh",
    percent: bool = False,
    title: str = "",
    min_cases: int | None = None,
) -> alt.Chart:
    """Horizontal bars sorted by value, one row per ``cat`` (county or agency_name), every row labelled."""
    L = _labels(lang)
    kind, scale = _kind_scale(df, percent)
    d = _note(df.filter(pl.col("value").is_not_null()), lang, min_cases)
    faded = "datum.low_n" if "low_n" in d.columns else "false"
    order = d.sort("value", descending=True)[cat].to_list()
    name_title = L["county"] if cat == "county" else L["agency"]
    y = alt.Y(f"{cat}:N", sort=order, title=None, axis=_cat_axis())
    tips = _rate_tooltip(lang, [alt.Tooltip(f"{cat}:N", title=name_title)], kind, scale, d)
    bars = (
        alt.Chart(d)
        .mark_bar(size=BAR_SIZE)
        .encode(
            y=y,
            x=alt.X(
                "value:Q",
                title=(d["label"][0] if "label" in d.columns and d.height else L["value"]),
                axis=_num_axis(numfmt.d3(kind, scale, axis=True), kind == "count", tickCount=6),
            ),
            color=_if("color", faded, alt.value(GREY), alt.value(BLUE)),
            tooltip=tips,
        )
    )
    # the value beside its bar; a faded bar says why it is faded
    low = numfmt.low_n_label(lang)
    shown = f"format(datum.value, '{numfmt.d3(kind, scale)}')"
    text = (
        bars.mark_text(align="left", dx=4, fontSize=11)
        .transform_calculate(txt=f"{faded} ? {shown} + ' {low}' : {shown}")
        .encode(text=alt.Text("txt:N"), color=alt.value(TEXT))
    )
    return _config((bars + text).properties(height=_rows_height(len(order)), width=WIDTH, title=title))


@_memo
def stacked(
    df: pl.DataFrame,
    x: str,
    color: str,
    lang: str = "zh",
    normalize: bool = True,
    title: str = "",
    x_title: str = "",
    color_title: str = "",
    horizontal: bool = False,
    width: int = SCREEN_PX["full"],
    legend_px: int = 0,
) -> alt.Chart:
    """Stacked bars of ``value`` (share when normalize); every category on the axis labelled. ``width``: the px
    it is drawn at (its legend fits in them); ``legend_px`` as ``trend``'s."""
    L = _labels(lang)
    d = df.filter(pl.col("value").is_not_null())
    order = d[color].unique(maintain_order=True).to_list()
    cats = d[x].unique(maintain_order=True).to_list()
    enc_val = alt.X if horizontal else alt.Y
    enc_cat = alt.Y if horizontal else alt.X
    # a share's ticks at fixed steps, the same in every language: Vega's own choice on a wide axis was every
    # 5 %, and the English labels ran into each other at the end ("95%100%")
    share_ticks = [i / 10 for i in range(0, 11, 1 if not horizontal or width >= SCREEN_PX["full"] else 2)]
    val = enc_val(
        "value:Q",
        stack="normalize" if normalize else True,
        title=L["share"] if normalize else L["value"],
        axis=_num_axis(numfmt.D3_AXIS_RATE, False, values=share_ticks)
        if normalize
        else _num_axis(numfmt.D3_COUNT, True),
    )
    axis = _cat_axis(x_title or None) if horizontal else alt.Axis(labelAngle=0, labelOverlap=False, labelLimit=120)
    cat = enc_cat(f"{x}:{'O' if x == 'year' else 'N'}", title=x_title or None, sort=cats, axis=axis)
    tips = [
        alt.Tooltip(f"{x}:N", title=x_title or (L["year"] if x == "year" else L["county"])),
        alt.Tooltip(f"{color}:N", title=color_title or L["measure"]),
        alt.Tooltip("value:Q", title=L["value"], format=numfmt.D3_COUNT),
    ]
    if "share" in d.columns:
        tips.append(alt.Tooltip("share:Q", title=L["share"], format=numfmt.D3_RATE))
    if "n_null" in d.columns:
        tips.append(alt.Tooltip("n_null:Q", title=L["n_null"], format=numfmt.D3_COUNT))
    bars = alt.Chart(d).mark_bar(size=BAR_SIZE) if horizontal else alt.Chart(d).mark_bar()
    ch = bars.encode(
        (cat if not horizontal else val),
        (val if not horizontal else cat),
        color=alt.Color(
            f"{color}:N",
            title=color_title or None,
            sort=order,
            legend=_legend(order, width, symbolLimit=0),
        ),
        order=alt.Order("color_order:Q"),
        tooltip=tips,
    ).transform_calculate(color_order=f"indexof({order!r}, datum['{color}'])")
    h = STACK_HEIGHT if not horizontal else _rows_height(len(cats))
    return _room(
        _config(ch.properties(height=h, width=WIDTH, title=title)), legend_px - _rows_of(order, width) * STACK_ROW_PX
    )


@_memo
def grouped(
    df: pl.DataFrame,
    x: str,
    color: str,
    lang: str = "zh",
    title: str = "",
    x_title: str = "",
    color_title: str = "",
    legend_px: int = 0,
) -> alt.Chart:
    """Bars side by side: one group per ``x``, one bar per ``color`` (its legend one row). ``legend_px`` as
    ``trend``'s; its plot is ``STACK_HEIGHT`` tall."""
    L = _labels(lang)
    d = df.filter(pl.col("value").is_not_null())
    tips = [
        alt.Tooltip(f"{x}:N", title=x_title or L["proceeding"]),
        alt.Tooltip(f"{color}:N", title=color_title or L["outcome"]),
        alt.Tooltip("value:Q", title=L["value"], format=numfmt.D3_COUNT),
    ]
    if "n_null" in d.columns:
        tips.append(alt.Tooltip("n_null:Q", title=L["n_null"], format=numfmt.D3_COUNT))
    ch = (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{x}:N",
                title=x_title or None,
                sort=d[x].unique(maintain_order=True).to_list(),
                axis=alt.Axis(labelAngle=0, labelOverlap=False, labelLimit=160),
            ),
            xOffset=alt.XOffset(f"{color}:N", sort=d[color].unique(maintain_order=True).to_list()),
            y=alt.Y("value:Q", title=L["value"], axis=_num_axis(numfmt.D3_COUNT, True)),
            color=alt.Color(
                f"{color}:N",
                title=color_title or None,
                sort=d[color].unique(maintain_order=True).to_list(),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=tips,
        )
    )
    return _room(
        _config(ch.properties(height=STACK_HEIGHT, width=WIDTH, title=title)), legend_px - grouped_legend_px(d)
    )


HEATMAP_WIDTH = 1080  # the page's main column at 1440 px: the panels wrap to fit it


ANOMALY_NOTE = (
    "数据异常：该报告的比率超出 0–100 %（违反模板恒等式），已排除",
    "Anomalous: the report's rate is outside 0–100 % (against the template's identities), left out",
)


HEAT_RANGE = ("#dbe9f6", "#08306b")  # the heatmap's lightest and darkest blue


@_memo
def heatmap(df: pl.DataFrame, lang: str = "zh", title: str = "", min_cases: int | None = None) -> alt.Chart:
    """Compare heatmap: entity × year, one panel per measure (each with its own colour scale).

    Fits the page: the panels wrap (as many per row as fit in ``HEATMAP_WIDTH``); the page shows at most
    a page of entities at a time. A missing value is an empty cell (no text); a rate over too few cases is
    drawn faded with its value marked ``*`` and 样本不足 in the tooltip."""
    L = _labels(lang)
    d = df
    if "low_n" not in d.columns:
        d = d.with_columns(pl.lit(False).alias("low_n"))
    scales = {}
    if "measure" in d.columns:
        from pipelines.read import MEASURES

        scales = {k: MEASURES[k].scale for k in d["measure"].unique().to_list() if k in MEASURES}
    sc = pl.col("measure").replace_strict(scales, default=1.0, return_dtype=pl.Float64) if scales else pl.lit(1.0)
    d = _note(
        d.with_columns(
            # each value against its measure's largest shown: a panel of zeros is 0 (its lightest colour),
            # never 0/0 (no colour at all); a blank stays blank
            pl.when(pl.col("value").is_null())
            .then(None)
            .when(pl.col("value").max().over("measure") > 0)
            .then(pl.col("value") / pl.col("value").max().over("measure"))
            .otherwise(0.0)
            .alias("scaled"),
            sc.alias("scale"),
            ((pl.col("kind") == "rate") & pl.col("low_n").fill_null(False)).alias("low_n"),
            *([pl.col("basis").fill_null("")] if "basis" in d.columns else []),  # never "null" on hover
        ),
        lang,
        min_cases,
    )
    n_years = max(d["year"].n_unique(), 1)
    n_ent = max(d["entity"].n_unique(), 1)
    panel_w = max(44 * n_years, 150)
    label_w = 150
    per_row = max(1, HEATMAP_WIDTH // (panel_w + label_w + 20))
    entities = d["entity"].unique(maintain_order=True).to_list()
    panels = d["label"].unique(maintain_order=True).to_list()
    # a cell whose every report gives an impossible rate (outside 0–100 %) has no value: it says 数据异常
    anom = pl.col("n_anomalous").fill_null(0) > 0 if "n_anomalous" in d.columns else pl.lit(False)
    anom_text = "数据异常" if lang == "zh" else "Anomalous"  # a cell's text of its own: capitalised in English
    d = d.with_columns((pl.col("value").is_null() & anom).alias("anom")).with_columns(
        pl.when(pl.col("anom"))
        .then(pl.lit(ANOMALY_NOTE[lang == "en"]))
        .when(pl.col("value").is_null())
        .then(pl.lit(numfmt.blank_meaning(None, lang)))
        .otherwise(pl.col("note"))
        .alias("note")
    )
    # the cell's text, formatted as numfmt does (— when there is no value, * when the sample is too small)
    txt = (
        f"(datum.anom ? '{anom_text}' : datum.value == null ? '{numfmt.DASH}' : datum.kind == 'rate' ? (datum.scale == 1 ? "
        f"format(datum.value, '{numfmt.D3_RATE}') : format(datum.value, '{numfmt.D3_SCALED}')) : "
        f"format(datum.value, '{numfmt.D3_COUNT}')) + (datum.low_n && datum.value != null ? '*' : '')"
    )
    dash = numfmt.DASH
    base = (
        alt.Chart()
        .transform_calculate(
            txt=txt,
            # the tooltip's numerator and denominator: — for a cell without them (not "null")
            num_txt=f"datum.numerator == null ? '{dash}' : format(datum.numerator, '{numfmt.D3_COUNT}')",
            den_txt=f"datum.denominator == null ? '{dash}' : format(datum.denominator, '{numfmt.D3_COUNT}')",
        )
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=False, orient="top")),
            y=alt.Y("entity:N", title=None, sort=entities, axis=_cat_axis(limit=140)),
        )
    )
    rect = base.mark_rect().encode(
        # a fixed domain and a range whose light end is still a colour: one entity, one year, or a panel
        # of zeros is coloured too
        color=alt.Color("scaled:Q", scale=alt.Scale(domain=[0, 1], range=list(HEAT_RANGE)), legend=None),
        opacity=_if("opacity", "datum.low_n", alt.value(0.35), alt.value(1.0)),
        tooltip=[
            alt.Tooltip("entity:N", title=L["agency"] + " / " + L["county"]),
            alt.Tooltip("year:O", title=L["year"]),
            alt.Tooltip("label:N", title=L["measure"]),
            alt.Tooltip("txt:N", title=L["value"]),
            alt.Tooltip("num_txt:N", title=L["numerator"]),
            alt.Tooltip("den_txt:N", title=L["denominator"]),
            alt.Tooltip("basis:N", title=L["basis"]),
            alt.Tooltip("note:N", title=L["note"]),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("txt:N"),
        color=_if("color", "datum.scaled > 0.6 && !datum.low_n", alt.value("white"), alt.value("#222")),
    )
    layer = alt.layer(rect, text).properties(width=panel_w, height=ROW_STEP * n_ent)
    ch = (
        layer.facet(
            facet=alt.Facet("label:N", title=None, sort=panels, header=alt.Header(labelFontSize=13)),
            columns=per_row,
            data=d,
        )
        .properties(title=title)
        .resolve_scale(color="independent", x="independent")
    )
    return _config(ch)


MAP_SELECTION = "area"  # the name of the map's click selection (the page reads the clicked area from it)
MAP_FONT = 11  # px, the area names
DARK_SHARE = 0.6  # an area whose colour lies above this share of the scale is dark: its name is drawn white


def _points(coords: Any) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        yield coords
        return
    for c in coords:
        yield from _points(c)


def _mercator_box(geometry: dict) -> tuple[float, float, float, float]:
    """The geometry's bounding box in Web-Mercator units (x = lon in radians, y = ln tan(π/4 + lat/2))."""
    xs, ys = [], []
    for lon, lat in ((p[0], p[1]) for p in _points(geometry["coordinates"])):
        xs.append(math.radians(lon))
        ys.append(math.log(math.tan(math.pi / 4 + math.radians(max(-85.0, min(85.0, lat))) / 2)))
    return min(xs), min(ys), max(xs), max(ys)


def _fitting_names(features: Any, width: int, height: int) -> dict[str, bool]:
    """Which areas' names fit inside their own shape once the map is fitted to ``width`` × ``height`` (as
    Vega's mercator fit does): a name wider than its district (the small urban districts of a city) would
    lie across its neighbours, so it is left to the tooltip and the table."""
    boxes = {f["code"]: _mercator_box(f["geometry"]) for f in features}
    if not boxes:
        return {}
    x0, y0 = min(b[0] for b in boxes.values()), min(b[1] for b in boxes.values())
    x1, y1 = max(b[2] for b in boxes.values()), max(b[3] for b in boxes.values())
    k = min(width / max(x1 - x0, 1e-9), height / max(y1 - y0, 1e-9))
    out = {}
    for f in features:
        b = boxes[f["code"]]
        out[f["code"]] = (b[2] - b[0]) * k >= MAP_FONT * len(f["name"]) + 4 and (b[3] - b[1]) * k >= MAP_FONT + 6
    return out


def choropleth(
    features: Any,
    values: pl.DataFrame,
    lang: str = "zh",
    min_cases: int | None = None,
    title: str = "",
    width: int = 680,
    height: int = 520,
    highlight: Any = (),
) -> alt.LayerChart:
    """The map of ``choropleth_spec`` as an Altair chart (its areas inline): for the export and the briefing."""
    chart, rows = _choropleth(features, values, lang, min_cases, title, width, height, highlight)
    chart = chart.copy(deep=False)
    chart.data = alt.Data(values=rows)
    return chart


def choropleth_spec(*args: Any, **kwargs: Any) -> dict:
    """``spec(choropleth(*args, **kwargs))`` (the same arguments) with the areas put into the dict as they are:
    Altair's conversion walks every coordinate of every boundary (a third of a second for a city's districts),
    for nothing but a copy."""
    bound = inspect.signature(choropleth).bind(*args, **kwargs)
    bound.apply_defaults()
    chart, rows = _choropleth(*bound.args)
    out = spec(chart)
    out["data"] = {"values": rows}
    return out


def _choropleth(
    features: Any,
    values: pl.DataFrame,
    lang: str,
    min_cases: int | None,
    title: str,
    width: int,
    height: int,
    highlight: Any,
) -> tuple[alt.LayerChart, list[dict]]:
    """Districts (or cities) coloured by one measure. ``features``: pipelines.geo.features(); ``values``:
    read.map_values() (joined on the 6-digit code). The tooltip is the charts': value, numerator,
    denominator, 口径, reports; an area over too few cases is hatched grey and says 样本不足; an area with
    no value is light grey (无数据); the ``highlight`` areas (the sidebar's choice) are outlined.
    Clicking an area selects it (selection ``MAP_SELECTION``, field ``name``)."""
    L = _labels(lang)
    kind, scale = _kind_scale(values, False)
    v = _note(values, lang, min_cases) if values.height else values
    by_code = {r["code"]: r for r in v.iter_rows(named=True)} if v.height else {}
    label = v["label"][0] if v.height and "label" in v.columns else L["value"]
    fits = _fitting_names(features, width, height)
    rows = []
    for f in features:
        r = by_code.get(f["code"], {})
        val = r.get("value")
        low = bool(r.get("low_n")) and kind == "rate"
        rows.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "name": f["name"],
                "name_drawn": f["name"] if fits.get(f["code"]) else "",
                "value": val,
                "shown": None if (val is None or low) else val,  # what the colour scale sees
                "numerator": r.get("numerator"),
                "denominator": r.get("denominator"),
                # the tooltip's texts, printed as the tables print them: an area without a value says — (Vega's
                # tooltip printed a null number as "null")
                "value_txt": numfmt.value(val, kind, scale),
                "numerator_txt": numfmt.count(r.get("numerator")),
                "denominator_txt": numfmt.count(r.get("denominator")),
                "basis": r.get("basis") or "",
                "n_reports": r.get("n_reports") or 0,
                "note": r.get("note") or ("" if val is not None else numfmt.blank_meaning(None, lang)),
                "low_n": low,
                "chosen": f["name"] in set(highlight),
            }
        )
    # one value on the map (one district with data, or all alike): a gradient from 0 to it, its two ends labelled
    # (Vega's own scale had a single value, a legend of one tick)
    shown = {r["shown"] for r in rows if r["shown"] is not None}
    scale_kw: dict[str, Any] = {}
    legend_kw: dict[str, Any] = {}
    lo, hi = (min(shown), max(shown)) if shown else (0.0, 0.0)
    if len(shown) == 1:
        lo, hi = 0.0, max(hi, 0)
        scale_kw = {"domain": [0, hi or 1]}
        # the one value 0: one swatch labelled 0 (a gradient labelled 0 at one end only had a dark end that meant
        # nothing)
        legend_kw = {"values": [0, hi]} if hi else {"values": [0], "type": "symbol", "symbolType": "square"}
    for r in rows:  # a name on the darker blues is drawn white (dark on dark could not be read)
        v = r["shown"]
        r["name_light"] = v is not None and hi > lo and (v - lo) / (hi - lo) > DARK_SHARE
    pick = alt.selection_point(name=MAP_SELECTION, fields=["name"], on="click", clear="dblclick")
    tips = [alt.Tooltip("name:N", title=L["county"]), alt.Tooltip("value_txt:N", title=label)]
    if kind == "rate":
        tips += [
            alt.Tooltip("numerator_txt:N", title=L["numerator"]),
            alt.Tooltip("denominator_txt:N", title=L["denominator"]),
        ]
    tips += [
        alt.Tooltip("basis:N", title=L["basis"]),
        alt.Tooltip("n_reports:Q", title=L["n_reports"], format=numfmt.D3_COUNT),
        alt.Tooltip("note:N", title=L["note"]),
    ]
    # the areas are the layer's data (set by the callers), not each mark's: layering copies its marks whole
    base = alt.Chart().project(type="mercator")
    shapes = (
        # invalid=None: Vega-Lite drops a row whose quantitative colour is null ("filter"), which erased every
        # area without a value (the grey 无数据 ones) and left their names floating on an empty map
        base.mark_geoshape(stroke="white", strokeWidth=1.2, invalid=None)
        .encode(
            color=_if(
                "color",
                "datum.shown == null",
                alt.value("#e3e5e8"),
                alt.Color(
                    "shown:Q",
                    title=label,
                    scale=alt.Scale(scheme="blues", **scale_kw),
                    legend=alt.Legend(format=numfmt.d3(kind, scale, axis=True), orient="right", **legend_kw),
                ),
            ),
            opacity=_if("opacity", pick, alt.value(1.0), alt.value(0.45)),
            stroke=_if("stroke", "datum.chosen", alt.value("#e4572e"), alt.value("white")),
            strokeWidth=_if("strokeWidth", "datum.chosen", alt.value(3), alt.value(1.2)),
            tooltip=tips,
        )
        .add_params(pick)
    )
    names = (
        base.mark_text(fontSize=MAP_FONT)
        .transform_filter("datum.name_drawn != ''")
        .transform_calculate(lon="geoCentroid(null, datum)[0]", lat="geoCentroid(null, datum)[1]")
        .encode(
            longitude=alt.Longitude("lon:Q"),
            latitude=alt.Latitude("lat:Q"),
            text=alt.Text("name_drawn:N"),
            color=_if("color", "datum.name_light", alt.value("white"), alt.value(TEXT)),
            tooltip=tips,
        )
    )
    # data given, and empty: the callers put the areas in (else Altair gives each mark a data set of its own)
    layered = alt.layer(shapes, names, data=alt.Data(values=[]))
    return _config(layered.properties(width=width, height=height, title=title)), rows


_FONTS_DONE = False


def register_cjk_fonts() -> bool:
    """Register the Debian Noto CJK fonts with vl-convert once (else Chinese renders as boxes)."""
    global _FONTS_DONE
    if _FONTS_DONE:
        return True
    import vl_convert as vlc

    for d in FONT_DIRS:
        if Path(d).is_dir():
            vlc.register_font_directory(d)
            _FONTS_DONE = True
    return _FONTS_DONE


def memoised(chart: Any) -> bool:
    """Whether ``chart`` is a remembered builder result (the same object, and the same spec, each time)."""
    with _MEMO_LOCK:
        made = _SPECS.get(id(chart))
    return made is not None and made[0] is chart


def spec(chart: Any) -> dict:
    """The chart's Vega-Lite spec: what the screen draws and what the export draws, one dict.

    Not validated against the Vega-Lite schema here: Altair's validation is ~85 % of a chart's conversion
    (jsonschema over the whole spec, some 40 ms a chart on a page run), and the builders' specs are validated
    once, in the tests (tests/unit/test_charts.py), for every builder and row count."""
    with _MEMO_LOCK:
        made = _SPECS.get(id(chart))
    if made is None or made[0] is not chart:
        return chart.to_dict(validate=False)
    d = made[1]
    if d is None:  # a memoised chart: its dict is made once and shared (a shallow copy is returned: the
        # callers change its top level only, as Streamlit and sized() do)
        d = chart.to_dict(validate=False)
        with _MEMO_LOCK:
            if id(chart) in _SPECS:
                _SPECS[id(chart)] = (chart, d)
    return dict(d)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")


def nothing_to_draw(d: dict) -> str | None:
    """Why the chart of spec ``d`` has no picture, as the i18n key of the sentence that says so instead
    (no_chart_data: no rows, or only blanks; no_chart_values: every value 0, bars of length 0), or None. The
    pages and the briefing say the same sentence where a chart would be bare axes and an empty legend."""
    rows = [r for v in d.get("datasets", {}).values() for r in v] + list((d.get("data") or {}).get("values") or [])
    if not rows:
        return "no_chart_data"
    if all(not r.get("value") for r in rows if isinstance(r, dict)) and any("value" in r for r in rows):
        return "no_chart_values"
    return None


def trimmed(spec: dict) -> dict:
    """``spec`` with each inline dataset's columns that the spec never names left out (a shallow copy).

    The builders draw from the read API's frames, which carry more columns than a chart encodes (a heatmap's
    rows at 1M reports were ~360 KB on the wire, mostly unused). A column is referred to only by its name
    (a field, a tooltip, an expression's ``datum.x``), so a plain name that appears nowhere in the spec is
    not drawn. Kept whole: a spec that shows every field (``tooltip: true``), and names with other
    characters (their JSON spelling could differ)."""
    ds = spec.get("datasets")
    if not isinstance(ds, dict) or not ds:
        return spec
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, ensure_ascii=False)
    if re.search(r'"tooltip": true|"content": "data"', text):
        return spec
    out = {}
    for name, rows in ds.items():
        if not (isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows)):
            out[name] = rows
            continue
        cols = list(dict.fromkeys(c for r in rows for c in r))
        keep = [c for c in cols if not _PLAIN_NAME.fullmatch(c) or re.search(rf"\b{c}\b", text)]
        out[name] = rows if len(keep) == len(cols) else [{c: r[c] for c in keep if c in r} for r in rows]
    return {**spec, "datasets": out}


def sized(spec: dict, width: int | None = None) -> dict:
    """``spec`` at the screen's width (a shallow copy): the export of a plain or layered chart that stretches
    over its column on the screen; facets and concatenations keep their panel widths."""
    out = dict(spec)
    if width and not ("facet" in out or "hconcat" in out or "vconcat" in out or "concat" in out):
        out["width"] = width
    return out


def for_export(chart: Any, width: int | None = None) -> dict:
    """The chart's Vega-Lite spec as the export draws it: the screen's spec, at the screen's width."""
    return sized(spec(chart), width)


def to_png(chart: Any, scale: float = 2.0, width: int | None = None) -> bytes:
    import vl_convert as vlc

    register_cjk_fonts()
    return vlc.vegalite_to_png(for_export(chart, width), scale=scale)


def to_svg(chart: Any, width: int | None = None) -> str:
    import vl_convert as vlc

    register_cjk_fonts()
    return vlc.vegalite_to_svg(for_export(chart, width))
