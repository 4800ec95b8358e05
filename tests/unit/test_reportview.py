"""The report page's layout (pipelines.reportview): the template's sections, rows and columns, read here from the
template YAML files themselves (not through pipelines.templates), in print order; 总计 columns shown; findings and
corrections marked on their cells with their text in the hover; blanks as — with their meaning; text escaped."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import yaml

from pipelines import reportview as rv

TPL = Path(__file__).resolve().parents[2] / "pipelines" / "templates"
VOC = yaml.safe_load((TPL / "vocabulary.yaml").read_text(encoding="utf-8"))
VERSIONS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in TPL.glob("20*.yaml")}
T3_ROWS = {r["key"]: r for r in VOC["table3"]["rows"]}
T3_COLS = [c["key"] for c in VOC["table3"]["columns"]]
T3_GROUPS = VOC["table3"]["groups"]
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "xigong-commerce-2020.txt"


def _doc(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def _text(el) -> str:
    return "".join(el.itertext()).strip()


def _t3_cells(version: str, value=lambda i, j: i * 10 + j) -> list[dict]:
    keys = [r["key"] for r in VERSIONS[version]["table3"]["rows"]]
    return [
        {"table_no": 3, "row_key": k, "col_key": c, "value": float(value(i, j)), "state": "number"}
        for i, k in enumerate(keys)
        for j, c in enumerate(T3_COLS)
    ]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_table3_rows_and_columns_are_the_templates_in_print_order(version):
    marks = rv.Marks.build([], [], "zh")
    doc = _doc(rv.table3_html(version, _t3_cells(version), marks))
    body = doc.findall(".//tbody/tr")
    keys = [r["key"] for r in VERSIONS[version]["table3"]["rows"]]
    assert len(body) == len(keys)  # one line per row of the version, no more
    for tr, key in zip(body, keys):
        spec = T3_ROWS[key]
        label = tr.findall("th")[-1]
        # the label printed is the template's number + its short label (the printed one on hover when shortened)
        assert _text(label) == spec["number"] + spec.get("short", spec["printed"])
        if "short" in spec:
            assert label.get("title") == spec["number"] + spec["printed"]
        # seven values, 总计 last, each the cell's value
        tds = tr.findall("td")
        i = keys.index(key)
        assert [_text(td) for td in tds] == [f"{i * 10 + j:,}" for j in range(len(T3_COLS))]
    head = [_text(th) for th in doc.findall(".//thead//th")]
    assert head[:2] == [VOC["table3"]["balance_note"], VOC["table3"]["applicant_header"]]
    col_zh = {c["key"]: c["zh"] for c in VOC["table3"]["columns"]}
    assert head[2:] == [col_zh[T3_COLS[0]], VOC["table3"]["organisation_header"], col_zh["total"]] + [
        col_zh[c] for c in T3_COLS[1:-1]
    ]
    # the group headings (（三）不予公开 …) and 三、本年度办理结果, each once
    ths = [_text(th) for th in doc.findall(".//tbody//th")]
    groups = {T3_ROWS[k].get("group") for k in keys} - {None}
    for g in groups:
        assert ths.count(T3_GROUPS[g]["number"] + T3_GROUPS[g]["zh"]) == 1
    assert ths.count(VOC["table3"]["outcomes_heading"]) == 1


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_table3_in_english_is_the_templates_english_labels(version):
    """The English page: each row as the template data numbers and names it in English ("(1) Granted"), the
    groups likewise; no Chinese ordinal (一、 （一）) or any Chinese left in the table; fixed column widths so
    that it fits its column (the labels wrap)."""
    import re

    doc = _doc(rv.table3_html(version, _t3_cells(version), rv.Marks.build([], [], "en")))
    keys = [r["key"] for r in VERSIONS[version]["table3"]["rows"]]
    body = doc.findall(".//tbody/tr")
    for tr, key in zip(body, keys):
        spec = T3_ROWS[key]
        assert _text(tr.findall("th")[-1]) == f"{spec['number_en']} {spec['printed_en']}"
    ths = [_text(th) for th in doc.findall(".//th")]
    for g in {T3_ROWS[k].get("group") for k in keys} - {None}:
        assert ths.count(f"{T3_GROUPS[g]['number_en']} {T3_GROUPS[g]['en']}") == 1
    assert VOC["table3"]["outcomes_heading_en"] in ths
    assert not [t for t in ths if re.search(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]", t)], ths
    table = doc.find(".//table")
    assert "xr-t3en" in table.get("class")  # table-layout: fixed (reportview.CSS)
    assert [c.get("style") for c in table.findall(".//col")][:3] == ["width:5.4em", "width:6em", "width:10em"]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_table2_blocks_rows_and_columns_are_the_versions(version):
    blocks = VERSIONS[version]["table2"]["blocks"]
    cells = [
        {"table_no": 2, "row_key": f"{r['key']}_{c}", "col_key": "", "value": 1234.0, "state": "number"}
        for b in blocks
        for r in b["rows"]
        for c in b["columns"]
    ]
    doc = _doc(rv.table2_html(version, cells, rv.Marks.build([], [], "zh")))
    lines = [[_text(x) for x in tr if x.tag in ("th", "td")] for tr in doc.findall(".//tr")]
    want = []
    for b in blocks:
        want.append([VOC["table2"]["clauses"][b["clause"]]["zh"]])
        want.append([VOC["table2"]["content_header"]["zh"]] + b["printed"])
        # 本年增/减 is a change: printed with its sign
        want += [[r["printed"]] + ["+1,234" if c == "change" else "1,234" for c in b["columns"]] for r in b["rows"]]
    assert lines == want


def test_table4_is_one_row_of_fifteen_under_the_templates_headings():
    outs = VOC["table4"]["outcomes"]
    groups = VOC["table4"]["groups"]
    keys = [f"{g['key']}_{o['key']}" for g in groups for o in outs]
    cells = [
        {"table_no": 4, "row_key": "table4", "col_key": k, "value": float(i), "state": "number"}
        for i, k in enumerate(keys)
    ]
    doc = _doc(rv.table4_html(cells, rv.Marks.build([], [], "zh")))
    rows = doc.findall(".//thead/tr")
    assert [_text(th) for th in rows[0]] == VOC["table4"]["heading_zh"]
    assert [_text(th) for th in rows[1]] == [o["zh"] for o in outs] + [g["zh"] for g in groups[1:]]
    assert [_text(th) for th in rows[2]] == [o["zh"] for o in outs] * (len(groups) - 1)
    assert [_text(td) for td in doc.findall(".//tbody/tr/td")] == [str(i) for i in range(15)]


def test_findings_and_corrections_are_marked_on_their_cells():
    cells = _t3_cells("2021")
    for c in cells:
        if c["row_key"] == "granted" and c["col_key"] == "natural_person":
            c.update(value=2.0, original_value=1.0, corrected=True)
        if c["row_key"] == "partial":
            c.update(value=None, state="blank")
    findings = [
        {
            "check_id": "C301 table3_balance",
            "severity": "error",
            "location": "table3.total_handled.total",
            "message": "新收 1 + 结转 0 ≠ 办理 2 + 结转下年 0 (总计); new + carried over ≠ handled + carried forward",
        },
        {
            "check_id": "P302 row_cells_missing",
            "severity": "warning",
            "location": "table3.partial",
            "message": "row has 5 of 7 cells (0 0 0 0 0) <script>",
        },
    ]
    corrections = [
        {
            "table_no": 3,
            "row_key": "granted",
            "col_key": "natural_person",
            "reason": "核对原件",
            "author": "张三",
            "created_at": "2026-01-02 03:04:05",
            "undone_at": None,
        }
    ]
    html = rv.table3_html("2021", cells, rv.Marks.build(findings, corrections, "zh"))
    doc = _doc(html)
    rows = {_text(tr.findall("th")[-1]): tr for tr in doc.findall(".//tbody/tr")}
    total = rows["（七）总计"].findall("td")[-1]
    assert "xr-error" in total.get("class")
    assert "[C301] 表三收支平衡" in total.get("title") and "新收 1 + 结转 0 ≠ 办理 2 + 结转下年 0" in total.get("title")
    assert "new + carried over" not in total.get("title")  # the Chinese half only
    fixed = rows["（一）予以公开"].findall("td")[0]
    assert _text(fixed) == "2" and "xr-corr" in fixed.get("class")
    assert "提取值 1，更正为 2" in fixed.get("title") and "核对原件（张三，2026-01-02 03:04）" in fixed.get("title")
    partial = rows["（二）部分公开"]
    assert "xr-warning" in partial.findall("th")[-1].get("class")  # a finding on the row marks its label
    blank = partial.findall("td")[0]
    assert _text(blank) == "—" and blank.get("title").startswith("空白")
    assert "[P302] 表三该行缺少单元格" in blank.get("title")
    assert "<script>" not in html and "row has 5" not in html  # the Chinese UI shows the code's note, escaped


def test_english_shows_the_english_half_and_names_keys():
    findings = [
        {
            "check_id": "C303 table3_row_total",
            "severity": "info",
            "location": "table3",
            "message": "不可评估（运算项为空）: granted、denied_state_secret; not assessable (2 of 25: an operand is null)",
        },
    ]
    zh = rv.findings_html(rv.Marks.build(findings, [], "zh").under("table3"), "zh")
    en = rv.findings_html(rv.Marks.build(findings, [], "en").under("table3"), "en")
    assert "予以公开、不予公开·国家秘密" in zh and "denied_state_secret" not in zh and "not assessable" not in zh
    assert "not assessable (2 of 25" in en and "不可评估" not in en
    hostile = [{"check_id": "P302 x", "severity": "warning", "location": "table3.partial", "message": "<b onload=x>"}]
    en = rv.findings_html(rv.Marks.build(hostile, [], "en").under("table3"), "en")
    assert "&lt;b onload=x&gt;" in en and "<b onload" not in en


def test_table2_version_follows_the_cells():
    assert rv.table2_version("2021", ["license_prev", "license_change", "procurement_count"]) == "2019"
    assert rv.table2_version("2021", []) == "2021"
    assert rv.table2_version("nonstandard", []) == max(VERSIONS)


def test_section_texts_cut_the_sample_at_the_six_headings():
    secs = rv.section_texts(SAMPLE.read_text(encoding="utf-8"))
    assert sorted(k for k in secs if k) == [1, 2, 3, 4, 5, 6]
    heads = [s["number"] + s["zh"] for s in VOC["sections"]]
    for no, head in enumerate(heads, start=1):
        assert secs[no].splitlines()[0].replace(" ", "").startswith(head[:4])
    assert "第二十条第" in secs[2] and "行政复议" in secs[4] and "无其他需要报告的事项" in secs[6]


def test_a_pdfs_paragraphs_are_joined_for_display_and_nothing_else_changes():
    """A PDF's text keeps the page's line breaks (洪泽区 2024: a paragraph cut into lines of ~24 characters). For
    the report page, a paragraph's lines are joined: not a character lost, added or moved; headings, items and
    table rows stay lines of their own; the extraction and a text report are untouched."""
    from pipelines.extract import extract_file
    from tests.conftest import shared_path

    text = extract_file(shared_path("real-reports", "hongze-district-government-2024.pdf")).text
    assert text is not None
    plain, joined = rv.section_texts(text), rv.section_texts(text, reflow=True)
    assert plain.keys() == joined.keys() == {0, 1, 2, 3, 4, 5, 6}
    for k in plain:  # only line breaks go
        assert joined[k].replace("\n", "") == plain[k].replace("\n", "")
    one = joined[1].splitlines()
    assert one[0] == "一、总体情况"
    assert one[1].startswith("2024年,淮安市洪泽区人民政府坚持") and one[1].endswith(
        "有力服务保障我区经济社会高质量发展。"
    )
    assert [x[:3] for x in one[2:]] == ["(一)", "(二)", "(三)", "(四)", "(五)"]  # one line per item
    assert all(x.endswith("。") for x in one[1:])
    assert len(plain[1].splitlines()) == 30  # as the page prints them
    # the tables' rows as printed: table 2's rows and table 3's items, one a line
    assert joined[2] == plain[2] and "规章 0 0 0\n行政规范性文件 3 0 8" in joined[2]
    assert joined[3] == plain[3]
    assert len(joined[5].splitlines()) == 3 and len(plain[5].splitlines()) > 10
    # a text report (its lines are paragraphs already) is not reflowed by the page; asked to, it changes nothing
    sample = SAMPLE.read_text(encoding="utf-8")
    assert rv.section_texts(sample, reflow=True) == rv.section_texts(sample)
    # too few full lines to know the page's width: nothing is joined
    assert rv.reflow_lines(["一行很长的文字", "第二行"], 7.0) == ["一行很长的文字", "第二行"]


def test_english_column_heads_start_with_a_capital():
    """Table 3's applicant columns and table 4's outcomes head their columns on their own: "Natural persons",
    "Upheld" in English (the template's short labels, lower case for use inside sentences, through i18n.cell);
    the Chinese heads are the template's as they are."""
    outs = VOC["table4"]["outcomes"]
    doc = _doc(rv.table4_html([], rv.Marks.build([], [], "en")))
    rows = doc.findall(".//thead/tr")
    assert [_text(th) for th in rows[2]] == [o["en"][:1].upper() + o["en"][1:] for o in outs] * 2
    assert _text(rows[1][0]) == "Upheld"
    version = sorted(VERSIONS)[-1]
    doc = _doc(rv.table3_html(version, _t3_cells(version), rv.Marks.build([], [], "en")))
    heads = [_text(th) for th in doc.findall(".//thead//th")]
    assert "Natural persons" in heads and "Businesses" in heads and "Total" in heads
    assert not [h for h in heads if h[:1].islower()], heads
    zh = _doc(rv.table3_html(version, _t3_cells(version), rv.Marks.build([], [], "zh")))
    assert "自然人" in [_text(th) for th in zh.findall(".//thead//th")]
