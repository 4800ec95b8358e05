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
import os
import signal
import sys
import threading
import time
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipelines import settings
from pipelines.document import ReadError, shown_path
from pipelines.extract import EXTRACTOR_VERSION, template_data_version
from pipelines.readers import read_path_bytes
from pipelines.report import Report
from pipelines.warehouse import db as dbm
from pipelines.warehouse import writer
from pipelines.warehouse.load import ASKED, LOADED, REEXTRACTED, REPLACED, UNCHANGED, UPGRADE, LoadItem, resolve_agency
from pipelines.warehouse.workers import batch_gc, extraction_pool, release_memory

if TYPE_CHECKING:
    from concurrent.futures import Future

FAILED = "failed"
SKIPPED = "skipped"  # a file that is not a candidate report (companion notes, truth JSON): not a failure
EXTRACTING, EXTRACTED = "extracting", "extracted"  # live states of a file (ingest's on_file), before its outcome
DEFAULT_COMMIT_EVERY = settings.INGEST_COMMIT_EVERY
LOAD_BATCH = settings.INGEST_LOAD_BATCH  # reports written to the warehouse together (one transaction)
LOAD_BATCH_CHARS = settings.INGEST_LOAD_BATCH_CHARS  # ... or fewer, when their texts are this long together


@dataclass
class Limits:
    max_bytes: int = settings.MAX_FILE_BYTES  # a larger file is refused, not read into memory
    timeout_s: float | None = settings.EXTRACT_TIMEOUT_S  # per-file extraction time (SIGALRM where it runs)


@dataclass
class IngestResult:
    loaded: list[str] = field(default_factory=list)  # newly loaded, replacements included
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # subset of `loaded` that replaced an older report
    reextracted: list[str] = field(default_factory=list)  # subset of `loaded`: files there already, read anew
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why it is not a candidate report)
    run_id: int | None = None

    def to_json(self) -> dict:
        return {
            "loaded": self.loaded,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "reextracted": self.reextracted,
            "failed": [{"path": p, "error": e} for p, e in self.failed],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


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


def walk(paths: Iterable[str | Path], skip: AbstractSet[str] = frozenset()) -> Iterator[tuple[str, str | None]]:
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


def count_files(paths: Iterable[str | Path], skip: AbstractSet[str] = frozenset()) -> int:
    return sum(1 for _ in walk(paths, skip))


# --- extraction (runs in the main process or a pool worker) ------------------------------------


class _Timeout(BaseException):
    """The per-file time limit. A BaseException: the readers' catch-alls (which turn a library's
    exception into 'cannot read: …') must not swallow it."""


def _alarm(signum, frame):
    raise _Timeout()


class _ThreadAlarm:
    """SIGALRM's stand-in where no signal can go (a Dask worker's task thread, a Streamlit upload's
    thread): a timer raises _Timeout in the extracting thread at its next Python instruction."""

    def __init__(self, seconds: float):
        self.tid = threading.get_ident()
        self.lock = threading.Lock()
        self.done = self.fired = False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        import ctypes

        with self.lock:
            if not self.done:
                self.fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.tid), ctypes.py_object(_Timeout))

    def stop(self) -> None:
        import ctypes

        with self.lock:
            self.done = True
        self.timer.cancel()
        if self.fired:  # fired as the extraction ended: drop the exception if it is still pending
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.tid), None)


def extract_job(data: bytes, source: str, timeout_s: float | None, sha256: str | None = None):
    """('ok', Report) or ('err', one-line message naming the file). Never raises. sha256: the digest of
    `data` computed in this process (see extract_bytes), else None."""
    from pipelines.document import ReadError
    from pipelines.extract import extract_bytes

    # Signals only reach the main thread; elsewhere a timer thread interrupts the extraction.
    main = threading.current_thread() is threading.main_thread()
    use_alarm = bool(timeout_s) and main and hasattr(signal, "setitimer")
    thread_alarm = None
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout_s or 0)
    try:
        try:
            if timeout_s and not main:
                thread_alarm = _ThreadAlarm(timeout_s)
            report = extract_bytes(data, source, sha256)
        finally:
            if thread_alarm is not None:
                thread_alarm.stop()  # a _Timeout raised in here is caught below like any other
        return "ok", report
    except ReadError as e:
        msg, name = str(e), shown_path(source)  # ReadError names its file by shown_path
        return "err", _oneline(msg if name in msg else f"{name}: {msg}")
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
        self.counts[LOADED if outcome in (REPLACED, REEXTRACTED) else outcome] += 1
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


