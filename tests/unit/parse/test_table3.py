"""Table 3: every way real reports damage it, one test each."""

from __future__ import annotations

from pipelines.parse import parse
from pipelines.report import BLANK, DASH, INFERRED, NUMBER
from tests.unit.parse.helpers import consistent_values, grid_doc, report_lines, rows, text_doc


def checks_of(r, prefix):
    return [f for f in r.findings if f.check.startswith(prefix)]


def test_clean_text_rows_2021():
    r = parse(text_doc(report_lines("2021")))
    assert r.to_json()["table3"] == consistent_values("2021")
    assert r.template == "2021" and r.agency == "某某区商务局" and r.year == 2022
    assert not checks_of(r, "P3")


def test_grid_blank_and_dash_cells_are_null_with_their_state():
    vals = {k: [str(x) for x in v] for k, v in consistent_values("2019").items()}
    vals["carried_over"] = ["2", "", "0", "0", "-", "0", "2"]
    r = parse(grid_doc("2019", vals))
    assert r.to_json()["table3"]["carried_over"] == [2, None, 0, 0, None, 0, 2]
    states = [c.state for c in r.table3["carried_over"]]
    assert states[1] == BLANK and states[4] == DASH and states[0] == NUMBER
    assert r.table3["carried_over"][0].raw == "2"


def test_labels_printed_after_their_numbers_are_placed_by_order():
    # hongze-style: some rows' numbers stand on the line before their label
    v = consistent_values("2019")
    lines = []
    for label, k in rows("2019"):
        nums = " ".join(str(x) for x in v[k])
        lines += [nums, label] if k in ("granted", "unable_not_held", "rejected_excessive") else [f"{label} {nums}"]
    r = parse(text_doc(report_lines("2019", t3_lines=lines)))
    assert r.to_json()["table3"] == v
    assert r.meta["table3"]["mode"] == "order"


def test_page_footer_inside_table_is_ignored():
    v = consistent_values("2021")
    lines = [f"{label} " + " ".join(map(str, v[k])) for label, k in rows("2021")]
    lines.insert(10, "- 3 -")
    r = parse(text_doc(report_lines("2021", t3_lines=lines)))
    assert r.to_json()["table3"] == v


def test_one_line_with_cells_run_together():
    # pingtan-style page text: the whole table on one line, no separators, ordinals glued on
    v = consistent_values("2021")
    run = "".join(label + "".join(map(str, v[k])) for label, k in rows("2021"))
    r = parse(text_doc(report_lines("2021", t3_lines=[run])))
    assert r.to_json()["table3"] == v
    assert checks_of(r, "P306")  # said so


def test_ambiguous_run_settled_by_column_identities_is_marked_inferred():
    v = consistent_values("2021")
    v["new_received"] = [22, 0, 0, 0, 0, 3, 25]
    v["carried_over"] = [0] * 7
    v["granted"] = [20, 0, 0, 0, 0, 3, 23]
    v["unable_not_held"] = [2, 0, 0, 0, 0, 0, 2]
    v["total_handled"] = [22, 0, 0, 0, 0, 3, 25]
    v["carried_forward"] = [0] * 7
    run = "".join(label + "".join(map(str, v[k])) for label, k in rows("2021"))
    r = parse(text_doc(report_lines("2021", t3_lines=[run])))
    assert r.to_json()["table3"] == v
    assert r.table3["new_received"][0].state == INFERRED
    # （七）总计 has the same two splits; both settled by the column identities
    assert [f.where for f in checks_of(r, "P304")] == ["table3.new_received", "table3.total_handled"]


def test_unresolvable_run_is_null_and_reported():
    # 2,20 vs 22,0 with no other row to decide: both splits satisfy every identity
    v = consistent_values("2021")
    for k in v:
        v[k] = [0] * 7
    v["new_received"] = [22, 0, 0, 0, 0, 3, 25]
    v["total_handled"] = [22, 0, 0, 0, 0, 3, 25]
    v["granted"] = [22, 0, 0, 0, 0, 3, 25]
    run = "".join(label + "".join(map(str, v[k])) for label, k in rows("2021"))
    r = parse(text_doc(report_lines("2021", t3_lines=[run])))
    out = r.to_json()["table3"]
    assert out["new_received"] == [None] * 7 and out["granted"] == [None] * 7
    assert {f.where for f in checks_of(r, "P305")} == {"table3.new_received", "table3.granted", "table3.total_handled"}


