"""Crash safety and concurrency of `xxgk ingest`, with real subprocesses.

- SIGKILL at random moments: W always opens and holds whole reports only; a rerun finishes the job
  with every file loaded exactly once.
- A reader process holding W open read-only never blocks the ingest and never errors; after
  reopening it sees the new count.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.db import snapshot_token

from .ingest_synth import SAMPLE, write_reports

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} absent (../shared not beside the repo)"),
]
XXGK = Path(sys.executable).parent / "xxgk"


def expected_cells(path: Path) -> int:
    """Cells one of these synthetic reports must have, from extracting it directly."""
    from pipelines.extract import extract_file

    r = extract_file(path)
    return len(r.table2) + sum(min(7, len(row)) for row in r.table3.values()) + min(15, len(r.table4))


def check_whole_reports(db: Path, n_cells: int) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM reports").fetchone()[0]
        bad = con.execute(
            "SELECT r.report_id, (SELECT count(*) FROM cells c WHERE c.report_id = r.report_id) AS nc,"
            " (SELECT count(*) FROM report_facts f WHERE f.report_id = r.report_id) AS nf,"
            " (SELECT count(*) FROM report_texts t WHERE t.report_id = r.report_id) AS nt"
            " FROM reports r WHERE nc <> ? OR nf <> 1 OR nt <> 1",
            [n_cells],
        ).fetchall()
        assert bad == [], f"half-written reports in {db}: {bad[:3]}"
        orphans = con.execute(
            "SELECT count(*) FROM cells WHERE report_id NOT IN (SELECT report_id FROM reports)"
        ).fetchone()[0]
        assert orphans == 0
        return n
    finally:
        con.close()


def test_sigkill_at_random_moments_never_corrupts_and_a_rerun_completes(tmp_path):
    files = write_reports(tmp_path / "in", 60)
    n_cells = expected_cells(files[0])
    db = tmp_path / "wh.duckdb"
    rng = random.Random(20261127)
    cmd = [str(XXGK), "ingest", str(tmp_path / "in"), "--db", str(db), "--commit-every", "4", "--json"]
    seen = []
    nxt = tmp_path / "wh.duckdb.next"
    for i in range(5):
        stale = snapshot_token(nxt)  # a killed run leaves W.next behind; the next writer replaces it
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Random moments within the work, not within interpreter start-up (slow on a loaded machine):
        # the clock starts when the writer has opened a fresh W.next; the first time, when it has
        # published once, so that some progress exists to be kept.
        deadline = time.monotonic() + 60
        while (
            (snapshot_token(nxt) in ((), stale) or (i == 0 and not db.exists()))
            and p.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.01)
        time.sleep(rng.uniform(0.3, 3.0))
        p.send_signal(signal.SIGKILL)
        p.wait(30)
        if db.exists():
            seen.append(check_whole_reports(db, n_cells))
    # Progress survived the kills (commit every 4 files), and never went backwards.
    assert seen and seen == sorted(seen) and seen[-1] > 0, seen
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["failed"] == [] and len(out["loaded"]) + len(out["unchanged"]) == 60
    assert len(out["unchanged"]) == seen[-1]  # what the kills kept is not redone
    assert check_whole_reports(db, n_cells) == 60
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(DISTINCT source_path), count(DISTINCT sha256) FROM reports").fetchone() == (60, 60)
    con.close()
    assert not nxt.exists()


READER = textwrap.dedent("""
    import sys, time, pathlib
    from pipelines.warehouse.db import connect_read, snapshot_token
    db, stop = sys.argv[1], pathlib.Path(sys.argv[2])
    con, token = connect_read(db), snapshot_token(db)
    counts, queries = [], 0
    while not stop.exists():
        counts.append(con.execute("SELECT count(*) FROM v_report_summary").fetchone()[0])
        queries += 1
        if snapshot_token(db) != token:  # a writer published: close first, then reopen
            con.close()
            con, token = connect_read(db), snapshot_token(db)
        time.sleep(0.02)
    # one more read through the connection the loop kept: under load the whole ingest can fall between
    # two polls, and the reopen after its publication must still show the new reports
    if snapshot_token(db) != token:
        con.close()
        con = connect_read(db)
    counts.append(con.execute("SELECT count(*) FROM v_report_summary").fetchone()[0])
    con.close()
    con = connect_read(db)
    final = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    print(queries, len(set(counts)), final)
""")


def test_a_reader_holding_w_open_never_blocks_the_ingest(tmp_path):
    write_reports(tmp_path / "first", 10)
    write_reports(tmp_path / "second", 20, year=2019)
    db = tmp_path / "wh.duckdb"
    from pipelines.warehouse.ingest import ingest

    assert len(ingest([tmp_path / "first"], db=db, progress=False).loaded) == 10
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(stop)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(1.0)  # the reader has W open before the writer starts
    assert reader.poll() is None
    ingest = subprocess.run(
        [str(XXGK), "ingest", str(tmp_path / "second"), "--db", str(db), "--commit-every", "5", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    stop.touch()
    out, err = reader.communicate(timeout=60)
    assert ingest.returncode == 0, ingest.stderr
    assert len(json.loads(ingest.stdout.splitlines()[-1])["loaded"]) == 20
    assert reader.returncode == 0, err
    queries, distinct_counts, final = map(int, out.split())
    assert queries > 10 and final == 30
    assert distinct_counts >= 2  # it saw the publication without reopening the file by hand
