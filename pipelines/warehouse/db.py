"""Warehouse connections, designed around DuckDB's per-process file lock.

DuckDB lets one process hold a file for writing and then nobody else may open it, not even
read-only. So the published warehouse W is never written in place: a writer

  1. takes an exclusive advisory lock on W.lock (fcntl.flock: two ingests serialise) and writes
     its PID, command and start time into it (see "The lock" below),
  2. discards any stale W.next (a killed writer may have left it half-written), saying so,
  3. copies W to W.next (or starts W.next fresh), applies schema.sql and views/*.sql,
  4. writes into W.next, CHECKPOINTs, closes it,
  5. os.replace(W.next, W) (atomic) and fsyncs the directory.

Readers open W read-only. An open reader keeps the old inode, so it never blocks the writer,
and sees the new data when it reopens (compare `snapshot_token` to know when).

The lock. Only the writing process holds W.lock: a process forked while it is held (an extraction
worker) closes its inherited copy at once (os.register_at_fork), so if the writer dies — even by
SIGKILL, e.g. the out-of-memory killer — the kernel releases the lock with it, whatever its workers
do (they exit too: pipelines.warehouse.workers). W.lock holds the writer's PID, command and start
time while it writes and is emptied when it finishes, so a next writer that finds it filled knows
the previous one died, and says so as it clears that writer's W.next. A writer that finds W.lock
held waits, saying for whom (PID, command, since when), as long as `wait` allows.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines import settings

HERE = Path(__file__).parent
DEFAULT_DB = settings.DEFAULT_DB
WRITER_MEMORY = settings.WRITER_MEMORY  # DuckDB buffer pool of the writer; it spills to disk beyond this


def one(row: tuple | None) -> tuple:
    """A row a query always returns (count(*), nextval, …)."""
    if row is None:
        raise LookupError("the query returned no row")
    return row


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
        self._con: duckdb.DuckDBPyConnection | None = None
        self.publishes = 0
        self.last_publish_s = 0.0  # what a swap costs (close, fsync, rename, copy back, reopen)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The open W.next (between _open_next and the next publish or the end)."""
        if self._con is None:
            raise RuntimeError("the writer's connection is closed (published or discarded)")
        return self._con

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
        self._con = con = duckdb.connect(str(self.next), config={"fsync_mode": "NONE", "memory_limit": WRITER_MEMORY})
        if not self.publishes:  # after a publish, W already has this writer's schema
            ensure_schema(con)

    def _close_next(self) -> None:
        con, self._con = self._con, None
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
        con, self._con = self._con, None
        if con is not None:
            try:
                con.close()
            except duckdb.Error:
                pass
        _unlink(self.next)
        _unlink(sidecar(self.next, ".wal"))


# --- the writer lock ---------------------------------------------------------------------------

WAIT_POLL_S = 0.2  # how often a waiting writer tries the lock again


class WarehouseBusy(Exception):
    """Another writer still held the warehouse when the wait limit passed. str() is one line."""


# Lock descriptors this process holds. A forked child (a pool worker) closes its copies at once:
# an flock belongs to the open file, so an inherited copy would keep W locked after the writer died.
_held_locks: set[int] = set()
_held_guard = threading.Lock()


def _close_inherited_locks() -> None:
    for fd in list(_held_locks):
        try:
            os.close(fd)  # the parent's descriptor keeps its lock; only this copy goes
        except OSError:
            pass
    _held_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    except OSError:
        return False
    return True


def lock_holder(path: str | Path) -> dict | None:
    """What W.lock says about the writer that holds (or last died holding) W: {"pid", "command",
    "started", "host"}, or None when it is empty (no writer, or one that has not written it yet)."""
    try:
        with open(sidecar(path, ".lock"), "rb") as f:
            return _parse_holder(f.read(4096))
    except OSError:
        return None


def _parse_holder(raw: bytes) -> dict | None:
    try:
        info = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None


