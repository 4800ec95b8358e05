"""PDF → Document with pypdfium2: reading order rebuilt from character boxes.

Characters are grouped into lines by vertical overlap and split into space-separated runs by
horizontal gaps. Where the page draws a table grid (path objects: stroked lines or cell
rectangles), each run is placed in the grid cell that encloses it, and one table row becomes
one line: a label wrapped over several lines joins the numbers printed beside it, a rowspan
group label (（三）不予公开) joins the first row it spans, and a vertical label written one
character per line (三/、/本/年…) becomes a line of its own.
"""

from __future__ import annotations

import codecs
import ctypes
import re
import shutil
from bisect import bisect_left, bisect_right
from itertools import compress, repeat
from operator import itemgetter

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pc

from pipelines.document import Block, Document, ReadError, TextBlock, normalize_text
from pipelines.readers.layout import join_wrapped, nearest_lines

MAX_PAGES = 200
GAP_EM = 0.4  # a gap wider than this fraction of the text height separates two tokens
MIN_TEXT_CHARS = 10  # pages with fewer characters than this count as having no text layer
RULE_THICK = 3.0  # paths thinner than this (pt) are ruling lines
HUGE_BOX = 60.0  # a character box larger than this (pt) is not a real loose box
SNAP = 2.5  # rule coordinates closer than this (pt) are the same grid line

_PAGE_NO = re.compile(r"^[-—–－~_·•\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/共]\s*\d{1,4}\s*页?)?[-—–－~_·•\s]*$")
_SKIP = frozenset((0xA0, 0x3000, 0xFFFE, 0xFFFF, 0xFEFF, 0x200B))
_NUMERIC = re.compile(r"^[-+]?\d[\d,.]*%?$")


def read_bytes(data: bytes, source: str, *, max_pages: int = MAX_PAGES, limits=None) -> Document:
    """`limits` (pipelines.readers.Limits, passed by the dispatcher) overrides max_pages."""
    if limits is not None:
        max_pages = limits.max_pages
    pdf = open_pdf(data, source)
    try:
        n = len(pdf)
        if n > max_pages:
            raise ReadError(source, f"PDF has {n} pages, more than the limit of {max_pages}")
        blocks: list[Block] = []
        total_chars = 0
        text_pages = 0
        # Raw page handles, opened and closed here: the helper objects' bookkeeping (a finalizer and
        # a parent link each) cost more than the page's own pdfium calls outside loading.
        for i in range(n):
            page = pc.FPDF_LoadPage(pdf.raw, i)
            if not page:
                raise pdfium.PdfiumError("Failed to load page.")
            try:
                lines, nchars = _read_page(page)
            finally:
                pc.FPDF_ClosePage(page)
            total_chars += nchars
            text_pages += nchars >= MIN_TEXT_CHARS
            blocks.extend(TextBlock(t, page=i + 1) for t in lines)
        if n and text_pages == 0:
            return _scanned(pdf, data, source, max_pages)
    finally:
        pdf.close()
    return Document(source=source, format="pdf", blocks=blocks, pages=n)


def open_pdf(data: bytes, source: str) -> pdfium.PdfDocument:
    """Open PDF bytes or raise ReadError with a one-line reason."""
    head = data[:1024]
    if b"%PDF-" not in head:
        raise ReadError(source, "not a PDF (no %PDF- header)")
    # pdfium silently repairs truncated files; a cut-off download must not pass as a report.
    if b"%%EOF" not in data[-2048:]:
        raise ReadError(source, "truncated or corrupt PDF (no %%EOF trailer)")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise ReadError(source, "encrypted PDF needs a password") from None
        raise ReadError(source, f"corrupt PDF ({msg.splitlines()[0] if msg else 'pdfium could not open it'})") from None


