"""HTML reader: hidden content, the separators of the one-pass reading, and the UTF-8 fast path.

The reader writes the page out in one XSLT pass with noncharacters as separators, finds hidden
elements from the page source, and parses UTF-8 pages from their bytes. Each shortcut has a way
out (the element walk, decode()); these tests hold both ways to the same result."""

import codecs

from pipelines.document import Table, TextBlock
from pipelines.readers import html, read_bytes


def kinds(doc):
    return [("T", b.text) if isinstance(b, TextBlock) else ("TABLE", b.texts()) for b in doc.blocks]


PAGE = (
    "<html><head><title>某区2023年政府信息公开工作年度报告</title></head><body>"
    "<p>一、总体情况</p><p>本年收到申请<span>1</span><span>2</span>件。</p>"
    "<table><caption>表三</caption><tr><td rowspan='2'>项目</td><td colspan='2'>申请人</td></tr>"
    "<tr><td>自然人</td><td>总计</td></tr><tr><td>新收</td><td>１２</td><td><p>1</p><p>2</p></td></tr></table>"
    "<p>六、其他需要报告的事项</p></body></html>"
)
EXPECTED = [
    ("T", "某区2023年政府信息公开工作年度报告"),
    ("T", "一、总体情况"),
    ("T", "本年收到申请12件。"),
    ("T", "表三"),
    ("TABLE", [["项目", "申请人", "申请人"], ["项目", "自然人", "总计"], ["新收", "12", "1 2"]]),
    ("T", "六、其他需要报告的事项"),
]


def test_one_pass_reading_of_a_page():
    doc = read_bytes(PAGE.encode("utf-8"), "p.html")
    assert kinds(doc) == EXPECTED
    assert doc.meta["title"] == "某区2023年政府信息公开工作年度报告"
    assert doc.encoding == "utf-8"


def test_page_holding_a_separator_is_walked_and_keeps_it():
    # A noncharacter the one-pass reading uses as a separator, literally and as a reference:
    # the page is then read element by element, the character stays in its text.
    for sep in (html._SEP, "&#x10FFFE;", "&#1114111;", html._TD):
        page = PAGE.replace("本年收到申请", "本年" + sep + "收到申请")
        doc = read_bytes(page.encode("utf-8"), "p.html")
        got = kinds(doc)
        assert got[2][1].replace(html._SEP, "").replace(html._TABLE, "").replace(html._TD, "") == "本年收到申请12件。"
        assert got[:2] + got[3:] == EXPECTED[:2] + EXPECTED[3:]


def test_hidden_elements_dropped_in_text_and_cells_tails_kept():
    page = (
        "<html><body><p>a<span style='display:none'>X</span>b</p>"
        '<DIV STYLE="DISPLAY : NONE">gone</DIV><p hidden>gone too</p><p>c</p>'
        "<table><tr><td>1</td><td style='color:red;Display: none'>9</td><td>2</td></tr>"
        "<tr hidden><td>8</td></tr><tr><td>3<span hidden=''>7</span>4</td></tr></table>"
        "<style>.x{display:none}</style><p class='x'>styled by a rule: kept</p></body></html>"
    )
    doc = read_bytes(page.encode("utf-8"), "p.html")
    assert kinds(doc) == [
        ("T", "ab"),
        ("T", "c"),
        ("TABLE", [["1", "2"], ["34", ""]]),
        ("T", "styled by a rule: kept"),
    ]


def test_display_none_in_prose_or_scripts_hides_nothing():
    page = (
        "<html><body><p>write display:none to hide</p><script>x='<p style=\"display:none\">'</script>"
        "<p>kept</p></body></html>"
    )
    assert kinds(read_bytes(page.encode("utf-8"), "p.html")) == [("T", "write display:none to hide"), ("T", "kept")]


