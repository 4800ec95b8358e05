"""open_writer / connect_read / snapshot_token: the replace-never-write-in-place design."""

from __future__ import annotations

import threading
import time

import duckdb
import pytest

from pipelines.warehouse.db import connect_read, open_writer, sidecar, snapshot_token


def n_runs(path) -> int:
    con = connect_read(path)
    try:
        return con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
    finally:
        con.close()


def add_run(con, run_id: int) -> None:
    con.execute("INSERT INTO ingest_runs (run_id, started_at, dataset) VALUES (?, now(), 'x')", [run_id])


def test_writer_publishes_by_replacing_the_file(tmp_path):
    w = tmp_path / "wh.duckdb"
    assert snapshot_token(w) == ()
    with pytest.raises(FileNotFoundError, match="wh.duckdb"):
        connect_read(w)
    with open_writer(w) as wr:
        add_run(wr.con, 1)
        assert not w.exists()  # nothing published until the end
    t1 = snapshot_token(w)
    assert len(t1) == 3 and n_runs(w) == 1
    assert not sidecar(w, ".next").exists() and not sidecar(w, ".wal").exists()
    with open_writer(w) as wr:
        add_run(wr.con, 2)
    assert n_runs(w) == 2
    assert snapshot_token(w)[0] != t1[0]  # a new inode: open readers keep the old one


def test_an_error_discards_the_writes_and_keeps_w(tmp_path):
    w = tmp_path / "wh.duckdb"
    with open_writer(w) as wr:
        add_run(wr.con, 1)
    token = snapshot_token(w)
    with pytest.raises(RuntimeError):
        with open_writer(w) as wr:
            add_run(wr.con, 2)
            raise RuntimeError("boom")
    assert snapshot_token(w) == token and n_runs(w) == 1
    assert not sidecar(w, ".next").exists()


def test_publish_midway_makes_progress_visible_to_a_reader_that_reopens(tmp_path):
    w = tmp_path / "wh.duckdb"
    with open_writer(w) as wr:
        add_run(wr.con, 1)
    reader = connect_read(w)  # held open through the writer's swaps: never blocks them
    token = snapshot_token(w)
    with open_writer(w) as wr:
        add_run(wr.con, 2)
        wr.publish()
        assert snapshot_token(w) != token
        # Still the old snapshot. DuckDB keeps one instance per path per process, so a reader
        # must close its old connection before reopening to see the new file.
        assert reader.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 1
        reader.close()
        assert n_runs(w) == 2
        add_run(wr.con, 3)
    assert n_runs(w) == 3


def test_a_stale_half_written_next_file_is_discarded(tmp_path):
    w = tmp_path / "wh.duckdb"
    with open_writer(w) as wr:
        add_run(wr.con, 1)
    sidecar(w, ".next").write_bytes(b"half-written garbage from a killed writer")
    sidecar(w, ".next.wal").write_bytes(b"junk")
    with open_writer(w) as wr:
        add_run(wr.con, 2)
    assert n_runs(w) == 2


def test_two_writers_serialise(tmp_path):
    w = tmp_path / "wh.duckdb"
    order: list[str] = []
    entered = threading.Event()

    def second():
        entered.wait()
        with open_writer(w) as wr:
            order.append("second")
            add_run(wr.con, 2)

    t = threading.Thread(target=second)
    t.start()
    with open_writer(w) as wr:
        entered.set()
        time.sleep(0.3)  # the second writer is blocked on W.lock meanwhile
        order.append("first")
        add_run(wr.con, 1)
    t.join(10)
    assert order == ["first", "second"]
    assert n_runs(w) == 2


def test_read_connection_is_read_only(tmp_path):
    w = tmp_path / "wh.duckdb"
    with open_writer(w):
        pass
    con = connect_read(w)
    with pytest.raises(duckdb.Error):
        add_run(con, 1)
    con.close()
