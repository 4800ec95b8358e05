"""Charts side by side line up in the browser (headless Chromium at 1440 px): 总览's three trends, 申请量's trend and
applicant stack, 办理结果's composition and 公开率 trend, 复议诉讼's trend and outcome mix make room for the tallest
legend beside them, so their export buttons sit at one height in Chinese and English (issue 17: in English a 1-row
legend beside 2-row ones put the first button 12 px higher; 申请量's were 46 px apart, 办理结果's and 复议诉讼's
20–50 px)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import E2E, no_exception, settle

pytestmark = E2E

BUTTONS = """(label) => [...document.querySelectorAll('[data-testid="stPopover"] button')]
  .filter(b => b.innerText.includes(label)).map(b => b.getBoundingClientRect().top + window.scrollY)"""


@pytest.mark.parametrize(("lang", "label"), [("zh", "导出图表"), ("en", "Export chart")])
@pytest.mark.parametrize(("view", "n"), [("", 3), ("applications", 2), ("outcomes", 2), ("disputes", 2)])
def test_side_by_side_charts_export_buttons_line_up(server, browser, lang, label, view, n):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(f"{server}/{view}?lang={lang}&ds=demo")
    settle(page)
    no_exception(page, view or "overview")
    # the charts drawn (Vega mounts after the run): n charts with a height
    page.wait_for_function(
        """(n) => [...document.querySelectorAll('[data-testid=stVegaLiteChart] svg, [data-testid=stVegaLiteChart] canvas')]
            .filter(e => e.getBoundingClientRect().height > 100).length >= n""",
        arg=n,
        timeout=20000,
    )
    page.wait_for_timeout(500)
    tops = page.evaluate(BUTTONS, label)[:n]
    ctx.close()
    assert len(tops) == n, tops
    assert max(tops) - min(tops) <= 3, f"{view or 'overview'} ({lang}): the export buttons side by side at {tops}"
