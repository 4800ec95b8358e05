"""The 数据质量 and 检查规则 pages on a small fixture warehouse (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from xxgk_checks_helpers import make_report, row

from pipelines.checks import run
from pipelines.warehouse.db import open_writer
from pipelines.warehouse.load import load_report
from pipelines.warehouse.writer import write_crossyear as run_crossyear
from tests.tables import shown_tables

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def db(tmp_path, monkeypatch):
    p = tmp_path / "w.duckdb"
    good = make_report(year=2022, agency="西工区商务局")
    bad = make_report(year=2024, agency="西工区商务局", rows={"granted": row(1, 0, 0, 0, 0, 0)})  # C302 ×2
    evil = make_report(year=2024, agency="<script>alert</script>局")
    for i, r in enumerate((good, bad, evil)):
        r.sha256 = str(i) * 64
        run(r)
    with open_writer(p) as w:
        for r in (good, bad, evil):
            load_report(w.con, r, dataset="test", source_path=r.sha256[:3], sha256=r.sha256)
        run_crossyear(w.con)
    monkeypatch.setenv("XXGK_DB", str(p))
    monkeypatch.chdir(ROOT)
    return p


def test_quality_page(db):
    at = AppTest.from_file(str(ROOT / "app_pages" / "quality.py"), default_timeout=30).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "数据质量"
    df = shown_tables(at)[0].value
    rows = {r["机关"]: r for r in df.to_dict("records")}
    xg = rows["西工区商务局"]
    # a year's cell is its count of failing checks (one click on it opens the report: tests/e2e)
    assert xg["2022"] == "✓"
    assert xg["2023"] == "—"  # no report, and C403 flags the gap on 2024
    assert xg["2024"] == "2"  # C302 (natural_person + total), C403
    assert rows["<script>alert</script>局"]["2022"] == "—"  # shown as text, never as HTML
    csv = at.get("download_button")[0]
    assert csv is not None
    # only C302, errors only
    at.multiselect(key="q_checks").set_value(["C302 table3_outcomes_sum"]).run()
    df = shown_tables(at)[0].value
    assert {r["机关"]: r["2024"] for r in df.to_dict("records")}["西工区商务局"] == "1"


def test_checks_page(db):
    """The same columns in both languages; each formula names the template's rows and columns (template data),
    never a raw key."""
    from pipelines import templates

    at = AppTest.from_file(str(ROOT / "app_pages" / "checks.py"), default_timeout=30).run()
    assert not at.exception, at.exception
    df = at.table[0].value.reset_index()
    assert df["编号"].tolist()[:3] == ["C301", "C302", "C303"]
    assert df["检查"].tolist()[0].startswith("表三收支平衡")  # the title, from catalogue.yaml
    assert list(df.columns) == ["编号", "检查", "范围", "公式", "容差", "严重程度", "不可评估"]
    zh = df["公式"].tolist()
    row = templates.ROW
    assert zh[0] == (
        f"表三（{row['new_received'].zh}，c） + 表三（{row['carried_over'].zh}，c） = "
        f"表三（{row['total_handled'].zh}，c） + 表三（{row['carried_forward'].zh}，c）（c ∈ 各列）"
    )
    assert not any("table" in f or "_" in f for f in zh), zh  # no machine key in the Chinese UI
    at.session_state["lang"] = "en"
    at.run()
    assert at.title[0].value == "Checks"
    en = at.table[0].value.reset_index()
    assert list(en.columns) == ["Code", "Check", "Scope", "Formula", "Tolerance", "Severity", "Not assessable"]
    # a formula is a cell of its own: capitalised (i18n.cell), the tables named inside it stay lower case
    assert en["Formula"].tolist()[0].startswith(f"Table 3 ({row['new_received'].en}, c) + table 3 (")
    assert set(en["Scope"]) <= {"One report", "Across years", "Whole warehouse"}
    assert set(en["Severity"]) <= {"Error", "Warning", "Info"}
    assert not any("[" in f or "_" in f for f in en["Formula"].tolist())  # table3[new_received] is no label
