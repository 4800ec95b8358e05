"""`xxgk entities --unresolved` lists what a person must settle; `xxgk entities NAME` shows one."""

from __future__ import annotations

from pipelines.cli import main
from pipelines.report import Report
from pipelines.warehouse.db import open_writer
from pipelines.warehouse.load import load_report


def _r(agency, year, sha, region=None):
    r = Report(source=sha, sha256=sha, format="txt", agency=agency, year=year, template="2021")
    if region:
        r.region = region
    return r


def test_unresolved_listing(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    with open_writer(db) as w:
        for r in (
            _r("西工区商务局", 2022, "a" * 64),
            _r("鼓楼区商务局", 2022, "b" * 64),
            _r("鼓楼区商务局", 2023, "c" * 64),
            _r("商务局", 2023, "d" * 64),
            _r("鼓楼区财政局", 2023, "e" * 64, {"province": "福建省", "city": "福州市", "county": "鼓楼区"}),
        ):
            load_report(w.con, r, dataset="t", source_path=r.source, sha256=r.sha256)
    capsys.readouterr()
    assert main(["entities", "--unresolved", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "2 unresolved"
    assert out[0].startswith("unknown   商务局  [1 reports, 2023–2023]")
    assert out[1].startswith("ambiguous 鼓楼区商务局  [2 reports, 2022–2023]") and "南京市" in out[1]
    assert not any("西工区" in line or "财政局" in line for line in out)


def test_resolve_one(capsys):
    assert main(["entities", "沐阳县人民政府"]) == 0
    out = capsys.readouterr().out
    assert "321322-人民政府" in out and "沭阳县" in out and "宿迁市" in out
    assert main(["entities", "鼓楼区商务局"]) == 1
