"""A failed file's reason in the Chinese UI (pipelines.i18n.failure_label): the readers' and the parser's real
one-line errors, produced here from bad files, are named in Chinese; the English UI keeps the reason."""

from __future__ import annotations

import re

import pytest

from pipelines import i18n
from pipelines.document import ReadError
from pipelines.extract import extract_bytes

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


def _error(data: bytes, name: str) -> str:
    with pytest.raises(ReadError) as e:
        extract_bytes(data, name)
    return str(e.value)


@pytest.mark.parametrize(
    ("data", "name", "zh"),
    [
        (b"", "empty.html", "空文件"),
        (b"   \n\t ", "blank.txt", "空文件"),
        (b"%PDF-1.4\n1 0 obj\n", "cut.pdf", "PDF 文件不完整或已损坏"),
        (b"PK\x03\x04" + b"\x00" * 40, "bad.docx", None),
        ("<html><body><p>本机关2023年工作总结</p></body></html>".encode(), "note.html", "不是政府信息公开工作年度报告"),
    ],
)
def test_reader_errors_in_chinese(data, name, zh):
    err = _error(data, name)
    assert name in err  # the one-line error names the file
    label = i18n.failure_label(err, "zh")
    latin = set(LATIN.findall(label)) - {"PDF", "Word", "docx"}  # format names
    assert CJK.search(label) and not latin, (err, label)
    if zh:
        assert label.startswith(zh), (err, label)
    assert i18n.failure_label(err, "en") == err


def test_unknown_reason_is_said_in_chinese():
    assert i18n.failure_label("x.pdf: something nobody foresaw", "zh") == "未能处理该文件（原因见英文界面或命令行输出）"
    assert i18n.failure_label("", "zh") == ""
