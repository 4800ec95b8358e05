"""Pages as lxml trees: decoding (GBK pages included), links, visible text, JavaScript string
literals. Everything that reads markup goes through lxml; regular expressions here only read the
text of a <script> or an onclick attribute, which is JavaScript, not HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from pipelines.document import ReadError
from pipelines.readers.encoding import decode


@dataclass(frozen=True)
class Link:
    url: str
    title: str


def to_text(body: bytes, source: str) -> str:
    """The page as text: BOM, a declared charset that decodes, UTF-8, GB18030 (GBK pages) —
    the readers' own decoder, so a page decodes here exactly as ingest will read it."""
    try:
        return decode(body, source)[0]
    except ReadError:
        return body.decode("utf-8", "replace")


def parse_html(body: bytes, source: str) -> lxml.html.HtmlElement:
    text = to_text(body, source)
    # lxml refuses a str that carries an XML encoding declaration; the text is decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    if not text.strip():
        text = "<html></html>"
    return lxml.html.document_fromstring(text)


def base_url(root, url: str) -> str:
    """The URL relative links resolve against: the page's <base href> when it has one."""
    for b in root.iter("base"):
        target = resolve(url, b.get("href"))
        if target:
            return target
    return url


def parse_fragment(text: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(text or "<div></div>", create_parent="div")


def clean_url(url: str) -> str:
    """Absolute http(s) URL without fragment, host lower-cased; '' when not http(s)."""
    url = (url or "").strip().replace("\\", "/")
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def resolve(base: str, href: str | None) -> str:
    """`href` made absolute against `base`; '' for javascript:, mailto:, # and empty links."""
    h = (href or "").strip()
    if not h or h.startswith("#") or h.lower().startswith(("javascript:", "mailto:", "tel:", "data:")):
        return ""
    try:
        return clean_url(urljoin(base, h))
    except ValueError:
        return ""


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def visible_text(el) -> str:
    """Text of the element without scripts, styles and comments."""
    parts: list[str] = []
    for node in el.iter():
        if node.tag in ("script", "style", "noscript") or not isinstance(node.tag, str):
            if node.tail:
                parts.append(node.tail)
            continue
        if node.text:
            parts.append(node.text)
        if node.tail:
            parts.append(node.tail)
    return " ".join(" ".join(parts).split())


def link_title(a) -> str:
    """An anchor's title: its title attribute when the visible text is shorter (lists cut long titles
    to "…"), else the text."""
    text = " ".join(a.text_content().split())
    attr = " ".join((a.get("title") or "").split())
    return attr if len(attr) > len(text.rstrip(".…")) else text


def scripts(root) -> list[str]:
    return [s.text or "" for s in root.iter("script") if (s.get("type") or "").lower() not in ("text/xml",)]


def xml_scripts(root) -> list[str]:
    return [s.text or "" for s in root.iter("script") if (s.get("type") or "").lower() == "text/xml"]


def parse_xml(text: str | bytes):
    """An XML document (a jpage datastore) or None."""
    if isinstance(text, str):
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1).encode("utf-8")
    try:
        return etree.fromstring(text, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None


_JS_STRING = re.compile(r"""(?P<q>["'])(?P<s>(?:\\.|(?!(?P=q)).)*?)(?P=q)""")


def js_strings(code: str) -> list[str]:
    """String literals of a piece of JavaScript (an onclick, a script body)."""
    return [m.group("s").replace("\\/", "/") for m in _JS_STRING.finditer(code or "")]


def query_params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def param_url(url: str, key: str) -> str | None:
    """The URL carried in a viewer's `?file=` (percent-decoded), or None."""
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if k.lower() == key:
            return unquote(v) if "%" in v else v
    return None


def refresh_target(root, base: str) -> str | None:
    """Where a <meta http-equiv="refresh"> sends the reader, or None."""
    for m in root.iter("meta"):
        if (m.get("http-equiv") or "").strip().lower() == "refresh":
            content = m.get("content") or ""
            _, _, rest = content.partition(";")
            rest = rest.strip()
            if rest.lower().startswith("url"):
                rest = rest[3:].lstrip(" =").strip("'\" ")
            return resolve(base, rest) or rest or base
    return None


def is_challenge_page(body: bytes, source: str) -> bool:
    """A small page that is nothing but a script (a WAF's "are you a browser" answer): no words to
    read, no link to follow, no meta refresh."""
    if len(body) > 32 * 1024 or b"<script" not in body[:32768].lower():
        return False
    try:
        root = parse_html(body, source)
    except (etree.ParserError, ValueError):
        return False
    if refresh_target(root, source) is not None:
        return False
    if any(a.get("href") for a in root.iter("a")):
        return False
    return len(visible_text(root)) < 40
