"""Choosing the reader by sniffing bytes, and turning every failure into a one-line ReadError."""

import io
import random
import sys
import types
import zipfile

import pytest

from pipelines.document import Document, ReadError, TextBlock
from pipelines.readers import Limits, read_bytes, read_file, sniff


def _fake_reader(monkeypatch, fmt: str, fn):
    module = types.ModuleType(f"pipelines.readers.{fmt}")
    module.read_bytes = fn
    monkeypatch.setitem(sys.modules, f"pipelines.readers.{fmt}", module)


def _recording_reader(monkeypatch, fmt: str):
    calls = []

    def read(data, source):
        calls.append((data[:8], source))
        return Document(source=source, format=fmt, blocks=[TextBlock("（一）１２")])

    _fake_reader(monkeypatch, fmt, read)
    return calls


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


MAGIC = {
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
    "ocr": b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
}


@pytest.mark.parametrize("fmt", ["pdf", "doc", "ocr", "docx"])
def test_magic_bytes_route_to_the_binary_reader_whatever_the_name(monkeypatch, fmt):
    calls = _recording_reader(monkeypatch, fmt)
    data = _docx_bytes() if fmt == "docx" else MAGIC[fmt]
    doc = read_bytes(data, "report.html")  # mislabelled extension is irrelevant
    assert calls == [(data[:8], "report.html")]
    assert doc.format == fmt
    assert doc.blocks[0].text == "(一)12"  # the dispatcher normalises binary readers' text too


def test_sniff_image_kinds_and_plain_zip():
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "ocr"
    assert sniff(b"II*\x00\x08\x00") == "ocr"
    assert sniff(b"MM\x00*\x00\x00") == "ocr"
    assert sniff(b"<html>") is None
    assert sniff(b"\r\n%PDF-1.4") == "pdf"
    assert sniff(_zip_bytes()) == "zip"


def test_limits_are_passed_to_readers_that_accept_them(monkeypatch):
    seen = []

    def read(data, source, *, limits):
        seen.append(limits.max_pages)
        return Document(source=source, format="pdf")

    _fake_reader(monkeypatch, "pdf", read)
    read_bytes(MAGIC["pdf"], "a.pdf", limits=Limits(max_pages=7))
    assert seen == [7]

    def read_fields(data, source, *, max_pages=1, max_decompressed=2):
        seen.append((max_pages, max_decompressed))
        return Document(source=source, format="docx")

    _fake_reader(monkeypatch, "docx", read_fields)
    read_bytes(_docx_bytes(), "a.docx", limits=Limits(max_pages=9, max_decompressed=1234))
    assert seen == [7, (9, 1234)]


def test_binary_size_limit(monkeypatch):
    _recording_reader(monkeypatch, "pdf")
    with pytest.raises(ReadError, match="over the 10 bytes limit for PDF files"):
        read_bytes(MAGIC["pdf"], "big.pdf", limits=Limits(max_binary_bytes=10))


def test_missing_reader_module_is_a_clean_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pipelines.readers.pdf", None)  # import raises ModuleNotFoundError
    with pytest.raises(ReadError) as e:
        read_bytes(MAGIC["pdf"], "scan.pdf")
    assert str(e.value) == "scan.pdf: no reader for PDF files is installed"


def test_plain_zip_is_refused():
    with pytest.raises(ReadError, match="ZIP archive that is not a Word"):
        read_bytes(_zip_bytes(), "a.docx")


@pytest.mark.parametrize("exc", [ValueError("boom\nsecond line"), RecursionError("deep"), MemoryError(), KeyError("x")])
def test_any_reader_exception_becomes_one_line_read_error(monkeypatch, exc):
    def read(data, source):
        raise exc

    _fake_reader(monkeypatch, "pdf", read)
    with pytest.raises(ReadError) as e:
        read_bytes(MAGIC["pdf"], "bad.pdf")
    msg = str(e.value)
    assert msg.startswith("bad.pdf: ")
    assert "\n" not in msg


def test_reader_error_naming_another_path_is_renamed(monkeypatch):
    def read(data, source):
        raise ReadError("/tmp/xyz.pdf", "encrypted PDF")

    _fake_reader(monkeypatch, "pdf", read)
    with pytest.raises(ReadError) as e:
        read_bytes(MAGIC["pdf"], "a.pdf")
    assert str(e.value) == "a.pdf: encrypted PDF"


def test_empty_file():
    with pytest.raises(ReadError) as e:
        read_bytes(b"", "empty.html")
    assert str(e.value) == "empty.html: empty file"
    with pytest.raises(ReadError, match="empty"):
        read_bytes(b" \r\n\t ", "blank.txt")


def test_random_bytes_are_not_text():
    data = random.Random(1).randbytes(4096)
    with pytest.raises(ReadError) as e:
        read_bytes(data, "noise.bin")
    assert str(e.value) == "noise.bin: not a text, HTML, PDF, Word or image file"


def test_binary_garbage_named_html():
    data = bytes(range(256)) * 8
    with pytest.raises(ReadError) as e:
        read_bytes(data, "年报/report.html")
    assert str(e.value) == "年报/report.html: not a text, HTML, PDF, Word or image file"


def test_content_decides_between_html_markdown_and_text_not_the_name():
    assert read_bytes("<p>正文</p>".encode(), "a.txt").format == "html"
    assert read_bytes(b"| a | b |\n|---|---|\n", "a.html").format == "md"
    assert read_bytes("# 标题\n正文\n".encode(), "a.htm").format == "md"
    assert read_bytes("正文 a < b 3>2\n".encode(), "a.md").format == "txt"
    page = "<!DOCTYPE html><html><body><p>| a | b |</p><p>| c | d |</p></body></html>"
    assert read_bytes(page.encode(), "x").format == "html"


def test_read_file(tmp_path):
    p = tmp_path / "r.doc"  # a GBK HTML page served as .doc, as portals do
    p.write_bytes("<html><body><p>本年新收</p></body></html>".encode("gbk"))
    doc = read_file(p)
    assert (doc.format, doc.encoding, doc.blocks[0].text, doc.source) == ("html", "gb18030", "本年新收", str(p))
    with pytest.raises(ReadError, match="cannot read file"):
        read_file(tmp_path / "missing.html")