# --- the run: a file source → an extraction executor → the warehouse sink --------------------------
#
# source:   walk(paths, skip) yields (path, None) per file to read, or (path, error);
# executor: runs prepare(path, err) (the sink's: read, hash, settle what needs no extraction) and
#           extract_job on the rest, and hands every result to finish(path, sha, status, payload) in
#           the order of the walk. SerialExecutor (in process) and LocalPoolExecutor (a process pool)
#           today; another executor (e.g. a cluster's) only has to keep that contract;
# sink:     WarehouseSink: batches the reports into the one writer (pipelines.warehouse.writer),
#           records every file's outcome, publishes.


class Executor(Protocol):
    def run(
        self,
        items: Iterable[tuple[str, str | None]],
        prepare: Callable[..., Any],
        finish: Callable[[str, str, str, Any], None],
    ) -> None: ...


@dataclass
class SerialExecutor:
    """Extraction in this process, one file at a time."""

    limits: Limits

    def run(self, items, prepare, finish) -> None:
        for path, err in items:
            job = prepare(path, err)
            if job is not None:
                status, payload = extract_job(job[2], job[0], self.limits.timeout_s, job[1])  # sha: prepare's
                finish(job[0], job[1], status, payload)


@dataclass
class LocalPoolExecutor:
    """Extraction in a local process pool, at most 2*workers files in flight, results in walk order."""

    workers: int
    limits: Limits

    def run(self, items, prepare, finish) -> None:
        run_executor(items, _PoolBackend(self.workers, self.limits), self.limits, prepare, finish)


def make_executor(workers: int, limits: Limits) -> Executor:
    return SerialExecutor(limits) if workers <= 1 else LocalPoolExecutor(workers, limits)


