"""Plain-text and Markdown readers."""

from pipelines.document import Table, TextBlock
from pipelines.readers import read_bytes


def read(text: str, name: str = "report.md"):
    return read_bytes(text.encode("utf-8"), name)


def kinds(doc):
    return [("T", b.text) if isinstance(b, TextBlock) else ("TABLE", b.texts()) for b in doc.blocks]


def test_plain_text_one_block_per_non_empty_line():
    doc = read("一、总体情况\r\n\r\n  本年新收申请\t64件  \n\n\n二、主动公开\n", "r.txt")
    assert doc.format == "txt"
    assert kinds(doc) == [("T", "一、总体情况"), ("T", "本年新收申请 64件"), ("T", "二、主动公开")]


def test_markdown_pipe_table_headings_and_text():
    doc = read(
        "# 某区2024年政府信息公开工作年度报告\n"
        "一、总体情况\n"
        "### 第二十条第（一）项\n"
        "| 信息内容 | 本年制发件数 | 本年废止件数 |\n"
        "|:---|---:|:---:|\n"
        "| 规章 | 0 | 0 |\n"
        "| 行政规范性文件 | ６ | 1 |\n"
    )
    assert doc.format == "md"
    assert kinds(doc) == [
        ("T", "某区2024年政府信息公开工作年度报告"),
        ("T", "一、总体情况"),
        ("T", "第二十条第(一)项"),
        ("TABLE", [["信息内容", "本年制发件数", "本年废止件数"], ["规章", "0", "0"], ["行政规范性文件", "6", "1"]]),
    ]


def test_ragged_rows_and_repeated_separators_kept_as_written():
    doc = read(
        "| 一、本年新收 | 1259 | 36 | 0 | 0 | 0 | 0 | 1295 |\n"
        "|---|---|---|---|---|---|---|---|\n"
        "| 二、上年结转 | 170 | 15 | 0 | 0 | 4 | 0 | 189 |\n"
        "| 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n"
        "|---|---|---|---|---|---|---|\n"
        "| 1.属于国家秘密 | 4 | 0 | 0 | 0 | 0 | 0 | 4 |  |\n"
        "| (三)不 | 4.保护第三方合法权益 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
    )
    (table,) = doc.blocks
    assert [len(r) for r in table.rows] == [8, 8, 7, 9, 9]
    assert table.texts()[2] == ["2", "0", "0", "0", "0", "0", "2"]
    assert table.texts()[3][-1] == ""  # the trailing empty cell is a cell as written
    assert table.texts()[4][:2] == ["(三)不", "4.保护第三方合法权益"]


def test_table_interrupted_by_text_or_blank_line_starts_a_new_table():
    doc = read("| a | 1 |\n|---|---|\n| b | 2 |\n(四)无\n| c | 3 |\n\n| d | 4 |\n|---|---|\n## 表三\n| e | 5 |\n")
    assert kinds(doc) == [
        ("TABLE", [["a", "1"], ["b", "2"]]),
        ("T", "(四)无"),
        ("TABLE", [["c", "3"]]),
        ("TABLE", [["d", "4"]]),
        ("T", "表三"),
        ("TABLE", [["e", "5"]]),
    ]


def test_pipes_optional_escaped_pipe_and_dash_data_cells():
    doc = read("项目 | 数量\n---|---\na \\| b | 1\n| (数据项目) | 数量 |\n|---|---|\n| - | - |\n")
    (table,) = doc.blocks
    assert table.texts() == [["项目", "数量"], ["a | b", "1"], ["(数据项目)", "数量"], ["-", "-"]]


def test_header_single_dash_separator_and_br_in_cells():
    doc = read("| 本年新<br>制作数量 | **总计** |\n|-|-|\n| 3 | 4 |\n")
    (table,) = doc.blocks
    assert table.texts() == [["本年新 制作数量", "总计"], ["3", "4"]]


def test_prose_with_a_pipe_is_not_a_table_in_plain_prose():
    doc = read("# 标题\n使用帮助 | 联系我们\n正文\n")
    assert kinds(doc) == [("T", "标题"), ("T", "使用帮助 | 联系我们"), ("T", "正文")]


def test_heading_and_thematic_break():
    doc = read("## 二、主动公开政府信息情况 ##\n---\n#不是标题\n")
    assert kinds(doc) == [("T", "二、主动公开政府信息情况"), ("T", "#不是标题")]
    assert all(not isinstance(b, Table) for b in doc.blocks)


def test_markdown_with_embedded_html_table():
    doc = read(
        "## 三、收到和处理政府信息公开申请情况\n"
        "<table><tr><td rowspan='2'>一、本年新收</td><td>5</td></tr>\n"
        "<tr><td>6</td></tr></table>\n"
        "## 四、行政复议\n"
        "| 1 | 2 |\n"
    )
    assert doc.format == "md"
    assert kinds(doc) == [
        ("T", "三、收到和处理政府信息公开申请情况"),
        ("TABLE", [["一、本年新收", "5"], ["一、本年新收", "6"]]),
        ("T", "四、行政复议"),
        ("TABLE", [["1", "2"]]),
    ]
