"""Segments → a stream of label texts and value chunks.

A chunk is a run of value tokens with no label text between them: the numbers of one table row,
as far as the source lets us tell. In a table row (grid) every cell is one token and blank cells
count; in a line of text the tokens are digit runs that may hold several cells run together.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipelines.parse.digits import Token
from pipelines.parse.segments import Seg

CJK = re.compile(r"[\u4e00-\u9fff]")
# A parenthesised note with a number in it: "22（其中修订16件）", "(指2019年事项数)". Dropped from
# value cells and labels alike; the template's own bracketed labels carry no digits.
NOTE = re.compile(r"\((?=[^()]*[\u4e00-\u9fff])(?=[^()]*\d)[^()]*\)")
UNIT = r"(?:万元|元|件|个|条|项|次)"
# A number followed by one of these is a date ("2023年，本机关…"), never a table cell.
DATE_UNITS = ("年", "月", "日")
SCAN = re.compile(
    r"(?P<num>[+-]?\d+(?:\.\d+)?)(?P<unit>" + UNIT + r"|年|月|日)?(?P<ord>[.、](?![\d.]))?"
    r"|(?P<dash>(?<!\S)(?:-|—|–|/|无|\\)(?!\S))"
    r"|(?P<space>\s+)"
    r"|(?P<text>[^\d\s+-]+|[+-])"
)
DASH_CELL = re.compile(r"^(?:-+|—+|–+|/|无|\\|——)$")
NUM_CELL = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(" + UNIT + r")?$")


@dataclass(init=False)
class Chunk:
    tokens: list[Token]
    seg_index: int
    label_before: str = ""  # label text directly before the chunk in the same segment
    after: str = ""  # the first characters of the text right after the chunk in the same segment
    grid: bool = False

    # An __init__ of its own (dataclass keeps it): compiled by mypyc, where the generated one is Python.
    def __init__(
        self, tokens: list[Token], seg_index: int, label_before: str = "", after: str = "", grid: bool = False
    ) -> None:
        self.tokens = tokens
        self.seg_index = seg_index
        self.label_before = label_before
        self.after = after
        self.grid = grid

    @property
    def raw(self) -> str:
        return " ".join(t.text if t.kind != "blank" else "∅" for t in self.tokens)

    def all_blank(self) -> bool:
        for t in self.tokens:  # a loop, not all() over a generator: asked of every chunk of table 3 and 4
            if t.kind != "blank" and t.kind != "dash":
                return False
        return True


@dataclass(init=False)
class Item:
    kind: str  # 'label' | 'chunk'
    seg_index: int
    text: str = ""
    chunk: Chunk | None = None

    # An __init__ of its own (as Chunk's): compiled by mypyc, where the generated one is Python.
    def __init__(self, kind: str, seg_index: int, text: str = "", chunk: Chunk | None = None) -> None:
        self.kind = kind
        self.seg_index = seg_index
        self.text = text
        self.chunk = chunk


@dataclass
class Stream:
    items: list[Item] = field(default_factory=list)

    def chunks(self) -> list[Chunk]:
        return [i.chunk for i in self.items if i.kind == "chunk" and i.chunk is not None]


_BLANK = Token("", "blank", splittable=False)


@lru_cache(maxsize=8192)
def cell_token(text: str) -> Token | None:
    """A grid cell as one value token, or None when the cell is label text."""
    if text.isdigit() and text.isascii():  # the common case, without a regex
        return Token(text, "num", splittable=False)
    if not text or text.isspace():
        return _BLANK
    t = NOTE.sub("", text).strip()
    if t == "":
        return Token("", "blank", splittable=False)
    if DASH_CELL.match(t):
        return Token(t, "dash", splittable=False)
    t2 = t.replace(",", "").replace(" ", "") if re.fullmatch(r"[\d,. ]+", t) else t
    m = NUM_CELL.match(t2)
    if m:
        num, unit = m.group(1), m.group(2) or ""
        kind = "num" if re.fullmatch(r"\d+", num) else "dec"
        return Token(num, kind, splittable=False, unit=unit)
    return None


@lru_cache(maxsize=8192)
def _number_token(num: str, gap: bool, unit: str) -> Token:
    """A number of a text line as a token. Tokens are immutable and a report's numbers are mostly the same few small
    ones (0, 1, 2 …): one instance each, as cell_token does for grid cells (a frozen dataclass costs ~1 µs to make)."""
    # num is \d characters with maybe a sign and a point: all \d (category Nd) is isdecimal()
    kind = "num" if num.isdecimal() else "dec"
    return Token(num, kind, kind == "num", gap, unit)


def scan_text(text: str) -> list[tuple[str, object]]:
    """Text → [('text', str) | ('tok', Token)], label text kept whole between value tokens."""
    if "(" in text:  # a note needs its bracket: most lines have none
        text = NOTE.sub(" ", text)
    out: list[tuple[str, Any]] = []
    append = out.append
    gap = False
    last_text = False  # whether out[-1] is a ('text', …) item, which text right after it extends
    # One dispatch a match on the alternative that matched (its last group: num, unit or ord for a number).
    for m in SCAN.finditer(text):
        g = m.lastgroup
        if g == "space":
            gap = True
            if last_text:
                out[-1] = ("text", out[-1][1] + " ")
            continue
        if g == "text":
            if last_text:
                out[-1] = ("text", out[-1][1] + m.group(g))
            else:
                append(("text", m.group(g)))
                last_text = True
            gap = False
            continue
        if g == "dash":
            append(("tok", Token(m.group(g), "dash", False, gap, "")))
            gap = last_text = False
            continue
        num, unit, ordmark = m.group("num", "unit", "ord")
        unit = unit or ""
        if unit in DATE_UNITS:
            if last_text:
                out[-1] = ("text", out[-1][1] + m.group(0))
            else:
                append(("text", m.group(0)))
                last_text = True
        elif ordmark and not unit and "." not in num:
            # the last digit is a row ordinal glued to the cells before it: "00000002.其他"
            digits, ordinal = num[:-1], num[-1]
            if digits and digits not in "+-":
                plain = digits.isdigit()
                append(("tok", Token(digits, "num" if plain else "dec", plain, gap, "")))
            append(("text", ordinal + ordmark))  # a new item, even after text (as ever)
            last_text = True
        else:
            append(("tok", _number_token(num, gap, unit)))
            last_text = False
        gap = False
    return out


def stream(segs: list[Seg], start: int = 0, end: int | None = None) -> Stream:
    st = Stream()
    end = len(segs) if end is None else end
    for si in range(start, end):
        seg = segs[si]
        if seg.kind == "row":
            _row_items(st, seg, si)
        else:
            _text_items(st, seg.text, si, seg.confidence)
    return st


def _row_items(st: Stream, seg: Seg, si: int) -> None:
    cells = seg.cells
    toks = [cell_token(c) for c in cells]
    if seg.confidence < 1.0:
        toks = [dataclasses.replace(t, confidence=seg.confidence) if t is not None else None for t in toks]
    last_label = len(toks) - 1  # the last label cell: values are the cells after it
    while last_label >= 0 and toks[last_label] is not None:
        last_label -= 1
    label = " ".join(c for c in cells[: last_label + 1] if c)
    if label:
        st.items.append(Item("label", si, text=label))
    values: list[Token] = []
    for c, t in zip(cells[last_label + 1 :], toks[last_label + 1 :]):
        assert t is not None
        if t.kind == "blank":
            values.append(t)
            continue
        parts = c.split()
        if t.kind == "num" and len(parts) > 1:
            values.extend(Token(p, "num", False) for p in parts)
        else:
            values.append(t)
    # blank cells trailing past the numbers are layout, not values, when there are already
    # numbers; leading blanks before a label-less row likewise
    if values and any(v.kind != "blank" for v in values):
        st.items.append(Item("chunk", si, chunk=Chunk(values, si, label, grid=True)))
    elif values and label:
        st.items.append(Item("chunk", si, chunk=Chunk(values, si, label, grid=True)))


def _text_items(st: Stream, text: str, si: int, confidence: float = 1.0) -> None:
    cur: list[Token] = []
    label = ""
    for kind, val in scan_text(text):
        if kind == "tok":
            if confidence < 1.0:
                val = dataclasses.replace(val, confidence=confidence)  # type: ignore[type-var]
            cur.append(val)  # type: ignore[arg-type]
        else:
            s = str(val)
            if cur:
                st.items.append(Item("chunk", si, chunk=Chunk(cur, si, label.strip(), after=s.lstrip()[:2])))
                cur = []
                label = ""
            if s.strip():
                label += s
                st.items.append(Item("label", si, text=s.strip()))
    if cur:
        st.items.append(Item("chunk", si, chunk=Chunk(cur, si, label.strip())))


def label_key(text: str) -> str:
    """Label text as matched against the template maps: no white space."""
    return "".join(text.split())  # re.sub(r"\s+", "", text): str.split and \s know the same white space
