"""An article page: its title, whether the report is printed in it (tables inline), its
attachments (however linked), or whether it is the stub a deleted article leaves behind."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from pipelines.fetch import dom
from pipelines.fetch.classify import DOC_EXTS, name_ext, norm_title
from pipelines.fetch.dom import Link
from pipelines.fetch.lists import looks_like_document

# Words every annual report's text has (its sections on applications, reviews and lawsuits); a page
# that has them all prints the report itself, not just a link to it.
_REPORT_TEXT_WORDS = ("申请", "行政复议", "行政诉讼")
# When an article offers one report in several formats, the one kept (the readers' best first).
FORMAT_PREFERENCE = ("docx", "pdf", "doc", "wps", "rtf", "txt", "xlsx", "xls", "et", "ofd")
_VIEWER_PARAMS = ("file", "url", "src", "path", "filepath", "fileurl")
STUB_TEXT_CHARS = 300  # a page with less text than this and a meta refresh is a stub


@dataclass
class Article:
    title: str | None
    inline: bool = False
    attachments: list[Link] = field(default_factory=list)
    refresh_to: str | None = None  # a deleted article's stub: where its meta refresh points
    text_chars: int = 0


def parse_article(body: bytes, url: str) -> Article:
    root = dom.parse_html(body, url)
    text = dom.visible_text(root.body if root.find("body") is not None else root)
    title = _title(root)
    refresh = dom.refresh_target(root, url)
    if refresh is not None and len(text) < STUB_TEXT_CHARS:
        return Article(title, refresh_to=refresh, text_chars=len(text))
    normalized = unicodedata.normalize("NFKC", text)
    inline = all(w in normalized for w in _REPORT_TEXT_WORDS)
    return Article(title, inline, choose(_attachments(root, dom.base_url(root, url))), None, len(text))


def _title(root) -> str | None:
    for m in root.iter("meta"):
        if (m.get("name") or "").lower() in ("articletitle", "title", "dc.title") and (m.get("content") or "").strip():
            return m.get("content").strip()
    for tag in ("h1", "h2"):
        for h in root.iter(tag):
            t = " ".join(h.text_content().split())
            if t:
                return t
    t = root.find(".//title")
    return " ".join(t.text_content().split()) if t is not None and t.text_content().strip() else None


def _doc_url(url: str) -> str | None:
    """`url` itself when it is a document, the file a viewer shows (``viewer.html?file=…``), or None."""
    if not url:
        return None
    q = dom.query_params(url)
    for k, v in q.items():
        if k.lower() in _VIEWER_PARAMS and v:
            inner = dom.resolve(url, unquote(v))
            if inner and looks_like_document(inner):
                return inner
    return url if looks_like_document(url) else None


def _attachments(root, base: str) -> list[Link]:
    out: list[Link] = []
    for a in root.iter("a"):
        title = dom.link_title(a)
        for cand in [a.get("href")] + dom.js_strings(a.get("onclick") or ""):
            doc = _doc_url(dom.resolve(base, cand))
            if doc:
                out.append(Link(doc, title))
                break
    for el in root.iter():
        if el.tag == "a" or not isinstance(el.tag, str):
            continue
        cands = [el.get("src"), el.get("data")] if el.tag in ("iframe", "embed", "object", "frame") else []
        cands += dom.js_strings(el.get("onclick") or "")
        for cand in cands:
            doc = _doc_url(dom.resolve(base, cand))
            if doc:
                out.append(Link(doc, " ".join(el.text_content().split()) or el.get("title") or ""))
                break
    seen: dict[str, Link] = {}
    for ln in out:
        if ln.url not in seen or len(ln.title) > len(seen[ln.url].title):
            seen[ln.url] = ln
    return list(seen.values())


def link_name(link: Link) -> str:
    """The file name an attachment link shows: its text when that names a file, else the URL's."""
    t = link.title.strip()
    if name_ext(t) in DOC_EXTS:
        return t
    parts = urlsplit(link.url)
    for v in dom.query_params(link.url).values():
        if name_ext(v) in DOC_EXTS:
            return unquote(v).rsplit("/", 1)[-1]
    return unquote(parts.path.rsplit("/", 1)[-1]) or t


def _format_rank(link: Link) -> int:
    ext = name_ext(link_name(link))
    return FORMAT_PREFERENCE.index(ext) if ext in FORMAT_PREFERENCE else len(FORMAT_PREFERENCE)


def choose(links: list[Link]) -> list[Link]:
    """One attachment per report. Links whose names differ only by extension are one report in
    several formats; so are attachments that each come in a different format (下载PDF / 下载Word):
    the best format is kept. Several files of one format are different documents: all are kept."""
    groups: dict[str, list[Link]] = {}
    for ln in links:
        name = link_name(ln)
        stem = norm_title(name.rsplit(".", 1)[0] if name_ext(name) else name)
        groups.setdefault(stem or ln.url, []).append(ln)
    kept = [min(g, key=_format_rank) for g in groups.values()]
    exts = [name_ext(link_name(ln)) for ln in kept]
    if len(kept) > 1 and None not in exts and len(set(exts)) == len(exts):
        return [min(kept, key=_format_rank)]
    return kept
