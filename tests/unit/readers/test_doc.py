"""DOC reader: LibreOffice converts, the DOCX reader reads. Skips without soffice."""

from __future__ import annotations

import os
import signal

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
    monkeypatch.setenv("XXGK_DOC_CONVERTER", "cold")  # the one-start-a-file path
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
    with pytest.raises(ReadError, match=r"^slow\.doc: LibreOffice conversion timed out after 1 s; killed$"):
        doc_reader.read_bytes(b"\xd0\xcf\x11\xe0", "slow.doc", timeout=1)


def test_doc_without_soffice(monkeypatch):
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    with pytest.raises(ReadError, match=r"^a\.doc: cannot read \.doc: LibreOffice \(soffice\) is not installed$"):
        doc_reader.read_bytes(b"\xd0\xcf\x11\xe0", "a.doc")


needs_uno = pytest.mark.skipif(
    doc_reader.soffice() is None or doc_reader.uno_python() is None,
    reason="the warm converter needs LibreOffice and a python3 with its uno module: apt-get install python3-uno",
)


@pytest.fixture
def warm(monkeypatch):
    """A listener of this test's own (not the module-wide one other tests may have started)."""
    monkeypatch.setenv("XXGK_DOC_CONVERTER", "warm")
    monkeypatch.setattr(doc_reader, "_listener", None)
    yield
    if doc_reader._listener is not None:
        doc_reader._listener.close()


@needs_uno
def test_warm_converter_keeps_one_listener(doc_bytes, warm):
    first = doc_reader.read_bytes(doc_bytes, "a.doc")
    listener = doc_reader._listener
    pid = listener.proc.pid
    second = doc_reader.read_bytes(doc_bytes, "b.doc")
    # the same LibreOffice converted both, and read exactly as the one-start path reads
    assert listener.proc.pid == pid and listener.conversions == 2
    assert [b.texts() for b in second.blocks if isinstance(b, Table)] == [
        b.texts() for b in first.blocks if isinstance(b, Table)
    ]
    assert next(b.texts() for b in first.blocks if isinstance(b, Table))[3] == ["(七)总计 (合计)", "18", "1", "352"]


@needs_uno
def test_warm_converter_kills_a_stuck_conversion_and_goes_on(doc_bytes, warm):
    doc_reader.read_bytes(doc_bytes, "warm-up.doc")
    old = doc_reader._listener.proc
    # LibreOffice hangs on a file: the listener and its soffice (one process group) stop answering. (A
    # tiny timeout instead is not a hang: on a loaded machine the conversion can end before the wait does.)
    os.killpg(old.pid, signal.SIGSTOP)
    with pytest.raises(ReadError, match=r"^stuck\.doc: LibreOffice conversion timed out after 1 s; killed$"):
        doc_reader.read_bytes(doc_bytes, "stuck.doc", timeout=1)
    assert old.poll() is not None  # the listener (and its soffice, same process group) is gone
    doc = doc_reader.read_bytes(doc_bytes, "next.doc")  # a fresh listener takes the next file
    assert doc_reader._listener.proc.pid != old.pid
    assert next(b for b in doc.blocks if isinstance(b, Table)).texts()[1] == ["(三)不予公开", "12", "0", "345"]


@needs_uno
def test_warm_converter_reports_a_corrupt_file(warm):
    with pytest.raises(ReadError, match=r"^junk\.doc: LibreOffice could not convert the file \("):
        doc_reader.read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000, "junk.doc")
