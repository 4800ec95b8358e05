"""Bytes → Document. The reader is chosen by sniffing the bytes, never by the file name:
portals serve GBK HTML as .doc, Word files as .html, and PDFs without an extension.

Binary formats (pdf, docx, doc, ocr) live in their own modules, imported lazily so that a
missing optional reader is a clean ReadError rather than an ImportError at start-up.
"""

from __future__ import annotations

import codecs
import importlib
import inspect
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipelines import settings
from pipelines.document import Document, ReadError, Table, TextBlock, normalize_text
from pipelines.readers.encoding import decode, utf8_head

__all__ = ["Limits", "read_bytes", "read_file", "read_path_bytes", "sniff"]

_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits (defaults from pipelines.settings, where each is explained)."""

    max_bytes: int = settings.MAX_TEXT_BYTES  # text, HTML, Markdown
    max_binary_bytes: int = settings.MAX_BINARY_BYTES  # PDF, Word, images
    max_pages: int = settings.MAX_PAGES
    max_decompressed: int = settings.DOCX_MAX_DECOMPRESSED  # total uncompressed size of a DOCX's zip members
    max_part_bytes: int = settings.DOCX_MAX_PART_BYTES  # XML of one top-level DOCX paragraph or table
    max_cells: int = settings.MAX_TABLE_CELLS  # table cells of one page or document
    max_tags: int = settings.MAX_HTML_TAGS  # markup tags of one HTML page
    max_chars: int = settings.MAX_DOCUMENT_CHARS  # text read out of one DOCX


DEFAULT_LIMITS = Limits()

_FORMAT_NAMES = {"pdf": "PDF", "docx": "DOCX", "doc": "DOC", "ocr": "image"}
_MODULES = {"pdf": "pdf", "docx": "docx", "doc": "doc", "ocr": "ocr"}

# A whole HTML document: always read as HTML.
_HTML_DOCUMENT = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s/>]", re.IGNORECASE)
_HTML_DOCUMENT_BYTES = re.compile(_HTML_DOCUMENT.pattern.encode("ascii"), re.IGNORECASE)
# Any HTML tag: a fragment, unless the text reads as Markdown (which may embed <br> or tables).
_HTML_TAG = re.compile(
    r"<(?:table|tr|td|th|p|div|span|br|h[1-6]|ul|ol|li|a|font|b|strong|center|section|article|meta|title)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


def sniff(data: bytes) -> str | None:
    """The binary format the magic bytes announce, or None for (possibly) text."""
    head = data[:8]
    # Readers accept junk (HTTP headers, BOMs) before the header within the first kilobyte.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xd0\xcf\x11\xe0")):
        return "doc"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else "zip"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "ocr"
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return False


def _size(n: int) -> str:
    return f"{n / _MB:.1f} MB" if n >= _MB // 10 else f"{n} bytes"


def _binary_reader(fmt: str, source: str):
    name = f"pipelines.readers.{_MODULES[fmt]}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name in (name, "pipelines.readers"):
            raise ReadError(source, f"no reader for {_FORMAT_NAMES[fmt]} files is installed") from None
        raise ReadError(source, f"the {_FORMAT_NAMES[fmt]} reader needs a missing package: {e.name}") from None
    fn = getattr(module, "read_bytes", None)
    if fn is None:
        raise ReadError(source, f"no reader for {_FORMAT_NAMES[fmt]} files is installed")
    return fn


def _limit_kwargs(fn, limits: Limits) -> dict:
    """Binary readers take (data, source); limits go along as whichever keywords they accept:
    `limits=` itself or single fields such as `max_pages=`, `max_decompressed=`."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    if "limits" in params:
        return {"limits": limits}
    return {name: getattr(limits, name) for name in ("max_pages", "max_decompressed") if name in params}


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    kind = type(e).__name__
    text = f"{kind}: {text}" if text else kind
    return text[:300]


def _normalize_blocks(doc: Document) -> None:
    """normalize_text on every block and cell (readers that already did so are unaffected)."""
    for b in doc.blocks:
        if isinstance(b, TextBlock):
            b.text = normalize_text(b.text).strip()
        elif isinstance(b, Table):
            for row in b.rows:
                for c in row:
                    c.text = normalize_text(c.text).strip()


