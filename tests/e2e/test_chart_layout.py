"""Charts side by side line up in the browser (headless Chromium at 1440 px): 总览's three trends make room for the
most legend rows, so their export buttons sit at one height in Chinese and English (issue 17: in English a 1-row
legend beside 2-row ones put the first button 12 px higher)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import E2E, no_exception, settle

pytestmark = E2E

BUTTONS = """(label) => [...document.querySelectorAll('[data-testid="stPopover"] button')]
  .filter(b => b.innerText.includes(label)).map(b => b.getBoundingClientRect().top + window.scrollY)"""


@pytest.mark.parametrize(("lang", "label"), [("zh", "导出图表"), ("en", "Export chart")])
def test_the_overviews_trend_export_buttons_line_up(server, browser, lang, label):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(f"{server}/?lang={lang}&ds=demo")
    settle(page)
    no_exception(page, "overview")
    # the three trends drawn (Vega mounts after the run): three charts with a height
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart] svg, [data-testid=stVegaLiteChart] canvas')]
            .filter(e => e.getBoundingClientRect().height > 100).length >= 3""",
        timeout=20000,
    )
    page.wait_for_timeout(500)
    tops = page.evaluate(BUTTONS, label)[:3]
    ctx.close()
    assert len(tops) == 3, tops
    assert max(tops) - min(tops) <= 2, f"{lang}: the trends' export buttons at {tops}"
