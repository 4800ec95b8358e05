"""Table 2 and the report's metadata: agency, year, template, 信息处理费."""

from __future__ import annotations

import pytest

from pipelines.parse import parse
from pipelines.parse.meta import fees_yuan
from pipelines.parse.segments import FOOTER
from tests.unit.parse.helpers import HEAD, T2_2021, report_lines, text_doc


def test_table2_2021_with_units_converted():
    out = parse(text_doc(report_lines("2021"))).to_json()["table2"]
    assert out["normative_issued"] == 2 and out["normative_in_force"] == 14
    assert out["license_decisions"] == 120 and out["penalty_decisions"] == 33
    assert out["fees_amount_wan"] == 25.1  # 251000元 → 万元


def test_table2_2019_signed_changes_and_notes_in_cells():
    t2 = [
        "第二十条第(一)项",
        "信息内容 本年新制作数量 本年新公开数量 对外公开总数量",
        "规章 22(其中修订16件) 3 235",
        "规范性文件 0 0 9",
        "第二十条第(五)项",
        "信息内容 上一年项目数量 本年增/减 处理决定数量",
        "行政许可 40 +2 1500",
        "其他对外管理服务事项 3 -1 0",
        "第二十条第(八)项",
        "信息内容 上一年项目数量 本年增/减",
        "行政事业性收费 5 0",
        "第二十条第(九)项",
        "信息内容 采购项目数量 采购总金额",
        "政府集中采购 3 9.63211",
    ]
    lines = report_lines("2019")
    i, j = lines.index(T2_2021[0]), lines.index(T2_2021[-1])
    r = parse(text_doc(lines[:i] + t2 + lines[j + 1 :]))
    out = r.to_json()["table2"]
    assert out["rules_made"] == 22 and out["rules_total"] == 235
    assert out["license_change"] == 2 and out["other_service_change"] == -1
    assert out["procurement_amount_wan"] == pytest.approx(9.63211)
    assert r.template == "2019"


@pytest.mark.parametrize(
    "title,agency,year",
    [
        (["平潭综合实验区2021年度政府信息公开工作年度报告"], "平潭综合实验区", 2021),
        (["洪泽区人民政府", "2023 年政府信息公开工作年度报告"], "洪泽区人民政府", 2023),
        (["正文", "2025 年上海市人民政府办公厅政府信息公开", "工作年度报告"], "上海市人民政府办公厅", 2025),
        (
            ["标题: 平潭综合实验区公安局2019年政府信息公开工作年度报告", "发布时间: 2020-01-17"],
            "平潭综合实验区公安局",
            2019,
        ),
    ],
)
def test_agency_and_year_from_title(title, agency, year):
    r = parse(text_doc(title + report_lines("2021")[1:]))
    assert (r.agency, r.year) == (agency, year)


def test_ocr_garbled_region_in_agency_is_corrected_and_said():
    r = parse(text_doc(["沐阳县人民政府2025年政府信息公开工作年度报告"] + report_lines("2021")[1:]))
    assert r.agency == "沭阳县人民政府"
    assert r.region == {"province": "江苏省", "city": "宿迁市", "county": "沭阳县"}
    assert any(f.check.startswith("P105") and f.where == "agency" for f in r.findings)


@pytest.mark.parametrize(
    "text,want",
    [
        ("全年收取政府信息公开信息处理费 3940 元。", 3940.0),
        ("全县行政机关收取信息处理费共计380元，其中民政局1件，收取380元。", 380.0),
        ("2025 年度本机关未收取信息公开处理费。", 0.0),
        ("2021年，无收取信息处理费情况。", 0.0),
        ("无其他需要报告的事项。", None),
    ],
)
def test_fees(text, want):
    assert fees_yuan(text) == want


@pytest.mark.parametrize(
    "line,footer", [("- 4 -", True), ("— 5 —", True), ("第 3 页 共 6 页", True), ("0 0 0", False), ("4", False)]
)
def test_page_footer_pattern(line, footer):
    assert bool(FOOTER.match(line)) is footer


def test_heading_in_prose_of_section_one_is_not_taken_for_a_later_section():
    lines = HEAD[:2] + ["五、加强监督，改进工作方法。"] + report_lines("2021")[3:]
    r = parse(text_doc(lines))
    assert r.to_json()["table3"]["new_received"] == [12, 1, 0, 0, 0, 0, 13]
