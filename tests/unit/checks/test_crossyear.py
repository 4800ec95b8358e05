"""Cross-year checks on a multi-year fixture warehouse built in the test."""

from __future__ import annotations

import duckdb
import pytest
from xxgk_checks_helpers import make_report, row

from pipelines.report import CellValue
from pipelines.warehouse.db import open_writer
from pipelines.warehouse.load import load_report
from pipelines.warehouse.writer import write_crossyear as run_crossyear


def _report(agency, year, co, cf, *, template="2021", t2=None, sha=None):
    """new 10 (natural persons); carried over `co`; handled 10 + co - cf; carried forward `cf`."""
    r = make_report(
        year=year,
        template=template,
        agency=agency,
        rows={
            "new_received": row(10, 0, 0, 0, 0, 0),
            "carried_over": row(co, 0, 0, 0, 0, 0),
            "granted": row(10 + co - cf, 0, 0, 0, 0, 0),
            "total_handled": row(10 + co - cf, 0, 0, 0, 0, 0),
            "carried_forward": row(cf, 0, 0, 0, 0, 0),
        },
    )
    r.sha256 = sha or f"{agency}-{year}"
    for k, v in (t2 or {}).items():
        r.table2[k] = CellValue(v, state="number")
    return r


def _t2(in_force, issued, repealed):
    return {
        "rules_issued": 0,
        "rules_repealed": 0,
        "rules_in_force": 3,
        "normative_issued": issued,
        "normative_repealed": repealed,
        "normative_in_force": in_force,
    }


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    db = tmp_path_factory.mktemp("crossyear") / "w.duckdb"
    reports = [
        # 洪泽区 (named both ways): 2021 cf 2 → 2022 co 2 ✓; 2022 cf 3 → 2023 co 1 ✗; 2024 missing; 2025 present
        _report("洪泽区人民政府", 2021, 0, 2, t2=_t2(40, 5, 1)),
        _report("淮安市洪泽区人民政府", 2022, 2, 3, t2=_t2(44, 6, 2)),  # 40 + 6 - 2 = 44 ✓
        _report("洪泽区人民政府", 2023, 1, 0, t2=_t2(50, 3, 0)),  # 44 + 3 - 0 = 47 ≠ 50 ✗
        _report("洪泽区人民政府", 2025, 0, 0, t2=_t2(50, 0, 0)),
        # 西工区商务局: 2019 layout in 2020 (no 现行有效) → 2021; carry matches
        _report("西工区商务局", 2020, 0, 1, template="2019"),
        _report("西工区商务局", 2021, 1, 0, t2=_t2(5, 0, 0)),
    ]
    with open_writer(db) as w:
        for r in reports:
            load_report(w.con, r, dataset="test", source_path=r.sha256 + ".txt", sha256=r.sha256)
        n = run_crossyear(w.con)
    return db, n


def _findings(db, like="C4%"):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT r.agency_id, r.year, f.check_id, f.severity, f.location, f.message FROM findings f"
            " JOIN reports r USING (report_id) WHERE f.check_id LIKE ? ORDER BY r.agency_id, r.year, f.seq",
            [like],
        ).fetchall()
    finally:
        con.close()


def test_crossyear_findings(wh):
    db, n = wh
    rows = _findings(db)
    got = [(a, y, c, loc) for a, y, c, s, loc, m in rows]
    assert got == [
        ("320813-人民政府", 2023, "C401 carry_over_match", "table3.carried_over.natural_person"),
        ("320813-人民政府", 2023, "C401 carry_over_match", "table3.carried_over.total"),
        ("320813-人民政府", 2023, "C402 in_force_continuity", "table2.normative_in_force"),
        ("320813-人民政府", 2025, "C403 missing_year", "year"),
    ]
    assert n == 4
    msgs = {loc: m for a, y, c, s, loc, m in rows}
    assert msgs["table3.carried_over.natural_person"].startswith("上年结转 1 ≠ 上年报告结转下年 3 (自然人)")
    assert msgs["table2.normative_in_force"].startswith(
        "normative: 现行有效 50 ≠ 上年现行有效 44 + 制发 3 − 废止 0 = 47"
    )
    assert "缺少 2024 年度报告（2023 与 2025 年度之间）" in msgs["year"]
    assert {s for *_, s, _l, _m in [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]} == {"warning"}


def test_crossyear_is_idempotent_and_updates_status(wh):
    db, _ = wh
    before = _findings(db)
    with open_writer(db) as w:
        assert run_crossyear(w.con) == 4
        assert run_crossyear(w.con, ["410303-商务局"]) == 0
    assert _findings(db) == before
    con = duckdb.connect(str(db), read_only=True)
    st = dict(con.execute("SELECT year, status FROM reports WHERE agency_id = ? ", ["320813-人民政府"]).fetchall())
    seqs = con.execute("SELECT report_id, count(*), count(DISTINCT seq) FROM findings GROUP BY 1").fetchall()
    con.close()
    assert st == {2021: "ok", 2022: "ok", 2023: "warnings", 2025: "warnings"}
    assert all(a == b for _, a, b in seqs)


def test_cli_crossyear_and_catalogue(wh, capsys):
    from pipelines.cli import main

    db, _ = wh
    assert main(["checks", "--crossyear", "--db", str(db)]) == 0
    assert capsys.readouterr().out.strip() == f"{db}: 4 cross-year findings"
    assert main(["checks"]) == 0
    out = capsys.readouterr().out
    assert "C401 carry_over_match [cross-year, warning]" in out and "C301 table3_balance [report, error]" in out
    assert main(["checks", "--crossyear", "--db", str(db) + ".missing"]) == 1
