"""Datasets are never mixed silently: the same file (same SHA-256) loaded into two datasets is one report and
counts once wherever datasets are combined."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from pipelines import read
from pipelines.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "xigong-commerce-2020.txt"


def test_same_file_in_two_datasets_counts_once(tmp_path, capsys):
    db = tmp_path / "wh.duckdb"
    for ds in ("first", "second"):
        d = tmp_path / ds
        d.mkdir()
        (d / f"copy-{ds}.txt").write_bytes(SAMPLE.read_bytes())
        assert main(["ingest", str(d), "--db", str(db), "--dataset", ds, "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [Path(p).name for p in out["unchanged"]] == ["copy-second.txt"], "the second copy is the same report"
    con = duckdb.connect(str(db), read_only=True)
    try:
        sha = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
        assert con.execute("SELECT report_id, dataset FROM reports").fetchall() == [(sha, "first")]
        both = read.aggregate(con, read.Filters(datasets=("first", "second")), ["reports", "applications"], ())
        one = read.aggregate(con, read.Filters(datasets=("first",)), ["reports", "applications"], ())
        assert both["value"].to_list() == one["value"].to_list()
        assert both.filter(both["measure"] == "reports")["value"].to_list() == [1]
    finally:
        con.close()
