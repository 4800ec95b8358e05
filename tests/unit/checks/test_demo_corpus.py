"""On the demo helper's generated corpus (its truth dicts as Reports): every injected fault of kinds
identity / carry_mismatch is found, and no clean report is flagged."""

from __future__ import annotations

import duckdb
import pytest

from pipelines import checks
from pipelines.report import CellValue, Report
from pipelines.warehouse.writer import write_crossyear as run_crossyear

generate = pytest.importorskip("pipelines.demo.generate")


def to_report(t: dict) -> Report:
    r = Report(
        source=f"demo://{t['report_id']}",
        sha256=t["report_id"],
        format="synthetic",
        agency=t["agency"],
        region=dict(t["region"]),
        year=t["year"],
        template=t["template"],
    )
    cell = lambda v: CellValue(v, str(v) if v is not None else None, "number" if v is not None else "blank")
    r.table2 = {k: cell(v) for k, v in t["table2"].items()}
    r.table3 = {k: [cell(v) for v in row] for k, row in t["table3"].items()}
    r.table4 = [cell(v) for v in t["table4"]]
    return r


@pytest.fixture(scope="module")
def corpus():
    truths = generate.generate(size=0.3, seed=7)
    reports = [to_report(t) for t in truths]
    for r in reports:
        checks.run(r)
    return truths, reports


def flagged(r: Report, exclude=("C321", "C322")) -> list:
    return [f for f in r.findings if f.severity != "info" and not f.check.startswith(exclude)]


def test_identity_faults_found_and_clean_reports_pass(corpus):
    truths, reports = corpus
    kinds = [f["kind"] for t in truths for f in t["faults"]]
    assert kinds.count("identity") >= 5
    for t, r in zip(truths, reports):
        fk = {f["kind"] for f in t["faults"]}
        if "identity" in fk:
            (fault,) = t["faults"]
            errs = [f for f in flagged(r) if f.severity == "error"]
            assert errs, (t["agency"], t["year"], fault)
            table = fault["where"].split(".")[0]
            assert any(f.where.startswith(table) for f in errs)
        elif not fk:
            assert flagged(r) == [], (t["agency"], t["year"], flagged(r))
        else:  # blank / lost_cell / carry_mismatch: nothing fails inside the report
            assert [f for f in flagged(r) if f.severity == "error"] == [], (t["agency"], t["year"], fk)


def test_template_lag_matches_the_layout(corpus):
    truths, reports = corpus
    from pipelines.templates import expected_version

    for t, r in zip(truths, reports):
        lag = [f for f in r.findings if f.check.startswith("C321")]
        assert bool(lag) == (t["template"] == "2019" and expected_version(t["year"]) == "2021")


def test_carry_mismatch_found_across_years(corpus):
    from pipelines.warehouse.db import ensure_schema
    from pipelines.warehouse.load import load_report

    truths, reports = corpus
    # the agencies with a carry fault, plus 8 agencies without any fault (loading is ~10 ms a report)
    faulty = {t["agency_id"] for t in truths if any(f["kind"] == "carry_mismatch" for f in t["faults"])}
    clean = sorted({t["agency_id"] for t in truths} - {t["agency_id"] for t in truths if t["faults"]})[:8]
    keep = faulty | set(clean)
    pairs = [(t, r) for t, r in zip(truths, reports) if t["agency_id"] in keep]
    truths = [t for t, _ in pairs]
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    for t, r in pairs:
        load_report(con, r, dataset="demo", source_path=r.source, sha256=r.sha256)
    run_crossyear(con)
    c4 = {}
    for rid, check, where in con.execute(
        "SELECT report_id, check_id, location FROM findings WHERE check_id LIKE 'C4%' AND severity <> 'info'"
    ).fetchall():
        c4.setdefault(rid, []).append((check, where))
    n_reports = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    con.close()
    assert n_reports == len(truths)  # every agency-year kept apart (no two agencies resolved into one)
    by_key = {(t["agency_id"], t["year"]): t for t in truths}
    n_carry = 0
    for t in truths:
        got = c4.get(t["report_id"], [])
        prev = by_key.get((t["agency_id"], t["year"] - 1))
        prev_cf_fault = prev is not None and any(
            f["where"].startswith("table3.carried_forward") for f in prev["faults"]
        )
        if any(f["kind"] == "carry_mismatch" for f in t["faults"]):
            n_carry += 1
            (fault,) = t["faults"]
            assert ("C401 carry_over_match", fault["where"]) in got, (t["agency"], t["year"], got)
        elif not t["faults"] and not prev_cf_fault:
            assert got == [], (t["agency"], t["year"], got)
    assert n_carry >= 2