class WarehouseSink:
    """One ingest run's writes: extracted reports wait here and go into the warehouse LOAD_BATCH at a time
    (writer.load: one statement per table, one commit, each outcome as if loaded alone). Every other outcome
    waits with them, so outcomes are recorded in the order of the walk. W.next is swapped into W every
    ``commit_every`` files (spaced out so swaps cost at most ~10% of the run) and at the end."""

    def __init__(
        self,
        w: dbm.Writer,
        run_id: int,
        dataset: str,
        limits: Limits,
        commit_every: int,
        bar: Progress,
        on_file: Callable[[str, str, str | None, str | None], None] | None = None,
        shards: Any = None,
        reextract: bool = False,
    ):
        self.w, self.run_id, self.dataset, self.limits = w, run_id, dataset, limits
        self.shards = shards  # a shards.ShardWriter: every batch loaded is also written as a Parquet shard
        self.n_extracted = 0  # reports handed to the loader so far: their place in the walk, for shard names
        self.stale = False  # reports loaded since the dashboard aggregates were last refreshed
        self.force_reextract = reextract  # read again every file of this dataset already in the warehouse
        self.rereads: dict[str, str] = {}  # sha → why a file already in the warehouse is read again
        notify = on_file or (lambda path, status, detail, sha: None)
        # Every path this run reports or stores is shown_path's: a non-UTF-8 name (surrogateescape) would
        # fail DuckDB's insert at the end of the run, and a UTF-8 terminal; the files are read by their real path.
        self.notify = lambda path, status, detail, sha: notify(shown_path(path), status, detail, sha)
        self.commit_every, self.bar = commit_every, bar
        self.result = IngestResult(run_id=run_id)
        self.since_publish, self.dirty, self.last_publish_at = 0, False, time.monotonic()
        self.publish_cost, self.refreshed = 0.0, False  # what a swap costs, aggregates included
        self.files_buf: list[list] = []  # ingest_files rows; W.next is invisible until publish anyway
        # entries: ("load", LoadItem) and ("rec", path, sha, outcome, error)
        self.pending: list[tuple] = []
        self.waiting: dict[str, Report] = {}  # sha → extracted report, for files waiting to be loaded
        self.waiting_keys: set[tuple] = set()  # (agency_id, year) of those: what they may replace
        self.n_pending_loads = self.n_pending_chars = 0
        self.known = KnownReports(w.con)

    # -- outcomes

    def record(self, path: str, sha: str | None, outcome: str, error: str | None = None) -> None:
        if self.pending:
            self.queue(("rec", path, sha, outcome, error))
        else:
            self.emit(path, sha, outcome, error)
            self.maybe_publish()

    def queue(self, entry: tuple) -> None:
        self.pending.append(entry)
        if entry[0] == "load":
            item = entry[1]
            self.n_extracted += 1
            self.waiting[item.sha256] = item.report
            if item.agency is not None and item.agency.agency_id is not None:
                self.waiting_keys.add((item.agency.agency_id, item.report.year))
            self.n_pending_loads += 1
            self.n_pending_chars += len(item.report.text or "")
        # A full batch goes in; so does a long run of other outcomes, or of long texts (memory stays bounded).
        if (
            self.n_pending_loads >= LOAD_BATCH
            or len(self.pending) >= 4 * LOAD_BATCH
            or self.n_pending_chars >= LOAD_BATCH_CHARS
        ):
            self.flush_pending()
            self.maybe_publish()

    def flush_pending(self) -> None:
        if not self.pending:
            return
        entries = list(self.pending)
        self.pending.clear()
        self.waiting.clear()
        self.waiting_keys.clear()
        self.n_pending_loads = self.n_pending_chars = 0
        items = [e[1] for e in entries if e[0] == "load"]
        if self.shards is not None and items:
            first = self.n_extracted - len(items)
            self.shards.write(first, list(enumerate(items, first)))
        outs = iter(writer.load(self.w.con, items, dataset=self.dataset, run_id=self.run_id))
        self.known.add(it.sha256 for it in items)
        for e in entries:
            if e[0] == "rec":
                self.emit(*e[1:])
                continue
            item, out = e[1], next(outs)
            if isinstance(out, Exception):
                err = _oneline(f"{item.source_path}: cannot load: {type(out).__name__}: {out}")
                self.emit(item.source_path, item.sha256, FAILED, err)
            else:
                self.emit(item.source_path, item.sha256, out)

    def emit(self, path: str, sha: str | None, outcome: str, error: str | None = None) -> None:
        path, error = shown_path(path), None if error is None else shown_path(error)
        self.files_buf.append([self.run_id, path, sha, outcome, error, sha if outcome != FAILED else None, _now()])
        if len(self.files_buf) >= 1000:
            self.flush_files()
        r = self.result
        if outcome == FAILED:
            r.failed.append((path, error or ""))
        elif outcome == SKIPPED:
            r.skipped.append((path, error or ""))
        elif outcome == UNCHANGED:
            r.unchanged.append(path)
        else:
            r.loaded.append(path)
            if outcome == REPLACED:
                r.replaced.append(path)
            elif outcome == REEXTRACTED:
                r.reextracted.append(path)
        self.bar.update(outcome)
        self.notify(path, outcome, error, sha)
        self.since_publish += 1
        if outcome in (LOADED, REPLACED, REEXTRACTED):
            self.dirty = True

    def flush_files(self) -> None:
        if self.files_buf:  # one Arrow table, one statement: binding 7 parameters a row cost more than the insert
            writer.insert_ingest_files(self.w.con, self.files_buf)
        self.files_buf.clear()

    # -- publishing

    def maybe_publish(self) -> None:
        # No swap just for bookkeeping rows; and as W grows (each swap copies it back to W.next), space
        # swaps out so they take at most ~10% of the run.
        due = self.since_publish >= self.commit_every and self.dirty
        if due and time.monotonic() - self.last_publish_at >= 9 * self.publish_cost:
            self.publish(final=False)

    def publish(self, final: bool) -> None:
        t0 = time.monotonic()
        self.flush_pending()
        self.flush_files()
        r = self.result
        writer.end_run(
            self.w.con,
            self.run_id,
            loaded=len(r.loaded) - len(r.replaced) - len(r.reextracted),
            unchanged=len(r.unchanged),
            replaced=len(r.replaced),
            failed=len(r.failed),
            reextracted=len(r.reextracted),
            finished=final,
        )
        if final and (r.loaded or r.replaced):
            _run_crossyear(self.w.con, self.run_id)  # carry-over etc. need the whole batch in place
        # The dashboard's aggregates once, at the end: an intermediate W's are stale, and the pages see that
        # by their fingerprint and read the base tables meanwhile (same answers, slower).
        self.stale = self.stale or self.dirty
        if final and (self.stale or (not self.refreshed and (r.loaded or r.unchanged))):
            self.refreshed = _refresh_aggregates(self.w.con) or self.refreshed
        if not final:  # the final swap is open_writer's, on leaving its block
            self.w.publish()  # a kill after this keeps everything up to here
        self.since_publish, self.dirty, self.last_publish_at = 0, False, time.monotonic()
        self.publish_cost = self.last_publish_at - t0

    # -- the executor's two callbacks

    def finish(self, path: str, sha: str, status: str, payload) -> None:
        reread = self.rereads.pop(sha, None)
        if status == "err":
            self.record(path, sha, FAILED, payload + ("; its earlier reading is kept" if reread else ""))
            return
        try:
            ag = resolve_agency(payload)
        except Exception:  # the loader meets it again and fails this report alone
            ag = None
        self.notify(path, EXTRACTED, None, sha)
        self.queue(("load", LoadItem(payload, shown_path(path), sha, payload.format, ag, reextract=reread)))

    def offer(self, path: str, sha: str, rep: Report) -> None:
        """A report extracted elsewhere (a Parquet shard), loaded as a file's would be; when its bytes are in
        the warehouse already (this dataset), read by an older extractor, this newer reading replaces that one."""
        row = self.w.con.execute(_STORED, [sha]).fetchone()
        if row is not None and row[0] == self.dataset and _newer_reading(rep, row[3], row[4]):
            self.rereads[sha] = UPGRADE
        self.finish(path, sha, "ok", rep)

    def prepare(self, path: str, err: str | None, settle_unchanged: bool = True):
        """(path, sha, data) for a file to extract, or None when it was settled here.
        settle_unchanged=False (files still in flight before this one, whose reports might replace the one
        with these bytes): a file already in the warehouse is not settled yet but returned as Deferred, to
        be prepared again once those are in."""
        if isinstance(err, Skipped):
            self.record(path, None, SKIPPED, str(err))
            return None
        if err is not None:
            self.record(path, None, FAILED, _oneline(err))
            return None
        try:
            data = read_path_bytes(path, self.limits.max_bytes)
        except ReadError as e:
            self.record(path, None, FAILED, _oneline(str(e)))
            return None
        sha = hashlib.sha256(data).hexdigest()
        if sha in self.waiting:  # the same bytes as a report waiting to be loaded: its outcome follows
            self._queue_copy(path, sha)
            return None
        if self._settled_unchanged(sha):
            if not settle_unchanged:
                return Deferred(sha)
            self.record(path, sha, UNCHANGED)
            return None
        self.notify(path, EXTRACTING, None, sha)
        return path, sha, data

    def _queue_copy(self, path: str, sha: str) -> None:
        rep = self.waiting[sha]
        agency = next((e[1].agency for e in self.pending if e[0] == "load" and e[1].sha256 == sha), None)
        self.queue(("load", LoadItem(rep, shown_path(path), sha, rep.format, agency)))

    def _settled_unchanged(self, sha: str) -> bool:
        """Same bytes already in the warehouse: nothing to extract, unless a waiting report for the same
        agency and year is about to replace that one (then this file loads anew), or the reading there is
        an older extractor's (or the run asks for a new reading): then the file is read again."""
        if not self.known.may_hold(sha):
            return False
        row = self.w.con.execute(_STORED, [sha]).fetchone()
        if not row or (row[0] == self.dataset and (row[1], row[2]) in self.waiting_keys):
            return False
        reason = self._reread_reason(row[0], row[3], row[4])
        if reason is None:
            return True
        self.rereads[sha] = reason
        return False

    def _reread_reason(self, dataset: str, version: int | None, template_version: str | None) -> str | None:
        """Why a file already in the warehouse (in this run's dataset) is read again, or None. A reading
        by a newer extractor than this one is never replaced by this one's."""
        if dataset != self.dataset:
            return None
        if self.force_reextract:
            return ASKED
        if version is None or version < EXTRACTOR_VERSION:
            return UPGRADE
        if version == EXTRACTOR_VERSION and template_version != template_data_version():
            return UPGRADE
        return None


