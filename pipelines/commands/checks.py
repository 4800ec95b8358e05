"""`xxgk checks`: the check catalogue, and the cross-year checks on a warehouse."""

from __future__ import annotations

import json
import os
import sys

from pipelines.commands import add_db, db_of


def register(sub) -> None:
    p = sub.add_parser(
        "checks",
        help="list the check catalogue; run the cross-year checks",
        description="Without options: print the catalogue. --crossyear: rerun the cross-year "
        "checks (C4xx) on the warehouse, replacing their previous findings.",
    )
    p.add_argument("--crossyear", action="store_true", help="run the cross-year checks on --db")
    add_db(p)
    p.add_argument("--json", action="store_true", help="catalogue as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from pipelines.checks import catalogue

    if args.crossyear:
        from pipelines.warehouse.writer import open_warehouse, refresh, write_crossyear

        if not os.path.isfile(db_of(args)):
            print(f"xxgk checks: {db_of(args)}: no warehouse here", file=sys.stderr)
            return 1
        with open_warehouse(db_of(args), command="xxgk checks --crossyear") as w:
            n = write_crossyear(w.con)
            refresh(w.con)  # findings counts and statuses changed: the dashboard tables follow
        print(f"{db_of(args)}: {n} cross-year findings")
        return 0
    rules = catalogue()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        k: getattr(r, k)
                        for k in (
                            "id",
                            "name",
                            "scope",
                            "severity",
                            "formula",
                            "tolerance",
                            "title_zh",
                            "title_en",
                            "not_assessable_zh",
                            "not_assessable_en",
                        )
                    }
                    for r in rules
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    for r in rules:
        print(
            f"{r.id} {r.name} [{r.scope}, {r.severity}] {r.title_zh}\n    {r.formula}\n    不可评估: {r.not_assessable_zh}"
        )
    return 0
