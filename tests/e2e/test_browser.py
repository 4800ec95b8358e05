"""Browser test: `make run` (on a small synthetic warehouse), driven by Debian's chromium.

    .venv/bin/pytest tests/e2e -m e2e
Screenshots of every page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import polars as pl
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = ["overview", "applications", "outcomes", "disputes", "compare", "report", "import"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from pipelines import read
    from pipelines.demo.direct import build_direct

    p = tmp_path_factory.mktemp("e2e") / "xxgk.duckdb"
    build_direct(p, 300, seed=0)
    con = duckdb.connect(str(p))
    read.build_dash(con)
    con.execute("CHECKPOINT")
    con.close()
    return p


@pytest.fixture(scope="module")
def server(warehouse):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser test")
    port = _free_port()
    env = dict(os.environ, XXGK_DB=str(warehouse), XXGK_UPLOADS=str(warehouse.parent / "uploads"))
    # The server exactly as `make run` starts it (the warehouse exists, so it serves at once).
    venv = Path(sys.executable).parent.parent
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"DB={warehouse}", f"PORT={port}", f"VENV={venv}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("make run did not start the server: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    os.killpg(proc.pid, signal.SIGTERM)  # make and the streamlit it started
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _settle(page, timeout: float = 30.0) -> None:
    """Wait until the app stopped running (no status widget 'Running…') and has content."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout * 1000)
    t0 = time.time()
    while time.time() - t0 < timeout:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            time.sleep(0.25)
            if page.locator('[data-testid="stStatusWidget"]').count() == 0:
                return
        time.sleep(0.2)


def _no_exception(page, where: str) -> None:
    n = page.locator('[data-testid="stException"]').count()
    assert n == 0, f"{where}: {page.locator('[data-testid=stException]').first.inner_text()}"


def test_browser_walkthrough(server, browser, warehouse):
    SHOTS.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="zh-CN")
    page = ctx.new_page()

    # every page renders without an exception; one screenshot each
    for name in PAGES:
        page.goto(f"{server}/{'' if name == 'overview' else name}")
        _settle(page)
        _no_exception(page, name)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.get_by_text("演示数据（合成）").count() >= 1

    # set a filter in the sidebar: one district → the KPI equals the database's figure
    county = con.execute(
        "SELECT county FROM reports WHERE county IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT 1"
    ).fetchone()[0]
    page.goto(f"{server}/")
    _settle(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="区县")
    box.click()
    page.keyboard.type(county)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("() => window.location.search.includes('cty=')", timeout=15000)
    _settle(page)
    _no_exception(page, "overview filtered")
    latest = con.execute("SELECT max(year) FROM reports").fetchone()[0]
    apps = con.execute(
        "SELECT sum(x.new_received) FROM reports r JOIN report_facts x USING (report_id) "
        "WHERE r.county = ? AND r.year = ?",
        [county, latest],
    ).fetchone()[0]
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="本年新收申请数")
    metric.get_by_text(f"{apps:,.0f}", exact=True).wait_for(timeout=15000)
    page.screenshot(path=str(SHOTS / "overview_filtered.png"), full_page=True)

    # follow a link from the report list to a report (LinkColumn: first column of the grid)
    page.goto(f"{server}/report?sort=year")
    _settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    bb = grid.bounding_box()
    page.mouse.click(bb["x"] + 25, bb["y"] + 35 + 17)  # the first click selects the cell
    time.sleep(0.5)
    with ctx.expect_page(timeout=15000) as popup:
        page.mouse.click(bb["x"] + 25, bb["y"] + 35 + 17)  # the second follows its link (new tab)
    rpage = popup.value
    rpage.wait_for_load_state()
    _settle(rpage)
    _no_exception(rpage, "report detail")
    assert "report=" in rpage.url
    rid = rpage.url.split("report=")[1].split("&")[0]
    name, year = con.execute("SELECT agency_name, year FROM reports WHERE report_id = ?", [rid]).fetchone()
    assert name in rpage.locator("h1").first.inner_text()
    rpage.screenshot(path=str(SHOTS / "report_detail.png"), full_page=True)
    rpage.close()

    # the comparison CSV download holds exactly the database's figures
    counties = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT county FROM reports WHERE county IS NOT NULL ORDER BY 1 LIMIT 2"
        ).fetchall()
    ]
    qs = urlencode({"ent": counties, "cy": ["2021", "2022"], "m": ["applications"]}, doseq=True)
    page.goto(f"{server}/compare?{qs}")
    _settle(page)
    _no_exception(page, "compare")
    page.screenshot(path=str(SHOTS / "compare_selected.png"), full_page=True)
    with page.expect_download(timeout=20000) as dl:
        page.get_by_role("button", name="下载 CSV").click()
    data = Path(dl.value.path()).read_bytes()
    got = pl.read_csv(io.BytesIO(data.lstrip(b"\xef\xbb\xbf"))).sort("entity", "year")
    exp = con.execute(
        "SELECT r.county, r.year, sum(x.new_received) FROM reports r JOIN report_facts x "
        "USING (report_id) WHERE r.county IN (?, ?) AND r.year IN (2021, 2022) GROUP BY ALL "
        "ORDER BY ALL",
        counties,
    ).fetchall()
    assert list(zip(got["entity"], got["year"], got["value"])) == [(c, y, v) for c, y, v in exp]
    assert set(got["measure"]) == {"applications"}
    ctx.close()
    con.close()
