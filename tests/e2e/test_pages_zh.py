"""Every page in headless Chromium, Chinese and English, at 1440 px: no exception, no Streamlit English
default (placeholders, uploader, menus), no English word, raw key or None/null/NaN/true/false in the Chinese
UI's text — the page's text nodes, chart text and the data grids' cells and headers (drawn on a canvas, but
also written into the grid's accessibility table, which is what is read here) — and no Chinese in the
English UI's headings, labels, buttons and column headers; /overview opens the overview. A full-page
screenshot of each goes to test-artifacts/screenshots/pages/{zh,en}_PAGE.png.
"""

from __future__ import annotations

import re
import time

import pytest

from app_pages._builtin_zh import ZH
from pipelines import geo
from tests.e2e.conftest import E2E, ROOT
from tests.e2e.conftest import no_exception as _no_exception
from tests.e2e.conftest import settle as _settle

pytestmark = [*E2E, pytest.mark.slow]

SHOTS = ROOT / "test-artifacts" / "screenshots" / "pages"
PAGES = [
    "",
    "applications",
    "outcomes",
    "disputes",
    "compare",
    "map",
    "report",
    "report?report=FIRST",
    "quality",
    "checks",
    "import",
]
TITLES = {"": ("总览", "Overview"), "applications": ("申请量", "Applications"), "import": ("导入", "Import")}
RAW = re.compile(r"(?<![A-Za-z])(None|null|NaN|nan)(?![A-Za-z])")
ATTRS = (
    "el => [...el.querySelectorAll('[placeholder],[title],[aria-label]')]"
    ".map(e => ['placeholder', 'title', 'aria-label'].map(a => e.getAttribute(a)).filter(Boolean).join('\\n'))"
    ".join('\\n')"
)


# Every text node of the page (material icons, whose ligature names are not text, and command lines set as
# code, left out), chart text
# (SVG) included; the data grids' cells and column headers as their accessibility table holds them.
TEXTS = """() => {
  const out = [];
  const it = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = it.nextNode(); n; n = it.nextNode()) {
    const el = n.parentElement;
    // a command line (code) is what a user types, not the UI's words
    if (!el || el.closest('[data-testid=stIconMaterial], style, script, noscript, code')) continue;
    if (getComputedStyle(el).fontFamily.includes('Material')) continue;  // an icon's ligature name
    if (n.nodeValue.trim()) out.push(n.nodeValue.trim());
  }
  return out;
}"""
# and the tables' headers and cells with their hovers (app_pages._htmltable draws them in a shadow root: not in
# body's text nodes)
GRID = """() => [
  ...document.querySelectorAll('[role=gridcell],[role=columnheader]'),
  ...[...document.querySelectorAll('[data-testid^=stBidiComponent]')]
    .flatMap(h => [h, ...h.querySelectorAll('*')].filter(e => e.shadowRoot))
    .flatMap(e => [...e.shadowRoot.querySelectorAll('th, td')]),
].flatMap(e => [e.textContent.trim(), ...(e.title ? [e.title.trim()] : [])])"""
# Latin words the Chinese UI may print: file formats and units, check codes (C301, P302), the language
# switch (语言 / Language · English), the chart menu's "Vega", the operator's environment variable, a key's name
ALLOWED = {
    "CSV", "PDF", "HTML", "PNG", "SVG", "Excel", "Parquet", "Word", "TXT", "MD", "DOC", "DOCX", "JPG", "TIF",
    "html", "txt", "md", "docx", "doc", "png", "jpg", "tif", "MB", "KB", "GB", "OCR",
    "Language", "English", "Vega", "XXGK_IMPORT_ROOT",
    "Ctrl",  # a key as its keyboard prints it (打开's hover: 按住 Ctrl 点击)
}  # fmt: skip
CITED = (geo.SOURCE,)  # the map's source and licence, cited by their own names
WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]+")
LINK = re.compile(r"^(\./)?[a-z]*\?[a-z_]+=")  # a link column's value (shown as 打开)
CODE = re.compile(r"^[CP]\d{3}$")
CJK = re.compile(r"[\u3400-\u9fff]")
HEX = re.compile(r"\b[0-9a-f]{8,}")  # a report id (its SHA-256) is an identifier, not a word
PATH = re.compile(r"(?<![\w/])/[\w.\-]+(?:/[\w.\-]+)+")  # a server path (the 导入 page's allowed folder) is data


