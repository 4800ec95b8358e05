"""Ingest writes reports LOAD_BATCH at a time: the outcomes (and their order) and the warehouse are
those of loading one report at a time, duplicates, replacements and failures included."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse import ingest as ingest_mod
from pipelines.warehouse.ingest import ingest

from .ingest_synth import SAMPLE, agency, report_text, sample_text

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} absent")

TABLES = {
    "reports": "report_id, dataset, agency_id, year, source_path, status, n_findings",
    "cells": "report_id, table_no, row_key, col_key, value, raw, state",
    "findings": "report_id, seq, check_id, severity, location, message",
    "report_facts": "*",
    "report_texts": "*",
    "replacements": "old_report_id, new_report_id, agency_id, year, old_source_path, new_source_path, reason,"
    " old_extractor_version, new_extractor_version",
    "ingest_files": "path, sha256, outcome, error, report_id",
}


def corpus(d):
    """40 files in walk order: 30 agencies; files 30–34 repeat agencies 0–4 with other bytes
    (replacements, some within one batch of 8); 035 is a byte copy of 002, which 032 replaced
    (so it loads anew and replaces 032, while 032 still waits in the same batch); 036 copies
    033 and 037 copies 035 (both unchanged, their originals waiting in the batch); 038 is not a
    report; 039 cannot be written (see below)."""
    text = sample_text()
    d.mkdir()
    for i in range(30):
        (d / f"{i:03d}.txt").write_text(report_text(text, agency(i), 2020), encoding="utf-8")
    for i in range(30, 35):
        (d / f"{i:03d}.txt").write_text(report_text(text, agency(i - 30), 2020) + f"\n修订{i}\n", encoding="utf-8")
    for i, src in zip(range(35, 38), (2, 33, 35)):
        (d / f"{i:03d}.txt").write_bytes((d / f"{src:03d}.txt").read_bytes())
    (d / "038.txt").write_text("这不是年度报告。", encoding="utf-8")
    (d / "039.txt").write_text(report_text(text, "西工区无法入库局", 2020), encoding="utf-8")


def dump(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(map(repr, con.execute("SELECT " + c + " FROM " + t).fetchall())) for t, c in TABLES.items()}
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_batched_ingest_equals_one_at_a_time(tmp_path, monkeypatch, workers):
    import pipelines.warehouse.load as load_mod

    corpus(tmp_path / "in")
    real_cells = load_mod._add_cells

    def add_cells(cols, report_id, report):  # this one report cannot be written, in a batch or alone
        if report.agency and "无法入库" in report.agency:
            raise RuntimeError("cannot write this report")
        return real_cells(cols, report_id, report)

    monkeypatch.setattr(load_mod, "_add_cells", add_cells)
    results = {}
    for batch in (1, 8):
        monkeypatch.setattr(ingest_mod, "LOAD_BATCH", batch)
        db = tmp_path / f"w{batch}.duckdb"
        r = ingest([tmp_path / "in"], db=db, progress=False, workers=workers)
        results[batch] = (r.to_json(), dump(db))
    one, batched = results[1], results[8]
    assert batched[0] == one[0]  # loaded / unchanged / replaced / failed, in the same order
    assert batched[1] == one[1]
    out = one[0]
    name = [p.rsplit("/", 1)[1] for p in out["replaced"]]
    assert name == ["030.txt", "031.txt", "032.txt", "033.txt", "034.txt", "035.txt"]
    assert [p.rsplit("/", 1)[1] for p in out["unchanged"]] == ["036.txt", "037.txt"]
    assert [f["path"].rsplit("/", 1)[1] for f in out["failed"]] == ["038.txt", "039.txt"]
    assert "cannot load: RuntimeError: cannot write this report" in out["failed"][1]["error"]
