"""Warehouse connections, designed around DuckDB's per-process file lock.

DuckDB lets one process hold a file for writing and then nobody else may open it, not even
read-only. So the published warehouse W is never written in place: a writer

  1. takes an exclusive advisory lock on W.lock (fcntl.flock: two ingests serialise),
  2. discards any stale W.next (a killed writer may have left it half-written),
  3. copies W to W.next (or starts W.next fresh), applies schema.sql and views/*.sql,
  4. writes into W.next, CHECKPOINTs, closes it,
  5. os.replace(W.next, W) (atomic) and fsyncs the directory.

Readers open W read-only. An open reader keeps the old inode, so it never blocks the writer,
and sees the new data when it reopens (compare `snapshot_token` to know when).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from pipelines import settings

HERE = Path(__file__).parent
DEFAULT_DB = settings.DEFAULT_DB
WRITER_MEMORY = settings.WRITER_MEMORY  # DuckDB buffer pool of the writer; it spills to disk beyond this


def sidecar(path: str | Path, suffix: str) -> Path:
    p = Path(path)
    return p.with_name(p.name + suffix)


def warehouse_files(path: str | Path) -> set[Path]:
    """Every file the warehouse owns (so an ingest of the data folder skips them)."""
    p = Path(path)
    return {p, sidecar(p, ".wal"), sidecar(p, ".lock"), sidecar(p, ".next"), sidecar(p, ".next.wal")}


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """schema.sql, then every views/*.sql in name order. Idempotent (IF NOT EXISTS / OR REPLACE)."""
    con.execute((HERE / "schema.sql").read_text(encoding="utf-8"))
    for view in sorted((HERE / "views").glob("*.sql")):
        con.execute(view.read_text(encoding="utf-8"))


def connect_read(path: str | Path = DEFAULT_DB) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse. Never blocks a writer (see module doc).

    DuckDB keeps one database instance per file path per process: while any connection (or
    cursor) from an earlier connect_read is open, a new one returns that same old snapshot. To see
    a newly published W, close the old connection first, then reconnect (when snapshot_token changes).
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no warehouse here (run `xxgk ingest` first)")
    return duckdb.connect(str(p), read_only=True)


def snapshot_token(path: str | Path = DEFAULT_DB) -> tuple:
    """(st_ino, st_mtime_ns, st_size) of W; changes whenever a writer publishes. () if W is absent."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(src: Path, dst: Path) -> None:
    """Copy W to W.next; copy_file_range lets the kernel share extents (reflink) where it can."""
    try:
        with open(src, "rb") as fi, open(dst, "wb") as fo:
            left = os.fstat(fi.fileno()).st_size
            while left > 0:
                n = os.copy_file_range(fi.fileno(), fo.fileno(), min(left, 1 << 30))
                if n == 0:
                    break
                left -= n
        if left > 0:
            raise OSError("short copy")
    except OSError:  # no copy_file_range across these file systems: plain copy
        shutil.copyfile(src, dst)


def _unlink(p: Path) -> None:
    try:
        p.unlink()
    except FileNotFoundError:
        pass


class Writer:
    """The open W.next of one writer. `con` is valid until the next `publish()` or the end."""

    def __init__(self, path: Path):
        self.path = path
        self.next = sidecar(path, ".next")
        self.con: duckdb.DuckDBPyConnection | None = None
        self.publishes = 0
        self.last_publish_s = 0.0  # what a swap costs (close, fsync, rename, copy back, reopen)

    def _open_next(self) -> None:
        # A W.next present here is stale (we hold the lock): half-written by a killed writer.
        _unlink(self.next)
        _unlink(sidecar(self.next, ".wal"))
        if self.path.exists():
            _copy(self.path, self.next)
        # No fsync per commit: W.next is scratch until publish(), which fsyncs it before the swap
        # (a crash before that discards W.next anyway). Saves most of the cost of each COMMIT.
        # A fixed memory_limit: otherwise DuckDB keeps ever more of the growing file cached and
        # the ingest's peak memory grows with the warehouse (measured: +10 MB per 1,000 reports).
        self.con = duckdb.connect(str(self.next), config={"fsync_mode": "NONE", "memory_limit": WRITER_MEMORY})
        if not self.publishes:  # after a publish, W already has this writer's schema
            ensure_schema(self.con)

    def _close_next(self) -> None:
        con, self.con = self.con, None
        if con is not None:
            con.execute("CHECKPOINT")
            con.close()

    def publish(self, reopen: bool = True) -> None:
        """Make everything written so far visible: swap W.next into W atomically."""
        t0 = time.monotonic()
        self._close_next()
        fd = os.open(self.next, os.O_RDONLY)
        try:
            os.fsync(fd)  # data on disk before the rename makes it reachable
        finally:
            os.close(fd)
        os.replace(self.next, self.path)
        _fsync_dir(self.path.parent)
        self.publishes += 1
        if reopen:
            self._open_next()
        self.last_publish_s = time.monotonic() - t0

    def discard(self) -> None:
        con, self.con = self.con, None
        if con is not None:
            try:
                con.close()
            except duckdb.Error:
                pass
        _unlink(self.next)
        _unlink(sidecar(self.next, ".wal"))


@contextmanager
def open_writer(path: str | Path = DEFAULT_DB) -> Iterator[Writer]:
    """Exclusive writer on W: yields a Writer whose `.con` writes into W.next.

    On normal exit W.next is published (swapped into W); on an exception it is discarded and W
    stays as it was at the last publish. Blocks while another writer holds W.lock.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(sidecar(p, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        w = Writer(p)
        try:
            w._open_next()
            yield w
            w.publish(reopen=False)
        except BaseException:
            w.discard()
            raise
    finally:
        os.close(lock_fd)  # closing the descriptor releases the flock