def _describe(info: dict | None) -> str:
    if not info:
        return "another process"
    cmd = info.get("command") or "a writer"
    since = str(info.get("started") or "")[:19].replace("T", " ")
    host = info.get("host")
    where = f" on {host}" if host and host != socket.gethostname() else ""
    return f"pid {info['pid']}{where} ({cmd}, since {since})" if since else f"pid {info['pid']}{where} ({cmd})"


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _acquire(lock_fd: int, p: Path, wait: float | None, log: Callable[[str], None]) -> None:
    """flock W.lock, waiting as long as `wait` allows (None: until it is free), saying for whom."""
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    deadline = None if wait is None else time.monotonic() + max(0.0, wait)
    said, said_for, t0 = False, None, time.monotonic()
    while True:
        info = _parse_holder(os.pread(lock_fd, 4096, 0))
        # Say who holds it as soon as that is known (a writer writes its PID just after taking the
        # lock), and again if another writer takes it meanwhile.
        if (not said or (info and info != said_for)) and (info or time.monotonic() - t0 >= 1.0):
            limit = "until it finishes (--wait SECONDS to limit)" if wait is None else f"up to {wait:g} s"
            who = _describe(info)
            if info and info.get("host") in (None, socket.gethostname()) and not _alive(info["pid"]):
                who += f", which has exited: processes it started still hold {sidecar(p, '.lock').name}"
            log(f"xxgk: {p} is being written by {who}; waiting {limit}")
            said, said_for = True, info
        if deadline is not None and time.monotonic() >= deadline:
            raise WarehouseBusy(f"{p}: still being written by {_describe(info)} after {wait:g} s; not written")
        time.sleep(WAIT_POLL_S if deadline is None else max(0.0, min(WAIT_POLL_S, deadline - time.monotonic())))
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            continue


def _claim(lock_fd: int, p: Path, command: str | None, log: Callable[[str], None]) -> None:
    """With the lock held: note a previous writer that died holding it (and clear what it left),
    then write this writer's PID, command and start time into W.lock."""
    previous = _parse_holder(os.pread(lock_fd, 4096, 0))
    nxt = sidecar(p, ".next")
    left = [f for f in (nxt, sidecar(nxt, ".wal")) if f.exists()]
    if previous or left:
        who = f"writer {_describe(previous)}" if previous else "an earlier writer"
        if previous and previous.get("host") in (None, socket.gethostname()) and _alive(previous["pid"]):
            who += " (no longer holding the lock)"
        what = f"removed its unfinished {nxt.name}" if left else "nothing to clear"
        log(f"xxgk: {p}: {who} stopped before finishing; {what} ({p.name} is as of its last publish)")
        for f in left:
            _unlink(f)
    info = {
        "pid": os.getpid(),
        "command": command or "xxgk",
        "started": datetime.now().isoformat(timespec="seconds"),
        "host": socket.gethostname(),
    }
    os.ftruncate(lock_fd, 0)
    os.pwrite(lock_fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)


@contextmanager
def open_writer(
    path: str | Path = DEFAULT_DB,
    *,
    wait: float | None = None,
    command: str | None = None,
    log: Callable[[str], None] | None = None,
) -> Iterator[Writer]:
    """Exclusive writer on W: yields a Writer whose `.con` writes into W.next.

    On normal exit W.next is published (swapped into W); on an exception it is discarded and W
    stays as it was at the last publish. While another writer holds W.lock it waits, saying so
    through `log` (default: stderr) with that writer's PID, for at most `wait` seconds (None: until
    it is free), then raises WarehouseBusy. `command` names this writer to the ones that wait.
    """
    p = Path(path)
    log = log or _stderr
    p.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(sidecar(p, ".lock"), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    with _held_guard:
        _held_locks.add(lock_fd)
    try:
        _acquire(lock_fd, p, wait, log)
        try:
            _claim(lock_fd, p, command, log)
            w = Writer(p)
            try:
                w._open_next()
                yield w
                w.publish(reopen=False)
            except BaseException:
                w.discard()
                raise
        finally:
            try:
                os.ftruncate(lock_fd, 0)  # finished (or failed cleanly): nothing stale to report
            except OSError:
                pass
    finally:
        with _held_guard:
            _held_locks.discard(lock_fd)
        os.close(lock_fd)  # closing the descriptor releases the flock
