"""OCR reader: a rendered report-like table read back with Tesseract. Skips without it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from pipelines.document import ReadError
from pipelines.readers import ocr

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NUM = re.compile(r"^\d+(?:\.\d+)?$")
ROWS = [
    ("一、本年新收政府信息公开申请数量", [3001, 53, 0, 0, 61, 4, 3119]),
    ("二、上年结转政府信息公开申请数量", [34, 0, 0, 0, 0, 0, 34]),
    ("(一)予以公开", [1288, 21, 0, 0, 50, 3, 1362]),
    ("(七)总计", [2932, 53, 0, 0, 61, 4, 3050]),
]

needs_ocr = pytest.mark.skipif(
    not ocr.available(), reason="tesseract-ocr with chi_sim not installed: apt-get install tesseract-ocr-chi-sim"
)


def render(scale: float = 1.0, blur: float = 0.0):
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    if not FONT.exists():
        pytest.skip(f"CJK font {FONT} absent (apt-get install fonts-noto-cjk)")
    font = ImageFont.truetype(str(FONT), int(28 * scale))
    W, H = int(1500 * scale), int((60 + len(ROWS) * 56) * scale)
    im = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(im)
    d.text((int(20 * scale), int(10 * scale)), "三、收到和处理政府信息公开申请情况", font=font, fill=0)
    for i, (label, nums) in enumerate(ROWS):
        y = int((60 + i * 56) * scale)
        d.line([(0, y), (W, y)], fill=0, width=max(1, int(2 * scale)))
        d.text((int(20 * scale), y + int(10 * scale)), label, font=font, fill=0)
        for k, n in enumerate(nums):
            d.text((int((720 + k * 110) * scale), y + int(10 * scale)), str(n), font=font, fill=0)
    if blur:
        im = im.filter(ImageFilter.GaussianBlur(blur))
    return im


def png(im) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def nums(text: str) -> list[int]:
    return [int(float(t)) for t in text.split() if NUM.match(t)]


@needs_ocr
def test_clean_render_exact_numbers():
    doc = ocr.read_bytes(png(render(1.0)), "table.png")
    assert doc.format == "ocr" and doc.ocr and doc.pages == 1
    lines = [b.text for b in doc.blocks]
    assert any("收到和处理" in ln for ln in lines)
    for label, want in ROWS:
        assert any(nums(ln) == want for ln in lines), f"no line with {want} in {lines}"
    assert all(0.0 <= b.confidence <= 1.0 and b.page == 1 for b in doc.blocks)


@needs_ocr
def test_degraded_render_numbers_correct_or_flagged():
    doc = ocr.read_bytes(png(render(0.45, blur=0.8)), "small.png")
    truth = {n for _, row in ROWS for n in row}
    assert doc.blocks, "nothing read"
    for b in doc.blocks:
        wrong = [n for n in nums(b.text) if n not in truth]
        assert not wrong or b.confidence < 1.0, (b.text, b.confidence)


@needs_ocr
def test_scanned_pdf_goes_to_ocr():
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from pipelines.readers import pdf

    im = render(1.0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.drawImage(ImageReader(im), 36, 600, width=523, height=523 * im.height / im.width)
    c.showPage()
    c.save()
    doc = pdf.read_bytes(buf.getvalue(), "scan.pdf")
    assert doc.format == "pdf" and doc.ocr and doc.pages == 1
    assert any(nums(b.text) == ROWS[0][1] for b in doc.blocks), [b.text for b in doc.blocks]


def test_fix_digits_only_in_number_tokens():
    assert ocr.fix_digits(["l2O", "3O0l", "〇", "Ol", "Oct", "1.属于国家秘密", "”53", "-1"]) == [
        "120",
        "3001",
        "0",
        "Ol",
        "Oct",
        "1.属于国家秘密",
        "53",
        "-1",
    ]
    assert ocr.fix_digits(["12", "O", "7"]) == ["12", "0", "7"]  # a lone O among numbers
    assert ocr.fix_digits(["Ol"]) == ["Ol"]  # no real digit: not a number
    assert ocr.fix_digits(["I", "O"]) == ["I", "O"]  # no numbers around: letters stay letters


@needs_ocr
def test_not_an_image():
    with pytest.raises(ReadError, match=r"^x\.png: not a readable image"):
        ocr.read_bytes(b"\x89PNG\r\n\x1a\nbroken", "x.png")


def test_no_tesseract(monkeypatch):
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(ReadError, match=r"^s\.png: OCR needs tesseract-ocr with the chi_sim model$"):
        ocr.read_bytes(b"", "s.png")


def _grid_image():
    """A ruled 3×3 table (1600 px wide) whose middle row's first two cells are merged."""
    import numpy as np

    a = np.full((400, 1600), 255, np.uint8)
    for y in (50, 150, 250, 350):
        a[y - 1 : y + 2, 100:1501] = 0
    for x in (100, 600, 1000, 1500):
        a[49:352, x - 1 : x + 2] = 0
    a[151:250, 599:602] = 255  # merge (row 1, cols 0-1)
    return a


