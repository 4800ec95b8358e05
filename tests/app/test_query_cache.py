"""The dashboard's query cache shares its results between runs and sessions without pickling them, and gives
each caller its own handle: nothing a page does to a result reaches the cache."""

from __future__ import annotations

import polars as pl
from streamlit.testing.v1 import AppTest

from app_pages._common import _own


def test_a_frame_is_a_clone_with_the_same_data():
    src = pl.DataFrame({"county": ["甲县", "乙县"], "value": [1, 2]})
    mine = _own(src)
    assert mine is not src and mine.equals(src)
    mine.columns = ["a", "b"]  # the one in-place change a polars frame allows
    mine.insert_column(0, pl.Series("c", [0, 0]))
    assert src.columns == ["county", "value"]


def test_containers_are_copied_all_the_way_down():
    frame = pl.DataFrame({"x": [1]})
    src = {"rows": [1, 2], "pair": (frame, [3]), "n": 5}
    mine = _own(src)
    mine["rows"].append(3)
    mine["pair"][1].append(4)
    mine["pair"][0].columns = ["y"]
    mine["n"] = 6
    assert src == {"rows": [1, 2], "pair": (frame, [3]), "n": 5} and frame.columns == ["x"]


def _script() -> None:
    import streamlit as st

    from app_pages._common import begin_run, end_run, q
    from pipelines import read

    begin_run()
    first = q("years", read.Filters())
    first.append(1900)  # a page changing its result
    again = q("years", read.Filters())
    df = q("datasets")
    df.columns = ["changed"] + df.columns[1:]
    st.session_state["out"] = (again, q("datasets").columns[0])
    end_run()


def test_a_page_changing_a_result_does_not_change_the_next_run(db):
    at = AppTest.from_function(_script, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    years, col = at.session_state["out"]
    assert 1900 not in years and years == sorted(years) and len(years) >= 1
    assert col == "dataset"
