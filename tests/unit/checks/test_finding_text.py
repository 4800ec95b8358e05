"""Every finding a warehouse may hold has a title in both languages (catalogue.yaml, parser_codes.yaml), and the
Chinese one reads in Chinese: no English word, no raw key."""

from __future__ import annotations

import re

import pytest

from pipelines import checks
from pipelines.checks import text as ftext

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize("check_id", sorted(checks.known_check_ids()))
def test_every_check_has_a_chinese_and_an_english_title(check_id):
    zh, en = ftext.title(check_id, "zh"), ftext.title(check_id, "en")
    code = ftext.code(check_id)
    assert zh != code and en != code and zh != en
    assert re.search(r"[\u4e00-\u9fff]", zh) and not ENGLISH_WORD.search(zh), zh
    if code.startswith("P"):  # the Chinese UI shows the parser code's note in place of its English message
        note = ftext.message(check_id, "row has 5 of 7 cells", "zh")
        assert note and not ENGLISH_WORD.search(note), note


def test_locations_in_the_templates_words():
    assert (
        ftext.location("table3.denied_process_info.natural_person")
        == "表三 · （三）不予公开 6.属于四类过程性信息 · 自然人"
    )
    assert ftext.location("table4.suit_direct_total") == "表四 · 行政诉讼（未经复议直接起诉）·总计"
    assert ftext.location("table2.rules_issued") == "表二 · 规章·本年制发件数"
    assert ftext.location("year") == "年度"
    assert ftext.location("table3.total_handled.total", "en") == "table 3 · total handled · total"


CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize(
    ("check_id", "msg", "zh", "en"),
    [
        # the demo's faults and the catalogue's rules: "中文; English", each UI its half, keys named
        (
            "P302 row_cells_missing",
            "应填 0 处空白：自然人、商业企业; blank where 0 is meant: natural persons, businesses",
            "应填 0 处空白：自然人、商业企业",
            "blank where 0 is meant: natural persons, businesses",
        ),
        (
            "C303 table3_row_total",
            "印为 2，表内合计应为 0; printed 2 where the table's own sums give 0",
            "印为 2，表内合计应为 0",
            "printed 2 where the table's own sums give 0",
        ),
        # a quote in the Chinese half may hold "; " itself
        (
            "C501 prose_applications",
            "正文称收到申请 5 件（“共收到申请5件; 办结5件”），表三新收总计 4 件; the prose states 5 applications, "
            "table 3 says 4",
            "正文称收到申请 5 件（“共收到申请5件; 办结5件”），表三新收总计 4 件",
            "the prose states 5 applications, table 3 says 4",
        ),
        # the parser's English messages ("; " inside): Chinese from parser_codes.yaml's note
        (
            "P301 row_missing",
            "row label found but no numbers beside it; cells left null",
            "未找到该行或该行没有数字，单元格留空。",
            "row label found but no numbers beside it; cells left null",
        ),
        # written by an older parser with a printed label inside: named in English
        (
            "P301 row_missing",
            "row label found but no numbers beside it; cells left null; （七）总计 is 0 in every column, so these "
            "cells can only be 0",
            "未找到该行或该行没有数字，单元格留空。",
            "row label found but no numbers beside it; cells left null; total handled is 0 in every column, so "
            "these cells can only be 0",
        ),
        # the warehouse's own English message (R101 is no catalogue rule): its note in Chinese
        (
            "R101 correction_needs_review",
            "hand correction #3 (table3.granted.total = 4) was made on an earlier edition, which read 2; this "
            "edition reads 5: not applied until reviewed (xxgk correct --list)",
            "该更正暂不生效，请在数据质量页或用 xxgk correct --list 复核。",
            "hand correction #3 (table3.granted.total = 4) was made on an earlier edition, which read 2; this "
            "edition reads 5: not applied until reviewed (xxgk correct --list)",
        ),
    ],
)
def test_message_in_each_language(check_id, msg, zh, en):
    assert ftext.message(check_id, msg, "zh") == zh
    assert ftext.message(check_id, msg, "en") == en


def test_an_english_message_never_shows_chinese():
    # Chinese the English UI cannot name (an amount's unit in an old message): the code's English title instead
    assert ftext.message("P202 unit_converted", "amount printed as 1200元; stored as 0.12 万元", "en") == (
        "Amount converted to 10,000 yuan"
    )


def test_the_parser_writes_its_messages_in_english():
    """The parser's finding messages are English (the Chinese UI shows the code's note): no Chinese in any
    string literal of a ``report.add(…)`` call, so the English quality page never shows Chinese."""
    import ast
    from pathlib import Path

    import pipelines.parse as parse

    bad = []
    for path in sorted(Path(parse.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add" and len(node.args) == 4:
                for s in ast.walk(node.args[3]):
                    if isinstance(s, ast.Constant) and isinstance(s.value, str) and CJK.search(s.value):
                        bad.append(f"{path.name}:{s.lineno}: {s.value}")
            if isinstance(node, ast.AugAssign) and getattr(node.target, "attr", "") == "message":
                for s in ast.walk(node.value):
                    if isinstance(s, ast.Constant) and isinstance(s.value, str) and CJK.search(s.value):
                        bad.append(f"{path.name}:{s.lineno}: {s.value}")
    assert bad == []


def test_messages_over_a_frame_are_each_rows_message_in_its_order():
    import polars as pl

    rows = [
        ("C301 table3_balance", "表三合计不平; table 3 total does not add up"),
        ("P302 table3_missing_cell", "table3 row has no cell"),
        ("C301 table3_balance", "表三合计不平; table 3 total does not add up"),
        (None, None),
        ("P302 table3_missing_cell", None),
        ("C301 table3_balance", "另一条; another"),
    ] * 3
    fl = pl.DataFrame(rows, schema=["check_id", "message"], orient="row").with_row_index("n")
    for lang in ("zh", "en"):
        got = ftext.messages(fl, lang)
        assert got.name == "message" and got.len() == fl.height
        assert got.to_list() == [ftext.message(c, m, lang) for c, m in zip(fl["check_id"], fl["message"])]


def test_a_message_printing_table3_column_keys_names_them():
    """Warehouses built before the demo wrote its blank cells in words hold messages that print the column keys:
    each UI names them in the template's terms (no natural_person in the Chinese page)."""
    legacy = (
        "应填 0 处空白：natural_person、commercial、research、social_org、legal_service、other_org、total; "
        "blank where 0 is meant: natural_person, commercial, research, social_org, legal_service, other_org, total"
    )
    zh = ftext.message("P302 row_cells_missing", legacy, "zh")
    en = ftext.message("P302 row_cells_missing", legacy, "en")
    assert zh == "应填 0 处空白：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计"
    assert not re.search(r"[A-Za-z]", zh)
    assert en.startswith("blank where 0 is meant: natural persons, commercial, research, social organisations")
    assert "_" not in en
