"""Exports reproduce the view: on every page, every table offered for download is exactly the table shown
(rows, columns, values), and its CSV / workbook / Parquet carry it with the view's filters, years, 口径,
datasets, generation time and link."""

from __future__ import annotations

import io
import math
import re

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest
from conftest import assert_ok, run_page

from pipelines import csvsafe
from tests.tables import shown_tables as page_tables

META_KEYS = {
    "页面",
    "页面链接",
    "生成时间",
    "数据集",
    "年度",
    "公开率口径",
    "区县",
    "机关",
    "最小样本量（分母低于此值标为样本不足）",
}


def _cell(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return round(float(v), 9)
    return str(v)


def rows_of(df) -> list[tuple]:
    """A polars or pandas frame as comparable rows (numbers as floats, NaN/None as None)."""
    if isinstance(df, pl.DataFrame):
        return [tuple(_cell(v) for v in r) for r in df.iter_rows()]
    return [tuple(_cell(v) for v in r) for r in df.itertuples(index=False, name=None)]


def shown_tables(at) -> list:
    out = []
    for d in page_tables(at):
        v = d.value
        if "打开" in v.columns:  # the drill-down column: a label on the screen, its address (链接) in the export
            v = v.drop(columns=["打开"]).assign(链接=[h or "" for h in d.links("打开")])
        out.append(v)
    return out


@pytest.fixture()
def captured(db, monkeypatch):
    from streamlit.runtime import media_file_manager as mfm

    got: dict[str, bytes] = {}
    orig = mfm.MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name and isinstance(data, (bytes, str)):
            got[file_name] = data if isinstance(data, bytes) else data.encode("utf-8")
        return orig(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(mfm.MediaFileManager, "add", add)
    return got


def _county(sql) -> str:
    return sql.execute(
        "SELECT county FROM reports WHERE county IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]


VIEWS = {
    "overview": {"y": "2020-2023", "basis": "B"},
    "applications": {"by": "agency", "y": "2021-2022"},
    "outcomes": {"basis": "C"},
    "disputes": {"by": "county"},
    "compare": {"m": ["applications", "open_rate_A", "correction_rate"], "cy": ["2021", "2022"]},
    "report": {"y": "2022-2022"},
    "quality": {},
}


@pytest.mark.parametrize("page", list(VIEWS))
def test_every_export_is_the_table_shown(page, captured, sql):
    from app_pages import _export

    query = dict(VIEWS[page])
    if page in ("outcomes", "quality"):
        query["cty"] = [_county(sql)]
    at = run_page(page if page != "overview" else None, **query)
    assert_ok(at)
    exports = at.session_state["_exports"]
    shown = shown_tables(at)
    assert exports, f"{page}: no table offered for export"
    n_data_tables = sum(1 for v in shown if len(v.columns) > 2)
    assert len(exports) >= n_data_tables - (1 if page == "quality" else 0), "every data table has its export"
    for key, ex in exports.items():
        frame, meta = ex["frame"], ex["meta"]
        matches = [v for v in shown if list(v.columns) == frame.columns]
        assert matches, f"{page}/{key}: columns {frame.columns} are not those of any table shown"
        assert any(rows_of(v) == rows_of(frame) for v in matches), f"{page}/{key}: values differ from the table shown"
        assert META_KEYS <= set(meta), f"{page}/{key}: {sorted(set(META_KEYS) - set(meta))} missing"
        assert meta["公开率口径"].startswith(query.get("basis", "A"))
        if "cty" in query:
            assert meta["区县"] == query["cty"][0]
        if "y" in query:
            a, b = query["y"].split("-")
            assert meta["年度"] == (a if a == b else f"{a}–{b}")
        # the CSV offered (built now for small tables) is that frame with the view's header block
        (name,) = [n for n in captured if re.fullmatch(rf"xxgk-{ex['name']}-\d{{4}}-\d\d-\d\d\.csv", n)]
        back, head = _export.read_csv(captured[name], dict(frame.schema))
        # (a cell a spreadsheet would read as a formula, such as a change "+138", carries its apostrophe)
        assert back.columns == frame.columns and rows_of(back) == rows_of(csvsafe.neutralise_frame(frame))
        assert head["页面链接"] == meta["页面链接"] and head["区县"] == meta["区县"]
        # the workbook: 说明 first, then the data; the Parquet: the frame and the view in its metadata
        wb = openpyxl.load_workbook(io.BytesIO(_export.xlsx_bytes({"数据": frame}, meta)))
        assert wb.sheetnames[:2] == ["说明", "数据"]
        assert {r[0].value: r[1].value for r in wb["说明"].iter_rows()}["年度"] == meta["年度"]
        assert wb["数据"].max_row == frame.height + 1
        pt = pq.read_table(io.BytesIO(_export.parquet_bytes(frame, meta)))
        assert rows_of(pl.from_arrow(pt)) == rows_of(frame)
        assert b"xxgk.view" in pt.schema.metadata


def test_quality_export_is_one_row_per_finding_with_the_matrix(captured, sql):
    county = _county(sql)
    at = run_page("quality", cty=[county], y="2020-2023")
    assert_ok(at)
    ex = at.session_state["_exports"]["q_findings"]
    frame = ex["frame"]
    exp = sql.execute(
        "SELECT count(*) FROM findings f JOIN reports r USING (report_id) WHERE r.county = ? "
        "AND r.year BETWEEN 2020 AND 2023 AND f.severity IN ('error', 'warning')",
        [county],
    ).fetchone()[0]
    assert frame.height == exp > 0
    assert {"机关", "年度", "检查", "位置", "说明", "状态", "链接"} <= set(frame.columns)
    # a finding names its report by agency and year; the report itself is behind its link, never a hash shown
    assert "报告编号" not in frame.columns
    assert all("report=" in v for v in frame["链接"].to_list())
    # the matrix as the workbook's second sheet, holding exactly the matrix shown
    matrix = next(v for v in shown_tables(at) if "机关" in v.columns and "2021" in v.columns)
    sheet = ex["sheets"]["矩阵"] if isinstance(ex.get("sheets"), dict) else None
    assert sheet is not None
    assert rows_of(sheet.select(list(matrix.columns))) == rows_of(matrix)
