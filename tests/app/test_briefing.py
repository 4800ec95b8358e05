"""生成分析简报: the briefing holds the read API's figures for its filters (as numfmt prints them), the
warning thresholds highlight their rows, and it is a self-contained HTML document."""

from __future__ import annotations

import polars as pl

from pipelines import briefing, numfmt, read
from pipelines.read import Filters


def _city(sql):
    return sql.execute(
        "SELECT province, city FROM reports WHERE county IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()


def test_briefing_has_the_read_api_figures(db, sql, monkeypatch):
    from pipelines.warehouse.db import connect_read

    monkeypatch.setenv("XXGK_WARN_OPEN_RATE_BELOW", "0.99")  # every district is below: every row is flagged
    prov, city = _city(sql)
    f = Filters(province=prov, city=city, year_from=2020, year_to=2024)
    con = connect_read(db)
    html = briefing.build(con, f, "A", 30, "zh", charts_inline=False)
    assert html.startswith("<!doctype html>") and html.endswith("</html>")
    assert f"{prov}、{city}" in html and "2020–2024" in html

    k = read.overview_kpis(con, f, "A", 30, "zh")
    latest = k.filter(pl.col("year") == k["year"].max())
    apps = latest.filter(pl.col("measure") == "applications").row(0, named=True)
    assert numfmt.count(apps["value"]) in html
    assert numfmt.change(apps["change"], "count") in html
    rate = latest.filter(pl.col("measure") == "open_rate_A").row(0, named=True)
    assert numfmt.rate(rate["value"]) in html

    ranked, _ = read.ranking(con, f, "open_rate_A", "county", 30, 30, True, "zh")
    top = ranked.row(0, named=True)
    row = f"<td class=n>{numfmt.rate(top['value'])}</td><td class=n>{numfmt.count(top['numerator'])}</td>"
    assert row in html
    assert html.count('<tr class="warn">') >= ranked.height  # the threshold flags every ranked district

    rr = read.refusal_reasons(con, f, (), "zh")
    biggest = rr.sort("value", descending=True).row(0, named=True)
    assert f"<td>{biggest['label']}</td><td class=n>{numfmt.count(biggest['value'])}</td>" in html

    n = read.report_count(con, f)
    src = read.report_sources(con, f, None, 200)
    assert src["source_path"][0] in html
    if n > src.height:
        assert f"{n - src.height:,}" in html
    assert "合成的演示数据" in html  # the warehouse is synthetic: the briefing says so
    # 六 data quality: each check by its code and Chinese title, never its raw key
    by_check = read.failing_by_check_f(con, f, ("error", "warning"))
    assert by_check.height > 0
    from pipelines.checks import text as check_text

    for cid in by_check["check_id"].to_list():
        assert f"<td>{check_text.code(cid)} {check_text.title(cid, 'zh')}</td>" in html
        assert cid.split(" ", 1)[1] not in html
    # a city's own agencies ranked by the city's name (over several cities "（市级机关）" alone names no one)
    assert ranked.filter(pl.col("county").is_null()).height > 0
    assert f"<td>{city}（市级机关）</td>" in html and "<td>（市级机关）</td>" not in html


def test_briefing_english_and_charts(db, sql):
    from pipelines.warehouse.db import connect_read

    prov, city = _city(sql)
    html = briefing.build(connect_read(db), Filters(province=prov, city=city), "B", 30, "en")
    assert "Key figures" in html and "<svg" in html
    assert f'<p class="meta">Scope: {prov}, {city} · Years: ' in html  # English punctuation in English
    assert "<th>Upheld</th>" in html and "<th>upheld</th>" not in html  # headers capitalised as on the pages
    assert "null" not in html.replace("Reports with null", "")  # no null value printed anywhere


def test_briefing_names_a_source_by_its_file_not_the_servers_folders(tmp_path):
    """七、报告来源 names each file as the report page does, by its name: the server's folders (an absolute path
    under the import root or a shared drive) stay out of a document that leaves the building."""
    from pathlib import Path

    from pipelines.warehouse.db import connect_read
    from pipelines.warehouse.ingest import ingest

    sample = sorted((Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.txt"))[0].resolve()
    p = tmp_path / "one.duckdb"
    ingest([sample], db=p, dataset="sample", progress=False)
    html = briefing.build(connect_read(p), Filters(), "A", 30, "zh", charts_inline=False)
    assert sample.name in html
    assert str(sample.parent) not in html
