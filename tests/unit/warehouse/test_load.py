"""load_report and the views, on Reports built by hand with known values."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from pipelines.report import BLANK, NUMBER, CellValue, Report
from pipelines.templates import get
from pipelines.warehouse.db import ensure_schema
from pipelines.warehouse.load import LOADED, REPLACED, UNCHANGED, load_report, refresh_facts

T2019 = get("2019").table3_keys
T2021 = get("2021").table3_keys


def make_report(sha: str, *, agency="西工区商务局", year=2020, template="2019", base=1, findings=()) -> Report:
    """table3 row i, column j holds base*100 + i*10 + j (total column = sum of the six)."""
    keys = T2019 if template == "2019" else T2021
    t3 = {}
    for i, k in enumerate(keys):
        vals = [base * 100 + i * 10 + j for j in range(6)]
        t3[k] = [CellValue(v, str(v), NUMBER) for v in vals] + [CellValue(sum(vals), str(sum(vals)), NUMBER)]
    r = Report(
        source=f"{sha}.txt",
        sha256=sha,
        format="txt",
        agency=agency,
        year=year,
        template=template,
        region={"province": "河南省", "city": "洛阳市", "county": "西工区"},
    )
    r.table3 = t3
    r.table2 = {"rules_made": CellValue(3, "3", NUMBER), "rules_published": CellValue(None, "", BLANK)}
    r.table4 = [CellValue(k + base, str(k + base), NUMBER) for k in range(15)]
    r.text = "报告正文"
    for f in findings:
        r.add(*f)
    return r


@pytest.fixture(autouse=True)
def no_entities(monkeypatch):
    """These tests pin agency ids, so they use the fallback (printed name without white space);
    test_entities_resolver_fields_are_stored covers the resolver path."""
    import pipelines.warehouse.load as load_mod

    monkeypatch.setattr(load_mod, "_resolver", lambda: None)


@pytest.fixture
def con():
    c = duckdb.connect()
    ensure_schema(c)
    yield c
    c.close()


def load(con, r: Report, dataset="test"):
    return load_report(con, r, dataset=dataset, source_path=r.source, sha256=r.sha256, fmt="txt", run_id=1)


def counts(con) -> dict[str, int]:
    return {
        t: con.execute("SELECT count(*) FROM " + t).fetchone()[0]
        for t in ("reports", "cells", "report_facts", "findings", "report_texts", "replacements")
    }


def test_load_writes_every_table_with_the_report_values(con):
    r = make_report("a" * 64, findings=[("row_cells_missing", "warning", "table3.granted", "2 cells missing")])
    assert load(con, r) == LOADED
    assert counts(con) == {
        "reports": 1,
        "cells": 23 * 7 + 2 + 15,
        "report_facts": 1,
        "findings": 1,
        "report_texts": 1,
        "replacements": 0,
    }
    row = con.execute("SELECT agency_id, year, template, status, n_findings, province FROM reports").fetchone()
    assert row == ("西工区商务局", 2020, "2019", "warnings", 1, "河南省")
    # new_received is row 0: columns 100..105, total 615; granted is row 2: total = 6*120 + 15 = 735
    f = con.execute(
        "SELECT new_received, new_natural_person, new_other_org, granted, other_total,"
        " review_upheld, suit_after_review_total FROM report_facts"
    ).fetchone()
    other_i = T2019.index("other")
    assert f == (615.0, 100.0, 105.0, 735.0, 6 * (100 + other_i * 10) + 15, 1.0, 15.0)
    cell = con.execute(
        "SELECT value, raw, state FROM cells WHERE table_no = 2 AND row_key = 'rules_published' AND col_key = ''"
    ).fetchone()
    assert cell == (None, "", "blank")
    assert (
        con.execute(
            "SELECT value FROM cells WHERE table_no = 4 AND row_key = 'table4' AND col_key = 'review_total'"
        ).fetchone()[0]
        == 5.0
    )


def test_same_file_twice_is_unchanged_and_writes_nothing(con):
    r = make_report("b" * 64)
    assert load(con, r) == LOADED
    before = counts(con)
    assert load(con, r) == UNCHANGED
    assert counts(con) == before


def test_changed_file_for_same_agency_and_year_replaces(con):
    assert load(con, make_report("c" * 64, base=1)) == LOADED
    assert load(con, make_report("d" * 64, base=2, agency="西工区 商务局")) == REPLACED  # same id: white space dropped
    assert counts(con)["reports"] == 1
    assert con.execute("SELECT report_id FROM reports").fetchone()[0] == "d" * 64
    assert con.execute("SELECT count(*) FROM cells WHERE report_id = ?", ["c" * 64]).fetchone()[0] == 0
    assert con.execute("SELECT new_received FROM report_facts").fetchone()[0] == 6 * 200 + 15
    rep = con.execute("SELECT old_report_id, new_report_id, agency_id, year FROM replacements").fetchall()
    assert rep == [("c" * 64, "d" * 64, "西工区商务局", 2020)]
    # another year or another dataset is a different report, not a replacement
    assert load(con, make_report("e" * 64, year=2021)) == LOADED
    assert load(con, make_report("f" * 64), dataset="other") == LOADED
    assert counts(con)["reports"] == 3


def test_reports_without_agency_never_replace_each_other(con):
    assert load(con, make_report("1" * 64, agency=None)) == LOADED
    assert load(con, make_report("2" * 64, agency=None)) == LOADED
    assert con.execute("SELECT count(*), count(agency_id) FROM reports").fetchone() == (2, 0)


def test_a_failing_load_leaves_nothing(con):
    r = make_report("9" * 64)
    r.findings.append(None)  # breaks the findings insert, after reports/cells/facts were written
    with pytest.raises(AttributeError):
        load(con, r)
    assert counts(con) == dict.fromkeys(counts(con), 0)
    assert load(con, make_report("9" * 64)) == LOADED  # the connection is usable again


def test_status_is_the_worst_severity(con):
    load(con, make_report("3" * 64, agency="A", findings=[("x", "info", "agency", "m")]))
    load(con, make_report("4" * 64, agency="B", findings=[("x", "warning", "t", "m"), ("y", "error", "t", "m")]))
    load(con, make_report("5" * 64, agency="C"))
    got = dict(con.execute("SELECT agency_id, status FROM reports").fetchall())
    assert got == {"A": "ok", "B": "errors", "C": "ok"}


def test_2021_other_rows_sum_into_other_total_and_the_other_group(con):
    r = make_report("6" * 64, template="2021", year=2021)
    r.table3["other_overdue_fee"][6] = CellValue(None, "-", "dash")  # unknown part: other_total unknown too
    load(con, r)
    # one meaning in every writer (issue 16): never a partial sum (the dash is unknown, not 0)
    assert con.execute("SELECT other_total FROM report_facts").fetchone()[0] is None
    got = con.execute("SELECT outcome_group, sum(count) FROM v_outcomes GROUP BY ALL ORDER BY ALL").fetchall()
    groups = dict(got)
    assert set(groups) == {"予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"}
    assert groups["其他处理"] is None
    denied = sum(6 * (100 + T2021.index(k) * 10) + 15 for k in T2021 if k.startswith("denied_"))
    assert groups["不予公开"] == denied


def test_2019_other_maps_to_the_other_group(con):
    load(con, make_report("7" * 64))
    i = T2019.index("other")
    assert con.execute("SELECT count FROM v_outcomes WHERE outcome_group = '其他处理'").fetchall() == [
        (6 * (100 + i * 10) + 15,)
    ]
    assert con.execute("SELECT count(*) FROM v_outcomes").fetchone()[0] == 19


def test_applications_and_reviews_views(con):
    load(con, make_report("8" * 64))
    apps = con.execute("SELECT applicant_type, applications FROM v_applications ORDER BY applications").fetchall()
    assert apps == [
        ("natural_person", 100.0),
        ("commercial", 101.0),
        ("research", 102.0),
        ("social_org", 103.0),
        ("legal_service", 104.0),
        ("other_org", 105.0),
    ]
    rl = {(k, res): c for k, res, c in con.execute("SELECT kind, result, count FROM v_reviews_lawsuits").fetchall()}
    assert len(rl) == 15
    assert rl[("review", "upheld")] == 1 and rl[("suit_direct", "total")] == 10
    assert rl[("suit_after_review", "pending")] == 14


def test_report_summary_measures(con):
    load(con, make_report("a1" * 32))
    s = con.execute(
        "SELECT review_total, review_pending, review_corrected, review_correction_rate,"
        " suit_total, denied_total, has_facts FROM v_report_summary"
    ).fetchone()
    # review: corrected 2, total 5, pending 4 -> 2 / (5 - 4)
    assert s[:4] == (5.0, 4.0, 2.0, 2.0)
    assert s[4] == 10 + 15
    assert s[5] == sum(6 * (100 + T2019.index(k) * 10) + 15 for k in T2019 if k.startswith("denied_"))
    assert s[6] is True


def test_v_cells_applies_latest_correction_not_undone_and_refresh_facts(con):
    load(con, make_report("b1" * 32))
    rid = "b1" * 32
    t = datetime(2026, 1, 1)
    ins = (
        "INSERT INTO corrections (correction_id, report_id, table_no, row_key, col_key, old_value, new_value,"
        " reason, author, created_at, undone_at) VALUES (?, ?, 3, 'new_received', 'total', 615, ?, 'typo', 'me', ?, ?)"
    )
    con.execute(ins, [1, rid, 600, t, None])
    con.execute(ins, [2, rid, 610, t.replace(day=2), None])
    con.execute(ins, [3, rid, 999, t.replace(day=3), t.replace(day=4)])  # undone: ignored
    v = con.execute(
        "SELECT value, original_value, corrected FROM v_cells WHERE report_id = ? AND table_no = 3"
        " AND row_key = 'new_received' AND col_key = 'total'",
        [rid],
    ).fetchone()
    assert v == (610.0, 615.0, True)
    assert con.execute("SELECT count(*) FROM v_cells WHERE corrected").fetchone()[0] == 1
    refresh_facts(con, rid)
    assert con.execute("SELECT new_received, new_commercial FROM report_facts").fetchone() == (610.0, 101.0)


def test_ensure_schema_is_idempotent(con):
    load(con, make_report("c1" * 32))
    ensure_schema(con)
    ensure_schema(con)
    assert counts(con)["reports"] == 1


def test_entities_resolver_fields_are_stored(con, monkeypatch):
    import types

    import pipelines.warehouse.load as load_mod

    seen = []

    def fake_resolve(name, region, text=None):
        seen.append((name, region["county"]))
        return types.SimpleNamespace(
            agency_id="410303-商务局",
            name="洛阳市西工区商务局",
            agency_type="department",
            province="河南省",
            city="洛阳市",
            county="西工区",
            region_code="410303",
        )

    monkeypatch.setattr(load_mod, "_resolver", lambda: fake_resolve)
    load(con, make_report("d1" * 32))
    assert seen == [("西工区商务局", "西工区")]
    row = con.execute("SELECT agency, agency_id, agency_name, agency_type, region_code FROM reports").fetchone()
    assert row == ("西工区商务局", "410303-商务局", "洛阳市西工区商务局", "department", "410303")
