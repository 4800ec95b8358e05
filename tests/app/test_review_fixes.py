"""The screenshot review's defects, fixed (issue 17): each test reads the page (AppTest) or the chart's spec and
checks the real figure or text against the warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import CHOSEN_MEASURES, assert_ok, run_compare_chosen, run_page

from pipelines import charts, i18n, numfmt, read
from tests.tables import shown_tables

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def city_only(tmp_path_factory) -> Path:
    """A warehouse whose one report is a city's own agencies' (淮安市人民政府 2024: 淮安市（市级机关）): no district."""
    from pipelines.warehouse.ingest import ingest
    from tests.conftest import shared_path

    p = tmp_path_factory.mktemp("city") / "city.duckdb"
    ingest([shared_path("real-reports", "huaian-city-government-2024.txt")], db=p, dataset="real", progress=False)
    con = duckdb.connect(str(p), read_only=True)
    assert con.execute("SELECT count(*) FILTER (WHERE county IS NOT NULL), count(*) FROM reports").fetchone() == (0, 1)
    con.close()
    return p


@pytest.fixture(scope="module")
def one_report(tmp_path_factory) -> Path:
    """The shipped real sample report (2020; its table 3 lost its cells: every rate blank)."""
    from pipelines.warehouse.ingest import ingest

    p = tmp_path_factory.mktemp("one") / "one.duckdb"
    ingest(sorted((ROOT / "data" / "samples").glob("*.txt")), db=p, dataset="sample", progress=False)
    return p


def _low_n_cells(at) -> list[str]:
    return [
        str(v)
        for d in shown_tables(at)
        for c in d.value.columns
        if c in ("样本不足", "Low n")
        for v in d.value[c]
        if str(v).strip()
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_kpi_card_keeps_its_label_and_says_low_n_on_the_change_line(db, sql, lang):
    """A rate over too few cases: the card's title is the measure's own label (it read "公开率（口径A）（样本不…",
    cut), 样本不足 is on the change's line (grey, no arrow) and the rule in the help."""
    from streamlit.proto.Metric_pb2 import Metric

    at = run_page(lang=lang, minn="100000")  # every denominator is below: every rate is a small sample
    assert_ok(at)
    label = read.MEASURES["open_rate_A"].label(lang)
    cards = {m.label: m for m in at.metric}
    assert not [x for x in cards if numfmt.low_n_label(lang) in x.lower()], list(cards)
    card = cards[label]
    low = i18n.cell(numfmt.low_n_label(lang), lang)
    assert card.delta.endswith(low), card.delta
    assert card.proto.color == Metric.MetricColor.GRAY and card.proto.direction == Metric.MetricDirection.NONE
    assert numfmt.low_n_rule(100000, lang) in card.proto.help
    latest = sql.execute("SELECT max(year) FROM reports").fetchone()[0]
    n, d = sql.execute(
        "SELECT sum(x.granted + x.partial), sum(x.total_handled) FROM reports r JOIN report_facts x USING (report_id) "
        "WHERE r.year = ? AND x.granted + x.partial IS NOT NULL AND x.total_handled IS NOT NULL",
        [latest],
    ).fetchone()
    assert card.value == numfmt.rate(n / d)
    # a count's card is as before: its change with an arrow, no label
    apps = cards[read.MEASURES["applications"].label(lang)]
    assert low not in (apps.delta or "")


