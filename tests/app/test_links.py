"""Drill-down links made by column (link_col): byte for byte the links view_link / report_link make one value
at a time, for report ids, district names (CJK, characters that need quoting) and agency ids; a city's own
agencies (no county) named by their city and linked to it."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import assert_ok, run_page

from tests.tables import shown_tables

STATES = (
    {},
    {"prov": "河南省", "cty": ["老城区", "西工区"], "pg": 3, "y": (2020, 2022), "lang": "en", "by": "agency"},
    {"city": "a&b=c/d", "ag": ["x y", "z"], "report": "r0"},
)
ODD = ["老城区", None, "西 工区", "a&b=c?d#e%f+g", "洛阳市/新区（试）", "", "~._-", "😀é"]


@pytest.fixture()
def state():
    import streamlit as st

    ss = st.session_state
    ss["_page"] = "quality"

    def set_(s: dict) -> None:
        for k in ("prov", "city", "cty", "ag", "pg", "y", "lang", "by", "report"):
            ss.pop(k, None)
        ss.update(s)

    yield set_
    set_({})


@pytest.mark.parametrize("st_", STATES)
def test_report_links_by_column_equal_report_link(state, st_):
    from app_pages import _common as c

    state(st_)
    ids = ["ab12", None, "ff00", "ab12", "a b&c", "报告/1"]
    df = pl.DataFrame({"report_id": ids}, schema={"report_id": pl.Utf8})
    made = c.link_col(df, "report", {"report": "report_id"}).to_list()
    assert made == [c.report_link(v) if v is not None else None for v in ids]
    assert made[0].startswith("report?") and made[0].endswith("report=ab12") and "pg=" not in made[0]


@pytest.mark.parametrize("st_", STATES)
@pytest.mark.parametrize("page", ["overview", "applications", "disputes"])
def test_district_and_agency_links_equal_view_link(state, st_, page):
    from app_pages import _common as c

    state(st_)
    df = pl.DataFrame({"county": ODD, "agency_id": ODD}, schema={"county": pl.Utf8, "agency_id": pl.Utf8})
    by_county = c.link_col(df, page, {"cty": "county"}, {"by": "agency"}).to_list()
    assert by_county == [c.view_link(page, by="agency", cty=[v]) if v is not None else None for v in ODD]
    plain = c.link_col(df, page, {"cty": "county"}).to_list()
    assert plain == [c.view_link(page, cty=[v]) if v is not None else None for v in ODD]
    ag = c.link_col(df, page, {"ag": "agency_id"}).to_list()
    assert ag == [c.view_link(page, ag=[v]) if v is not None else None for v in ODD]
    ints = pl.DataFrame({"agency_id": [7, 12]})  # ids that are numbers are quoted as their text
    assert c.link_col(ints, page, {"ag": "agency_id"}).to_list() == [
        c.view_link(page, ag=["7"]),
        c.view_link(page, ag=["12"]),
    ]


def test_literal_links():
    """Today's links, written out: the overview at the root, the view's filters first, the drilled value last
    (or in its own place when the view has it), quoted as urlencode does."""
    import streamlit as st

    from app_pages import _common as c

    ss = st.session_state
    ss["_page"] = "overview"
    for k in ("prov", "city", "cty", "ag", "pg", "y", "lang", "by", "report"):
        ss.pop(k, None)
    ss.update({"prov": "河南省", "cty": ["老城区"]})
    df = pl.DataFrame({"county": ["西工区", "a b&c"]})
    assert c.link_col(df, "overview", {"cty": "county"}).to_list() == [
        "./?prov=%E6%B2%B3%E5%8D%97%E7%9C%81&cty=%E8%A5%BF%E5%B7%A5%E5%8C%BA",
        "./?prov=%E6%B2%B3%E5%8D%97%E7%9C%81&cty=a+b%26c",
    ]
    ss.pop("cty")
    assert c.link_col(pl.DataFrame({"r": ["ab12"]}), "report", {"report": "r"}).to_list() == [
        "report?prov=%E6%B2%B3%E5%8D%97%E7%9C%81&report=ab12"
    ]
    ss.pop("prov")


def test_district_links_city_level_row_goes_to_its_city(state):
    from app_pages import _common as c

    state({"cty": ["老城区"]})
    df = pl.DataFrame(
        {"province": ["河南省", "河南省", None], "city": ["洛阳市", "洛阳市", None], "county": ["西工区", None, None]}
    )
    links = c.district_links(df, "applications", {"by": "agency"}).to_list()
    assert links[0] == c.view_link("applications", by="agency", cty=["西工区"])
    assert links[1] == c.view_link("applications", by="agency", cty=[], prov="河南省", city="洛阳市")
    assert "cty=" not in links[1] and "city=%E6%B4%9B%E9%98%B3%E5%B8%82" in links[1]
    assert links[2] is None  # neither county nor city: nowhere to go


def test_city_level_label_names_the_city(state):
    from app_pages import _common as c

    df = pl.DataFrame(
        {"city": ["洛阳市", "洛阳市"], "county": [None, "西工区"]}, schema={"city": pl.Utf8, "county": pl.Utf8}
    )
    state({})
    assert c.label_county(df)["county"].to_list() == ["洛阳市（市级机关）", "西工区"]
    state({"lang": "en"})
    assert c.label_county(df)["county"].to_list() == ["洛阳市 (city level)", "西工区"]


def _city_level(sql):
    """(province, city) of a city's own agencies in the test warehouse's latest year."""
    row = sql.execute(
        "SELECT province, city FROM reports WHERE county IS NULL AND city IS NOT NULL "
        "AND year = (SELECT max(year) FROM reports) ORDER BY city LIMIT 1"
    ).fetchone()
    assert row, "the test warehouse has a city's own agencies"
    return row


@pytest.mark.parametrize(
    ("page", "query", "table"),
    [
        ("overview", {}, "ov_rank"),
        ("applications", {"by": "county"}, "app_yoy"),
        ("outcomes", {}, "out_refusals"),
        ("outcomes", {}, "out_rank"),
        ("disputes", {"by": "county"}, "dis_rates"),
    ],
)
def test_city_level_rows_named_and_drilled_to_their_city(db, sql, page, query, table):
    from urllib.parse import parse_qs

    prov, city = _city_level(sql)
    at = run_page(page, **query)
    assert_ok(at)
    ex = at.session_state["_exports"][table]["frame"]
    ex = ex() if callable(ex) else ex
    name_col = "区县"
    names = ex[name_col].to_list()
    assert f"{city}（市级机关）" in names, names[:10]
    assert "（市级机关）" not in names
    assert all(n and "None" not in n for n in names)
    row = ex.filter(pl.col(name_col) == f"{city}（市级机关）").row(0, named=True)
    link = row["链接"]
    assert link, row
    params = parse_qs(link.split("?", 1)[1])
    assert params["city"] == [city] and params["prov"] == [prov] and "cty" not in params
    # the table on the screen shows the same name and a 打开 cell
    shown = [d.value for d in shown_tables(at) if name_col in d.value.columns and "打开" in d.value.columns]
    shown = [v for v in shown if f"{city}（市级机关）" in v[name_col].tolist()]
    assert shown and set(shown[0].loc[shown[0][name_col] == f"{city}（市级机关）", "打开"]) == {"打开"}


def test_quality_findings_name_city_level_rows_by_their_city(db, sql):
    at = run_page("quality")
    assert_ok(at)
    ex = at.session_state["_exports"]["q_findings"]["frame"]
    ex = ex() if callable(ex) else ex
    names = set(ex["区县"].to_list())
    cities = {r[0] for r in sql.execute("SELECT DISTINCT city FROM reports WHERE county IS NULL").fetchall()}
    assert names & {f"{c}（市级机关）" for c in cities}
    assert "（市级机关）" not in names and "城市" not in ex.columns


def test_report_list_names_city_level_rows_by_their_city(db, sql):
    prov, city = _city_level(sql)
    at = run_page("report")
    assert_ok(at)
    ex = at.session_state["_exports"]["rep_list"]["frame"]
    ex = ex() if callable(ex) else ex
    names = set(ex["区县"].to_list())
    assert f"{city}（市级机关）" in names and "（市级机关）" not in names
    assert "城市" not in ex.columns
