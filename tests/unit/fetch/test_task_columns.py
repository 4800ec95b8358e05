"""The fetch state's UPDATE names its columns from an allow-list that must match the tasks table."""

import sqlite3

import pytest

from pipelines.fetch import crawl
from pipelines.fetch.state import SCHEMA


def _task_columns() -> set[str]:
    con = sqlite3.connect(":memory:")
    con.executescript(SCHEMA)
    return {row[1] for row in con.execute("PRAGMA table_info(tasks)")}


def test_allow_list_is_a_subset_of_the_tasks_table():
    cols = _task_columns()
    assert crawl._TASK_COLUMNS <= cols
    # identity and structure are never rewritten by a task's outcome
    assert not {"id", "key", "kind", "url", "host", "parent_id"} & crawl._TASK_COLUMNS


def test_an_unknown_column_is_refused_before_any_sql():
    con = sqlite3.connect(":memory:")
    con.executescript(SCHEMA)
    crawler = object.__new__(crawl.Crawler)
    crawler.run_id = 1
    with pytest.raises(ValueError, match="not a tasks column"):
        crawler._set(con, 1, "done", None, None, **{"state=1; DROP TABLE tasks; --": 1})
    assert "tasks" in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
