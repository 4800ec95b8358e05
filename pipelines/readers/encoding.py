"""Bytes → str for text formats (HTML, plain text, Markdown).

Chinese government pages come as UTF-8, GBK/GB2312 (often with a wrong or missing declaration)
and occasionally UTF-16 from Word's "save as text". Order of evidence, strongest first:
BOM, UTF-16 NUL pattern, strict UTF-8, a declared HTML charset that actually decodes,
GB18030 (superset of GB2312/GBK) when the result looks like Chinese text, charset-normalizer.
"""

from __future__ import annotations

import codecs
import re

from pipelines.document import ReadError

NOT_TEXT = "not a text, HTML, PDF, Word or image file"

# UTF-32 BOMs must be tested before UTF-16 ones: FF FE 00 00 starts with the UTF-16-LE BOM.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
# Declarations that "decode" any byte string, so they prove nothing; Chinese sites often
# carry them by mistake from a template.
_WEAK_CHARSETS = {"iso-8859-1", "latin-1", "latin1", "cp1252", "windows-1252", "ascii", "us-ascii"}
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "euc-cn", "hz-gb-2312"}

# C0 controls other than tab, newline, carriage return, form feed; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _plausible_chinese(text: str) -> bool:
    """Mostly ASCII, CJK ideographs and CJK/full-width punctuation: what a report looks like."""
    sample = text[:20000]
    n = good = 0
    for ch in sample:
        if ch.isspace():
            continue
        n += 1
        o = ord(ch)
        if (
            o < 0x7F
            or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
            or 0x3000 <= o <= 0x303F  # CJK symbols and punctuation
            or 0xFF00 <= o <= 0xFFEF  # full-width forms
            or 0x2000 <= o <= 0x206F  # general punctuation (“” — …)
            or 0x3400 <= o <= 0x4DBF  # extension A
            or o in (0xB7, 0xD7, 0xA9, 0xAE)
            or 0x2460 <= o <= 0x24FF  # circled digits ①
            or 0x2160 <= o <= 0x217F  # roman numerals Ⅰ
        ):
            good += 1
    return n == 0 or good / n >= 0.9


# The same characters as _CONTROL, as bytes of UTF-8: C0 and DEL are single bytes, C1 (U+0080..
# U+009F) are C2 80..C2 9F.
_C0_DEL = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _count_controls(sample: str) -> int:
    """len(_CONTROL.findall(sample)), counted on the UTF-8 bytes (C-speed translate and count
    instead of a character-class scan)."""
    b = sample.encode("utf-8", "surrogatepass")
    n = len(b) - len(b.translate(None, _C0_DEL))
    if b"\xc2" in b:
        n += len(_C1_UTF8.findall(b))
    return n


def _looks_textual(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return True
    return _count_controls(sample) <= max(1, len(sample) // 200)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM: ASCII characters put NUL on one side of every code unit."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    nul_even = even.count(0) / len(even)
    nul_odd = odd.count(0) / len(odd)
    if nul_odd > 0.3 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05:
        return "utf-16-be"
    # Mostly-Chinese UTF-16 has few ASCII characters, hence few NULs, nearly all on one side
    # (U+xx00 ideographs such as 一 put a few on the other).
    if nul_odd > 0.02 and nul_even <= nul_odd / 3:
        return "utf-16-le?"
    if nul_even > 0.02 and nul_odd <= nul_even / 3:
        return "utf-16-be?"
    return None


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower().strip()
    return name or None


def utf8_head(data: bytes, size: int = 65536) -> str | None:
    """The start of `data` as text when decode() would read it as BOM-less UTF-8 so far as the
    first `size` bytes show: no BOM, no NUL byte anywhere, the head valid UTF-8 (a character cut
    at its end allowed) and textual. Whether the rest is valid is the caller's to find out."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return None
    head = data[:size]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if len(data) <= size or e.reason != "unexpected end of data":
            return None
        text = head[: e.start].decode("utf-8", "strict")
    return text if _looks_textual(text) else None


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Decode report bytes; return (text, encoding name). Raises ReadError when not text."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is None:
                raise ReadError(source, f"starts with a {name} byte-order mark but does not decode as {name}")
            return text.lstrip("\ufeff"), name

    u16 = _utf16_without_bom(data)
    if u16 is not None:
        weak = u16.endswith("?")  # weak evidence: accept only text that reads as Chinese
        u16 = u16.rstrip("?")
        text = _try(data[: len(data) - len(data) % 2], u16)
        if text is not None and _looks_textual(text) and (not weak or _plausible_chinese(text)):
            return text, u16

    # NUL bytes never occur in 8-bit text: binary data, refuse before guessing harder.
    if b"\x00" in data:
        raise ReadError(source, NOT_TEXT)

    text = _try(data, "utf-8")
    if text is not None:
        if _looks_textual(text):
            return text, "utf-8"
        raise ReadError(source, NOT_TEXT)

    declared = declared_charset(data)
    if declared and declared not in _WEAK_CHARSETS and declared not in ("utf-8", "utf8"):
        # GB2312/GBK declarations are decoded as GB18030: pages declaring gb2312 routinely
        # contain GBK-only characters (e.g. 镕, 堃), which strict gb2312 rejects.
        codec = "gb18030" if declared in _GB_FAMILY else declared
        text = _try(data, codec)
        if text is not None and _looks_textual(text):
            return text, codecs.lookup(codec).name

    text = _try(data, "gb18030")
    if text is not None and _looks_textual(text) and _plausible_chinese(text):
        return text, "gb18030"

    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:2_000_000]).best()
    except Exception:  # a guesser failing is just "no guess"
        best = None
    if best is not None and best.encoding:
        text = _try(data, best.encoding)
        if text is not None and _looks_textual(text):
            return text, best.encoding
    raise ReadError(source, NOT_TEXT)
