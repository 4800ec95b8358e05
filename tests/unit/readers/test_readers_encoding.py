"""Encoding detection: every common Chinese encoding decodes to the same text."""

import codecs

import pytest

from pipelines.document import ReadError, TextBlock
from pipelines.readers import read_bytes
from pipelines.readers.encoding import decode

# No full-width forms here, so normalisation leaves it unchanged and equality is exact.
TEXT = "平潭综合实验区2021年度政府信息公开工作年度报告。本年新收申请64件,“三安全一稳定”、予以公开30件"
GBK_ONLY = "朱镕基"  # 镕 is in GBK but not in GB2312
GB18030_ONLY = "王䶮"  # 䶮 is in GB18030 but not in GBK


def _page(body: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>报告</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb2312"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb2312", "gb18030", "utf16le-bom", "utf16be-bom"],
)
def test_plain_text_in_each_encoding_reads_the_same(data, encoding):
    doc = read_bytes(data, "report.txt")
    assert doc.format == "txt"
    assert doc.encoding == encoding
    assert [b.text for b in doc.blocks] == [TEXT]


def test_gbk_only_and_gb18030_only_characters_survive():
    assert decode((TEXT + GBK_ONLY).encode("gbk"), "a.txt") == (TEXT + GBK_ONLY, "gb18030")
    assert decode((TEXT + GB18030_ONLY).encode("gb18030"), "a.txt") == (TEXT + GB18030_ONLY, "gb18030")


def test_utf16_without_bom_detected_from_nul_pattern():
    html = _page(TEXT)
    assert decode(html.encode("utf-16-le"), "a.html") == (html, "utf-16-le")
    assert decode(html.encode("utf-16-be"), "a.html") == (html, "utf-16-be")
    # mostly Chinese: few ASCII characters, so few NULs, but all on one side
    text = (TEXT + "\n") * 3
    assert decode(text.encode("utf-16-le"), "a.txt") == (text, "utf-16-le")
    assert decode(text.encode("utf-16-be"), "a.txt") == (text, "utf-16-be")


def test_page_declaring_utf8_but_encoded_in_gbk():
    data = _page(TEXT + GBK_ONLY, '<meta charset="utf-8">').encode("gbk")
    doc = read_bytes(data, "mislabelled.html")
    assert doc.format == "html"
    assert doc.encoding == "gb18030"
    assert [b.text for b in doc.blocks] == ["报告", TEXT + GBK_ONLY]


def test_page_declaring_gbk_but_encoded_in_utf8():
    data = _page(TEXT, '<meta http-equiv="Content-Type" content="text/html; charset=gbk">').encode("utf-8")
    doc = read_bytes(data, "a.html")
    assert doc.encoding == "utf-8"
    assert doc.blocks[1].text == TEXT


def test_declared_gb2312_page_with_gbk_only_character():
    data = _page(TEXT + GBK_ONLY, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    doc = read_bytes(data.encode("gbk"), "a.html")
    assert doc.blocks[1].text == TEXT + GBK_ONLY


def test_declared_latin1_is_not_trusted_for_chinese_bytes():
    data = _page(TEXT, '<meta charset="iso-8859-1">').encode("gbk")
    assert read_bytes(data, "a.html").blocks[1].text == TEXT


def test_big5_falls_back_to_charset_normalizer():
    text = "政府資訊公開工作年度報告，本機關依法受理申請並予以答覆。" * 5
    decoded, enc = decode(text.encode("big5"), "tw.txt")
    assert decoded == text
    assert "big5" in enc


def test_full_width_forms_are_normalised_in_text_and_cells():
    doc = read_bytes("（一）予以公开　１２３件\u200b\n".encode("gb18030"), "a.txt")
    assert [b.text for b in doc.blocks] == ["(一)予以公开 123件"]
    html = "<table><tr><td>（二）部分公开</td><td>１\u200b２</td><td>ＡＢ</td></tr></table>"
    t = read_bytes(html.encode("utf-8"), "a.html").blocks[0]
    assert t.texts() == [["(二)部分公开", "12", "AB"]]


def test_text_block_is_a_text_block():
    doc = read_bytes(TEXT.encode("utf-8"), "a.txt")
    assert isinstance(doc.blocks[0], TextBlock)


def test_undecodable_bytes_raise_read_error():
    with pytest.raises(ReadError, match="not a text"):
        decode(bytes(range(256)) * 4, "x.bin")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from([chr(c) for c in range(0xA1)] + list("中文报告，（）\u3000\ufeff")), max_size=80)
)
def test_control_count_on_bytes_equals_the_character_class(s):
    from pipelines.readers.encoding import _CONTROL, _count_controls

    assert _count_controls(s) == len(_CONTROL.findall(s))