def _read(data: bytes, source: str, limits: Limits) -> Document:
    if not data:
        raise ReadError(source, "empty file")
    fmt = sniff(data)
    if fmt == "zip":
        raise ReadError(source, "a ZIP archive that is not a Word (.docx) document")
    if fmt is not None:
        if len(data) > limits.max_binary_bytes:
            raise ReadError(
                source,
                f"file is {_size(len(data))}, over the {_size(limits.max_binary_bytes)} limit for {_FORMAT_NAMES[fmt]} files",
            )
        fn = _binary_reader(fmt, source)
        doc = fn(data, source, **_limit_kwargs(fn, limits))
        if not isinstance(doc, Document):
            raise ReadError(source, f"the {_FORMAT_NAMES[fmt]} reader returned no document")
        doc.format = doc.format or fmt
        _normalize_blocks(doc)
        return doc

    if len(data) > limits.max_bytes:
        raise ReadError(
            source, f"file is {_size(len(data))}, over the {_size(limits.max_bytes)} limit for text and HTML files"
        )
    from pipelines.readers import html
    from pipelines.readers import text as text_reader

    # A whole HTML page in UTF-8 (most of them): libxml2 reads the bytes and checks them as it
    # goes, so the page is not decoded in Python first; any doubt falls back to decode().
    # (Checked on the bytes first: plain-text reports never pay for a second decode.)
    head = utf8_head(data) if _HTML_DOCUMENT_BYTES.search(data, 0, 65536) else None
    if head is not None and _HTML_DOCUMENT.search(head):
        doc = html.read_utf8(data, source, limits=limits)
        if doc is not None:
            return doc
    text, enc = decode(data, source)
    if not text or text.isspace():
        raise ReadError(source, "empty file (only white space)")
    head = text[:65536]

    # Strict UTF-8 without a BOM: the bytes are the text's own encoding, lxml can take them as they are.
    raw = data if enc == "utf-8" and not data.startswith(codecs.BOM_UTF8) else None
    if _HTML_DOCUMENT.search(head):
        return html.read_text(text, source, encoding=enc, raw=raw, limits=limits)
    if text_reader.looks_like_markdown(text):
        return text_reader.read_markdown(text, source, encoding=enc)
    if _HTML_TAG.search(head):
        return html.read_text(text, source, encoding=enc, raw=raw, limits=limits)
    return text_reader.read_plain(text, source, encoding=enc)


def read_bytes(data: bytes, source: str, *, limits: Limits | None = None) -> Document:
    """Read one report file's bytes. Raises ReadError (one line naming `source`) for anything
    that cannot be read; no other exception escapes."""
    source = str(source)
    try:
        return _read(data, source, limits or DEFAULT_LIMITS)
    except ReadError as e:
        if e.path != source or "\n" in str(e):
            raise ReadError(source, " ".join(e.reason.split())) from None
        raise
    except RecursionError:
        raise ReadError(source, "structure nested too deeply to read") from None
    except MemoryError:
        raise ReadError(source, "too large to read in memory") from None
    except Exception as e:  # a reader bug or a library choking on hostile input: still one line
        raise ReadError(source, f"cannot read: {_one_line(e)}") from None


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_path_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of the regular file at path: the one way a report file is read from disk.

    Anything else (a FIFO, a device, a directory, a socket) is refused at once, without waiting for
    a writer; a file over max_bytes (default settings.MAX_FILE_BYTES) is refused by its size, and
    reading stops at the limit if the file grows meanwhile. Raises ReadError naming the file."""
    limit = settings.MAX_FILE_BYTES if max_bytes is None else max_bytes
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused right after.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise ReadError(str(path), f"cannot read file: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
            raise ReadError(str(path), f"cannot read: {kind}, not a regular file")
        if st.st_size > limit:
            raise ReadError(str(path), f"file is {_size(st.st_size)}, over the {_size(limit)} limit")
        chunks, n = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - n)):
            chunks.append(chunk)
            n += len(chunk)
            if n > limit:
                raise ReadError(str(path), f"file grew past the {_size(limit)} limit while being read")
        return b"".join(chunks)
    except OSError as e:
        raise ReadError(str(path), f"cannot read file: {e.strerror or e}") from None
    finally:
        os.close(fd)


def read_file(path: str | Path, *, limits: Limits | None = None) -> Document:
    lim = limits or DEFAULT_LIMITS
    data = read_path_bytes(path, max(lim.max_bytes, lim.max_binary_bytes))
    return read_bytes(data, str(path), limits=lim)
