"""The map's click-to-filter in a real browser (issue 17, s6 defect 6): on the 地图 page of a city with reports
in several districts, a click on a district with reports sets the sidebar's 区县 to it (and the URL), and the
next page opened from the sidebar keeps it. One browser, one page."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import polars as pl
import pytest

from tests.e2e.conftest import E2E, SHOTS, no_exception, settle

pytestmark = [*E2E, pytest.mark.slow]


def _target(warehouse) -> tuple[str, str, str]:
    """(province, city, district): the demo city with reports in most districts, and its largest district with
    reports (on the map: an easy target for a pointer)."""
    from pipelines import charts, geo, read
    from pipelines.warehouse.db import connect_read

    con = connect_read(warehouse)
    reg = read.regions(con, read.Filters(datasets=("demo",)))
    top = (
        reg.filter(pl.col("county").is_not_null())
        .group_by("province", "city")
        .len()
        .sort("len", "province", "city", descending=[True, False, False])
    )
    prov, city, n = top.row(0)
    assert n >= 2, "the demo city has reports in several districts"
    values = read.map_values(con, read.Filters(datasets=("demo",), province=prov, city=city), "applications")
    boxes = {
        f["name"]: charts._mercator_box(f["geometry"]) for f in geo.features("county", values["code"].drop_nulls()[0])
    }
    have = [c for c in values.filter(pl.col("n_reports") > 0)["name"].to_list() if c in boxes]
    name = max(have, key=lambda c: (boxes[c][2] - boxes[c][0]) * (boxes[c][3] - boxes[c][1]))
    return prov, city, name


# A point well inside the district's area as the browser drew it (Vega's SVG: one path per area, labelled with
# its tooltip): of a grid over the path's box, the points inside whose neighbours 5 px away are inside too,
# the one nearest the box's centre; in the page's coordinates.
_POINT_IN = """(name) => {
  const svg = document.querySelector('[data-testid="stVegaLiteChart"] svg');
  const path = Array.from(svg.querySelectorAll('path')).find(
    (p) => (p.getAttribute('aria-label') || '').includes('区县: ' + name + ';'));
  if (!path) return null;
  const bb = path.getBBox(), m = path.getScreenCTM(), r = 5;
  const inside = (x, y) => path.isPointInFill(new DOMPoint(x, y));
  let best = null;
  for (let i = 1; i < 30; i++) for (let j = 1; j < 30; j++) {
    const x = bb.x + (bb.width * i) / 30, y = bb.y + (bb.height * j) / 30;
    if (![[0, 0], [r, 0], [-r, 0], [0, r], [0, -r]].every(([dx, dy]) => inside(x + dx, y + dy))) continue;
    const d = (x - bb.x - bb.width / 2) ** 2 + (y - bb.y - bb.height / 2) ** 2;
    if (!best || d < best[2]) best = [x, y, d];
  }
  if (!best) return null;
  const p = new DOMPoint(best[0], best[1]).matrixTransform(m);
  return [p.x, p.y];
}"""


def _query(page) -> dict[str, list[str]]:
    """The address bar's parameters (Streamlit rewrites them with history.replaceState, which page.url misses)."""
    return parse_qs(urlparse(page.evaluate("() => location.href")).query)


def test_map_click_filters_the_dashboard(server, browser, warehouse):
    prov, city, name = _target(warehouse)
    ctx = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="zh-CN")
    page = ctx.new_page()
    try:
        page.goto(f"{server}/map?ds=demo&prov={prov}&city={city}")
        settle(page)
        no_exception(page, "map")
        page.locator('[data-testid="stVegaLiteChart"] svg path').first.wait_for(timeout=30000)
        at = page.evaluate(_POINT_IN, name)
        assert at, f"{name} is not drawn on the map"
        x, y = at
        page.mouse.move(x, y)
        tip = page.locator("#vg-tooltip-element")
        tip.wait_for(timeout=5000)
        assert name in tip.inner_text(), (name, tip.inner_text())  # the pointer is on the district
        page.mouse.click(x, y)
        deadline = time.time() + 20
        while time.time() < deadline and _query(page).get("cty") != [name]:
            time.sleep(0.25)
        settle(page)
        no_exception(page, "map after the click")
        q = _query(page)
        assert q.get("cty") == [name] and q.get("city") == [city], q
        side = page.locator('[data-testid="stSidebar"]')
        assert name in side.locator('[data-testid="stMultiSelect"]').all_inner_texts()[1], "区县 holds it"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "map-click.png"))
        # another page, opened from the sidebar, sees the same district
        side.get_by_text("申请量", exact=True).click()
        page.wait_for_url("**/applications**", timeout=20000)
        settle(page)
        no_exception(page, "applications after the map click")
        # the address bar is rewritten after the run (history.replaceState): wait for it, as after the click
        deadline = time.time() + 20
        while time.time() < deadline and _query(page).get("cty") != [name]:
            time.sleep(0.25)
        assert _query(page).get("cty") == [name]
        assert name in side.locator('[data-testid="stMultiSelect"]').all_inner_texts()[1]
    finally:
        ctx.close()
