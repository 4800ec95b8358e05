"""`xxgk correct`: correct one cell (the original stays), list corrections, undo one."""

from __future__ import annotations

import getpass
import sys

from pipelines import settings
from pipelines.commands import BUSY, add_db, add_wait_argument, db_of


def register(sub) -> None:
    p = sub.add_parser(
        "correct",
        help="correct a cell by hand, list or undo corrections",
        description="xxgk correct REPORT_ID table3.ROW.COL VALUE --reason TEXT [--author NAME]\n"
        "xxgk correct --list\nxxgk correct --undo ID\nxxgk correct --apply ID",
    )
    p.add_argument("report_id", nargs="?", help="report_id (the sha256 of the report file)")
    p.add_argument("location", nargs="?", help="table3.ROW.COL, table4.KEY or table2.KEY")
    p.add_argument("value", nargs="?", help="the new value (a number, or 'null' for blank)")
    p.add_argument("--reason", help="why (required for a correction)")
    p.add_argument("--author", default=None, help="who (default: $XXGK_AUTHOR or the login name)")
    p.add_argument("--list", action="store_true", help="list every correction")
    p.add_argument("--undo", type=int, metavar="ID", help="undo correction ID")
    p.add_argument(
        "--apply",
        type=int,
        metavar="ID",
        help="apply correction ID, which needs review (made on an earlier edition that read another value), as it is",
    )
    add_db(p)
    add_wait_argument(p)
    p.set_defaults(func=run)


def _value(s: str) -> float | None:
    if s.strip().lower() in ("null", "none", "空", "-"):
        return None
    v = float(s)
    return int(v) if v.is_integer() else v


def _fmt(v) -> str:
    if v is None:
        return "null"
    return str(int(v)) if float(v).is_integer() else str(v)


def _state(r: dict) -> str:
    if r["undone_at"]:
        return f"undone {r['undone_at']:%Y-%m-%d %H:%M}"
    carried = f", carried to a new edition {r['carried_at']:%Y-%m-%d}" if r.get("carried_at") else ""
    if r.get("status") == "needs_review":
        return (
            f"NEEDS REVIEW: the new edition reads {_fmt(r['edition_value'])}, not applied{carried}; "
            f"--apply {r['correction_id']} or --undo {r['correction_id']}"
        )
    return "active, re-applied" + carried if carried else "active"


def run(args) -> int:
    from pipelines import corrections as C
    from pipelines.warehouse.db import WarehouseBusy

    try:
        if args.list:
            rows = C.list_corrections(db_of(args))
            if not rows:
                print("no corrections")
            for r in rows:
                ref = C.CellRef(r["table_no"], r["row_key"], r["col_key"]).where
                state = _state(r)
                print(
                    f"#{r['correction_id']} {r['created_at']:%Y-%m-%d %H:%M} {r['author']}: "
                    f"{r['agency'] or '?'} {r['year'] or '?'} {ref} {_fmt(r['old_value'])} → {_fmt(r['new_value'])} "
                    f"[{state}] — {r['reason']}  ({r['report_id'][:12]})"
                )
            return 0
        if args.undo is not None:
            rid = C.undo_correction(db_of(args), args.undo, wait=args.wait)
            print(f"undone correction #{args.undo} of report {rid}")
            return 0
        if args.apply is not None:
            rid = C.apply_correction(db_of(args), args.apply, wait=args.wait)
            print(f"applied correction #{args.apply} to report {rid}")
            return 0
        if not (args.report_id and args.location and args.value is not None):
            print("xxgk correct: give REPORT_ID LOCATION VALUE, or --list, --undo ID or --apply ID", file=sys.stderr)
            return 2
        if not args.reason:
            print("xxgk correct: --reason is required", file=sys.stderr)
            return 2
        cell = C.parse_location(args.location)
        author = args.author or settings.author_default() or getpass.getuser()
        cid = C.add_correction(
            db_of(args),
            args.report_id,
            cell.table_no,
            cell.row_key,
            cell.col_key,
            _value(args.value),
            args.reason,
            author,
            wait=args.wait,
        )
        print(f"correction #{cid}: {args.report_id[:12]} {cell.where} = {args.value} by {author}")
        return 0
    except WarehouseBusy as e:
        print(f"xxgk correct: {e}", file=sys.stderr)
        return BUSY
    except (KeyError, ValueError, FileNotFoundError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"xxgk correct: {msg}", file=sys.stderr)
        return 1
