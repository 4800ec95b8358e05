"""DOCX reader: document order, merged cells as a full grid, split runs, zip bombs."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from pipelines.document import ReadError, Table
from pipelines.readers import docx as docx_reader


def build_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).text = "项目"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "法人或其他组织"  # colspan 2
    t.cell(0, 3).text = "总计"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "（三）不予公开"  # rowspan 2
    t.cell(3, 0).text = "（七）总计"
    vals = {
        (1, 1): "12",
        (1, 2): "0",
        (1, 3): "345",
        (2, 1): "6",
        (2, 2): "1",
        (2, 3): "7",
        (3, 1): "18",
        (3, 2): "1",
        (3, 3): "352",
    }
    for (r, c), v in vals.items():
        p = t.cell(r, c).paragraphs[0]
        for ch in v:  # one run per digit: Word splits runs anywhere
            p.add_run(ch)
    two = t.cell(3, 0)
    two.add_paragraph("（合计）")  # a second paragraph in a cell joins with a space
    para = d.add_paragraph()
    for piece in ("本年收取信息处理费", "3", "940", "元。"):
        para.add_run(piece)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_order_grid_and_runs():
    doc = docx_reader.read_bytes(build_docx(), "r.docx")
    assert doc.format == "docx"
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["TextBlock", "Table", "TextBlock"]
    assert doc.blocks[0].text == "三、收到和处理政府信息公开申请情况"
    assert doc.blocks[2].text == "本年收取信息处理费3940元。"
    t: Table = doc.blocks[1]
    assert t.texts() == [
        ["项目", "法人或其他组织", "法人或其他组织", "总计"],
        ["(三)不予公开", "12", "0", "345"],
        ["(三)不予公开", "6", "1", "7"],
        ["(七)总计 (合计)", "18", "1", "352"],
    ]
    flags = [[c.span_copy for c in r] for r in t.rows]
    assert flags == [
        [False, False, True, False],
        [False, False, False, False],
        [True, False, False, False],
        [False, False, False, False],
    ]


def test_docx_grid_before_and_vmerge_under_colspan():
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        "<w:tbl>"
        '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>A</w:t></w:r></w:p></w:tc>'
        "<w:tc><w:p><w:r><w:t>1</w:t></w:r><w:r><w:t>0</w:t></w:r></w:p></w:tc></w:tr>"
        '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge/></w:tcPr><w:p/></w:tc>'
        "<w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr>"
        '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc><w:p><w:r><w:t>B</w:t></w:r></w:p></w:tc>'
        "<w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc></w:tr>"
        "</w:tbl>"
    )
    doc = docx_reader.read_bytes(
        _zip({"word/document.xml": f"<w:document {w}><w:body>{body}</w:body></w:document>".encode()}), "g.docx"
    )
    (t,) = doc.blocks
    assert t.texts() == [["A", "A", "10"], ["A", "A", "2"], ["", "B", "3"]]
    assert [[c.span_copy for c in r] for r in t.rows] == [
        [False, True, False],
        [True, True, False],
        [False, False, False],
    ]


def _zip(files: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _set_declared_size(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size that the zip's local header and central directory declare."""
    b = bytearray(data)
    for sig, off, name_off in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        i = b.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", b, i + (26 if sig == b"PK\x03\x04" else 28))[0]
            if bytes(b[i + name_off : i + name_off + n]) == name:
                struct.pack_into("<I", b, i + off, size)
            i = b.find(sig, i + 4)
    return bytes(b)


def test_zip_bomb_declared_size_refused():
    data = _set_declared_size(build_docx(), b"word/document.xml", 300 * 1024 * 1024)
    with pytest.raises(ReadError, match=r"^bomb\.docx: DOCX refused: 3\d\d MB uncompressed, over the 200 MB limit"):
        docx_reader.read_bytes(data, "bomb.docx")


def test_zip_bomb_ratio_refused():
    # 40 MB of one repeated byte compresses ~1000:1: under the size limit, over the ratio limit.
    payload = b"<w:document>" + b" " * (40 * 1024 * 1024)
    data = _zip({"word/document.xml": payload})
    assert len(data) < 100_000
    with pytest.raises(ReadError, match=r"^ratio\.docx: DOCX refused: word/document\.xml expands \d+:1"):
        docx_reader.read_bytes(data, "ratio.docx")


def test_limit_is_a_keyword():
    with pytest.raises(ReadError, match="over the 0 MB limit"):
        docx_reader.read_bytes(build_docx(), "small.docx", max_decompressed=1000)


def test_corrupt_and_non_word_zip_refused():
    good = build_docx()
    with pytest.raises(ReadError, match=r"^cut\.docx: corrupt DOCX \(not a valid zip"):
        docx_reader.read_bytes(good[: len(good) // 2], "cut.docx")
    with pytest.raises(ReadError, match=r"^other\.docx: not a Word document"):
        docx_reader.read_bytes(_zip({"a.txt": b"x"}), "other.docx")
    with pytest.raises(ReadError, match=r"^bad\.docx: corrupt DOCX \(document\.xml"):
        docx_reader.read_bytes(_zip({"word/document.xml": b"<w:document"}), "bad.docx")
    # A directory that understates the size: the CRC check catches the extra bytes.
    lying = _set_declared_size(_zip({"word/document.xml": b"<a>" + b"x" * 5000 + b"</a>"}), b"word/document.xml", 100)
    with pytest.raises(ReadError, match=r"^lie\.docx: corrupt DOCX"):
        docx_reader.read_bytes(lying, "lie.docx")