def _scanned(pdf: pdfium.PdfDocument, data: bytes, source: str, max_pages: int) -> Document:
    if not shutil.which("tesseract"):
        raise ReadError(source, "scanned PDF without text layer and no OCR engine (install tesseract-ocr-chi-sim)")
    from pipelines.readers import ocr

    return ocr.read_pdf_pages(pdf, source, max_pages=max_pages)


# ---------------------------------------------------------------------------- characters
#
# A page costs thousands of pdfium calls (a box per character, a type per page object). ctypes spends
# most of each call converting arguments through the typed wrappers' declarations; the same entry
# points called untyped take the handles (pointer instances) and C ints as they are: ~30 % less a call.


def _untyped(fn, restype, argtypes=None):
    """pdfium entry point `fn` (a pypdfium2.raw function) without argument declarations (or with `argtypes`)."""
    f = ctypes.CFUNCTYPE(restype)(ctypes.cast(fn, ctypes.c_void_p).value or 0)
    f.argtypes = argtypes  # ctypes takes None: arguments passed as they are
    return f


_loose_box = _untyped(pc.FPDFText_GetLooseCharBox, ctypes.c_int)
# The page objects as plain addresses (ints): a pointer instance a call cost more than the call itself,
# and the two calls that take an object declare it as c_void_p (an int passed untyped would be cut to a C int).
_get_object = _untyped(pc.FPDFPage_GetObject, ctypes.c_void_p)
_count_segments = _untyped(pc.FPDFPath_CountSegments, ctypes.c_int, (ctypes.c_void_p,))
_get_bounds = _untyped(pc.FPDFPageObj_GetBounds, ctypes.c_int, (ctypes.c_void_p,) * 5)
_OBJECT_CHUNK = 1 << 14


class _Chars:
    """A page's visible characters in top-down coordinates: box arrays (float64) and code points."""

    __slots__ = ("x0", "y0", "x1", "y1", "codes")

    def __init__(self, x0, y0, x1, y1, codes):
        self.x0, self.y0, self.x1, self.y1, self.codes = x0, y0, x1, y1, codes

    def __len__(self) -> int:
        return len(self.codes)


_NO_CHARS = _Chars(np.empty(0), np.empty(0), np.empty(0), np.empty(0), np.empty(0, dtype=np.uint32))


