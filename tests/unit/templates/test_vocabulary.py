"""The template vocabulary lives in data (pipelines/templates/*.yaml) read by one module: no other Python file
spells a row key, and what the module derives from the data is what the template says (spec/template.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines import templates as T

ROOT = Path(__file__).resolve().parents[3]
# row keys named in the issue: each must appear in at most one non-test .py file (here: none)
KEYS = ("denied_three_safety", "other_overdue_fee", "rejected_excessive", "suit_after_review", "unable_need_create")


def _sources() -> list[Path]:
    out = [ROOT / "app.py"]
    for d in ("pipelines", "app_pages", "bench", "scripts"):
        out += sorted((ROOT / d).rglob("*.py"))
    return [p for p in out if p.is_file()]


@pytest.mark.parametrize("key", KEYS)
def test_row_key_spelled_in_at_most_one_python_file(key):
    files = [str(p.relative_to(ROOT)) for p in _sources() if re.search(rf"\b{key}", p.read_text(encoding="utf-8"))]
    assert len(files) <= 1, f"{key} spelled in {files}: read it from pipelines.templates"
    assert files == [], f"{key} spelled in {files}"


def test_every_key_is_in_the_data():
    data = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "pipelines" / "templates").glob("*.yaml"))
    for key in KEYS:
        assert key in data


def test_rows_and_versions_as_in_the_spec():
    assert len(T.get("2019").table3_keys) == 23 and len(T.get("2021").table3_keys) == 25
    assert T.version_only_rows("2019") == ("other",)
    assert T.version_only_rows("2021") == ("other_overdue_correction", "other_overdue_fee", "other_misc")
    assert T.merged_parts("other") == T.version_only_rows("2021")
    assert T.FLOW_ROWS == ("new_received", "carried_over", "total_handled", "carried_forward")
    assert (T.FIRST_ROW, T.CARRIED_OVER_ROW, T.TOTAL_ROW, T.CARRIED_FORWARD_ROW) == T.FLOW_ROWS
    assert len(T.group_rows("denied")) == 8 and len(T.group_rows("unable")) == 3 and len(T.group_rows("rejected")) == 5
    assert T.ROW["denied_three_safety"].label == "3.危及“三安全一稳定”"
    assert T.page_label("denied_state_secret") == "（三）不予公开 1.属于国家秘密"
    assert T.page_label("unable_need_create") == "2.没有现成信息需要另行制作"
    assert T.page_label("other_overdue_correction") == "（六）其他处理 1.申请人逾期不补正"
    with pytest.raises(KeyError):
        T.group_rows("nonsense")


def test_table4_and_row_shapes():
    assert len(T.TABLE4_KEYS) == 15 and T.TABLE4_KEYS[10] == "suit_after_review_upheld"
    assert T.TABLE4_SUMS == (((0, 1, 2, 3), 4), ((5, 6, 7, 8), 9), ((10, 11, 12, 13), 14))
    assert T.TABLE3_ROW_SUM == ((0, 1, 2, 3, 4, 5), 6)
    assert T.TABLE4_GROUP["suit_after_review"].long == "行政诉讼（复议后起诉）"


def test_facts_and_measures_follow_the_data():
    assert T.FACT_COLUMNS[:3] == ("new_received", "carried_over", "new_natural_person")
    assert "other_total" in T.FACT_COLUMNS and "other" not in T.FACT_COLUMNS
    assert T.FACT_COLUMNS[-15:] == T.TABLE4_KEYS
    specs = {m["key"]: m for m in T.measure_specs()}
    assert specs["rejected"]["num"] == (
        "(x.rejected_petition + x.rejected_duplicate + x.rejected_publication + x.rejected_excessive"
        " + x.rejected_confirm)"
    )
    assert specs["unable_need_create"]["zh"] == "无法提供·需另行制作"
    assert specs["suit_after_review_corrected"]["basis_zh"] == "表四 复议后起诉 结果纠正"
    assert "review_total" not in specs  # = reviews
    assert len(specs) == 57
