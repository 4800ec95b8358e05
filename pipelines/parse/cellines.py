"""One cell per line: a web table copied as text, rebuilt into table rows.

Some pages reach us as text in which every table cell stands on its own line, cells are set apart
by a fixed run of line breaks (`s`), rows by another (`r`), and a blank cell shows only as `s` more
breaks (the copy writes each cell's separator whether the cell holds text or not). A label broken
inside its cell (`商业⏎企业`) is two lines with a single break between them.

`rebuild(doc)` finds that layout in a plain-text Document and returns its lines as segments, the
runs of table cells rebuilt into row segments with "" for every blank cell the breaks show. A row
whose breaks fit no reading (neither a whole number of cells nor a row end) keeps only its printed
cells: the parser then treats its missing cells as lost, and places them only where the template's
identities make them certain. Headings and sentences are never part of a row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from pipelines.document import Document, TextBlock
from pipelines.parse.segments import FOOTER, HEADINGS_ANY, Seg
from pipelines.parse.tokens import cell_token

# The layout is taken only where lone values make up this share of the lines, and at least this many.
MIN_VALUES = 20
MIN_SHARE = 0.3
MAX_CELL_CHARS = 80

VALUE, LABEL, STOP = "value", "label", "stop"


@dataclass
class _Row:
    cells: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    blanks: list[int] = field(default_factory=list)  # positions of the blank cells told by the breaks
    doubt: bool = False  # some break fits no reading: blank cells cannot be told in this row

    def add(self, text: str, kind: str, blanks_before: int = 0) -> None:
        for _ in range(blanks_before):
            self.blanks.append(len(self.cells))
            self.cells.append("")
            self.kinds.append(VALUE)
        self.cells.append(text)
        self.kinds.append(kind)

    def trail(self, k: int) -> None:
        for _ in range(k):
            self.blanks.append(len(self.cells))
            self.cells.append("")
            self.kinds.append(VALUE)


@dataclass
class Rebuilt:
    segs: list[Seg]
    cell_breaks: int  # s
    row_breaks: int | None  # r


def _is_value(text: str) -> bool:
    """One value cell on its own ("1 0 0" is a row of cells, not one)."""
    if " " in text:
        return False
    tok = cell_token(text)
    return tok is not None and tok.kind != "blank"


def _kind(text: str) -> str:
    if _is_value(text):
        return VALUE
    if len(text) > MAX_CELL_CHARS or "。" in text or FOOTER.match(text):
        return STOP
    if any(pat.match(text) for _, pat in HEADINGS_ANY):
        return STOP
    return LABEL


def _mode(values: list[int]) -> int | None:
    if not values:
        return None
    return Counter(values).most_common(1)[0][0]


def rebuild(doc: Document) -> Rebuilt | None:
    """The Document's lines as segments with table rows rebuilt, or None when the layout is not this one."""
    if doc.format != "txt" or not doc.blocks:
        return None
    blocks = [b for b in doc.blocks if isinstance(b, TextBlock) and b.breaks >= 1]
    if len(blocks) != len(doc.blocks):
        return None  # only the plain-text reader counts line breaks
    n_values = sum(1 for b in blocks if _is_value(b.text))
    if n_values < MIN_VALUES or n_values < MIN_SHARE * len(blocks):
        return None
    lines = [(b.text, b.breaks, _kind(b.text)) for b in blocks]
    pairs = list(pairwise(lines))
    s = _mode([b[1] for (a, b) in pairs if a[2] == VALUE and b[2] == VALUE])
    if s is None:
        return None
    # Row ends: a value followed by the next row's label, at other than a cell's distance.
    r = _mode([b[1] for (a, b) in pairs if a[2] == VALUE and b[2] == LABEL and b[1] != s])
    if r is not None and r < s:
        r = None
    segs: list[Seg] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j][2] != STOP:
            j += 1
        run = lines[i:j]
        if sum(1 for ln in run if ln[2] == VALUE) >= 3:
            segs.extend(_rows(run, s, r, lines[j][1] if j < len(lines) else 0))
        else:
            segs.extend(Seg("text", text=t) for t, _, _ in run)
        if j < len(lines):
            segs.append(Seg("text", text=lines[j][0]))
        i = j + 1
    return Rebuilt(segs, s, r)


