"""Images and scanned PDF pages → Document with Tesseract (chi_sim).

The `tesseract` binary is called directly (TSV output: word boxes and confidences); lines are
rebuilt from the word boxes with the same helper as the PDF reader. A line's confidence is its
least confident word's, so a parser can tell a doubtful number from a sure one.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess

from pipelines import settings
from pipelines.document import Block, Document, ReadError, TextBlock, normalize_text
from pipelines.readers.layout import Frag, group_lines, split_runs

MAX_PAGES = 200
DPI = 300
LANG = "chi_sim"
PSM = "6"
TIMEOUT = 300.0
GAP_EM = 0.6  # Tesseract boxes are tight: CJK neighbours sit further apart than in PDF loose boxes
MIN_WIDTH = 1600  # small images are upscaled: Tesseract wants text ≥ ~20 px high
RULE_DARK = 170  # grey level below which a pixel can belong to a table rule
RULE_MIN = 60  # a rule is at least this many pixels long …
RULE_FRACTION = 25  # … and at least 1/25 (horizontal) or 1/50 (vertical) of the image width
RULE_SLACK = 4  # pixels either side of a rule's centre line (its thickness and anti-aliasing)
CELL_WIDTH = 2480  # cut-out cells are enlarged to this page width (A4 at 300 dpi): small table
# print is misread far less; more (×2 and up) made Tesseract drop and confuse digits again
CELL_RESAMPLE = 1  # PIL.Image.LANCZOS (measured better than bilinear on serif digits)
CELL_PAD = 12  # white margin around a cut-out cell (Tesseract misses glyphs touching the edge)

NO_ENGINE = "OCR needs tesseract-ocr with the chi_sim model"

# Digit look-alikes, fixed only inside tokens that are otherwise numbers.
_CONFUSABLE = str.maketrans(
    {"O": "0", "o": "0", "〇": "0", "D": "0", "l": "1", "I": "1", "|": "1", "i": "1", "S": "5", "B": "8"}
)
_NUMLIKE = re.compile(r"^[\dOo〇DlI|iSB]+(?:[.,][\dOo〇]+)?$")
_DIGIT = re.compile(r"[\d〇]")
_STRAY = "\"'“”‘’`´,，.。:：;；_[]"


def available() -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=30).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        return False
    return LANG in out.split()


def _require(source: str) -> str:
    exe = shutil.which("tesseract")
    if not exe or not available():
        raise ReadError(source, NO_ENGINE)
    return exe


def read_bytes(data: bytes, source: str, *, max_pages: int = MAX_PAGES, limits=None) -> Document:
    """An image file (PNG, JPEG, TIFF with one page per frame)."""
    if limits is not None:
        max_pages = limits.max_pages
    from PIL import Image, ImageSequence, UnidentifiedImageError

    exe = _require(source)
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Image.DecompressionBombError:
        raise ReadError(source, "image refused: too many pixels (decompression bomb?)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ReadError(source, f"not a readable image ({e})") from None
    n = getattr(img, "n_frames", 1)
    if n > max_pages:
        raise ReadError(source, f"image has {n} pages, more than the limit of {max_pages}")
    blocks: list[Block] = []
    for i, frame in enumerate(ImageSequence.Iterator(img)):
        blocks += ocr_image(frame.copy(), source, page=i + 1, exe=exe)
    return Document(source=source, format="ocr", blocks=blocks, ocr=True, pages=n)


def read_pdf_pages(pdf, source: str, *, max_pages: int = MAX_PAGES, dpi: int = DPI) -> Document:
    """A PDF without a text layer: each page rendered at `dpi` and OCR'd. `pdf` is an open
    pypdfium2 PdfDocument or the PDF's bytes."""
    exe = _require(source)
    if isinstance(pdf, (bytes, bytearray)):
        from pipelines.readers.pdf import open_pdf

        pdf = open_pdf(bytes(pdf), source)
    n = len(pdf)
    if n > max_pages:
        raise ReadError(source, f"PDF has {n} pages, more than the limit of {max_pages}")
    blocks: list[Block] = []
    for i in range(n):
        page = pdf[i]
        try:
            img = page.render(scale=dpi / 72, grayscale=True).to_pil()
        finally:
            page.close()
        blocks += ocr_image(img, source, page=i + 1, exe=exe, upscale=False)
    return Document(source=source, format="pdf", blocks=blocks, ocr=True, pages=n)


