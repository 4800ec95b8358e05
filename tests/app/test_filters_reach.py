"""Filters everywhere: on every page, every sidebar filter and the 口径 switch reach the page's queries.

Each page is run with every filter set at once (dataset, province, city, district, agency type, template, years,
口径 C); every read-API call the page makes is recorded, and each call that takes the view's Filters must carry
all of them (a page may narrow the years, never widen them), and no rate of another basis may be asked for."""

from __future__ import annotations

import pytest
from conftest import assert_ok, run_page

from pipelines import read
from tests.tables import shown_tables

# the sidebar's own option lists (they are drawn before the filters exist), and the map's colouring of every
# district of the chosen city (the chosen ones are outlined): these calls do not take the whole view
OPTION_CALLS = {"datasets", "regions", "years", "distinct_values", "search_agencies", "report_dataset"}
PAGES = ["overview", "applications", "outcomes", "disputes", "compare", "report", "quality", "map"]
OTHER_BASES = {read.OPEN_RATE["A"], read.OPEN_RATE["B"]}


@pytest.fixture()
def calls(db, monkeypatch):
    from app_pages import _common

    log: list[tuple[str, tuple, tuple]] = []
    orig = _common._q

    def rec(path, tok, name, args, kwargs):
        log.append((name, args, kwargs))
        return orig(path, tok, name, args, kwargs)

    monkeypatch.setattr(_common, "_q", rec)
    return log


def _view(sql) -> dict:
    prov, city, county, atype, tpl = sql.execute(
        "SELECT province, city, county, agency_type, template FROM reports WHERE county IS NOT NULL "
        "GROUP BY ALL ORDER BY count(*) DESC, 1, 2, 3, 4, 5 LIMIT 1"
    ).fetchone()
    return {
        "ds": ["demo"],
        "prov": prov,
        "city": city,
        "cty": [county],
        "type": [atype],
        "tpl": [tpl],
        "y": "2020-2023",
        "basis": "C",
    }


def _flat(x) -> list:
    if isinstance(x, (tuple, list)):
        return [y for v in x for y in _flat(v)]
    return [x]


@pytest.mark.parametrize("page", PAGES)
def test_every_filter_reaches_every_query(page, calls, sql):
    view = _view(sql)
    at = run_page(page if page != "overview" else None, **view)
    assert_ok(at)
    seen = 0
    for name, args, kwargs in calls:
        if name in OPTION_CALLS:
            continue
        for f in [a for a in args if isinstance(a, read.Filters)] + [
            v for _, v in kwargs if isinstance(v, read.Filters)
        ]:
            seen += 1
            where = f"{page}: {name}"
            assert f.datasets == ("demo",), where
            assert (f.province, f.city) == (view["prov"], view["city"]), where
            assert f.counties == tuple(view["cty"]) or (page == "map" and name == "map_view"), where
            assert f.agency_types == tuple(view["type"]) and f.templates == tuple(view["tpl"]), where
            assert f.year_from is not None and f.year_from >= 2020 and f.year_to is not None and f.year_to <= 2023
        if not (page == "outcomes" and name == "aggregate"):  # outcomes shows the three bases side by side
            assert not OTHER_BASES & set(_flat(args) + _flat(kwargs)), f"{page}: {name} asked for another 口径"
    assert seen, f"{page}: no query took the view's filters"


def test_compare_follows_the_basis_switch(calls, db):
    """对比 after the 口径 switch: the comparison and its columns are basis C's disclosure rate, not A's."""
    at = run_page("compare")
    assert_ok(at)
    assert read.OPEN_RATE["A"] in at.session_state["m"]
    at.radio(key="basis").set_value("C")
    at.run()
    assert_ok(at)
    assert read.OPEN_RATE["C"] in at.session_state["m"] and read.OPEN_RATE["A"] not in at.session_state["m"]
    last = [args for name, args, _ in calls if name == "compare"][-1]
    assert read.OPEN_RATE["C"] in last[4] and not OTHER_BASES & set(last[4])
    label_c = read.MEASURES[read.OPEN_RATE["C"]].zh
    assert any(label_c in d.value.columns for d in shown_tables(at)), "the table shows basis C's column"