def test_kpi_card_with_no_change_has_no_arrow(db, sql):
    """One agency with a report in each of the last two years: 报告数 and 机关数 are 1 both years, a change of 0;
    their cards say +0 in grey without an arrow (an up arrow in green said they rose). A card that moved keeps
    its arrow."""
    from streamlit.proto.Metric_pb2 import Metric

    latest = sql.execute("SELECT max(year) FROM reports").fetchone()[0]
    ag = sql.execute(
        "SELECT agency_id FROM reports WHERE year IN (?, ?) GROUP BY agency_id HAVING count(DISTINCT year) = 2 "
        "ORDER BY agency_id LIMIT 1",
        [latest, latest - 1],
    ).fetchone()[0]
    at = run_page(ag=[ag])
    assert_ok(at)
    cards = {m.label: m for m in at.metric}
    for m in ("reports", "agencies"):
        card = cards[read.MEASURES[m].label("zh")]
        assert card.value == "1" and card.delta == numfmt.change(0, "count", 1.0, "zh")
        assert card.proto.color == Metric.MetricColor.GRAY and card.proto.direction == Metric.MetricDirection.NONE
    low = i18n.cell(numfmt.low_n_label("zh"), "zh")  # a change over too few cases has no arrow either
    moved = [c for c in cards.values() if c.delta and c.delta[1:] != "0" and low not in c.delta]
    assert moved and all(c.proto.direction != Metric.MetricDirection.NONE for c in moved)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_blank_rate_is_not_labelled_low_n(one_report, monkeypatch, lang):
    """The sample's rates are blank (—: its table 3 lost its cells): no sample, so no 样本不足 / Low n, on the
    cards or in the table; the read API says low_n only for 0 < denominator < min_cases."""
    from pipelines.warehouse.db import connect_read

    con = connect_read(one_report)
    k = read.overview_kpis(con, read.Filters(), "A", 30, lang)
    rates = k.filter(pl.col("kind") == "rate")
    assert rates.height and rates["value"].is_null().all()
    assert not rates["low_n"].any()
    monkeypatch.setenv("XXGK_DB", str(one_report))
    at = run_page(lang=lang)
    assert_ok(at)
    low = i18n.cell(numfmt.low_n_label(lang), lang)
    assert all(low not in (m.delta or "") and low not in m.label for m in at.metric)
    assert _low_n_cells(at) == []
    # 办理结果's ranking of 公开率 has no rate to rank: it says so (its heading stood alone once no 样本不足 was said)
    at = run_page("outcomes", lang=lang)
    assert_ok(at)
    assert at.main.caption[-1].value == i18n.t("no_chart_data", lang)


def _trend_frame(labels: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "year": y,
                "measure": "applications",
                "label": lab,
                "kind": "count",
                "value": 5.0 + i,
                "numerator": 5.0,
                "denominator": None,
                "basis": "b",
                "n_null": 0,
                "low_n": False,
            }  # fmt: skip
            for i, lab in enumerate(labels)
            for y in (2020, 2021)
        ]
    )


def test_trends_side_by_side_make_room_for_the_tallest_legend():
    """总览's three trends: a 1-row legend beside 2-row ones put the export buttons at different heights; a chart
    with fewer rows pads its bottom by the rows it lacks, from the screen's own bottom padding (Streamlit gives a
    chart that sets none {bottom: 20}). The browser test tests/e2e/test_chart_layout.py measures the buttons."""
    frames = [
        _trend_frame(["New applications"]),
        _trend_frame(["Administrative reviews", "Lawsuits"]),
        _trend_frame(["Correction rate", "Disclosure rate (basis A)"]),
    ]
    own = [charts.trend_legend_px(x) for x in frames]
    assert own == [charts.TREND_ROW_PX, 2 * charts.TREND_ROW_PX, 2 * charts.TREND_ROW_PX]
    pads = [charts.spec(charts.trend(x, "en", legend_px=max(own))).get("padding") for x in frames]
    assert pads == [{"bottom": charts.SCREEN_BOTTOM_PAD + charts.TREND_ROW_PX}, None, None]
    assert "padding" not in charts.spec(charts.trend(frames[0], "en"))  # alone: as before


