"""Every CSV the app offers for download neutralises cells a spreadsheet would run as formulas
(names beginning with = + - @ or a tab), on a warehouse whose names were made hostile."""

from __future__ import annotations

import io
import shutil

import duckdb
import polars as pl
import pytest
from conftest import assert_ok, run_page

HOSTILE_COUNTY = "=HYPERLINK(1)"
HOSTILE_AGENCY = "@SUM(A1)局"


@pytest.fixture(scope="module")
def hostile_db(warehouse, tmp_path_factory):
    from pipelines.warehouse.aggregates import refresh_aggregates

    p = tmp_path_factory.mktemp("csv") / "xxgk.duckdb"
    shutil.copy(warehouse, p)  # the session's warehouse, copied: it stays as it is for other tests
    con = duckdb.connect(str(p))
    county = con.execute("SELECT county FROM reports WHERE county IS NOT NULL ORDER BY county LIMIT 1").fetchone()[0]
    con.execute("UPDATE reports SET county = ? WHERE county = ?", [HOSTILE_COUNTY, county])
    aid = con.execute(  # an agency with findings: it is then in the quality page's findings list too
        "SELECT r.agency_id FROM reports r JOIN findings f USING (report_id) WHERE f.severity = 'error' "
        "AND r.county IS NOT NULL ORDER BY 1 LIMIT 1"
    ).fetchone()[0]
    con.execute("UPDATE reports SET agency_name = ? WHERE agency_id = ?", [HOSTILE_AGENCY, aid])
    refresh_aggregates(con)
    con.execute("CHECKPOINT")
    con.close()
    return p


@pytest.fixture()
def downloads(hostile_db, monkeypatch):
    from streamlit.runtime import media_file_manager as mfm

    monkeypatch.setenv("XXGK_DB", str(hostile_db))
    captured: dict[str, bytes] = {}
    orig = mfm.MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name and file_name.endswith(".csv"):
            captured[file_name] = data if isinstance(data, bytes) else data.encode("utf-8")
        return orig(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(mfm.MediaFileManager, "add", add)
    return captured


def _csv(data: bytes) -> pl.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")
    # the header block (# lines: the view's filters) first, then the table
    return pl.read_csv(io.BytesIO(data[3:]), infer_schema_length=0, comment_prefix="#")


def test_compare_csv(downloads):
    at = run_page("compare", ent=[HOSTILE_COUNTY], m=["applications"])
    assert_ok(at)
    (data,) = [v for k, v in downloads.items() if k.startswith("xxgk-compare-detail")]
    got = _csv(data)
    # the entity column is named by the level compared (区县 for districts)
    assert set(got["区县"].to_list()) == {"'" + HOSTILE_COUNTY}
    assert got.height > 0
    # the header block names the hostile county inside a '#' line (one cell that starts with #); the rows
    # hold it neutralised
    for line in data[3:].decode().splitlines():
        if HOSTILE_COUNTY in line:
            assert line.startswith("# ") or "'" + HOSTILE_COUNTY in line, line


def test_quality_csv(downloads):
    at = run_page("quality")
    assert_ok(at)
    (data,) = [v for k, v in downloads.items() if k.startswith("xxgk-quality-findings")]
    got = _csv(data)
    names = set(got["机关"].to_list())
    assert "'" + HOSTILE_AGENCY in names and HOSTILE_AGENCY not in names
    assert "'" + HOSTILE_COUNTY in set(got["区县"].to_list())


def test_checks_csv(downloads, monkeypatch):
    from pipelines import quality

    orig = quality.catalogue_frame

    def hostile_catalogue():
        cat = orig()
        return cat.with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("-1+1")).otherwise("title_zh").alias("title_zh"),
            pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("=1+1")).otherwise("title_en").alias("title_en"),
        )

    monkeypatch.setattr(quality, "catalogue_frame", hostile_catalogue)
    at = run_page("checks")
    assert_ok(at)
    got = _csv(downloads["xxgk_checks.csv"])
    assert got["检查"][0] == "'-1+1"  # the Chinese UI's export (its title column)
    downloads.clear()
    at = run_page("checks", lang="en")
    assert_ok(at)
    got = _csv(downloads["xxgk_checks.csv"])
    assert got["Check"][0] == "'=1+1"  # the English UI's export (its title column)
