"""`xxgk export --parquet DIR`: the warehouse as Parquet, partitioned by year."""

from __future__ import annotations

import sys

from pipelines.commands import add_db, db_of


def register(sub) -> None:
    p = sub.add_parser(
        "export",
        help="export the warehouse as a Hive-partitioned Parquet dataset",
        description="Write reports (with facts), cells and findings as Parquet under DIR, "
        "partitioned by year (DIR/reports/year=2020/...).",
    )
    p.add_argument("--parquet", required=True, metavar="DIR", help="output folder")
    add_db(p)
    p.add_argument("--dataset", default=None, help="only this dataset (default: all)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pipelines.warehouse.export import export_parquet

    try:
        res = export_parquet(db_of(args), args.parquet, dataset=args.dataset)
    except FileNotFoundError as e:
        print(f"xxgk export: {e}", file=sys.stderr)
        return 1
    for name, n in res.rows.items():
        print(f"{res.directory / name}: {n} rows")
    return 0
