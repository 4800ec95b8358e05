"""Document → a flat list of segments (text lines and table rows), cut into the report's sections.

Readers keep what the page had: lines of text and table grids. Many reports arrive as one long
line (a web page's text with every cell run together), so section headings are found inside
lines too, and a line is cut where a heading starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.document import Document, Table, TextBlock

_SEP = r"\s*[、.,，:：]\s*"
# Ordinal + keywords, in the order the template fixes. The filler may not hold digits or another
# ordinal, so a table row such as 四、结转下年度继续办理 never reads as the heading of section 四.
_KEYWORDS: tuple[tuple[int, str, str], ...] = (
    (1, "一", r"(?:[^。\d\n]{0,6}?)总体情况"),
    (2, "二", r"[^。\d\n、]{0,12}?主动公开"),
    (3, "三", r"[^。\d\n、]{0,12}?(?:收到和处理|依申请|收到和办理)"),
    (4, "四", r"[^。\d\n]{0,20}?(?:行政复议|行政诉讼)"),
    (5, "五", r"[^。\d\n]{0,20}?(?:问题|改进)"),
    (6, "六", r"[^。\d\n]{0,12}?其他"),
)
HEADINGS: tuple[tuple[int, re.Pattern], ...] = tuple((sec, re.compile(o + _SEP + kw)) for sec, o, kw in _KEYWORDS)
# The same headings under any ordinal: reports print a section under the wrong number (table 4
# headed 三、政府信息公开行政复议…); a section the first pass misses is looked for by its words.
HEADINGS_ANY: tuple[tuple[int, re.Pattern], ...] = tuple(
    (sec, re.compile(r"(?<![\u4e00-\u9fff])[一二三四五六七八九十]" + _SEP + kw)) for sec, _, kw in _KEYWORDS
)
ORDINALS = {sec: o for sec, o, _ in _KEYWORDS}

# Page footers that land inside tables: "- 4 -", "— 5 —", "第 3 页 共 6 页".
FOOTER = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)


@dataclass(slots=True, init=False)
class Seg:
    kind: str  # 'text' | 'row'
    text: str = ""
    cells: list[str] = field(default_factory=list)
    section: int = 0
    table: int | None = None  # index of the table block for rows
    confidence: float = 1.0  # OCR: the line's (or row's) lowest word confidence
    note: str = ""  # how a rebuilt row was read (cellines.py), for a finding

    # An __init__ of its own (dataclass keeps it): compiled by mypyc, where the generated one is Python.
    def __init__(
        self,
        kind: str,
        text: str = "",
        cells: list[str] | None = None,  # None: a new empty list (the field's default_factory)
        section: int = 0,
        table: int | None = None,
        confidence: float = 1.0,
        note: str = "",
    ) -> None:
        self.kind = kind
        self.text = text
        self.cells = [] if cells is None else cells
        self.section = section
        self.table = table
        self.confidence = confidence
        self.note = note

    @property
    def flat(self) -> str:
        return self.text if self.kind == "text" else " ".join(self.cells)


def segments(doc: Document) -> list[Seg]:
    out: list[Seg] = []
    append = out.append
    footer = FOOTER.match
    for bi, block in enumerate(doc.blocks):
        if isinstance(block, TextBlock):
            text = block.text
            for line in text.split("\n") if "\n" in text else (text,):
                line = line.strip()
                if line and not footer(line):
                    append(Seg("text", text=line, confidence=block.confidence))
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row if not c.span_copy]
                filled = [c for c in cells if c]
                if not filled or (len(filled) == 1 and footer(filled[0])):
                    continue
                # Only OCR gives a cell a confidence below 1.
                conf = min((c.confidence for c in row), default=1.0) if doc.ocr else 1.0
                append(Seg("row", cells=cells, table=bi, confidence=conf))
    return out


def split_sections(segs: list[Seg]) -> tuple[list[Seg], dict[int, int], dict[int, str]]:
    """Cut text lines at section headings and number every segment with its section (0 = before 一).

    Headings are looked for in order (一 … 六), each after the previous one found, so an enumeration
    in the prose of 一、总体情况 that happens to read like a later heading is never taken for it.
    A section still missing is then looked for by its words under any ordinal, between the sections
    found around it (reports print table 4 under 三、). A section that is not found is skipped.
    Returns the segments, each found section's first index, and the sections found under another
    ordinal with their headings as printed.
    """
    cuts, misnumbered = _cuts(segs)
    by_seg: dict[int, list[tuple[int, int]]] = {}
    for sec, (si, pos) in cuts.items():
        by_seg.setdefault(si, []).append((pos, sec))
    out: list[Seg] = []
    starts: dict[int, int] = {}
    current = 0
    for si, seg in enumerate(segs):
        marks = sorted(by_seg.get(si, []))
        if seg.kind == "row" or not marks:
            if marks:
                current = marks[-1][1]
                starts.setdefault(current, len(out))
            seg.section = current
            out.append(seg)
            continue
        text, prev = seg.text, 0
        for pos, sec in marks:
            head = text[prev:pos].strip()
            if head:
                out.append(Seg("text", text=head, section=current, confidence=seg.confidence))
            current, prev = sec, pos
            starts.setdefault(current, len(out))
        tail = text[prev:].strip()
        if tail:
            out.append(Seg("text", text=tail, section=current, confidence=seg.confidence))
    return out, starts, misnumbered


def _cuts(segs: list[Seg]) -> tuple[dict[int, tuple[int, int]], dict[int, str]]:
    """Where each section starts: (segment index, char position), found in order under its own ordinal,
    then, for a section still missing, by its words under any ordinal between its neighbours."""
    cuts: dict[int, tuple[int, int]] = {}
    misnumbered: dict[int, str] = {}  # section -> its heading as printed
    at = (0, 0)
    for sec, pat in HEADINGS:
        found = _find(segs, pat, at)
        if found is not None:
            cuts[sec] = found
            at = (found[0], found[1] + 1)
    for sec, pat in HEADINGS_ANY:
        if sec in cuts:
            continue
        before = [cuts[s] for s in cuts if s < sec]
        after = [cuts[s] for s in cuts if s > sec]
        lo = max(before, default=(0, -1))
        hi = min(after, default=(len(segs), 0))
        found = _find(segs, pat, (lo[0], lo[1] + 1), hi)
        if found is not None:
            cuts[sec] = found
            seg = segs[found[0]]
            misnumbered[sec] = (seg.text if seg.kind == "text" else seg.flat)[found[1] : found[1] + 24]
    return cuts, misnumbered


def _find(
    segs: list[Seg], pat: re.Pattern, at: tuple[int, int], until: tuple[int, int] | None = None
) -> tuple[int, int] | None:
    si0, pos0 = at
    end_si, end_pos = until if until is not None else (len(segs), 0)
    for si in range(si0, min(end_si + 1, len(segs))):
        seg = segs[si]
        if seg.kind == "row":
            first = next((c for c in seg.cells if c), "")
            m = pat.match(first)
            if m and si0 < si and (si < end_si or end_pos > 0):
                return si, 0
            continue
        m = pat.search(seg.text, pos0 if si == si0 else 0, end_pos if si == end_si else len(seg.text))
        if m:
            return si, m.start()
    return None