def test_grouped_bars_beside_a_trend_make_room_for_its_legend():
    """复议诉讼's outcome mix beside the trend: as tall a plot, a titled x axis, and the legend rows it lacks as
    bottom padding (its one row beside the trend's one: a stack row is 4 px lower than a trend row); alone, as
    before. The browser test tests/e2e/test_chart_layout.py measures the buttons."""
    g = pl.DataFrame(
        {
            "proceeding_label": ["行政复议", "行政复议", "行政诉讼"],
            "outcome_label": ["维持", "纠正", "维持"],
            "value": [3, 1, None],
        }
    )
    assert charts.grouped_legend_px(g) == charts.STACK_ROW_PX
    assert charts.grouped_legend_px(g.with_columns(pl.lit(None, pl.Int64).alias("value"))) == 0
    trend = _trend_frame(["行政复议", "直接起诉", "复议后起诉"])
    room = max(charts.trend_legend_px(trend, charts.SCREEN_PX["half"]), charts.grouped_legend_px(g))
    assert room == charts.TREND_ROW_PX  # three labels in one row at half width
    d = charts.spec(charts.grouped(g, "proceeding_label", "outcome_label", x_title="类别", legend_px=room))
    assert d["padding"] == {"bottom": charts.SCREEN_BOTTOM_PAD + charts.TREND_ROW_PX - charts.STACK_ROW_PX}
    assert d["height"] == charts.STACK_HEIGHT and d["encoding"]["x"]["title"] == "类别"
    t = charts.spec(
        charts.trend(
            trend, title="逐年趋势", width=charts.SCREEN_PX["half"], legend_px=room, height=charts.STACK_HEIGHT
        )
    )
    assert "padding" not in t and t["height"] == charts.STACK_HEIGHT
    assert "padding" not in charts.spec(charts.grouped(g, "proceeding_label", "outcome_label"))


@pytest.mark.parametrize("horizontal", [False, True])
def test_a_100_percent_stack_ticks_at_fixed_steps(horizontal):
    """A share axis ticks every 10 % (20 % on a narrow horizontal chart), in every language: Vega's own choice
    was every 5 % on a wide axis, and the English labels ran together ("95%100%")."""
    df = pl.DataFrame({"county": ["a", "a", "b"], "label": ["x", "y", "x"], "value": [1.0, 3.0, 2.0]})
    for lang in ("zh", "en"):
        for width, step in ((charts.SCREEN_PX["full"], 10), (charts.SCREEN_PX["half"], 20 if horizontal else 10)):
            d = charts.spec(charts.stacked(df, "county", "label", lang, horizontal=horizontal, width=width))
            axis = d["encoding"]["x" if horizontal else "y"]["axis"]
            assert axis["values"] == [i / 100 for i in range(0, 101, step)]
            assert axis["format"] == numfmt.D3_AXIS_RATE


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_of_city_agencies_only_says_they_have_no_district(city_only, monkeypatch, lang):
    """All reports in view are the city's own agencies': the map says that they have no district to colour, with
    their number, not "no data"; the 选择对象 box of 对比 says there is nothing to pick, and is off."""
    monkeypatch.setenv("XXGK_DB", str(city_only))
    at = run_page("map", lang=lang)
    assert_ok(at)
    names = "淮安市" + (" " if lang == "en" else "") + i18n.t("city_level", lang)
    want = i18n.t("map_only_left_off", lang, n="1", names=names, area=i18n.t("area_county", lang))
    assert [i.value for i in at.info] == [want]
    at = run_page("compare", lang=lang, lvl="county")
    assert_ok(at)
    box = at.multiselect(key="ent")
    assert box.placeholder == i18n.t("nothing_to_pick", lang) and box.disabled
    assert box.help == i18n.t("compare_not_offered", lang, n="1", names=names)  # what is not offered, and why


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_by_district_says_which_agencies_it_does_not_offer(db, sql, lang):
    """对比 by district offers districts only: a city's own agencies (洛阳市（市级机关）) are not offered, and the
    选择对象 box's help says so, naming them with their count; by agency, no such help."""
    rows = sql.execute(
        "SELECT DISTINCT province, city FROM reports WHERE county IS NULL ORDER BY province NULLS LAST, city NULLS LAST"
    ).fetchall()
    assert rows and all(city for _, city in rows)  # the demo's city-level agencies: each names its city
    sep = " " if lang == "en" else ""
    own = [f"{city}{sep}{i18n.t('city_level', lang)}" for _, city in rows]
    names = (", " if lang == "en" else "、").join(own[:3]) + (("…" if lang == "en" else "等") if len(own) > 3 else "")
    at = run_page("compare", lang=lang, lvl="county")
    assert_ok(at)
    box = at.multiselect(key="ent")
    assert box.help == i18n.t("compare_not_offered", lang, n=numfmt.count(len(own)), names=names)
    assert not any(o in box.options for o in own)  # and indeed not offered
    at = run_page("compare", lang=lang, lvl="agency")
    assert_ok(at)
    assert not at.multiselect(key="ent").help


