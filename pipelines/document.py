"""The one intermediate form every reader returns.

A Document is an ordered list of blocks: text blocks (a paragraph or a line) and tables
(a grid of cells with row and column spans already resolved). Readers know formats, never the
template; the parser knows the template, never formats.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(slots=True, init=False)
class Cell:
    text: str
    # True where this grid position is covered by a span from another cell: the text is a copy
    # of that cell's, useful for labels and headers but never to be counted as a second value.
    span_copy: bool = False
    confidence: float = 1.0  # below 1.0 for OCR-read text

    # An __init__ of its own (dataclass keeps it): compiled by mypyc, where the generated one is Python.
    def __init__(self, text: str, span_copy: bool = False, confidence: float = 1.0) -> None:
        self.text = text
        self.span_copy = span_copy
        self.confidence = confidence


@dataclass(slots=True)
class Table:
    rows: list[list[Cell]]
    page: int | None = None

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def texts(self) -> list[list[str]]:
        return [[c.text for c in r] for r in self.rows]


@dataclass(slots=True, init=False)
class TextBlock:
    text: str
    page: int | None = None
    confidence: float = 1.0
    # Line breaks between this line and the previous non-empty one in the source (plain-text
    # reader only; 0 where unknown): a table copied one cell per line shows its blank cells and
    # row ends only in these runs.
    breaks: int = 0

    # An __init__ of its own (as Cell's): compiled by mypyc, where the generated one is Python.
    def __init__(self, text: str, page: int | None = None, confidence: float = 1.0, breaks: int = 0) -> None:
        self.text = text
        self.page = page
        self.confidence = confidence
        self.breaks = breaks


Block = TextBlock | Table


@dataclass
class Document:
    source: str
    format: str  # html | txt | md | pdf | docx | doc | ocr
    blocks: list[Block] = field(default_factory=list)
    encoding: str | None = None
    ocr: bool = False
    pages: int | None = None
    sha256: str | None = None
    meta: dict = field(default_factory=dict)

    def plain_text(self) -> str:
        """All text in reading order; table rows as tab-separated lines."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, TextBlock):
                out.append(b.text)
            else:
                for row in b.rows:
                    out.append("\t".join("" if c.span_copy else c.text for c in row))
        return "\n".join(out)


class ReadError(Exception):
    """A file that cannot be read as a report. str() is one line naming the file and the reason."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{shown_path(self.path)}: {reason}")


def shown_path(path: str | os.PathLike | bytes) -> str:
    """A file's path as the warehouse stores it and every message shows it (one rule, README: source_path).

    A name that is valid UTF-8 is itself. One that is not (a GBK name unpacked from a Windows zip: Python
    holds its bytes as surrogateescape, which neither DuckDB nor a UTF-8 terminal accepts) has each byte
    that is not UTF-8 written as \\xNN: displayable, one line, and lossless (disk_path gives the file back).
    Also used on error texts that quote such a path."""
    s = os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        pass
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file name decoded to: shown as \\udXXX
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


_ESCAPED_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")


def disk_path(stored: str) -> str:
    """The file a stored path (shown_path) names: the path itself when it exists, else its \\xNN bytes restored."""
    if "\\x" not in stored or os.path.lexists(stored):
        return stored
    return _ESCAPED_BYTE.sub(lambda m: chr(0xDC00 + int(m[1], 16)), stored)


_SPACES = re.compile("[\u00a0\u2002-\u200a\u202f\u205f\u3000\t\r\f\v ]+")


# The compatibility characters Chinese reports are full of, each with its NFKC form (a single
# ASCII character, which is also its full compatibility decomposition): full-width digits and
# punctuation, no-break and ideographic spaces.
_COMMON_COMPAT = tuple(
    (chr(c), unicodedata.normalize("NFKC", chr(c)))
    for c in [
        *range(0xFF10, 0xFF1A),
        0xFF0C,
        0xFF08,
        0xFF09,
        0xFF1A,
        0xFF1B,
        0xFF01,
        0xFF1F,
        0xFF05,
        0xFF0B,
        0xFF0D,
        0xFF0E,
        0xFF0F,
        0x00A0,
        0x3000,
    ]
)


def nfkc(s: str) -> str:
    """unicodedata.normalize("NFKC", s), faster on Chinese text: full normalisation costs ~70 ns
    a character once a string needs any, so the common full-width characters are replaced first
    (str.replace, by their NFKC forms: the result's NFKC is the same) and the rest is normalised
    only when something is left to do."""
    if s.isascii() or unicodedata.is_normalized("NFKC", s):
        return s
    for a, b in _COMMON_COMPAT:
        if a in s:
            s = s.replace(a, b)
    return s if unicodedata.is_normalized("NFKC", s) else unicodedata.normalize("NFKC", s)


_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def normalize_chars(s: str) -> str:
    """NFKC and zero-width characters removed; white space as it is."""
    s = nfkc(s)
    for ch in _ZERO_WIDTH_CHARS:  # a few fast searches beat one regex scan
        if ch in s:
            s = s.replace(ch, "")
    return s


def normalize_text(s: str) -> str:
    """NFKC (full-width digits, letters and brackets to half-width), zero-width characters
    removed, every run of horizontal white space folded to one space. Newlines are kept."""
    return _SPACES.sub(" ", normalize_chars(s))
