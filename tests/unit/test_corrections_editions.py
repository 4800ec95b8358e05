"""Corrections across a new edition of a report: re-applied where the corrected cell's extracted value is
unchanged, otherwise 'needs review' with a finding, in `xxgk correct --list`, the read API, and resolvable."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent / "checks"))
from xxgk_checks_helpers import make_report, row

from pipelines import corrections as C
from pipelines import read
from pipelines.cli import main
from pipelines.warehouse.db import connect_read, open_writer
from pipelines.warehouse.editions import CHECK_ID
from pipelines.warehouse.load import REPLACED, LoadItem, load_report, load_reports
from tests.tables import shown_tables

AGENCY = "西工区商务局"
V1, V2, V3, OTHER = "1" * 64, "2" * 64, "3" * 64, "9" * 64


def edition(carried_over: int, granted: int = 5, sha: str = V1):
    r = make_report(
        year=2023,
        agency=AGENCY,
        rows={
            "new_received": row(4, 0, 0, 0, 0, 0),
            "carried_over": row(carried_over, 0, 0, 0, 0, 0),
            "granted": row(granted, 0, 0, 0, 0, 0),
            "total_handled": row(5, 0, 0, 0, 0, 0),
        },
    )
    r.sha256 = sha
    return r


def load(db, reports, batch: bool):
    with open_writer(db) as w:
        if batch:
            items = [LoadItem(r, r.sha256[:4], r.sha256, r.format) for r in reports]
            return load_reports(w.con, items, dataset="test")
        return [load_report(w.con, r, dataset="test", source_path=r.sha256[:4], sha256=r.sha256) for r in reports]


def q(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def cell(db, rid, row_key):
    return q(
        db,
        "SELECT value, original_value, corrected FROM v_cells WHERE report_id = ? AND table_no = 3"
        " AND row_key = ? AND col_key = 'total'",
        [rid, row_key],
    )[0]


@pytest.fixture
def corrected(tmp_path):
    """Edition 1 loaded with a report of another agency; three corrections on edition 1: new_received
    (same in edition 2), carried_over (edition 2 reads another value), granted (undone)."""
    db = tmp_path / "w.duckdb"
    other = make_report(year=2023, agency="老城区财政局")
    other.sha256 = OTHER
    load(db, [edition(1), other], batch=False)
    assert C.add_correction(db, V1, 3, "new_received", "total", 6, "源文件为6", "甲") == 1
    assert C.add_correction(db, V1, 3, "carried_over", "total", 2, "源文件为2", "甲") == 2
    assert C.add_correction(db, V1, 3, "granted", "total", 7, "误改", "乙") == 3
    C.undo_correction(db, 3)
    return db


@pytest.mark.parametrize("batch", [False, True], ids=["one-report", "batch"])
def test_new_edition_reapplies_or_marks_for_review(corrected, batch):
    db = corrected
    assert load(db, [edition(3, sha=V2)], batch) == [REPLACED]
    rows = {
        r[0]: r[1:]
        for r in q(
            db,
            "SELECT correction_id, report_id, status, edition_value, made_on, carried_at IS NOT NULL, undone_at IS NULL"
            " FROM corrections",
        )
    }
    assert rows[1] == (V2, "active", None, V1, True, True)  # 4 in both editions: re-applied
    assert rows[2] == (V2, "needs_review", 3.0, V1, True, True)  # 1 before, 3 now: not applied
    assert rows[3][0] == V1 and rows[3][5] is False  # an undone correction stays with its edition
    assert cell(db, V2, "new_received") == (6.0, 4.0, True)
    assert cell(db, V2, "carried_over") == (3.0, 3.0, False)
    assert q(db, "SELECT new_received, carried_over FROM report_facts WHERE report_id = ?", [V2]) == [(6.0, 3.0)]
    (finding,) = q(
        db, "SELECT severity, location, message FROM findings WHERE report_id = ? AND check_id = ?", [V2, CHECK_ID]
    )
    assert finding == (
        "warning",
        "table3.carried_over.total",
        (
            "hand correction #2 (table3.carried_over.total = 2) was made on an earlier edition, which read 1;"
            " this edition reads 3: not applied until reviewed (xxgk correct --list)"
        ),
    )
    n, status = q(db, "SELECT n_findings, status FROM reports WHERE report_id = ?", [V2])[0]
    assert n == q(db, "SELECT count(*) FROM findings WHERE report_id = ?", [V2])[0][0] and status != "ok"
    # the other report is untouched
    assert q(db, "SELECT count(*) FROM corrections WHERE report_id = ?", [OTHER]) == [(0,)]

    con = connect_read(db)
    try:
        review = read.corrections_needing_review(con)
        cols = ("correction_id", "report_id", "table_no", "row_key", "col_key", "new_value", "edition_value")
        assert review.select(cols).rows() == [(2, V2, 3, "carried_over", "total", 2.0, 3.0)]
        assert review["agency_name"].to_list() == [AGENCY] and review["year"].to_list() == [2023]
        assert read.corrections_needing_review(con, read.Filters(datasets=("elsewhere",))).is_empty()
        assert read.corrections_needing_review(con, read.Filters(year_from=2023)).height == 1
    finally:
        con.close()


def test_list_shows_the_state_and_review_is_resolved(corrected, capsys):
    db = corrected
    load(db, [edition(3, sha=V2)], batch=True)
    capsys.readouterr()
    assert main(["correct", "--list", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    today = datetime.now().strftime("%Y-%m-%d")
    assert f"[active, re-applied, carried to a new edition {today}]" in lines[0]
    assert lines[0].endswith(f"({V2[:12]})")
    assert (
        f"{AGENCY} 2023 table3.carried_over.total 1 → 2 [NEEDS REVIEW: the new edition reads 3, not applied" in lines[1]
    )
    assert "; --apply 2 or --undo 2]" in lines[1]
    assert "[undone " in lines[2] and lines[2].endswith(f"({V1[:12]})")

    # A third edition that reads the corrected value's old extract again: still for a person to review.
    load(db, [edition(1, sha=V3)], batch=False)
    assert q(db, "SELECT report_id, status, edition_value FROM corrections WHERE correction_id = 2") == [
        (V3, "needs_review", 1.0)
    ]
    assert len(q(db, "SELECT 1 FROM findings WHERE report_id = ? AND check_id = ?", [V3, CHECK_ID])) == 1

    assert main(["correct", "--apply", "2", "--db", str(db)]) == 0
    assert cell(db, V3, "carried_over") == (2.0, 1.0, True)
    assert q(db, "SELECT count(*) FROM findings WHERE report_id = ? AND check_id = ?", [V3, CHECK_ID]) == [(0,)]
    assert q(db, "SELECT carried_over FROM report_facts WHERE report_id = ?", [V3]) == [(2.0,)]
    assert main(["correct", "--apply", "1", "--db", str(db)]) == 1  # active: nothing to apply
    assert "does not need review" in capsys.readouterr().err


def test_undo_or_new_correction_resolves_review(corrected):
    db = corrected
    load(db, [edition(3, granted=9, sha=V2)], batch=False)
    C.undo_correction(db, 2)
    assert q(db, "SELECT count(*) FROM findings WHERE report_id = ? AND check_id = ?", [V2, CHECK_ID]) == [(0,)]
    assert cell(db, V2, "carried_over") == (3.0, 3.0, False)

    load(db, [edition(1, sha=V3)], batch=False)  # correction 1 re-applied again; nothing for review
    C.add_correction(db, V3, 3, "carried_over", "total", 2, "再次核对", "甲")
    con = connect_read(db)
    try:
        assert read.corrections_needing_review(con).is_empty()
    finally:
        con.close()


def test_chain_of_editions_in_one_batch(corrected):
    """Edition 2 and 3 in the same batch: the corrections land on edition 3, compared with edition 1."""
    db = corrected
    assert load(db, [edition(3, sha=V2), edition(1, sha=V3)], batch=True) == [REPLACED, REPLACED]
    assert q(db, "SELECT correction_id, report_id, status FROM corrections WHERE undone_at IS NULL ORDER BY 1") == [
        (1, V3, "active"),
        (2, V3, "active"),  # edition 3 reads 1, as edition 1 did: re-applied
    ]
    assert cell(db, V3, "carried_over") == (2.0, 1.0, True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_quality_page_lists_corrections_to_review(corrected, monkeypatch, lang):
    from streamlit.testing.v1 import AppTest

    load(corrected, [edition(3, sha=V2)], batch=True)
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("XXGK_DB", str(corrected))
    monkeypatch.chdir(root)
    at = AppTest.from_file(str(root / "app_pages" / "quality.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    title = "需复核的人工更正（1）" if lang == "zh" else "Corrections to review (1)"
    assert next(s.value for s in at.subheader) == title
    df = shown_tables(at)[0].value  # the first table on the page, above the matrix
    rows = df.to_dict("records")
    if lang == "zh":
        assert rows == [
            {
                "更正编号": "2",
                "机关": AGENCY,
                "年度": "2023",
                "单元格": "表三 上年结转 · 总计",
                "更正值": "2",
                "新版本提取值": "3",
                "原因": "源文件为2",
                "更正人": "甲",
                "报告": "查看",
            }
        ]
        assert shown_tables(at)[0].links("报告") == [f"report?report={V2}"]  # 查看 opens it in this tab
    else:
        assert rows[0]["Corrected to"] == "2" and rows[0]["New edition reads"] == "3"
        assert rows[0]["Cell"] == "Table 3 carried over · total"
    C.undo_correction(corrected, 2)
    at = AppTest.from_file(str(root / "app_pages" / "quality.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception and title not in [s.value for s in at.subheader]


def test_the_review_finding_is_a_known_id():
    from pipelines.checks import known_check_ids, parser_codes

    assert CHECK_ID in known_check_ids() and parser_codes()[CHECK_ID] == "warning"


REVIEW = "  1 hand correction(s) need review: a new edition reads another value (xxgk correct --list)"


def test_ingest_of_a_new_edition_says_when_a_correction_needs_review(tmp_path, capsys):
    """As a terminal user meets it: the ingest that loads the new edition names the review to do."""
    sample = Path(__file__).resolve().parents[2] / "data" / "samples" / "xigong-commerce-2020.txt"
    f, db = tmp_path / "r.txt", str(tmp_path / "w.duckdb")
    text = sample.read_text(encoding="utf-8")
    f.write_text(text, encoding="utf-8")
    assert main(["ingest", str(f), "--db", db]) == 0
    (rid,) = q(db, "SELECT report_id FROM reports")[0]
    assert main(["correct", rid, "table3.carried_over.natural_person", "3", "--reason", "原件为3", "--db", db]) == 0
    carried = "二、上年结转政府信息公开申请数量\t"
    assert text.count(carried + "0\t0\t0\t0\t0\t0\t0") == 1
    f.write_text(text.replace(carried + "0\t0\t0\t0\t0\t0\t0", carried + "1\t0\t0\t0\t0\t0\t1"), encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", str(f), "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{db}: loaded 0, replaced 1, reextracted 0, unchanged 0, failed 0, skipped 0"
    assert lines[-1] == REVIEW
    assert main(["correct", "--apply", "1", "--db", db]) == 0
    f.write_text(text, encoding="utf-8")  # the first edition again: carried_over reads 0 (not 1): review again
    capsys.readouterr()
    assert main(["ingest", str(f), "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == REVIEW
    assert main(["correct", "--undo", "1", "--db", db]) == 0
    f.write_text(text.replace(carried + "0\t0\t0\t0\t0\t0\t0", carried + "2\t0\t0\t0\t0\t0\t2"), encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", str(f), "--db", db]) == 0  # nothing left to review: no such line
    assert "need review" not in capsys.readouterr().out
