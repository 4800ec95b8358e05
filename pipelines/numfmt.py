"""One number format for every page, chart, briefing and export header (no streamlit here).

- counts: thousands separators, no decimals (``3,433``);
- rates: percent with one decimal (``50.7%``); a "per 100" measure (scale 100) with one decimal (``1.2``);
- a change: signed (``+607``; a rate's change in percentage points, ``+0.5 个百分点``);
- a value that is not there: ``—``, with its meaning (未填报 / 空白 / 横线 …) for the hover text;
- 样本不足: a label, with the rule behind it (the denominator below the minimum number of cases).

Altair/d3 format strings and Streamlit column formats are here too, so a chart's axis, its tooltip and
the table beside it print a number the same way.
"""

from __future__ import annotations

import math
from typing import Any

DASH = "—"
# d3 formats (Altair axes, tooltips and text marks)
D3_COUNT = ",.0f"
D3_RATE = ".1%"
D3_AXIS_RATE = ".0%"
D3_SCALED = ",.1f"

# What a value that is not a number means, by its cell state (cells.state; see the README's data dictionary).
_STATE = {
    "missing": ("未填报：报告中没有这一格", "not reported: the report has no such cell"),
    "blank": ("空白：报告中该格留空", "blank: the report leaves the cell empty"),
    "dash": ("横线：报告中该格为“—”或“/”等", "dash: the report prints “—”, “/” or similar"),
    None: ("无数据：所选范围内没有可用的值", "no data: no usable value in the selection"),
}
_LOW_N = ("样本不足", "low n")
_LOW_N_RULE = (
    "样本不足：分母少于 {m:,} 件，比率不稳定，不参与排名",
    "low n: fewer than {m:,} cases in the denominator; the rate is unstable and left out of rankings",
)
_PP = ("个百分点", "pp")


def _zh(lang: str) -> bool:
    return lang != "en"


def missing(v: Any) -> bool:
    """None, NaN (and pandas' NA-likes that are not equal to themselves) mean "no value"."""
    if v is None:
        return True
    if isinstance(v, (int, float)):
        return math.isnan(v) or math.isinf(v)
    try:
        return bool(v.__ne__(v) is True)  # pandas NA-likes are not equal to themselves
    except (TypeError, ValueError):  # pragma: no cover - exotic NA types
        return False


def count(v: Any) -> str:
    """``3,433``; ``—`` when there is no value."""
    return DASH if missing(v) else f"{float(v):,.0f}"


def exact(v: Any, signed: bool = False) -> str:
    """A cell as the report printed it: whole numbers with separators (``1,234``), decimals as written up to six
    places (``9.63211``), ``+2`` / ``-1`` when ``signed`` (a change); ``—`` when there is no value."""
    if missing(v):
        return DASH
    v = float(v)
    if v.is_integer():
        return f"{v:+,.0f}" if signed and v else f"{v:,.0f}"
    text = f"{v:,.6f}".rstrip("0").rstrip(".")
    return f"+{text}" if signed and v > 0 else text


def rate(v: Any) -> str:
    """A share as percent with one decimal: 0.5072 → ``50.7%``; ``—`` when there is no value."""
    return DASH if missing(v) else f"{float(v) * 100:,.1f}%"


def scaled(v: Any) -> str:
    """A "per 100" figure with one decimal: ``1.2``."""
    return DASH if missing(v) else f"{float(v):,.1f}"


def value(v: Any, kind: str = "count", scale: float = 1.0) -> str:
    """A measure's value as the pages print it (kind: count | rate; scale: 100 for "per 100")."""
    if kind == "rate":
        return rate(v) if scale == 1.0 else scaled(v)
    return count(v)


def change(v: Any, kind: str = "count", scale: float = 1.0, lang: str = "zh") -> str:
    """A signed change: ``+607``; a rate's in percentage points, ``+0.5 个百分点`` / ``+0.5 pp``."""
    if missing(v):
        return DASH
    v = float(v)
    if kind == "rate" and scale == 1.0:
        return f"{v * 100:+,.1f} {_PP[0 if _zh(lang) else 1]}"
    if kind == "rate":
        return f"{v:+,.1f}"
    return f"{v:+,.0f}"


def change_pct(v: Any) -> str:
    """A relative change: 0.2319 → ``+23.2%``."""
    return DASH if missing(v) else f"{float(v) * 100:+,.1f}%"


def d3(kind: str = "count", scale: float = 1.0, axis: bool = False) -> str:
    """The d3 format of a measure (tooltips, text marks; ``axis`` rounds rate ticks to whole percent)."""
    if kind == "rate":
        return (D3_AXIS_RATE if axis else D3_RATE) if scale == 1.0 else D3_SCALED
    return D3_COUNT


def blank_meaning(state: str | None = None, lang: str = "zh") -> str:
    """What ``—`` stands for, for the hover text: 未填报 (missing), 空白 (blank), 横线 (dash), 无数据."""
    zh, en = _STATE.get(state, _STATE[None])
    return zh if _zh(lang) else en


def low_n_label(lang: str = "zh") -> str:
    return _LOW_N[0 if _zh(lang) else 1]


def low_n_rule(min_cases: int, lang: str = "zh") -> str:
    """The rule behind 样本不足, for a caption or a hover."""
    return _LOW_N_RULE[0 if _zh(lang) else 1].format(m=int(min_cases))


def with_low_n(text: str, low_n: bool, lang: str = "zh") -> str:
    """``12.5%（样本不足）`` when the rate rests on too few cases."""
    if not low_n:
        return text
    return f"{text}（{_LOW_N[0]}）" if _zh(lang) else f"{text} ({_LOW_N[1]})"


def header(label: str, kind: str = "count", scale: float = 1.0, lang: str = "zh") -> str:
    """An export column header that says its unit: ``公开率（%）``, ``本年新收申请数（件）``."""
    if kind == "rate" and scale == 1.0:
        unit = "%"
    elif kind == "rate":
        unit = "每百件" if _zh(lang) else "per 100"
    else:
        unit = "件" if _zh(lang) else "cases"
    return f"{label}（{unit}）" if _zh(lang) else f"{label} ({unit})"