def ocr_image(img, source: str, page: int = 1, exe: str | None = None, upscale: bool = True) -> list[TextBlock]:
    """OCR one image; one TextBlock per rebuilt line. Ruled table cells are cut out and read one
    by one (Tesseract reads a whole ruled page as a jumble), then put back by their position."""
    exe = exe or _require(source)
    img = img.convert("L")
    if upscale and img.width < MIN_WIDTH:
        from PIL import Image

        f = MIN_WIDTH / img.width
        img = img.resize((MIN_WIDTH, round(img.height * f)), Image.Resampling.LANCZOS)
    import numpy as np

    a = np.asarray(img)
    mh, mv = rule_masks(a)
    a = strip_rules(a, mh, mv)
    boxes = grid_cells(mh, mv)
    rest = a.copy()
    scale = max(1.0, CELL_WIDTH / a.shape[1])
    crops, origins = [], []
    for x0, y0, x1, y1 in boxes:
        cell = a[y0:y1, x0:x1]
        rest[y0:y1, x0:x1] = 255
        if (cell < RULE_DARK).sum() < 4:
            continue  # an empty cell
        crops.append(np.pad(cell, CELL_PAD, constant_values=255))
        origins.append((x0 - CELL_PAD, y0 - CELL_PAD, 1 / scale))
    found = run_tesseract_many([_png(rest)] + [_png(c, scale) for c in crops], source, exe, [(0, 0, 1)] + origins)
    words = [f for k, f in found if k == 0]
    by_cell: dict[int, list[Frag]] = {}
    for k, f in found:
        if k:
            by_cell.setdefault(k, []).append(f)
    words += [cell_frag(ws) for ws in by_cell.values()]
    return [TextBlock(text, page=page, confidence=conf) for text, conf in words_to_lines(words)]


def cell_frag(words: list[Frag]) -> Frag:
    """A cell's words as one fragment at the cell text's vertical centre, one line high: a label
    wrapped over lines then sits on the same line as its row's numbers, as a table cell would."""
    lines = words_to_lines(words)
    text = lines[0][0]
    for t, _ in lines[1:]:  # wrapped text joins without a space, but digits never run together
        text += " " + t if text[-1:].isdigit() and t[:1].isdigit() else t
    y0, y1 = min(f.y0 for f in words), max(f.y1 for f in words)
    em = max(f.h for f in words)
    c = (y0 + y1) / 2
    return Frag(
        min(f.x0 for f in words), c - em / 2, max(f.x1 for f in words), c + em / 2, text, min(f.conf for f in words)
    )


def _png(a, scale: float = 1) -> bytes:
    from PIL import Image

    img = Image.fromarray(a)
    if scale != 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), CELL_RESAMPLE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _long_runs(dark, n: int):
    """Pixels that belong to a horizontal run of at least `n` dark pixels (per row)."""
    import numpy as np

    h, w = dark.shape
    if w < n:
        return np.zeros_like(dark)
    s = np.zeros((h, w + 1), np.int32)
    np.cumsum(dark, axis=1, out=s[:, 1:])
    start = (s[:, n:] - s[:, :-n]) == n  # the n pixels from here on are all dark
    d = np.zeros((h, w + 1), np.int32)
    d[:, : w - n + 1] += start
    d[:, n:] -= start
    return np.cumsum(d, axis=1)[:, :w] > 0