def test_map_names_the_reports_it_leaves_off(db, sql):
    """A city's own agencies have no district: under the map, their number and whose they are; the table's
    说明 column only when a row has a note (样本不足)."""
    prov, city, n = sql.execute(
        "SELECT province, city, count(*) FILTER (WHERE county IS NULL) AS n FROM reports GROUP BY ALL "
        "HAVING n > 0 AND count(*) FILTER (WHERE county IS NOT NULL) > 0 ORDER BY n DESC LIMIT 1"
    ).fetchone()
    at = run_page("map", prov=prov, city=city)
    assert_ok(at)
    want = i18n.t("map_left_off", "zh", n=numfmt.count(n), names=f"{city}（市级机关）", area="区县")
    assert want in [c.value for c in at.caption]
    table = next(d.value for d in shown_tables(at) if "区县" in d.value.columns)
    assert "说明" not in table.columns  # applications: no rate, no note
    at = run_page("map", prov=prov, city=city, minn="100000")
    at.selectbox(key="map_m").set_value("open_rate_A").run()
    assert_ok(at)
    table = next(d.value for d in shown_tables(at) if "区县" in d.value.columns)
    assert set(table["说明"]) == {"样本不足"}


def test_map_legend_of_one_value_runs_from_zero_to_it():
    """One district with data: the colour scale runs from 0 to its value and the legend labels both ends (it was
    a gradient with a single tick); a name on a dark blue is drawn white."""
    from pipelines import geo

    feats = geo.features("county", "320800")  # 淮安市
    name = feats[0]["name"]
    values = pl.DataFrame(
        {
            "code": [feats[0]["code"]],
            "name": [name],
            "measure": ["applications"],
            "label": ["本年新收申请数"],
            "kind": ["count"],
            "value": [116.0],
            "numerator": [116.0],
            "denominator": [None],
            "basis": ["b"],
            "n_reports": [2],
            "n_null": [0],
            "low_n": [False],
        }  # fmt: skip
    )
    d = charts.choropleth_spec(feats, values, "zh")
    enc = d["layer"][0]["encoding"]["color"]
    assert enc["scale"]["domain"] == [0, 116.0] and enc["legend"]["values"] == [0, 116.0]
    # its area is the scale's darkest blue: its name is drawn white, the grey areas' names dark
    light = {r["name"] for r in d["data"]["values"] if r["name_light"]}
    assert light == {name}
    assert d["layer"][1]["encoding"]["color"] == {"condition": {"test": "datum.name_light", "value": "white"},
                                                  "value": charts.TEXT}  # fmt: skip
    # the one value 0: one swatch labelled 0, not a gradient whose dark end is unlabelled
    zero = charts.choropleth_spec(
        feats, values.with_columns(pl.lit(0.0).alias("value"), pl.lit(0.0).alias("numerator")), "zh"
    )
    enc = zero["layer"][0]["encoding"]["color"]
    assert enc["scale"]["domain"] == [0, 1] and enc["legend"]["values"] == [0] and enc["legend"]["type"] == "symbol"
    two = pl.concat([values, values.with_columns(pl.lit(feats[1]["code"]).alias("code"), pl.lit(50.0).alias("value"))])
    enc = charts.choropleth_spec(feats, two, "zh")["layer"][0]["encoding"]["color"]
    assert "domain" not in enc["scale"] and "values" not in enc["legend"]


