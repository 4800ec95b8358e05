"""Fixture portals for the fetch tests, built on tests/portal.py: every list shape of the real
portals (TRS createPageHTML, 下一页/尾页 links, Hanweb jpage dataproxy.jsp, gkmlpt JSON API,
page-1-static + search API), every way an article carries its report, and the noise.

The report files here are synthetic stand-ins (labelled 测试 in their text): real magic bytes and
enough body to be told from a stub; the --ingest test serves the real reports instead."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

from tests.portal import Portal

ZH = "text/html; charset=utf-8"


# --- synthetic report files ---------------------------------------------------------------------


def fake_pdf(tag: str) -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Title ("
        + tag.encode()
        + b" test) >> endobj\n"
        + b"0" * 300
        + b"\n%%EOF\n"
    )


def fake_docx(tag: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document><w:body>测试 {tag}</w:body></w:document>")
    return buf.getvalue()


def fake_xlsx(tag: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", f"<workbook>{tag}</workbook>")
    return buf.getvalue()


def fake_ole(tag: str) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tag.encode() + b"\x00" * 400


def inline_report(title: str, charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>
<meta name="ArticleTitle" content="{title}"></head><body>
<div class="nav"><a href="/">首页</a></div><h1>{title}</h1>
<p>（测试）本报告依据《中华人民共和国政府信息公开条例》编制。</p>
<p>三、收到和处理政府信息公开申请情况</p>
<table><tr><td>本年新收政府信息公开申请数量</td><td>12</td></tr></table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table><tr><td>行政复议</td><td>1</td></tr><tr><td>行政诉讼</td><td>0</td></tr></table>
</body></html>"""


