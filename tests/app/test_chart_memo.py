"""Charts drawn again from the same data are remembered (pipelines.charts memoises its builders), and what a page
draws from a remembered chart is exactly what it drew before: the same spec, the same Arrow bytes on the wire."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.elements.vega_charts import _marshall_chart_data
from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart

from app_pages import _chart
from pipelines import charts


def _frame(n: int = 5, bump: float = 0.0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "county": [f"区县{i:02d}" for i in range(n)],
            "value": [100.0 + i + bump for i in range(n)],
            "label": ["申请量"] * n,
            "numerator": [None] + [float(i) for i in range(1, n)],
        }
    )


def test_the_same_call_gives_the_same_chart_and_spec():
    a = charts.ranking(_frame(), "county", "zh", title="排名")
    b = charts.ranking(_frame(), "county", "zh", title="排名")  # an equal frame, built again
    assert a is b and charts.memoised(a)
    assert charts.spec(a) == charts.spec(b) == a.to_dict(validate=False)


@pytest.mark.parametrize(
    "change",
    [
        lambda: charts.ranking(_frame(bump=0.5), "county", "zh", title="排名"),  # one value changed
        lambda: charts.ranking(_frame(n=4), "county", "zh", title="排名"),  # one row fewer
        lambda: charts.ranking(_frame(), "county", "en", title="排名"),  # another argument
        lambda: charts.ranking(_frame(), "county", "zh", title="Ranking"),  # another keyword argument
    ],
)
def test_any_other_input_is_another_chart(change):
    first = charts.ranking(_frame(), "county", "zh", title="排名")
    other = change()
    assert other is not first
    assert charts.spec(other) != charts.spec(first)
    assert charts.spec(other) == other.to_dict(validate=False)


def test_a_caller_changing_the_spec_does_not_change_the_remembered_one():
    ch = charts.trend(_frame().rename({"county": "year"}).with_columns(pl.Series("year", range(2019, 2024))), "zh")
    d = charts.spec(ch)
    d["width"] = 12345
    del d["datasets"]
    again = charts.spec(ch)
    assert "datasets" in again and again.get("width") != 12345
    assert again == ch.to_dict(validate=False)


def test_frames_are_compared_with_their_types():
    first = charts.ranking(_frame(), "county", "zh", title="排名")
    f32 = charts.ranking(_frame().with_columns(pl.col("value").cast(pl.Float32)), "county", "zh", title="排名")
    assert f32 is not first and charts.spec(f32) == f32.to_dict(validate=False)


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(charts, "MEMO_SIZE", 3)
    made = [charts.ranking(_frame(bump=1000 + i), "county", "zh") for i in range(6)]
    assert len(charts._MEMO) <= 3 and len(charts._SPECS) <= 3
    assert not charts.memoised(made[0]) and charts.memoised(made[-1])
    assert charts.spec(made[0]) == made[0].to_dict(validate=False)  # a forgotten chart still converts


def test_an_unhashable_argument_is_built_each_time():
    a = charts.stacked(_frame(), "county", "label", "zh", title={"text": "不可哈希"})  # type: ignore[arg-type]
    b = charts.stacked(_frame(), "county", "label", "zh", title={"text": "不可哈希"})  # type: ignore[arg-type]
    assert a is not b and not charts.memoised(a)


def _proto(spec: dict) -> VegaLiteChart:
    p = VegaLiteChart()
    s = dict(spec)
    _marshall_chart_data(p, s, None)
    p.spec = repr(sorted(s.items()))
    return p


def test_the_screen_gets_the_bytes_streamlit_would_have_made():
    ch = charts.ranking(_frame(), "county", "zh")
    d = charts.spec(ch)
    shown = _chart._on_screen(d)
    assert all(isinstance(v, bytes) for v in shown["datasets"].values())
    assert _chart._on_screen(charts.spec(ch))["datasets"] is shown["datasets"]  # converted once
    assert d["datasets"] == charts.spec(ch)["datasets"]  # the export's rows untouched
    # the chart element Streamlit sends is the one it makes itself from the columns the chart names
    # (tests/app/test_chart_trim.py: the same picture): datasets, their bytes and the spec
    assert _proto(shown) == _proto(charts.trimmed(charts.spec(ch)))
    assert _proto(shown) != _proto(charts.spec(ch))  # "label" and "numerator" are not drawn
