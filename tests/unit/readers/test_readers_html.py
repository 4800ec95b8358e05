"""HTML reader: grids, Word-exported markup, reading order, hostile input."""

import pytest

from pipelines.document import ReadError, Table, TextBlock
from pipelines.readers import Limits, read_bytes


def read(html: str, name: str = "page.html"):
    return read_bytes(html.encode("utf-8"), name)


def kinds(doc):
    return [("T", b.text) if isinstance(b, TextBlock) else ("TABLE", b.texts()) for b in doc.blocks]


def test_rowspan_colspan_resolved_into_rectangular_grid():
    doc = read(
        "<table>"
        "<tr><td rowspan='2'>A</td><td colspan='2'>B</td><td>D</td></tr>"
        "<tr><td>c1</td><td>c2</td><td rowspan='2'>E</td></tr>"
        "<tr><td>x</td><td>y</td><td>z</td></tr>"
        "</table>"
    )
    (table,) = doc.blocks
    assert table.texts() == [
        ["A", "B", "B", "D"],
        ["A", "c1", "c2", "E"],
        ["x", "y", "z", "E"],
    ]
    assert [[c.span_copy for c in r] for r in table.rows] == [
        [False, False, True, False],
        [True, False, False, False],
        [False, False, False, True],
    ]


def test_short_rows_padded_blank_and_bad_spans_tolerated():
    doc = read("<table><tr><td colspan='x'>a</td><td rowspan='99'>b</td><td>c</td></tr><tr><td>d</td></tr></table>")
    (table,) = doc.blocks
    assert table.texts() == [["a", "b", "c"], ["d", "b", ""]]
    assert [[c.span_copy for c in r] for r in table.rows] == [[False, False, False], [False, True, False]]


def test_word_exported_cell_spans_joined_without_spaces():
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><body>'
        '<table class="MsoNormalTable"><tr>'
        '<td style="mso-border-alt:solid"><p class="MsoNormal"><span lang="EN-US">1</span>'
        '<span lang="EN-US">2</span><span><o:p></o:p></span></p></td>'
        "<td><p><span>&nbsp;</span><o:p>&nbsp;</o:p></p></td>"
        "<td><p>本年新</p><p>制作数量</p></td>"
        "<td>本年<br>废止</td>"
        "<td>\u3000 </td>"
        "</tr></table></body></html>"
    )
    (table,) = read(html).blocks
    assert table.texts() == [["12", "", "本年新 制作数量", "本年 废止", ""]]


def test_fragment_without_html_element_and_blocks_tables_interleaved():
    doc = read(
        "<p>一、总体情况</p><div>正文第一段</div>"
        "<table><tr><td>表一</td></tr></table>"
        "表后文字<p>二、主动公开</p>"
        "<table><tr><td>表二</td></tr></table><p>结尾</p>"
    )
    assert kinds(doc) == [
        ("T", "一、总体情况"),
        ("T", "正文第一段"),
        ("TABLE", [["表一"]]),
        ("T", "表后文字"),
        ("T", "二、主动公开"),
        ("TABLE", [["表二"]]),
        ("T", "结尾"),
    ]


def test_script_style_noscript_comments_and_head_dropped_title_kept_first():
    doc = read(
        "<html><head><meta charset='utf-8'><title>某区2023年政府信息公开工作年度报告</title>"
        "<style>p{color:red}</style><script>var leaked = 1;</script></head>"
        "<body><script>document.write('脚本内容')</script><noscript>请启用脚本</noscript>"
        "<!-- 注释内容 --><p>正<!-- x -->文</p><style>.a{}</style>"
        "<div style='display:none'>隐藏内容</div><p>尾</p></body></html>"
    )
    assert kinds(doc) == [("T", "某区2023年政府信息公开工作年度报告"), ("T", "正文"), ("T", "尾")]
    assert doc.meta["title"] == "某区2023年政府信息公开工作年度报告"


