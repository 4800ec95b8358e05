"""Report-level checks: each rule with a report built to fail and one that passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xxgk_checks_helpers import make_report, row

from pipelines import checks
from pipelines.checks.evaluator import FormulaError, evaluate, parse_formula
from pipelines.report import CellValue


def failing(report, rule_id=None):
    return [f for f in report.findings if f.severity != "info" and (rule_id is None or f.check.startswith(rule_id))]


def infos(report, rule_id):
    return [f for f in report.findings if f.severity == "info" and f.check.startswith(rule_id)]


def test_catalogue_loads_with_every_template_identity():
    ids = {r.id for r in checks.catalogue()}
    assert {"C301", "C302", "C303", "C311", "C321", "C331", "C332", "C401", "C402", "C403"} <= ids
    for r in checks.catalogue():
        assert r.scope in ("report", "cross-year", "corpus")
        assert r.title_zh and r.title_en and r.not_assessable_zh and r.not_assessable_en
    assert checks.rule("C301").check == "C301 table3_balance"


def test_clean_report_passes_everything(balanced_2021):
    results = checks.run(balanced_2021)
    assert balanced_2021.findings == []
    assert {r.status for r in results} == {"pass"}
    # 7 columns × 2 column rules + 25 rows + 3 table-4 groups + 2 template rules
    assert sum(r.rule.id == "C303" for r in results) == 25


def test_c301_balance_fails_with_numbers(balanced_2021):
    balanced_2021.table3["total_handled"] = row(20, 1, 0, 0, 0, 0)  # one natural person lost
    balanced_2021.table3["granted"] = row(18, 1, 0, 0, 0, 0)
    checks.run(balanced_2021)
    f = failing(balanced_2021, "C301")
    assert [x.where for x in f] == ["table3.total_handled.natural_person", "table3.total_handled.total"]
    assert f[0].check == "C301 table3_balance" and f[0].severity == "error"
    assert f[0].message.startswith("新收 20 + 结转 2 ≠ 办理 20 + 结转下年 1 (自然人)")
    assert failing(balanced_2021, "C302") == [] and failing(balanced_2021, "C303") == []


def test_c301_null_operand_is_not_assessable_not_failure(balanced_2021):
    balanced_2021.table3["carried_over"] = row(2, None, 0, 0, 0, 0, total=2)
    checks.run(balanced_2021)
    assert failing(balanced_2021) == []
    (info,) = infos(balanced_2021, "C301")
    assert info.where == "table3.total_handled.commercial" and "商业企业" in info.message
    assert "1 of 7" in info.message
    (row_info,) = infos(balanced_2021, "C303")  # the row with the blank is not assessable either
    assert "carried_over" in row_info.message


def test_c302_outcomes_sum(balanced_2021):
    balanced_2021.table3["partial"] = row(0, 0, 0, 0, 0, 3)  # 3 extra in 其他
    checks.run(balanced_2021)
    f = failing(balanced_2021, "C302")
    assert [x.where for x in f] == ["table3.total_handled.other_org", "table3.total_handled.total"]
    assert "办理总计 0 ≠ 各办理结果之和 3 (其他)" in f[0].message
    assert "办理总计 22 ≠ 各办理结果之和 25 (总计)" in f[1].message


def test_c302_uses_the_rows_the_report_has_2019_and_mixed():
    # 2019 layout: one `other` row counts among the outcomes
    r = make_report(
        year=2020,
        template="2019",
        rows={
            "new_received": row(5, 0, 0, 0, 0, 0),
            "granted": row(3, 0, 0, 0, 0, 0),
            "other": row(2, 0, 0, 0, 0, 0),
            "total_handled": row(5, 0, 0, 0, 0, 0),
        },
    )
    checks.run(r)
    assert failing(r) == []
    # mixed report (2021 year, 2021 table 2, but table 3 with the single `other` row, like 洪泽区 2023)
    r2 = make_report(
        year=2023,
        template="2021",
        rows={
            "new_received": row(5, 0, 0, 0, 0, 0),
            "granted": row(3, 0, 0, 0, 0, 0),
            "total_handled": row(5, 0, 0, 0, 0, 0),
        },
    )
    for k in ("other_overdue_correction", "other_overdue_fee", "other_misc"):
        del r2.table3[k]
    r2.table3["other"] = row(2, 0, 0, 0, 0, 0)
    checks.run(r2)
    assert failing(r2) == []
    r2.table3["other"] = row(1, 0, 0, 0, 0, 0)
    r2.findings.clear()
    checks.run(r2)
    assert [f.where for f in failing(r2, "C302")] == [
        "table3.total_handled.natural_person",
        "table3.total_handled.total",
    ]


def test_c303_row_total(balanced_2021):
    balanced_2021.table3["granted"] = row(19, 1, 0, 0, 0, 0, total=21)
    checks.run(balanced_2021)
    f = failing(balanced_2021, "C303")
    assert [x.where for x in f] == ["table3.granted.total"]
    assert f[0].message.startswith("granted: 总计 21 ≠ 各类申请人之和 20")
    # the same wrong total also breaks the 总计 column of C302
    assert [x.where for x in failing(balanced_2021, "C302")] == ["table3.total_handled.total"]


def test_c311_table4_groups():
    ok = make_report(table4=[1, 2, 0, 1, 4, 0, 0, 0, 0, 0, 3, 0, 1, 0, 4])
    checks.run(ok)
    assert failing(ok) == []
    # 洪泽区 2023 as printed: 维持 10, 纠正 1, 总计 0; 复议后起诉 维持 5, 总计 0
    bad = make_report(table4=[10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0])
    checks.run(bad)
    f = failing(bad, "C311")
    assert [x.where for x in f] == ["table4.review_total", "table4.suit_after_review_total"]
    assert f[0].message.startswith("行政复议: 总计 0 ≠ 维持+纠正+其他+尚未审结 11")


def test_c311_null_cell_not_assessable():
    r = make_report(table4=[None, 0, 0, 0, 3] + [0] * 10)
    checks.run(r)
    assert failing(r) == []
    (info,) = infos(r, "C311")
    assert info.where == "table4.review_total" and "行政复议" in info.message


def test_template_lag_and_ahead():
    lag = make_report(year=2021, template="2019")
    checks.run(lag)
    (f,) = failing(lag)
    assert (f.check, f.severity, f.where) == ("C321 template_lag", "warning", "year")
    assert "2021年度报告使用 2019 版表格，应为 2021 版" in f.message
    ahead = make_report(year=2020, template="2021")
    checks.run(ahead)
    assert [x.check for x in failing(ahead)] == ["C322 template_ahead"]
    for ok in (
        make_report(year=2020, template="2019"),
        make_report(year=2024, template="2021"),
        make_report(year=None, template="2021"),
        make_report(year=2022, template="nonstandard"),
    ):
        checks.run(ok)
        assert failing(ok) == [], ok.year


def test_prose_applications(balanced_2021):
    # new 21, carried over 2: either figure as stated in prose is accepted
    for text in ("2021年，我局共收到政府信息公开申请21件。", "本年度共收到23件申请，办结22件。", "没有提到数字。"):
        r = make_report(rows=balanced_2021.table3, text=text)
        checks.run(r)
        assert failing(r) == [], text
    r = make_report(
        rows=balanced_2021.table3, text="2021年，区政府办代表区政府受理政府\n信息公开申请 17 件，均已答复。"
    )
    checks.run(r)
    (f,) = failing(r)
    assert (f.check, f.severity, f.where) == ("C331 prose_applications", "warning", "table3.new_received.total")
    assert "正文称收到申请 17 件" in f.message and "表三新收总计 21 件" in f.message
    # the table row itself ("申请数量 21 0 0 …") is not a prose statement
    r = make_report(rows=balanced_2021.table3, text="一、本年新收政府信息公开申请数量 17 0 0 0 0 0 17")
    checks.run(r)
    assert failing(r) == []


def test_prose_review():
    t4 = [25, 3, 8, 0, 36, 3, 3, 0, 0, 6, 3, 0, 0, 0, 3]
    r = make_report(table4=t4, text="全年办理因政府信息公开申请引发的行政复议36起，行政诉讼9起。")
    checks.run(r)
    assert failing(r) == []
    r = make_report(table4=t4, text="全年发生行政复议案件 30 件。")
    checks.run(r)
    (f,) = failing(r)
    assert f.check == "C332 prose_review" and f.where == "table4.review_total"
    assert "正文称行政复议 30 件" in f.message and "表四行政复议总计 36" in f.message


def test_evaluator_refuses_code_and_handles_nulls():
    with pytest.raises(FormulaError):
        parse_formula("__import__('os').system('x') == 1")
    with pytest.raises(FormulaError):
        parse_formula("table3[a][b] + 1")
    inst = evaluate("t[a] == t[b] + t[c]", {"t": {"a": 3, "b": 1, "c": None}}, {})
    assert inst[0].lhs == 3 and inst[0].rhs is None and not inst[0].assessable
    inst = evaluate(
        "t[k + '_x'] == sum(t[j] for j in s) for k in ks",
        {"t": {"a_x": 3, "b_x": 1, "p": 1, "q": 2}},
        {"ks": ["a", "b"], "s": ["p", "q"]},
    )
    assert [(i.bindings["k"], i.passed(0)) for i in inst] == [("a", True), ("b", False)]


REAL = Path("/work/shared/real-reports")


def _truth_report(name):
    d = json.loads((REAL / f"{name}.truth.json").read_text(encoding="utf-8"))
    r = make_report(year=d["year"], template=d["template"])
    r.table3 = {
        k: [CellValue(v, state="number" if v is not None else "blank") for v in cells]
        for k, cells in d["table3"].items()
    }
    r.table4 = [CellValue(v) for v in d["table4"]]
    return r


@pytest.mark.skipif(not REAL.is_dir(), reason="real reports not available")
@pytest.mark.parametrize(
    "name,expected",
    [
        ("pingtan-police-2021", ["C301@table3.total_handled.natural_person", "C301@table3.total_handled.total"]),
        ("pingtan-zone-2020", ["C302@table3.total_handled.natural_person", "C302@table3.total_handled.total"]),
        ("hongze-district-government-2023", ["C311@table4.review_total", "C311@table4.suit_after_review_total"]),
        ("huaian-city-government-2024", []),
        ("shuyang-county-government-2025", []),
        ("pingtan-zone-2025", []),
        ("pingtan-police-2019", []),
    ],
)
def test_real_truths_flag_exactly_the_source_inconsistencies(name, expected):
    r = _truth_report(name)
    checks.run(r)
    assert [f"{f.check[:4]}@{f.where}" for f in failing(r)] == expected
