"""report_agg / report_dash give exactly the frames of the base join, for every read function and several
filters; a stale aggregate (after a report is inserted) is not used."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines import read as R
from pipelines.warehouse.aggregates import refresh_aggregates

N = 1200
ROUTES = ("agg", "dash", "base")


def _copy_report(con, rid: str, new_id: str, **changes) -> None:
    """Insert a copy of report ``rid`` (reports + report_facts) under ``new_id`` with ``changes`` to reports."""
    sets = ", ".join(f"? AS {k}" for k in changes)  # keys are literal names from this file
    con.execute(
        f"INSERT INTO reports SELECT * REPLACE (? AS report_id, current_timestamp::TIMESTAMP AS ingested_at"
        f"{', ' + sets if sets else ''}) FROM reports WHERE report_id = ?",
        [new_id, *changes.values(), rid],
    )
    con.execute(
        "INSERT INTO report_facts SELECT * REPLACE (? AS report_id) FROM report_facts WHERE report_id = ?",
        [new_id, rid],
    )


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    from pipelines.demo.direct import build_direct

    p = tmp_path_factory.mktemp("agg") / "xxgk.duckdb"
    build_direct(p, N, seed=3)
    con = duckdb.connect(str(p))
    # edge cases the synthetic corpus lacks: reports without facts, and an agency with two cells in one year
    ids = [r[0] for r in con.execute("SELECT report_id FROM reports ORDER BY report_id LIMIT 22").fetchall()]
    con.execute("DELETE FROM report_facts WHERE report_id = ANY(?::VARCHAR[])", [ids[:10]])
    _copy_report(con, ids[10], "dup-template", template="nonstandard")
    _copy_report(con, ids[11], "dup-dataset", dataset="other")
    # impossible rates (as in reports C311 flags): more corrected than decided, more disclosed than handled
    con.execute(
        "UPDATE report_facts SET review_total = 4, review_pending = 2, review_corrected = 10 WHERE report_id = ?",
        [ids[20]],
    )
    con.execute("UPDATE report_facts SET granted = total_handled + 50 WHERE report_id = ?", [ids[21]])
    info = refresh_aggregates(con)
    assert info["report_dash"] == N + 2 and info["report_agg"] > 50
    assert con.execute("SELECT count(*) FROM report_agg_agency WHERE dup").fetchone()[0] >= 4
    con.execute("CHECKPOINT")
    con.close()
    return p


@pytest.fixture()
def con(wh):
    c = duckdb.connect(str(wh), read_only=True)
    yield c
    c.close()


def _paths(monkeypatch, con, fn):
    """fn(con) under each forced route; asserts all equal and returns the agg result."""
    out = {}
    for route in ROUTES:
        monkeypatch.setattr(R, "FORCE", route)
        out[route] = fn(con)
    monkeypatch.setattr(R, "FORCE", None)
    for route in ("dash", "base"):
        a, b = out["agg"], out[route]
        if isinstance(a, tuple):
            for x, y in zip(a, b):
                assert x.equals(y), (route, x, y)
        elif isinstance(a, pl.DataFrame):
            assert a.schema == b.schema, (route, a.schema, b.schema)
            assert a.equals(b), (route, a, b)
        else:
            assert a == b, (route, a, b)
    return out["agg"]


FILTERS = [
    R.Filters(),
    R.Filters(province="河南省", city="洛阳市", year_from=2021, year_to=2023),
    R.Filters(templates=("2019", "nonstandard"), agency_types=("department",)),
    R.Filters(datasets=("demo",), year_from=2022),
    R.Filters(counties=("no-such-county",)),  # empty selection
]


def test_fresh_by_default(con):
    assert R.freshness(con) == (True, True)
    assert R._route(con) == "agg" and R._route(con, agg_ok=False) == "dash"


@pytest.mark.parametrize("fi", range(len(FILTERS)))
def test_aggregate_paths_identical(monkeypatch, con, fi):
    f = FILTERS[fi]
    allm = tuple(R.MEASURES)
    for by in [(), ("year",), ("county",), ("city", "year"), ("agency_type", "template"), ("dataset", "province")]:
        got = _paths(monkeypatch, con, lambda c: R.aggregate(c, f, allm, by, min_cases=40))
        if fi != 4:
            assert got.height >= len(allm)
    _paths(monkeypatch, con, lambda c: R.aggregate(c, f, ["agencies", "reports", "open_rate_C"], ("agency",)))
    _paths(monkeypatch, con, lambda c: R.aggregate(c, f, ["applications", "agencies"], ("year",), years=[2020, 2022]))
    _paths(monkeypatch, con, lambda c: R.overview_kpis(c, f, "B"))
    _paths(monkeypatch, con, lambda c: R.trend(c, f, ("applications", "carried_over", "total_handled")))
    for by in ("county", "agency", "city", "agency_type"):
        _paths(monkeypatch, con, lambda c: R.ranking(c, f, "open_rate_A", by, 30, 20))
        _paths(monkeypatch, con, lambda c: R.ranking(c, f, "applications", by, 30, None, False))
    _paths(monkeypatch, con, lambda c: R.applicant_mix(c, f, ("year",)))
    _paths(monkeypatch, con, lambda c: R.yoy(c, f, "applications", "county"))
    _paths(monkeypatch, con, lambda c: R.outcome_composition(c, f, ("year",)))
    _paths(monkeypatch, con, lambda c: R.refusal_reasons(c, f, ("county",)))
    _paths(monkeypatch, con, lambda c: R.open_rate(c, f, "C", ("year",)))
    _paths(monkeypatch, con, lambda c: R.disputes(c, f, ()))
    _paths(monkeypatch, con, lambda c: R.correction_rates(c, f, "county"))


ANOMALOUS = "SELECT report_id FROM reports ORDER BY report_id LIMIT 2 OFFSET 20"


def test_impossible_rates_excluded_and_counted(monkeypatch, con):
    """A report whose share falls outside 0–100 % enters no aggregate, on every route, and is counted as
    n_anomalous; the rate over the rest equals Σnum/Σden of the sound reports (computed here by hand)."""
    bad = [r[0] for r in con.execute(ANOMALOUS).fetchall()]
    rates = [k for k, m in R.MEASURES.items() if m.kind == "rate"]
    expected = {}
    for k in rates:  # by hand: both parts known, outside [0, den] (the formulas are the catalogue's fixed text)
        m = R.MEASURES[k]
        q = f"SELECT count(*) FROM report_facts x WHERE ({m.num}) IS NOT NULL AND ({m.den}) IS NOT NULL"
        q += f" AND (({m.num}) < 0 OR ({m.num}) > ({m.den}))" if m.scale == 1.0 else " AND FALSE"
        expected[k] = con.execute(q).fetchone()[0]
    for by in ((), ("county",), ("agency",)):
        got = _paths(monkeypatch, con, lambda c: R.aggregate(c, R.Filters(), rates, by, min_cases=1))
        shares = got.filter(pl.col("measure") != "lawsuits_per_100")
        assert shares["value"].drop_nulls().max() <= 1.0
        total = got.group_by("measure").agg(pl.col("n_anomalous").sum())
        n = dict(total.iter_rows())
        assert n == expected
        assert n["review_correction_rate"] >= 1 and n["open_rate_A"] >= 1 and n["open_rate_B"] >= 1
        assert n["lawsuits_per_100"] == 0  # per 100: above 100 is no anomaly
    num, den = con.execute(
        "SELECT sum(review_corrected), sum(review_total - review_pending) FROM report_facts WHERE review_corrected "
        "IS NOT NULL AND review_total IS NOT NULL AND review_pending IS NOT NULL AND review_corrected >= 0 "
        "AND review_corrected <= review_total - review_pending"
    ).fetchone()
    row = R.aggregate(con, R.Filters(), ["review_correction_rate"], ()).row(0, named=True)
    assert (row["numerator"], row["denominator"], row["n_anomalous"]) == (num, den, 1)
    assert row["value"] == pytest.approx(num / den)
    one = R.aggregate(con, R.Filters(agency_ids=(_agency(con, bad[0]),)), ["review_correction_rate"], ("year",))
    mine = one.filter(pl.col("n_anomalous") == 1)
    assert mine.height == 1 and mine["value"][0] is None  # its year: no rate at all, not 250 %


def _agency(con, rid: str) -> str:
    return con.execute("SELECT agency_id FROM reports WHERE report_id = ?", [rid]).fetchone()[0]


@pytest.mark.slow
def test_agency_and_list_paths_identical(monkeypatch, con):
    rows = con.execute("SELECT DISTINCT county FROM reports WHERE county IS NOT NULL ORDER BY 1 LIMIT 3").fetchall()
    counties = [r[0] for r in rows]
    ags = [
        r[0]
        for r in con.execute(
            "SELECT agency_id FROM reports WHERE report_id IN ('dup-template', 'dup-dataset') ORDER BY 1"
        ).fetchall()
    ]
    for f in FILTERS + [R.Filters(agency_ids=tuple(ags)), R.Filters(counties=tuple(counties), year_from=2020)]:
        for level, ents in (("county", counties), ("agency", ags), ("county", [])):
            _paths(
                monkeypatch,
                con,
                lambda c: R.compare(
                    c, f, level, ents, (2021, 2022), ["agencies", "open_rate_A", "reports", "lawsuits"]
                ),
            )
        _paths(monkeypatch, con, lambda c: R.report_count(c, f))
        for sort in R.REPORT_SORT:
            for off in (0, 37):
                _paths(monkeypatch, con, lambda c: R.report_list(c, f, 25, off, sort))
        _paths(monkeypatch, con, lambda c: R.report_sources(c, f, None, 400))
        _paths(monkeypatch, con, lambda c: R.report_findings(c, f, (2021, 2022), 300))
        _paths(monkeypatch, con, lambda c: R.search_agencies(c, f, "", 40, tuple(ags)))
        _paths(monkeypatch, con, lambda c: R.search_agencies(c, f, "局", 10, ()))
        _paths(monkeypatch, con, lambda c: R.regions(c, f))
        _paths(monkeypatch, con, lambda c: R.years(c, f))
        for col in ("template", "agency_type", "dataset", "province"):
            _paths(monkeypatch, con, lambda c: R.distinct_values(c, col, f))
    _paths(monkeypatch, con, lambda c: R.datasets(c))
    _paths(monkeypatch, con, lambda c: R.agency_names(c, ags + ["nope"]))
    # the edge cases are really there: reports without facts are listed but not aggregated
    assert R.report_count(con, R.Filters()) == N + 2
    assert R.aggregate(con, R.Filters(), ["reports"])["value"][0] == N + 2 - 10
    assert len(_paths(monkeypatch, con, lambda c: R.report_list(c, R.Filters(), 5000, 0, "year"))) == N + 2
    assert len(_paths(monkeypatch, con, lambda c: R.report_list(c, R.Filters(), 5000, 0, "applications"))) == N + 2 - 10
    kp = R.overview_kpis(con, R.Filters()).filter(pl.col("measure") == "agencies")
    exp = con.execute(
        "SELECT r.year, count(DISTINCT r.agency_id) FROM reports r JOIN report_facts x "
        "USING (report_id) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert list(zip(kp["year"].to_list(), kp["value"].cast(pl.Int64).to_list())) == exp


def test_stale_aggregate_not_used(wh, tmp_path, monkeypatch):
    import shutil

    p = tmp_path / "copy.duckdb"
    shutil.copy(wh, p)
    c = duckdb.connect(str(p))
    f = R.Filters(year_from=2021)
    before = R.aggregate(c, f, ["reports", "applications", "agencies"], ("year",))
    (rid,) = c.execute(
        "SELECT report_id FROM reports JOIN report_facts USING (report_id) WHERE year = 2022 ORDER BY report_id LIMIT 1"
    ).fetchone()
    _copy_report(c, rid, "inserted-later", agency_id="new-agency")
    assert R.freshness(c) == (False, False) and R._route(c) == "base"
    after = R.aggregate(c, f, ["reports", "applications", "agencies"], ("year",))

    def per_year(long):
        rep = long.filter(pl.col("measure") == "reports")
        return dict(zip(rep["year"], rep["value"]))

    n, n0 = per_year(after), per_year(before)
    assert n[2022] == n0[2022] + 1 and n[2023] == n0[2023]
    # forcing the stale table would have given the old figures (so the check above is meaningful)
    monkeypatch.setattr(R, "FORCE", "agg")
    assert R.aggregate(c, f, ["reports", "applications", "agencies"], ("year",)).equals(before)
    monkeypatch.setattr(R, "FORCE", None)
    refresh_aggregates(c)
    assert R._route(c) == "agg"
    assert R.aggregate(c, f, ["reports", "applications", "agencies"], ("year",)).equals(after)
    assert R.report_count(c, R.Filters()) == N + 3
    # inside the writer's own transaction (as a load would call it): built from its uncommitted rows
    c.execute("BEGIN TRANSACTION")
    _copy_report(c, rid, "inserted-in-txn")
    refresh_aggregates(c)
    c.execute("COMMIT")
    assert R.freshness(c) == (True, True) and R.report_count(c, R.Filters()) == N + 4
    c.close()


def test_yoy_previous_year_within_group(con):
    f = R.Filters(year_from=2019)
    got = R.yoy(con, f, "applications", "county")
    keys = ["province", "city", "county"]
    exp = (
        R.aggregate(con, f, ["applications"], ("county", "year"))
        .sort(keys + ["year"])
        .with_columns(
            pl.col("value").shift(1).over(keys).alias("prev"), pl.col("year").shift(1).over(keys).alias("prev_year")
        )
    )
    assert got.height == exp.height > 50
    assert got["prev"].equals(exp["prev"]) and got["prev_year"].equals(exp["prev_year"])
    assert got["change"].drop_nulls().len() > 30
    row = got.filter(pl.col("change").is_not_null()).row(0, named=True)
    assert row["change"] == row["value"] - row["prev"] and row["prev_year"] == row["year"] - 1
