"""Pure chart builders: polars frame → alt.Chart. No streamlit.

Rates carry numerator, denominator and 口径 (basis) in every tooltip; low-n points are drawn hollow
/ faded and say so in the tooltip.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import polars as pl

CJK_FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
WIDTH = 640


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
    return {k: t(k, lang) for k in keys}


def _rate_tooltip(lang: str, extra: list, percent: bool) -> list:
    L = _labels(lang)
    return extra + [
        alt.Tooltip("value:Q", title=L["value"], format=".1%" if percent else ",.2f"),
        alt.Tooltip("numerator:Q", title=L["numerator"], format=",.0f"),
        alt.Tooltip("denominator:Q", title=L["denominator"], format=",.0f"),
        alt.Tooltip("basis:N", title="口径 / basis"),
        alt.Tooltip("n_reports:Q", title=L["n_reports"], format=",d"),
        alt.Tooltip("n_null:Q", title=L["n_null"], format=",d"),
        alt.Tooltip("low_n:N", title=L["low_n"]),
    ]


def _base(df: pl.DataFrame) -> alt.Chart:
    return alt.Chart(df.to_pandas() if False else df).properties(width="container")


def _config(ch):
    return (
        ch.configure(font=CJK_FONT)
        .configure_axis(labelFontSize=12, titleFontSize=13, labelFont=CJK_FONT, titleFont=CJK_FONT)
        .configure_legend(labelFont=CJK_FONT, titleFont=CJK_FONT, labelLimit=260)
    )


def trend(df: pl.DataFrame, lang: str = "zh", percent: bool = False, title: str = "") -> alt.Chart:
    """Lines by year, one per ``label``. df: aggregate() long frame grouped by year."""
    L = _labels(lang)
    d = df.filter(pl.col("value").is_not_null())
    base = alt.Chart(d).encode(
        x=alt.X("year:O", title=L["year"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=L["value"], axis=alt.Axis(format=".0%" if percent else ",.0f")),
        color=alt.Color("label:N", title=L["measure"], legend=alt.Legend(orient="bottom")),
        tooltip=_rate_tooltip(
            lang, [alt.Tooltip("year:O", title=L["year"]), alt.Tooltip("label:N", title=L["measure"])], percent
        ),
    )
    pts = base.mark_point(size=70, filled=True).encode(
        opacity=alt.condition("datum.low_n", alt.value(0.35), alt.value(1.0))
    )
    return _config((base.mark_line() + pts).properties(height=300, width=WIDTH, title=title))


def ranking(df: pl.DataFrame, cat: str, lang: str = "zh", percent: bool = False, title: str = "") -> alt.Chart:
    """Horizontal bars sorted by value. ``cat`` is the display column (county or agency_name)."""
    L = _labels(lang)
    n = max(df.height, 1)
    ch = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y(f"{cat}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X(
                "value:Q",
                title=df["label"][0] if df.height else L["value"],
                axis=alt.Axis(format=".0%" if percent else ",.0f"),
            ),
            color=alt.condition("datum.low_n", alt.value("#c7c7c7"), alt.value("#2f6db5")),
            tooltip=_rate_tooltip(
                lang, [alt.Tooltip(f"{cat}:N", title=L["county"] if cat == "county" else L["agency"])], percent
            ),
        )
    )
    text = ch.mark_text(align="left", dx=3, fontSize=11).encode(
        text=alt.Text("value:Q", format=".1%" if percent else ",.0f"), color=alt.value("#333")
    )
    return _config((ch + text).properties(height=min(22 * n + 20, 700), width=WIDTH, title=title))


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
) -> alt.Chart:
    """Stacked bars of ``value`` (share when normalize)."""
    L = _labels(lang)
    order = df[color].unique(maintain_order=True).to_list()
    enc_val = alt.X if horizontal else alt.Y
    enc_cat = alt.Y if horizontal else alt.X
    val = enc_val(
        "value:Q",
        stack="normalize" if normalize else True,
        title=L["share"] if normalize else L["value"],
        axis=alt.Axis(format=".0%" if normalize else ",.0f"),
    )
    cat = enc_cat(f"{x}:{'O' if x == 'year' else 'N'}", title=x_title or None, axis=alt.Axis(labelLimit=200))
    tips = [
        alt.Tooltip(f"{x}:N", title=x_title or x),
        alt.Tooltip(f"{color}:N", title=color_title or L["measure"]),
        alt.Tooltip("value:Q", title=L["value"], format=",.0f"),
    ]
    if "share" in df.columns:
        tips.append(alt.Tooltip("share:Q", title=L["share"], format=".1%"))
    if "n_null" in df.columns:
        tips.append(alt.Tooltip("n_null:Q", title=L["n_null"], format=",d"))
    ch = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            (cat if not horizontal else val),
            (val if not horizontal else cat),
            color=alt.Color(
                f"{color}:N", title=color_title or None, sort=order, legend=alt.Legend(orient="bottom", columns=3)
            ),
            order=alt.Order("color_order:Q"),
            tooltip=tips,
        )
        .transform_calculate(color_order=f"indexof({order!r}, datum['{color}'])")
    )
    h = 300 if not horizontal else min(26 * max(df[x].n_unique(), 1) + 20, 600)
    return _config(ch.properties(height=h, width=WIDTH, title=title))


def grouped(
    df: pl.DataFrame, x: str, color: str, lang: str = "zh", title: str = "", x_title: str = "", color_title: str = ""
) -> alt.Chart:
    L = _labels(lang)
    ch = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=x_title or None, axis=alt.Axis(labelAngle=0, labelLimit=160)),
            xOffset=alt.XOffset(f"{color}:N"),
            y=alt.Y("value:Q", title=L["value"]),
            color=alt.Color(f"{color}:N", title=color_title or None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip(f"{x}:N", title=x_title or x),
                alt.Tooltip(f"{color}:N", title=color_title or color),
                alt.Tooltip("value:Q", title=L["value"], format=",.0f"),
                alt.Tooltip("n_null:Q", title=L["n_null"], format=",d"),
            ],
        )
    )
    return _config(ch.properties(height=300, width=WIDTH, title=title))


def heatmap(df: pl.DataFrame, lang: str = "zh", title: str = "") -> alt.Chart:
    """Compare heatmap: entity × year, one panel per measure (each with its own colour scale)."""
    L = _labels(lang)
    d = df.with_columns(
        pl.when(pl.col("kind") == "rate").then(pl.col("value")).otherwise(None).alias("rate"),
        (pl.col("value") / pl.col("value").max().over("measure")).alias("scaled"),
        pl.when(pl.col("kind") == "rate")
        .then((pl.col("value") * 100).round(1).cast(pl.Utf8) + "%")
        .otherwise(pl.col("value").round(0).cast(pl.Int64, strict=False).cast(pl.Utf8))
        .alias("txt"),
    )
    base = alt.Chart(d).encode(
        x=alt.X("year:O", title=L["year"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("entity:N", title=None, axis=alt.Axis(labelLimit=220)),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("scaled:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=_rate_tooltip(
            lang,
            [
                alt.Tooltip("entity:N", title=L["agency"] + " / " + L["county"]),
                alt.Tooltip("year:O", title=L["year"]),
                alt.Tooltip("label:N", title=L["measure"]),
            ],
            False,
        ),
    )
    text = base.mark_text(fontSize=11).encode(
        text="txt:N", color=alt.condition("datum.scaled > 0.6", alt.value("white"), alt.value("#222"))
    )
    n = max(d["entity"].n_unique(), 1)
    layer = (rect + text).properties(width=max(60 * max(d["year"].n_unique(), 1), 180), height=26 * n)
    return _config(
        layer.facet(column=alt.Column("label:N", title=None)).properties(title=title).resolve_scale(color="independent")
    )


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


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    register_cjk_fonts()
    return vlc.vegalite_to_png(chart.to_json(), scale=scale)


def to_svg(chart: alt.TopLevelMixin) -> str:
    import vl_convert as vlc

    register_cjk_fonts()
    return vlc.vegalite_to_svg(chart.to_json())
