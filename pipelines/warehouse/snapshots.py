"""Read-only snapshots of the published warehouse for a long-running reader (the dashboard).

A writer publishes by swapping a new file into W (pipelines.warehouse.db). DuckDB keeps one database
instance per file path per process: while any connection to W's path is open, ``duckdb.connect(W)``
returns that instance, i.e. the old file, however often W was replaced since. So a reader that serves
many users cannot simply "reconnect when the token changes": some query on the old connection is
almost always running.

Design: every published file is opened under a path of its own. ``SnapshotPool.acquire()`` stats W;
when W is a new file it hard-links W to a hidden per-snapshot name next to it, opens that name
read-only (a new DuckDB instance, since the path is new) and unlinks the name at once (the open file
keeps the inode alive). The token comes from ``fstat`` of the link, so it names exactly the file opened,
even if a writer swaps W in between. Users hold a snapshot while they read it (``release()`` when
done); a snapshot that is no longer the newest is closed once its last user releases it. A reader thus
sees a new publish on its next acquire, never a half-written file (publishes are atomic renames of
checkpointed files), and one page run can pin one snapshot for all its queries.

Where a hard link is impossible (another file system, a read-only folder, protected_hardlinks), the pool
opens W itself and switches to a newer W as soon as no user holds the old one (until then it keeps
serving the old snapshot).

Each snapshot is handed out as a ``Snapshot`` whose ``cursor()`` and ``execute()`` give every statement a
cursor of its own: a DuckDB connection is not thread-safe, a cursor per thread is.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

_SEQ = itertools.count()


def _token(st: os.stat_result) -> tuple:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class Snapshot:
    """One published warehouse file, open read-only. Thread-safe: every statement gets its own cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection, token: tuple, linked: bool):
        self._con = con
        self.token = token
        self.linked = linked  # opened under a per-snapshot path (False: W itself, the fallback)
        self.users = 0
        self.retired = False
        self.closed = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        if self.closed:
            raise RuntimeError("snapshot closed")
        return self._con.cursor()

    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        """Like DuckDBPyConnection.execute, on a new cursor (so no two threads share one)."""
        return self.cursor().execute(sql, params)

    def _close(self) -> None:
        self.closed = True
        try:
            self._con.close()
        except duckdb.Error:
            pass

    def __repr__(self) -> str:
        return f"Snapshot(token={self.token}, users={self.users}, retired={self.retired}, closed={self.closed})"


class SnapshotPool:
    """The open snapshots of one warehouse path in this process (see the module docstring)."""

    def __init__(self, path: str | Path, config: dict | None = None):
        self.path = Path(path)
        self.config = dict(config or {})
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._open: list[Snapshot] = []  # every snapshot not yet closed (current included)
        self._link_ok = True
        self.opened = 0  # snapshots opened so far (for tests and the bench)

    # -- public -------------------------------------------------------------------------------

    def token(self) -> tuple:
        """The token of the file published at W now (() when there is none): cheap, one stat."""
        try:
            return _token(os.stat(self.path))
        except FileNotFoundError:
            return ()

    def acquire(self) -> Snapshot:
        """The newest published snapshot, held for the caller until ``release``. FileNotFoundError without W."""
        with self._lock:
            cur = self._current
            now = self.token()
            if not now:
                if cur is not None:  # W removed: keep serving what we have
                    cur.users += 1
                    return cur
                raise FileNotFoundError(f"{self.path}: no warehouse here (run `xxgk ingest` first)")
            if cur is None or cur.token != now:
                fresh = self._open_newest(now)
                if fresh is not None:
                    if cur is not None:
                        self._retire(cur)
                    self._current = cur = fresh
                    self._open.append(fresh)
            assert cur is not None
            cur.users += 1
            return cur

    def release(self, snap: Snapshot) -> None:
        with self._lock:
            snap.users -= 1
            if snap.retired and snap.users <= 0:
                self._drop(snap)

    @contextmanager
    def use(self) -> Iterator[Snapshot]:
        snap = self.acquire()
        try:
            yield snap
        finally:
            self.release(snap)

    def get(self, token: tuple) -> Snapshot | None:
        """The open snapshot with this token (a caller holding it knows it is open), else None."""
        with self._lock:
            return next((s for s in self._open if s.token == tuple(token) and not s.closed), None)

    def open_snapshots(self) -> list[Snapshot]:
        with self._lock:
            return list(self._open)

    def close(self) -> None:
        with self._lock:
            for s in self._open:
                s._close()
            self._open.clear()
            self._current = None

    # -- internals (called with the lock held) ----------------------------------------------------

    def _retire(self, snap: Snapshot) -> None:
        if snap.closed:
            return
        snap.retired = True
        if snap.users <= 0:
            self._drop(snap)

    def _drop(self, snap: Snapshot) -> None:
        snap._close()
        if snap in self._open:
            self._open.remove(snap)

    def _connect(self, path: Path) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(path), read_only=True, config=self.config)

    def _open_newest(self, now: tuple) -> Snapshot | None:
        if self._link_ok:
            snap = self._open_linked()
            if snap is not None:
                return snap
        return self._open_direct(now)

    def _open_linked(self) -> Snapshot | None:
        link = self.path.with_name(f".{self.path.name}.snap-{os.getpid()}-{next(_SEQ)}")
        try:
            os.link(self.path, link)
        except FileNotFoundError:
            return None
        except OSError:  # EXDEV, EPERM (protected_hardlinks), EROFS, EACCES …: no per-snapshot path here
            self._link_ok = False
            return None
        try:
            tok = _token(os.stat(link))
            con = self._connect(link)
        finally:
            try:
                os.unlink(link)  # the open file keeps the inode; nothing is left in the folder
            except FileNotFoundError:
                pass
        self.opened += 1
        return Snapshot(con, tok, linked=True)

    def _open_direct(self, now: tuple) -> Snapshot | None:
        """Fallback: W itself. DuckDB would hand back the old instance while any connection to W's path
        is open, so a newer W is opened only once every older snapshot is closed."""
        if any(not s.closed for s in self._open if s.users > 0):
            return None  # keep serving the current one; the next acquire after the last release switches
        for s in list(self._open):
            self._drop(s)
        self._current = None
        for _ in range(5):
            before = self.token()
            con = self._connect(self.path)
            if self.token() == before:  # no swap while opening: the token names the file opened
                self.opened += 1
                return Snapshot(con, before, linked=False)
            con.close()
        raise RuntimeError(f"{self.path}: the warehouse keeps changing; cannot open a stable snapshot")


_POOLS: dict[str, SnapshotPool] = {}
_POOLS_LOCK = threading.Lock()


def pool(path: str | Path) -> SnapshotPool:
    """The process-wide pool of a warehouse path (one per absolute path)."""
    key = os.path.abspath(path)
    with _POOLS_LOCK:
        p = _POOLS.get(key)
        if p is None:
            p = _POOLS[key] = SnapshotPool(key)
        return p
