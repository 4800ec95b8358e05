"""Every table the pages show, in the Chinese UI: each number printed by pipelines.numfmt, no null cell (the
grid would draw "None"), no raw key, no English word, headers in Chinese; the English UI's headers in English.

(The browser test reads the same cells from the grids' accessibility table; this one sees the cells' values
before the grid draws them, where a null is still a null.)"""

from __future__ import annotations

import re

import pytest
from conftest import assert_ok, run_page

from tests.tables import shown_tables

PAGES = ["overview", "applications", "outcomes", "disputes", "compare", "map", "report", "quality", "checks"]
WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]+")
CODE = re.compile(r"^[CP]\d{3}$")
CJK = re.compile(r"[\u3400-\u9fff]")
HEX = re.compile(r"\b[0-9a-f]{8,}")  # a report id (its SHA-256) is an identifier, not a word (as in the browser test)
LINK = re.compile(r"^(\./)?[a-z]*\?[a-z_]+=|^#")
YEAR = re.compile(r"^(19|20)\d\d$")
NUMBER = re.compile(r"^[+-]?[\d,]+(\.\d+)?(%| 个百分点)?$")


def _tables(at):
    # the grids, and the static tables (st.table: the checks page, whose long texts wrap)
    return [d.value for d in shown_tables(at)] + [d.value.reset_index() for d in at.table]


def _cells(df):
    for col in df.columns:
        for v in df[col].tolist():
            yield col, v


@pytest.mark.parametrize("page", PAGES)
def test_tables_in_chinese(db, page):
    at = run_page(page if page != "overview" else None, minn="30")
    assert_ok(at)
    tables = _tables(at)
    assert tables, f"{page}: no table"
    for df in tables:
        for col in df.columns:
            assert CJK.search(str(col)) or YEAR.match(str(col)), f"{page}: header {col!r} is not Chinese"
        for col, v in _cells(df):
            if col == "链接":
                continue
            assert v is not None and v == v, f"{page}: null cell in {col!r} (drawn as None)"
            if isinstance(v, str):
                if LINK.match(v):
                    continue
                words = [
                    w for w in WORD.findall(HEX.sub(" ", v)) if not CODE.match(w) and w not in ("CSV", "PDF", "HTML")
                ]
                assert not words, f"{page}: {col!r} = {v!r}"


def test_numbers_printed_by_numfmt(db, sql):
    """The overview's table: counts with separators, rates as % with one decimal, changes signed, — for none,
    样本不足 as a label: the same text numfmt prints for the read API's values."""
    from app_pages._common import q  # noqa: F401  (the page's own import path)
    from pipelines import numfmt

    at = run_page(minn="30")
    assert_ok(at)
    df = next(d for d in _tables(at) if "样本不足" in d.columns)
    values = df["数值"].tolist()
    assert all(NUMBER.match(v) or v == "—" for v in values), values
    rates = df[df["指标"].str.startswith("公开率")]
    assert len(rates) and all(v.endswith("%") and len(v.split(".")[-1]) == 2 for v in rates["数值"])
    n_reports = sql.execute("SELECT count(*) FROM reports WHERE year = (SELECT max(year) FROM reports)").fetchone()[0]
    latest = df["年度"].max()
    row = df[(df["年度"] == latest) & (df["指标"] == "报告数")]
    assert row["数值"].tolist() == [numfmt.count(n_reports)]
    assert set(df["样本不足"]) <= {"", "样本不足"}
    assert all(v == "—" or v.startswith(("+", "-")) for v in df["变化"])


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_tables_in_english(db, page):
    at = run_page(page if page != "overview" else None, lang="en", minn="30")
    assert_ok(at)
    for df in _tables(at):
        heads = [str(c) for c in df.columns if CJK.search(str(c))]
        assert heads == [], f"{page}: Chinese headers in the English UI: {heads}"
        # one case for every English header (the 打开 column read "open" beside "Agency", "Year")
        lower = [str(c) for c in df.columns if str(c)[:1].islower()]
        assert lower == [], f"{page}: English headers not capitalised: {lower}"
        # and every cell that is a label or a sentence (a status, "Open", "Low n", a definition, a message): the
        # 打开 cells read "open" beside "Passed"; links and names are printed as they are
        cells = [
            (col, v)
            for col, v in _cells(df)
            if isinstance(v, str) and v[:1].islower() and not LINK.match(v) and not HEX.match(v)
        ]
        assert cells == [], f"{page}: English cells not capitalised: {cells[:5]}"


def test_quality_finding_messages_in_each_language(db, sql):
    """The 数据质量 findings' messages: each UI shows the message in its own language (the demo's faults are
    written "中文; English", the catalogue's rules too): no Chinese in the English page's messages, no English
    word in the Chinese page's; the same findings in both."""
    n = sql.execute("SELECT count(*) FROM findings WHERE severity IN ('error', 'warning')").fetchone()[0]
    assert n > 0
    got = {}
    for lang, col in (("zh", "说明"), ("en", "Message")):
        at = run_page("quality", lang=lang, ds="demo")
        assert_ok(at)
        df = next(d for d in _tables(at) if col in d.columns)
        got[lang] = df[col].tolist()
    assert len(got["zh"]) == len(got["en"]) > 0
    for zh, en in zip(got["zh"], got["en"]):
        assert zh and CJK.search(zh) and not WORD.search(zh), zh
        assert en and not CJK.search(en), en
    # a message is a sentence of its own: capitalised in English
    assert any(m.startswith("Blank where 0 is meant: natural persons") for m in got["en"]), got["en"][:5]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_table_says_so_in_the_uis_words(db, sql, lang):
    """A table with no rows is a sentence in the UI's language, not an empty grid (which draws Streamlit's own
    English placeholder "empty")."""
    from pipelines import i18n

    county = sql.execute(
        "SELECT county FROM reports r WHERE county IS NOT NULL AND NOT EXISTS (SELECT 1 FROM findings f "
        "WHERE f.report_id = r.report_id AND f.severity IN ('error', 'warning')) GROUP BY county "
        "HAVING count(*) = (SELECT count(*) FROM reports x WHERE x.county = r.county) LIMIT 1"
    ).fetchone()
    assert county, "a district whose reports have no error or warning"
    prov, city = sql.execute("SELECT province, city FROM reports WHERE county = ? LIMIT 1", [county[0]]).fetchone()
    at = run_page("quality", lang=lang, ds="demo", prov=prov, city=city, cty=county[0])
    assert_ok(at)
    assert all(len(d.value) > 0 for d in shown_tables(at))  # no empty grid
    assert [c.value for c in at.caption].count(i18n.t("table_empty", lang)) == 2  # the findings, by check


def test_city_level_rows_named_by_their_city_over_several_cities():
    """A chart over several cities draws each city's own agencies under its name (洛阳市（市级机关）): under
    one shared label they were one bar with their value labels on top of each other. Within one city too: a
    bare （市级机关） names no one."""
    import polars as pl

    from app_pages._common import label_county

    df = pl.DataFrame({"city": ["洛阳市", "海口市", "洛阳市"], "county": [None, None, "西工区"]})
    assert label_county(df)["county"].to_list() == ["洛阳市（市级机关）", "海口市（市级机关）", "西工区"]
    one = pl.DataFrame({"city": ["洛阳市", "洛阳市"], "county": [None, "西工区"]})
    assert label_county(one)["county"].to_list() == ["洛阳市（市级机关）", "西工区"]
