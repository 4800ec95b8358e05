"""`xxgk ingest` of a folder that also holds companions (truth JSON, README/SOURCES notes, hidden files):
they are skipped with a reason, not failed, and the run exits 0 when every report loaded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from pipelines.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "xigong-commerce-2020.txt"


def test_companions_are_skipped_not_failed(tmp_path, capsys):
    d = tmp_path / "reports"
    (d / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE, d / "xigong.txt")
    shutil.copy(SAMPLE.with_name("xigong-commerce-2020.truth.json"), d / "xigong.truth.json")
    (d / "README.md").write_text("# 说明\n这些是年报。\n", encoding="utf-8")
    (d / "sub" / "SOURCES.md").write_text("来源：某网站\n", encoding="utf-8")
    (d / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (d / "broken.txt").write_text("这不是一份年报。\n", encoding="utf-8")
    db = tmp_path / "wh.duckdb"

    rc = main(["ingest", str(d), "--db", str(db), "--json"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert rc == 1, "the one real failure (broken.txt) still fails the run"
    assert [Path(p).name for p in out["loaded"]] == ["xigong.txt"]
    assert [Path(f["path"]).name for f in out["failed"]] == ["broken.txt"]
    skipped = {Path(s["path"]).name: s["reason"] for s in out["skipped"]}
    assert set(skipped) == {".DS_Store", "README.md", "SOURCES.md", "xigong.truth.json"}
    assert "truth" in skipped["xigong.truth.json"] and "hidden" in skipped[".DS_Store"]

    (d / "broken.txt").unlink()
    rc = main(["ingest", str(d), "--db", str(db)])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "unchanged 1, failed 0, skipped 4" in text
    assert "skipped 1: hand-checked truth of a report: xigong.truth.json" in text
    assert "README.md" in text and "SOURCES.md" in text
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT outcome, count(*) FROM ingest_files WHERE run_id = 2 GROUP BY 1 ORDER BY 1").fetchall()
    con.close()
    assert rows == [("skipped", 4), ("unchanged", 1)]
