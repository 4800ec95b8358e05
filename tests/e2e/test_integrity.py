"""Dashboard integrity in the browser (issue 13), against the shared server of conftest.py:

- live data: a report imported on the 导入 page, or with `xxgk ingest` while the app runs, is on the pages
  at once (an open page refreshes by itself) and opens at /report?report=<its sha256>;
- drill-down: after a filter change, 打开 opens the clicked row's view in the same tab with that filter;
- the 导入 page refuses a folder outside the operator's allowed root;
- several sessions on every page at once: none fails.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import E2E, SHOTS, cells, click_cell, headers, no_exception, settle, tables

pytestmark = E2E

XXGK = Path(sys.executable).parent / "xxgk"


def _report_file(tmp: Path, seed: int, name: str, nth: int) -> tuple[Path, str, str]:
    """The nth synthetic 2024 report of a seed, rendered as text (bytes not in the warehouse yet):
    (path, sha256, agency)."""
    from pipelines.demo.generate import generate
    from pipelines.demo.render import render_text

    truth = [t for t in generate(seed=seed, size=0.05) if not t["faults"] and t["year"] == 2024][nth]
    p = tmp / name
    p.write_bytes(render_text(truth))
    return p, hashlib.sha256(p.read_bytes()).hexdigest(), truth["agency_name"]


def _n_reports(page) -> int:
    """The report list's count caption ('共 1,234 份报告')."""
    for cap in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts():
        m = re.match(r"共 ([\d,]+) 份报告", cap.strip())
        if m:
            return int(m.group(1).replace(",", ""))
    raise AssertionError("no report count on the page")