def article(title: str, body_html: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_示例县人民政府</title>
</head><body><div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
<div class="article"><h1>{title}</h1><div class="content">{body_html}</div></div>
<div class="footer"><a href="/about.html">关于我们</a></div></body></html>"""


def list_page(items: list[tuple[str, str]], extra: str = "", head_script: str = "") -> str:
    lis = "\n".join(
        f'<li><a href="{href}" title="{title}">{title}</a><span>2024-03-08</span></li>' for href, title in items
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>
<div class="side"><ul><li><a href="/xwdt/202403/t20240301_9001.html">示例县召开春耕生产工作会议</a></li></ul></div>
<div class="list"><ul>{lis}</ul></div>{extra}
<script>{head_script}</script></body></html>"""


@dataclass
class Site:
    """The portal and what the tests expect of it: item URL → (status, what)."""

    portal: Portal
    columns: list[str] = field(default_factory=list)
    expect: dict[str, tuple[str, str]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # file URL → the bytes served


def build(p: Portal, other: Portal, waf: Portal) -> Site:
    """The main fixture portal `p`, an off-site host `other`, and a host behind a WAF `waf`."""
    s = Site(p)
    p.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    other.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    _trs(s)
    _links(s, other)
    _jpage(s)
    _gkmlpt(s)
    _search(s)
    _waf(s, waf)
    return s


def _file(s: Site, path: str, data: bytes, ct: str = "application/octet-stream", **kw) -> str:
    url = s.portal.add(path, data, content_type=ct, **kw)
    s.files[url] = data
    return url


def _trs(s: Site) -> None:
    """Column 1, TRS WCM: index.html, index_1.html, index_2.html; the count only in createPageHTML."""
    p = s.portal
    base = "/zwgk/zfxxgknb/"
    s.columns.append(p.url(base + "index.html"))
    page0 = [
        ("./202403/t20240308_1001.html", "示例县2023年政府信息公开工作年度报告"),
        ("./202402/t20240201_1002.html", "关于报送2023年度政府信息公开工作年度报告的通知"),
        ("./202401/t20240115_1003.html", "示例县财政局2023年政府信息公开工作年度报告"),
        ("/private/202401/t20240110_1004.html", "示例县审计局2023年政府信息公开工作年度报告"),
    ]
    page1 = [
        ("./202303/t20230310_0901.html", "示例县2022年政府信息公开工作年度报告"),
        ("./202302/t20230201_0902.html", "示例县教育局2022年政府信息公开工作年度报告"),
        ("./202301/t20230105_0903.html", "示例县民政局2022年政府信息公开工作年度报告"),
    ]
    page2 = [
        ("./202203/t20220301_0801.html", "示例县交通局2021年政府信息公开工作年度报告"),
        ("./202202/t20220210_0802.html", "示例县2021年政府信息公开工作年度报告"),
        ("./202201/t20220120_0803.html", "示例县水利局2021年政府信息公开工作年度报告"),
        ("./202201/t20220105_0804.html", "示例县卫健委2021年政府信息公开工作年度报告"),
    ]
    js = 'var countPage = 3;//共多少页\ncreatePageHTML(countPage, {cur}, "index", "html");'
    p.add(base + "index.html", list_page(page0, head_script=js.format(cur=0)), etag=True)
    p.add(base + "index_1.html", list_page(page1, head_script=js.format(cur=1)), etag=True)
    p.add(base + "index_2.html", list_page(page2, head_script='createPageHTML(3, 2, "index", "html");'), etag=True)
    e = s.expect
    # GBK article with the report inline
    title = "示例县2023年政府信息公开工作年度报告"
    p.add(
        base + "202403/t20240308_1001.html",
        inline_report(title, "gb2312").encode("gb18030"),
        content_type="text/html",
    )
    e[p.url(base + "202403/t20240308_1001.html")] = ("saved", "html")
    e[p.url(base + "202402/t20240201_1002.html")] = ("skipped", "notice")  # never requested
    p.add(base + "202402/t20240201_1002.html", article("关于报送…的通知", "<p>各单位：请于1月31日前报送。</p>"))
    # attachment, PDF, P0… name
    pdf = "/zwgk/zfxxgknb/202401/P020240115512345678901.pdf"
    p.add(
        base + "202401/t20240115_1003.html",
        article(
            "示例县财政局2023年政府信息公开工作年度报告",
            f'<p>附件：<a href="./{pdf.rsplit("/", 1)[1]}">示例县财政局2023年报.pdf</a></p>',
        ),
    )
    _file(s, pdf, fake_pdf("czj2023"), "application/pdf")
    e[p.url(base + "202401/t20240115_1003.html")] = ("saved", "pdf")
    p.add("/private/202401/t20240110_1004.html", article("x", "<p>secret</p>"))
    e[p.url("/private/202401/t20240110_1004.html")] = ("skipped", "robots")
    # one report in two formats: the .docx is kept
    p.add(
        base + "202303/t20230310_0901.html",
        article(
            "示例县2022年政府信息公开工作年度报告",
            '<a href="./P020230310001.docx">下载Word</a> <a href="./P020230310002.pdf">下载PDF</a>',
        ),
    )
    _file(s, base + "202303/P020230310001.docx", fake_docx("xian2022"))
    _file(s, base + "202303/P020230310002.pdf", fake_pdf("xian2022"), "application/pdf")
    e[p.url(base + "202303/t20230310_0901.html")] = ("saved", "docx")
    # onclick / window.open to a .doc
    p.add(
        base + "202302/t20230201_0902.html",
        article(
            "示例县教育局2022年政府信息公开工作年度报告",
            "<p><span onclick=\"window.open('/attach/0/jyj2022.doc')\">点击下载附件</span></p>",
        ),
    )
    _file(s, "/attach/0/jyj2022.doc", fake_ole("jyj2022"), "application/msword")
    e[p.url(base + "202302/t20230201_0902.html")] = ("saved", "doc")
    # a deleted article: a meta-refresh stub
    p.add(
        base + "202301/t20230105_0903.html",
        '<html><head><meta http-equiv="refresh" content="0;url=/404.html"></head><body></body></html>',
    )
    e[p.url(base + "202301/t20230105_0903.html")] = ("failed", "deleted")
    # page 2: dead link; extension-less download named by Content-Disposition; viewer iframe; stub
    e[p.url(base + "202203/t20220301_0801.html")] = ("failed", "404")
    p.add(
        base + "202202/t20220210_0802.html",
        article(
            "示例县2021年政府信息公开工作年度报告",
            '<a href="/module/download/downfile.jsp?classid=0&id=55">附件下载</a>',
        ),
    )
    _file(
        s,
        "/module/download/downfile.jsp",
        fake_ole("xian2021"),
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''%E7%A4%BA%E4%BE%8B%E5%8E%BF2021%E5%B9%B4%E6%8A%A5.wps"
        },
    )
    e[p.url(base + "202202/t20220210_0802.html")] = ("saved", "wps")
    p.add(
        base + "202201/t20220120_0803.html",
        article(
            "示例县水利局2021年政府信息公开工作年度报告",
            '<iframe src="/pdfjs/web/viewer.html?file=%2Fattach%2F1%2FP020220120.pdf" width="100%"></iframe>',
        ),
    )
    _file(s, "/attach/1/P020220120.pdf", fake_pdf("slj2021"), "application/pdf")
    e[p.url(base + "202201/t20220120_0803.html")] = ("saved", "pdf")
    p.add(
        base + "202201/t20220105_0804.html",
        article("示例县卫健委2021年政府信息公开工作年度报告", '<a href="./P020220105.pdf">附件</a>'),
    )
    _file(s, base + "202201/P020220105.pdf", b"\r\n", "application/pdf")
    e[p.url(base + "202201/t20220105_0804.html")] = ("failed", "stub")


def _links(s: Site, other: Portal) -> None:
    """Column 2: plain 下一页 / 尾页 / numbered links; one report also listed in column 1; an
    off-site link; an .xlsx attachment."""
    p = s.portal
    base = "/xxgk/nb/"
    s.columns.append(p.url(base + "list.html"))
    pager = '<div class="page"><a href="list.html">首页</a> <a href="list.html">1</a> <a href="list_2.html">2</a> <a href="list_2.html">下一页</a> <a href="list_2.html">尾页</a></div>'
    pager2 = '<div class="page"><a href="list.html">首页</a> <a href="list.html">上一页</a> <a href="list.html">1</a> <a href="list_2.html">2</a></div>'
    off = other.url("/zwgk/202403/t20240301_7001.html")
    other.add("/zwgk/202403/t20240301_7001.html", inline_report("外县2023年政府信息公开工作年度报告"))
    items1 = [
        ("/zwgk/zfxxgknb/202401/t20240115_1003.html", "示例县财政局2023年政府信息公开工作年度报告"),
        (off, "外县2023年政府信息公开工作年度报告"),
    ]
    items2 = [("/xxgk/nb/202303/t20230302_2001.html", "示例县统计局2022年政府信息公开工作年度报告")]
    p.add(base + "list.html", list_page(items1, pager), etag=True)
    p.add(base + "list_2.html", list_page(items2, pager2), etag=True)
    s.expect[off] = ("skipped", "off-site")
    p.add(
        base + "202303/t20230302_2001.html",
        article("示例县统计局2022年政府信息公开工作年度报告", '<a href="/u/cms/tjj2022.xlsx">统计局年报.xlsx</a>'),
    )
    _file(s, "/u/cms/tjj2022.xlsx", fake_xlsx("tjj2022"))
    s.expect[p.url(base + "202303/t20230302_2001.html")] = ("saved", "xlsx")


JPAGE_RECORDS = 8


def _jpage(s: Site) -> None:
    """Column 3: Hanweb /col/col123/index.html; two records inline, the rest from dataproxy.jsp
    (POST) with the column's parameters read from the page."""
    p = s.portal
    s.columns.append(p.url("/col/col123/index.html"))
    recs = []
    for i in range(JPAGE_RECORDS):
        path = f"/art/2024/3/{i + 1}/art_123_{5000 + i}.html"
        title = f"示例县第{i + 1}街道办事处2023年政府信息公开工作年度报告"
        recs.append(
            f'<li><a href="{path}" title="{title}" target="_blank">{title}</a><span>2024-03-0{i + 1}</span></li>'
        )
        data = fake_pdf(f"jd{i}")
        _file(s, f"/picture/0/P0{i}.pdf", data, "application/pdf")
        p.add(path, article(title, f'<a href="/picture/0/P0{i}.pdf">{title}.pdf</a>'))
        s.expect[p.url(path)] = ("saved", "pdf")
    ng = (
        "/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=123&unitid=456"
        "&webname=%E7%A4%BA%E4%BE%8B%E5%8E%BF&permissiontype=0"
    )
    store = (
        f'<datastore><nextgroup><![CDATA[<a href="{ng}"></a>]]></nextgroup><recordset>'
        + "".join(f"<record><![CDATA[{r}]]></record>" for r in recs[:2])
        + "</recordset></datastore>"
    )
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>年报</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<div id="456"><script type="text/xml">{store}</script>
<script language="javascript" src="/module/jslib/jquery/jpage/dataproxy.js"></script>
<script>$(document).ready(function(){{ $('#456').jpage({{ dataStore: dataStore, perPage: 2, totalRecord: {JPAGE_RECORDS},
proxyUrl: '/module/web/jpage/dataproxy.jsp' }}); }});</script></div></body></html>"""
    p.add("/col/col123/index.html", page)

    def proxy(method, query, form):
        if method != "POST" or form.get("columnid") != "123" or form.get("unitid") != "456":
            return 400, {"Content-Type": "text/plain"}, b"missing column parameters"
        a, b = int(query["startrecord"]), int(query["endrecord"])
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><datastore>'
            f"<totalrecord>{JPAGE_RECORDS}</totalrecord><recordset>"
            + "".join(f"<record><![CDATA[{r}]]></record>" for r in recs[a - 1 : b])
            + "</recordset></datastore>"
        )
        return 200, {"Content-Type": "text/xml; charset=UTF-8"}, body.encode("utf-8")

    p.add("/module/web/jpage/dataproxy.jsp", handler=proxy)


def _gkmlpt(s: Site) -> None:
    """Column 4: gkmlpt JSON API, 5 articles, 2 per page; the column URL is the script page's."""
    p = s.portal
    s.columns.append(p.url("/gkmlpt/index#77"))
    arts = []
    for i in range(5):
        path = f"/gkmlpt/content/9/{9500 + i}/post_{9500 + i}.html"
        title = f"示例县第{i + 1}局{2019 + i}年度政府信息公开工作年度报告"
        arts.append({"id": 9500 + i, "title": title, "url": p.url(path) + "#77", "date": 1709856000})
        p.add(path, inline_report(title))
        s.expect[p.url(path)] = ("saved", "html")

    def api(method, query, form):
        n = int(query.get("page", 1))
        body = {"articles": arts[(n - 1) * 2 : n * 2], "total": len(arts), "page_size": 2, "page": n}
        return 200, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False).encode()

    p.add("/gkmlpt/api/all/77", handler=api)