@dataclass(frozen=True)
class _Gap:
    """What a run of b line breaks between two lines can be: `same` (k_same blank cells between two
    cells of one row) and/or `row_end` (a row end, k_row blank cells with it)."""

    b: int
    same: bool
    k_same: int
    row_end: bool
    k_row: int

    @classmethod
    def of(cls, b: int, s: int, r: int | None) -> _Gap:
        row_end = r is not None and b >= r and (b - r) % s == 0
        return cls(b, b % s == 0, b // s - 1, row_end, (b - r) // s if row_end and r is not None else 0)

    @property
    def both(self) -> bool:
        """A whole number of cells and a row end, with different blanks: no telling which."""
        return self.same and self.row_end and self.k_same != self.k_row


@dataclass(frozen=True)
class _Step:
    new_row: bool = False
    blanks: int = 0  # blank cells before the line, in its row
    trail: int = 0  # blank cells ending the row before, when a new one starts
    doubt: bool = False  # the current row's blank cells cannot be told
    doubt_next: bool = False  # … nor those of the row the line starts


def _after_label(kind: str, g: _Gap, s: int) -> _Step:
    if kind == LABEL:  # a label's next cell, or the next row's label
        if g.b <= s:
            return _Step()
        # a row whose cells are all blank ends in the breaks of its blanks
        return _Step(new_row=True, trail=g.k_row if g.row_end else 0, doubt=not (g.row_end or g.same))
    # label → value: the row's first value, or a row without a label
    if g.both:
        return _Step(doubt=True)
    if g.same:
        return _Step(blanks=g.k_same)
    if g.row_end:
        return _Step(new_row=True, blanks=g.k_row)
    return _Step(doubt=True)


def _after_value(kind: str, g: _Gap, s: int) -> _Step:
    if kind == LABEL:  # value → label: the next row begins
        return _Step(new_row=True, trail=g.k_row if g.row_end else 0, doubt=not g.row_end and g.b != s)
    if g.both:
        return _Step(doubt=True)
    if g.same:  # value → value in one row
        return _Step(blanks=g.k_same)
    if g.row_end:  # a row end; blank cells with it may belong to either row
        return _Step(new_row=True, doubt=g.k_row > 0, doubt_next=g.k_row > 0)
    return _Step(doubt=True)  # no reading at all: the row goes on, its blank cells not told


def _rows(run: list[tuple[str, int, str]], s: int, r: int | None, end_breaks: int) -> list[Seg]:
    """The run's lines as rows; `end_breaks`, the breaks before the line that ends the run, shows
    blank cells at the end of the last row when it is a whole row end (some copies end a table
    with fewer breaks: then nothing is told)."""
    rows: list[_Row] = []
    cur = _Row()
    cur.add(run[0][0], run[0][2])
    for (_, _, pk), (text, b, kind) in pairwise(run):
        if b == 1 and s > 1 and pk == LABEL and kind == LABEL:
            cur.cells[-1] += text  # a label broken inside its cell
            continue
        g = _Gap.of(b, s, r)
        step = _after_label(kind, g, s) if pk == LABEL else _after_value(kind, g, s)
        cur.doubt = cur.doubt or step.doubt
        if step.new_row:
            cur.trail(step.trail)
            rows.append(cur)
            cur = _Row(doubt=step.doubt_next)
        cur.add(text, kind, step.blanks)
    end = _Gap.of(end_breaks, s, r)
    if cur.kinds[-1] == VALUE and end.row_end and end_breaks > (r or 0):
        cur.trail(end.k_row)
    rows.append(cur)
    return [_seg(row, s) for row in rows]


def _seg(row: _Row, s: int) -> Seg:
    if VALUE not in row.kinds:
        return Seg("text", text=" ".join(row.cells))
    if row.doubt:
        cells = [c for i, c in enumerate(row.cells) if i not in row.blanks]
        return Seg("row", cells=cells, note="breaks between its cells fit no reading; blank cells not told")
    note = ""
    if row.blanks:
        note = f"{len(row.blanks)} blank cell(s) told by a longer run of line breaks (cells are {s} breaks apart)"
    return Seg("row", cells=row.cells, note=note)
