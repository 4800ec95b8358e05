"""`xxgk ingest --cluster`: extraction on a real Dask cluster gives the warehouse a local ingest gives.

A scheduler and two workers run as processes of their own (`dask scheduler`, `dask worker
--no-nanny`, as on two machines); one worker is SIGKILLed while it holds tasks, and Dask reruns them
on the other. Skips with a message without ../shared (the real reports) or without Dask.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.ingest import ingest
from tests.conftest import REAL_REPORTS

from .realcopies import write_copies

distributed = pytest.importorskip(
    "distributed", reason="Dask's distributed is not installed (pip install 'xxgk[cluster]')"
)
pytestmark = pytest.mark.skipif(
    not REAL_REPORTS.is_dir(), reason=f"../shared is absent ({REAL_REPORTS}): cluster ingest test skipped"
)
BIN = Path(sys.executable).parent
N_FILES = 300

# Everything a report is in the warehouse, less when and by which run it was loaded.
CONTENT = {
    "reports": "SELECT * EXCLUDE (ingested_at, run_id) FROM reports ORDER BY report_id",
    "cells": "SELECT * FROM cells ORDER BY report_id, table_no, row_key, col_key",
    "findings": "SELECT * FROM findings ORDER BY report_id, seq",
    "report_facts": "SELECT * FROM report_facts ORDER BY report_id",
    "report_texts": "SELECT report_id, md5(text) FROM report_texts ORDER BY report_id",
    "replacements": "SELECT old_report_id, new_report_id, agency_id, year, old_source_path, new_source_path"
    " FROM replacements ORDER BY new_report_id, old_report_id",
    "ingest_files": "SELECT path, sha256, outcome, error, report_id FROM ingest_files ORDER BY path",
}


def content(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in CONTENT.items()}
    finally:
        con.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def _stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)
    p.wait(timeout=30)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("copies")
    write_copies(src, N_FILES)
    return src


@pytest.fixture(scope="module")
def local_db(corpus, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("local") / "w.duckdb"
    r = ingest([corpus], db=db, progress=False)
    assert not r.failed
    return db


@pytest.mark.slow
def test_cluster_ingest_survives_a_lost_worker(corpus, local_db, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        _start(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        workers = [
            _start(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                tmp_path / f"worker{i}.log",
            )
            for i in range(2)
        ]
        procs += workers
        client = distributed.Client(address, timeout="60s")
        try:
            client.wait_for_workers(2, timeout=60)
            pids = client.run(os.getpid)  # worker address → pid
            by_pid = {w.pid: w for w in workers}
            db = tmp_path / "w.duckdb"
            run = subprocess.Popen(
                [str(BIN / "xxgk"), "ingest", str(corpus), "--db", str(db), "--cluster", address, "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            # Kill a worker while both hold tasks of this ingest, a moment into the run.
            victim, seen_busy, t_end = None, None, time.monotonic() + 120
            while victim is None and time.monotonic() < t_end and run.poll() is None:
                busy = [a for a, keys in client.processing().items() if keys]
                if len(busy) == 2 and seen_busy is None:
                    seen_busy = time.monotonic()
                if busy and seen_busy is not None and time.monotonic() - seen_busy > 0.5:
                    victim = busy[0]
                    by_pid[pids[victim]].send_signal(signal.SIGKILL)
                else:
                    time.sleep(0.05)
            assert victim is not None, "the ingest ended before a worker could be killed mid-run"
            out, err = run.communicate(timeout=300)
        finally:
            client.close()
        assert run.returncode == 0, err
        res = json.loads(out.strip().splitlines()[-1])
        assert res["failed"] == []
        assert by_pid[pids[victim]].wait(timeout=10) == -signal.SIGKILL
        assert sum(p.poll() is None for p in workers) == 1  # the ingest finished on the other worker
    finally:
        for p in reversed(procs):
            _stop(p)

    got, want = content(db), content(local_db)
    assert len(want["reports"]) > 150 and len(want["cells"]) > 150 * 150 and want["findings"] and want["replacements"]
    for table in CONTENT:
        if table == "ingest_files":  # outcomes per path, same in both
            continue
        assert got[table] == want[table], f"{table} differs from the local ingest's"
    assert got["ingest_files"] == want["ingest_files"]


def test_cluster_address_errors_are_one_line(tmp_path, corpus):
    for address, msg in (
        ("local:0", "--cluster local:0: N must be at least 1\n"),
        ("local:x", "--cluster local:x: expected local:N with N worker processes\n"),
    ):
        r = subprocess.run(
            [str(BIN / "xxgk"), "ingest", str(corpus), "--db", str(tmp_path / "w.duckdb"), "--cluster", address],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (r.returncode, r.stderr) == (2, "xxgk ingest: " + msg)
    assert not (tmp_path / "w.duckdb").exists()  # nothing touched


@pytest.mark.slow
def test_local_cluster_equals_local_ingest(corpus, local_db, tmp_path):
    """`local:2`: a LocalCluster of two processes, files sent as bytes; --shared: workers read the paths."""
    sub = sorted(sorted(corpus.iterdir())[0].iterdir())[:60]  # 60 files are enough here
    want_db = tmp_path / "local.duckdb"
    ingest(sub, db=want_db, progress=False)
    for shared in (False, True):
        db = tmp_path / f"cluster-{shared}.duckdb"
        r = ingest(sub, db=db, progress=False, cluster="local:2", shared=shared)
        assert not r.failed and len(r.loaded) > 40
        assert content(db) == content(want_db)
