"""Reading list pages and articles (pipelines.fetch.lists / article / classify / dom) on small pages
in the portals' shapes."""

from __future__ import annotations

import json

import pytest

from pipelines.fetch import classify, dom, lists
from pipelines.fetch.article import choose, parse_article
from pipelines.fetch.crawl import _disposition_name
from pipelines.fetch.dom import Link
from pipelines.fetch.lists import Req, parse_list

BASE = "http://www.example.gov.cn/zwgk/nb/index.html"


@pytest.mark.parametrize(
    "title, kind",
    [
        ("平潭综合实验区2024年度政府信息公开工作年度报告", classify.REPORT),
        ("XX市财政局政府信息公开年报（2023年）", classify.REPORT),
        ("关于报送2023年度政府信息公开工作年度报告的通知", classify.NOT_REPORT),
        ("图解：XX县2023年政府信息公开工作年度报告", classify.NOT_REPORT),
        ("XX县2023年政务公开工作要点", classify.NOT_REPORT),
        ("XX县2023年法治政府建设年度报告", classify.NOT_REPORT),
        ("XX县人民政府办公室2023年政府信息公开工作年...", classify.MAYBE),
        ("", classify.MAYBE),
    ],
)
def test_title_kind(title, kind):
    assert classify.title_kind(title) == kind


@pytest.mark.parametrize(
    "title, year, agency",
    [
        ("平潭综合实验区2024年度政府信息公开工作年度报告", 2024, "平潭综合实验区"),
        ("淮安市洪泽区人民政府２０２４年政府信息公开工作年度报告", 2024, "淮安市洪泽区人民政府"),
        ("XX市财政局政府信息公开工作年度报告（2023年）", 2023, "XX市财政局"),
        ("2023年度政府信息公开工作年度报告", 2023, None),
    ],
)
def test_year_and_agency_from_the_title(title, year, agency):
    assert (classify.guess_year(title), classify.guess_agency(title)) == (year, agency)


def test_sniff_by_bytes_not_name():
    assert classify.sniff(b"%PDF-1.7\n" + b"0" * 100, "report.doc").kind == "pdf"
    assert classify.sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "年报.wps").kind == "wps"
    assert classify.sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "download").kind == "doc"
    assert classify.sniff(b"<!DOCTYPE html><html>", "P020.pdf").kind == "html"  # an error page under a .pdf name
    assert classify.sniff(b"\r\n", "P020.pdf").kind is None


def test_create_page_html_variants():
    html = '<html><body><script>createPageHTML("page_div", 4, 1, "index", "shtml", 37);</script></body></html>'
    page = parse_list(
        html.encode(), "http://h.gov.cn/a/b/index_1.shtml", "text/html", Req("http://h.gov.cn/a/b/index_1.shtml")
    )
    assert page.shape == "createPageHTML"
    assert [r.url for r in page.pages] == [
        "http://h.gov.cn/a/b/index.shtml",
        "http://h.gov.cn/a/b/index_1.shtml",
        "http://h.gov.cn/a/b/index_2.shtml",
        "http://h.gov.cn/a/b/index_3.shtml",
    ]


def test_pager_links_stay_in_the_column_folder():
    html = """<html><body><ul><li><a href="./202401/t20240101_1.html">某局2023年政府信息公开工作年度报告</a></li></ul>
    <a href="index_2.html">下一页</a> <a href="index_9.html">尾页</a> <a href="/other/index_2.html">2</a>
    <a href="javascript:goPage(3)">3</a></body></html>"""
    page = parse_list(html.encode(), BASE, "text/html", Req(BASE))
    assert page.shape == "links"
    assert [r.url for r in page.pages] == [
        "http://www.example.gov.cn/zwgk/nb/index_2.html",
        "http://www.example.gov.cn/zwgk/nb/index_9.html",
    ]
    assert page.items == [
        Link("http://www.example.gov.cn/zwgk/nb/202401/t20240101_1.html", "某局2023年政府信息公开工作年度报告")
    ]


def test_truncated_list_title_uses_the_title_attribute():
    html = '<ul><li><a href="./202401/t20240101_1.html" title="某县人民政府办公室2023年政府信息公开工作年度报告">某县人民政府办公室2023年政府信...</a></li></ul>'
    page = parse_list(html.encode(), BASE, "text/html", Req(BASE))
    assert page.items[0].title == "某县人民政府办公室2023年政府信息公开工作年度报告"


