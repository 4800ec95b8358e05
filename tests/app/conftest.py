"""AppTest fixtures: one small synthetic warehouse per session (build_direct, seeded), XXGK_DB pointing at it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

APP = Path(__file__).resolve().parents[2] / "app.py"
N_REPORTS = 300


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    from pipelines.demo.direct import build_direct

    p = tmp_path_factory.mktemp("wh") / "xxgk.duckdb"
    build_direct(p, N_REPORTS, seed=0)
    con = duckdb.connect(str(p))
    from pipelines.warehouse.aggregates import refresh_aggregates

    refresh_aggregates(con)  # as the ingest does after a load
    con.execute("CHECKPOINT")
    con.close()
    return p


@pytest.fixture()
def db(warehouse, monkeypatch):
    monkeypatch.setenv("XXGK_DB", str(warehouse))
    return warehouse


@pytest.fixture()
def sql(warehouse):
    """An independent read-only connection for the expected values."""
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def new_app(**query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at


def run_page(page: str | None = None, **query):
    at = new_app(**query)
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


# 对比 by district with four measures in an order no key or pivot would give (the order-following tests)
CHOSEN_MEASURES = ["correction_rate", "reviews", "applications", "open_rate_A"]


def run_compare_chosen(sql):
    """对比 by district over two counties of the warehouse, CHOSEN_MEASURES picked; checked to have run."""
    counties = [
        r[0] for r in sql.execute("SELECT DISTINCT county FROM reports WHERE county IS NOT NULL LIMIT 2").fetchall()
    ]
    at = run_page("compare", lvl="county", ent=counties, m=CHOSEN_MEASURES)
    assert_ok(at)
    return at


def assert_ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert os.environ.get("XXGK_DB")
