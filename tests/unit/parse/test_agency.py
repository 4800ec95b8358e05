"""Agency names from each source of evidence, and the traps real reports set (issue 14)."""

from __future__ import annotations

import pytest

from pipelines.document import Document, TextBlock, normalize_text
from pipelines.parse import parse
from pipelines.parse.agency import clean
from tests.unit.parse.helpers import report_lines

BODY = report_lines("2021")[1:]  # everything after the title line
TITLE = "东川省商务厅2023年政府信息公开工作年度报告"


def doc(lines: list[str], *, title: str | None = None, fmt: str = "txt") -> Document:
    d = Document(source="a." + fmt, format=fmt, blocks=[TextBlock(normalize_text(x)) for x in lines])
    if title:
        d.meta["title"] = title
    return d


def agency_findings(r) -> dict[str, str]:
    return {f.check.split()[0]: f.severity for f in r.findings if f.where == "agency"}


def with_first_sentence(sentence: str) -> list[str]:
    i = BODY.index("一、总体情况")
    return BODY[: i + 1] + [sentence] + BODY[i + 2 :]


# --- each source of evidence ----------------------------------------------------------------------


def test_from_the_title() -> None:
    r = parse(doc([TITLE, *BODY]))
    assert r.agency == "东川省商务厅" and r.year == 2023
    assert "P111" not in agency_findings(r) and "P102" not in agency_findings(r)


@pytest.mark.parametrize(
    "tail",
    [
        ["东川省商务厅", "2024年1月22日"],
        ["东川省商务厅 2024年1月22日"],
        ["东川省商务厅", "（2024年1月22日）"],
        ["东川省商务厅", "2024 年 1 月 22 日", "- 5 -"],
    ],
    ids=["two lines", "one line", "date in brackets", "page number after"],
)
def test_from_the_signature_block(tail: list[str]) -> None:
    r = parse(doc(["政府信息公开工作年度报告", *BODY, *tail]))
    assert r.agency == "东川省商务厅"
    assert agency_findings(r)["P111"] == "info"


def test_from_the_signature_under_the_title() -> None:
    r = parse(doc(["2023年政府信息公开工作年度报告", "东川省商务厅", "(2024年1月23日)", *BODY]))
    assert r.agency == "东川省商务厅"


def test_from_an_attachment_line_at_the_top() -> None:
    # at the top it reads as the title too: one name, no finding
    r = parse(doc(["附件：东川省商务厅2023年政府信息公开工作年度报告", *BODY]))
    assert r.agency == "东川省商务厅" and r.year == 2023
    assert "P109" not in agency_findings(r)


def test_from_an_attachment_line_at_the_end() -> None:
    r = parse(doc(["政府信息公开工作年度报告", *BODY, "附件：东川省商务厅2023年政府信息公开工作年度报告.pdf"]))
    assert r.agency == "东川省商务厅"
    assert "attachment line" in next(f.message for f in r.findings if f.check.startswith("P111"))


@pytest.mark.parametrize(
    "sentence",
    [
        "2023年，东川省商务厅认真贯彻落实《条例》，推进政务公开。",
        "东川省商务厅坚持以习近平新时代中国特色社会主义思想为指导，扎实推进政务公开。",
        "2023年度，东川省商务厅紧紧围绕中心工作。",
    ],
)
def test_from_the_first_sentence_of_section_one(sentence: str) -> None:
    r = parse(doc(["政府信息公开工作年度报告", *with_first_sentence(sentence)]))
    assert r.agency == "东川省商务厅"
    assert agency_findings(r)["P111"] == "info"


def test_from_the_html_page_title() -> None:
    r = parse(doc(["政府信息公开工作年度报告", *BODY], title=TITLE + "_政务公开_东川省人民政府", fmt="html"))
    assert r.agency == "东川省商务厅" and r.year == 2023
    assert "page title" in next(f.message for f in r.findings if f.check.startswith("P111"))


def test_title_outranks_the_other_sources_and_agreeing_ones_raise_nothing() -> None:
    r = parse(doc([TITLE, *with_first_sentence("2023年，东川省商务厅认真贯彻落实。"), "东川省商务厅", "2024年1月22日"]))
    assert r.agency == "东川省商务厅"
    assert not {"P108", "P109", "P110", "P111", "P112", "P113"} & set(agency_findings(r))


