"""The two forms render.py does not make directly: Word 97-2003 (.doc) and scanned images.

DOC: the DOCX rendering converted by LibreOffice headless (the DOC reader's own converter, so one
private profile and a timeout). Scans: the PDF rendering rasterised with pypdfium2, so no text
layer is left: PNG (pages stacked), multi-page TIFF, or an image-only PDF. Optional seeded noise
(a small rotation, blur, specks) makes it look scanned; the default is clean.
"""

from __future__ import annotations

import io
import random

from pipelines.demo.render import render_docx, render_pdf

DPI = 200


def render_doc(t: dict, timeout: float = 120.0) -> bytes:
    """The DOCX rendering as a .doc (Word 97-2003). RuntimeError when soffice is missing or fails."""
    from pipelines.document import ReadError
    from pipelines.readers import doc

    if doc.soffice() is None:
        raise RuntimeError("render_doc needs LibreOffice (soffice) on PATH")
    try:
        out = doc.convert(render_docx(t), f"{t['agency']}.docx", to="doc:MS Word 97", suffix=".docx", timeout=timeout)
    except ReadError as e:
        raise RuntimeError(f"LibreOffice could not make a .doc: {e}") from None
    if not out.startswith(b"\xd0\xcf\x11\xe0"):
        raise RuntimeError("LibreOffice output is not an OLE2 (.doc) file")
    return out


def scan_pages(t: dict, dpi: int = DPI, noise: int | None = None) -> list:
    """The PDF rendering as one grayscale PIL image per page. `noise`: a seed for scan-like
    defects (rotation ≤ 0.3°, slight blur, a few specks); None = clean."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(render_pdf(t))
    pages = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            if noise is not None:
                img = _scan_noise(img, random.Random(f"{t['report_id']}:{noise}:{i}"))
            pages.append(img)
    finally:
        pdf.close()
    return pages


def _scan_noise(img, rnd: random.Random):
    from PIL import ImageDraw, ImageFilter

    img = img.rotate(rnd.uniform(-0.3, 0.3), resample=3, expand=False, fillcolor=255)  # 3 = BICUBIC
    img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.3, 0.6)))
    d = ImageDraw.Draw(img)
    for _ in range(rnd.randint(5, 20)):  # dust, away from nothing in particular
        x, y = rnd.randrange(img.width), rnd.randrange(img.height)
        d.point((x, y), fill=rnd.randint(60, 160))
    return img


def render_scan(t: dict, dpi: int = DPI, noise: int | None = None, fmt: str = "png") -> bytes:
    """An image with no text layer. fmt 'png': all pages stacked into one tall image;
    'tiff': one frame per page."""
    pages = scan_pages(t, dpi, noise)
    buf = io.BytesIO()
    if fmt == "tiff":
        pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    elif fmt == "png":
        from PIL import Image

        w = max(p.width for p in pages)
        sheet = Image.new("L", (w, sum(p.height for p in pages)), 255)
        y = 0
        for p in pages:
            sheet.paste(p, (0, y))
            y += p.height
        sheet.save(buf, "PNG", optimize=False)
    else:
        raise ValueError(f"unknown scan format {fmt!r}; known: png, tiff")
    return buf.getvalue()


def render_scanned_pdf(t: dict, dpi: int = DPI, noise: int | None = None) -> bytes:
    """An image-only PDF (one page image per page, no text layer), as a copier makes."""
    pages = scan_pages(t, dpi, noise)
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi))
    return buf.getvalue()
