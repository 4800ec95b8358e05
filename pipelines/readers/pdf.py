"""PDF → Document with pypdfium2: reading order rebuilt from character boxes.

Characters are grouped into lines by vertical overlap and split into space-separated runs by
horizontal gaps. Where the page draws a table grid (path objects: stroked lines or cell
rectangles), each run is placed in the grid cell that encloses it, and one table row becomes
one line: a label wrapped over several lines joins the numbers printed beside it, a rowspan
group label (（三）不予公开) joins the first row it spans, and a vertical label written one
character per line (三/、/本/年…) becomes a line of its own.
"""

from __future__ import annotations

import ctypes
import re
import shutil
from bisect import bisect_left, bisect_right

import pypdfium2 as pdfium
import pypdfium2.raw as pc

from pipelines.document import Block, Document, ReadError, TextBlock, normalize_text
from pipelines.readers.layout import Frag, group_lines, join_wrapped, split_runs

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
        for i in range(n):
            page = pdf[i]
            try:
                lines, nchars = _read_page(page)
            finally:
                page.close()
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


def page_frags(page: pdfium.PdfPage) -> list[Frag]:
    """Visible characters of a page as fragments in top-down coordinates (pdfium's generated
    spaces and line breaks are dropped: spacing is decided from geometry)."""
    H = page.get_height()
    textpage = page.get_textpage()
    try:
        tp = textpage.raw  # raw handle: skips the wrapper's per-call conversion
        n = pc.FPDFText_CountChars(tp)
        # One call for all the text; per-character calls only if its indices do not line up.
        whole = textpage.get_text_range() if n > 0 else ""
        codes = [ord(ch) for ch in whole] if len(whole) == n else None
        rect = pc.FS_RECTF()
        # The box is passed by a reference made once, and read back through a float view of the
        # struct (left, top, right, bottom): no per-character conversion or field lookups.
        rect_ref = ctypes.byref(rect)
        rect_f = memoryview(rect).cast("B").cast("f")
        get_u, loose, tight = pc.FPDFText_GetUnicode, pc.FPDFText_GetLooseCharBox, pc.FPDFText_GetCharBox
        L, R, B, T = (ctypes.c_double() for _ in range(4))
        out: list[Frag] = []
        pending_hi = 0
        for i in range(n):
            u = codes[i] if codes is not None else get_u(tp, i)
            # pdfium's generated spaces and line breaks are <= 32 too: spacing comes from geometry.
            if u <= 32 or u in _SKIP:
                continue
            if 0xD800 <= u < 0xDC00:  # high surrogate: combine with the next char
                pending_hi = u
                continue
            if 0xDC00 <= u < 0xE000 and pending_hi:
                u = 0x10000 + ((pending_hi - 0xD800) << 10) + (u - 0xDC00)
                pending_hi = 0
            if not loose(tp, i, rect_ref):
                continue
            l, t, r, b = rect_f
            if r - l > HUGE_BOX or t - b > HUGE_BOX:
                # A broken font matrix gives absurd loose boxes (seen: 199 pt): use the glyph box.
                if not tight(tp, i, L, R, B, T):
                    continue
                l, t, r, b = L.value, T.value, R.value, B.value
            out.append(Frag(l, H - t, r, H - b, chr(u)))
        return out
    finally:
        textpage.close()


# ---------------------------------------------------------------------------- ruling lines


def page_rules(page: pdfium.PdfPage) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal rules (y, x0, x1) and vertical rules (x, y0, y1), top-down coordinates,
    from the page's path objects: thin paths are lines, rectangles contribute their 4 edges."""
    H = page.get_height()
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    L, B, R, T = (ctypes.c_float() for _ in range(4))
    path_t = pc.FPDF_PAGEOBJ_PATH
    raw = page.raw
    get_obj, get_type = pc.FPDFPage_GetObject, pc.FPDFPageObj_GetType
    for i in range(pc.FPDFPage_CountObjects(raw)):
        obj = get_obj(raw, i)
        if get_type(obj) != path_t:
            continue
        nseg = pc.FPDFPath_CountSegments(obj)
        if nseg > 6:
            _path_segments(obj, H, hs, vs)
            continue
        if not pc.FPDFPageObj_GetBounds(obj, L, B, R, T):
            continue
        l, r, t, b = L.value, R.value, H - T.value, H - B.value
        w, h = r - l, b - t
        if h <= RULE_THICK and w > RULE_THICK:
            hs.append(((t + b) / 2, l, r))
        elif w <= RULE_THICK and h > RULE_THICK:
            vs.append(((l + r) / 2, t, b))
        elif w > RULE_THICK and h > RULE_THICK:
            hs += [(t, l, r), (b, l, r)]
            vs += [(l, t, b), (r, t, b)]
    return hs, vs


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


