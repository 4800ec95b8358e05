"""What an item is: an annual report or not (from its title), its year and agency, and what a
downloaded body really is (from its magic bytes, never from the URL)."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPORT = "report"
NOT_REPORT = "not_report"
MAYBE = "maybe"

# A report's title names the disclosure work and the annual report ("政府信息公开工作年度报告",
# "政府信息公开年报", "信息公开工作年度报告"). Titles in the same column that are *about* the reports
# (notices asking for them, interpretations, corrections, appraisals) carry one of these words.
_REPORT_WORDS = ("年度报告", "年报", "年度工作报告")
_DISCLOSURE_WORDS = ("信息公开",)
_NOT_REPORT_WORDS = (
    "通知",
    "解读",
    "图解",
    "图表",
    "更正",
    "评议",
    "考核",
    "报送",
    "征集",
    "公示",
    "公告",
    "指南",
    "目录",
    "说明",
    "工作要点",
    "意见",
)
_YEAR = re.compile(r"(20\d\d)\s*年")
_YEAR_ANY = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_DISCLOSURE = re.compile("(政府)?信息公开")


def norm_title(s: str | None) -> str:
    """NFKC, no whitespace: full-width digits and brackets made plain, line breaks gone."""
    return "".join(unicodedata.normalize("NFKC", s or "").split())


def title_kind(title: str | None) -> str:
    """REPORT, NOT_REPORT or MAYBE (a truncated or bare title: the article page decides)."""
    t = norm_title(title)
    if not t:
        return MAYBE
    has_report = any(w in t for w in _REPORT_WORDS)
    has_disclosure = any(w in t for w in _DISCLOSURE_WORDS)
    if any(w in t for w in _NOT_REPORT_WORDS):
        return NOT_REPORT
    if has_report and has_disclosure:
        return REPORT
    truncated = t.endswith(("...", "…", "..", "…"))
    if has_disclosure and truncated:
        return MAYBE
    if has_report and truncated:
        return MAYBE
    return NOT_REPORT


def guess_year(title: str | None) -> int | None:
    """The year reported on, as the title states it ("2023年", "2023年度", "（2023年）")."""
    t = norm_title(title)
    m = _YEAR.search(t) or _YEAR_ANY.search(t)
    return int(m.group(1)) if m else None


def guess_agency(title: str | None) -> str | None:
    """The agency printed before the year ("平潭综合实验区2024年度…" → "平潭综合实验区"), else before
    "政府信息公开"; None when the title starts with the year."""
    t = norm_title(title)
    starts = [m.start() for m in (_YEAR_ANY.search(t), _DISCLOSURE.search(t)) if m]
    if not starts:
        return None
    head = t[: min(starts)].strip('（(【[《“"：:、-—_ ')
    return re.sub(r"关于$", "", head) or None


# --- bodies -------------------------------------------------------------------------------------

# Extensions the attachment of a report comes in; the name says which member of the OLE family a
# compound file is (doc/wps/xls/et share their magic bytes).
DOC_EXTS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "txt", "rtf")
_OLE_EXTS = ("doc", "wps", "xls", "et", "ppt")
_IMAGE_EXTS = {"png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff", "tif": b"II*\x00"}
MIN_DOCUMENT_BYTES = 64  # a real PDF or Word file is far larger; stubs are 0-10 bytes


@dataclass(frozen=True)
class Sniffed:
    kind: str | None  # pdf, docx, xlsx, ofd, doc (OLE: ext from the name), html, txt, png/jpg/tif; None = unknown
    ext: str | None
    content_type: str | None


_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "wps": "application/vnd.ms-works",
    "xls": "application/vnd.ms-excel",
    "et": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "ofd": "application/ofd",
    "html": "text/html",
    "txt": "text/plain",
    "rtf": "application/rtf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "tif": "image/tiff",
}


def name_ext(name: str | None) -> str | None:
    if not name or "." not in name:
        return None
    ext = name.rsplit(".", 1)[1].lower().strip()
    return ext if ext.isalnum() and len(ext) <= 5 else None


def _zip_kind(source: bytes | Path) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower() == "ofd.xml" for n in names):
        return "ofd"
    return None


def looks_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<script", b"<body", b"<!--", b"<title"))


def sniff(data: bytes, name: str | None = None, path: Path | None = None) -> Sniffed:
    """The document type the bytes announce; the extension from `name` only chooses within the OLE
    family and for plain text. `data` may be the head of the file at `path` (a zip's directory is
    at its end: it is read from `path`)."""
    ext = name_ext(name)
    head = data[:8]
    kind: str | None = None
    if b"%PDF-" in data[:1024]:
        kind = "pdf"
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        kind = ext if ext in _OLE_EXTS else "doc"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(path if path is not None else data)
    elif data.startswith(b"{\\rtf"):
        kind = "rtf"
    elif looks_html(data):
        kind = "html"
    else:
        for k, magic in _IMAGE_EXTS.items():
            if head.startswith(magic):
                kind = k
        if kind is None and ext in ("txt",) and len(data) >= MIN_DOCUMENT_BYTES:
            kind = "txt"
    return Sniffed(kind, kind, _CONTENT_TYPES.get(kind or ""))


# --- stable names ---------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_stem(title: str | None, url: str, limit: int = 60) -> str:
    """A file name stem that is the same on every run for the same URL: the title (made safe,
    shortened) and 8 hex digits of the URL's SHA-1, so two reports with one title never collide."""
    t = _UNSAFE.sub("_", norm_title(title)).strip("._ ") or "report"
    return f"{t[:limit]}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:8]}"


def safe_host(netloc: str) -> str:
    return _UNSAFE.sub("_", netloc.lower()).replace(":", "_") or "host"
