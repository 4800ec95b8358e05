"""xxgk ingest over batches with bad files, reruns, replacements; the CLI's JSON and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.report import NUMBER, CellValue, Report
from pipelines.warehouse.ingest import Progress, ingest

from .ingest_synth import SAMPLE, report_text, sample_text, write_reports

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} absent (../shared not beside the repo)"),
]
XXGK = Path(sys.executable).parent / "xxgk"


def q(db: Path, sql: str, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def parser_ready() -> bool:
    from pipelines.extract import extract_file

    return extract_file(SAMPLE).agency is not None


@pytest.fixture
def batch(tmp_path):
    """3 good reports, a duplicate of one, and one bad file of each kind. Returns (dir, goods, bads)."""
    d = tmp_path / "batch"
    goods = write_reports(d, 3)
    (d / "zz_copy_of_0000.txt").write_bytes(goods[0].read_bytes())
    bads = {
        "empty": d / "empty.txt",
        "random": d / "random.bin",
        "loop": d / "sub" / "loop",  # directory symlink back to its parent: must not hang
        "dangling": d / "dangling.html",  # cannot be opened (root ignores chmod 000, so this stands in)
        "fifo": d / "pipe.txt",  # opening a FIFO would block: refused as not a regular file
    }
    bads["empty"].write_bytes(b"")
    bads["random"].write_bytes(bytes((i * 97 + 13) % 256 for i in range(4000)))
    (d / "sub").mkdir()
    write_reports(d / "sub", 1, year=2019)  # a good file in a subfolder, beside the loop
    os.symlink(d / "sub", bads["loop"])
    os.symlink(d / "nowhere.html", bads["dangling"])
    os.mkfifo(bads["fifo"])
    (d / ".hidden.txt").write_text("skipped")  # not a candidate report: 'skipped', never a failure
    goods.append(d / "sub" / "0000.txt")
    return d, goods, bads


@pytest.mark.parametrize("workers", [1, 2])
def test_every_bad_file_is_one_failure_and_every_good_file_loads(batch, tmp_path, workers):
    d, goods, bads = batch
    db = tmp_path / "wh.duckdb"
    res = ingest([d], db=db, dataset="t", workers=workers, progress=False)
    assert sorted(res.loaded) == sorted(map(str, goods))
    assert res.unchanged == [str(d / "zz_copy_of_0000.txt")]  # identical bytes under a second name
    failed = dict(res.failed)
    assert sorted(failed) == sorted(map(str, bads.values()))
    for path, err in res.failed:
        assert path in err and "\n" not in err
    assert "symlink loop" in failed[str(bads["loop"])]
    assert "not a regular file" in failed[str(bads["fifo"])]
    assert res.skipped == [(str(d / ".hidden.txt"), "hidden file")]
    assert q(db, "SELECT count(*), count(DISTINCT source_path) FROM reports") == [(4, 4)]
    assert q(db, "SELECT outcome, count(*) FROM ingest_files GROUP BY ALL ORDER BY ALL") == [
        ("failed", 5),
        ("loaded", 4),
        ("skipped", 1),
        ("unchanged", 1),
    ]
    assert q(db, "SELECT n_loaded, n_unchanged, n_failed, finished_at IS NOT NULL FROM ingest_runs") == [
        (4, 1, 5, True)
    ]
    assert not (tmp_path / "wh.duckdb.next").exists()


@pytest.mark.skipif("not parser_ready()", reason="the parser is still a placeholder: it accepts any text")
def test_a_non_report_page_is_a_failure(tmp_path):
    page = tmp_path / "news.html"
    page.write_text(
        "<html><head><title>区政府召开常务会议</title></head><body><p>会议研究了近期工作。</p></body></html>",
        encoding="utf-8",
    )
    res = ingest([page], db=tmp_path / "wh.duckdb", progress=False)
    assert len(res.failed) == 1 and str(page) in res.failed[0][1] and res.loaded == []


def test_rerun_is_idempotent(tmp_path):
    d = tmp_path / "in"
    files = write_reports(d, 5)
    db = tmp_path / "wh.duckdb"
    first = ingest([d], db=db, progress=False)
    assert len(first.loaded) == 5
    counts = q(
        db,
        "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM cells),"
        " (SELECT count(*) FROM report_facts), (SELECT count(*) FROM report_texts)",
    )
    second = ingest([d], db=db, progress=False)
    assert second.loaded == [] and second.failed == [] and sorted(second.unchanged) == sorted(map(str, files))
    assert (
        q(
            db,
            "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM cells),"
            " (SELECT count(*) FROM report_facts), (SELECT count(*) FROM report_texts)",
        )
        == counts
    )
    assert q(db, "SELECT run_id, n_loaded, n_unchanged FROM ingest_runs ORDER BY run_id") == [(1, 5, 0), (2, 0, 5)]


def test_a_changed_file_for_the_same_agency_and_year_replaces(tmp_path, monkeypatch):
    """The extractor is swapped for one returning fixed identities, so this holds whatever the parser does."""
    import pipelines.extract
    import pipelines.warehouse.load as load_mod

    def fake_extract(data: bytes, source: str, sha256: str | None = None) -> Report:
        import hashlib

        n = int(data.decode().split()[1])
        r = Report(source=source, sha256=hashlib.sha256(data).hexdigest(), format="txt", agency="某局", year=2020)
        r.table3 = {"new_received": [CellValue(n, str(n), NUMBER)] * 7}
        return r

    monkeypatch.setattr(pipelines.extract, "extract_bytes", fake_extract)
    monkeypatch.setattr(load_mod, "_resolver", lambda: None)
    db = tmp_path / "wh.duckdb"
    (tmp_path / "a.txt").write_text("v1 5")
    assert ingest([tmp_path / "a.txt"], db=db, progress=False).loaded == [str(tmp_path / "a.txt")]
    (tmp_path / "a.txt").write_text("v2 7")  # corrected republication of the same report
    res = ingest([tmp_path / "a.txt"], db=db, progress=False)
    assert res.replaced == [str(tmp_path / "a.txt")] and res.loaded == res.replaced
    assert q(db, "SELECT count(*), any_value(new_received) FROM reports JOIN report_facts USING (report_id)") == [
        (1, 7.0)
    ]
    assert q(db, "SELECT count(*), any_value(agency_id), any_value(year) FROM replacements") == [(1, "某局", 2020)]
    assert q(db, "SELECT outcome FROM ingest_files WHERE run_id = 2") == [("replaced",)]


def test_cli_json_is_the_last_line_and_exit_codes(batch, tmp_path, capsys):
    d, goods, bads = batch
    db = tmp_path / "wh.duckdb"
    assert main(["ingest", str(goods[1]), "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out == {
        "loaded": [str(goods[1])],
        "unchanged": [],
        "replaced": [],
        "reextracted": [],
        "failed": [],
        "skipped": [],
    }

    missing = tmp_path / "no-such-file.pdf"
    assert main(["ingest", str(goods[1]), str(missing), str(bads["empty"]), "--db", str(db), "--json"]) == 1
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["unchanged"] == [str(goods[1])] and out["loaded"] == []
    assert [f["path"] for f in out["failed"]] == [str(missing), str(bads["empty"])]
    assert all(f["path"] in f["error"] for f in out["failed"])

    assert main(["ingest", "--db", str(db)]) == 2  # no paths
    assert main(["ingest", str(goods[1]), "--bogus"]) == 2  # unknown option
    assert main(["ingest", str(goods[1]), "--workers", "0"]) == 2
    capsys.readouterr()

    assert main(["ingest", str(goods[2]), "--db", str(db)]) == 0  # human summary
    assert "loaded 1, replaced 0, reextracted 0, unchanged 0, failed 0, skipped 0" in capsys.readouterr().out


def test_cli_subprocess_json_contract(batch, tmp_path):
    d, goods, bads = batch
    db = tmp_path / "wh.duckdb"
    p = subprocess.run(
        [str(XXGK), "ingest", str(d), "--db", str(db), "--json", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert sorted(out["loaded"]) == sorted(map(str, goods))
    assert sorted(f["path"] for f in out["failed"]) == sorted(map(str, bads.values()))
    assert p.stderr == ""  # no progress bar when stderr is not a terminal
    p = subprocess.run(
        [str(XXGK), "ingest", str(goods[0]), "--db", str(db), "--json"], capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0 and json.loads(p.stdout.splitlines()[-1])["unchanged"] == [str(goods[0])]
    p = subprocess.run([str(XXGK), "ingest"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "PATH" in p.stderr


def test_progress_bar_counts(tmp_path):
    import io

    s = io.StringIO()
    bar = Progress(total=3, enabled=True, stream=s)
    for outcome in ("loaded", "replaced", "failed"):
        bar.update(outcome)
    bar.close()
    last = s.getvalue().split("\r")[-1]
    assert "3/3" in last and "loaded 2 unchanged 0 failed 1" in last and "files/s" in last


def test_the_warehouse_inside_the_input_folder_is_skipped(tmp_path):
    write_reports(tmp_path, 2)
    db = tmp_path / "wh.duckdb"
    ingest([tmp_path], db=db, progress=False)
    res = ingest([tmp_path], db=db, progress=False)  # wh.duckdb and wh.duckdb.lock are now in the folder
    assert res.failed == [] and len(res.unchanged) == 2


def test_synthetic_reports_differ_in_agency_and_year():
    t = sample_text()
    a = report_text(t, "老城区财政局", 2019)
    assert "老城区财政局2019年政府信息公开工作年度报告" in a and "2020" not in a


def test_a_parser_crash_or_an_oversized_file_fails_that_file_only(tmp_path, monkeypatch):
    import pipelines.extract

    files = write_reports(tmp_path / "in", 3)
    real = pipelines.extract.extract_bytes

    def flaky(data: bytes, source: str, sha256: str | None = None):
        if source.endswith("0001.txt"):
            raise ZeroDivisionError("bug in the parser")
        return real(data, source, sha256)

    monkeypatch.setattr(pipelines.extract, "extract_bytes", flaky)
    big = tmp_path / "in" / "big.txt"
    big.write_bytes(b"x" * 50_000)  # the reports are ~6 kB
    res = ingest([tmp_path / "in"], db=tmp_path / "wh.duckdb", progress=False, limits={"max_bytes": 20_000})
    assert sorted(res.loaded) == [str(files[0]), str(files[2])]
    errors = dict(res.failed)
    assert "ZeroDivisionError: bug in the parser" in errors[str(files[1])] and str(files[1]) in errors[str(files[1])]
    assert f"{big}: file is 50000 bytes, over the 20000 bytes limit" == errors[str(big)]


def test_time_limit_inside_a_reader_is_reported_as_such(monkeypatch):
    """The per-file time limit fires wherever the extraction is, even inside a reader's catch-all."""
    import time as _time

    # imported now: the limit must fire inside the reader, not in an import
    import pipelines.checks
    import pipelines.parse  # noqa: F401
    from pipelines import readers  # noqa: F401
    from pipelines.readers import text as text_reader
    from pipelines.warehouse.ingest import extract_job

    def slow(*args, **kwargs):
        _time.sleep(30)

    monkeypatch.setattr(text_reader, "read_plain", slow)
    status, msg = extract_job("一、总体情况\n本年收到申请1件。\n".encode(), "slow.txt", 0.2)
    assert (status, msg) == ("err", "slow.txt: extraction took longer than 0.2 s; skipped")