def _snap(rules: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Snap rule positions that are within SNAP of each other to one value, sorted by position
    (cell borders drawn per cell differ by a fraction of a point)."""
    rules = sorted(rules)
    out: list[tuple[float, float, float]] = []
    anchor = None
    for pos, a, b in rules:
        if anchor is None or pos - anchor > SNAP:
            anchor = pos
        out.append((round(anchor, 1), a, b))
    return out


class _Grid:
    def __init__(self, hs, vs):
        self.hs = _snap(hs)
        self.vs = _snap(vs)
        self.hpos = [r[0] for r in self.hs]
        self.vpos = [r[0] for r in self.vs]

    def cell(self, x: float, y: float) -> tuple[float, float, float, float] | None:
        """The smallest grid cell (left, top, right, bottom) enclosing the point, or None."""
        top = _nearest(self.hs, self.hpos, y, x, up=True)
        if top is None:
            return None
        bot = _nearest(self.hs, self.hpos, y, x, up=False)
        if bot is None:
            return None
        left = _nearest(self.vs, self.vpos, x, y, up=True)
        if left is None:
            return None
        right = _nearest(self.vs, self.vpos, x, y, up=False)
        if right is None:
            return None
        return (left, top, right, bot)

    def has_vrule_between(self, x0: float, x1: float, y: float) -> bool:
        i, j = bisect_left(self.vpos, x0), bisect_right(self.vpos, x1)
        return any(self.vs[k][1] - 1 <= y <= self.vs[k][2] + 1 for k in range(i, j))


def _nearest(rules, pos, p: float, q: float, up: bool) -> float | None:
    """Position of the nearest rule before (up) or after p whose extent covers q."""
    if up:
        k = bisect_left(pos, p) - 1
        while k >= 0:
            if rules[k][1] - 1 <= q <= rules[k][2] + 1:
                return pos[k]
            k -= 1
    else:
        k = bisect_right(pos, p)
        while k < len(rules):
            if rules[k][1] - 1 <= q <= rules[k][2] + 1:
                return pos[k]
            k += 1
    return None


# ---------------------------------------------------------------------------- page → lines


def _read_page(page: pdfium.PdfPage) -> tuple[list[str], int]:
    frags = page_frags(page)
    if not frags:
        return [], 0
    H = page.get_height()
    hs, vs = page_rules(page)
    grid = _Grid(hs, vs) if hs and vs else None
    raw = group_lines(frags)

    # Runs: tokens of a raw line, also cut where a vertical rule separates two characters.
    runs: list[tuple[int, list[Frag]]] = []  # (raw line index, chars)
    for li, line in enumerate(raw):
        for run in split_runs(line, GAP_EM):
            if grid is None:
                runs.append((li, run))
                continue
            cur = [run[0]]
            for f in run[1:]:
                # Cell padding leaves a gap at a rule; touching boxes (CJK text) need no lookup.
                if f.x0 - cur[-1].x1 > 0.3 and grid.has_vrule_between(cur[-1].x1 - 0.5, f.x0 + 0.5, (f.y0 + f.y1) / 2):
                    runs.append((li, cur))
                    cur = []
                cur.append(f)
            runs.append((li, cur))

    items: list[tuple[float, int, float, str]] = []  # (top, priority, left, text)
    free: dict[int, list[list[Frag]]] = {}
    if grid is None:
        for li, run in runs:
            free.setdefault(li, []).append(run)
    else:
        _table_items(grid, runs, free, items)

    for rs in free.values():
        rs.sort(key=lambda r: r[0].x0)
        text = normalize_text(" ".join("".join(f.text for f in r) for r in rs)).strip()
        top = min(f.y0 for r in rs for f in r)
        bottom = max(f.y1 for r in rs for f in r)
        if not text or _is_page_number(text, top, bottom, H):
            continue
        items.append((top, 0, rs[0][0].x0, text))
    items.sort(key=lambda it: (round(it[0], 1), it[1], it[2]))
    return [it[3] for it in items], len(frags)


def _is_page_number(text: str, top: float, bottom: float, H: float) -> bool:
    return bool(_PAGE_NO.match(text)) and (top > 0.85 * H or bottom < 0.08 * H)


def _table_items(grid: _Grid, runs, free: dict, items: list) -> None:
    """Assign runs to grid cells; emit one item per table row (see the module docstring)."""
    cells: dict[tuple, list[tuple[int, list[Frag]]]] = {}
    for li, run in runs:
        f0, f1 = run[0], run[-1]
        c = grid.cell((f0.x0 + f1.x1) / 2, (f0.y0 + f0.y1) / 2)
        if c is None:
            free.setdefault(li, []).append(run)
        else:
            cells.setdefault(c, []).append((li, run))
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
    spans = {rk for rk in row_keys if any(o != rk and rk[0] <= o[0] and o[1] <= rk[1] for o in row_keys)}
    extra = _spanning_rows(cells, rows, row_keys, spans, free, items)
    for rk in row_keys:
        if rk not in spans:
            _row_item(cells, rows[rk], extra.get(rk, []), rk, free, items)


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
    """The cells with another cell beside them (overlapping rows): table cells."""
    tabular = set()
    by_top = sorted(leaf, key=lambda k: k[1])
    for i, a in enumerate(by_top):
        for b in by_top[i + 1 :]:
            if b[1] >= a[3]:
                break
            if min(a[3], b[3]) - max(a[1], b[1]) > 1:
                tabular.add(a)
                tabular.add(b)
    return tabular


def _cell_lines(cells: dict, k: tuple) -> list[str]:
    """A cell's text, line by line (its runs left to right)."""
    by_line: dict[int, list[list[Frag]]] = {}
    for li, run in cells[k]:
        by_line.setdefault(li, []).append(run)
    out = []
    for li in sorted(by_line):
        rs = sorted(by_line[li], key=lambda r: r[0].x0)
        out.append(" ".join("".join(f.text for f in r) for r in rs))
    return out


def _degrade(cells: dict, ks, free: dict) -> None:
    """These cells' runs back to plain lines."""
    for k in ks:
        for li, run in cells[k]:
            free.setdefault(li, []).append(run)


def _spanning_rows(cells: dict, rows: dict, row_keys: list, spans: set, free: dict, items: list) -> dict:
    """Rows spanning others: a vertical label becomes a line of its own, another spanning cell joins the first
    row inside it (returned: row → its extra cells), anything else becomes plain lines."""
    extra: dict[tuple[float, float], list[tuple]] = {}
    for rk in row_keys:
        if rk not in spans:
            continue
        lines = [ln for k in rows[rk] for ln in _cell_lines(cells, k)]
        if len(lines) >= 3 and all(len(ln.replace(" ", "")) <= 2 for ln in lines):
            # Vertical label, one character per line: a line of its own above its rows.
            items.append((rk[0], -1, min(k[0] for k in rows[rk]), normalize_text("".join(lines)).strip()))
            continue
        inner = [o for o in row_keys if o not in spans and o != rk and rk[0] <= o[0] and o[1] <= rk[1]]
        if inner:
            extra.setdefault(min(inner), []).extend(rows[rk])
        else:
            _degrade(cells, rows[rk], free)
    return extra


def _row_item(cells: dict, ks: list, extra: list, rk: tuple, free: dict, items: list) -> None:
    """One table row as one item (its cells left to right, wrapped lines joined)."""
    texts = {k: _cell_lines(cells, k) for k in ks}
    # Rules missing between rows: numbers of several rows in one cell. Keep raw lines.
    if any(len(t) > 1 and all(_NUMERIC.match(tok) for ln in t for tok in ln.split()) for t in texts.values()):
        _degrade(cells, ks, free)
        return
    allk = sorted(ks + extra, key=lambda k: k[0])
    parts = [join_wrapped(texts[k] if k in texts else _cell_lines(cells, k)) for k in allk]
    text = normalize_text(" ".join(p for p in parts if p)).strip()
    if text:
        items.append((rk[0], 1, allk[0][0], text))
