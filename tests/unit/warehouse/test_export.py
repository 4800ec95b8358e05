"""xxgk export --parquet: a Hive-partitioned dataset that DuckDB reads back elsewhere."""

from __future__ import annotations

import duckdb

from pipelines.cli import main
from pipelines.warehouse.db import open_writer
from pipelines.warehouse.load import load_report

from .test_load import make_report


def build(w, monkeypatch):
    import pipelines.warehouse.load as load_mod

    monkeypatch.setattr(load_mod, "_resolver", lambda: None)
    with open_writer(w) as wr:
        for i, (year, base) in enumerate([(2019, 1), (2020, 2), (2020, 3), (2021, 4)]):
            r = make_report(
                f"{i:064d}",
                agency=f"局{i}",
                year=year,
                base=base,
                template="2021" if year == 2021 else "2019",
                findings=[("x", "warning", "table3", "m")] * (i + 1),
            )
            load_report(
                wr.con,
                r,
                dataset="demo" if i < 3 else "user",
                source_path=r.source,
                sha256=r.sha256,
                fmt="txt",
                run_id=1,
            )


def test_export_round_trip(tmp_path, monkeypatch, capsys):
    w = tmp_path / "wh.duckdb"
    build(w, monkeypatch)
    out = tmp_path / "pq"
    assert main(["export", "--parquet", str(out), "--db", str(w)]) == 0
    assert "reports: 4 rows" in capsys.readouterr().out
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["year=2019", "year=2020", "year=2021"]
    con = duckdb.connect()
    q = "SELECT count(*), sum(new_received), sum(year) FROM read_parquet(?, hive_partitioning=true)"
    n, s, years = con.execute(q, [str(out / "reports" / "**" / "*.parquet")]).fetchone()
    # new_received total = 6*(100*base) + 15 for base 1..4
    assert (n, s, years) == (4, sum(600 * b + 15 for b in (1, 2, 3, 4)), 2019 + 2020 * 2 + 2021)
    src = duckdb.connect(str(w), read_only=True)
    n_cells, sum_cells = src.execute("SELECT count(*), sum(value) FROM cells").fetchone()
    src.close()
    got = con.execute(
        "SELECT count(*), sum(value) FROM read_parquet(?, hive_partitioning=true)",
        [str(out / "cells" / "**" / "*.parquet")],
    ).fetchone()
    assert got == (n_cells, sum_cells)
    assert (
        con.execute(
            "SELECT count(*) FROM read_parquet(?, hive_partitioning=true) WHERE year = 2020",
            [str(out / "findings" / "**" / "*.parquet")],
        ).fetchone()[0]
        == 2 + 3
    )


def test_export_one_dataset_and_rerun_replaces(tmp_path, monkeypatch):
    w = tmp_path / "wh.duckdb"
    build(w, monkeypatch)
    out = tmp_path / "pq"
    assert main(["export", "--parquet", str(out), "--db", str(w)]) == 0
    assert main(["export", "--parquet", str(out), "--db", str(w), "--dataset", "user"]) == 0
    con = duckdb.connect()
    rows = con.execute(
        "SELECT dataset, year FROM read_parquet(?, hive_partitioning=true)", [str(out / "reports" / "**" / "*.parquet")]
    ).fetchall()
    assert rows == [("user", 2021)]


def test_export_without_warehouse_is_a_clear_error(tmp_path, capsys):
    assert main(["export", "--parquet", str(tmp_path / "pq"), "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "none.duckdb" in capsys.readouterr().err
