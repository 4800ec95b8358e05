"""Corrections by a person: a new value for one cell, with who and why. The original cell stays in
`cells`; the view `v_cells` applies the latest correction not undone; `report_facts` (the wide
table the dashboards read) is recomputed from v_cells for the report; cross-year checks of the
agency are rerun (a corrected 结转 changes them).

Every write goes through pipelines.warehouse.db.open_writer (copy, write, atomic swap).

A new edition of a corrected report takes its corrections along (pipelines/warehouse/editions.py):
re-applied when the cell's extracted value is unchanged, else 'needs_review' (not applied, with a
finding R101) until a person undoes it, applies it as it is (apply_correction) or corrects the cell
anew (add_correction, which resolves it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.checks import TABLE3_COLUMNS, TABLE4_KEYS
from pipelines.warehouse import editions

_LOC = re.compile(r"^table([234])\.([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?$")


@dataclass(frozen=True)
class CellRef:
    table_no: int
    row_key: str
    col_key: str

    @property
    def where(self) -> str:
        return editions.where(self.table_no, self.row_key, self.col_key)


def parse_location(loc: str) -> CellRef:
    """`table3.ROW.COL` | `table4.KEY` | `table2.KEY` → the cells table's (table_no, row_key, col_key)."""
    m = _LOC.match(loc.strip())
    if not m:
        raise ValueError(f"bad cell location {loc!r}: use table3.ROW.COL, table4.KEY or table2.KEY")
    t, a, b = int(m.group(1)), m.group(2), m.group(3)
    if t == 3:
        if b is None or b not in TABLE3_COLUMNS:
            raise ValueError(f"bad table 3 column in {loc!r}: one of {', '.join(TABLE3_COLUMNS)}")
        return CellRef(3, a, b)
    if b is not None:
        raise ValueError(f"bad cell location {loc!r}: table{t}.KEY has no column part")
    if t == 4:
        if a not in TABLE4_KEYS:
            raise ValueError(f"unknown table 4 key {a!r}")
        return CellRef(4, "table4", a)
    return CellRef(2, a, "")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _writer(db_path, wait: float | None = None):
    from pipelines.warehouse.writer import open_warehouse

    return open_warehouse(db_path, wait=wait, command="xxgk correct")


def _after_change(con, report_id: str) -> None:
    """Facts, cross-year findings and the dashboard tables follow the corrected cells (one write path)."""
    from pipelines.warehouse.writer import after_cells_changed

    after_cells_changed(con, report_id)


def add_correction(
    db_path: str | Path,
    report_id: str,
    table_no: int,
    row_key: str,
    col_key: str,
    new_value: float | None,
    reason: str,
    author: str,
    *,
    wait: float | None = None,
) -> int:
    """Record a correction of one cell; returns its correction_id. `wait`: as db.open_writer's."""
    if not (reason or "").strip():
        raise ValueError("a reason is required")
    if not (author or "").strip():
        raise ValueError("an author is required")
    if new_value is not None:
        new_value = float(new_value)
    with _writer(db_path, wait) as w:
        con = w.con
        if not con.execute("SELECT 1 FROM reports WHERE report_id = ?", [report_id]).fetchone():
            raise KeyError(f"no report {report_id}")
        cur = con.execute(
            "SELECT value FROM v_cells WHERE report_id = ? AND table_no = ? AND row_key = ? AND col_key = ?",
            [report_id, table_no, row_key, col_key],
        ).fetchone()
        if cur is None:
            raise KeyError(f"report {report_id} has no cell table{table_no} {row_key} {col_key}")
        con.execute("BEGIN TRANSACTION")
        try:
            # A new correction of the cell settles any that waited for review there.
            pending = con.execute(
                "UPDATE corrections SET undone_at = ? WHERE report_id = ? AND table_no = ? AND row_key = ?"
                " AND col_key = ? AND undone_at IS NULL AND status = ? RETURNING correction_id",
                [_now(), report_id, table_no, row_key, col_key, editions.NEEDS_REVIEW],
            ).fetchall()
            if pending:
                editions.drop_findings(con, report_id, editions.where(table_no, row_key, col_key))
            cid = con.execute("SELECT coalesce(max(correction_id), 0) + 1 FROM corrections").fetchone()[0]
            con.execute(
                "INSERT INTO corrections (correction_id, report_id, table_no, row_key, col_key, old_value, new_value,"
                " reason, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [cid, report_id, table_no, row_key, col_key, cur[0], new_value, reason.strip(), author.strip(), _now()],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        _after_change(con, report_id)
        return int(cid)


def undo_correction(db_path: str | Path, correction_id: int, *, wait: float | None = None) -> str:
    """Mark a correction undone (it stays in the log); returns its report_id."""
    with _writer(db_path, wait) as w:
        con = w.con
        row = con.execute(
            "SELECT report_id, undone_at, status, table_no, row_key, col_key FROM corrections WHERE correction_id = ?",
            [int(correction_id)],
        ).fetchone()
        if row is None:
            raise KeyError(f"no correction {correction_id}")
        if row[1] is not None:
            raise ValueError(f"correction {correction_id} was already undone at {row[1]}")
        con.execute("UPDATE corrections SET undone_at = ? WHERE correction_id = ?", [_now(), int(correction_id)])
        if row[2] == editions.NEEDS_REVIEW:
            editions.drop_findings(con, row[0], editions.where(*row[3:]))
        _after_change(con, row[0])
        return row[0]


def apply_correction(db_path: str | Path, correction_id: int, *, wait: float | None = None) -> str:
    """Apply a correction that waits for review (a new edition reads another value) as it is;
    returns its report_id."""
    with _writer(db_path, wait) as w:
        con = w.con
        row = con.execute(
            "SELECT report_id, undone_at, status, table_no, row_key, col_key FROM corrections WHERE correction_id = ?",
            [int(correction_id)],
        ).fetchone()
        if row is None:
            raise KeyError(f"no correction {correction_id}")
        if row[1] is not None or row[2] != editions.NEEDS_REVIEW:
            raise ValueError(f"correction {correction_id} does not need review")
        con.execute(
            "UPDATE corrections SET status = ?, old_value = edition_value WHERE correction_id = ?",
            [editions.ACTIVE, int(correction_id)],
        )
        editions.drop_findings(con, row[0], editions.where(*row[3:]))
        _after_change(con, row[0])
        return row[0]


LIST_SQL = (
    "SELECT c.correction_id, c.report_id, r.agency, r.year, c.table_no, c.row_key, c.col_key,"
    " c.old_value, c.new_value, c.reason, c.author, c.created_at, c.undone_at,"
    " coalesce(c.status, 'active') AS status, c.edition_value, c.made_on, c.carried_at"
    " FROM corrections c LEFT JOIN reports r USING (report_id)"
    " ORDER BY c.correction_id"
)


def list_corrections(db_path: str | Path) -> list[dict[str, Any]]:
    """Every correction, oldest first, with the report's agency and year."""
    from pipelines.warehouse.db import connect_read

    con = connect_read(db_path)
    try:
        cur = con.execute(LIST_SQL)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        con.close()
