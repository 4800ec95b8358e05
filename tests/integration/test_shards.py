"""Parquet shards: `xxgk ingest --shards DIR` writes them, `xxgk load-shards DIR` loads them into a
warehouse identical to the ingest's own, a rerun writes nothing again, DuckDB reads them by glob."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse import ingest as ingest_mod
from pipelines.warehouse.ingest import ingest
from tests.conftest import REAL_REPORTS

from .realcopies import write_copies
from .test_ingest_cluster import content

pytestmark = pytest.mark.skipif(not REAL_REPORTS.is_dir(), reason=f"../shared is absent ({REAL_REPORTS})")
XXGK = Path(sys.executable).parent / "xxgk"


@pytest.mark.slow
def test_shards_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_mod, "LOAD_BATCH", 64)  # a shard a batch: two shards, as a bigger corpus makes many
    src = tmp_path / "files"
    write_copies(src, 90)  # 90 files: two batches of 64 extracted reports, replacements and byte copies among them
    (src / "junk.txt").write_text("not a report", encoding="utf-8")
    shards, db = tmp_path / "shards", tmp_path / "ingest.duckdb"
    r = ingest([src], db=db, progress=False, shards=shards)
    assert [p for p, _ in r.failed] == [str(src / "junk.txt")]
    names = sorted(p.name for p in (shards / "reports").glob("*.parquet"))
    assert len(names) == 2 and names[0].startswith("000000000-") and names[1].startswith("000000064-")
    for t in ("cells", "findings", "texts"):
        assert sorted(p.name for p in (shards / t).glob("*.parquet")) == names

    # DuckDB (or any Parquet reader) reads them directly: every report of the warehouse, with its cells.
    con = duckdb.connect()
    con.execute(f"ATTACH '{db}' AS w (READ_ONLY)")
    glob = str(shards / "{}" / "*.parquet")
    n_rows = con.execute(f"SELECT count(*) FROM read_parquet('{glob.format('reports')}')").fetchone()[0]
    assert n_rows >= len(r.loaded) > 60
    missing = con.execute(
        f"SELECT count(*) FROM w.reports WHERE report_id NOT IN (SELECT report_id FROM read_parquet('{glob.format('reports')}'))"
    ).fetchone()[0]
    assert missing == 0
    cells_differ = con.execute(
        f"SELECT count(*) FROM (SELECT * FROM w.cells EXCEPT SELECT * FROM read_parquet('{glob.format('cells')}'))"
    ).fetchone()[0]
    assert cells_differ == 0
    assert con.execute("SELECT count(*) FROM w.replacements").fetchone()[0] > 0
    con.close()

    # load-shards into a fresh warehouse: the same content as the ingest itself made
    db2 = tmp_path / "shards.duckdb"
    out = subprocess.run(
        [str(XXGK), "load-shards", str(shards), "--db", str(db2), "--json"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    # the same loads and replacements; a file whose bytes the warehouse already held when the ingest met
    # it was settled without extraction, so it is in no shard (its report is, under its first path)
    assert (res["loaded"], res["replaced"], res["failed"]) == (r.loaded, r.replaced, [])
    assert set(res["unchanged"]) <= set(r.unchanged)
    got, want = content(db2), content(db)
    for table in ("reports", "cells", "findings", "report_facts", "report_texts", "replacements"):
        assert got[table] == want[table], table

    # loading them again ends in the same warehouse; ingesting the same files again writes no shard again
    again = subprocess.run(
        [str(XXGK), "load-shards", str(shards), "--db", str(db2), "--json"], capture_output=True, text=True, check=False
    )
    res2 = json.loads(again.stdout.strip().splitlines()[-1])
    # (as with the files themselves: a report another one replaced loads again, and is replaced again)
    assert res2["failed"] == [] and len(res2["unchanged"]) > 40
    got2 = content(db2)
    for table in ("reports", "cells", "findings", "report_facts", "report_texts"):
        assert got2[table] == want[table], table
    before = {p: p.stat().st_mtime_ns for p in shards.rglob("*.parquet")}
    ingest([src], db=tmp_path / "fresh.duckdb", progress=False, shards=shards)
    assert {p: p.stat().st_mtime_ns for p in shards.rglob("*.parquet")} == before


def test_load_shards_without_shards(tmp_path):
    out = subprocess.run(
        [str(XXGK), "load-shards", str(tmp_path), "--db", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (out.returncode, out.stderr) == (2, f"xxgk load-shards: {tmp_path}: no shards here (no reports/ folder)\n")
