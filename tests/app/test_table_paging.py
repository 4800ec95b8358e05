"""A long table shows one page of rows (XXGK_TABLE_ROWS) with a page number under it; its export has every
row, the page's rows among them in the same order; another page number shows the next rows."""

from __future__ import annotations

import polars as pl
from conftest import assert_ok, run_page
from test_exports import rows_of, shown_tables

PER = 2


def _yoy_table(at):
    (v,) = [v for v in shown_tables(at) if "链接" in v.columns and any("申请" in c for c in v.columns)]
    return v


def test_a_long_table_is_paged_and_its_export_has_every_row(db, sql, monkeypatch):
    monkeypatch.setenv("XXGK_TABLE_ROWS", str(PER))
    at = run_page("applications", by="county")
    assert_ok(at)
    first = _yoy_table(at)
    assert len(first) == PER
    ex = at.session_state["_exports"]["app_yoy"]
    assert callable(ex["frame"])  # printed when the export is asked for, not on every run
    whole = ex["frame"]()
    latest = sql.execute("SELECT max(year) FROM reports").fetchone()[0]
    n_counties = sql.execute(
        "SELECT count(*) FROM (SELECT DISTINCT county FROM reports WHERE year = ?)",
        [latest],  # city level too
    ).fetchone()[0]
    assert whole.height == n_counties > PER
    assert rows_of(whole.head(PER).drop("链接")) == rows_of(first.drop(columns=["链接"]))
    # the page number under the table, and what it shows
    (pg,) = [n for n in at.number_input if n.key == "app_yoy_pg"]
    assert pg.value == 1 and pg.max == -(-n_counties // PER)
    assert any(f"共 {n_counties:,} 行" in c.value for c in at.caption)
    pg.set_value(2).run()
    assert_ok(at)
    second = _yoy_table(at)
    assert rows_of(second.drop(columns=["链接"])) == rows_of(whole.slice(PER, PER).drop("链接"))


def test_a_short_table_is_not_paged(db):
    at = run_page("applications", by="county")
    assert_ok(at)
    assert not [n for n in at.number_input if n.key == "app_yoy_pg"]
    assert isinstance(at.session_state["_exports"]["app_yoy"]["frame"], pl.DataFrame)


def test_the_findings_list_makes_only_its_page_and_the_export_every_row(db, sql, monkeypatch):
    """数据质量: the findings' labels, links and messages are made for the page shown; the export makes them for
    every finding, the page's rows among them as shown."""
    monkeypatch.setenv("XXGK_TABLE_ROWS", str(PER))
    at = run_page("quality", ds="demo")
    assert_ok(at)
    (page,) = [v for v in shown_tables(at) if "说明" in v.columns]
    assert len(page) == PER
    whole = at.session_state["_exports"]["q_findings"]["frame"]()
    n = sql.execute("SELECT count(*) FROM findings WHERE severity IN ('error', 'warning')").fetchone()[0]
    assert whole.height == n > PER
    assert whole["说明"].null_count() == 0 and whole["说明"].str.contains("[\u4e00-\u9fff]").all()
    assert rows_of(whole.head(PER).drop("链接")) == rows_of(page.drop(columns=["链接"]))
