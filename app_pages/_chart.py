"""Show a chart as built (Streamlit's theme off, so the screen is the chart's own look) and offer it as
PNG / SVG drawn from the same spec (vl-convert with the CJK font registered)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

import streamlit as st

from pipelines import charts
from pipelines.i18n import t

# The export width of a chart shown in a full-width / half / third column of a 1440 px page.
WIDTHS = {"full": 1040, "half": 500, "third": 320}


def show(chart: Any, key: str | None = None, name: str = "chart", span: str = "full", lang: str = "zh") -> None:
    """Draw ``chart``; with ``key``, a PNG and an SVG button beside it that export what is drawn. A chart
    with nothing to draw says so instead of drawing bare axes and an empty legend."""
    d = charts.spec(chart)
    empty = charts.nothing_to_draw(d)  # no rows; bars of length 0, a share of nothing: no picture to draw
    if empty:
        st.caption(t(empty, lang))
        return
    facet = "facet" in d
    # the export's spec, taken before Streamlit moves the data out of the drawn dict; serialised on a click
    export = charts.sized(d, None if facet else WIDTHS.get(span))
    st.vega_lite_chart(
        _on_screen(d) if charts.memoised(chart) else d, theme=None, width="content" if facet else "stretch"
    )
    if key:
        box = st.popover(t("export_chart", lang), icon=":material/download:")

        def drawn(draw: Any) -> Any:  # the file, drawn when its button is clicked
            return lambda: draw(json.dumps(export))

        for fmt, draw, mime in (("png", _png, "image/png"), ("svg", _svg, "image/svg+xml")):
            box.download_button(
                t(f"download_{fmt}", lang),
                drawn(draw),
                file_name=f"{name}.{fmt}",
                mime=mime,
                key=f"{key}_{fmt}",
                on_click="ignore",
            )


# The datasets of a remembered chart (pipelines.charts memoises its builders), as the Arrow bytes Streamlit
# sends: Streamlit converts a dataset given as rows through pandas on every run (~10 % of a cached page run),
# and passes bytes as they are. Made by Streamlit's own converter, once per dataset, from the columns the chart
# names (charts.trimmed: the drawing is the same, the browser reads less).
_ARROW: OrderedDict[int, tuple[dict, dict]] = OrderedDict()
_ARROW_LOCK = threading.Lock()


def _on_screen(d: dict) -> dict:
    ds = d.get("datasets")
    if not isinstance(ds, dict) or not ds:
        return d
    with _ARROW_LOCK:
        hit = _ARROW.get(id(ds))
    if hit is None or hit[0] is not ds:
        from streamlit import dataframe_util

        used = charts.trimmed(d)["datasets"]  # only the columns the chart names
        rows = {
            k: v
            for k, v in used.items()
            if isinstance(v, list) and all(isinstance(r, dict) and "geometry" not in r for r in v)
        }
        hit = (ds, {**used, **{k: dataframe_util.convert_anything_to_arrow_bytes(v) for k, v in rows.items()}})
        with _ARROW_LOCK:
            _ARROW[id(ds)] = hit
            while len(_ARROW) > charts.MEMO_SIZE:
                _ARROW.popitem(last=False)
    return {**d, "datasets": hit[1]}


@st.cache_data(max_entries=64, show_spinner=False)
def _png(spec: str) -> bytes:
    import vl_convert as vlc

    charts.register_cjk_fonts()
    return vlc.vegalite_to_png(spec, scale=2)


@st.cache_data(max_entries=64, show_spinner=False)
def _svg(spec: str) -> bytes:
    import vl_convert as vlc

    charts.register_cjk_fonts()
    return vlc.vegalite_to_svg(spec).encode("utf-8")
