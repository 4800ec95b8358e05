"""Every page in headless Chromium, Chinese and English, at 1440 px: no exception, no Streamlit English
default (placeholders, uploader, menus) and no None/null/NaN in the Chinese UI's text, /overview opens the
overview. A full-page screenshot of each goes to test-artifacts/screenshots/pages/{zh,en}_PAGE.png.

(Data-grid cells are drawn on a canvas, not in the DOM: what they print is checked in the AppTests.)
"""

from __future__ import annotations

import re
import time

import pytest

from app_pages._builtin_zh import ZH
from tests.e2e.conftest import ROOT
from tests.e2e.conftest import no_exception as _no_exception
from tests.e2e.conftest import settle as _settle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOTS = ROOT / "test-artifacts" / "screenshots" / "pages"
PAGES = ["", "applications", "outcomes", "disputes", "compare", "map", "report", "quality", "checks", "import"]
TITLES = {"": ("总览", "Overview"), "applications": ("申请量", "Applications"), "import": ("导入", "Import")}
RAW = re.compile(r"(?<![A-Za-z])(None|null|NaN|nan)(?![A-Za-z])")
ATTRS = (
    "el => [...el.querySelectorAll('[placeholder],[title],[aria-label]')]"
    ".map(e => ['placeholder', 'title', 'aria-label'].map(a => e.getAttribute(a)).filter(Boolean).join('\\n'))"
    ".join('\\n')"
)


def _full_shot(page, path) -> None:
    h = page.evaluate("() => document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(max(900, h + 150), 10000)})
    time.sleep(0.5)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_every_page_zh_and_en(server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    english = {k for k in ZH if len(k) > 3}
    for lang in ("zh", "en"):
        ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        for name in PAGES:
            page.goto(f"{server}/{name}?lang={lang}")
            _settle(page)
            time.sleep(0.5)  # the translator runs on the page's mutations
            _no_exception(page, f"{lang} {name}")
            if name in TITLES:
                assert page.locator("h1").first.inner_text().strip() == TITLES[name][lang == "en"]
            _full_shot(page, SHOTS / f"{lang}_{name or 'overview'}.png")
            if lang != "zh":
                continue
            text = page.locator("body").inner_text() + "\n" + page.locator("body").evaluate(ATTRS)
            lines = {ln.strip() for ln in text.splitlines()}
            assert sorted(lines & english) == [], f"{name}: Streamlit's English left in the Chinese UI"
            assert not re.search(r"\bper file\b|Drag and drop|Browse files|Choose an? option", text), name
            assert not RAW.findall(page.locator('[data-testid="stMain"]').inner_text()), f"{name}: raw None/null"
        ctx.close()


def test_overview_path_opens_the_overview(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/overview?lang=zh&minn=40")
    _settle(page)
    _no_exception(page, "/overview")
    assert page.locator("h1").first.inner_text().strip() == "总览"
    assert page.get_by_text("Page not found").count() == 0 and page.get_by_text("页面不存在").count() == 0
    assert "minn=40" in page.url  # the view's parameters came along
    page.close()