class KnownReports:
    """Which report ids the warehouse may hold, without a query per file (a DuckDB statement costs ~2 ms,
    as much as extracting a small report): once a run has looked up enough files to pay for it, the
    warehouse's report ids are read once into a sorted array of their hashes (8 bytes each) and a file
    whose hash is not there is new for certain; a hit is still looked up in the warehouse, as before.
    Reports loaded by this run are added as they go in (a superset: a replaced one stays, which only
    costs a lookup)."""

    def __init__(self, con: Any):
        self.con = con
        self.lookups = 0
        self.threshold: int | None = None  # lookups before the array pays for itself (by warehouse size)
        self.hashes: array | None = None
        self.added: set[int] = set()

    def may_hold(self, report_id: str) -> bool:
        if self.hashes is None:
            self.lookups += 1
            if self.threshold is None:
                n = dbm.one(self.con.execute("SELECT count(*) FROM reports").fetchone())[0]
                # an empty warehouse's array costs nothing: built at once (a fresh ingest asks no file)
                self.threshold = 32 + int(n) // 2000 if n else 0
            if self.lookups < self.threshold:
                return True
            self._build()
        h = hash(report_id)
        if h in self.added:
            return True
        assert self.hashes is not None
        i = bisect_left(self.hashes, h)
        return i < len(self.hashes) and self.hashes[i] == h

    def _build(self) -> None:
        hashes: list[int] = []
        cur = self.con.execute("SELECT report_id FROM reports")
        while rows := cur.fetchmany(65536):
            hashes.extend(hash(r[0]) for r in rows)
        hashes.sort()
        self.hashes = array("q", hashes)

    def add(self, report_ids: Iterable[str]) -> None:
        if self.hashes is not None:  # before that, the array is read from the warehouse with them in
            self.added.update(hash(r) for r in report_ids)