# --- traps ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed,name",
    [
        ("我厅编写了东川省商务厅", "东川省商务厅"),
        ("发布东川省商务厅", "东川省商务厅"),
        ("关于东川省商务厅", "东川省商务厅"),
        ("关于印发东川省商务厅", "东川省商务厅"),
        ("我厅编写了", None),
        ("本机关", None),
        ("我局", None),
        ("人民政府", None),
        ("东川省文化和旅游厅（原东川省文化厅）", "东川省文化和旅游厅"),
        ("东川省文化厅（现东川省文化和旅游厅）", "东川省文化和旅游厅"),
    ],
)
def test_words_that_are_no_part_of_a_name_are_stripped(printed: str, name: str | None) -> None:
    assert clean(printed) == name


def test_pronoun_and_verb_before_the_title_never_become_the_agency() -> None:
    # "我厅编写了2023年…年度报告": no name in the title; the signature names the agency
    r = parse(doc(["我厅编写了2023年政府信息公开工作年度报告", *BODY, "东川省商务厅", "2024年1月22日"]))
    assert r.agency == "东川省商务厅" and r.year == 2023
    assert agency_findings(r)["P111"] == "info"


def test_verb_stripped_from_the_title_confirmed_elsewhere_is_info() -> None:
    r = parse(doc(["发布东川省商务厅2023年政府信息公开工作年度报告", *BODY, "东川省商务厅", "2024年1月22日"]))
    assert r.agency == "东川省商务厅"
    assert agency_findings(r)["P110"] == "info"


def test_verb_stripped_from_the_title_and_nothing_confirms_it_is_a_warning() -> None:
    r = parse(doc(["发布东川省商务厅2023年政府信息公开工作年度报告", *BODY]))
    assert r.agency == "东川省商务厅"
    assert agency_findings(r)["P113"] == "warning" and "P110" not in agency_findings(r)


def test_partial_name_is_kept_with_a_warning_when_nothing_fuller_exists() -> None:
    r = parse(doc(["省工业和信息化厅2023年政府信息公开工作年度报告", *BODY]))
    assert r.agency == "省工业和信息化厅"
    assert agency_findings(r)["P108"] == "warning"


def test_partial_name_in_the_title_takes_the_fuller_one_from_the_signature() -> None:
    lines = ["省工业和信息化厅2023年政府信息公开工作年度报告", *BODY, "江苏省工业和信息化厅", "2024年1月22日"]
    r = parse(doc(lines))
    assert r.agency == "江苏省工业和信息化厅"
    assert r.region["province"] == "江苏省"
    assert agency_findings(r)["P112"] == "info" and "P108" not in agency_findings(r)


def test_current_name_preferred_over_the_former_one_in_the_signature() -> None:
    for tail in (
        ["江苏省文化和旅游厅（原江苏省文化厅）", "2024年1月22日"],
        ["江苏省文化和旅游厅", "（原江苏省文化厅）", "2024年1月22日"],
        ["江苏省文化厅（现江苏省文化和旅游厅）", "2024年1月22日"],
    ):
        r = parse(doc(["政府信息公开工作年度报告", *BODY, *tail]))
        assert r.agency == "江苏省文化和旅游厅", tail


def test_candidates_that_disagree_are_a_warning() -> None:
    r = parse(doc([TITLE, *BODY, "东川省财政厅", "2024年1月22日"]))
    assert r.agency == "东川省商务厅"  # the title, the strongest evidence
    assert agency_findings(r)["P109"] == "warning"
    assert "东川省财政厅" in next(f.message for f in r.findings if f.check.startswith("P109"))


def test_same_agency_with_more_of_its_region_spelled_out_agrees() -> None:
    lines = ["洪泽区人民政府2023年政府信息公开工作年度报告", *BODY, "淮安市洪泽区人民政府", "2024年1月22日"]
    r = parse(doc(lines))
    assert r.agency == "洪泽区人民政府" and "P109" not in agency_findings(r)


def test_no_evidence_at_all_is_a_warning() -> None:
    r = parse(doc(["政府信息公开工作年度报告", *BODY]))
    assert r.agency is None and agency_findings(r)["P102"] == "warning"


def test_fictional_region_one_character_from_a_real_one_is_not_corrected() -> None:
    # 东川省 is no misprint of 四川省 (东/四 is no OCR confusion); 沐阳县 → 沭阳县 is
    r = parse(doc(["东川省商务厅2023年政府信息公开工作年度报告", *BODY]))
    assert r.agency == "东川省商务厅" and "P105" not in agency_findings(r)
    r = parse(doc(["沐阳县人民政府2025年政府信息公开工作年度报告", *BODY]))
    assert r.agency == "沭阳县人民政府" and agency_findings(r)["P105"] == "info"
