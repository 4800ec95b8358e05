"""ingest's pre-filter of report ids (KnownReports): a miss is certain, a hit is looked up as before."""

from __future__ import annotations

import duckdb

from pipelines.warehouse.ingest import KnownReports


def _con(ids: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE reports (report_id VARCHAR PRIMARY KEY)")
    if ids:
        con.executemany("INSERT INTO reports VALUES (?)", [[i] for i in ids])
    return con


def test_every_report_in_the_warehouse_may_be_held_and_others_not_once_built():
    present = [f"{i:064x}" for i in range(0, 400, 2)]
    absent = [f"{i:064x}" for i in range(1, 400, 2)]
    k = KnownReports(_con(present))
    # the first lookups (fewer than the threshold) are all "ask the warehouse"
    assert all(k.may_hold(a) for a in absent[:31])
    assert k.hashes is None
    # from the threshold on: exact for what the warehouse held when the array was read
    assert all(k.may_hold(p) for p in present)
    assert k.hashes is not None and len(k.hashes) == len(present)
    assert not any(k.may_hold(a) for a in absent)


def test_reports_loaded_during_the_run_are_known_after_the_array_is_read():
    con = _con(["a" * 64])
    k = KnownReports(con)
    for i in range(40):
        k.may_hold(f"{i:064x}")
    new = "b" * 64
    assert not k.may_hold(new)
    con.execute("INSERT INTO reports VALUES (?)", [new])
    k.add([new])  # the sink adds every batch it loads
    assert k.may_hold(new) and k.may_hold("a" * 64)


def test_threshold_grows_with_the_warehouse():
    k = KnownReports(_con([f"{i:064x}" for i in range(10_000)]))
    k.may_hold("x")
    assert k.threshold == 32 + 10_000 // 2000


def test_an_empty_warehouse_builds_its_array_at_once():
    """Nothing to read: no lookup of a fresh ingest asks the warehouse; what the run loads is added."""
    con = _con([])
    k = KnownReports(con)
    assert not k.may_hold("c" * 64)
    assert k.threshold == 0 and k.hashes is not None and len(k.hashes) == 0
    con.execute("INSERT INTO reports VALUES (?)", ["c" * 64])
    k.add(["c" * 64])
    assert k.may_hold("c" * 64) and not k.may_hold("d" * 64)
