"""DOC reader: LibreOffice converts, the DOCX reader reads. Skips without soffice."""

from __future__ import annotations

import pytest

from pipelines.document import ReadError, Table
from pipelines.readers import doc as doc_reader

from .test_docx import build_docx

needs_soffice = pytest.mark.skipif(
    doc_reader.soffice() is None, reason="LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui"
)


@pytest.fixture(scope="module")
def doc_bytes() -> bytes:
    if doc_reader.soffice() is None:
        pytest.skip("LibreOffice (soffice) not installed")
    data = doc_reader.convert(build_docx(), "fixture.docx", to="doc", suffix=".docx")
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file
    return data


@needs_soffice
def test_doc_table_grid(doc_bytes):
    doc = doc_reader.read_bytes(doc_bytes, "r.doc")
    assert doc.format == "doc"
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 1
    assert tables[0].texts() == [
        ["项目", "法人或其他组织", "法人或其他组织", "总计"],
        ["(三)不予公开", "12", "0", "345"],
        ["(三)不予公开", "6", "1", "7"],
        ["(七)总计 (合计)", "18", "1", "352"],
    ]
    assert [c.span_copy for c in tables[0].rows[2]] == [True, False, False, False]
    texts = [b.text for b in doc.blocks if not isinstance(b, Table)]
    assert texts == ["三、收到和处理政府信息公开申请情况", "本年收取信息处理费3940元。"]


def _fake_soffice(tmp_path, monkeypatch, script: str) -> None:
    exe = tmp_path / "soffice"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(0o755)
    monkeypatch.setattr(doc_reader, "soffice", lambda: str(exe))


def test_doc_failed_conversion(tmp_path, monkeypatch):
    _fake_soffice(tmp_path, monkeypatch, "echo 'Error: source file could not be loaded' >&2; exit 0")
    with pytest.raises(
        ReadError,
        match=r"^junk\.doc: LibreOffice could not convert the file \(Error: source file could not be loaded\)$",
    ):
        doc_reader.read_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "junk.doc")


def test_doc_conversion_timeout(tmp_path, monkeypatch):
    _fake_soffice(tmp_path, monkeypatch, "sleep 30")
    with pytest.raises(ReadError, match=r"^slow\.doc: LibreOffice conversion timed out after 1 s$"):
        doc_reader.read_bytes(b"\xd0\xcf\x11\xe0", "slow.doc", timeout=1)


def test_doc_without_soffice(monkeypatch):
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    with pytest.raises(ReadError, match=r"^a\.doc: cannot read \.doc: LibreOffice \(soffice\) is not installed$"):
        doc_reader.read_bytes(b"\xd0\xcf\x11\xe0", "a.doc")
