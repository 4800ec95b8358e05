"""Limits applied while reading: a DOCX or HTML page over a limit is refused before it is whole in memory
(the DOCX XML is streamed and stops at the limit; an HTML page is counted on its bytes before any tree is
built), and what is under the limits reads exactly as before."""

from __future__ import annotations

import io
import zipfile

import pytest

from pipelines.document import ReadError
from pipelines.readers import Limits, read_bytes
from pipelines.readers import docx as docx_reader
from pipelines.readers import html as html_reader

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(body_parts) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open("word/document.xml", "w") as f:
        f.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
        for part in body_parts:
            f.write(part.encode())
        f.write(b"</w:body></w:document>")
    return buf.getvalue()


def para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def table(rows: int, cols: int, start: int = 0) -> str:
    return (
        "<w:tbl>"
        + "".join(
            "<w:tr>" + "".join(f"<w:tc>{para(str(start + r * cols + c))}</w:tc>" for c in range(cols)) + "</w:tr>"
            for r in range(rows)
        )
        + "</w:tbl>"
    )


@pytest.fixture
def xml_read(monkeypatch):
    """The most XML bytes a DOCX read decompressed (the reader's own counter)."""
    seen = [0]
    orig = docx_reader._Budget.read

    def read(self, n=-1):
        try:
            return orig(self, n)
        finally:
            seen[0] = max(seen[0], self.read_bytes)

    monkeypatch.setattr(docx_reader._Budget, "read", read)
    return seen


def test_docx_reads_the_same_in_pieces():
    parts = [para("一、总体情况"), table(3, 4), para("二、主动公开"), table(2, 2, start=100), para("完")]
    doc = read_bytes(docx(parts), "a.docx")
    assert [type(b).__name__ for b in doc.blocks] == ["TextBlock", "Table", "TextBlock", "Table", "TextBlock"]
    assert doc.blocks[1].texts() == [[str(r * 4 + c) for c in range(4)] for r in range(3)]
    assert doc.blocks[3].texts() == [["100", "101"], ["102", "103"]]
    assert doc.blocks[4].text == "完"


def test_docx_cells_over_the_limit_stop_the_reading(xml_read):
    data = docx([table(10, 10, start=i * 100) for i in range(200)])  # 20,000 cells
    xml_size = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size
    with pytest.raises(ReadError, match=r"^big\.docx: DOCX refused: its tables have more than 1000 cells$"):
        read_bytes(data, "big.docx", limits=Limits(max_cells=1000))
    assert xml_read[0] < xml_size / 5  # stopped after ~11 of 200 tables


def test_docx_text_over_the_limit_stops_the_reading(xml_read):
    data = docx([para("政府信息公开" * 50) for _ in range(3000)])  # 900,000 characters
    xml_size = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size
    with pytest.raises(ReadError, match=r"DOCX refused: more than 30000 characters of text$"):
        read_bytes(data, "long.docx", limits=Limits(max_chars=30_000))
    assert xml_read[0] < xml_size / 5


def test_docx_one_huge_paragraph_is_refused_at_the_part_limit(xml_read):
    runs = "".join(f"<w:r><w:t>{i}</w:t></w:r>" for i in range(200_000))  # one paragraph of ~4 MB of XML
    data = docx([para("标题"), f"<w:p>{runs}</w:p>"])
    with pytest.raises(ReadError, match=r"DOCX refused: a paragraph or table of word/document\.xml is over the"):
        read_bytes(data, "para.docx", limits=Limits(max_part_bytes=256 * 1024))
    assert xml_read[0] < 256 * 1024 + 2 * 65536  # the limit, and at most the chunk that crossed it


@pytest.fixture
def no_tree(monkeypatch):
    """Fail if an HTML tree is built at all."""
    built = []
    orig = html_reader.lxml.etree.fromstring

    def fromstring(data, parser=None, **kw):
        if isinstance(parser, type(html_reader._parser())):
            built.append(len(data))
        return orig(data, parser, **kw)

    monkeypatch.setattr(html_reader.lxml.etree, "fromstring", fromstring)
    return built


def test_html_over_the_tag_limit_refused_before_parsing(no_tree):
    page = "<html><body>" + "<p><span>1</span></p>" * 2000 + "</body></html>"  # 8,004 tags
    lim = Limits(max_tags=5000)
    with pytest.raises(ReadError, match=r"^p\.html: HTML refused: more than 5000 tags$"):
        read_bytes(page.encode(), "p.html", limits=lim)
    with pytest.raises(ReadError, match=r"HTML refused: more than 5000 tags$"):
        read_bytes(page.encode("gbk"), "gbk.html", limits=lim)  # the decoded path too
    assert no_tree == []


def test_html_over_the_cell_limit_refused_before_parsing(no_tree):
    rows = "".join("<tr>" + "<TD>1</TD><th>2</th>" * 3 + "</tr>" for _ in range(200))  # 1,200 cells
    page = f"<html><body><table><thead><tr><th>h</th></tr></thead>{rows}</table></body></html>"
    with pytest.raises(ReadError, match=r"^t\.html: HTML refused: more than 1000 table cells$"):
        read_bytes(page.encode(), "t.html", limits=Limits(max_cells=1000))
    assert no_tree == []
    # Under the limits the page reads as before.
    small = "<html><body><table>" + "<tr><td>1</td><td>2</td></tr>" * 10 + "</table></body></html>"
    doc = read_bytes(small.encode(), "s.html", limits=Limits(max_cells=1000))
    assert doc.blocks[-1].texts() == [["1", "2"]] * 10
    assert no_tree == [len(small)]
