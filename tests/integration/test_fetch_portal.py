"""`xxgk fetch` against local fixture portals (tests/fetch_sites.py): every list shape, every way an
article carries its report, the noise, politeness, the manifest, re-runs. Proved from the
portals' own request logs, not from what the crawler says of itself."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from pipelines.fetch import FetchOptions, fetch
from tests import fetch_sites
from tests.portal import Portal

FAST = {"delay_s": 0.0, "allow_below_floor": True, "backoff_s": 0.01}


def manifest(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    with Portal() as p, Portal() as other, Portal() as waf:
        site = fetch_sites.build(p, other, waf)
        out = tmp_path_factory.mktemp("fetch")
        res = fetch(site.columns, out, FetchOptions(**FAST))
        rows = manifest(res.manifest)
        first_log = list(p.log)
        waf_log1 = list(waf.log)
        # a second run later: list pages again (conditionally), nothing saved before fetched again;
        # one new report appears on the TRS column's first page
        new = "./202404/t20240401_1100.html"
        p.add(
            "/zwgk/zfxxgknb/index.html",
            fetch_sites.list_page(
                [(new, "示例县发改委2023年政府信息公开工作年度报告")]
                + [("./202403/t20240308_1001.html", "示例县2023年政府信息公开工作年度报告")],
                head_script='var countPage = 3;createPageHTML(countPage, 0, "index", "html");',
            ),
            etag=True,
        )
        p.add(
            "/zwgk/zfxxgknb/202404/t20240401_1100.html",
            fetch_sites.inline_report("示例县发改委2023年政府信息公开工作年度报告"),
        )
        n1 = len(p.log)
        res2 = fetch(site.columns, out, FetchOptions(**FAST))
        yield site, res, rows, first_log, p.log[n1:], res2, manifest(res2.manifest), out, other, (waf, waf_log1)


def _row(rows, url):
    hits = [r for r in rows if r["article_url"] == url]
    assert hits, f"no manifest row for {url}"
    return hits[0]


def test_every_item_has_its_expected_outcome(crawl):
    site, res, rows, *_ = crawl
    for url, (status, what) in site.expect.items():
        r = _row(rows, url)
        assert r["status"] == status, (url, what, r)
        if status == "saved":
            assert r["saved_path"].endswith("." + what), (url, r["saved_path"])
    assert not res.ok  # something failed: the CLI exits 1


def test_saved_files_are_the_served_bytes(crawl):
    site, _res, rows, _, _, _, _, out, *_ = crawl
    saved = [r for r in rows if r["status"] == "saved"]
    assert len(saved) == 25  # TRS 6 (html, pdf, docx, doc, wps, pdf), links 1 xlsx, jpage 8, gkmlpt 5, search API 5
    for r in saved:
        data = (out / r["saved_path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"]
        if r["file_url"] in site.files:
            assert data == site.files[r["file_url"]]
    # the extension-less download is named by its Content-Disposition and typed by its bytes
    wps = next(r for r in saved if r["file_url"].endswith("downfile.jsp?classid=0&id=55"))
    assert wps["saved_path"].endswith(".wps") and "示例县2021年政府信息公开工作年度报告" in wps["saved_path"]
    assert "示例县2021年报.wps" in wps["reason"]


def test_list_shapes_each_walked_to_the_end(crawl):
    site, res, _rows, log, *_ = crawl
    paths = [h.path for h in log]
    # TRS: pages 1-2 exist only in the createPageHTML call
    assert {"/zwgk/zfxxgknb/index_1.html", "/zwgk/zfxxgknb/index_2.html"} <= set(paths)
    # 下一页/尾页 links
    assert "/xxgk/nb/list_2.html" in paths
    # jpage: POSTs with the parameters read from the column page
    posts = [h for h in log if h.method == "POST"]
    assert [h.path for h in posts] == [
        "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=6&perpage=2",
        "/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12&perpage=2",
    ]
    assert all(
        h.form["columnid"] == "123" and h.form["unitid"] == "456" and h.form["webname"] == "示例县" for h in posts
    )
    # gkmlpt JSON API, 3 pages of 2; page-1-static + search API pages 2 and 3
    assert [p for p in paths if p.startswith("/gkmlpt/api/")] == [f"/gkmlpt/api/all/77?page={n}" for n in (1, 2, 3)]
    assert [p for p in paths if p.startswith("/irs/")] == [
        f"/irs/front/search?channelId=55&pageSize=2&page={n}" for n in (2, 3)
    ]
    by_col = {c.url: c for c in res.columns}
    assert by_col[site.columns[2]].items == fetch_sites.JPAGE_RECORDS
    assert by_col[site.columns[3]].items == 5 and by_col[site.columns[4]].items == 5
    assert by_col[site.columns[0]].pages == 3


def test_noise_is_never_requested(crawl):
    site, _res, rows, log, *_ = crawl
    _, _, _, _, _, _, _, _, other, _ = crawl
    paths = {h.path for h in log}
    assert "/zwgk/zfxxgknb/202402/t20240201_1002.html" not in paths  # the notice: skipped by its title
    assert _row(rows, site.portal.url("/zwgk/zfxxgknb/202402/t20240201_1002.html"))["reason"].startswith(
        "not an annual report"
    )
    assert not any(p.startswith("/private/") for p in paths)  # robots.txt Disallow
    assert "/xwdt/202403/t20240301_9001.html" not in paths  # a side box's news, not the column's
    assert not any(h.path.startswith("/zwgk/") for h in other.log)  # the off-site host: not even robots.txt
    assert other.log == []
    # the other format of the one report in two formats is not downloaded
    assert "/zwgk/zfxxgknb/202303/P020230310002.pdf" not in paths
    # the user agent names the project
    assert all(h.headers["user-agent"].startswith("xxgk-fetch/") for h in log)


def test_failures_carry_their_reasons(crawl):
    site, res, rows, *_ = crawl
    u = site.portal.url
    assert _row(rows, u("/zwgk/zfxxgknb/202203/t20220301_0801.html"))["reason"] == "HTTP 404 (dead link)"
    assert "stub that redirects to" in _row(rows, u("/zwgk/zfxxgknb/202301/t20230105_0903.html"))["reason"]
    stub = _row(rows, u("/zwgk/zfxxgknb/202201/t20220105_0804.html"))
    assert stub["reason"] == "not a report file: 2-byte stub (magic bytes 0d 0a)" and stub["saved_path"] == ""
    failed = dict(res.failed)
    assert failed[u("/zwgk/zfxxgknb/202203/t20220301_0801.html")] == "HTTP 404 (dead link)"
    assert len(res.failed) == 4  # 404, deleted stub, 2-byte stub, the WAF's challenge


def test_dead_link_not_retried(crawl):
    _site, _res, _rows, log, *_ = crawl
    assert len([h for h in log if h.path == "/zwgk/zfxxgknb/202203/t20220301_0801.html"]) == 1


def test_challenge_stops_the_host(crawl):
    *_, (waf, log1) = crawl
    _site, res = crawl[0], crawl[1]
    assert [h.path for h in log1] == ["/robots.txt", "/zwgk/nb/index.html", "/zwgk/nb/202403/t20240308_8001.html"]
    assert log1[-1].status == 521
    assert "browser challenge" in res.stopped_hosts[waf.host] and "HTTP 521" in res.stopped_hosts[waf.host]
    waf_col = res.columns[5]
    assert (waf_col.failed, waf_col.pending) == (1, 1)


def test_report_linked_twice_saved_once(crawl):
    site, _res, rows, log, *_ = crawl
    url = site.portal.url("/zwgk/zfxxgknb/202401/t20240115_1003.html")
    both = [r for r in rows if r["article_url"] == url]
    assert [r["column"] for r in both] == site.columns[:2]
    assert [r["status"] for r in both] == ["saved", "skipped"]
    assert both[0]["saved_path"] == both[1]["saved_path"] and "kept once" in both[1]["reason"]
    assert len([h for h in log if h.path == "/zwgk/zfxxgknb/202401/t20240115_1003.html"]) == 1
    assert len([h for h in log if h.path.endswith("P020240115512345678901.pdf")]) == 1


def test_gbk_page_saved_as_served_with_its_guesses(crawl):
    site, _res, rows, _, _, _, _, out, *_ = crawl
    r = _row(rows, site.portal.url("/zwgk/zfxxgknb/202403/t20240308_1001.html"))
    assert (r["year"], r["agency"]) == ("2023", "示例县")
    data = (out / r["saved_path"]).read_bytes()
    assert "收到和处理政府信息公开申请情况".encode("gb18030") in data  # the GBK bytes, unchanged
    jd = _row(rows, site.portal.url("/art/2024/3/3/art_123_5002.html"))
    assert (jd["year"], jd["agency"]) == ("2023", "示例县第3街道办事处")


def test_manifest_rows_complete(crawl):
    site, _res, rows, *_ = crawl
    assert list(rows[0].keys())[:14] == [
        "column", "list_page", "article_url", "title", "year", "agency", "file_url", "saved_path", "sha256",
        "content_type", "size", "status", "reason", "fetched_at",
    ]  # fmt: skip
    r = _row(rows, site.portal.url("/zwgk/zfxxgknb/202401/t20240115_1003.html"))
    assert r["list_page"] == site.columns[0]
    assert r["file_url"] == site.portal.url("/zwgk/zfxxgknb/202401/P020240115512345678901.pdf")
    assert r["content_type"] == "application/pdf" and int(r["size"]) == len(site.files[r["file_url"]])
    assert r["fetched_at"].endswith("Z") and len(r["sha256"]) == 64


def test_rerun_fetches_only_what_is_new(crawl):
    site, _res, rows, _log1, log2, res2, rows2, out, *_ = crawl
    # list pages are asked again, conditionally (If-None-Match) where the server gave an ETag
    lists2 = [(h.path, h.status) for h in log2 if not h.path.startswith(("/zwgk/zfxxgknb/2024", "/robots"))]
    assert lists2[:5] == [
        ("/zwgk/zfxxgknb/index.html", 200),  # changed: one new report
        ("/xxgk/nb/list.html", 304),  # unchanged, nothing new: the walk of this column ends here
        ("/col/col123/index.html", 200),
        ("/gkmlpt/api/all/77?page=1", 200),
        ("/zfxxgk/nb5/index.html", 200),
    ]
    # page 1 had something new: the rest is checked (the two pages' order is their tasks' order, which follows
    # where the first run was killed and resumed)
    assert sorted(lists2[5:]) == [("/zwgk/zfxxgknb/index_1.html", 304), ("/zwgk/zfxxgknb/index_2.html", 304)]
    assert all("if-none-match" in h.headers for h in log2 if h.path.startswith(("/xxgk/", "/zwgk/zfxxgknb/index")))
    # no article or file saved before is requested again; the new report is
    again = [h.path for h in log2 if h.status == 200 and h.method == "GET"]
    saved_before = {r["article_url"].split("//", 1)[1].split("/", 1)[1] for r in rows if r["status"] == "saved"}
    assert not ({"/" + s for s in saved_before} & set(again))
    assert "/zwgk/zfxxgknb/202404/t20240401_1100.html" in again
    assert not any(p.endswith((".pdf", ".docx", ".doc", ".xlsx")) or "downfile" in p for p in again)
    new = _row(rows2, site.portal.url("/zwgk/zfxxgknb/202404/t20240401_1100.html"))
    assert new["status"] == "saved" and (out / new["saved_path"]).exists()
    # the TRS column was walked to its end before: its first page had one new item, so page 2 is asked
    # (nothing new there: the walk ends); the dead link is final, not asked again
    assert "/zwgk/zfxxgknb/202203/t20220301_0801.html" not in again
    assert res2.columns[0].saved == 1 and res2.columns[0].new == 1
    # the WAF host is tried again and still answers with its challenge
    assert res2.stopped_hosts