def test_utf8_fast_path_equals_decoded_reading():
    data = PAGE.encode("utf-8")
    fast = html.read_utf8(data, "p.html")
    slow = html.read_text(data.decode("utf-8"), "p.html")
    assert fast is not None and kinds(fast) == kinds(slow) == EXPECTED


def test_invalid_utf8_after_the_head_falls_back_to_decoding():
    # 70 KB of ASCII, then GBK: the head reads as UTF-8, libxml2 meets the GBK bytes and the
    # page is decoded as GB18030 instead, with its Chinese intact.
    filler = "<p>" + "x" * 70_000 + "</p>"
    page = (
        "<html><head><meta charset='gbk'></head><body>" + filler + "<p>一、总体情况</p>"
        "<table><tr><td>新收</td><td>7</td></tr></table></body></html>"
    )
    data = page.encode("gbk")
    assert html.read_utf8(data, "g.html") is None
    doc = read_bytes(data, "g.html")
    assert doc.encoding == "gb18030"
    assert ("T", "一、总体情况") in kinds(doc)
    assert kinds(doc)[-1] == ("TABLE", [["新收", "7"]])


def test_bom_and_control_characters_take_the_decoding_path():
    bom = codecs.BOM_UTF8 + PAGE.encode("utf-8")
    assert kinds(read_bytes(bom, "b.html")) == EXPECTED
    # A stray control character: both ways read the same bytes with the same libxml2 parse.
    ctrl = PAGE.replace("本年收到申请", "本年收到\x01申请").encode("utf-8")
    fast = html.read_utf8(ctrl, "c.html")
    slow = html.read_text(ctrl.decode("utf-8"), "c.html", raw=ctrl)
    assert fast is not None and kinds(fast) == kinds(slow)
    assert kinds(fast)[:2] == EXPECTED[:2] and kinds(fast)[3:] == EXPECTED[3:]


def test_tables_are_grids_of_cells():
    doc = read_bytes(PAGE.encode("utf-8"), "p.html")
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    assert [[c.span_copy for c in r] for r in table.rows] == [[False, False, True], [True, False, False], [False] * 3]


def test_hidden_in_any_mix_of_cases():
    page = "<html><body><p>a</p><Div StYlE='DiSpLaY :NoNe'>gone</Div><p HiDdEn>gone too</p><p>b</p></body></html>"
    assert kinds(read_bytes(page.encode("utf-8"), "p.html")) == [("T", "a"), ("T", "b")]


# Issue 16: one HTML path. A page decoded from GBK used to be searched for hidden content as text, in two
# spellings only (display / DISPLAY), so `dIsPlAy:none` content showed in the GBK form and not in the UTF-8 one.
HIDDEN_PAGE = (
    "<html><head><meta charset='{cs}'><title>某县2022年政府信息公开工作年度报告</title></head><body>"
    "<p>一、总体情况</p><div style='dIsPlAy : NoNe'>隐藏的旧数字 999</div><p hIdDeN>也是隐藏 888</p>"
    "<span STYLE='Display:None'>隐藏</span>"
    "<table><tr><td>新收</td><td>12</td><td style='DISPLAY:none'>7</td></tr></table>"
    "<p>本年收到申请12件。</p></body></html>"
)


def test_gbk_and_utf8_forms_of_a_page_give_the_same_document():
    utf8 = read_bytes(HIDDEN_PAGE.format(cs="utf-8").encode("utf-8"), "p.html")
    gbk = read_bytes(HIDDEN_PAGE.format(cs="gbk").encode("gbk"), "p.html")
    assert gbk.encoding != "utf-8"  # really the decoded path
    assert kinds(gbk) == kinds(utf8)
    assert kinds(utf8) == [
        ("T", "某县2022年政府信息公开工作年度报告"),
        ("T", "一、总体情况"),
        ("TABLE", [["新收", "12"]]),
        ("T", "本年收到申请12件。"),
    ]
    assert gbk.meta == utf8.meta and gbk.plain_text() == utf8.plain_text()
