"""A column's list pages, in every shape the portals use, read into item links and further list
requests.

Shapes (detected in this order on an HTML page; a JSON or XML answer is read as such):

- **jpage** (大汉 Hanweb ``/col/col<N>/index.html``): the records sit in ``<script type="text/xml">``
  as ``<record><![CDATA[<li>…]]></record>``; the rest come from ``/module/web/jpage/dataproxy.jsp``
  (POST, ``startrecord/endrecord/perpage`` in the query, the column's parameters — read from the
  page's ``<nextgroup>`` link — as the form), answered in the same XML.
- **createPageHTML** (TRS WCM): ``index.html``, ``index_1.html``…; the page count exists only in a
  script call ``createPageHTML(pages, current, "index", "html")``.
- **links**: 下一页 / 尾页 / numbered links to pages under the column's path.
- **search API**: page 1 static, later pages from a search or API URL named in the page's script
  (``page=N`` set on it), answered in JSON or HTML.
- **JSON list API** (e.g. ``gkmlpt/api/all/<catid>?page=N``): the list of objects with a title and
  a URL, and the page count from its total.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipelines import settings
from pipelines.fetch import dom
from pipelines.fetch.classify import DOC_EXTS, REPORT, name_ext, title_kind
from pipelines.fetch.dom import Link

PAGER_WORDS = {
    "下一页",
    "下页",
    "尾页",
    "末页",
    "最后一页",
    "上一页",
    "上页",
    "首页",
    "第一页",
    "后页",
    "前页",
    ">",
    ">>",
    "»",
    "›",
}
PAGE_PARAMS = ("page", "pageNo", "pageNum", "pageIndex", "currentPage", "curPage", "p")
_ARTICLE_URL = re.compile(
    r"(/t\d{8}_\d+\.s?html?$)|(/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$)|(post_\d+\.html?$)"
    r"|(content_\d+\.s?html?$)|(/\d{6}/[^/]+\.s?html?$)|(/(detail|info|article|show|view)[^/]*\?.*id=)",
    re.IGNORECASE,
)
_DOWNLOAD_URL = re.compile(r"(download|downfile|attach|getfile|fileid|attachid)", re.IGNORECASE)
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_JS_INT_VAR = re.compile(r"\b(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=\s*(\d+)\s*[;,\n]")
_PAGE_COUNT = re.compile(r"(?:pageCount|totalPages?|countPage|pageTotal|pagecount|totalpage)\s*[=:]\s*['\"]?(\d+)")
_PER_PAGE = re.compile(r"(?:perPage|perpage|pageSize|pagesize)\s*[=:]\s*['\"]?(\d+)")
_TOTAL_RECORD = re.compile(r"(?:totalRecord|totalrecord|recordCount|totalCount)\s*[=:]\s*['\"]?(\d+)")
_API_PATH = re.compile(r"(search|/api/|\.do\b|\.action\b|dataproxy|list\.json|\.jsp)", re.IGNORECASE)
MAX_PAGES = settings.FETCH_MAX_PAGES  # per column, against a pager that never ends


@dataclass(frozen=True)
class Req:
    """A list request: GET a URL, or POST a form (the jpage data endpoint)."""

    url: str
    method: str = "GET"
    data: tuple[tuple[str, str], ...] = ()
    pager: str | None = None  # JSON: how to ask for the page after this one (see next_request)

    @property
    def key(self) -> str:
        return self.url if self.method == "GET" else f"{self.method} {self.url} {urlencode(self.data)}"


@dataclass
class ListPage:
    shape: str
    items: list[Link] = field(default_factory=list)
    pages: list[Req] = field(default_factory=list)


def looks_like_document(url: str) -> bool:
    """A link straight to a file (an extension of a report's formats, or a download endpoint)."""
    parts = urlsplit(url)
    if name_ext(parts.path) in DOC_EXTS:
        return True
    q = dict(parse_qsl(parts.query))
    if any(name_ext(v) in DOC_EXTS for v in q.values()):
        return True
    return bool(_DOWNLOAD_URL.search(parts.path)) or any(_DOWNLOAD_URL.search(k) for k in q)


def looks_like_article(url: str) -> bool:
    return bool(_ARTICLE_URL.search(url))


def in_dir(url: str, prefix: str) -> bool:
    """Same scheme+host and under the column's folder."""
    return url.startswith(prefix)


def column_dir(url: str) -> str:
    """The folder of a column URL (``http://h/a/b/index.html`` → ``http://h/a/b/``)."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def start_request(url: str) -> Req:
    """The first request of a column. A gkmlpt page (``…/gkmlpt/index#<catid>``) is a script
    application; its list is the JSON API ``…/gkmlpt/api/all/<catid>?page=1``."""
    parts = urlsplit(url.strip())
    if "gkmlpt" in parts.path and parts.fragment.isdigit():
        base = parts.path.split("gkmlpt", 1)[0] + "gkmlpt"
        api = urlunsplit((parts.scheme, parts.netloc, f"{base}/api/all/{parts.fragment}", "page=1", ""))
        return Req(dom.clean_url(api), pager=_pager(api, 1, None))
    return Req(dom.clean_url(url))


# --- dispatch ------------------------------------------------------------------------------------


def parse_list(body: bytes, url: str, content_type: str | None, req: Req) -> ListPage:
    """The items and further list requests of one answer to a list request."""
    head = body[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    ct = (content_type or "").lower()
    if "json" in ct or head.startswith((b"{", b"[")):
        return _parse_json(body, url, req)
    if head.startswith((b"<?xml", b"<datastore")):
        return _parse_datastore_answer(body, url, req)
    root = dom.parse_html(body, url)
    page = _parse_html(root, dom.base_url(root, url))
    if req.pager:  # a page of a search API answered in HTML: its pager continues the walk
        page.shape = "search-api"
        if page.items:
            page.pages = [r for r in [next_request(req)] if r]
    return page


def _parse_html(root, url: str) -> ListPage:
    items = _anchor_items(root, url)
    jpage = _jpage(root, url)
    if jpage is not None:
        jpage.items = _dedupe(jpage.items + items)
        return jpage
    pages = _create_page_html(root, url)
    if pages:
        return ListPage("createPageHTML", items, pages)
    pages = _pager_links(root, url)
    if pages:
        return ListPage("links", items, pages)
    search = _search_api(root, url)
    if search:
        return ListPage("search-api", items, search)
    return ListPage("static", items, [])


def _dedupe(links: list[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for ln in links:
        if ln.url not in seen or len(ln.title) > len(seen[ln.url].title):
            seen[ln.url] = ln
    return list(seen.values())


# --- items ---------------------------------------------------------------------------------------


def _anchor_items(root, base: str) -> list[Link]:
    """The column's items on a page: links to articles or files in the page's main list (the list
    element holding most of them), and any link titled as a report wherever it is. Navigation
    (menus, footers, pagers) and side boxes of other news are left alone."""
    found = []
    for a in root.iter("a"):
        url = dom.resolve(base, a.get("href"))
        if not url:
            continue
        title = dom.link_title(a)
        if title in PAGER_WORDS or title.isdigit():
            continue
        report = title_kind(title) == REPORT
        if report or looks_like_article(url) or looks_like_document(url):
            found.append((a, Link(url, title), report))
    score: dict[int, tuple[int, int]] = {}  # container → (report-titled links, links)
    boxes = []
    for a, _, report in found:
        box = _container(a)
        boxes.append(box)
        r, n = score.get(id(box), (0, 0))
        score[id(box)] = (r + report, n + 1)
    best = max(score, key=lambda k: score[k]) if score else None
    out = [ln for (_, ln, report), box in zip(found, boxes) if report or id(box) == best]
    return _dedupe(out)


def _container(a):
    """The list an item link belongs to: its nearest <ul>/<ol>/<table>/<dl>, else its grandparent."""
    node = a.getparent()
    for _ in range(6):
        if node is None:
            break
        if node.tag in ("ul", "ol", "table", "dl"):
            return node
        node = node.getparent()
    p = a.getparent()
    return p.getparent() if p is not None and p.getparent() is not None else p


# --- TRS createPageHTML -------------------------------------------------------------------------


def _create_page_html(root, url: str) -> list[Req]:
    for code in dom.scripts(root):
        m = _CREATE_PAGE.search(code)
        if not m:
            continue
        vars_ = {k: int(v) for k, v in _JS_INT_VAR.findall(code)}
        args = [a.strip() for a in m.group(1).split(",")]
        ints = [int(a) if a.isdigit() else vars_.get(a) for a in args if a[:1] not in "'\""]
        strs = [a.strip("'\"") for a in args if a[:1] in "'\""]
        n = next((i for i in ints if i is not None), None)
        if n is None or len(strs) < 2:
            continue
        prefix, suffix = strs[-2], strs[-1]
        folder = column_dir(url)
        n = min(n, MAX_PAGES)
        return [Req(folder + (f"{prefix}.{suffix}" if k == 0 else f"{prefix}_{k}.{suffix}")) for k in range(n)]
    return []


# --- 下一页 / 尾页 / numbered links -----------------------------------------------------------------


def _pager_links(root, url: str) -> list[Req]:
    folder = column_dir(url)
    out = []
    for a in root.iter("a"):
        text = " ".join(a.text_content().split()).strip("[]【】 ")
        if text not in PAGER_WORDS and not text.isdigit():
            continue
        target = dom.resolve(url, a.get("href"))
        if target and in_dir(target, folder) and not looks_like_article(target) and target != url:
            out.append(Req(target))
    return list(dict.fromkeys(out))


# --- page 1 static + search API --------------------------------------------------------------------


def _search_api(root, url: str) -> list[Req]:
    """A search/API URL named in the page's script, when the page's own pager is script-only
    (``javascript:`` links, a page-count variable): pages 2.. are asked from it."""
    code = "\n".join(dom.scripts(root))
    js_pager = any((a.get("href") or "").strip().lower().startswith("javascript") for a in root.iter("a"))
    count = _PAGE_COUNT.search(code)
    if not (js_pager or count):
        return []
    host = dom.host_of(url)
    for s in dom.js_strings(code):
        if not _API_PATH.search(s) or s.endswith(".js"):
            continue
        target = dom.resolve(url, s)
        if target and dom.host_of(target) == host:
            last = int(count.group(1)) if count else None
            if last is not None and last < 2:
                return []
            return [Req(_with_page(target, 2), pager=_pager(target, 2, last))]
    return []


def _page_param(url: str) -> str:
    keys = {k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    return next((p for p in PAGE_PARAMS if p in keys), "page")


def _with_page(url: str, n: int, param: str | None = None) -> str:
    param = param or _page_param(url)
    parts = urlsplit(url)
    q = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param] + [(param, str(n))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), ""))


def _pager(url: str, n: int, last: int | None) -> str:
    return json.dumps({"url": url, "param": _page_param(url), "n": n, "last": last})


def next_request(req: Req, last: int | None = None) -> Req | None:
    """The page after `req` in a page-numbered API (None past the last page or the cap)."""
    if not req.pager:
        return None
    p = json.loads(req.pager)
    last = last if last is not None else p.get("last")
    n = p["n"] + 1
    if (last is not None and n > last) or n > MAX_PAGES:
        return None
    return Req(_with_page(p["url"], n, p["param"]), pager=json.dumps({**p, "n": n, "last": last}))


# --- JSON list APIs -----------------------------------------------------------------------------

_TITLE_KEYS = ("title", "TITLE", "DOCTITLE", "doctitle", "name", "subject", "Title")
_URL_KEYS = ("url", "URL", "link", "href", "DOCPUBURL", "docpuburl", "pubUrl", "linkUrl", "path", "Url")
_PAGES_KEYS = ("totalPage", "totalPages", "total_page", "pageCount", "page_count", "pages", "totalpage", "pagecount")
_TOTAL_KEYS = ("total", "totalCount", "total_count", "totalRecord", "recordCount", "count", "totalrecord")
_SIZE_KEYS = ("pageSize", "page_size", "perPage", "perpage", "size", "limit", "rows")


def _walk_json(node, depth: int = 0):
    if depth > 6:
        return
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for c in children:
        if isinstance(c, (dict, list)):
            yield from _walk_json(c, depth + 1)


def _record_link(rec: dict, base: str) -> Link | None:
    title = next((rec[k] for k in _TITLE_KEYS if isinstance(rec.get(k), str)), None)
    href = next((rec[k] for k in _URL_KEYS if isinstance(rec.get(k), str)), None)
    url = dom.resolve(base, href) if href else ""
    if not title or not url:
        return None
    return Link(url, " ".join(dom.parse_fragment(title).text_content().split()))


def _int_key(data, keys) -> int | None:
    for node in _walk_json(data):
        if isinstance(node, dict):
            for k in keys:
                v = node.get(k)
                if isinstance(v, int) or (isinstance(v, str) and v.isdigit()):
                    return int(v)
    return None


def _parse_json(body: bytes, url: str, req: Req) -> ListPage:
    try:
        data = json.loads(dom.to_text(body, url))
    except ValueError:
        return ListPage("json")
    best: list[Link] = []
    for node in _walk_json(data):
        if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
            links = [ln for ln in (_record_link(x, url) for x in node) if ln]
            if len(links) > len(best):
                best = links
    last = _int_key(data, _PAGES_KEYS)
    if last is None:
        total = _int_key(data, _TOTAL_KEYS)
        size = _int_key(data, _SIZE_KEYS) or len(best)
        if total is not None and size:
            last = -(-total // size)
    page = ListPage("json", _dedupe(best))
    if req.pager is None:  # the column URL was the API itself: number its pages from here
        req = Req(
            req.url, pager=_pager(req.url, int(dom.query_params(req.url).get(_page_param(req.url), 1) or 1), last)
        )
    nxt = next_request(req, last) if best else None
    page.pages = [nxt] if nxt else []
    return page


# --- jpage (Hanweb dataproxy.jsp) --------------------------------------------------------------


def _records(store, base: str) -> list[Link]:
    out: list[Link] = []
    for rec in store.iter("record"):
        frag = dom.parse_fragment(rec.text or "")
        out.extend(_anchor_items(frag, base))
    return out


def _jpage(root, url: str) -> ListPage | None:
    stores = [s for s in (dom.parse_xml(x) for x in dom.xml_scripts(root) if "datastore" in x) if s is not None]
    if not stores:
        return None
    store = stores[0]
    items = _records(store, url)
    code = "\n".join(dom.scripts(root))
    proxy, params = _proxy_params(store, code, url)
    if not proxy:
        return ListPage("jpage", items, [])
    per = _first_int(_PER_PAGE, code) or 15
    total = _first_int(_TOTAL_RECORD, code)
    group = per * 3  # jpage asks three pages of records at a time
    starts = range(1, (total or group) + 1, group)
    pages = [_proxy_req(proxy, params, s, group, per) for s in list(starts)[: MAX_PAGES // 3 + 1]]
    return ListPage("jpage", items, pages)


def _first_int(rx: re.Pattern, code: str) -> int | None:
    m = rx.search(code)
    return int(m.group(1)) if m else None


def _proxy_params(store, code: str, base: str) -> tuple[str | None, dict[str, str]]:
    """The data endpoint and the column's parameters: from the datastore's <nextgroup> link, else
    from a dataproxy.jsp URL in the page's script."""
    candidates = []
    for ng in store.iter("nextgroup"):
        frag = dom.parse_fragment(ng.text or "")
        candidates += [a.get("href") for a in frag.iter("a")]
    candidates += [s for s in dom.js_strings(code) if "dataproxy" in s]
    for c in candidates:
        target = dom.resolve(base, c)
        if target and "dataproxy" in target:
            parts = urlsplit(target)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            for k in ("startrecord", "endrecord", "perpage", "page"):
                params.pop(k, None)
            params.setdefault("col", "1")
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), params
    return None, {}


def _proxy_req(proxy: str, params: dict[str, str], start: int, group: int, per: int) -> Req:
    q = urlencode({"startrecord": start, "endrecord": start + group - 1, "perpage": per})
    return Req(f"{proxy}?{q}", method="POST", data=tuple(sorted(params.items())))


def _parse_datastore_answer(body: bytes, url: str, req: Req) -> ListPage:
    store = dom.parse_xml(body)
    if store is None:
        return ListPage("jpage")
    items = _records(store, url)
    page = ListPage("jpage", items)
    total = next((int(t.text) for t in store.iter("totalrecord") if (t.text or "").strip().isdigit()), None)
    q = dom.query_params(url)
    if req.method == "POST" and q.get("endrecord", "").isdigit():
        start, end, per = int(q["startrecord"]), int(q["endrecord"]), int(q.get("perpage") or 15)
        group = end - start + 1
        more = (total is not None and end < total) or (total is None and len(items) >= group)
        if more and start // group < MAX_PAGES:
            proxy = url.split("?", 1)[0]
            page.pages = [_proxy_req(proxy, dict(req.data), end + 1, group, per)]
    return page
