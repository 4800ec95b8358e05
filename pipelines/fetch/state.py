"""The crawl's state in DIR/.xxgk-fetch/state.sqlite: the frontier (tasks), the items each column
lists, saved files by SHA-256, cached list pages for conditional requests, runs.

SQLite (WAL, one transaction per finished request) because the state is many small writes that
must survive a SIGKILL between any two of them; the warehouse (DuckDB) is for analytics.

Task states: pending → done | skipped | failed. `retry` marks a failure worth trying again on the
next run (network, 5xx, a challenge); a 4xx or a robots rule is final.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, args TEXT);
CREATE TABLE IF NOT EXISTS columns(
  id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, start_key TEXT NOT NULL, prefix TEXT NOT NULL,
  host TEXT NOT NULL, complete_run INTEGER);
CREATE TABLE IF NOT EXISTS tasks(
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, host TEXT NOT NULL,
  method TEXT NOT NULL DEFAULT 'GET', url TEXT NOT NULL, data TEXT, pager TEXT,
  column_id INTEGER, parent_id INTEGER, title TEXT,
  state TEXT NOT NULL DEFAULT 'pending', retry INTEGER NOT NULL DEFAULT 0, reason TEXT,
  status_code INTEGER, run_id INTEGER, fetched_at TEXT, final_url TEXT,
  etag TEXT, last_modified TEXT, content_type TEXT, size INTEGER, sha256 TEXT, saved_path TEXT);
CREATE INDEX IF NOT EXISTS tasks_pending ON tasks(state, host, id);
CREATE INDEX IF NOT EXISTS tasks_parent ON tasks(parent_id);
CREATE TABLE IF NOT EXISTS items(
  id INTEGER PRIMARY KEY, column_id INTEGER NOT NULL, list_url TEXT NOT NULL, url TEXT NOT NULL,
  title TEXT, year INTEGER, agency TEXT, task_id INTEGER, state TEXT, reason TEXT,
  first_run INTEGER NOT NULL, seen_run INTEGER NOT NULL, decided_at TEXT,
  UNIQUE(column_id, url));
CREATE INDEX IF NOT EXISTS items_task ON items(task_id);
CREATE TABLE IF NOT EXISTS pages(task_id INTEGER PRIMARY KEY, body BLOB NOT NULL, content_type TEXT);
CREATE TABLE IF NOT EXISTS files(sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, task_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ingested(
  task_id INTEGER PRIMARY KEY, outcome TEXT, error TEXT, report_agency TEXT, report_year INTEGER, verdict TEXT);
"""


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class State:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.con.row_factory = sqlite3.Row
        self.con.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives the process being killed (the case resume is for); a power cut
        # may lose the last commits, which a re-run then fetches again
        self.con.execute("PRAGMA synchronous=NORMAL")
        self.con.executescript(SCHEMA)

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def tx(self):
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        return self.con.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return self.con.execute(sql, params).fetchall()

    # --- runs ---------------------------------------------------------------------------------------

    def begin_run(self, args: str) -> tuple[int, bool]:
        """(run id, resumed): an unfinished run is continued, not started anew, so what it fetched is
        not fetched again; otherwise a new run, whose list pages are all due again."""
        last = self.one("SELECT id, finished_at FROM runs ORDER BY id DESC LIMIT 1")
        if last is not None and last["finished_at"] is None:
            return int(last["id"]), True
        with self.tx() as c:
            run = c.execute("INSERT INTO runs(started_at, args) VALUES (?, ?)", (now(), args)).lastrowid
        return int(run or 0), False

    def reopen(self, column_ids: list[int], retry_all: bool) -> None:
        """At a new run: failures worth retrying (or all, with --retry-failed) and items skipped by
        a rule that may have changed (scope, robots) are due again, for the columns asked for."""
        marks = ",".join("?" * len(column_ids))
        with self.tx() as c:
            c.execute(
                f"UPDATE tasks SET state='pending', reason=NULL WHERE state='failed' AND column_id IN ({marks})"
                + ("" if retry_all else " AND retry=1"),
                column_ids,
            )
            c.execute(
                f"UPDATE tasks SET state='pending', reason=NULL WHERE state='skipped' AND retry=1 AND column_id IN ({marks})",
                column_ids,
            )

    def finish_run(self, run: int) -> None:
        with self.tx() as c:
            c.execute("UPDATE runs SET finished_at=? WHERE id=?", (now(), run))

    # --- columns and tasks ----------------------------------------------------------------------------

    def column(self, url: str, start_key: str, prefix: str, host: str) -> int:
        with self.tx() as c:
            c.execute(
                "INSERT OR IGNORE INTO columns(url, start_key, prefix, host) VALUES (?, ?, ?, ?)",
                (url, start_key, prefix, host),
            )
        row = self.one("SELECT id FROM columns WHERE url=?", (url,))
        assert row is not None
        return int(row["id"])

    def task(self, key: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM tasks WHERE key=?", (key,))

    def task_by_id(self, task_id: int) -> sqlite3.Row:
        row = self.one("SELECT * FROM tasks WHERE id=?", (task_id,))
        assert row is not None
        return row

    def pending_hosts(self, exclude: set[str]) -> list[sqlite3.Row]:
        """(host, first pending task id) for every host with work left."""
        rows = self.all("SELECT host, MIN(id) AS id FROM tasks WHERE state='pending' GROUP BY host")
        return [r for r in rows if r["host"] not in exclude]

    def pending_count(self, host: str | None = None) -> int:
        if host is None:
            row = self.one("SELECT COUNT(*) AS n FROM tasks WHERE state='pending'")
        else:
            row = self.one("SELECT COUNT(*) AS n FROM tasks WHERE state='pending' AND host=?", (host,))
        return int(row["n"]) if row else 0