def ingest(
    paths: Iterable[str | Path],
    db: str | Path | None = None,
    dataset: str = "user",
    workers: int = 1,
    progress: bool = True,
    limits: Limits | dict | None = None,
    commit_every: int = DEFAULT_COMMIT_EVERY,
    args: dict | None = None,
    executor: Executor | None = None,
    on_file: Callable[[str, str, str | None, str | None], None] | None = None,
    wait: float | None = None,
    cluster: str | None = None,
    shared: bool = False,
    shards: str | Path | None = None,
    source: Iterable[tuple[str, str, Report]] | None = None,
    reextract: bool = False,
) -> IngestResult:
    """Ingest files and folders into the warehouse at ``db`` (default: settings.db_path(), i.e. XXGK_DB).
    See the module docstring.

    ``on_file(path, status, detail, sha256)``, when given, follows each file live (the 导入 page):
    EXTRACTING when its extraction starts, EXTRACTED when it waits to be written, then its outcome
    (loaded / replaced / reextracted / unchanged / failed / skipped, detail = the error or reason). An outcome
    is written to the warehouse at the next publish (every ``commit_every`` files and at the end).
    ``executor``: how files are extracted (default: in process, or a local pool with ``workers`` > 1).
    ``cluster``: a Dask scheduler address or ``local:N`` to extract on (pipelines.warehouse.cluster; ``shared``:
    its workers read the files from the same paths). ``shards``: also write every batch of extracted reports
    as a Parquet shard there (pipelines.warehouse.shards). ``source``: (path, sha256, Report) already
    extracted (load-shards), loaded instead of walking ``paths``.

    A file already in the warehouse (same bytes, this dataset) is read again when an older extractor read
    it (pipelines.extract.EXTRACTOR_VERSION, or the template data changed) or ``reextract`` asks for it:
    outcome 'reextracted', the new reading replaces the old in place, and what changed, cell by cell, goes
    to replacement_cells (read.history.cell_changes)."""
    if cluster is not None:
        from pipelines.warehouse import cluster as cl

        client, close = cl.connect(cluster)  # before taking the writer's lock: a bad address fails fast
        try:
            lim = Limits(**limits) if isinstance(limits, dict) else (limits or Limits())
            ex = cl.DaskExecutor(client, lim, shared)
            return ingest(
                paths,
                db,
                dataset,
                workers,
                progress,
                lim,
                commit_every,
                args,
                ex,
                on_file,
                wait,
                shards=shards,
                reextract=reextract,
            )
        finally:
            close()
    paths = [str(p) for p in paths]
    db = db if db is not None else settings.db_path()
    limits = Limits(**limits) if isinstance(limits, dict) else (limits or Limits())
    commit_every = max(1, int(commit_every))
    skip = {os.path.realpath(p) for p in dbm.warehouse_files(db)}
    show = bool(progress) and sys.stderr.isatty()
    bar = Progress(count_files(paths, skip) if show else None, show)
    executor = executor or make_executor(max(1, int(workers)), limits)
    with batch_gc(), writer.open_warehouse(db, wait=wait, command="xxgk ingest") as w:
        run_id = writer.start_run(w.con, dataset, args if args is not None else {"paths": paths})
        shard_writer = None
        if shards is not None:
            from pipelines.warehouse.shards import ShardWriter

            shard_writer = ShardWriter(shards)
        sink = WarehouseSink(w, run_id, dataset, limits, commit_every, bar, on_file, shard_writer, reextract)
        try:
            if source is not None:
                for path, sha, rep in source:
                    sink.offer(path, sha, rep)
            else:
                executor.run(walk(paths, skip), sink.prepare, sink.finish)
        finally:
            bar.close()
        sink.publish(final=True)
    return sink.result