def page_chars(page, H: float) -> _Chars:
    """Visible characters of a page (a raw FPDF_PAGE; pdfium's generated spaces and line breaks are
    dropped: spacing is decided from geometry), in the text page's order."""
    tp = pc.FPDFText_LoadPage(page)
    if not tp:
        raise pdfium.PdfiumError("Failed to load text page.")
    try:
        n = pc.FPDFText_CountChars(tp)
        if n <= 0:
            return _NO_CHARS
        # One call for all the text; per-character calls only if its indices do not line up.
        whole = _text_range(tp, n)
        if len(whole) == n:
            codes = np.frombuffer(whole.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        else:
            get_u = pc.FPDFText_GetUnicode
            codes = np.fromiter((get_u(tp, i) for i in range(n)), dtype=np.uint32, count=n)
        # pdfium's generated spaces and line breaks are <= 32 too: spacing comes from geometry.
        if ((codes >= 0xD800) & (codes < 0xE000)).any():
            idx_list, code_list = _with_surrogates(codes.tolist())
            ucodes = np.array(code_list, dtype=np.uint32)
        else:
            keep = codes > 32
            for u in _SKIP:  # a few comparisons: np.isin costs more on a page's worth of codes
                keep &= codes != u
            idx = np.flatnonzero(keep)
            ucodes = codes[idx]
            idx_list = idx.tolist()
        m = len(idx_list)
        buf = (ctypes.c_float * (4 * m))()  # FS_RECTF rows: left, top, right, bottom
        rows = map(ctypes.byref, repeat(buf, m), range(0, 16 * m, 16))
        ok = np.array(list(map(_loose_box, repeat(tp, m), idx_list, rows)), dtype=bool)
        b = np.frombuffer(memoryview(buf), dtype=np.float32).reshape(m, 4).astype(np.float64)
        left, top, right, bottom = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
        huge = np.flatnonzero(ok & ((right - left > HUGE_BOX) | (top - bottom > HUGE_BOX)))
        if len(huge):
            _tight_boxes(tp, huge.tolist(), idx_list, b, ok)
        # A box pdfium could not place (NaN or infinite) has no position on the page.
        ok &= np.isfinite(b).all(axis=1)
        b = b[ok]
        ucodes = ucodes[ok]
        if len(ucodes) and int(ucodes.max()) > 0x10FFFF:
            chr(int(ucodes.max()))  # raises ValueError, as a character outside Unicode always did
        return _Chars(b[:, 0], H - b[:, 1], b[:, 2], H - b[:, 3], ucodes)
    finally:
        pc.FPDFText_ClosePage(tp)


def _text_range(tp, n: int) -> str:
    """The page's text as pypdfium2's PdfTextPage.get_text_range() gives it (chars pdfium excludes at
    either end left out, UTF-16 decoded with errors ignored), from a raw text page of n chars."""
    first, last = 0, n - 1
    while first <= last and pc.FPDFText_GetTextIndexFromCharIndex(tp, first) == -1:
        first += 1
    while first <= last and pc.FPDFText_GetTextIndexFromCharIndex(tp, last) == -1:
        last -= 1
    if first > last:
        return ""
    t_start = pc.FPDFText_GetTextIndexFromCharIndex(tp, first)
    t_end = pc.FPDFText_GetTextIndexFromCharIndex(tp, last)
    buffer = (ctypes.c_ushort * (t_end + 2 - t_start))()
    out_count = pc.FPDFText_GetText(tp, first, last - first + 1, buffer)
    return codecs.decode(memoryview(buffer)[: out_count - 1], "utf-16-le", errors="ignore")


def _with_surrogates(codes: list[int]) -> tuple[list[int], list[int]]:
    """Text page indices and code points of the visible characters, UTF-16 surrogate pairs combined."""
    idx: list[int] = []
    out: list[int] = []
    pending_hi = 0
    for i, u in enumerate(codes):
        if u <= 32 or u in _SKIP:
            continue
        if 0xD800 <= u < 0xDC00:  # high surrogate: combine with the next char
            pending_hi = u
            continue
        if 0xDC00 <= u < 0xE000 and pending_hi:
            u = 0x10000 + ((pending_hi - 0xD800) << 10) + (u - 0xDC00)
            pending_hi = 0
        idx.append(i)
        out.append(u)
    return idx, out


def _tight_boxes(tp, rows: list[int], idx: list[int], b: np.ndarray, ok: np.ndarray) -> None:
    """A broken font matrix gives absurd loose boxes (seen: 199 pt): use the glyph box instead."""
    L, R, B, T = (ctypes.c_double() for _ in range(4))
    for k in rows:
        if pc.FPDFText_GetCharBox(tp, idx[k], L, R, B, T):
            b[k] = (L.value, T.value, R.value, B.value)
        else:
            ok[k] = False


# ---------------------------------------------------------------------------- ruling lines


def page_rules(page, H: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal rules (y, x0, x1) and vertical rules (x, y0, y1) as rows of two arrays, top-down
    coordinates, from the path objects of a page (a raw FPDF_PAGE): thin paths are lines, rectangles
    contribute their 4 edges."""
    n = pc.FPDFPage_CountObjects(page)
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    boxes = [np.empty((0, 4))]
    # A chunk of objects at a time: a hostile page of millions of objects holds no handle list as long.
    for start in range(0, n, _OBJECT_CHUNK):
        objs = list(map(_get_object, repeat(page, n), range(start, min(n, start + _OBJECT_CHUNK))))
        # FPDFPath_CountSegments answers -1 for an object that is not a path: one call tells both.
        nsegs = np.fromiter(map(_count_segments, objs), dtype=np.int64, count=len(objs))
        simple = list(compress(objs, ((nsegs >= 0) & (nsegs <= 6)).tolist()))
        if len(nsegs) and nsegs.max() > 6:
            for i in np.flatnonzero(nsegs > 6).tolist():
                _path_segments(ctypes.cast(objs[i], pc.FPDF_PAGEOBJECT), H, hs, vs)
        m = len(simple)
        buf = (ctypes.c_float * (4 * m))()  # rows: left, bottom, right, top
        a = ctypes.addressof(buf)
        refs = [range(a + k, a + k + 16 * m, 16) for k in (0, 4, 8, 12)]
        ok = np.array(list(map(_get_bounds, simple, *refs)), dtype=bool)
        boxes.append(np.frombuffer(memoryview(buf), dtype=np.float32).reshape(m, 4)[ok].astype(np.float64))
    box = np.concatenate(boxes) if len(boxes) > 2 else boxes[-1]
    left, right, top, bottom = box[:, 0], box[:, 2], H - box[:, 3], H - box[:, 1]
    w, h = right - left, bottom - top
    hline = (h <= RULE_THICK) & (w > RULE_THICK)
    vline = ~hline & (w <= RULE_THICK) & (h > RULE_THICK)
    rect = ~hline & ~vline & (w > RULE_THICK) & (h > RULE_THICK)
    # In this order: the many-segment paths' lines, the thin paths, the rectangles' edges (empty parts left out).
    H_ = [np.array(hs, dtype=np.float64).reshape(-1, 3)] if hs else []
    V_ = [np.array(vs, dtype=np.float64).reshape(-1, 3)] if vs else []
    H_.append(np.stack([(top + bottom)[hline] / 2, left[hline], right[hline]], axis=1))
    V_.append(np.stack([(left + right)[vline] / 2, top[vline], bottom[vline]], axis=1))
    if rect.any():
        for edge in (top, bottom):
            H_.append(np.stack([edge[rect], left[rect], right[rect]], axis=1))
        for edge in (left, right):
            V_.append(np.stack([edge[rect], top[rect], bottom[rect]], axis=1))
    return (np.concatenate(H_) if len(H_) > 1 else H_[0]), (np.concatenate(V_) if len(V_) > 1 else V_[0])


def _path_segments(obj, H: float, hs: list, vs: list) -> None:
    """A path drawing many lines at once (a whole grid): take its straight axis-aligned segments."""
    m = pc.FS_MATRIX()
    if not pc.FPDFPageObj_GetMatrix(obj, m):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    prev = None
    start = None
    for k in range(pc.FPDFPath_CountSegments(obj)):
        seg = pc.FPDFPath_GetPathSegment(obj, k)
        if not pc.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        px = m.a * x.value + m.c * y.value + m.e
        py = H - (m.b * x.value + m.d * y.value + m.f)
        typ = pc.FPDFPathSegment_GetType(seg)
        if typ == pc.FPDF_SEGMENT_MOVETO:
            prev = start = (px, py)
            continue
        if typ == pc.FPDF_SEGMENT_LINETO and prev is not None:
            _add_segment(prev, (px, py), hs, vs)
            if pc.FPDFPathSegment_GetClose(seg) and start is not None:
                _add_segment((px, py), start, hs, vs)
        prev = (px, py)


def _add_segment(a, b, hs: list, vs: list) -> None:
    (x0, y0), (x1, y1) = a, b
    if abs(y1 - y0) <= RULE_THICK and abs(x1 - x0) > RULE_THICK:
        hs.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x1 - x0) <= RULE_THICK and abs(y1 - y0) > RULE_THICK:
        vs.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _snapped(pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rule positions within SNAP of each other snapped to one value (cell borders drawn per cell
    differ by a fraction of a point): in sorted order, a position more than SNAP past the current
    anchor starts a new anchor; each position takes its anchor, rounded to 0.1 pt. Returned with
    each position's anchor number (anchors are more than SNAP apart: one number, one value)."""
    order = np.argsort(pos, kind="stable")
    ps = pos[order]
    new = np.ones(len(ps), dtype=bool)
    new[1:] = ps[1:] != ps[:-1]
    values: list[float] = []
    ids: list[int] = []
    anchor = 0.0
    for p in ps[new].tolist():
        if not values or p - anchor > SNAP:
            anchor = p
            values.append(round(anchor, 1))
        ids.append(len(values) - 1)
    group = np.empty(len(ps), dtype=np.int64)
    group[order] = np.array(ids)[np.cumsum(new) - 1]
    return np.array(values)[group], group


def _merged(r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rules (position, start, end) as (snapped position, low, high) arrays: the stretch each covers
    widened by the 1 pt every lookup allows, overlapping stretches at one position merged (a lookup
    asks only whether some rule covers a point, and a table of cell rectangles draws each grid line
    as many short edges). Sorted by position, then low."""
    (pos, group), lo, hi = _snapped(r[:, 0]), r[:, 1] - 1, r[:, 2] + 1
    o = np.lexsort((lo, group))
    pos, group, lo, hi = pos[o], group[o], lo[o], hi[o]
    n = len(pos)
    # The highest `hi` so far within each position, as ranks offset per position so that one
    # running maximum over the whole array never carries over from one position to the next.
    by_hi = np.argsort(hi, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[by_hi] = np.arange(n)
    top = np.maximum.accumulate(rank + group * n) - group * n
    his = hi[by_hi]
    start = np.ones(n, dtype=bool)
    start[1:] = (group[1:] != group[:-1]) | (lo[1:] > his[top[:-1]])
    first = np.flatnonzero(start)
    return pos[first], lo[first], his[np.maximum.reduceat(rank, first)]


class _Grid:
    def __init__(self, hs, vs):
        self.h = _merged(hs)
        self.v = _merged(vs)

    def cells(self, xs: np.ndarray, ys: np.ndarray) -> list[tuple[float, float, float, float] | None]:
        """For each point, the smallest grid cell (left, top, right, bottom) enclosing it, or None."""
        left, right = _nearest(self.v, xs, ys)
        top, bottom = _nearest(self.h, ys, xs)
        box = np.stack([left, top, right, bottom], axis=1)
        found = ~np.isnan(box).any(axis=1)
        return [tuple(b) if f else None for b, f in zip(box.tolist(), found.tolist())]

    def vrule_between(self, x0: np.ndarray, x1: np.ndarray, y: np.ndarray) -> np.ndarray:
        """For each (x0, x1, y): is there a vertical rule at a position from x0 to x1 that covers y?"""
        pos, lo, hi = self.v[0][:, None], self.v[1][:, None], self.v[2][:, None]  # rules × points: see _nearest
        return np.any((x0 <= pos) & (pos <= x1) & (lo <= y) & (y <= hi), axis=0)


def _nearest(rules: tuple[np.ndarray, np.ndarray, np.ndarray], p: np.ndarray, q: np.ndarray) -> tuple:
    """For each point: the positions of the nearest rules before and after p that cover q, NaN where
    there is none (fmax and fmin pass over the NaN of the rules that do not qualify)."""
    # Rules × points, reduced over the rules (axis 0): numpy reduces whole rows at a time, ~2× faster than
    # along each short row of a points × rules matrix. The same values: a maximum does not depend on order.
    pos, lo, hi = rules[0][:, None], rules[1][:, None], rules[2][:, None]
    cover = (lo <= q) & (q <= hi)
    before = np.fmax.reduce(np.where(cover & (pos < p), pos, np.nan), axis=0)
    after = np.fmin.reduce(np.where(cover & (pos > p), pos, np.nan), axis=0)
    return before, after


# ---------------------------------------------------------------------------- page → lines


def _group_lines(x0: np.ndarray, y0: np.ndarray, y1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Characters into lines: (order, line) — the characters' indices line by line, top to bottom and
    left to right, and each one's line number.

    The rule is layout.nearest_lines (characters taken by centre). Consecutive characters with the same
    extent reach the same decision (the first one's new line is the nearest for the next), so the
    decisions are made once per such stretch, except for inverted boxes, which never join a line.
    """
    n = len(y0)
    o = np.argsort(y0 + y1, kind="stable")
    ys0, ys1 = y0[o], y1[o]
    first = np.ones(n, dtype=bool)
    first[1:] = (ys0[1:] != ys0[:-1]) | (ys1[1:] != ys1[:-1]) | (ys0[1:] > ys1[1:])
    starts = np.flatnonzero(first)
    decided, tops = nearest_lines(ys0[starts].tolist(), ys1[starts].tolist())
    rank = np.empty(len(tops), dtype=np.int64)
    rank[np.argsort(np.array(tops), kind="stable")] = np.arange(len(tops))
    line = rank[np.repeat(np.array(decided), np.diff(np.append(starts, n)))]
    fin = np.lexsort((x0[o], line))  # stable: ties keep the order by centre
    return o[fin], line[fin]


class _Runs:
    """The space-separated tokens of a page (table cells, spaced words): each one's line, text,
    left edge, top and bottom."""

    __slots__ = ("line", "text", "x0", "top", "bottom")

    def __init__(self, line: list[int], text: list[str], x0: list[float], top: list[float], bottom: list[float]):
        self.line, self.text, self.x0, self.top, self.bottom = line, text, x0, top, bottom


def _read_page(page) -> tuple[list[str], int]:
    H = pc.FPDF_GetPageHeightF(page)
    ch = page_chars(page, H)
    n = len(ch)
    if not n:
        return [], 0
    hs, vs = page_rules(page, H)
    grid = _Grid(hs, vs) if len(hs) and len(vs) else None
    order, line = _group_lines(ch.x0, ch.y0, ch.y1)
    x0, y0, x1, y1 = ch.x0[order], ch.y0[order], ch.x1[order], ch.y1[order]
    text = ch.codes[order].astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")

    # Runs: a line cut where the gap exceeds GAP_EM of the smaller height, and where a vertical rule
    # separates two characters (cell padding leaves a gap at a rule; touching boxes need no lookup).
    brk = np.ones(n, dtype=bool)
    if n > 1:
        gap = x0[1:] - x1[:-1]
        h = y1 - y0
        brk[1:] = (line[1:] != line[:-1]) | (gap > GAP_EM * np.minimum(h[:-1], h[1:]))
        if grid is not None:
            k = np.flatnonzero(~brk[1:] & (gap > 0.3)) + 1
            if len(k):
                brk[k] = grid.vrule_between(x1[k - 1] - 0.5, x0[k] + 0.5, (y0[k] + y1[k]) / 2)
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], n)
    runs = _Runs(
        line[starts].tolist(),
        [text[a:b] for a, b in zip(starts.tolist(), ends.tolist())],
        x0[starts].tolist(),
        np.minimum.reduceat(y0, starts).tolist(),
        np.maximum.reduceat(y1, starts).tolist(),
    )

    # (top, priority, left, raw text, bottom, kind): the texts are normalised together at the end.
    items: list[tuple[float, int, float, str, float, int]] = []
    free: dict[int, list[int]] = {}  # line → its runs outside any table cell
    if grid is None:
        for r, li in enumerate(runs.line):
            free.setdefault(li, []).append(r)
    else:
        where = grid.cells((x0[starts] + x1[ends - 1]) / 2, (y0[starts] + y1[starts]) / 2)
        _table_items(runs, where, free, items)

    for rs in free.values():
        rs.sort(key=runs.x0.__getitem__)
        top = min([runs.top[r] for r in rs])
        bottom = max([runs.bottom[r] for r in rs])
        items.append((top, 0, runs.x0[rs[0]], " ".join([runs.text[r] for r in rs]), bottom, _LINE))
    items.sort(key=lambda it: (round(it[0], 1), it[1], it[2]))
    return _texts(items, H), n


_LABEL, _ROW, _LINE = 0, 1, 2  # item kinds: kept as they are / dropped if empty / also if a page number


def _texts(items: list, H: float) -> list[str]:
    """The items' texts, normalised in one pass: no text has a line break (characters up to U+0020 are
    dropped) and normalisation neither makes nor crosses one, so the page's texts joined by line
    breaks normalise to the same texts as one by one."""
    out = []
    for it, text in zip(items, normalize_text("\n".join([it[3] for it in items])).split("\n")):
        text = text.strip()
        kind = it[5]
        if kind == _LABEL or (text and (kind == _ROW or not _is_page_number(text, it[0], it[4], H))):
            out.append(text)
    return out


def _is_page_number(text: str, top: float, bottom: float, H: float) -> bool:
    return bool(_PAGE_NO.match(text)) and (top > 0.85 * H or bottom < 0.08 * H)


def _table_items(runs: _Runs, where: list, free: dict, items: list) -> None:
    """Assign runs to grid cells (`where`: each run's cell or None); emit one item per table row
    (see the module docstring)."""
    cells: dict[tuple, list[tuple[int, int]]] = {}
    for r, (li, c) in enumerate(zip(runs.line, where)):
        if c is None:
            free.setdefault(li, []).append(r)
        else:
            cells.setdefault(c, []).append((li, r))
    keys = list(cells)
    containers = _frames(keys)
    # A lone cell (nothing beside it) is a text box, not a table: keep its lines as they are.
    tabular = _beside_others([k for k in keys if k not in containers])
    _degrade(cells, [k for k in keys if k not in tabular], free)
    # Rows: tabular cells sharing the same top and bottom rule.
    rows: dict[tuple[float, float], list[tuple]] = {}
    for k in tabular:
        rows.setdefault((k[1], k[3]), []).append(k)
    row_keys = sorted(rows)
    spans = _spanning(row_keys)
    extra = _spanning_rows(runs, cells, rows, row_keys, spans, free, items)
    for rk in row_keys:
        if rk not in spans:
            _row_item(runs, cells, rows[rk], extra.get(rk, []), rk, free, items)


def _spanning(row_keys: list[tuple[float, float]]) -> set[tuple[float, float]]:
    """The rows (top, bottom) that enclose another row."""
    if len(row_keys) < 2:
        return set()
    r = np.array(row_keys)
    inside = (r[:, None, 0] <= r[None, :, 0]) & (r[None, :, 1] <= r[:, None, 1])
    np.fill_diagonal(inside, False)
    return {row_keys[i] for i in np.flatnonzero(inside.any(axis=1)).tolist()}


def _frames(keys: list[tuple]) -> set[tuple]:
    """The "cells" that enclose other cells: frames (a page border, a box around a table)."""
    containers = set()
    xs = sorted({k[0] for k in keys} | {k[2] for k in keys})
    ys = sorted({k[1] for k in keys} | {k[3] for k in keys})
    for a in keys:
        # Only a cell with another cell's edges strictly inside it, both ways, can be a frame.
        if bisect_left(xs, a[2]) - bisect_right(xs, a[0]) <= 0 or bisect_left(ys, a[3]) - bisect_right(ys, a[1]) <= 0:
            continue
        for b in keys:
            if b is not a and a[0] <= b[0] and a[1] <= b[1] and b[2] <= a[2] and b[3] <= a[3] and b != a:
                containers.add(a)
                break
    return containers


def _beside_others(leaf: list[tuple]) -> set[tuple]:
    """The cells with another cell beside them (overlapping rows by more than 1 pt): table cells.

    Cells sorted by top; each is paired with the next ones up to the first that starts below its
    bottom (no later one can overlap it). The set is filled in the order of that scan, pair by pair,
    so that its iteration order, which orders the rows' cells, is the scan's."""
    k = len(leaf)
    if k < 2:
        return set()
    by_top = sorted(leaf, key=itemgetter(1))
    t = np.array([c[1] for c in by_top])
    b = np.array([c[3] for c in by_top])
    after = np.arange(1, k + 1)
    counts = np.maximum(np.searchsorted(t, b, side="left"), after) - after
    i = np.repeat(after - 1, counts)
    j = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts) + i + 1
    beside = np.minimum(b[i], b[j]) - np.maximum(t[i], t[j]) > 1
    tabular = set()
    for c in dict.fromkeys(np.stack([i[beside], j[beside]], axis=1).ravel().tolist()):
        tabular.add(by_top[c])
    return tabular