def test_rows_with_lost_cells_stay_null_with_a_finding():
    v = consistent_values("2019")
    lines = [f"{label} " + " ".join(map(str, v[k])) for label, k in rows("2019")]
    lines[4] = "(三)不予公开 1.属于国家秘密 0 0 0 0 0"  # 5 of 7
    lines[2] = "(一)予以公开"  # numbers lost entirely
    lines.insert(3, "(三)不予公开")  # group label alone on a line
    r = parse(text_doc(report_lines("2019", t3_lines=lines)))
    out = r.to_json()["table3"]
    assert out["denied_state_secret"] == [None] * 7 and out["granted"] == [None] * 7
    assert out["new_received"] == v["new_received"]
    where = {f.where: f.check for f in r.findings if f.check.startswith("P30")}
    assert where["table3.denied_state_secret"].startswith("P302")
    assert where["table3.granted"].startswith("P301")


def test_mixed_template_keeps_what_the_report_has():
    # 2021 table 2 headers, 2019 table 3 (one （六）其他处理 row): template 2021, key 'other'
    r = parse(text_doc(report_lines("2019")))
    assert r.template == "2021"
    assert "other" in r.table3 and "other_misc" not in r.table3
    assert checks_of(r, "P104")


def test_typo_in_label_still_matches():
    # 洪泽's "2.其他法律行政止公开"; one other row lost, so rows are placed by their labels
    v = consistent_values("2021")
    v["denied_law_forbidden"] = [1, 0, 0, 0, 0, 0, 1]
    v["granted"] = [9, 1, 0, 0, 0, 0, 10]
    lines = [f"{label} " + " ".join(map(str, v[k])) for label, k in rows("2021") if k != "denied_admin_query"]
    lines = [l.replace("其他法律行政法规禁止公开", "其他法律行政止公开") for l in lines]
    r = parse(text_doc(report_lines("2021", t3_lines=lines)))
    out = r.to_json()["table3"]
    assert r.meta["table3"]["mode"] == "label"
    assert out["denied_law_forbidden"] == [1, 0, 0, 0, 0, 0, 1]
    assert out["denied_admin_query"] == [None] * 7
    assert out["granted"] == v["granted"] and out["carried_forward"] == v["carried_forward"]


def test_not_a_report_is_a_clean_error():
    import pytest

    from pipelines.document import ReadError

    with pytest.raises(ReadError, match="^x.txt: not an annual report"):
        parse(text_doc(["关于做好春节期间安全生产工作的通知", "各单位：", "请认真落实。"], source="x.txt"))


def test_short_row_with_separators_is_not_cut_into_a_wrong_split():
    # tab-separated text lost one cell of "24 1 0 1 0 26": cutting 24 into 2,4 would make 7 cells,
    # a wrong number; the row stays null with a finding instead
    v = consistent_values("2019")
    lines = [f"{label}\t" + "\t".join(map(str, v[k])) for label, k in rows("2019")]
    lines[2] = "(一)予以公开\t\t24\t1\t0\t1\t0\t26"
    r = parse(text_doc(report_lines("2019", t3_lines=lines)))
    assert r.to_json()["table3"]["granted"] == [None] * 7
    assert [f.check[:4] for f in r.findings if f.where == "table3.granted"] == ["P302"]


def test_label_one_character_off_still_names_its_row():
    from pipelines.parse.table3 import match_row

    assert match_row("1.申请人无正当理由谊期不补正、行政机关不再处理") == "other_overdue_correction"  # OCR: 谊 for 逾
    assert match_row("7.属于行政执法案知") == "denied_enforcement_file"
    assert match_row("(三)不予公开") is None  # a group label is no data row
    assert match_row("自然人 法人或其他组织 总计") is None  # nor is the header
