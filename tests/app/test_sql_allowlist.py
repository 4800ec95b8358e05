"""SQL composition (pipelines.sqlq): identifiers only from allow-lists, values only as parameters.

A name that is not allow-listed raises ValueError before any SQL runs; the statements the read API sends
carry none of the caller's text; its results equal independent literal SQL on every route; the allow-lists
mirror the schema; every Sql fragment in pipelines/ is a string literal."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from pipelines import read as R
from pipelines import sqlq
from pipelines.sqlq import Sql
from pipelines.warehouse import aggregates as A

ROOT = Path(__file__).resolve().parents[2]
EVIL = "year; DROP TABLE reports"
MARK = "ZQX' OR 1=1; DROP TABLE reports --"  # a value no statement text may contain
ROUTES = ("agg", "dash", "base")


class Recorder:
    """A connection (or cursor) that records every statement and its parameters, then runs it."""

    def __init__(self, con, log=None):
        self._con = con
        self.log = [] if log is None else log

    def cursor(self):
        return Recorder(self._con.cursor(), self.log)

    def execute(self, q, params=None):
        self.log.append((q, params))
        return self._con.execute(q) if params is None else self._con.execute(q, params)

    def sql(self, q, params=None):
        self.log.append((q, params))
        return self._con.sql(q, params=params)

    def __getattr__(self, name):
        return getattr(self._con, name)


@pytest.fixture()
def con(warehouse):
    c = duckdb.connect(str(warehouse), read_only=True)
    yield c
    c.close()


def test_sqlq_takes_only_sql_parts():
    with pytest.raises(TypeError):
        Sql(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Sql("SELECT ") + "1"  # type: ignore[operator]
    with pytest.raises(TypeError):
        "SELECT " + Sql("1")  # type: ignore[operator]
    with pytest.raises(TypeError):
        Sql(", ").join([Sql("a"), "b"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Sql("SELECT {c}").format(c="1")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Sql("SELECT {c} FROM {t}").format(c=Sql("1"))  # a field left empty
    with pytest.raises(ValueError):
        sqlq.ident(EVIL, ("year", "province"))
    with pytest.raises(ValueError):
        sqlq.ident("year", ("province",))
    with pytest.raises(ValueError):  # allow-listed by mistake, still not an identifier
        sqlq.ident(EVIL, (EVIL,))
    with pytest.raises(ValueError):
        sqlq.expr("x.granted; DROP TABLE reports", {"x.granted"})
    with pytest.raises(ValueError):
        sqlq.expr("(x.granted + x.secret)", {"x.granted"})
    with pytest.raises(ValueError):
        sqlq.pick(EVIL, {"year": Sql("r.year")})
    assert (
        sqlq.expr("(x.granted + x.partial) * 100", {"x.granted", "x.partial"}).text == "(x.granted + x.partial) * 100"
    )
    assert (
        Sql("SELECT {c} FROM {t} WHERE {c} > ?").format(c=sqlq.ident("year", ("year",)), t=Sql("reports")).text
        == "SELECT year FROM reports WHERE year > ?"
    )
    assert "m12_num" in R.SLOTS and "m12_num; --" not in R.SLOTS and "x" not in R.SLOTS


def test_names_not_allow_listed_raise_before_any_sql(con):
    rec = Recorder(con)
    f = R.Filters()
    calls = [
        lambda: R.aggregate(rec, f, ["applications"], (EVIL,)),
        lambda: R.aggregate(rec, f, [EVIL], ("year",)),
        lambda: R.aggregate(rec, f, ["applications", "x.new_received) FROM reports; --"]),
        lambda: R.trend(rec, f, ["applications", EVIL]),
        lambda: R.yoy(rec, f, "applications", EVIL),
        lambda: R.ranking(rec, f, "applications", EVIL),
        lambda: R.ranking(rec, f, EVIL, "county"),
        lambda: R.open_rate(rec, f, EVIL),
        lambda: R.outcome_composition(rec, f, (EVIL,)),
        lambda: R.compare(rec, f, EVIL, [], (), ["applications"]),
        lambda: R.compare(rec, f, "county", [], (), [EVIL]),
        lambda: R.report_list(rec, f, 10, 0, EVIL),
        lambda: R.distinct_values(rec, EVIL),
        lambda: R.distinct_values(rec, "sha256"),  # a real column, but not one of the allowed four
        lambda: R.measure_sql(EVIL, True),
        lambda: R.agg_ident(EVIL, "s"),
        lambda: R.agg_ident("applications", "n"),  # a count has no 'n' part in report_agg
    ]
    for i, call in enumerate(calls):
        with pytest.raises(ValueError):
            call()
        assert rec.log == [], (i, rec.log)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] > 0


def _texts_and_params(log):
    texts = [q for q, _ in log]
    params = repr([p for _, p in log])
    return texts, params


@pytest.mark.parametrize("route", ROUTES)
def test_statements_carry_no_caller_text(con, monkeypatch, route):
    monkeypatch.setattr(R, "FORCE", route)
    rec = Recorder(con)
    f = R.Filters(
        datasets=(MARK,),
        province=MARK,
        city=MARK,
        counties=(MARK,),
        agency_types=(MARK,),
        templates=(MARK,),
        year_from=2020,
    )
    assert R.aggregate(rec, f, ["applications", "open_rate_A", "agencies"], ("county", "year")).is_empty()
    assert R.report_count(rec, f) == 0
    assert R.report_list(rec, f, 10, 0, "applications").is_empty()
    assert R.report_sources(rec, f, [2021]).is_empty() and R.report_findings(rec, f).is_empty()
    assert R.years(rec, f) == [] and R.distinct_values(rec, "template", f) == [] and R.regions(rec, f).is_empty()
    assert R.search_agencies(rec, R.Filters(), MARK, 10, (MARK,)).is_empty()
    assert R.agency_names(rec, [MARK]) == {} and R.report_detail(rec, MARK) is None
    texts, params = _texts_and_params(rec.log)
    assert len(texts) >= 12
    assert all(MARK not in t and "ZQX" not in t for t in texts)
    assert params.count("ZQX") >= 20  # the values went as parameters
    assert all(isinstance(t, str) for t in texts)


def test_composed_text_is_exactly_the_fragments(con, monkeypatch):
    monkeypatch.setattr(R, "FORCE", "base")
    rec = Recorder(con)
    R.report_count(rec, R.Filters(province=MARK, counties=(MARK, "b")))
    R.aggregate(rec, R.Filters(year_from=2021), ["applications", "open_rate_B"], ("city",))
    R.report_list(rec, R.Filters(city=MARK), 5, 10, "county")
    (q1, p1), (q2, p2), (q3, p3) = rec.log  # forced route: no freshness query
    assert q1 == "SELECT count(*) FROM reports r WHERE r.province = ? AND r.county = ANY(?::VARCHAR[])"
    assert p1 == [MARK, [MARK, "b"]]
    known = "(x.granted) IS NOT NULL AND (x.total_handled) IS NOT NULL"
    ok = f"{known} AND (x.granted) >= 0 AND (x.granted) <= (x.total_handled)"
    bad = f"{known} AND NOT ((x.granted) >= 0 AND (x.granted) <= (x.total_handled))"
    assert q2 == (
        "SELECT r.province AS province, r.city AS city, count(*) AS n_reports, "
        "sum(x.new_received) AS m0_num, NULL::DOUBLE AS m0_den, count(*) - count(x.new_received) AS m0_null, "
        f"sum(x.granted) FILTER (WHERE {ok}) AS m1_num, sum(x.total_handled) FILTER (WHERE {ok}) AS m1_den, "
        f"count(*) FILTER (WHERE NOT ({ok}) AND NOT ({bad})) AS m1_null, count(*) FILTER (WHERE {bad}) AS m1_bad "
        "FROM reports r JOIN report_facts x ON x.report_id = r.report_id WHERE r.year >= ? "
        "GROUP BY r.province, r.city ORDER BY r.province, r.city"
    )
    assert p2 == [2021]
    assert "WHERE r.city = ? ORDER BY r.county, r.agency_name, r.year DESC, r.report_id LIMIT ? OFFSET ?" in q3
    assert p3 == [MARK, 5, 10]


@pytest.mark.parametrize("route", ROUTES)
def test_results_equal_literal_sql(con, sql, monkeypatch, route):
    monkeypatch.setattr(R, "FORCE", route)
    prov = sql.execute("SELECT province FROM reports GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    f = R.Filters(province=prov, year_from=2021)
    got = R.aggregate(con, f, ["applications", "open_rate_B", "reports"], ("county",), min_cases=1)
    exp = sql.execute(
        "SELECT province, city, county, sum(new_received), count(*) - count(new_received), "
        "sum(granted) FILTER (WHERE granted IS NOT NULL AND total_handled IS NOT NULL), "
        "sum(total_handled) FILTER (WHERE granted IS NOT NULL AND total_handled IS NOT NULL), count(*) "
        "FROM reports JOIN report_facts USING (report_id) WHERE province = ? AND year >= 2021 "
        "GROUP BY ALL",
        [prov],
    ).fetchall()
    assert len(exp) >= 3
    rows = {(r["province"], r["city"], r["county"], r["measure"]): r for r in got.iter_rows(named=True)}
    assert len(rows) == 3 * len(exp)
    for p, c, k, s, z, n, d, cnt in exp:
        assert rows[(p, c, k, "applications")]["value"] == s and rows[(p, c, k, "applications")]["n_null"] == z
        rate = rows[(p, c, k, "open_rate_B")]
        assert (rate["numerator"], rate["denominator"]) == (n, d)
        assert rate["value"] == (pytest.approx(n / d) if d else None)
        assert rows[(p, c, k, "reports")]["value"] == cnt
    ag = R.aggregate(con, R.Filters(), ["agencies"], ("year",))
    assert (
        list(zip(ag["year"], ag["value"].cast(int)))
        == sql.execute(
            "SELECT year, count(DISTINCT agency_id) FROM reports JOIN report_facts USING (report_id) "
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    assert (
        R.report_count(con, R.Filters(province=prov, agency_types=("department",)))
        == sql.execute(
            "SELECT count(*) FROM reports WHERE province = ? AND agency_type = 'department'", [prov]
        ).fetchone()[0]
    )
    page = R.report_list(con, R.Filters(year_from=2022), 20, 5, "agency")
    assert page["report_id"].to_list() == [
        r
        for (r,) in sql.execute(
            "SELECT report_id FROM reports WHERE year >= 2022 ORDER BY agency_name, year DESC, report_id "
            "LIMIT 20 OFFSET 5"
        ).fetchall()
    ]
    assert R.distinct_values(con, "agency_type") == [
        r
        for (r,) in sql.execute(
            "SELECT DISTINCT agency_type FROM reports WHERE agency_type IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    assert R.years(con) == [
        r for (r,) in sql.execute("SELECT DISTINCT year FROM reports WHERE year IS NOT NULL ORDER BY 1").fetchall()
    ]
    found = R.search_agencies(con, R.Filters(), "局", 10)
    assert (
        list(zip(found["agency_id"], found["agency_name"], found["n"]))
        == sql.execute(
            "SELECT agency_id, min(agency_name) AS nm, count(*) FROM reports WHERE agency_id IS NOT NULL "
            "AND contains(agency_name, '局') GROUP BY agency_id ORDER BY nm, agency_id LIMIT 10"
        ).fetchall()
    )


def test_allow_lists_mirror_the_schema(con):
    def columns(table):
        return tuple(
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
            ).fetchall()
        )

    assert R.REPORT_COLUMNS == columns("reports")
    assert ("report_id",) + R.FACT_COLUMNS == columns("report_facts")
    assert R.AGG_GRAIN + A.AGG_SUMS == columns("report_agg")
    assert R.AGG_COARSE + A.AGG_SUMS == columns("report_agg_region")
    assert {f"m_{c}" for c in ("applications_s", "open_rate_A_n", "open_rate_A_d", "open_rate_A_z")} <= R.AGG_COLUMNS


def _formatted(node) -> bool:
    """An f-string, or a str literal combined with + / % or .format()-ed: text built from strings."""

    def text(n):
        return isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str))

    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return text(node.left) or text(node.right) or _formatted(node.left) or _formatted(node.right)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and text(node.func.value)
    )


def _calls(tree, name):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            if (isinstance(fn, ast.Name) and fn.id == name) or (isinstance(fn, ast.Attribute) and fn.attr == name):
                yield node


def test_sql_fragments_are_literals_and_statements_are_not_formatted():
    files = sorted((ROOT / "pipelines").rglob("*.py"))
    users = 0
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for call in _calls(tree, "Sql"):
            users += 1
            assert len(call.args) == 1 and not call.keywords, (path, call.lineno)
            arg = call.args[0]
            assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (path, call.lineno)
        if path.name != "sqlq.py":
            assert not list(_calls(tree, "_of")), path
    assert users > 100
    # the hook's check, on the syntax tree: no statement is an f-string, a % or a .format of a str
    for path in (
        *sorted((ROOT / "pipelines" / "read").glob("*.py")),
        ROOT / "pipelines" / "warehouse" / "aggregates.py",
        ROOT / "pipelines" / "warehouse" / "dash.py",
    ):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in ("execute", "sql", "run", "frame"):
            for call in _calls(tree, name):
                for arg in call.args[:2]:
                    assert not _formatted(arg), (path, call.lineno)
