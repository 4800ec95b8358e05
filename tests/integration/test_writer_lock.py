"""The writer lock with real processes: no orphan outlives a killed ingest, a dead writer's leftovers are
cleared with a message, and a writer that waits says for whom and gives up after --wait.

(Waits below are generous bounds that keep a broken build from hanging the suite; nothing asserts a
duration.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.db import WarehouseBusy, lock_holder, open_writer, sidecar
from pipelines.warehouse.ingest import ingest
from pipelines.warehouse.workers import extraction_pool

from .ingest_synth import SAMPLE, sample_text, write_reports

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} absent (../shared not beside the repo)")
XXGK = [sys.executable, "-m", "pipelines.cli"]
ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> set[int]:
    out = set()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                s = Path(f"/proc/{d}/stat").read_bytes()
            except OSError:
                continue
            if int(s[s.rindex(b")") + 2 :].split()[1]) == pid:
                out.add(int(d))
    return out


def alive(pid: int) -> bool:
    try:
        s = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return s[s.rindex(b")") + 2 : s.rindex(b")") + 3] != b"Z"  # a zombie is dead, only not yet reaped


def wait_until(cond, bound: float = 120.0, step: float = 0.02) -> bool:
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def corpus(d: Path, n: int = 30) -> list[Path]:
    """n small reports, and two first in walk order that take a second or more each to extract
    (a long appendix), so the pool is busy when the parent is killed."""
    files = write_reports(d / "b", n)
    filler = "".join(f"附件第{i}行：本机关依法办理政府信息公开事项{i}件。\n" for i in range(40000))
    slow = []
    for i, year in enumerate((2021, 2022)):
        p = d / "a" / f"slow{i}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(sample_text().replace("2020", str(year)) + filler, encoding="utf-8")
        slow.append(p)
    return slow + files


def n_reports(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        con.close()


def test_kill_parent_of_two_worker_ingest_then_ingest_again(tmp_path):
    files = corpus(tmp_path / "in")
    db = tmp_path / "wh.duckdb"
    cmd = [*XXGK, "ingest", str(tmp_path / "in"), "--db", str(db), "--workers", "2", "--commit-every", "1", "--json"]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: len(children(first.pid)) >= 2 or first.poll() is not None)
        workers = children(first.pid)
        assert first.poll() is None and len(workers) >= 2, "the pool should be extracting the slow files"
        os.kill(first.pid, signal.SIGKILL)  # the parent only, as the out-of-memory killer does
        first.wait()
        # The workers follow their parent at once (they used to live on, holding the lock, forever).
        assert wait_until(lambda: not any(alive(w) for w in workers), bound=60)
        holder = lock_holder(db)
        assert holder is not None and holder["pid"] == first.pid  # the dead writer is on record

        second = subprocess.run(
            [*XXGK, "ingest", str(tmp_path / "in"), "--db", str(db), "--workers", "2", "--wait", "60", "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert second.returncode == 0, second.stderr
        out = json.loads(second.stdout.strip().splitlines()[-1])
        assert sorted(out["loaded"] + out["unchanged"]) == sorted(map(str, files))
        assert out["failed"] == []
        assert f"writer pid {first.pid} (xxgk ingest, since " in second.stderr
        assert "stopped before finishing; removed its unfinished wh.duckdb.next" in second.stderr
        assert n_reports(db) == len(files)
        assert lock_holder(db) is None  # a writer that finishes leaves no record behind
        assert not sidecar(db, ".next").exists()
    finally:
        if first.poll() is None:
            first.kill()


def test_stale_lock_and_next_of_a_dead_writer_cleared(tmp_path):
    files = write_reports(tmp_path / "in", 2)
    db = tmp_path / "wh.duckdb"
    ingest([files[0]], db=db, progress=False)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a PID that no longer runs
    sidecar(db, ".lock").write_text(
        json.dumps({"pid": dead.pid, "command": "xxgk ingest", "started": "2026-01-02T03:04:05"}), encoding="utf-8"
    )
    sidecar(db, ".next").write_bytes(b"half-written")
    sidecar(db, ".next.wal").write_bytes(b"junk")
    log: list[str] = []
    with open_writer(db, log=log.append) as w:
        assert lock_holder(db)["pid"] == os.getpid()
        assert w.con.execute("SELECT count(*) FROM reports").fetchone()[0] == 1  # W itself untouched
    assert log == [
        (
            f"xxgk: {db}: writer pid {dead.pid} (xxgk ingest, since 2026-01-02 03:04:05) stopped before finishing; "
            f"removed its unfinished wh.duckdb.next (wh.duckdb is as of its last publish)"
        )
    ]
    assert lock_holder(db) is None and not sidecar(db, ".next.wal").exists()
    res = ingest(files, db=db, progress=False)
    assert res.loaded == [str(files[1])] and res.unchanged == [str(files[0])]


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_pool_workers_do_not_hold_the_lock(tmp_path):
    """A worker forked while the lock is held does not keep it once the writer lets go. The test ends the pool's
    worker, and only it: killing every child of this process also killed what the session keeps there (the e2e
    tests' Playwright driver and their server's make, when xdist ran them on this worker first), and the suite
    printed "Future exception was never retrieved (Connection closed while reading from the driver)" at
    teardown. A bystander child started first must outlive the test."""
    db = tmp_path / "wh.duckdb"
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    before = children(os.getpid())
    assert bystander.pid in before
    pool = extraction_pool(1)
    try:
        with open_writer(db):
            busy = pool.submit(_sleep, 30)  # the worker is forked here, with the lock held
            assert wait_until(lambda: bool(children(os.getpid()) - before), bound=60)
        with open_writer(db, wait=0):  # the worker still runs; the lock is free
            assert not busy.done()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for pid in children(os.getpid()) - before:  # the pool's worker, not the session's other children
            os.kill(pid, signal.SIGKILL)
    try:
        assert bystander.poll() is None, "the test killed a child process that is not the pool's"
    finally:
        bystander.kill()
        bystander.wait()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pipelines.warehouse.db import open_writer
    with open_writer(sys.argv[1], command="xxgk ingest big-folder"):
        print("holding", flush=True)
        time.sleep(600)
    """
)


