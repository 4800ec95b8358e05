"""The default view never mixes the synthetic demo with real data: with a real dataset loaded, 全部 means the
real datasets and no page carries the 演示数据（合成） badge; choosing demo shows it, badged."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import assert_ok, run_page

BADGE = "演示数据（合成）"


@pytest.fixture()
def mixed(warehouse, tmp_path, monkeypatch):
    p = tmp_path / "mixed.duckdb"
    shutil.copy(warehouse, p)
    con = duckdb.connect(str(p))
    con.execute(
        "UPDATE reports SET dataset = 'real' WHERE report_id IN "
        "(SELECT report_id FROM reports WHERE year = (SELECT max(year) FROM reports) ORDER BY report_id LIMIT 7)"
    )
    from pipelines.warehouse.aggregates import refresh_aggregates

    refresh_aggregates(con)
    con.execute("CHECKPOINT")
    con.close()
    monkeypatch.setenv("XXGK_DB", str(p))
    return p


def _reports_card(at) -> str:
    return next(m.value for m in at.metric if m.label == "报告数")


def _badged(at) -> bool:
    return any(BADGE in m.value for m in at.markdown)


@pytest.mark.parametrize("page", ["overview", "disputes", "compare", "quality"])
def test_default_is_real_data_without_badge(mixed, page):
    at = run_page(page if page != "overview" else None)
    assert_ok(at)
    assert not _badged(at), f"{page}: badge on real data"
    assert at.multiselect(key="ds").value == [] and "不含合成演示数据" in at.multiselect(key="ds").placeholder


def test_default_counts_real_only_and_demo_when_chosen(mixed):
    at = run_page()
    assert_ok(at)
    assert _reports_card(at) == "7", "the latest year's cards count the 7 real reports only"
    con = duckdb.connect(str(mixed), read_only=True)
    n_demo = con.execute(
        "SELECT count(*) FROM reports WHERE dataset = 'demo' AND year = (SELECT max(year) FROM reports)"
    ).fetchone()[0]
    con.close()
    at = run_page(ds=["demo"])
    assert_ok(at)
    assert _badged(at)
    assert _reports_card(at).replace(",", "") == str(n_demo)
    at = run_page(ds=["demo", "real"])
    assert _badged(at) and _reports_card(at).replace(",", "") == str(n_demo + 7)


def test_report_page_badge_follows_the_report(mixed):
    con = duckdb.connect(str(mixed), read_only=True)
    real = con.execute("SELECT report_id FROM reports WHERE dataset = 'real' ORDER BY 1 LIMIT 1").fetchone()[0]
    demo = con.execute("SELECT report_id FROM reports WHERE dataset = 'demo' ORDER BY 1 LIMIT 1").fetchone()[0]
    con.close()
    at = run_page("report", report=real, ds=["demo", "real"])
    assert_ok(at)
    assert not _badged(at), "a real report is never badged synthetic"
    at = run_page("report", report=demo)
    assert_ok(at)
    assert _badged(at), "a synthetic report is badged even in the real-data default view"
