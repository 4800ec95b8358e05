"""The layouts of issue 14, each in several invented variants: what the parser reads, what it leaves
null, and the finding that says which (an inference is info, a doubt a warning)."""

from __future__ import annotations

import pytest

from pipelines.document import Cell, Document, Table, TextBlock
from pipelines.extract import extract_bytes
from pipelines.parse import parse
from pipelines.report import INFERRED, MISSING
from tests.unit.parse.helpers import T4, consistent_values, report_lines, rows, text_doc

T4_KEYS_VALUES = [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3]


def checks(r, prefix: str, where: str | None = None) -> list:
    return [f for f in r.findings if f.check.startswith(prefix) and (where is None or f.where == where)]


# --- layout 1: one cell per line ------------------------------------------------------------------

T3_HEADER_CELLS = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    ["商业{nl}企业", "科研{nl}机构", "社会公益组织", "法律服务机构", "其他"],
]
T4_HEADER_CELLS = [
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]


def cell_lines(table: list[list[str]], nl: str, s: int, r: int) -> str:
    """A table copied one cell per line: each cell then s line breaks, a row's last cell then r."""
    out = []
    for row in table:
        for i, cell in enumerate(row):
            out.append(cell.replace("{nl}", nl) + nl * (r if i == len(row) - 1 else s))
    return "".join(out)


def one_cell_per_line(
    values: dict[str, list],
    *,
    nl: str = "\r",
    s: int = 3,
    r: int = 5,
    t4: list | None = None,
    page_break_before: str | None = None,
    labels: dict[str, str] | None = None,
) -> bytes:
    """A whole 2021 report in the layout, with None for a blank cell (its separator only)."""
    labels = labels or {}
    t3 = [list(row) for row in T3_HEADER_CELLS]
    parts = []
    for label, key in rows("2021"):
        row = [labels.get(key, label)] + ["" if v is None else str(v) for v in values[key]]
        if key == page_break_before:
            parts.append(cell_lines(t3, nl, s, r))
            parts.append(f"- 7 -{nl * 2}")  # a page footer, then the header printed again
            t3 = [list(T3_HEADER_CELLS[1])]
        t3.append(row)
    parts.append(cell_lines(t3, nl, s, r))
    t4_row = ["" if v is None else str(v) for v in (t4 or T4_KEYS_VALUES)]
    text = (
        nl.join(
            [
                "",
                f"东川省测试厅2023年政府信息公开工作年度报告{nl}",
                f"一、总体情况{nl}",
                f"2023年，我厅认真落实政务公开各项要求。{nl}",
                f"二、主动公开政府信息情况{nl}",
                cell_lines(
                    [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "0", "0", "0"]], nl, s, r
                )
                + f"三、收到和处理政府信息公开申请情况{nl}",
                "".join(parts) + f"四、政府信息公开行政复议、行政诉讼情况{nl}",
                cell_lines([*T4_HEADER_CELLS, t4_row], nl, s, r) + f"五、存在的主要问题及改进情况{nl}",
                f"规范性仍需加强。{nl}",
                f"六、其他需要报告的事项{nl}",
                f"本年度未收取信息处理费。{nl}",
            ]
        )
        + nl
    )
    return text.encode("utf-8")


def with_blanks(blanks: dict[str, list[int]]) -> tuple[dict[str, list], dict[str, list]]:
    """consistent_values with the given cells printed blank; the truth has None there."""
    v = {k: list(row) for k, row in consistent_values("2021").items()}
    for key, cols in blanks.items():
        for c in cols:
            v[key][c] = None
    return v, v


BLANKS = {
    "start": {"granted": [0], "unable_not_held": [0]},
    "middle": {"new_received": [2, 3], "partial": [4]},
    "end": {"carried_over": [6], "other_misc": [5, 6]},
    "start, middle and end": {"granted": [0, 3, 6], "denied_state_secret": [0, 1, 2, 3, 4, 5, 6]},
}


@pytest.mark.parametrize("nl", ["\r", "\n", "\r\n"], ids=["CR", "LF", "CRLF"])
@pytest.mark.parametrize("where", sorted(BLANKS))
def test_one_cell_per_line_blank_runs(nl: str, where: str) -> None:
    values, want = with_blanks(BLANKS[where])
    r = extract_bytes(one_cell_per_line(values, nl=nl), "t.txt")
    assert r.to_json()["table3"] == want
    assert r.to_json()["table4"] == T4_KEYS_VALUES
    n_blank = sum(len(c) for c in BLANKS[where].values())
    told = checks(r, "P311", "table3")
    assert told and all(f.severity == "info" for f in told)
    assert sum(int(f.message.split(": ")[1].split(" ")[0]) for f in told) == n_blank
    assert not checks(r, "P30") and not checks(r, "P310")


