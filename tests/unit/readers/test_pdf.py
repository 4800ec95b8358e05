"""PDF reader: real reports (table rows rebuilt from character boxes) and generated PDFs."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from pipelines.document import ReadError, TextBlock
from pipelines.readers import pdf

REPO = Path(__file__).resolve().parents[3]
REAL = REPO.parent / "shared" / "real-reports"
REAL_PDFS = ["huaian-city-government-2024", "hongze-district-government-2023", "hongze-district-government-2024"]
NUM = re.compile(r"^\d+(?:\.\d+)?$")


def numbers(line: str) -> list[float]:
    return [float(t) for t in line.split() if NUM.match(t)]


def real(name: str) -> tuple[bytes, dict]:
    p = REAL / f"{name}.pdf"
    if not p.exists():
        pytest.skip(f"real reports not available at {REAL} (../shared is absent)")
    return p.read_bytes(), json.loads((REAL / f"{name}.truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=REAL_PDFS)
def real_doc(request):
    data, truth = real(request.param)
    return pdf.read_bytes(data, f"{request.param}.pdf"), truth


def test_real_pdf_table3_rows_in_order(real_doc):
    doc, truth = real_doc
    lines = [b.text for b in doc.blocks]
    pos = -1
    for key, row in truth["table3"].items():
        want = [float(v) for v in row if v is not None]
        hit = next((i for i in range(pos + 1, len(lines)) if numbers(lines[i]) == want), None)
        assert hit is not None, (
            f"{doc.source}: no line after #{pos} ({lines[pos] if pos >= 0 else ''!r}) with {key} = {want}"
        )
        pos = hit


def test_real_pdf_table3_wrapped_labels_joined(real_doc):
    doc, truth = real_doc
    lines = [b.text for b in doc.blocks]
    # The wrapped （二） label comes out whole, on the line of its numbers.
    partial = [float(v) for v in truth["table3"]["partial"]]
    hits = [ln for ln in lines if numbers(ln) == partial and "部分公开" in ln]
    assert hits and "不计其他情形" in hits[0].replace(" ", ""), hits
    # The vertical group label is a line of its own, not mixed into a data row.
    assert "三、本年度办理结果" in lines
    assert not any("本年度办理结果" in ln and numbers(ln) for ln in lines)


def test_real_pdf_table4_row(real_doc):
    doc, truth = real_doc
    want = [float(v) for v in truth["table4"]]
    assert any(numbers(b.text) == want for b in doc.blocks), f"{doc.source}: no table-4 line {want}"


def test_real_pdf_no_page_numbers_and_pages_set(real_doc):
    doc, _ = real_doc
    assert doc.format == "pdf" and not doc.ocr and doc.pages in (5, 6)
    assert all(isinstance(b, TextBlock) and 1 <= b.page <= doc.pages for b in doc.blocks)
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages)
    bare = [b.text for b in doc.blocks if re.fullmatch(r"[-—–\s]*\d{1,3}[-—–\s]*", b.text)]
    assert bare == []


def test_huaian_six_subrows_of_other_joined():
    data, _ = real("huaian-city-government-2024")
    lines = [b.text for b in pdf.read_bytes(data, "huaian.pdf").blocks]
    want = "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 67 3 0 0 1 0 71"
    assert any(ln.endswith(want) and "其他处理" in ln for ln in lines)


# ---------------------------------------------------------------- generated PDFs


def _canvas(buf, **kw):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(buf, pagesize=(595, 842), **kw)
    c.setFont("STSong-Light", 10)
    return c


def _table_pdf(grid: bool, one_path: bool = False, **kw) -> bytes:
    """A small table-3-like table; the label of row 2 wraps over three lines with the numbers
    on the middle one. Text is drawn in an order unlike the reading order. `one_path`: the grid
    is one path object of many segments (as some producers draw it), not a path per line."""
    buf = io.BytesIO()
    c = _canvas(buf, **kw)
    c.drawString(72, 790, "三、收到和处理政府信息公开申请情况")
    cols = [72, 232, 282, 332, 382]  # label | 3 number columns | right edge
    rows = [760, 736, 688, 664]  # row tops / bottoms (PDF y)
    if grid and one_path:
        c.grid(cols, rows)
    elif grid:
        for y in rows:
            c.line(cols[0], y, cols[-1], y)
        for x in cols:
            c.line(x, rows[0], x, rows[-1])
    data = [
        (["一、本年新收申请数量"], ["12", "0", "345"], 744),
        (["（二）部分公开（区分处理", "的，只计这一情形，不计", "其他情形）"], ["7", "1", "8"], 708),
        (["（七）总计"], ["19", "1", "353"], 672),
    ]
    for label, nums, base in reversed(data):
        for k, n in enumerate(nums):
            c.drawRightString(cols[k + 2] - 6, base, n)
        top = base + 6 * (len(label) - 1)
        for j, part in enumerate(label):
            c.drawString(cols[0] + 4, top - 12 * j, part)
    c.drawCentredString(297, 40, "- 4 -")
    c.showPage()
    c.setFont("STSong-Light", 10)
    c.drawString(72, 790, "四、结转下年度继续办理")
    c.drawCentredString(297, 40, "— 5 —")
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("one_path", [False, True], ids=["path-per-line", "one-path-grid"])
def test_generated_grid_table_rows(one_path):
    doc = pdf.read_bytes(_table_pdf(grid=True, one_path=one_path), "gen.pdf")
    assert [b.text for b in doc.blocks] == [
        "三、收到和处理政府信息公开申请情况",
        "一、本年新收申请数量 12 0 345",
        "(二)部分公开(区分处理的,只计这一情形,不计其他情形) 7 1 8",
        "(七)总计 19 1 353",
        "四、结转下年度继续办理",
    ]
    assert [b.page for b in doc.blocks] == [1, 1, 1, 1, 2] and doc.pages == 2


def test_generated_table_without_rules_keeps_line_order():
    doc = pdf.read_bytes(_table_pdf(grid=False), "gen.pdf")
    assert [b.text for b in doc.blocks] == [
        "三、收到和处理政府信息公开申请情况",
        "一、本年新收申请数量 12 0 345",
        "(二)部分公开(区分处理",
        "的,只计这一情形,不计 7 1 8",
        "其他情形)",
        "(七)总计 19 1 353",
        "四、结转下年度继续办理",
    ]


def test_encrypted_pdf_is_refused():
    data = _table_pdf(grid=True, encrypt="pw")
    with pytest.raises(ReadError, match=r"^secret\.pdf: encrypted PDF needs a password$"):
        pdf.read_bytes(data, "secret.pdf")


def test_truncated_and_garbage_pdf_are_refused():
    data = _table_pdf(grid=True)
    with pytest.raises(ReadError, match=r"^cut\.pdf: truncated or corrupt PDF"):
        pdf.read_bytes(data[: len(data) // 2], "cut.pdf")
    with pytest.raises(ReadError, match=r"^junk\.pdf: "):
        pdf.read_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 100 + b"\n%%EOF\n", "junk.pdf")
    with pytest.raises(ReadError, match=r"^x\.pdf: not a PDF"):
        pdf.read_bytes(b"<html></html>", "x.pdf")


def test_page_limit():
    with pytest.raises(ReadError, match=r"^big\.pdf: PDF has 2 pages, more than the limit of 1$"):
        pdf.read_bytes(_table_pdf(grid=True), "big.pdf", max_pages=1)


def test_pdf_without_text_layer(monkeypatch):
    buf = io.BytesIO()
    c = _canvas(buf)
    c.rect(100, 100, 200, 200, fill=1)
    c.showPage()
    c.save()
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(ReadError, match=r"^scan\.pdf: scanned PDF without text layer and no OCR engine"):
        pdf.read_bytes(buf.getvalue(), "scan.pdf")


def test_dispatcher_passes_page_limit():
    from pipelines import readers

    with pytest.raises(ReadError, match=r"^big\.pdf: PDF has 2 pages, more than the limit of 1$"):
        readers.read_bytes(_table_pdf(grid=True), "big.pdf", limits=readers.Limits(max_pages=1))


@pytest.mark.parametrize("name", REAL_PDFS)
def test_extract_real_pdf_matches_truth(name):
    """Full pipeline (reader → parser → checks) against the hand-made truth."""
    from pipelines.extract import extract_file

    real(name)
    got = extract_file(REAL / f"{name}.pdf").to_json()
    _, truth = real(name)
    assert got["table3"] == truth["table3"]
    assert got["table4"] == truth["table4"]


@pytest.mark.parametrize("one_path", [False, True], ids=["path-per-line", "one-path-grid"])
def test_page_objects_read_in_chunks_give_the_same_rows(monkeypatch, one_path):
    """The page objects are scanned a chunk at a time (bounded memory on a page of millions of
    objects): a grid whose rules fall in different chunks reads as in one."""
    data = _table_pdf(grid=True, one_path=one_path)
    whole = [b.text for b in pdf.read_bytes(data, "gen.pdf").blocks]
    monkeypatch.setattr(pdf, "_OBJECT_CHUNK", 3)
    assert [b.text for b in pdf.read_bytes(data, "gen.pdf").blocks] == whole
    assert whole[2] == "(二)部分公开(区分处理的,只计这一情形,不计其他情形) 7 1 8"