def _search(s: Site) -> None:
    """Column 5: page 1 static; pages 2-3 from a search API named in the page's script."""
    p = s.portal
    base = "/zfxxgk/nb5/"
    s.columns.append(p.url(base + "index.html"))
    titles = [f"示例县第{i}乡2023年政府信息公开工作年度报告" for i in range(1, 6)]
    paths = [f"{base}202403/t202403{10 + i}_{6000 + i}.html" for i in range(5)]
    for path, title in zip(paths, titles):
        p.add(path, inline_report(title))
        s.expect[p.url(path)] = ("saved", "html")
    extra = '<div class="page"><a href="javascript:void(0)">1</a> <a href="javascript:goPage(2)">下一页</a></div>'
    js = 'var totalPage = 3;\nvar searchUrl = "/irs/front/search?channelId=55&pageSize=2";\nfunction goPage(n){ load(searchUrl + "&page=" + n); }'
    p.add(base + "index.html", list_page(list(zip(paths[:1], titles[:1])), extra, js))

    def search(method, query, form):
        n = int(query.get("page", 1))
        rows = [{"title": t, "url": u} for u, t in zip(paths, titles)][1 + (n - 2) * 2 : 1 + (n - 1) * 2]
        body = {"data": {"list": rows, "pager": {"pageCount": 3}}}
        return 200, {"Content-Type": "application/json;charset=UTF-8"}, json.dumps(body, ensure_ascii=False).encode()

    p.add("/irs/front/search", handler=search)


WAF_SCRIPT = b"<html><head><script>var _0x=['cookie'];document.cookie='__jsl_clearance=1';location.reload();</script></head></html>"


def _waf(s: Site, waf: Portal) -> None:
    """Column 6 on another host: its list is readable, its first article answers 521 with a script;
    the host is stopped and its other article is left pending."""
    waf.add("/robots.txt", b"", content_type="text/plain")
    s.columns.append(waf.url("/zwgk/nb/index.html"))
    items = [
        ("/zwgk/nb/202403/t20240308_8001.html", "某区2023年政府信息公开工作年度报告"),
        ("/zwgk/nb/202303/t20230308_8002.html", "某区2022年政府信息公开工作年度报告"),
    ]
    waf.add("/zwgk/nb/index.html", list_page(items))
    waf.add(items[0][0], WAF_SCRIPT, status=521)
    waf.add(items[1][0], inline_report(items[1][1]))
    s.expect[waf.url(items[0][0])] = ("failed", "challenge")
    s.expect[waf.url(items[1][0])] = ("pending", "stopped")
