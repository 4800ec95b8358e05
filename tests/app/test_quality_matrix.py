"""The 数据质量 matrix as the page reads it (matrix_page: aggregated and paged in SQL, one statement) holds
the same cells as the reference matrix built in Python from report_checks, page by page, for every sort."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines import read
from pipelines.read import quality as Q


@pytest.fixture()
def snap(warehouse):
    from pipelines.warehouse import snapshots

    with snapshots.pool(warehouse).use() as s:
        yield s


def _cells(m: pl.DataFrame, years: list[int]) -> dict[str, tuple]:
    return {r["agency_id"]: (r["total_failing"], *(r[str(y)] for y in years)) for r in m.iter_rows(named=True)}


@pytest.mark.parametrize("sev", [("error", "warning"), ("error",), ("error", "warning", "info")])
def test_matrix_pages_hold_the_reference_cells(snap, sev):
    ref = Q.matrix(Q.report_checks(snap, None, sev, f=read.Filters()))
    years = Q.matrix_years(ref)
    want = _cells(ref, years)
    for sort in read.MATRIX_SORTS:
        got: dict[str, tuple] = {}
        per = 7
        off = 0
        while True:
            page, n, yrs = read.matrix_page(snap, read.Filters(), None, sev, sort, per, off)
            assert n == len(want) and yrs == years
            if page.is_empty():
                break
            assert page.height <= per
            got.update(_cells(page, years))
            off += per
        assert got == want
        if sort == "fail":  # the most failing agencies first
            first, _, _ = read.matrix_page(snap, read.Filters(), None, sev, sort, 5, 0)
            assert first["total_failing"].to_list() == sorted(first["total_failing"].to_list(), reverse=True)
            assert first["total_failing"][0] == max(v[0] for v in want.values())


def test_a_page_past_the_end_still_counts(snap):
    page, n, years = read.matrix_page(snap, read.Filters(), None, ("error", "warning"), "name", 10, 10**6)
    assert page.is_empty() and n > 0 and years