def test_compare_detail_rows_follow_the_chosen_measures(db, sql):
    """对比's 分子/分母 table lists each entity-year's measures in the order chosen (as the table above and the
    heatmap), not by the measures' keys."""
    chosen = CHOSEN_MEASURES
    at = run_compare_chosen(sql)
    d = next(d.value for d in shown_tables(at) if "指标" in d.value.columns and "分子" in d.value.columns)
    labels = [read.MEASURES[m].label("zh") for m in chosen]
    for _, grp in d.groupby(["区县", "年度"], sort=False):
        assert list(grp["指标"]) == [x for x in labels if x in set(grp["指标"])]
    assert list(d["指标"][:4]) == labels


def test_quality_matrix_names_a_citys_own_agencies_by_the_city(city_only, monkeypatch):
    """数据质量's matrix: the 区县 of a city's own agency reads 淮安市（市级机关） (as every other table), not a
    bare （市级机关）."""
    monkeypatch.setenv("XXGK_DB", str(city_only))
    for lang, want in (("zh", "淮安市（市级机关）"), ("en", "淮安市 (city level)")):
        at = run_page("quality", lang=lang)
        assert_ok(at)
        col = i18n.t("county", lang)
        m = next(d.value for d in shown_tables(at) if col in d.value.columns)
        assert set(m[col]) == {want}


def test_prose_checks_gloss_their_chinese_phrase_in_english():
    """C331 / C332 search the report's text for Chinese phrases: the English formula keeps the phrase (what is
    searched) and says in English what it means."""
    from pipelines.checks import text as check_text

    c331, c332 = check_text.formula("C331", "en"), check_text.formula("C332", "en")
    assert "“收到/受理/新收…申请 N 件” (“received / accepted / newly received … N applications”)" in c331
    assert "“行政复议…N 起/件” (“administrative review … N cases”)" in c332
    assert "received" not in check_text.formula("C331", "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_of_one_year_draws_no_empty_chart_and_prints_the_year_once(one_report, lang):
    """One report, one year, every value blank or 0: where the dashboard says "nothing to chart" the briefing
    says the same sentence instead of drawing bare axes; the year reads 2020, not 2020–2020."""
    from pipelines import briefing
    from pipelines.warehouse.db import connect_read

    con = connect_read(one_report)
    html = briefing.build(con, read.Filters(), "A", 30, lang)
    assert "2020–2020" not in html
    assert ("年度：2020 ·" if lang == "zh" else "Years: 2020 ·") in html
    assert "<svg" not in html
    said = [i18n.t(k, lang) for k in ("no_chart_data", "no_chart_values")]
    assert sum(html.count(s) for s in said) == 3  # the applications trend, the rates trend, the outcomes stack


@pytest.mark.parametrize(("by", "key"), [("county", "ranking_districts"), ("agency", "ranking_agencies")])
def test_correction_ranking_has_a_title_of_its_own(db, by, key):
    """复议诉讼's ranking chart at the bottom says what it ranks (it had only its axis title)."""
    at = run_page("disputes", by=by)
    assert_ok(at)
    titles = [json.loads(c.proto.spec).get("title") for c in at.get("vega_lite_chart")]
    assert read.MEASURES["correction_rate"].label("zh") + " · " + i18n.t(key, "zh") in titles, titles


def test_a_trend_ends_on_a_tick():
    """A trend's value scale is niced to its axis's 5 ticks, so its top is labelled: the rates' trend (63 % at
    most) ended at 65 % between ticks with no label to overhang, and sat 5 px higher than the trends beside it."""
    d = charts.spec(charts.trend(_trend_frame(["a"]), "zh"))
    y = (
        next(layer["encoding"]["y"] for layer in d["layer"] if "y" in layer.get("encoding", {}))
        if "layer" in d
        else None
    )
    y = y or d["encoding"]["y"]
    assert y["scale"] == {"nice": 5} and y["axis"]["tickCount"] == 5
