"""Table 4: 15 cells however the source breaks them up."""

from __future__ import annotations

from pipelines.parse import parse
from pipelines.report import INFERRED, NUMBER
from tests.unit.parse.helpers import T4, report_lines, text_doc

WANT = [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3]


def t4(lines):
    return parse(text_doc(report_lines("2021", t4=T4[:4] + lines)))


def test_fifteen_separate_cells():
    r = t4(["1 1 0 0 2 1 0 0 0 1 2 0 1 0 3"])
    assert r.to_json()["table4"] == WANT and r.table4[0].state == NUMBER


def test_three_pieces_of_five():
    r = t4(["行政复议", "1 1 0 0 2", "未经复议直接起诉", "1 0 0 0 1", "复议后起诉", "2 0 1 0 3"])
    assert r.to_json()["table4"] == WANT


def test_one_run_of_digits_split_by_group_sums():
    r = t4(["21317000001324019"])  # 平潭 2024: 2,1,3,1,7 | 0,0,0,0,0 | 13,2,4,0,19
    assert r.to_json()["table4"] == [2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19]
    assert r.table4[0].state == INFERRED
    assert any(f.check.startswith("P404") for f in r.findings)


def test_run_that_splits_two_ways_is_null_and_reported():
    # 1100011 + ten zeros: 复议 11,0,0,0,11 or 1,10,0,0,11 — both add up, nothing decides
    r = t4(["11000110000000000"])
    assert r.to_json()["table4"] == [None] * 15
    assert [f.where for f in r.findings if f.check.startswith("P405")] == ["table4"]


def test_run_where_no_split_adds_up_is_null_and_reported():
    r = t4(["1100220000000000"])
    assert r.to_json()["table4"] == [None] * 15
    assert any(f.check.startswith("P405") and "none" in f.message for f in r.findings)


def test_printed_values_kept_when_the_group_sum_fails():
    from pipelines.extract import extract_bytes

    lines = report_lines("2021", t4=T4[:4] + ["10 1 0 0 0 0 0 0 0 0 5 0 0 0 0"])  # 洪泽 2023 as printed
    r = extract_bytes("\n".join(lines).encode("utf-8"), "hz.txt")
    assert r.to_json()["table4"] == [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]
    # kept as printed, and the two broken group sums are findings (the checks, not the parser)
    assert {f.where for f in r.findings if f.severity == "error"} == {
        "table4.review_total",
        "table4.suit_after_review_total",
    }


def test_prose_numbers_after_the_table_are_not_cells():
    r = t4(["1 1 0 0 2 1 0 0 0 1 2 0 1 0 3", "2024年共办理复议案件3件，诉讼4件。"])
    assert r.to_json()["table4"] == WANT


def test_missing_table4_is_null_with_finding():
    r = parse(text_doc(report_lines("2021", t4=[])))
    assert r.to_json()["table4"] == [None] * 15
    assert any(f.check.startswith("P401") for f in r.findings)