def test_rules_found_and_stripped():
    a = _grid_image()
    a[90:110, 300:310] = 0  # a glyph-sized blot: not a rule
    mh, mv = ocr.rule_masks(a)
    out = ocr.strip_rules(a, mh, mv)
    assert out[50, 800] == 255 and out[200, 1000] == 255  # rules gone
    assert (out[90:110, 300:310] == 0).all()  # the blot stays


def test_grid_cells_with_a_merged_cell():
    a = _grid_image()
    mh, mv = ocr.rule_masks(a)
    boxes = sorted(ocr.grid_cells(mh, mv), key=lambda b: (b[1], b[0]))
    assert len(boxes) == 8  # 9 cells, two of them merged
    x0, y0, x1, y1 = boxes[3]
    assert (x0, x1) == (104, 997) and 150 < y0 < y1 < 250  # the merged cell spans two columns
    assert ocr.grid_cells(*ocr.rule_masks(np_blank())) == []


def np_blank():
    import numpy as np

    return np.full((300, 1600), 255, np.uint8)


def test_cell_frag_joins_wrapped_label_but_never_digits():
    from pipelines.readers.layout import Frag

    label = [Frag(0, 0, 40, 20, "（二）部分", 0.9), Frag(0, 30, 40, 50, "公开", 0.7)]
    f = ocr.cell_frag(label)
    assert f.text == "(二)部分公开" and f.conf == 0.7 and (f.y0 + f.y1) / 2 == 25
    nums = [Frag(0, 0, 20, 20, "12", 0.9), Frag(0, 30, 20, 50, "3", 0.9)]
    assert ocr.cell_frag(nums).text == "12 3"


@needs_ocr
def test_ruled_table_read_cell_by_cell():
    """Full grid lines used to come back as "|", "l" and garbage around every number."""
    from PIL import Image, ImageDraw, ImageFont

    if not FONT.exists():
        pytest.skip(f"CJK font {FONT} absent")
    font = ImageFont.truetype(str(FONT), 26)
    xs = [40, 640] + [640 + 120 * k for k in range(1, 8)]
    im = Image.new("L", (xs[-1] + 40, 60 + 56 * len(ROWS)), 255)
    d = ImageDraw.Draw(im)
    for i in range(len(ROWS) + 1):
        d.line([(xs[0], 30 + 56 * i), (xs[-1], 30 + 56 * i)], fill=0, width=2)
    for x in xs:
        d.line([(x, 30), (x, 30 + 56 * len(ROWS))], fill=0, width=2)
    for i, (label, vals) in enumerate(ROWS):
        d.text((xs[0] + 10, 40 + 56 * i), label[:18], font=font, fill=0)
        for k, v in enumerate(vals):
            d.text((xs[k + 1] + 15, 40 + 56 * i), str(v), font=font, fill=0)
    lines = [b.text for b in ocr.read_bytes(png(im), "grid.png").blocks]
    for _, want in ROWS:
        assert any(nums(ln) == want for ln in lines), f"no line with {want} in {lines}"