def test_import_then_see_and_cli_ingest_while_running(server, browser, warehouse, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # two agencies (a second report of one agency-year in one dataset would replace the first)
    up, up_sha, up_agency = _report_file(tmp_path, 21, "upload-2024.txt", 0)
    cli, cli_sha, cli_agency = _report_file(tmp_path, 22, "cli-2024.txt", 1)
    assert up_agency != cli_agency
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watcher = ctx.new_page()  # a page left open on the report list: it must refresh by itself
    watcher.goto(f"{server}/report")
    settle(watcher)
    n0 = _n_reports(watcher)

    # 1. upload on the 导入 page: each file's status, then the summary
    page = ctx.new_page()
    page.goto(f"{server}/import")
    settle(page)
    box = page.get_by_role("textbox", name="数据集名称")
    box.fill("e2e")
    box.press("Enter")
    settle(page)
    page.locator('input[type="file"]').set_input_files(str(up))
    page.get_by_text("upload-2024.txt").first.wait_for(timeout=15000)
    settle(page)
    page.get_by_role("button", name="开始导入").click()
    try:
        # .first: while the page reruns, Streamlit can show the summary twice for a moment (the stale one fading)
        page.get_by_text("导入完成：新增 1").first.wait_for(timeout=180_000)
    except PlaywrightTimeout:
        page.screenshot(path=str(SHOTS / "import_timeout.png"), full_page=True)
        raise
    settle(page)
    no_exception(page, "import")
    # the files' table (HTML, as every table): the file, its status and the link to its report
    done = tables(page).filter(has_text="upload-2024.txt")
    assert done.count() == 1 and "打开" in headers(done.first)
    page.screenshot(path=str(SHOTS / "import_done.png"), full_page=True)
    page.goto(f"{server}/report?report={up_sha}")
    settle(page)
    assert up_agency in page.locator("h1").first.inner_text()

    # 2. `xxgk ingest` into the served warehouse while the app runs: no restart
    r = subprocess.run(
        [str(XXGK), "ingest", str(cli), "--db", str(warehouse), "--dataset", "e2e"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "loaded 1, replaced 0" in r.stdout
    page.goto(f"{server}/report?report={cli_sha}")
    settle(page)
    no_exception(page, "report of the CLI ingest")
    assert cli_agency in page.locator("h1").first.inner_text()
    page.screenshot(path=str(SHOTS / "report_after_cli_ingest.png"), full_page=True)

    # the page left open shows both new reports, without a reload (a visible tab: browsers slow the timers
    # of hidden ones)
    watcher.bring_to_front()
    deadline = time.time() + 20
    while time.time() < deadline and _n_reports(watcher) != n0 + 2:
        time.sleep(0.5)
    assert _n_reports(watcher) == n0 + 2
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM reports WHERE dataset <> 'demo'").fetchone()[0] == n0 + 2
    con.close()
    ctx.close()


def test_drill_down_after_a_filter_change(server, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{server}/outcomes?ds=demo&y=2020-2023")
    settle(page)
    # change a filter: the 口径 switch to C
    page.locator('[data-testid="stSidebar"]').get_by_text("C", exact=True).click()
    page.wait_for_function("() => window.location.search.includes('basis=C')", timeout=15000)
    settle(page)
    grid = tables(page).filter(has_text="打开").first
    grid.wait_for()
    row = cells(grid, 1)
    cols = headers(grid)
    county = row[cols.index("区县")]
    click_cell(page, grid, 1, "打开")
    page.wait_for_function("() => window.location.search.includes('cty=')", timeout=15000)
    settle(page)
    no_exception(page, "drill-down")
    assert len(ctx.pages) == 1, "the drill-down opened in the same tab"
    url = page.url
    assert "basis=C" in url and "y=2020-2023" in url, f"the filter changed before the click is kept: {url}"
    # the opened view is that district's: the same refusal figures as the row clicked (the address changes
    # as the rerun starts: wait for its grid)
    grid = tables(page).filter(has_text="打开").first
    deadline = time.time() + 30
    while time.time() < deadline and cells(grid, 0)[:1] != [county]:
        time.sleep(0.3)
    settle(page)
    assert cells(grid, 0)[headers(grid).index("区县")] == county
    assert cells(grid, 1) == [], "only the district clicked"
    assert cells(grid, 0)[:-1] == row[:-1]
    page.screenshot(path=str(SHOTS / "drill_down.png"), full_page=True)
    ctx.close()


def test_folder_outside_the_allowed_root_is_refused(server, browser, warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    n0 = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    con.close()
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{server}/import")
    settle(page)
    box = page.get_by_role("textbox", name="或：服务器上允许导入的文件夹中的路径")
    for text in ("/etc", "../../..", "escape"):
        box.fill(text)
        box.press("Enter")
        settle(page)
        page.get_by_role("button", name="开始导入").click()
        page.get_by_text(f"未导入：{text} 不在允许导入的文件夹").wait_for(timeout=15000)
    page.screenshot(path=str(SHOTS / "import_refused.png"), full_page=True)
    ctx.close()
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == n0, "nothing was read"
    con.close()


ALL_PAGES = ["", "applications", "outcomes", "disputes", "compare", "map", "report", "quality", "checks", "import"]


def test_several_sessions_on_every_page_at_once(server, browser):
    """Two users open every page between them at the same moment, and both open 数据质量 (the page whose
    runs once failed side by side): 11 sessions whose queries run concurrently on one server."""
    ctxs = [browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN") for _ in range(2)]
    plan = [(ctxs[i % 2], name) for i, name in enumerate(ALL_PAGES)]  # every page, by one user or the other
    plan.append((ctxs[1 - ALL_PAGES.index("quality") % 2], "quality"))  # … and 数据质量 by the other user too
    pages = []
    for ctx, name in plan:
        p = ctx.new_page()
        p.goto(f"{server}/{name}", wait_until="commit", timeout=120_000)
        pages.append((name, p))
        time.sleep(0.5)  # users arrive within seconds of each other: their page runs overlap
    assert len({id(p) for _, p in pages}) == 11 and {n for n, _ in pages} == set(ALL_PAGES)
    for name, p in pages:
        try:
            settle(p, timeout=240)
        except PlaywrightTimeout as e:
            p.screenshot(path=str(SHOTS / f"sessions_{name or 'overview'}.png"))
            raise AssertionError(f"{name or 'overview'} did not finish: {e}") from None
        no_exception(p, name or "overview")
        assert p.locator("h1").count() >= 1
        p.close()  # a finished page stops its live-data poll, which the others would share
    for ctx in ctxs:
        ctx.close()


PCT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*%")
TEXT_AND_GRIDS = """() => {
  const out = [];
  const it = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = it.nextNode(); n; n = it.nextNode()) out.push(n.nodeValue);
  document.querySelectorAll('[role=gridcell]').forEach(e => out.push(e.textContent));
  // the tables drawn as HTML (app_pages._htmltable), in their shadow roots
  document.querySelectorAll('[data-testid^=stBidiComponent]').forEach(h =>
    [h, ...h.querySelectorAll('*')].filter(e => e.shadowRoot)
      .forEach(e => e.shadowRoot.querySelectorAll('th, td').forEach(c => out.push(c.textContent))));
  return out;
}"""


@pytest.mark.parametrize(
    "view", ["outcomes", "disputes", "compare?m=open_rate_A&m=correction_rate&m=review_correction_rate"]
)
def test_no_rate_above_100_percent(server, browser, warehouse, view):
    """办理结果, 复议诉讼 and 对比 over the synthetic corpus, which holds reports whose 纠错率 inputs break the
    template (C311): every percentage printed — text, chart text, grid cells — lies within 0–100 %."""
    con = duckdb.connect(str(warehouse), read_only=True)
    flagged = con.execute(
        "SELECT count(*) FROM findings f JOIN reports r USING (report_id) WHERE r.dataset = 'demo' "
        "AND f.check_id LIKE 'C3%'"
    ).fetchone()[0]
    con.close()
    assert flagged > 0, "the corpus holds reports whose identities fail"
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{server}/{view}{'&' if '?' in view else '?'}ds=demo")
    settle(page)
    no_exception(page, view)
    texts = page.evaluate(TEXT_AND_GRIDS)
    pcts = [float(m.replace(",", "")) for t in texts for m in PCT.findall(t)]
    assert pcts, f"{view}: no rate shown"
    assert max(pcts) <= 100, f"{view}: a rate above 100 %: {sorted(pcts)[-5:]}"
    ctx.close()
