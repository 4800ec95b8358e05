"""The screen gets only the columns a chart names (charts.trimmed), and draws exactly the same picture."""

from __future__ import annotations

import vl_convert as vlc

from app_pages import _chart
from pipelines import charts
from tests.app.conftest import assert_ok, run_page


def test_every_chart_of_the_pages_draws_the_same_from_its_trimmed_data(db, monkeypatch):
    seen: list[dict] = []
    real = _chart._on_screen

    def spy(d: dict) -> dict:
        seen.append(d)
        return real(d)

    monkeypatch.setattr(_chart, "_on_screen", spy)
    for page in ("overview", "applications", "outcomes", "disputes", "compare"):
        assert_ok(run_page(page))
    assert len(seen) >= 10
    charts.register_cjk_fonts()
    dropped = 0
    for d in seen:
        t = charts.trimmed(d)
        for k, rows in d["datasets"].items():
            assert len(t["datasets"][k]) == len(rows)  # every row kept
            dropped += len(rows[0]) - len(t["datasets"][k][0]) if rows else 0
        assert vlc.vegalite_to_svg(t) == vlc.vegalite_to_svg(d)
    assert dropped >= 10  # the frames do carry columns no chart draws


def test_a_spec_that_shows_every_field_keeps_them():
    d = {"mark": {"type": "bar", "tooltip": True}, "data": {"name": "x"}, "datasets": {"x": [{"a": 1, "b": 2}]}}
    assert charts.trimmed(d) is d
    e = {"mark": "bar", "encoding": {"x": {"field": "a"}}, "data": {"name": "x"}, "datasets": {"x": [{"a": 1, "b": 2}]}}
    assert charts.trimmed(e)["datasets"]["x"] == [{"a": 1}]
    f = {"transform": [{"calculate": "datum.b * 2", "as": "c"}], "datasets": {"x": [{"a": 1, "b": 2, "区县": "甲"}]}}
    assert charts.trimmed(f)["datasets"]["x"] == [{"b": 2, "区县": "甲"}]  # a name in an expression; not plain