def _run_crossyear(con, run_id: int) -> None:
    """The cross-year checks (C4xx) for the agencies this run loaded, replacing their earlier findings."""
    try:
        writer.crossyear_for_run(con, run_id)
    except Exception as e:  # the loaded reports matter more than a check
        print(f"xxgk ingest: warning: cross-year checks not run: {_oneline(str(e))}", file=sys.stderr)


def _refresh_aggregates(con) -> bool:
    """Rebuild the dashboard's pre-aggregated tables inside W.next, so every published W has them consistent
    with its reports. A failure there must not lose the loaded reports: warn, and publish without
    (pipelines.read checks their fingerprint)."""
    try:
        writer.refresh(con)
        return True
    except Exception as e:
        print(f"xxgk ingest: warning: dashboard aggregates not refreshed: {_oneline(str(e))}", file=sys.stderr)
        return False


def _newer_reading(rep: Report, version: int | None, template_version: str | None) -> bool:
    """Is ``rep`` (read elsewhere) a newer reading than the stored one of ``version`` / ``template_version``?"""
    v = rep.extractor_version
    if v is None:
        return False
    if version is None or v > version:
        return True
    return v == version and template_version != rep.template_version == template_data_version()


_STORED = "SELECT dataset, agency_id, year, extractor_version, template_version FROM reports WHERE report_id = ?"


