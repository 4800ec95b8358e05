"""Fuzzing the parser: whatever a reader hands it, parse() returns a Report or raises ReadError —
never another exception, never a hang. Inputs are built from the template's own vocabulary so the
fuzzer reaches the table code, not only the 'not a report' exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.document import Cell, Document, ReadError, Table, TextBlock
from pipelines.extract import extract_bytes
from pipelines.parse import parse

REPO = Path(__file__).resolve().parents[3]
SAMPLE = (REPO / "data" / "samples" / "xigong-commerce-2020.txt").read_text(encoding="utf-8")

WORDS = [
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "二、主动公开政府信息情况",
    "六、其他需要报告的事项",
    "一、本年新收政府信息公开申请数量",
    "(七)总计",
    "1.属于国家秘密",
    "2.重复申请",
    "3.其他",
    "(六)其他处理",
    "四、结转下年度继续办理",
    "规章",
    "行政许可",
    "本年制发件数",
    "本年新制作数量",
    "- 3 -",
    "(其中修订16件)",
    "251000元",
    "+2",
    "-",
    "—",
    "/",
    "无",
    "0",
    "00000002.",
    "640020470",
    "12",
    " ",
    "\n",
    "信息处理费380元",
    "2021年政府信息公开工作年度报告",
]
text_st = st.lists(st.sampled_from(WORDS), max_size=60).map("".join)
cell_st = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
table_st = st.lists(st.lists(cell_st.map(Cell), min_size=0, max_size=10), max_size=30).map(Table)
doc_st = st.lists(st.one_of(text_st.map(TextBlock), table_st), max_size=12).map(
    lambda blocks: Document(source="fuzz.txt", format="txt", blocks=blocks)
)


@pytest.mark.slow
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc_st)
def test_parse_never_crashes(doc):
    try:
        report = parse(doc)
    except ReadError as e:
        assert "fuzz.txt" in str(e) and "\n" not in str(e)
        return
    out = report.to_json()
    assert all(len(r) == 7 for r in out["table3"].values())
    assert len(out["table4"]) == 15


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 40), st.text(max_size=6)), max_size=12))
def test_mangled_sample_gives_report_or_clean_error(edits):
    s = SAMPLE
    for pos, cut, ins in edits:
        pos = min(pos, len(s))
        s = s[:pos] + ins + s[pos + cut :]
    try:
        out = extract_bytes(s.encode("utf-8"), "mangled.txt").to_json()
    except ReadError as e:
        assert str(e).startswith("mangled.txt: ") and "\n" not in str(e)
        return
    assert all(len(r) == 7 for r in out["table3"].values())
    # numbers are never invented: every value in the output occurs in the mangled text
    digits = set(s)
    for row in out["table3"].values():
        for v in row:
            assert v is None or set(str(v)) <= digits
