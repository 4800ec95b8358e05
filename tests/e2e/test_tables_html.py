"""The tables drawn as HTML (app_pages._htmltable) in headless Chromium: a click on 打开 opens the row's view in
the same tab without reloading the app, Ctrl-click opens the link's own address in a new tab, and a — cell says on
hover what it stands for."""

from __future__ import annotations

from pipelines import numfmt
from tests.e2e.conftest import E2E, headers, no_exception, settle, tables

pytestmark = E2E


def test_open_here_and_ctrl_click_a_new_tab(server, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{server}/report?ds=demo&sort=year")
    settle(page)
    no_exception(page, "report list")
    table = tables(page).first
    j = headers(table).index("打开")
    link = table.locator("tbody tr").first.locator("td").nth(j).locator("a")
    href = link.get_attribute("href")
    assert href.startswith("report?") and "report=" in href
    before = page.url
    with ctx.expect_page() as opened:
        link.click(modifiers=["Control"])
    new = opened.value
    new.wait_for_load_state()
    assert "report=" in new.url and new.url.split("?", 1)[1] == href.split("?", 1)[1]
    assert page.url == before, "Ctrl-click leaves this tab where it was"
    new.close()
    # a plain click: the same tab, the same app session (a value set in the page survives: no reload)
    page.evaluate("() => { window.__sameApp = true; }")
    link.click()
    page.wait_for_function("() => location.search.includes('report=')", timeout=15000)
    settle(page)
    no_exception(page, "report detail")
    assert len(ctx.pages) == 1 and page.evaluate("() => window.__sameApp === true")
    ctx.close()


def test_a_dash_cell_says_what_it_stands_for(server, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{server}/?ds=demo")
    settle(page)
    cells = tables(page).first.locator("td").filter(has_text="—")
    assert cells.count() > 0
    assert cells.first.get_attribute("title") == numfmt.blank_meaning(None, "zh")
    ctx.close()
