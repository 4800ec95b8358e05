"""SnapshotPool: a long-running reader sees every publish at once, keeps a pinned snapshot whole, closes
old snapshots when their last user is done, and gives every statement its own cursor."""

from __future__ import annotations

import errno
import os
import threading

import pytest

from pipelines.warehouse.db import open_writer, snapshot_token
from pipelines.warehouse.snapshots import SnapshotPool


def publish(path, run_id: int) -> None:
    with open_writer(path) as w:
        w.con.execute("INSERT INTO ingest_runs (run_id, started_at, dataset) VALUES (?, now(), 'x')", [run_id])


def runs(snap) -> list[int]:
    return [r[0] for r in snap.execute("SELECT run_id FROM ingest_runs ORDER BY 1").fetchall()]


def test_new_publish_visible_while_old_snapshot_in_use(tmp_path):
    w = tmp_path / "wh.duckdb"
    publish(w, 1)
    pool = SnapshotPool(w)
    old = pool.acquire()
    assert runs(old) == [1] and old.token == snapshot_token(w)
    publish(w, 2)
    new = pool.acquire()  # the old one is still held: a plain reconnect would return it
    assert runs(new) == [1, 2] and new.token == snapshot_token(w) != old.token
    assert runs(old) == [1], "a pinned snapshot never changes under its user"
    assert not old.closed
    pool.release(old)
    assert old.closed, "closed once its last user is done"
    assert pool.acquire() is new and new.users == 2
    pool.release(new)
    pool.release(new)
    assert not new.closed, "the newest snapshot stays open for the next user"
    # nothing left behind in the folder (the per-snapshot links are unlinked at once)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wh.duckdb", "wh.duckdb.lock"]
    pool.close()


def test_same_file_reuses_the_snapshot(tmp_path):
    w = tmp_path / "wh.duckdb"
    publish(w, 1)
    pool = SnapshotPool(w)
    with pool.use() as a, pool.use() as b:
        assert a is b
    assert pool.opened == 1
    assert pool.get(a.token) is a
    pool.close()
    assert a.closed


def test_missing_warehouse(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.duckdb"):
        SnapshotPool(tmp_path / "nothing.duckdb").acquire()


def test_without_hard_links_switches_when_the_old_snapshot_is_free(tmp_path, monkeypatch):
    w = tmp_path / "wh.duckdb"
    publish(w, 1)

    def no_link(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    pool = SnapshotPool(w)
    old = pool.acquire()
    assert not old.linked and runs(old) == [1]
    publish(w, 2)
    assert pool.acquire() is old, "while the old one is held, it is what this process can read"
    pool.release(old)
    pool.release(old)
    new = pool.acquire()
    assert old.closed and runs(new) == [1, 2] and new.token == snapshot_token(w)
    pool.release(new)
    pool.close()


def test_many_threads_share_a_snapshot_each_with_its_own_cursor(tmp_path):
    """The failure seen on the quality page: threads executing on one shared connection get
    'connection is busy' / wrong results. Through a Snapshot every statement has its own cursor."""
    w = tmp_path / "wh.duckdb"
    publish(w, 1)
    pool = SnapshotPool(w)
    errors: list[BaseException] = []
    seen: list[tuple[int, int]] = []

    def worker(i: int) -> None:
        try:
            for _ in range(15):
                with pool.use() as s:
                    n = s.execute("SELECT count(*) FROM range(100000) t(x) WHERE x % ? = 0", [i + 1]).fetchone()[0]
                    seen.append((i, n))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    publish(w, 2)  # a publish in the middle: readers move over, none fails
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert len(seen) == 120
    assert all(n == -(-100000 // (i + 1)) for i, n in seen)
    with pool.use() as s:
        assert runs(s) == [1, 2]
    assert len(pool.open_snapshots()) == 1, "every older snapshot was closed"
    pool.close()
