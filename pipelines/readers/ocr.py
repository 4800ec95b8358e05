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

from pipelines.document import Document, ReadError, TextBlock, normalize_text
from pipelines.readers.layout import Frag, group_lines, split_runs

MAX_PAGES = 200
DPI = 300
LANG = "chi_sim"
TIMEOUT = 300.0
GAP_EM = 0.6  # Tesseract boxes are tight: CJK neighbours sit further apart than in PDF loose boxes
MIN_WIDTH = 1600  # small images are upscaled: Tesseract wants text ≥ ~20 px high

NO_ENGINE = "OCR needs tesseract-ocr with the chi_sim model"

# Digit look-alikes, fixed only inside tokens that are otherwise numbers.
_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "〇": "0", "D": "0", "l": "1", "I": "1", "|": "1", "i": "1", "S": "5", "B": "8"})
_NUMLIKE = re.compile(r"^[\dOo〇DlI|iSB]+(?:[.,][\dOo〇]+)?$")
_DIGIT = re.compile(r"[\d〇]")
_STRAY = "\"'“”‘’`´,，.。:：;；_"


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
    blocks: list[TextBlock] = []
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
    blocks: list[TextBlock] = []
    for i in range(n):
        page = pdf[i]
        try:
            img = page.render(scale=dpi / 72, grayscale=True).to_pil()
        finally:
            page.close()
        blocks += ocr_image(img, source, page=i + 1, exe=exe, upscale=False)
    return Document(source=source, format="pdf", blocks=blocks, ocr=True, pages=n)


def ocr_image(img, source: str, page: int = 1, exe: str | None = None, upscale: bool = True) -> list[TextBlock]:
    """OCR one image; one TextBlock per rebuilt line."""
    exe = exe or _require(source)
    img = img.convert("L")
    if upscale and img.width < MIN_WIDTH:
        from PIL import Image

        f = MIN_WIDTH / img.width
        img = img.resize((MIN_WIDTH, round(img.height * f)), Image.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    words = run_tesseract(buf.getvalue(), source, exe)
    return [TextBlock(text, page=page, confidence=conf) for text, conf in words_to_lines(words)]


def run_tesseract(png: bytes, source: str, exe: str, timeout: float = TIMEOUT) -> list[Frag]:
    """Word boxes from `tesseract stdin stdout -l chi_sim --psm 6 tsv`."""
    # One thread per tesseract: OpenMP's extra threads slow it down on a small machine.
    env = dict(os.environ, OMP_THREAD_LIMIT=os.environ.get("OMP_THREAD_LIMIT", "1"))
    try:
        p = subprocess.run(
            [exe, "stdin", "stdout", "-l", LANG, "--psm", "6", "--dpi", str(DPI), "tsv"],
            input=png, capture_output=True, timeout=timeout, env=env,
        )
    except subprocess.TimeoutExpired:
        raise ReadError(source, f"OCR timed out after {timeout:.0f} s") from None
    if p.returncode != 0:
        tail = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadError(source, f"tesseract failed ({tail[-1] if tail else p.returncode})")
    words: list[Frag] = []
    rows = csv.reader(io.StringIO(p.stdout.decode("utf-8", "replace")), delimiter="\t", quoting=csv.QUOTE_NONE)
    next(rows, None)  # header
    for r in rows:
        if len(r) < 12 or r[0] != "5":
            continue
        text = r[11].strip()
        if not text:
            continue
        left, top, w, h, conf = int(r[6]), int(r[7]), int(r[8]), int(r[9]), float(r[10])
        words.append(Frag(left, top, left + w, top + h, text, max(conf, 0.0) / 100))
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