def english_words(texts: list[str], data: tuple[str, ...] = ()) -> set[str]:
    """Latin words outside the allowed ones; ``data`` (names a user gave, e.g. a dataset imported as "e2e")
    are data, like agency names, not the UI's words."""
    words = set()
    for line in texts:
        if LINK.match(line):
            continue
        for c in CITED + data:
            line = line.replace(c, " ")
        words |= {w for w in WORD.findall(HEX.sub(" ", PATH.sub(" ", line))) if w not in ALLOWED and not CODE.match(w)}
    return words


def _user_datasets(path) -> tuple[str, ...]:
    """The datasets a user named (an import into "e2e" by test_integrity): shown as named, in any language."""
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:  # being published this instant: the names of a moment ago are no worse
        return ()
    try:
        rows = con.execute("SELECT DISTINCT dataset FROM reports").fetchall()
    finally:
        con.close()
    return tuple(sorted({r[0] for r in rows} - {"demo", "sample", "user"}, key=len, reverse=True))


def _first_report(path) -> str:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT report_id FROM reports ORDER BY report_id LIMIT 1").fetchone()[0]
    finally:
        con.close()


def _full_shot(page, path) -> None:
    h = page.evaluate("() => document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(max(900, h + 150), 10000)})
    time.sleep(0.5)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_every_page_zh_and_en(server, browser, warehouse):
    SHOTS.mkdir(parents=True, exist_ok=True)
    english = {k for k in ZH if len(k) > 3}
    rid = _first_report(warehouse)
    for lang in ("zh", "en"):
        ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        for name in PAGES:
            url = name.replace("FIRST", rid)
            page.goto(f"{server}/{url}{'&' if '?' in url else '?'}lang={lang}")
            _settle(page)
            time.sleep(0.5)  # the translator runs on the page's mutations
            _no_exception(page, f"{lang} {name}")
            if name in TITLES:
                assert page.locator("h1").first.inner_text().strip() == TITLES[name][lang == "en"]
            shot = name.split("?")[0] + ("_detail" if "?" in name else "")
            _full_shot(page, SHOTS / f"{lang}_{shot or 'overview'}.png")
            grid = page.evaluate(GRID)
            if lang != "zh":
                # the English UI is complete: headings, labels, buttons and column headers say no Chinese
                # (agency and place names are data, in cells and chart text, and a report's title)
                # (locators pierce the tables' shadow roots: th is their column headers)
                heads = "h2, h3, label, button, [role=columnheader], th" + ("" if "?" in name else ", h1")
                chrome = page.locator(heads).all_inner_texts()
                left = [x for x in chrome if CJK.search(x) and x.strip() not in ("语言 / Language", "中文")]
                assert left == [], f"{name}: Chinese in the English UI: {left[:10]}"
                continue
            # the translator rewrites Streamlit's own words as they are drawn: on a loaded machine a toolbar's
            # tooltip can be read before its turn, so give it a few seconds (a word it never translates fails)
            deadline = time.time() + 10
            while True:
                text = page.locator("body").inner_text() + "\n" + page.locator("body").evaluate(ATTRS)
                lines = {ln.strip() for ln in text.splitlines()}
                if not lines & english or time.time() > deadline:
                    break
                time.sleep(0.25)
            assert sorted(lines & english) == [], f"{name}: Streamlit's English left in the Chinese UI"
            assert not re.search(r"\bper file\b|Drag and drop|Browse files|Choose an? option", text), name
            assert not RAW.findall(page.locator('[data-testid="stMain"]').inner_text()), f"{name}: raw None/null"
            words = english_words(page.evaluate(TEXTS) + grid, _user_datasets(warehouse))
            assert words == set(), f"{name}: English words or raw keys in the Chinese UI: {sorted(words)}"
            assert not [c for c in grid if c in ("None", "null", "NaN", "nan", "true", "false")], f"{name}: raw cell"
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