def rule_masks(a):
    """(horizontal, vertical) masks of table-rule pixels: long straight dark runs. Text strokes
    are far shorter than RULE_MIN pixels and 1/RULE_FRACTION of the page."""
    dark = a < RULE_DARK
    h, w = a.shape
    mh = _long_runs(dark, max(RULE_MIN, w // RULE_FRACTION))
    mv = _long_runs(dark.T, max(RULE_MIN, w // (2 * RULE_FRACTION))).T  # width: pages may be stacked
    return mh, mv


def strip_rules(a, mh=None, mv=None):
    """The image with its table rules painted white (Tesseract reads rules as "|", "l", "一")."""
    if mh is None:
        mh, mv = rule_masks(a)
    mask = mh | mv
    if not mask.any():
        return a
    grown = mask.copy()  # one pixel more each way: the rule's anti-aliased edge
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    out = a.copy()
    out[grown] = 255
    return out


def _centres(hit) -> list[int]:
    """Centres of the runs of True in a 1-D array (one per rule, however thick)."""
    out, start = [], None
    for i, v in enumerate(list(hit) + [False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    return out


def grid_cells(mh, mv) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) inside the rules of every ruled cell, merged cells included. Each
    table (horizontal rules joined by vertical ones) is gridded on its own rule positions."""
    ys = _centres(mh.any(axis=1))
    m = RULE_SLACK
    out: list[tuple[int, int, int, int]] = []
    group = ys[:1]
    for y in ys[1:]:
        if mv[group[-1] + m : y - m].any():
            group.append(y)
            continue
        out += _table_cells(mh, mv, group)  # no vertical rule between: the next table starts
        group = [y]
    return out + _table_cells(mh, mv, group)


def _joined_units(ni: int, nj: int, vrule, hrule) -> list[list[tuple[int, int]]]:
    """The grid's units (band i, column j) joined into groups wherever no rule separates neighbours
    (union-find over the ni × nj units)."""
    parent = list(range(ni * nj))

    def find(u):
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for i in range(ni):
        for j in range(nj):
            if j + 1 < nj and not vrule(i, j + 1):
                parent[find(i * nj + j)] = find(i * nj + j + 1)
            if i + 1 < ni and not hrule(i + 1, j):
                parent[find(i * nj + j)] = find((i + 1) * nj + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(ni):
        for j in range(nj):
            groups.setdefault(find(i * nj + j), []).append((i, j))
    return list(groups.values())


def _table_cells(mh, mv, ys: list[int]) -> list[tuple[int, int, int, int]]:
    """One table's cells: the grid of its rule positions, units joined wherever no rule separates
    them, and only rectangles closed by rules on all four sides kept."""
    if len(ys) < 2:
        return []
    m = RULE_SLACK
    xs = _centres(mv[ys[0] + m : ys[-1] - m].any(axis=0))
    if len(xs) < 2:
        return []
    ni, nj = len(ys) - 1, len(xs) - 1

    def vrule(i, j) -> bool:  # a vertical rule at xs[j] over band i
        band = mv[ys[i] + m : ys[i + 1] - m, max(xs[j] - m, 0) : xs[j] + m + 1]
        return band.size > 0 and band.any(axis=1).mean() > 0.9

    def hrule(i, j) -> bool:  # a horizontal rule at ys[i] over column j
        band = mh[max(ys[i] - m, 0) : ys[i] + m + 1, xs[j] + m : xs[j + 1] - m]
        return band.size > 0 and band.any(axis=0).mean() > 0.9

    groups = _joined_units(ni, nj, vrule, hrule)
    out = []
    for units in groups:
        i0, i1 = min(u[0] for u in units), max(u[0] for u in units)
        j0, j1 = min(u[1] for u in units), max(u[1] for u in units)
        if len(units) != (i1 - i0 + 1) * (j1 - j0 + 1):
            continue  # not a rectangle: open space between tables
        closed = all(hrule(i0, j) and hrule(i1 + 1, j) for j in range(j0, j1 + 1)) and all(
            vrule(i, j0) and vrule(i, j1 + 1) for i in range(i0, i1 + 1)
        )
        if closed:
            out.append((xs[j0] + m, ys[i0] + m, xs[j1 + 1] - m + 1, ys[i1 + 1] - m + 1))
    return out


def run_tesseract_many(
    pngs: list[bytes], source: str, exe: str, origins: list[tuple[int, int, float]], timeout: float = TIMEOUT
) -> list[tuple[int, Frag]]:
    """(image index, word box) from several images in one tesseract process (a list file), each
    box scaled and moved back into the page by its image's (x, y, scale)."""
    import tempfile

    if len(pngs) == 1:
        return [(0, f) for f in run_tesseract(pngs[0], source, exe, timeout)]
    with tempfile.TemporaryDirectory(prefix="xxgk-ocr-") as tmp:
        names = []
        for k, data in enumerate(pngs):
            name = os.path.join(tmp, f"{k:05d}.png")
            with open(name, "wb") as f:
                f.write(data)
            names.append(name)
        lst = os.path.join(tmp, "list.txt")
        with open(lst, "w") as lf:
            lf.write("\n".join(names) + "\n")
        words = run_tesseract(None, source, exe, timeout, path=lst, with_page=True)
    out = []
    for k, f in words:
        dx, dy, sc = origins[k]
        f.x0, f.x1 = f.x0 * sc + dx, f.x1 * sc + dx
        f.y0, f.y1 = f.y0 * sc + dy, f.y1 * sc + dy
        out.append((k, f))
    return out


def run_tesseract(
    png: bytes | None,
    source: str,
    exe: str,
    timeout: float = TIMEOUT,
    *,
    path: str | None = None,
    with_page: bool = False,
) -> list:
    """Word boxes from `tesseract stdin stdout -l chi_sim --psm 6 tsv` (or a list file at `path`);
    with_page: (0-based image index, box) pairs."""
    # One thread per tesseract: OpenMP's extra threads slow it down on a small machine.
    env = settings.subprocess_env(OMP_THREAD_LIMIT="1")
    try:
        p = subprocess.run(
            [exe, path or "stdin", "stdout", "-l", LANG, "--psm", PSM, "--dpi", str(DPI), "tsv"],
            input=png,
            capture_output=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise ReadError(source, f"OCR timed out after {timeout:.0f} s") from None
    if p.returncode != 0:
        tail = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadError(source, f"tesseract failed ({tail[-1] if tail else p.returncode})")
    words: list = []  # Frag, or (page index, Frag) with_page
    rows = csv.reader(io.StringIO(p.stdout.decode("utf-8", "replace")), delimiter="\t", quoting=csv.QUOTE_NONE)
    next(rows, None)  # header
    for r in rows:
        if len(r) < 12 or r[0] != "5":
            continue
        text = r[11].strip()
        if not text:
            continue
        left, top, w, h, conf = int(r[6]), int(r[7]), int(r[8]), int(r[9]), float(r[10])
        f = Frag(left, top, left + w, top + h, text, max(conf, 0.0) / 100)
        words.append((int(r[1]) - 1, f) if with_page else f)
    return words


def words_to_lines(words: list[Frag]) -> list[tuple[str, float]]:
    """Lines of (text, confidence) from word boxes; digit look-alikes fixed in number tokens."""
    out = []
    for line in group_lines(words):
        # Tesseract's boxes hug the glyphs: the line's tallest box is a better em than each word's.
        em = max(f.h for f in line)
        tokens = []
        for run in split_runs([Frag(f.x0, 0, f.x1, em, f.text) for f in line], GAP_EM):
            tokens.append("".join(f.text for f in run))
        tokens = normalize_text(" ".join(tokens)).split()
        tokens = fix_digits(tokens)
        text = " ".join(tokens)
        if text:
            out.append((text, round(min(f.conf for f in line), 4)))
    return out


def fix_digits(tokens: list[str]) -> list[str]:
    """O→0, l/I→1, 〇→0 … but only in tokens that are numbers apart from look-alikes (a lone
    "O" counts when the line holds other numbers)."""
    digits_in_line = sum(t.isdigit() for t in tokens)
    out = []
    for t in tokens:
        core = t.strip(_STRAY)
        if core != t and core and _NUMLIKE.match(core) and _DIGIT.search(core):
            t = core  # specks read as quotes or dots stuck to a number
        if _NUMLIKE.match(t) and (_DIGIT.search(t) or (digits_in_line >= 2 and len(t) == 1 and t in "Oo〇lI|")):
            t = t.translate(_CONFUSABLE)
        out.append(t)
    return out
