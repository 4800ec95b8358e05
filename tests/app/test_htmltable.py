"""The tables drawn as HTML (app_pages._htmltable): what the component is given to draw, cell by cell."""

from __future__ import annotations

import polars as pl

from app_pages import _htmltable, _table
from pipelines import numfmt


def test_payload_holds_the_cells_as_shown_and_which_wrap():
    long = "表三 一、本年新收政府信息公开申请数量（总计列）"
    shown = pl.DataFrame({"年度": ["2024", "2025"], "口径（定义）": [long, None], "数值": ["1,234", numfmt.DASH]})
    data = _htmltable.payload(shown, right=[True, False, True], help=[None, "定义", "—：无数据"])
    assert data["columns"] == ["年度", "口径（定义）", "数值"]
    assert data["rows"] == [["2024", long, "1,234"], ["2025", "", numfmt.DASH]]  # a null draws nothing
    assert data["nowrap"] == [True, False, True]  # long text wraps; years and numbers stay on one line
    assert data["help"] == [None, "定义", "—：无数据"] and data["right"] == [True, False, True]
    assert data["hrefs"] is None and data["titles"] is None and data["height"] == _htmltable.HEIGHT
    assert _htmltable.frame_of(data).to_dicts() == [
        {"年度": "2024", "口径（定义）": long, "数值": "1,234"},
        {"年度": "2025", "口径（定义）": "", "数值": numfmt.DASH},
    ]


def test_row_links_sit_in_their_column_only():
    shown = pl.DataFrame({"区县": ["西工区", "洛阳市（市级机关）", "老城区"], "打开": ["打开", "打开", ""]})
    links = ["?cty=西工区", "?city=洛阳市", None]
    hrefs = _htmltable.row_hrefs(shown, "打开", links)
    assert hrefs == [[None, "?cty=西工区"], [None, "?city=洛阳市"], [None, None]]


def test_a_hostile_cell_is_data_not_markup():
    """The script sets every cell with textContent: the payload carries the text as it is, never parsed."""
    evil = "<script>alert(1)</script>局"
    data = _htmltable.payload(pl.DataFrame({"机关": [evil]}), right=[False], help=[None])
    assert data["rows"] == [[evil]]
    assert "innerHTML" not in _htmltable._JS and "textContent" in _htmltable._JS


def test_cell_titles_say_what_a_dash_and_a_low_sample_mean():
    low = numfmt.low_n_label("zh")
    shown = pl.DataFrame({"数值": ["50.0%", numfmt.DASH], "样本不足": [low, ""]})
    tips = _table.cell_titles(shown, "zh", min_cases=30)
    assert tips == [[None, numfmt.low_n_rule(30, "zh")], [numfmt.blank_meaning(None, "zh"), None]]
    assert _table.cell_titles(pl.DataFrame({"数值": ["1"]}), "zh") is None  # nothing to hover