@pytest.mark.parametrize("s,r", [(2, 3), (2, 5), (3, 4), (4, 6), (1, 3)])
def test_one_cell_per_line_other_spacings(s: int, r: int) -> None:
    values, want = with_blanks({"granted": [1], "carried_forward": [6]})
    got = extract_bytes(one_cell_per_line(values, nl="\n", s=s, r=r), "t.txt").to_json()
    assert got["table3"] == want and got["table4"] == T4_KEYS_VALUES


def test_one_cell_per_line_table_split_across_pages() -> None:
    values, want = with_blanks({"denied_process_info": [0], "unable_unclear": [6]})
    r = extract_bytes(one_cell_per_line(values, page_break_before="denied_third_party"), "t.txt")
    assert r.to_json()["table3"] == want


def test_one_cell_per_line_labels_broken_inside_their_cell() -> None:
    values, want = with_blanks({"partial": [3]})
    labels = {
        "partial": "（二）部分公开（区分处理的，{nl}只计这一情形，不计其他情形）",
        "other_overdue_correction": "（六）其他处理{nl}1.申请人无正当理由逾期不补正、{nl}行政机关不再处理其政府信息公开申请",
    }
    for nl in ("\r", "\n"):
        labels_nl = {k: v.replace("{nl}", nl) for k, v in labels.items()}
        r = extract_bytes(one_cell_per_line(values, nl=nl, labels=labels_nl), "t.txt")
        assert r.to_json()["table3"] == want


def test_one_cell_per_line_table4_blanks_at_start_middle_end() -> None:
    t4 = [None, 1, 0, 0, 1, 0, 0, None, 0, 0, 0, 0, 0, None, None]
    r = extract_bytes(one_cell_per_line(consistent_values("2021"), t4=t4), "t.txt")
    assert r.to_json()["table4"] == t4


def _irregular(text: str, label: str, old: str, new: str) -> bytes:
    head, tail = text.split(label, 1)
    assert old in tail
    return (head + label + tail.replace(old, new, 1)).encode()


def test_one_cell_per_line_breaks_that_fit_no_reading_are_doubt_not_guesses() -> None:
    # table 4's third cell blank, its run of breaks 4 long where cells are 3 apart and rows 5: no
    # reading fits, so the row's 14 numbers are taken without their blank, and several placements
    # keep every group sum ([1,1,∅→0,0,2…] and [∅→0,1,1,0,2…]): table 4 is null, said as doubt
    t4 = [1, 1, None, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3]
    text = one_cell_per_line(consistent_values("2021"), t4=t4).decode()
    r = extract_bytes(_irregular(text, "复议后起诉", "1\r\r\r1\r\r\r\r\r\r0", "1\r\r\r1\r\r\r\r0"), "t.txt")
    assert r.to_json()["table4"] == [None] * 15
    assert [f.severity for f in checks(r, "P314", "table4")] == ["warning"]
    assert not checks(r, "P311", "table4")
    assert checks(r, "P402")[0].severity == "warning"
    assert r.to_json()["table3"] == consistent_values("2021")


def test_one_cell_per_line_doubtful_blank_is_settled_by_the_identities() -> None:
    # granted's blank (natural persons) with an irregular run: its six numbers can stand 4 ways by
    # the row's 总计; only [10, 1, 0, 0, 0, 0, 11] keeps the column identities, so the blank was a 1
    values, _ = with_blanks({"granted": [1]})
    text = one_cell_per_line(values).decode()
    r = extract_bytes(_irregular(text, "(一)予以公开", "10\r\r\r\r\r\r0", "10\r\r\r\r0"), "t.txt")
    assert r.to_json()["table3"] == consistent_values("2021")
    assert [f.severity for f in checks(r, "P314", "table3")] == ["warning"]
    assert checks(r, "P307", "table3.granted")[0].severity == "info"


