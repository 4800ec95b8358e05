"""The checks page in English speaks the template's terms (issue 17, s6 defect 4): no "operand" nor "null"
(the catalogue's wording, a programmer's), every rule's not-assessable sentence a sentence; the Chinese
page unchanged."""

from __future__ import annotations

import re

from pipelines import quality
from pipelines.i18n import t


def test_checks_page_english_has_no_operand_or_null():
    from app_pages.checks import view

    en = view("en")
    intro = t("chk_intro", "en")
    texts = [intro, *en["Not assessable"].to_list()]
    for s in texts:
        assert not re.search(r"\boperands?\b|\bnull\b", s, re.I), s
        assert s[0].isupper(), s
    assert "blank" in intro and "not assessable" in intro
    cat = quality.catalogue_frame()
    c401 = dict(zip(cat["id"].to_list(), cat["not_assessable_en"].to_list()))["C401"]
    assert c401 == (
        "Not assessable when last year's report is missing, or when this year's carried over or last year's "
        "carried forward (table 3) is blank"
    )
    # the Chinese page keeps its sentences
    zh = dict(zip(cat["id"].to_list(), cat["not_assessable_zh"].to_list()))
    assert zh["C401"] == "上一年度报告缺失，或任一运算项为空时不可评估"
    assert t("chk_intro", "zh").startswith("每份报告都按以下规则检查。")
