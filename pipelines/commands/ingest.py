"""`xxgk ingest PATH...`: files and folders into the warehouse."""

from __future__ import annotations

import argparse
import json
import sys

from pipelines.commands import BUSY, add_db, add_wait_argument, db_of


def register(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="extract report files and folders into the warehouse",
        description="Extract every report file under PATH (recursive) into the DuckDB warehouse. "
        "Files that are not candidate reports (hidden files, NAME.truth.json, README/SOURCES notes) are "
        "skipped, not failed. Exit 0 when every report loaded or was unchanged, 1 when some failed, 3 when "
        "another writer held the warehouse past --wait.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    add_db(p)
    p.add_argument("--dataset", default="user", help="dataset name for these reports (default: %(default)s)")
    p.add_argument("--workers", type=_positive, default=1, help="extraction processes (default: 1)")
    p.add_argument(
        "--commit-every",
        type=_positive,
        default=500,
        metavar="K",
        help="publish progress every K files, so a killed ingest keeps what it finished (default: 500)",
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="extract on a Dask cluster: tcp://host:8786 (a running dask scheduler) or local:N "
        "(N worker processes on this machine); loading stays here. Needs: pip install 'xxgk[cluster]'",
    )
    p.add_argument(
        "--shared",
        action="store_true",
        help="with --cluster: the workers see PATH at the same place (a shared folder) and read the files "
        "themselves instead of receiving their bytes",
    )
    p.add_argument(
        "--shards",
        metavar="DIR",
        help="also write the extracted reports, cells, findings and texts as Parquet shards under DIR "
        "(one per batch, named deterministically; a shard already there is not written again); "
        "`xxgk load-shards DIR` loads them",
    )
    p.add_argument(
        "--reextract",
        action="store_true",
        help="read again every file of this dataset already in the warehouse, even when the extractor that "
        "read it is this one (files read by an older extractor are read again anyway); what changed is listed",
    )
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object on the last line")
    add_wait_argument(p)
    p.set_defaults(func=run)


def _positive(s: str) -> int:
    try:
        n = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {s!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {s}")
    return n


def run(args) -> int:
    from pipelines.warehouse.db import WarehouseBusy
    from pipelines.warehouse.ingest import ingest

    if args.shared and not args.cluster:
        print("xxgk ingest: --shared goes with --cluster", file=sys.stderr)
        return 2
    cluster_errors: tuple[type[Exception], ...] = ()
    if args.cluster:
        from pipelines.warehouse.cluster import ClusterError

        cluster_errors = (ClusterError,)
    try:
        result = ingest(
            args.paths,
            db=db_of(args),
            dataset=args.dataset,
            workers=args.workers,
            progress=not args.json,
            commit_every=args.commit_every,
            args={"paths": args.paths, "db": db_of(args), "dataset": args.dataset, "workers": args.workers}
            | ({"reextract": True} if args.reextract else {})
            | ({"cluster": args.cluster} if args.cluster else {})
            | ({"shards": args.shards} if args.shards else {}),
            wait=args.wait,
            cluster=args.cluster,
            shared=args.shared,
            shards=args.shards,
            reextract=args.reextract,
        )
    except WarehouseBusy as e:
        print(f"xxgk ingest: {e}", file=sys.stderr)
        return BUSY
    except cluster_errors as e:
        print(f"xxgk ingest: {e}", file=sys.stderr)
        return 2
    return report(args, result)


def report(args, result) -> int:
    """The run's summary on stdout (or its JSON), failures and skips; the exit code."""
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        n_new = len(result.loaded) - len(result.replaced) - len(result.reextracted)
        print(
            f"{db_of(args)}: loaded {n_new}, replaced {len(result.replaced)}, reextracted {len(result.reextracted)}, "
            f"unchanged {len(result.unchanged)}, failed {len(result.failed)}, skipped {len(result.skipped)}"
        )
        if result.reextracted or result.replaced:
            print_changes(db_of(args), result.run_id)
        for _, err in result.failed:
            print(f"  failed: {err}")
        _print_skipped(result.skipped)
        if result.replaced:  # a new edition may have left a hand correction to review (R101)
            _print_review(db_of(args))
    sys.stdout.flush()
    return 1 if result.failed else 0


def _print_review(db) -> None:
    from pipelines.warehouse.db import connect_read, one

    con = connect_read(db)
    try:
        sql = "SELECT count(*) FROM corrections WHERE undone_at IS NULL AND status = 'needs_review'"
        n = one(con.execute(sql).fetchone())[0]
    finally:
        con.close()
    if n:
        print(f"  {n} hand correction(s) need review: a new edition reads another value (xxgk correct --list)")


def _print_skipped(skipped: list[tuple[str, str]]) -> None:
    """One line per reason (files that are not reports are expected beside reports: no line per file)."""
    from pathlib import Path

    by: dict[str, list[str]] = {}
    for path, why in skipped:
        by.setdefault(why.split(" (", 1)[0], []).append(Path(path).name)
    for why, names in by.items():
        more = f", … (+{len(names) - 3})" if len(names) > 3 else ""
        print(f"  skipped {len(names)}: {why}: {', '.join(names[:3])}{more}")


MAX_CELLS_SHOWN = 6


def print_changes(db, run_id: int | None) -> None:
    """What this run's replacements and re-extractions moved, report by report (the cells, not just a count)."""
    from pipelines import read
    from pipelines.warehouse import db as dbm

    con = dbm.connect_read(db)
    try:
        reps = read.replacements(con, run_id=run_id)
        changes = read.cell_changes(con, run_id=run_id)
    finally:
        con.close()
    by_pair: dict[tuple, list[dict]] = {}  # one pass over the changes, not a filter per replacement
    for c in changes.iter_rows(named=True):
        by_pair.setdefault((c["old_report_id"], c["new_report_id"]), []).append(c)
    for r in reps.iter_rows(named=True):
        mine = by_pair.get((r["old_report_id"], r["new_report_id"]), [])
        moved = sorted((c for c in mine if _moved(c)), key=_order)
        how = r["reason"] or "changed file"
        if r["old_report_id"] == r["new_report_id"]:
            how += f", extractor {r['old_extractor_version'] or 'unversioned'} → {r['new_extractor_version']}"
        print(f"  {how}: {r['new_source_path']}: {len(moved)} value(s) changed")
        shown = "; ".join(f"{_where(c)} {_show(c, 'old')} → {_show(c, 'new')}" for c in moved[:MAX_CELLS_SHOWN])
        if shown:
            more = f"; … (+{len(moved) - MAX_CELLS_SHOWN})" if len(moved) > MAX_CELLS_SHOWN else ""
            print(f"    {shown}{more}")


def _order(c: dict) -> tuple:
    """Report fields, then table 3 in print order (row, then column), table 4, table 2."""
    from pipelines import templates

    rank = {0: 0, 3: 1, 4: 2, 2: 3}.get(c["table_no"], 4)
    rows, cols = templates.ROW_KEYS, templates.TABLE3_COLUMNS + templates.TABLE4_KEYS
    row = rows.index(c["row_key"]) if c["row_key"] in rows else len(rows)
    col = cols.index(c["col_key"]) if c["col_key"] in cols else len(cols)
    return rank, row, col, c["row_key"], c["col_key"]


def _moved(c: dict) -> bool:
    """A value (or a field's text) that differs, not only a cell's state."""
    return c["old_value"] != c["new_value"] or c["old_text"] != c["new_text"]


def _where(c: dict) -> str:
    if c["table_no"] == 0:
        return str(c["col_key"])
    if c["table_no"] == 3:
        return f"table3.{c['row_key']}.{c['col_key']}"
    if c["table_no"] == 4:
        return f"table4.{c['col_key']}"
    return f"table2.{c['row_key']}"


def _show(c: dict, side: str) -> str:
    text, value = c[f"{side}_text"], c[f"{side}_value"]
    if text is not None:
        return str(text)
    if value is None:
        return "∅"
    return str(int(value)) if float(value).is_integer() else str(value)
