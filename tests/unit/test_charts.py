"""Chart builders with 1, 3 and 40 rows: every category label is drawn (rendered to SVG by vl-convert, the
export path), the height follows the rows, no ``null`` text, low-n marked, numbers as numfmt prints them."""

from __future__ import annotations

import json
import re
from html import unescape

import polars as pl
import pytest

from pipelines import charts, numfmt

LONG = "洛阳市第{}人民政府办公室政务公开科信息中心"  # longer than a label may be: cut with "…"


def _names(n: int) -> list[str]:
    return [LONG.format(i) if i % 5 == 0 else f"区县{i:02d}" for i in range(n)]


def _rate_frame(n: int, cat: str = "county") -> pl.DataFrame:
    return pl.DataFrame(
        {
            cat: _names(n),
            "measure": ["open_rate_A"] * n,
            "label": ["公开率（口径A）"] * n,
            "kind": ["rate"] * n,
            "value": [0.1 + i / 100 for i in range(n)],
            "numerator": [float(i + 1) for i in range(n)],
            "denominator": [float(10 + i) for i in range(n)],
            "basis": ["口径A"] * n,
            "n_reports": [3] * n,
            "n_null": [0] * n,
            "low_n": [i == 0 for i in range(n)],
        }
    )


def _svg_texts(chart) -> list[str]:
    # the pages draw charts.spec() unvalidated (validation is most of a chart's cost on a page run): every
    # builder's spec is held against the Vega-Lite schema here, for 1, 3 and 40 rows
    chart.to_dict(validate=True)
    svg = charts.to_svg(chart)
    assert "null" not in svg.lower().replace("nullable", "")
    return [unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _shown(name: str, texts: list[str]) -> bool:
    """The label is drawn whole, or cut with … after a prefix of the name."""
    return any(t == name or (t.endswith("…") and len(t) > 3 and name.startswith(t[:-1])) for t in texts)


@pytest.mark.parametrize("n", [1, 3, 40])
def test_ranking_every_label(n):
    df = _rate_frame(n)
    ch = charts.ranking(df, "county", percent=True, min_cases=30)
    texts = _svg_texts(ch)
    missing = [c for c in df["county"] if not _shown(c, texts)]
    assert missing == []
    spec = ch.to_dict()
    assert spec["height"] >= (80 if n <= 3 else charts.ROW_STEP * n)
    # values as numfmt prints them; the low-n bar says so
    assert numfmt.rate(df["value"][n - 1]) in " ".join(texts)
    assert any("样本不足" in t for t in texts)


@pytest.mark.parametrize("n", [1, 3, 40])
def test_stacked_horizontal_every_label(n):
    names = _names(n)
    df = pl.DataFrame(
        {
            "county": [c for c in names for _ in range(3)],
            "group_label": ["不予公开", "无法提供", "不予处理"] * n,
            "value": [float(i % 7 + 1) for i in range(3 * n)],
        }
    )
    ch = charts.stacked(df, "county", "group_label", horizontal=True)
    texts = _svg_texts(ch)
    assert [c for c in names if not _shown(c, texts)] == []
    assert {"不予公开", "无法提供", "不予处理"} <= set(texts)
    assert ch.to_dict()["height"] >= (80 if n <= 3 else charts.ROW_STEP * n)


@pytest.mark.parametrize("n", [1, 3, 40])
def test_heatmap_every_label_and_fits(n):
    rows = []
    for e in _names(n):
        for y in (2023, 2024, 2025):
            for m, kind, lab in (("applications", "count", "本年新收申请数"), ("correction_rate", "rate", "纠错率")):
                val = None if (y == 2024 and e.startswith("区县")) else (1234.0 if kind == "count" else 0.25)
                rows.append(
                    {"entity": e, "year": y, "measure": m, "label": lab, "kind": kind, "value": val,
                     "numerator": 1.0, "denominator": 4.0, "basis": "b", "low_n": kind == "rate"}
                )  # fmt: skip
    ch = charts.heatmap(pl.DataFrame(rows), min_cases=30)
    svg = charts.to_svg(ch)
    texts = [unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert [e for e in _names(n) if not _shown(e, texts)] == []
    assert "null" not in svg
    assert "1,234" in texts  # counts with separators
    assert "25.0%*" in texts  # a low-n rate is marked
    if n > 1:
        assert numfmt.DASH in texts  # a missing value is —, not empty text or null
    width = float(re.search(r'<svg[^>]*width="([\d.]+)"', svg).group(1))
    assert width <= charts.HEATMAP_WIDTH + 40


@pytest.mark.parametrize("n", [1, 3, 40])
def test_heatmap_colours_every_value_even_for_one_entity(n):
    """A colour scale with one value (one entity, one year) or a panel of zeros (0/0) drew no colour: the
    scale's domain is fixed and its light end is a colour; every shown value has a colour, a blank none."""
    rows = [
        {"entity": e, "year": 2025, "measure": m, "label": m, "kind": "count", "value": v, "numerator": v,
         "denominator": None, "basis": "b", "low_n": False}
        for e in _names(n)
        for m, v in (("applications", 7.0), ("reviews", 0.0), ("lawsuits", None))
    ]  # fmt: skip
    spec = charts.heatmap(pl.DataFrame(rows)).to_dict()
    rect = next(layer for layer in spec["spec"]["layer"] if layer["mark"] in ("rect", {"type": "rect"}))
    scale = rect["encoding"]["color"]["scale"]
    assert scale["domain"] == [0, 1]
    assert list(scale["range"]) == list(charts.HEAT_RANGE) and charts.HEAT_RANGE[0] != "#ffffff"
    data = next(iter(spec["datasets"].values()))
    scaled = {(d["entity"], d["measure"]): d["scaled"] for d in data}
    for e in _names(n):
        assert scaled[(e, "applications")] == 1.0  # the one value is the top of its scale
        assert scaled[(e, "reviews")] == 0.0  # zeros: the light end, not 0/0
        assert scaled[(e, "lawsuits")] is None  # a blank stays uncoloured


@pytest.mark.parametrize("n", [1, 3, 40])
def test_trend_and_grouped_labels(n):
    years = list(range(2025 - n + 1, 2026)) if n < 40 else list(range(1986, 2026))
    df = pl.DataFrame(
        {
            "year": years,
            "measure": ["applications"] * len(years),
            "label": ["本年新收申请数"] * len(years),
            "kind": ["count"] * len(years),
            "value": [1000.0 + i for i in range(len(years))],
            "numerator": [1000.0 + i for i in range(len(years))],
            "denominator": [None] * len(years),
            "basis": ["b"] * len(years),
            "n_reports": [1] * len(years),
            "n_null": [0] * len(years),
            "low_n": [False] * len(years),
        }
    )
    texts = _svg_texts(charts.trend(df))
    assert [y for y in years if str(y) not in texts] == []
    groups = [f"类别{i}" for i in range(min(n, 3))]
    g = pl.DataFrame(
        {
            "proceeding_label": [p for p in groups for _ in range(2)],
            "outcome_label": ["结果维持", "结果纠正"] * len(groups),
            "value": [1.0, 2.0] * len(groups),
        }
    )
    gt = _svg_texts(charts.grouped(g, "proceeding_label", "outcome_label"))
    assert set(groups) <= set(gt)


def test_png_export_draws_chinese_with_the_cjk_font():
    ch = charts.ranking(_rate_frame(3), "county", percent=True)
    svg = charts.to_svg(ch)
    assert charts.CJK_FONT in svg
    # the export is the screen's spec at the screen's width (the page's column), nothing else changed
    spec = charts.for_export(ch, 500)
    assert spec["width"] == 500 and {k: v for k, v in spec.items() if k != "width"} == {
        k: v for k, v in ch.to_dict().items() if k != "width"
    }
    # the screen draws the same dict (charts.spec), without Altair's 300 × 300 default view
    assert charts.spec(ch) == ch.to_dict() and "continuousWidth" not in str(charts.spec(ch).get("config"))
    from io import BytesIO

    from PIL import Image

    img = Image.open(BytesIO(charts.to_png(ch, scale=1, width=500)))
    assert img.width == 500  # fit-x, as on the screen: the whole chart (labels included) takes the column


def _map_svg_marks(svg: str) -> tuple[dict[str, tuple[float, float, float, float]], dict[str, tuple[float, float]]]:
    """Each drawn area's bounding box and each drawn name's anchor, from the SVG the export draws."""
    shapes = {}
    for name, d in re.findall(
        r'aria-label="[^"]*?区县: ([^;]+);[^"]*" role="graphics-symbol" aria-roledescription="geoshape"'
        r'[^>]*? d="([^"]+)"',
        svg,
    ):
        nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", d)]
        shapes[name] = (min(nums[0::2]), min(nums[1::2]), max(nums[0::2]), max(nums[1::2]))
    names = {}
    for text, xy in re.findall(
        r'role="graphics-symbol" aria-roledescription="text mark"[^>]*?transform="translate\(([^)]+)\)"[^>]*>([^<]*)<',
        svg,
    ):
        x, y = map(float, text.split(","))
        names[unescape(xy)] = (x, y)
    return shapes, names


def test_map_draws_every_district_and_each_name_on_its_shape():
    """Luoyang's 14 districts with one value (the default view of the sample: one district reported): every
    district is drawn (those without a value in grey, not dropped by Vega-Lite's null filter), and every name
    drawn lies on its own shape; the small urban districts whose names would cover their neighbours are named
    on hover only."""
    from pipelines import geo

    feats = geo.features("county", "410300")
    assert len(feats) == 14
    values = pl.DataFrame(
        {
            "code": ["410303"],
            "name": ["西工区"],
            "measure": ["applications"],
            "label": ["本年新收申请数"],
            "kind": ["count"],
            "value": [5.0],
            "numerator": [5.0],
            "denominator": [None],
            "basis": [""],
            "n_reports": [1],
            "n_null": [0],
            "low_n": [False],
        }
    )
    shapes, names = _map_svg_marks(charts.to_svg(charts.choropleth(feats, values, "zh")))
    assert set(shapes) == {f["name"] for f in feats}
    assert len(names) >= 8 and set(names) <= set(shapes)  # the counties are named; 瀍河回族区 is not (too small)
    assert "瀍河回族区" not in names
    for n, (x, y) in names.items():
        x0, y0, x1, y1 = shapes[n]
        assert x0 <= x <= x1 and y0 <= y <= y1, (n, (x, y), shapes[n])


def test_choropleth_spec_is_the_charts_spec():
    """The map page draws choropleth_spec (the areas put into the dict, not walked by Altair): the same spec as
    the chart the export and the briefing draw, for rates with low-n and missing areas and a highlight."""
    import json

    from pipelines import geo

    feats = geo.features("county", "410300")
    k = len(feats)
    vals = pl.DataFrame(
        {
            "code": [f["code"] for f in feats],
            "name": [f["name"] for f in feats],
            "value": [i / 10 if i % 3 else None for i in range(k)],
            "label": ["公开率（口径A）"] * k,
            "kind": ["rate"] * k,
            "numerator": [float(i) for i in range(k)],
            "denominator": [40.0] * k,
            "basis": ["口径A"] * k,
            "n_reports": [3] * k,
            "low_n": [i % 4 == 0 for i in range(k)],
        }
    )
    args = (feats, vals, "zh", 30, "洛阳市", 680, 520, [feats[0]["name"]])
    chart = charts.choropleth(*args)
    chart.to_dict(validate=True)

    def norm(d: dict) -> str:  # Altair names the selection's view afresh at each build
        return re.sub(r"view_[0-9a-f]+_\d+", "view", json.dumps(d, sort_keys=True, ensure_ascii=False))

    assert k > 3 and norm(charts.choropleth_spec(*args)) == norm(charts.spec(chart))


def _tooltip_fields(spec: dict) -> set[str]:
    out = set()
    for layer in spec.get("layer") or spec.get("spec", {}).get("layer") or [spec]:
        tips = (layer.get("encoding") or {}).get("tooltip") or []
        out |= {t["field"] for t in (tips if isinstance(tips, list) else [tips])}
    return out


def test_tooltips_never_say_null():
    """A map area or a heatmap cell without a value shows — on hover: every tooltip field of every row is text
    or a number, never null (Vega prints a null as "null")."""
    import json

    from pipelines import geo

    feats = geo.features("county", "410300")
    k = len(feats)
    vals = pl.DataFrame(
        {
            "code": [f["code"] for f in feats][: k // 2],
            "name": [f["name"] for f in feats][: k // 2],
            "value": [0.5] * (k // 2),
            "measure": ["open_rate_A"] * (k // 2),
            "label": ["公开率（口径A）"] * (k // 2),
            "kind": ["rate"] * (k // 2),
            "numerator": [5.0] * (k // 2),
            "denominator": [10.0] * (k // 2),
            "basis": ["口径A"] * (k // 2),
            "n_reports": [3] * (k // 2),
            "low_n": [True] * (k // 2),
        }
    )
    spec = charts.choropleth_spec(feats, vals, "zh", 30)
    fields = _tooltip_fields(spec)
    assert {"value_txt", "numerator_txt", "denominator_txt"} <= fields
    rows = spec["data"]["values"]
    assert any(r["value"] is None for r in rows)
    for r in rows:
        assert all(r[f] is not None for f in fields if f in r), r["name"]
    blank = next(r for r in rows if r["value"] is None)
    assert blank["value_txt"] == numfmt.DASH and blank["numerator_txt"] == numfmt.DASH
    # the heatmap: a missing cell's numerator and denominator are — (computed in the spec), its basis empty
    hm = charts.heatmap(_heat_rows(3), min_cases=30)
    assert {"num_txt", "den_txt"} <= _tooltip_fields(hm.to_dict())
    assert "null" not in json.dumps([r.get("basis") for r in hm.to_dict()["datasets"].popitem()[1]])


def _heat_rows(n: int) -> pl.DataFrame:
    rows = []
    for e in _names(n):
        for y in (2023, 2024):
            v = None if y == 2024 else 0.25
            rows.append(
                {"entity": e, "year": y, "measure": "correction_rate", "label": "纠错率", "kind": "rate", "value": v,
                 "numerator": None if v is None else 1.0, "denominator": None if v is None else 4.0,
                 "basis": None if v is None else "b", "low_n": False}
            )  # fmt: skip
    return pl.DataFrame(rows)


def _edge_ink(chart, width: int) -> int:
    """Dark pixels in the last 4 px columns of the chart drawn at ``width`` (as the screen draws it: a legend
    wider than its column runs into the edge and is cut there)."""
    import io

    import vl_convert as vlc
    from PIL import Image

    charts.register_cjk_fonts()
    im = Image.open(io.BytesIO(vlc.vegalite_to_png(charts.for_export(chart, width), scale=1))).convert("L")
    w, h = im.size
    return sum(1 for x in range(w - 4, w) for y in range(h) if im.getpixel((x, y)) < 200)


APPLICANTS_EN = [
    "New · natural persons",
    "New · businesses",
    "New · research bodies",
    "New · social organisations",
    "New · legal services",
    "New · other bodies",
]


@pytest.mark.parametrize("span", ["half", "third", "full"])
def test_stacked_legend_fits_its_column_in_english(span):
    """The applicant-type legend of the English 申请量 page (a half-width chart) was cut at the column's edge:
    three columns of long labels. Its columns now follow its longest label and the width it is drawn at, and
    every label is drawn whole inside that width."""
    width = charts.SCREEN_PX[span]
    df = pl.DataFrame(
        {
            "year": [y for y in (2023, 2024) for _ in APPLICANTS_EN],
            "label": APPLICANTS_EN * 2,
            "value": [float(i + 1) for i in range(12)],
        }
    )
    ch = charts.stacked(df, "year", "label", "en", x_title="Year", color_title="Applicant mix", width=width)
    leg = ch.to_dict()["encoding"]["color"]["legend"]
    longest = max(charts._text_px(x) for x in APPLICANTS_EN)
    assert leg["columns"] * (longest + charts.LEGEND_ITEM_PX) <= width
    assert leg["labelLimit"] >= longest
    svg = charts.to_svg(ch, width)
    texts = [unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert set(APPLICANTS_EN) <= set(texts)  # whole, none cut with …
    assert _edge_ink(ch, width) == 0  # nothing runs into the column's right edge (a cut legend did)


def test_trend_legend_fits_a_third():
    labels = ["Administrative reviews", "Administrative lawsuits"]
    df = pl.DataFrame({"year": [2024, 2024, 2025, 2025], "label": labels * 2, "value": [1.0, 2.0, 3.0, 4.0]})
    width = charts.SCREEN_PX["third"]
    ch = charts.trend(df, "en", width=width)
    svg = charts.to_svg(ch, width)
    texts = [unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert set(labels) <= set(texts)
    assert _edge_ink(ch, width) == 0  # nothing runs into the column's right edge (a cut legend did)


def test_heatmap_anomalous_cell_text_in_each_language():
    """A cell whose reports all give an impossible rate says so: 数据异常 in Chinese, "Anomalous" in English (a
    cell's text of its own, capitalised as the tables' cells are), never the lower-case word."""
    rows = _heat_rows(2).with_columns(pl.Series("n_anomalous", [0, 1, 0, 0]))
    zh = json.dumps(charts.heatmap(rows, "zh").to_dict(), ensure_ascii=False)
    en = json.dumps(charts.heatmap(rows, "en").to_dict(), ensure_ascii=False)
    assert "'数据异常'" in zh
    assert "'Anomalous'" in en and "'anomalous'" not in en