@dataclass(frozen=True)
class Deferred:
    """prepare's answer for a file whose outcome depends on files still in flight."""

    sha: str


class ExtractorLost(Exception):
    """The process extracting a chunk died (out of memory, killed) and will not come back with it."""


def extract_chunk(jobs: list[tuple[str, str, bytes | None]], timeout_s: float | None, max_bytes: int) -> list[tuple]:
    """extract_job for each (path, sha, data) of a chunk, in order. data None: read from the path here
    (a worker that shares the folder), and the bytes must still have the sha the walk saw."""
    out = []
    for path, sha, data in jobs:
        verified = None  # the digest, when hashed here (bytes sent by the client are hashed by extract_bytes)
        if data is None:
            try:
                data = read_path_bytes(path, max_bytes)
            except ReadError as e:
                out.append(("err", _oneline(f"{e} (read on the worker)")))
                continue
            if hashlib.sha256(data).hexdigest() != sha:
                out.append(("err", f"{path}: the file changed while it was being ingested; skipped"))
                continue
            verified = sha
        out.append(extract_job(data, path, timeout_s, verified))
        size = len(data)
        del data
        release_memory(size)
    return out


class _PoolBackend:
    """run_executor's backend for LocalPoolExecutor: a local process pool, one file a task. The workers
    share this machine's files: they read them themselves (this process never holds their bytes)."""

    chunk = 1
    send_paths = True

    def __init__(self, workers: int, limits: Limits):
        self.workers, self.limits = workers, limits
        self.capacity = 2 * workers  # files in flight
        self._new()

    def _new(self) -> None:
        self.pool = extraction_pool(self.workers)

    def submit(self, jobs: list) -> Future:
        return self.pool.submit(extract_chunk, jobs, self.limits.timeout_s, self.limits.max_bytes)

    def result(self, fut: Future) -> list[tuple]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return fut.result()
        except BrokenProcessPool:  # a worker died (e.g. out of memory) on this or a sibling file
            raise ExtractorLost("extraction process died") from None

    def lost(self) -> bool:
        """After ExtractorLost: every other task in the pool is gone too (True); a fresh pool takes them."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._new()
        return True

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Chunk:
    __slots__ = ("jobs", "fut", "results")

    def __init__(self) -> None:
        self.jobs: list[tuple] = []
        self.fut = None
        self.results: list[tuple] | None = None


def run_executor(items, ex, limits: Limits, prepare, finish) -> None:
    """Extraction by `ex` (_PoolBackend, cluster.DaskExecutor), ex.chunk files a task, at most
    ex.capacity files in flight, results handed to `finish` in walk order. At most
    settings.INGEST_INFLIGHT_BYTES of input in flight (a larger file goes alone): an extraction's memory
    grows with its file, so two huge files never run at once. With ex.send_paths the workers read the
    files themselves and this process only hashes them."""
    _ExecutorRun(ex, limits, prepare, finish).run(items)


class _ExecutorRun:
    """One run of run_executor: the files in flight, in walk order."""

    def __init__(self, ex, limits: Limits, prepare, finish) -> None:
        self.ex, self.limits, self.prepare, self.finish = ex, limits, prepare, finish
        # (path, sha, chunk or None, index in the chunk); chunk None: a duplicate of an earlier in-flight
        # file, or a deferred one, settled at its turn
        self.pending: deque[tuple[str, str, _Chunk | None, int]] = deque()
        self.seen_in_flight: set[str] = set()  # identical bytes twice within the window: extract once
        self.open_chunk = _Chunk()
        self.budget = settings.INGEST_INFLIGHT_BYTES
        self.inflight = 0
        self.inflight_of: dict[str, int] = {}  # sha → its bytes in flight

    def run(self, items) -> None:
        try:
            for path, err in items:
                if not self.add(path, err):
                    continue
                while len(self.pending) >= self.ex.capacity:
                    self.drain_one()
            while self.pending:
                self.drain_one()
        finally:
            self.ex.close()

    def add(self, path: str, err: str | None) -> bool:
        """Queue one walked file; False when it went in without a task (nothing to extract, or deferred)."""
        job = self.prepare(path, err, settle_unchanged=not self.pending)
        if job is None:
            return False
        if isinstance(job, Deferred):  # settled at its turn, after the files before it
            self.pending.append((path, job.sha, None, 0))
            return False
        p, sha, data = job
        size = len(data)
        del job
        if self.ex.send_paths:
            data = None  # hashed: a worker reads the file itself
        if sha in self.seen_in_flight:
            self.pending.append((p, sha, None, 0))
            return True
        while self.pending and self.inflight + size > self.budget:
            self.drain_one()
        self.seen_in_flight.add(sha)
        self.inflight += size
        self.inflight_of[sha] = size
        c = self.open_chunk
        c.jobs.append(self.job_of(p, sha, data))
        self.pending.append((p, sha, c, len(c.jobs) - 1))
        if len(c.jobs) >= self.ex.chunk:
            self.submit(c)
            self.open_chunk = _Chunk()
        return True

    def job_of(self, path: str, sha: str, data: bytes | None) -> tuple:
        return (path, sha, None if self.ex.send_paths else data)

    def submit(self, c: _Chunk) -> None:
        c.fut = self.ex.submit(c.jobs)

    def drain_one(self) -> None:
        path, sha, c, i = self.pending.popleft()
        self.seen_in_flight.discard(sha)
        if c is None:
            self.finish_dup(path, sha)
            return
        self.inflight -= self.inflight_of.pop(sha, 0)
        if c.fut is None:  # the chunk still filling: send it as it is
            self.submit(c)
            self.open_chunk = _Chunk()
        if c.results is None:
            try:
                c.results = self.ex.result(c.fut)
            except ExtractorLost as e:
                self.rerun_alone(c, path, sha, i, str(e))
                return
            except Exception as e:
                c.results = [("err", _oneline(f"{p}: cannot extract: {type(e).__name__}: {e}")) for p, _, _ in c.jobs]
        self.finish(path, sha, *c.results[i])
        if i == len(c.jobs) - 1:
            c.results = None  # the chunk is done: let its reports go

    def rerun_alone(self, c: _Chunk, path: str, sha: str, i: int, why: str) -> None:
        """The process died on this chunk: this file fails if it was alone in it; otherwise each file
        of the chunk goes again alone, so only the one that kills its process fails. When the
        executor lost every task with it (a local pool), the rest in flight goes again too."""
        everything = self.ex.lost()
        if len(c.jobs) == 1:
            self.finish(path, sha, "err", f"{path}: {why}; skipped")
        else:
            self.pending.appendleft((path, sha, c, i))
        again = []
        for k, (p, s, cc, j) in enumerate(self.pending):
            if cc is not None and cc.results is None and (everything or cc is c):
                single = _Chunk()
                single.jobs = [cc.jobs[j]]
                self.pending[k] = (p, s, single, 0)
                again.append(single)
                if cc is self.open_chunk:
                    self.open_chunk = _Chunk()
        for single in again:
            self.submit(single)

    def finish_dup(self, path: str, sha: str) -> None:
        # Re-run prepare's check by handing finish a fresh extraction only if the first copy failed
        # (by the executor too: this process stays small).
        job = self.prepare(path, None)
        if job is None:
            return
        single = _Chunk()
        single.jobs = [self.job_of(*job)]
        p, s = job[0], job[1]
        del job
        self.submit(single)
        try:
            result = self.ex.result(single.fut)[0]
        except ExtractorLost as e:
            self.rerun_alone(single, p, s, 0, str(e))
            return
        except Exception as e:
            result = ("err", _oneline(f"{p}: cannot extract: {type(e).__name__}: {e}"))
        self.finish(p, s, *result)
