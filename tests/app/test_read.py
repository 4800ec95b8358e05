"""The read API's rules: ratios are Σnum/Σden over reports with both known; nulls excluded and counted;
low-n flagged and left out of rankings; report_dash gives the same figures as the join; exports."""

from __future__ import annotations

import io

import duckdb
import polars as pl

from pipelines import read as R


def test_rates_nulls_low_n_and_dash(warehouse, tmp_path):
    con = duckdb.connect(str(warehouse), read_only=True)
    assert R.has_dash(con)
    f = R.Filters(year_from=2021, year_to=2023)
    got = R.aggregate(con, f, ["open_rate_A", "applications", "total_handled"], ("county",), min_cases=50)
    exp = con.execute(
        "SELECT r.county, sum(x.granted + x.partial) FILTER (WHERE x.granted + x.partial IS NOT NULL AND "
        "x.total_handled IS NOT NULL), sum(x.total_handled) FILTER (WHERE x.granted + x.partial IS NOT NULL AND "
        "x.total_handled IS NOT NULL), count(*) FILTER (WHERE x.total_handled IS NULL) "
        "FROM reports r JOIN report_facts x USING (report_id) WHERE r.year BETWEEN 2021 AND 2023 "
        "GROUP BY 1 ORDER BY 1 NULLS FIRST"
    ).fetchall()
    rate = got.filter(pl.col("measure") == "open_rate_A").sort("county", nulls_last=False)
    for row, (county, n, d, _) in zip(rate.iter_rows(named=True), exp):
        assert row["county"] == county and row["numerator"] == n and row["denominator"] == d
        assert row["value"] == (n / d if d else None)
        # 样本不足 only where there is a sample: a blank rate (no denominator) is not a small one
        assert row["low_n"] == (d is not None and 0 < d < 50)
    th = got.filter(pl.col("measure") == "total_handled").sort("county", nulls_last=False)
    assert th["n_null"].to_list() == [e[3] for e in exp]
    # blank cells are excluded and counted, never summed as 0
    nulls = R.aggregate(con, R.Filters(), ["partial", "open_rate_A"])
    n_blank, s = con.execute(
        "SELECT count(*) FILTER (WHERE partial IS NULL), sum(partial) FROM report_facts"
    ).fetchone()
    assert n_blank > 0, "the demo corpus has blank cells"
    assert nulls.filter(pl.col("measure") == "partial")["n_null"][0] == n_blank
    assert nulls.filter(pl.col("measure") == "partial")["value"][0] == s
    assert nulls.filter(pl.col("measure") == "open_rate_A")["n_null"][0] >= n_blank
    ranked, low = R.ranking(con, f, "open_rate_A", "county", min_cases=50, limit=None)
    assert not ranked["low_n"].any() and set(low["county"].to_list()).isdisjoint(ranked["county"].to_list())
    assert ranked["value"].to_list() == sorted(ranked["value"].to_list(), reverse=True)
    con.close()

    # a copy without report_dash answers the same through the join
    plain = tmp_path / "plain.duckdb"
    c2 = duckdb.connect(str(plain))
    c2.execute(f"ATTACH '{warehouse}' AS src (READ_ONLY)")
    for tname in ("reports", "report_facts", "corrections"):
        c2.execute(f"CREATE TABLE {tname} AS SELECT * FROM src.{tname}")
    c2.execute("DETACH src")
    assert not R.has_dash(c2)
    got2 = R.aggregate(c2, f, ["open_rate_A", "applications", "total_handled"], ("county",), min_cases=50)
    key = ["county", "measure"]
    assert got2.sort(key, nulls_last=False).equals(got.sort(key, nulls_last=False))
    c2.close()


def test_sql_values_are_bound_not_formatted(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    evil = "x' OR 1=1 --"
    assert R.report_count(con, R.Filters(counties=(evil,))) == 0
    assert R.search_agencies(con, R.Filters(), evil).is_empty()
    con.close()


def test_workbook_sheets(warehouse):
    import openpyxl

    from app_pages import _export

    con = duckdb.connect(str(warehouse), read_only=True)
    long = R.compare(con, R.Filters(), "county", [], (2022,), ["applications", "open_rate_B"])
    table = R.compare_table(long)
    data = _export.xlsx_bytes(
        {"data": table, "definitions": R.definitions(["applications", "open_rate_B"])}, {"view": "?y=2022"}
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["说明", "data", "definitions"]
    assert wb["data"].max_row == table.height + 1
    assert "口径B" in wb["definitions"]["E3"].value
    con.close()


def test_dispute_outcomes_capitalised_in_english(warehouse):
    """The outcomes label the 复议诉讼 table's columns and its chart's legend: "Upheld" beside "Review", not
    "upheld" (issue 17: English labels standing on their own start with a capital); Chinese as the template."""
    con = duckdb.connect(str(warehouse), read_only=True)
    en = R.disputes(con, R.Filters(), (), "en")
    zh = R.disputes(con, R.Filters(), (), "zh")
    con.close()
    assert set(en["outcome_label"]) == {"Upheld", "Corrected", "Other result", "Pending", "Total"}
    assert set(zh["outcome_label"]) == {"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}
    assert set(en["proceeding_label"]) == {"Review", "Direct suit", "Suit after review"}
