"""Hand corrections across editions of a report.

A corrected report can be replaced by a new edition (a changed file for the same agency and year). Its
corrections used to stay listed as active while no longer applying to anything: the value went back
to the extracted one without a word. Now, in the transaction that loads the new edition, every
correction not undone moves to it (keeping its id, and `made_on` = the edition it was made on):

- re-applied (status 'active') when the corrected cell's extracted value is the same in both editions;
- otherwise marked 'needs_review' (not applied; `edition_value` = what the new edition reads) with a
  finding R101 on the new edition, so the quality page, the report page and `xxgk correct --list`
  show it until a person undoes it, applies it (`xxgk correct --apply ID`) or corrects the cell anew.

The loaders call snapshot() before deleting the replaced reports (it needs their cells) and carry()
after writing the new ones.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import duckdb

CHECK_ID = "R101 correction_needs_review"
ACTIVE, NEEDS_REVIEW = "active", "needs_review"

_SNAPSHOT = (
    "SELECT c.correction_id, c.report_id, c.table_no, c.row_key, c.col_key, c.new_value,"
    " coalesce(c.status, 'active') AS status, x.value"
    " FROM corrections c LEFT JOIN cells x USING (report_id, table_no, row_key, col_key)"
    " WHERE c.undone_at IS NULL AND c.report_id IN (SELECT unnest(?::VARCHAR[]))"
    " ORDER BY c.correction_id"
)
_CELL = "SELECT value FROM cells WHERE report_id = ? AND table_no = ? AND row_key = ? AND col_key = ?"
_MOVE = (
    "UPDATE corrections SET report_id = ?, status = ?, edition_value = ?, made_on = coalesce(made_on, ?),"
    " carried_at = ? WHERE correction_id = ?"
)


def where(table_no: int, row_key: str, col_key: str) -> str:
    """The cell as findings and the CLI name it: table3.ROW.COL, table4.KEY, table2.KEY."""
    if table_no == 3:
        return f"table3.{row_key}.{col_key}"
    if table_no == 4:
        return f"table4.{col_key}"
    return f"table2.{row_key}"


def _fmt(v: float | None) -> str:
    if v is None:
        return "blank"
    return str(int(v)) if float(v).is_integer() else str(v)


def snapshot(con: duckdb.DuckDBPyConnection, old_ids: list[str]) -> list[tuple]:
    """The corrections (not undone) of reports about to be replaced, each with its cell's extracted
    value in that report. Call before their rows are deleted."""
    if not old_ids:
        return []
    return con.execute(_SNAPSHOT, [list(old_ids)]).fetchall()


def carry(
    con: duckdb.DuckDBPyConnection, snap: list[tuple], heirs: dict[str, str], now: datetime
) -> dict[str, list[int]]:
    """Move the snapshot's corrections to the editions that replaced their reports (heirs: old
    report_id → new report_id, whose rows are written), re-applying or marking them (module doc).
    Returns new report_id → ids of the corrections marked 'needs_review' there."""
    review: dict[str, list[int]] = defaultdict(list)
    applied: set[str] = set()
    notes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for cid, old, table_no, row_key, col_key, new_value, status, old_value in snap:
        new = heirs.get(old)
        if new is None:
            continue
        row = con.execute(_CELL, [new, table_no, row_key, col_key]).fetchone()
        value = row[0] if row else None
        same = status == ACTIVE and row is not None and value == old_value
        con.execute(_MOVE, [new, ACTIVE if same else NEEDS_REVIEW, None if same else value, old, now, cid])
        if same:
            applied.add(new)
            continue
        review[new].append(cid)
        loc = where(table_no, row_key, col_key)
        reads = "has no such cell" if row is None else f"reads {_fmt(value)}"
        was = f"read {_fmt(old_value)}" if status == ACTIVE else "already needed review"
        msg = (
            f"hand correction #{cid} ({loc} = {_fmt(new_value)}) was made on an earlier edition, which {was};"
            f" this edition {reads}: not applied until reviewed (xxgk correct --list)"
        )
        notes[new].append((loc, msg))
    for rid, items in notes.items():
        add_findings(con, rid, items)
    if applied or review:
        from pipelines.warehouse.load import refresh_facts

        for rid in applied | set(review):
            refresh_facts(con, rid)
    return dict(review)


def add_findings(con: duckdb.DuckDBPyConnection, report_id: str, items: list[tuple[str, str]]) -> None:
    """R101 findings (location, message) on a report, its n_findings and status kept in step."""
    row = con.execute("SELECT coalesce(max(seq) + 1, 0) FROM findings WHERE report_id = ?", [report_id]).fetchone()
    seq = row[0] if row else 0
    for i, (loc, msg) in enumerate(items):
        con.execute(
            "INSERT INTO findings (report_id, seq, check_id, severity, location, message) VALUES (?, ?, ?, ?, ?, ?)",
            [report_id, seq + i, CHECK_ID, "warning", loc, msg],
        )
    _restate(con, report_id)


def drop_findings(con: duckdb.DuckDBPyConnection, report_id: str, loc: str) -> None:
    """Remove the R101 finding of one cell (its correction was resolved)."""
    con.execute(
        "DELETE FROM findings WHERE report_id = ? AND check_id = ? AND location = ?", [report_id, CHECK_ID, loc]
    )
    _restate(con, report_id)


def _restate(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    con.execute(
        "UPDATE reports SET n_findings = (SELECT count(*) FROM findings WHERE report_id = ?),"
        " status = CASE WHEN EXISTS (SELECT 1 FROM findings WHERE report_id = ? AND severity = 'error') THEN 'errors'"
        " WHEN EXISTS (SELECT 1 FROM findings WHERE report_id = ? AND severity = 'warning') THEN 'warnings'"
        " ELSE 'ok' END WHERE report_id = ?",
        [report_id, report_id, report_id, report_id],
    )