def test_one_cell_per_line_doubtful_row_of_zeros_is_placed_by_its_identity() -> None:
    # the same doubt on a row of zeros: wherever the lost cell stood, 总计 = Σ makes it 0
    values, _ = with_blanks({"partial": [2]})
    text = one_cell_per_line(values).decode()
    r = extract_bytes(_irregular(text, "(二)部分公开", "0\r\r\r\r\r\r0", "0\r\r\r\r0"), "t.txt")
    assert r.to_json()["table3"]["partial"] == [0] * 7
    assert {c.state for c in r.table3["partial"]} == {INFERRED}
    assert checks(r, "P307", "table3.partial")[0].severity == "info"


def test_text_with_lone_numbers_but_single_spacing_is_not_rebuilt() -> None:
    # a report whose rows are on one line each is read as before (no P311)
    r = parse(text_doc(report_lines("2021")))
    assert not checks(r, "P311")


# --- layout 2: a sentence with a year between the table-4 heading and the table -----------------

SENTENCE = "2023年，本机关未发生因政府信息公开引起的行政复议、行政诉讼。"


@pytest.mark.parametrize(
    "t4",
    [
        [T4[0], SENTENCE, *T4[1:]],
        [T4[0] + SENTENCE, *T4[1:]],
        [" ".join([T4[0], SENTENCE, *T4[1:]])],
        [*T4[:4], SENTENCE, T4[4]],
        [T4[0], "本年度，本机关共收到行政复议申请2件，其中结果维持1件。", *T4[1:]],
    ],
    ids=["own line", "after heading", "one long line", "between header and values", "counts in a sentence"],
)
def test_sentence_with_numbers_after_table4_heading(t4: list[str]) -> None:
    r = parse(text_doc(report_lines("2021", t4=t4)))
    assert r.to_json()["table4"] == T4_KEYS_VALUES
    assert not checks(r, "P40")


