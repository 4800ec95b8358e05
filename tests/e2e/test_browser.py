"""Browser test: `make run` (on a small synthetic warehouse), driven by Debian's chromium.

    .venv/bin/pytest tests/e2e -m e2e
Screenshots of every page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import polars as pl
import pytest

from tests.e2e.conftest import E2E, SHOTS, click_cell, no_exception, settle, tables

pytestmark = [*E2E, pytest.mark.slow]

PAGES = ["overview", "applications", "outcomes", "disputes", "compare", "report", "import"]


def test_browser_walkthrough(server, browser, warehouse):
    SHOTS.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="zh-CN")
    page = ctx.new_page()

    # every page renders without an exception; one screenshot each
    for name in PAGES:
        page.goto(f"{server}/{'' if name == 'overview' else name}")
        settle(page)
        no_exception(page, name)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        # the default dataset: the real reports only (the shipped sample), never the synthetic demo mixed in
        assert page.get_by_text("演示数据（合成）").count() == 0, f"{name}: synthetic badge on real data"
    page.goto(f"{server}/")
    settle(page)
    page.wait_for_function(  # the sidebar's dataset box says the default is the real data
        "() => document.querySelector('[data-testid=stSidebar]').innerHTML.includes('全部真实数据（不含合成演示数据）')",
        timeout=20000,
    )
    n_real = con.execute("SELECT count(*) FROM reports WHERE dataset <> 'demo'").fetchone()[0]
    card = page.locator('[data-testid="stMetric"]').filter(has_text="报告数").first
    assert card.locator('[data-testid="stMetricValue"]').inner_text().strip() == str(n_real)
    # the synthetic demo when chosen: then badged
    page.goto(f"{server}/?ds=demo")
    settle(page)
    assert page.get_by_text("演示数据（合成）").count() >= 1

    # set a filter in the sidebar: one district → the KPI equals the database's figure
    county = con.execute(
        "SELECT county FROM reports WHERE county IS NOT NULL AND dataset = 'demo' GROUP BY 1 ORDER BY 1 LIMIT 1"
    ).fetchone()[0]
    page.goto(f"{server}/?ds=demo")
    settle(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="区县")
    box.click()
    page.keyboard.type(county)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("() => window.location.search.includes('cty=')", timeout=15000)
    settle(page)
    no_exception(page, "overview filtered")
    latest = con.execute("SELECT max(year) FROM reports").fetchone()[0]
    apps = con.execute(
        "SELECT sum(x.new_received) FROM reports r JOIN report_facts x USING (report_id) "
        "WHERE r.county = ? AND r.year = ? AND r.dataset = 'demo'",
        [county, latest],
    ).fetchone()[0]
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="本年新收申请数")
    metric.get_by_text(f"{apps:,.0f}", exact=True).wait_for(timeout=15000)
    page.screenshot(path=str(SHOTS / "overview_filtered.png"), full_page=True)

    # open a report from the report list: one click on 打开 opens it in this tab
    page.goto(f"{server}/report?sort=year")
    settle(page)
    grid = tables(page).first
    grid.wait_for()
    n_tabs = len(ctx.pages)
    click_cell(page, grid, 0, "打开")
    page.wait_for_function("() => window.location.search.includes('report=')", timeout=15000)
    settle(page)
    no_exception(page, "report detail")
    assert len(ctx.pages) == n_tabs, "the report opened in the same tab"
    rid = page.url.split("report=")[1].split("&")[0]
    name, year = con.execute("SELECT agency_name, year FROM reports WHERE report_id = ?", [rid]).fetchone()
    assert name in page.locator("h1").first.inner_text() and str(year) in page.locator("h1").first.inner_text()
    page.screenshot(path=str(SHOTS / "report_detail.png"), full_page=True)

    # the comparison CSV download holds exactly the database's figures
    counties = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT county FROM reports WHERE county IS NOT NULL AND dataset = 'demo' ORDER BY 1 LIMIT 2"
        ).fetchall()
    ]
    qs = urlencode({"ds": ["demo"], "ent": counties, "cy": ["2021", "2022"], "m": ["applications"]}, doseq=True)
    page.goto(f"{server}/compare?{qs}")
    settle(page)
    no_exception(page, "compare")
    page.screenshot(path=str(SHOTS / "compare_selected.png"), full_page=True)
    with page.expect_download(timeout=20000) as dl:
        page.get_by_role("button", name="下载 CSV").nth(1).click()  # the detail table's (分子 / 分母 / 口径)
    data = Path(dl.value.path()).read_bytes()
    # the export holds the cells as the table prints them (3,433): read them as text
    got = pl.read_csv(io.BytesIO(data.lstrip(b"\xef\xbb\xbf")), comment_prefix="#", infer_schema=False)
    got = got.with_columns(pl.col("年度").cast(pl.Int64), pl.col("数值").str.replace_all(",", "").cast(pl.Int64))
    got = got.sort("区县", "年度")
    exp = con.execute(
        "SELECT r.county, r.year, sum(x.new_received) FROM reports r JOIN report_facts x "
        "USING (report_id) WHERE r.county IN (?, ?) AND r.year IN (2021, 2022) AND r.dataset = 'demo' GROUP BY ALL "
        "ORDER BY ALL",
        counties,
    ).fetchall()
    assert list(zip(got["区县"], got["年度"], got["数值"])) == [(c, y, v) for c, y, v in exp]
    assert set(got["指标"]) == {"本年新收申请数"}
    ctx.close()
    con.close()
