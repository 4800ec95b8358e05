"""Files and folders in, warehouse out: walk → read → extract → load, one file at a time.

- Streams: one file's bytes at a time in the main process; with workers > 1 a process pool does
  extraction only (bounded in-flight), and the main process does every database write, in the
  order of the walk (so which of two files for the same agency and year wins is deterministic),
  LOAD_BATCH reports per transaction (load.load_reports: the outcome of each as if loaded alone).
- Any failure of a file (unreadable, not a report, a bug in the parser) becomes one line naming
  the file; the batch goes on.
- Crash safety comes from db.open_writer: everything is written into W.next and swapped into W
  every `commit_every` files (spaced out so swaps cost at most ~10% of the run as W grows) and at
  the end. A SIGKILL leaves W with whole reports only; a rerun skips what is already there (same
  bytes → 'unchanged' without extracting again).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pipelines import settings
from pipelines.document import ReadError
from pipelines.readers import read_path_bytes
from pipelines.warehouse import db as dbm
from pipelines.report import Report
from pipelines.warehouse.load import LOADED, REPLACED, UNCHANGED, LoadItem, load_reports, resolve_agency

FAILED = "failed"
SKIPPED = "skipped"  # a file that is not a candidate report (companion notes, truth JSON): not a failure
EXTRACTING, EXTRACTED = "extracting", "extracted"  # live states of a file (ingest's on_file), before its outcome
DEFAULT_COMMIT_EVERY = 500
LOAD_BATCH = 64  # reports written to the warehouse together (one transaction)


@dataclass
class Limits:
    max_bytes: int = settings.MAX_FILE_BYTES  # a larger file is refused, not read into memory
    timeout_s: float | None = settings.EXTRACT_TIMEOUT_S  # per-file extraction time (SIGALRM where it runs)


@dataclass
class IngestResult:
    loaded: list[str] = field(default_factory=list)  # newly loaded, replacements included
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # subset of `loaded` that replaced an older report
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why it is not a candidate report)
    run_id: int | None = None

    def to_json(self) -> dict:
        return {
            "loaded": self.loaded,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "failed": [{"path": p, "error": e} for p, e in self.failed],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
        }


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _oneline(s: str) -> str:
    return " ".join(str(s).split())


# --- walking -----------------------------------------------------------------------------------


class Skipped(str):
    """walk's verdict on a file that is not a candidate report: the reason (recorded as 'skipped')."""


# Companions that sit beside reports in a folder (hand-checked truth, notes on sources) and no reader takes.
_NOTE_STEMS = ("readme", "sources", "license", "licence", "changelog", "notes")


def companion_reason(path: str | Path) -> Skipped | None:
    """Why a file is not a candidate report (hidden file, truth JSON, JSON, README/SOURCES-style note), or None."""
    name = os.path.basename(str(path))
    low = name.lower()
    if name.startswith("."):
        return Skipped("hidden file")
    if low.endswith(".truth.json"):
        return Skipped("hand-checked truth of a report (NAME.truth.json)")
    if low.endswith(".json"):
        return Skipped("JSON data, not a report")
    stem = low.split(".", 1)[0]
    if stem in _NOTE_STEMS:
        return Skipped(f"a note ({name}), not a report")
    return None


def walk(paths: Iterable[str | Path], skip: set[str] = frozenset()) -> Iterator[tuple[str, str | None]]:
    """Yield (path, None) for each file to read, or (path, error) for a path that cannot be walked.

    Recursive, sorted by name, hidden folders skipped, `skip` (real paths) skipped. A file that is not a
    candidate report (hidden, truth JSON, README/SOURCES notes: companion_reason) comes with a Skipped
    reason instead of None. A directory symlink that points back at a directory being walked is a loop:
    one error, not a hang.
    """
    visited: set[str] = set()

    def walk_dir(d: str, ancestors: tuple[str, ...]) -> Iterator[tuple[str, str | None]]:
        real = os.path.realpath(d)
        if real in ancestors:
            yield d, f"{d}: directory symlink loop (points back to {real}); skipped"
            return
        if real in visited:  # reached again through another symlink: its files were seen already
            return
        visited.add(real)
        try:
            with os.scandir(d) as it:
                entries = sorted(e.name for e in it)
        except OSError as e:
            yield d, f"{d}: cannot list directory: {e.strerror or e}"
            return
        for name in entries:
            p = os.path.join(d, name)
            try:
                is_dir = os.path.isdir(p)  # follows symlinks; a loop is caught above
            except OSError:
                is_dir = False
            if is_dir:
                if not name.startswith("."):
                    yield from walk_dir(p, ancestors + (real,))
            elif os.path.realpath(p) not in skip:
                yield p, companion_reason(p)

    for raw in paths:
        p = str(raw)
        if os.path.isdir(p):
            yield from walk_dir(p, ())
        elif os.path.realpath(p) not in skip:
            yield p, companion_reason(p)  # a missing or dangling path fails at read, with the reason