def test_sentence_after_table4_heading_in_a_grid_page() -> None:
    blocks = [TextBlock(t) for t in report_lines("2021", t4=[])[:-4]]
    blocks += [TextBlock(T4[0]), TextBlock(SENTENCE)]
    head = [Cell(h) for h in ["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9]
    blocks.append(Table([head, [Cell(str(v)) for v in [0] * 15]]))
    blocks += [TextBlock(t) for t in ["五、存在的主要问题及改进情况", "无。"]]
    r = parse(Document(source="p.html", format="html", blocks=blocks))
    assert r.to_json()["table4"] == [0] * 15


# --- layout 3: a section under the wrong ordinal --------------------------------------------------


@pytest.mark.parametrize(
    "renumber",
    [
        {"四、政府信息公开行政复议": "三、政府信息公开行政复议"},
        {"四、政府信息公开行政复议": "五、政府信息公开行政复议"},
        {"三、收到和处理": "四、收到和处理"},
        {"三、收到和处理": "二、收到和处理", "四、政府信息公开行政复议": "三、政府信息公开行政复议"},
    ],
    ids=["4 as 三", "4 as 五", "3 as 四", "3 as 二 and 4 as 三"],
)
@pytest.mark.parametrize("one_line", [False, True], ids=["lines", "one line"])
def test_section_under_the_wrong_ordinal_is_found_by_its_words(renumber: dict, one_line: bool) -> None:
    lines = report_lines("2021")
    for a, b in renumber.items():
        lines = [line.replace(a, b) for line in lines]
    if one_line:
        lines = [" ".join(lines)]
    r = parse(text_doc(lines))
    assert r.to_json()["table3"] == consistent_values("2021")
    assert r.to_json()["table4"] == T4_KEYS_VALUES
    found = checks(r, "P107")
    assert len(found) == len(renumber) and all(f.severity == "info" for f in found)


# --- layout 4: labels detached from their numbers -------------------------------------------------


def _values_4() -> dict[str, list[int]]:
    v = consistent_values("2021")
    v["granted"] = [9, 1, 0, 0, 0, 0, 10]
    v["partial"] = [1, 0, 0, 0, 0, 0, 1]
    return v


def _nums(v: dict, k: str, md: bool = False) -> str:
    return ("| " + " | ".join(map(str, v[k])) + " |") if md else " ".join(map(str, v[k]))


def detached(v: dict, *, skip: tuple = (), per: int = 1, one_line: bool = False, md: bool = False) -> list[str]:
    """Labels on lines of their own, `per` labels then their rows of numbers."""
    rs = [(label, k) for label, k in rows("2021") if k not in skip]
    out: list[str] = []
    for i in range(0, len(rs), per):
        group = rs[i : i + per]
        out += [label for label, _ in group]
        nums = [_nums(v, k, md) for _, k in group]
        out += [" ".join(nums)] if one_line else nums
    return out


def _expect(v: dict, skip: tuple = ()) -> dict:
    return {k: ([None] * 7 if k in skip else row) for k, row in v.items()}


@pytest.mark.parametrize("per", [1, 2, 3])
@pytest.mark.parametrize(
    "skip", [(), ("rejected_excessive",), ("partial", "other_overdue_fee")], ids=["all", "1 missing", "2 missing"]
)
def test_labels_detached_from_their_numbers(per: int, skip: tuple) -> None:
    v = _values_4()
    r = parse(text_doc(report_lines("2021", t3_lines=detached(v, skip=skip, per=per))))
    assert r.to_json()["table3"] == _expect(v, skip)
    if skip:
        assert [f.severity for f in checks(r, "P312")] == ["info"]
        assert {f.where for f in checks(r, "P301")} == {f"table3.{k}" for k in skip}


def test_two_labels_then_both_rows_on_one_line() -> None:
    v = _values_4()
    r = parse(text_doc(report_lines("2021", t3_lines=detached(v, per=2, one_line=True))))
    assert r.to_json()["table3"] == v
    assert checks(r, "P313")[0].severity == "info"


def test_labels_detached_in_markdown_from_pdf() -> None:
    v = _values_4()
    md = "\n".join(report_lines("2021", t3_lines=detached(v, per=2, md=True, skip=("unable_unclear",))))
    r = extract_bytes(md.encode(), "t.md")
    assert r.to_json()["table3"] == _expect(v, ("unable_unclear",))


def test_labels_after_their_numbers_with_a_row_missing() -> None:
    # numbers first, then their label: the reading "label after" is the one that keeps the identities
    v = _values_4()
    lines = []
    for label, k in rows("2021"):
        if k == "new_received":  # the first row inline: numbers before any label are header junk
            lines.append(f"{label} {_nums(v, k)}")
        elif k != "denied_admin_query":
            lines += [_nums(v, k), label]
    r = parse(text_doc(report_lines("2021", t3_lines=lines)))
    assert r.to_json()["table3"] == _expect(v, ("denied_admin_query",))
    assert r.meta["table3"]["mode"] == "label-after" and checks(r, "P312")[0].severity == "info"


def test_detached_numbers_no_identity_can_confirm_stay_unplaced() -> None:
    # 结转下年 and one outcome row missing: no column identity can be checked, so the
    # detached labels are not trusted and the numbers are reported, not placed
    v = _values_4()
    skip = ("carried_forward", "rejected_confirm")
    r = parse(text_doc(report_lines("2021", t3_lines=detached(v, skip=skip))))
    got = r.to_json()["table3"]
    assert all(row == [None] * 7 for row in got.values())
    assert checks(r, "P310")[0].severity == "warning"


# --- layout 5: one blank among zeros --------------------------------------------------------------


@pytest.mark.parametrize("sep", [" ", "  ", "\t"])
def test_one_blank_among_zeros_is_zero_by_the_row_identity(sep: str) -> None:
    v = consistent_values("2021")
    lines = [f"{label} " + " ".join(map(str, v[k])) for label, k in rows("2021")]
    lines[2] = "（一）予以公开 " + sep.join(["10", "1", "0", "0", "0", "0", "11"])
    lines[3] = "（二）部分公开（区分处理的，只计这一情形，不计其他情形） " + sep.join(["0"] * 6)
    r = parse(text_doc(report_lines("2021", t3_lines=lines)))
    assert r.to_json()["table3"]["partial"] == [0] * 7
    assert all(c.state == INFERRED for c in r.table3["partial"])
    assert checks(r, "P307", "table3.partial")[0].severity == "info"
    assert r.to_json()["table3"] == v


def test_lost_cell_placed_by_the_column_identities() -> None:
    # "10 1 0 0 0 11" can be 4 rows by its own 总计; only one keeps the table's column identities
    v = consistent_values("2021")
    lines = [f"{label} " + " ".join(map(str, v[k])) for label, k in rows("2021")]
    lines[2] = "（一）予以公开 10 1 0 0 0 11"
    r = parse(text_doc(report_lines("2021", t3_lines=lines)))
    assert r.to_json()["table3"]["granted"] == [10, 1, 0, 0, 0, 0, 11]
    f = checks(r, "P307", "table3.granted")
    assert f and f[0].severity == "info" and "column identit" in f[0].message


def test_lost_cells_that_no_identity_settles_stay_null() -> None:
    v = consistent_values("2021")
    lines = [f"{label} " + " ".join(map(str, v[k])) for label, k in rows("2021")]
    lines[2] = "（一）予以公开 10 1 0 0 11"  # two lost, no gap to show where: 总计 among them is open
    lines[12] = "（四）无法提供 1.本机关不掌握相关政府信息 2 0 2"  # four lost
    r = parse(text_doc(report_lines("2021", t3_lines=lines)))
    got = r.to_json()["table3"]
    assert got["granted"] == [None] * 7 and got["unable_not_held"] == [None] * 7
    assert {c.state for c in r.table3["granted"]} == {MISSING}
    for key in ("granted", "unable_not_held"):
        assert checks(r, "P302", f"table3.{key}")[0].severity == "warning"
    assert not checks(r, "P307")


# --- layout 6: only the totals filled --------------------------------------------------------------


def test_table4_group_with_only_its_total_keeps_the_blanks() -> None:
    blocks = [TextBlock(t) for t in report_lines("2021", t4=[])[:-4]]
    blocks += [TextBlock(T4[0])]
    cells = ["0", "1", "0", "0", "1", "0", "0", "0", "0", "0", "", "", "", "", "0"]
    blocks.append(Table([[Cell(c) for c in cells]]))
    blocks += [TextBlock(t) for t in ["五、存在的主要问题及改进情况", "无。"]]
    r = parse(Document(source="p.html", format="html", blocks=blocks))
    assert r.to_json()["table4"] == [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, None, None, None, None, 0]
    f = checks(r, "P407", "table4.suit_after_review_total")
    assert f and f[0].severity == "info"


def test_table4_only_totals_in_text_without_gaps_is_null_with_a_warning() -> None:
    # the four blanks left no trace: several placements keep every group sum
    r = parse(text_doc(report_lines("2021", t4=[*T4[:4], "0 1 0 0 1 0 0 0 0 0 0"])))
    assert r.to_json()["table4"] == [None] * 15
    assert checks(r, "P402")[0].severity == "warning"


def test_table4_one_lost_zero_is_certain() -> None:
    r = parse(text_doc(report_lines("2021", t4=[*T4[:4], " ".join(["0"] * 14)])))
    assert r.to_json()["table4"] == [0] * 15
    assert checks(r, "P406")[0].severity == "info"
    assert {c.state for c in r.table4} == {INFERRED}


def test_table3_row_with_only_its_total_keeps_its_blanks() -> None:
    # grid: six blank applicant cells and 总计 0 — the printed 0 stays, the blanks stay blank
    from tests.unit.parse.helpers import grid_doc

    vals = {k: [str(x) for x in row] for k, row in consistent_values("2019").items()}
    vals["rejected_duplicate"] = [""] * 6 + ["0"]
    r = parse(grid_doc("2019", vals))
    assert r.to_json()["table3"]["rejected_duplicate"] == [None] * 6 + [0]


# --- every parser code is catalogued, with the severity it is raised with --------------------------


def test_every_parser_code_is_in_the_catalogue_with_its_severity() -> None:
    import re
    from pathlib import Path

    from pipelines.checks import parser_codes

    catalogue = parser_codes()
    src = Path(__file__).resolve().parents[3] / "pipelines" / "parse"
    raised = {m for p in src.glob("*.py") for m in re.findall(r'"(P\d{3} [a-z0-9_]+)"', p.read_text(encoding="utf-8"))}
    assert raised and raised <= set(catalogue), raised - set(catalogue)
    # the findings of this file's fixtures carry the catalogue's severity
    values, _ = with_blanks({"granted": [1]})
    text = one_cell_per_line(values).decode()
    reports = [
        extract_bytes(_irregular(text, "(一)予以公开", "10\r\r\r\r\r\r0", "10\r\r\r\r0"), "t.txt"),
        extract_bytes(one_cell_per_line(with_blanks(BLANKS["end"])[0]), "t.txt"),
        parse(text_doc(["发布省工业和信息化厅2023年政府信息公开工作年度报告", *report_lines("2021")[1:]])),
        parse(text_doc(report_lines("2021", t3_lines=detached(_values_4(), skip=("partial",), per=2)))),
    ]
    seen = set()
    for r in reports:
        for f in r.findings:
            if f.check.startswith("P"):
                assert catalogue[f.check] == f.severity, f
                seen.add(f.check)
    assert {"P307 lost_cells_inferred", "P311 cells_one_per_line", "P314 cells_one_per_line_doubt"} <= seen