def test_json_list_api_pages_from_its_total():
    body = json.dumps(
        {
            "data": {"rows": [{"DOCTITLE": "甲局2023年政府信息公开工作年度报告", "DOCPUBURL": "/c/1.html"}]},
            "total": 25,
            "pageSize": 10,
        }
    )
    req = Req("http://h.gov.cn/api/list?channel=3&pageNo=1")
    page = parse_list(body.encode(), req.url, "application/json", req)
    assert page.items == [Link("http://h.gov.cn/c/1.html", "甲局2023年政府信息公开工作年度报告")]
    assert [r.url for r in page.pages] == ["http://h.gov.cn/api/list?channel=3&pageNo=2"]
    last = page.pages[0]
    page3 = parse_list(body.encode(), last.url, "application/json", lists.next_request(last) or last)
    assert page3.pages == []  # page 3 of 3


def test_gkmlpt_column_url_becomes_its_api():
    assert (
        lists.start_request("http://www.gz.gov.cn/gkmlpt/index#2847").url
        == "http://www.gz.gov.cn/gkmlpt/api/all/2847?page=1"
    )


def test_article_inline_attachments_and_stub():
    inline = (
        "<html><body><h1>某局2023年政府信息公开工作年度报告</h1><p>收到申请</p><p>行政复议 行政诉讼</p></body></html>"
    )
    a = parse_article(inline.encode(), BASE)
    assert a.inline and a.title == "某局2023年政府信息公开工作年度报告"
    stub = '<html><head><meta http-equiv="refresh" content="0; url=\'/404.html\'"></head><body>页面不存在</body></html>'
    assert parse_article(stub.encode(), BASE).refresh_to == "http://www.example.gov.cn/404.html"
    links = """<html><body><h1>x</h1>
      <a href="#" onclick="downloadFile('/u/file/2024.docx')">下载</a>
      <iframe src="/pdfjs/web/viewer.html?file=/u/file/2024.pdf"></iframe>
      <a href="/servlet/DownloadServlet?fileId=99">附件</a></body></html>"""
    got = parse_article(links.encode(), BASE).attachments
    # onclick and the viewer show one report (2024.docx / 2024.pdf: the .docx is kept); the servlet
    # link without an extension is another file
    assert [ln.url for ln in got] == [
        "http://www.example.gov.cn/u/file/2024.docx",
        "http://www.example.gov.cn/servlet/DownloadServlet?fileId=99",
    ]


def test_attachment_choice_keeps_one_format_per_report():
    a = [
        Link("http://h/P1.pdf", "年报.pdf"),
        Link("http://h/P1.docx", "年报.docx"),
        Link("http://h/P1.doc", "年报.doc"),
    ]
    assert [ln.url for ln in choose(a)] == ["http://h/P1.docx"]
    two = [Link("http://h/a.pdf", "甲局年报.pdf"), Link("http://h/b.pdf", "乙局年报.pdf")]
    assert choose(two) == two  # two reports of one format: both kept


def test_content_disposition_names():
    assert _disposition_name("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    raw_gbk = "年报.doc".encode("gbk").decode("latin-1")
    assert _disposition_name(f'attachment; filename="{raw_gbk}"') == "年报.doc"
    assert _disposition_name('attachment; filename="%E5%B9%B4%E6%8A%A5.xls"') == "年报.xls"
    assert _disposition_name(None) is None


def test_challenge_page_recognised():
    waf = b"<html><script>document.cookie='x=1';location.reload()</script></html>"
    assert dom.is_challenge_page(waf, BASE)
    assert not dom.is_challenge_page(b"<html><body><a href='/'>home</a><script>x()</script></body></html>", BASE)


def test_links_resolve_against_the_page_base():
    html = '<html><head><base href="http://www.example.gov.cn/xxgk/"></head><body><ul><li><a href="202401/t20240101_1.html">某局2023年政府信息公开工作年度报告</a></li></ul></body></html>'
    page = parse_list(html.encode(), BASE, "text/html", Req(BASE))
    assert [ln.url for ln in page.items] == ["http://www.example.gov.cn/xxgk/202401/t20240101_1.html"]
    art = '<html><head><base href="/files/"></head><body><h1>x</h1><a href="nb2023.pdf">附件</a></body></html>'
    assert [ln.url for ln in parse_article(art.encode(), BASE).attachments] == [
        "http://www.example.gov.cn/files/nb2023.pdf"
    ]