def count_files(paths: Iterable[str | Path], skip: set[str] = frozenset()) -> int:
    return sum(1 for _ in walk(paths, skip))


# --- extraction (runs in the main process or a pool worker) ------------------------------------


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def extract_job(data: bytes, source: str, timeout_s: float | None):
    """('ok', Report) or ('err', one-line message naming the file). Never raises."""
    from pipelines.document import ReadError
    from pipelines.extract import extract_bytes

    # Signals only work in the main thread (a Streamlit upload runs ingest in a worker thread).
    use_alarm = (
        bool(timeout_s) and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return "ok", extract_bytes(data, source)
    except ReadError as e:
        msg = str(e)
        return "err", _oneline(msg if source in msg else f"{source}: {msg}")
    except _Timeout:
        return "err", f"{source}: extraction took longer than {timeout_s:g} s; skipped"
    except Exception as e:  # a parser bug on one file must not stop the batch
        return "err", _oneline(f"{source}: cannot extract: {type(e).__name__}: {e}")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


# --- progress ----------------------------------------------------------------------------------


class Progress:
    """A one-line bar on stderr: counts and rate. Redrawn at most 5 times a second."""

    def __init__(self, total: int | None, enabled: bool, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.total = total
        self.t0 = time.monotonic()
        self.last = 0.0
        self.counts = {LOADED: 0, UNCHANGED: 0, FAILED: 0, SKIPPED: 0}
        self.done = 0

    def update(self, outcome: str) -> None:
        self.done += 1
        self.counts[LOADED if outcome == REPLACED else outcome] += 1
        now = time.monotonic()
        if self.enabled and (now - self.last >= 0.2 or self.done == self.total):
            self.last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.done / max(now - self.t0, 1e-9)
        c = self.counts
        tail = (
            f" loaded {c[LOADED]} unchanged {c[UNCHANGED]} failed {c[FAILED]} skipped {c[SKIPPED]}  {rate:.1f} files/s"
        )
        if self.total:
            width = 24
            filled = int(width * self.done / self.total)
            head = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
        else:
            head = f"{self.done} files"
        self.stream.write("\r" + head + tail + "\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


# --- the run -----------------------------------------------------------------------------------


def ingest(
    paths: Iterable[str | Path],
    db: str | Path = dbm.DEFAULT_DB,
    dataset: str = "user",
    workers: int = 1,
    progress: bool = True,
    limits: Limits | dict | None = None,
    commit_every: int = DEFAULT_COMMIT_EVERY,
    args: dict | None = None,
    on_file: Callable[[str, str, str | None, str | None], None] | None = None,
) -> IngestResult:
    """Ingest files and folders into the warehouse at `db`. See the module docstring.

    ``on_file(path, status, detail, sha256)``, when given, follows each file live (the 导入 page):
    EXTRACTING when its extraction starts, EXTRACTED when it waits to be written, then its outcome
    (loaded / replaced / unchanged / failed / skipped, detail = the error or reason). An outcome is
    written to the warehouse at the next publish (every ``commit_every`` files and at the end)."""
    notify = on_file or (lambda path, status, detail, sha: None)
    paths = [str(p) for p in paths]
    limits = Limits(**limits) if isinstance(limits, dict) else (limits or Limits())
    workers = max(1, int(workers))
    commit_every = max(1, int(commit_every))
    skip = {os.path.realpath(p) for p in dbm.warehouse_files(db)}
    show = bool(progress) and sys.stderr.isatty()
    bar = Progress(count_files(paths, skip) if show else None, show)
    result = IngestResult()

    with dbm.open_writer(db) as w:
        run_id = w.con.execute("SELECT nextval('seq_run_id')").fetchone()[0]
        result.run_id = run_id
        w.con.execute(
            "INSERT INTO ingest_runs (run_id, started_at, dataset, args) VALUES (?, ?, ?, ?)",
            [run_id, _now(), dataset, json.dumps(args if args is not None else {"paths": paths}, ensure_ascii=False)],
        )
        since_publish, dirty, last_publish_at = 0, False, time.monotonic()
        publish_cost, refreshed = 0.0, False  # what a swap costs, aggregates included

        files_buf: list[list] = []  # ingest_files rows; W.next is invisible until publish anyway

        def flush_files() -> None:
            for i in range(0, len(files_buf), 100):
                chunk = files_buf[i : i + 100]
                w.con.execute(_INSERT_FILES + ", ".join([_FILE_ROW] * len(chunk)), [v for r in chunk for v in r])
            files_buf.clear()

        # Extracted reports wait here and go into the warehouse LOAD_BATCH at a time (load_reports:
        # one statement per table, one commit, each outcome as if loaded alone). Every other
        # outcome waits with them, so outcomes are still recorded in the order of the walk.
        # Entries: ("load", LoadItem) and ("rec", path, sha, outcome, error).
        pending: list[tuple] = []
        waiting: dict[str, Report] = {}  # sha → extracted report, for files waiting to be loaded
        waiting_keys: set[tuple] = set()  # (agency_id, year) of those: what they may replace
        n_pending_loads = 0

        def record(path: str, sha: str | None, outcome: str, error: str | None = None) -> None:
            if pending:
                queue(("rec", path, sha, outcome, error))
            else:
                emit(path, sha, outcome, error)
                maybe_publish()

        def queue(entry: tuple) -> None:
            nonlocal n_pending_loads
            pending.append(entry)
            if entry[0] == "load":
                item = entry[1]
                waiting[item.sha256] = item.report
                if item.agency is not None and item.agency.agency_id is not None:
                    waiting_keys.add((item.agency.agency_id, item.report.year))
                n_pending_loads += 1
            # A full batch goes in; so does a long run of other outcomes (memory stays bounded).
            if n_pending_loads >= LOAD_BATCH or len(pending) >= 4 * LOAD_BATCH:
                flush_pending()
                maybe_publish()

        def flush_pending() -> None:
            nonlocal n_pending_loads
            if not pending:
                return
            entries = list(pending)
            pending.clear()
            waiting.clear()
            waiting_keys.clear()
            n_pending_loads = 0
            outs = iter(load_reports(w.con, [e[1] for e in entries if e[0] == "load"], dataset=dataset, run_id=run_id))
            for e in entries:
                if e[0] == "rec":
                    emit(*e[1:])
                    continue
                item, out = e[1], next(outs)
                if isinstance(out, Exception):
                    emit(
                        item.source_path,
                        item.sha256,
                        FAILED,
                        _oneline(f"{item.source_path}: cannot load: {type(out).__name__}: {out}"),
                    )
                else:
                    emit(item.source_path, item.sha256, out)

        def emit(path: str, sha: str | None, outcome: str, error: str | None = None) -> None:
            nonlocal since_publish, dirty
            files_buf.append([run_id, path, sha, outcome, error, sha if outcome != FAILED else None, _now()])
            if len(files_buf) >= 1000:
                flush_files()
            if outcome == FAILED:
                result.failed.append((path, error))
            elif outcome == SKIPPED:
                result.skipped.append((path, error))
            elif outcome == UNCHANGED:
                result.unchanged.append(path)
            else:
                result.loaded.append(path)
                if outcome == REPLACED:
                    result.replaced.append(path)
            bar.update(outcome)
            notify(path, outcome, error, sha)
            since_publish += 1
            if outcome in (LOADED, REPLACED):
                dirty = True

        def maybe_publish() -> None:
            # No swap just for bookkeeping rows; and as W grows (each swap copies it back to
            # W.next), space swaps out so they take at most ~10% of the run.
            if since_publish >= commit_every and dirty and time.monotonic() - last_publish_at >= 9 * publish_cost:
                publish(final=False)

        def publish(final: bool) -> None:
            nonlocal since_publish, dirty, last_publish_at, publish_cost, refreshed
            t0 = time.monotonic()
            flush_pending()
            flush_files()
            _update_run(w.con, run_id, result, finished=final)
            if final and (result.loaded or result.replaced):
                _run_crossyear(w.con, run_id)  # carry-over etc. need the whole batch in place
            if dirty or (final and not refreshed and (result.loaded or result.unchanged)):
                refreshed = _refresh_aggregates(w.con) or refreshed
            if not final:  # the final swap is open_writer's, on leaving its block
                w.publish()  # a kill after this keeps everything up to here
            since_publish, dirty, last_publish_at = 0, False, time.monotonic()
            publish_cost = last_publish_at - t0

        def finish(path: str, sha: str, status: str, payload) -> None:
            if status == "err":
                record(path, sha, FAILED, payload)
                return
            try:
                ag = resolve_agency(payload)
            except Exception:  # load_reports meets it again and fails this report alone
                ag = None
            notify(path, EXTRACTED, None, sha)
            queue(("load", LoadItem(payload, path, sha, payload.format, ag)))

        def prepare(path: str, err: str | None, settle_unchanged: bool = True):
            """(path, sha, data) for a file to extract, or None when it was settled here.
            settle_unchanged=False (files still in flight before this one, whose reports might
            replace the one with these bytes): a file already in the warehouse is not settled yet
            but returned as Deferred, to be prepared again once those are in."""
            if isinstance(err, Skipped):
                record(path, None, SKIPPED, str(err))
                return None
            if err is not None:
                record(path, None, FAILED, _oneline(err))
                return None
            try:
                data = read_path_bytes(path, limits.max_bytes)
            except ReadError as e:
                record(path, None, FAILED, _oneline(str(e)))
                return None
            sha = hashlib.sha256(data).hexdigest()
            if sha in waiting:  # the same bytes as a report waiting to be loaded: its outcome follows from that one's
                rep = waiting[sha]
                queue(
                    (
                        "load",
                        LoadItem(
                            rep,
                            path,
                            sha,
                            rep.format,
                            next((e[1].agency for e in pending if e[0] == "load" and e[1].sha256 == sha), None),
                        ),
                    )
                )
                return None
            # Same bytes already in the warehouse: nothing to extract, unless a waiting report
            # for the same agency and year is about to replace that one (then this file loads anew).
            row = w.con.execute("SELECT dataset, agency_id, year FROM reports WHERE report_id = ?", [sha]).fetchone()
            if row and not (row[0] == dataset and (row[1], row[2]) in waiting_keys):
                if not settle_unchanged:
                    return Deferred(sha)
                record(path, sha, UNCHANGED)
                return None
            notify(path, EXTRACTING, None, sha)
            return path, sha, data

        try:
            if workers == 1:
                for path, err in walk(paths, skip):
                    job = prepare(path, err)
                    if job is not None:
                        status, payload = extract_job(job[2], job[0], limits.timeout_s)
                        finish(job[0], job[1], status, payload)
            else:
                _run_pool(walk(paths, skip), workers, limits, prepare, finish)
        finally:
            bar.close()
        publish(final=True)
    return result


CROSSYEAR_CHUNK = 500  # agencies per pass: memory stays flat however large the batch


def _run_crossyear(con, run_id: int) -> None:
    """The cross-year checks (C4xx) for the agencies this run loaded, replacing their earlier
    findings; a few hundred agencies at a time, so memory does not grow with the batch."""
    try:
        from pipelines.checks.crossyear import run_crossyear
    except ImportError:
        return
    try:
        ids = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT agency_id FROM reports WHERE run_id = ? AND agency_id IS NOT NULL ORDER BY 1", [run_id]
            ).fetchall()
        ]
        for i in range(0, len(ids), CROSSYEAR_CHUNK):
            run_crossyear(con, ids[i : i + CROSSYEAR_CHUNK])
    except Exception as e:  # the loaded reports matter more than a check
        print(f"xxgk ingest: warning: cross-year checks not run: {_oneline(str(e))}", file=sys.stderr)


def _refresh_aggregates(con) -> bool:
    """Rebuild the dashboard's pre-aggregated tables (pipelines.warehouse.aggregates, when present)
    inside W.next, so every published W has them consistent with its reports. A failure there must
    not lose the loaded reports: warn, and publish without (pipelines.read checks their fingerprint)."""
    try:
        from pipelines.warehouse.aggregates import refresh_aggregates
    except ImportError:
        return False
    try:
        refresh_aggregates(con)
        return True
    except Exception as e:
        print(f"xxgk ingest: warning: dashboard aggregates not refreshed: {_oneline(str(e))}", file=sys.stderr)
        return False


_INSERT_FILES = 'INSERT INTO ingest_files (run_id, path, sha256, outcome, error, report_id, "at") VALUES '
_FILE_ROW = "(?, ?, ?, ?, ?, ?, ?)"


def _update_run(con, run_id: int, r: IngestResult, finished: bool) -> None:
    con.execute(
        "UPDATE ingest_runs SET finished_at = ?, n_loaded = ?, n_unchanged = ?, n_replaced = ?, n_failed = ?"
        " WHERE run_id = ?",
        [
            _now() if finished else None,
            len(r.loaded) - len(r.replaced),
            len(r.unchanged),
            len(r.replaced),
            len(r.failed),
            run_id,
        ],
    )


@dataclass(frozen=True)
class Deferred:
    """prepare's answer for a file whose outcome depends on files still in flight."""

    sha: str


def _run_pool(items, workers: int, limits: Limits, prepare, finish) -> None:
    """Extraction in a process pool, at most 2*workers files in flight, results in walk order."""
    max_inflight = 2 * workers
    pending: deque[tuple[str, str, Future | None, bytes | None]] = deque()
    pool = ProcessPoolExecutor(max_workers=workers)
    seen_in_flight: set[str] = set()  # identical bytes twice within the window: extract once

    def drain_one() -> None:
        nonlocal pool
        path, sha, fut, _ = pending.popleft()
        seen_in_flight.discard(sha)
        if fut is None:  # a duplicate of an earlier in-flight file, or a deferred one: settled now
            finish_dup(path, sha)
            return
        try:
            status, payload = fut.result()
        except BrokenProcessPool:  # a worker died (e.g. out of memory) on this or a sibling file
            status, payload = "err", f"{path}: extraction process died; skipped"
            pool.shutdown(wait=False, cancel_futures=True)
            pool = ProcessPoolExecutor(max_workers=workers)
            _resubmit(pending)
        except Exception as e:
            status, payload = "err", _oneline(f"{path}: cannot extract: {type(e).__name__}: {e}")
        finish(path, sha, status, payload)

    def finish_dup(path: str, sha: str) -> None:
        # Re-run prepare's check by handing finish a fresh extraction only if the first copy failed.
        job = prepare(path, None)
        if job is not None:
            status, payload = extract_job(job[2], job[0], limits.timeout_s)
            finish(job[0], job[1], status, payload)

    def _resubmit(q: deque) -> None:
        for i, (p, s, f, data) in enumerate(q):
            if f is not None and data is not None:
                q[i] = (p, s, pool.submit(extract_job, data, p, limits.timeout_s), data)

    try:
        for path, err in items:
            job = prepare(path, err, settle_unchanged=not pending)
            if job is None:
                continue
            if isinstance(job, Deferred):  # settled at its turn, after the files before it
                pending.append((path, job.sha, None, None))
                continue
            p, sha, data = job
            if sha in seen_in_flight:
                pending.append((p, sha, None, None))
            else:
                seen_in_flight.add(sha)
                pending.append((p, sha, pool.submit(extract_job, data, p, limits.timeout_s), data))
            while len(pending) >= max_inflight:
                drain_one()
        while pending:
            drain_one()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
