"""A folder holding files whose names are not UTF-8 (GBK names unpacked from a Windows zip) beside good reports.

The rule (README, source_path): such a file is read by its real name and ingested like any other; its path is
stored and shown with each byte that is not UTF-8 written as \\xNN. Before, the run crashed at the end writing
ingest_files ("cannot encode str as UTF-8, surrogate ...")."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.read.reports import original_file
from pipelines.templates import TABLE3_COLUMN_LABELS

from .realcopies import REAL

GBK_REPORT = "洪泽".encode("gbk") + b".txt"  # b"\xba\xe9\xd4\xf3.txt": a real report under a GBK name
GBK_JUNK = "报告".encode("gbk") + b".txt"  # b"\xb1\xa8\xb8\xe6.txt": not a report, under a GBK name


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    try:
        fd = os.open(os.fsencode(d) + b"/" + GBK_REPORT, os.O_WRONLY | os.O_CREAT)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    os.write(fd, (REAL / "hongze-district-government-2023.txt").read_bytes())
    os.close(fd)
    with open(os.fsencode(d) + b"/" + GBK_JUNK, "wb") as f:
        f.write("这是一份会议通知，不是年度报告。\n".encode())
    (d / "pingtan-police-2021.txt").write_bytes((REAL / "pingtan-police-2021.txt").read_bytes())
    return d


def _table3_row(con, path: str, row: str) -> list[float | None]:
    cells = dict(
        con.execute(
            "SELECT c.col_key, c.value FROM cells c JOIN reports r USING (report_id)"
            " WHERE r.source_path = ? AND c.table_no = 3 AND c.row_key = ?",
            [path, row],
        ).fetchall()
    )
    return [cells.get(k) for k in TABLE3_COLUMN_LABELS]


def test_ingest_folder_with_gbk_names(folder: Path, tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "w.duckdb")
    shown_report = f"{folder}/\\xba\\xe9\\xd4\\xf3.txt"
    shown_junk = f"{folder}/\\xb1\\xa8\\xb8\\xe6.txt"
    good = str(folder / "pingtan-police-2021.txt")

    rc = main(["ingest", str(folder), "--db", db])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1  # one file is not a report
    assert out[0] == f"{db}: loaded 2, replaced 0, reextracted 0, unchanged 0, failed 1, skipped 0"
    assert out[1] == (
        f"  failed: {shown_junk}: not an annual report: no section 三 (收到和处理政府信息公开申请情况) "
        "or 四 (行政复议、行政诉讼) found"
    )
    assert len(out) == 2

    con = duckdb.connect(db, read_only=True)
    try:
        reports = dict(con.execute("SELECT source_path, agency_name FROM reports").fetchall())
        assert reports == {good: "平潭综合实验区公安局", shown_report: "洪泽区人民政府"}
        for path, stem in ((shown_report, "hongze-district-government-2023"), (good, "pingtan-police-2021")):
            truth = json.loads((REAL / f"{stem}.truth.json").read_text(encoding="utf-8"))["table3"]
            for row in ("new_received", "partial"):
                assert _table3_row(con, path, row) == truth[row], (stem, row)
        files = sorted(con.execute("SELECT path, outcome FROM ingest_files").fetchall())
        assert files == sorted([(good, "loaded"), (shown_report, "loaded"), (shown_junk, "failed")])
        sha = con.execute("SELECT sha256 FROM reports WHERE source_path = ?", [shown_report]).fetchone()[0]
    finally:
        con.close()
    # the stored path is lossless: the report page still serves the original file's bytes
    assert original_file(shown_report, sha) == (REAL / "hongze-district-government-2023.txt").read_bytes()

    # a second run: nothing lost, nothing read again
    assert main(["ingest", str(folder), "--db", db]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{db}: loaded 0, replaced 0, reextracted 0, unchanged 2, failed 1, skipped 0"
    )


def test_extract_gbk_name(folder: Path, capsys) -> None:
    report = os.fsdecode(os.fsencode(folder) + b"/" + GBK_REPORT)
    assert main(["extract", "--json", report]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["source"] == f"{folder}/\\xba\\xe9\\xd4\\xf3.txt"
    assert obj["agency"] == "洪泽区人民政府" and obj["year"] == 2023

    assert main(["extract", os.fsdecode(os.fsencode(folder) + b"/" + GBK_JUNK)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"xxgk extract: {folder}/\\xb1\\xa8\\xb8\\xe6.txt: not an annual report")
    assert err.count("\n") == 1
