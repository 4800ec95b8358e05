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