def test_waiting_for_a_live_writer_says_so_and_gives_up(tmp_path):
    files = write_reports(tmp_path / "in", 2)
    db = tmp_path / "wh.duckdb"
    ingest([files[0]], db=db, progress=False)
    rid = duckdb.connect(str(db), read_only=True).execute("SELECT report_id FROM reports").fetchone()[0]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        r = subprocess.run(
            [*XXGK, "ingest", str(files[1]), "--db", str(db), "--wait", "0.5"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert r.returncode == 3
        who = f"pid {holder.pid} (xxgk ingest big-folder, since "
        lines = r.stderr.strip().splitlines()
        assert lines[0].startswith(f"xxgk: {db} is being written by {who}") and lines[0].endswith(
            "; waiting up to 0.5 s"
        )
        assert lines[-1].startswith(f"xxgk ingest: {db}: still being written by {who}")
        assert lines[-1].endswith(" after 0.5 s; not written")

        c = subprocess.run(
            [*XXGK, "correct", rid, "table3.new_received.total", "9", "--reason", "r", "--db", str(db), "--wait", "0"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert c.returncode == 3 and f"xxgk correct: {db}: still being written by {who}" in c.stderr

        with pytest.raises(WarehouseBusy):
            ingest([files[1]], db=db, progress=False, wait=0)
    finally:
        holder.kill()  # dies holding the lock: the next writer says so and goes on
        holder.wait()
    log: list[str] = []
    with open_writer(db, wait=60, log=log.append):
        pass
    assert len(log) == 1 and f"writer pid {holder.pid} (xxgk ingest big-folder, since " in log[0]
    assert n_reports(db) == 1