def _cell_lines(runs: _Runs, cells: dict, k: tuple) -> list[str]:
    """A cell's text, line by line (its runs left to right)."""
    if len(cells[k]) == 1:
        return [runs.text[cells[k][0][1]]]
    by_line: dict[int, list[int]] = {}
    for li, r in cells[k]:
        by_line.setdefault(li, []).append(r)
    out = []
    for li in sorted(by_line):
        rs = sorted(by_line[li], key=runs.x0.__getitem__)
        out.append(" ".join([runs.text[r] for r in rs]))
    return out


def _degrade(cells: dict, ks, free: dict) -> None:
    """These cells' runs back to plain lines."""
    for k in ks:
        for li, r in cells[k]:
            free.setdefault(li, []).append(r)


def _spanning_rows(runs: _Runs, cells: dict, rows: dict, row_keys: list, spans: set, free: dict, items: list) -> dict:
    """Rows spanning others: a vertical label becomes a line of its own, another spanning cell joins the first
    row inside it (returned: row → its extra cells), anything else becomes plain lines."""
    extra: dict[tuple[float, float], list[tuple]] = {}
    for rk in row_keys:
        if rk not in spans:
            continue
        lines = [ln for k in rows[rk] for ln in _cell_lines(runs, cells, k)]
        if len(lines) >= 3 and all(len(ln.replace(" ", "")) <= 2 for ln in lines):
            # Vertical label, one character per line: a line of its own above its rows.
            items.append((rk[0], -1, min(k[0] for k in rows[rk]), "".join(lines), rk[1], _LABEL))
            continue
        inner = [o for o in row_keys if o not in spans and o != rk and rk[0] <= o[0] and o[1] <= rk[1]]
        if inner:
            extra.setdefault(min(inner), []).extend(rows[rk])
        else:
            _degrade(cells, rows[rk], free)
    return extra


def _row_item(runs: _Runs, cells: dict, ks: list, extra: list, rk: tuple, free: dict, items: list) -> None:
    """One table row as one item (its cells left to right, wrapped lines joined)."""
    texts = {k: _cell_lines(runs, cells, k) for k in ks}
    # Rules missing between rows: numbers of several rows in one cell. Keep raw lines.
    if any(len(t) > 1 and all(_NUMERIC.match(tok) for ln in t for tok in ln.split()) for t in texts.values()):
        _degrade(cells, ks, free)
        return
    allk = sorted(ks + extra, key=itemgetter(0)) if extra else sorted(ks, key=itemgetter(0))
    parts = []
    for k in allk:
        t = texts[k] if k in texts else _cell_lines(runs, cells, k)
        p = t[0] if len(t) == 1 else join_wrapped(t)  # one line: join_wrapped would return it as is
        if p:
            parts.append(p)
    items.append((rk[0], 1, allk[0][0], " ".join(parts), rk[1], _ROW))
