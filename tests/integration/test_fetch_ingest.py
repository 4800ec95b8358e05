"""`xxgk fetch … --ingest` end to end: fixture portals serve the real reports of ../shared/real-reports
(pages as the portal served them, PDFs as attachments in three ways), the fetched files load into a
warehouse with their real agencies and years, and the title's guesses are checked against them."""

from __future__ import annotations

import csv
import json
from urllib.parse import quote

import duckdb
import pytest

from pipelines.cli import main
from tests import fetch_sites
from tests.conftest import shared_path
from tests.portal import Portal

FAST = ["--delay", "0", "--no-delay-floor"]


def truth(name: str) -> tuple[str, int]:
    t = json.loads((shared_path("real-reports") / f"{name}.truth.json").read_text(encoding="utf-8"))
    return t["agency"], t["year"]


def build(p: Portal) -> tuple[list[str], set[tuple[str, int]]]:
    real = shared_path("real-reports")
    p.add("/robots.txt", "User-agent: *\nDisallow: /admin/\n", content_type="text/plain")
    expected = set()
    # 平潭 (TRS): the article pages themselves, report inline
    trs = []
    for year, art in (
        (2019, "202001/t20200120_80576.htm"),
        (2023, "202403/t20240308_87885.htm"),
        (2024, "202503/t20250310_97791.htm"),
    ):
        name = f"pingtan-zone-{year}"
        p.add(f"/zwgk/zfxxgk/zfxxgknb/{art}", (real / f"{name}.html").read_bytes())
        trs.append((f"./{art}", f"平潭综合实验区{year}年度政府信息公开工作年度报告"))
        expected.add(truth(name))
    trs.append(("./202402/t20240201_1.htm", "关于报送2023年度政府信息公开工作年度报告的通知"))
    p.add(
        "/zwgk/zfxxgk/zfxxgknb/index.htm",
        fetch_sites.list_page(trs[:2], head_script='createPageHTML(2, 0, "index", "htm");'),
    )
    p.add(
        "/zwgk/zfxxgk/zfxxgknb/index_1.htm",
        fetch_sites.list_page(trs[2:], head_script='createPageHTML(2, 1, "index", "htm");'),
    )
    # 淮安 / 洪泽 (links pager): PDFs linked directly, through a download URL named by
    # Content-Disposition, and in a viewer iframe
    huaian, hz23, hz24 = (
        "huaian-city-government-2024",
        "hongze-district-government-2023",
        "hongze-district-government-2024",
    )
    p.add("/att/szfgs2024.pdf", (real / f"{huaian}.pdf").read_bytes(), content_type="application/pdf")
    p.add(
        "/module/download/downfile.jsp",
        (real / f"{hz23}.pdf").read_bytes(),
        content_type="application/octet-stream",
        headers={"Content-Disposition": "attachment; filename*=UTF-8''" + quote("洪泽区2023年报.pdf")},
    )
    p.add("/att/hzq2024.pdf", (real / f"{hz24}.pdf").read_bytes(), content_type="application/pdf")
    arts = [
        (
            "/xxgk/nb/202501/t20250120_1.html",
            "淮安市人民政府2024年政府信息公开工作年度报告",
            '<a href="/att/szfgs2024.pdf">全文下载</a>',
        ),
        (
            "/xxgk/nb/202401/t20240120_2.html",
            "洪泽区人民政府2023年政府信息公开工作年度报告",
            '<a href="/module/download/downfile.jsp?id=7">附件</a>',
        ),
        (
            "/xxgk/nb/202501/t20250125_3.html",
            "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
            '<iframe src="/pdfjs/viewer.html?file=/att/hzq2024.pdf"></iframe>',
        ),
    ]
    for path, title, body in arts:
        p.add(path, fetch_sites.article(title, body))
    for name in (huaian, hz23, hz24):
        expected.add(truth(name))
    pager = '<div><a href="list_2.html">下一页</a></div>'
    p.add("/xxgk/nb/list.html", fetch_sites.list_page([(a, t) for a, t, _ in arts[:2]], pager))
    p.add("/xxgk/nb/list_2.html", fetch_sites.list_page([(a, t) for a, t, _ in arts[2:]]))
    return [p.url("/zwgk/zfxxgk/zfxxgknb/index.htm"), p.url("/xxgk/nb/list.html")], expected


@pytest.mark.slow  # a real ingest (PDF extraction, the warehouse's publish): ~6 s alone, more on a busy box
def test_fetch_then_ingest_loads_real_agencies_and_years(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    with Portal() as p:
        urls, expected = build(p)
        code = main(
            ["fetch", *urls, "--out", str(tmp_path / "f"), *FAST, "--ingest", "--db", str(db), "--dataset", "fetched"]
        )
        out = capsys.readouterr().out
    assert code == 0, out
    assert f"{db} (fetched): loaded 6, replaced 0, unchanged 0, failed 0" in out
    con = duckdb.connect(str(db), read_only=True)
    loaded = set(con.execute("SELECT agency, year FROM reports WHERE dataset = 'fetched'").fetchall())
    formats = sorted(r[0] for r in con.execute("SELECT format FROM reports WHERE dataset = 'fetched'").fetchall())
    con.close()
    assert loaded == expected
    assert len(expected) == 6 and formats == ["html"] * 3 + ["pdf"] * 3
    with open(tmp_path / "f" / "manifest.csv", encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "saved"]
    assert len(rows) == 6
    assert {r["ingest"] for r in rows} == {"loaded"}
    assert {r["check"] for r in rows} == {"ok"}  # the title's year and agency agree with the report's