def test_br_splits_lines_and_inline_elements_do_not():
    doc = read("<p>第<b>1</b>行<br>第2行<br/>  </p><ul><li>甲</li><li>乙<span>丙</span></li></ul>")
    assert [b.text for b in doc.blocks] == ["第1行", "第2行", "甲", "乙丙"]


def test_nested_table_flattened_after_outer_table():
    doc = read(
        "<p>前</p><table><tr><td>外1</td><td><table><tr><td>内1</td><td>内2</td></tr></table></td></tr>"
        "<tr><td>外2</td><td>外3</td></tr></table><p>后</p>"
    )
    assert kinds(doc) == [
        ("T", "前"),
        ("TABLE", [["外1", ""], ["外2", "外3"]]),
        ("TABLE", [["内1", "内2"]]),
        ("T", "后"),
    ]


def test_layout_table_around_article_keeps_reading_order():
    prose = "根据《中华人民共和国政府信息公开条例》编制本报告。" * 6
    doc = read(
        "<table><tr><td>导航</td><td>"
        f"<p>{prose}</p><p>三、收到和处理政府信息公开申请情况</p>"
        "<table><tr><td>自然人</td><td>总计</td></tr><tr><td>5</td><td>5</td></tr></table>"
        "<p>四、行政复议</p></td></tr></table>"
    )
    assert kinds(doc) == [
        ("T", "导航"),
        ("T", prose),
        ("T", "三、收到和处理政府信息公开申请情况"),
        ("TABLE", [["自然人", "总计"], ["5", "5"]]),
        ("T", "四、行政复议"),
    ]


def test_caption_and_thead_tbody():
    doc = read(
        "<table><caption>表三</caption><thead><tr><th>项目</th><th>数量</th></tr></thead>"
        "<tbody><tr><td>新收</td><td>3</td></tr></tbody></table>"
    )
    assert kinds(doc) == [("T", "表三"), ("TABLE", [["项目", "数量"], ["新收", "3"]])]


def test_xml_declaration_and_word_namespaces_accepted():
    html = '<?xml version="1.0" encoding="gb2312"?><html xmlns:w="urn:w"><body><p>正文<o:p></o:p></p></body></html>'
    assert [b.text for b in read_bytes(html.encode("gbk"), "w.htm").blocks] == ["正文"]


def test_deep_nesting_read_and_pathological_nesting_refused_cleanly():
    html = "<div>" * 300 + "<p>底部</p>" + "</div>" * 300
    assert [b.text for b in read(html).blocks] == ["底部"]
    html = "<div>" * 50_000 + "<p>底部</p>" + "</div>" * 50_000
    with pytest.raises(ReadError) as e:
        read(html, "deep.html")
    assert str(e.value).startswith("deep.html: HTML too deeply nested to read")
    tables = "<table><tr><td>" * 300 + "x" + "</td></tr></table>" * 300
    assert [b.texts() for b in read(tables).blocks] == [[["x"]]]


def test_huge_html_refused_by_size_limit():
    data = b"<p>" + b"a" * (50 * 1024 * 1024) + b"</p>"
    with pytest.raises(ReadError) as e:
        read_bytes(data, "huge.html")
    assert str(e.value) == "huge.html: file is 50.0 MB, over the 50.0 MB limit for text and HTML files"
    with pytest.raises(ReadError, match="limit"):
        read_bytes(b"<p>" + b"a" * 2000 + b"</p>", "small.html", limits=Limits(max_bytes=1000))


def test_table_with_absurd_spans_is_refused_cleanly():
    html = "<table>" + "<tr><td colspan='1000' rowspan='1000'>x</td></tr>" * 300 + "</table>"
    with pytest.raises(ReadError, match="cells"):
        read(html, "spans.html")


def test_empty_table_and_comment_only_page():
    assert read("<table></table><p>x</p>").blocks[0].text == "x"
    assert read("<html><!-- nothing --></html>").blocks == []


def test_table_blocks_are_tables():
    doc = read("<table><tr><td>1</td></tr></table>")
    assert isinstance(doc.blocks[0], Table)
    assert doc.format == "html" and doc.encoding == "utf-8"
