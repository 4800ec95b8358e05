"""`xxgk load-shards DIR`: Parquet shards (written by `xxgk ingest --shards DIR`) into the warehouse."""

from __future__ import annotations

import json
import sys

from pipelines.commands import add_db, db_of
from pipelines.commands.ingest import _positive, print_changes


def register(sub) -> None:
    p = sub.add_parser(
        "load-shards",
        help="load Parquet shards written by `xxgk ingest --shards` into the warehouse",
        description="Load every whole shard under DIR (DIR/reports/*.parquet and its cells, findings, texts) "
        "into the warehouse, in shard-name order, through the same loader as `xxgk ingest`: same outcomes "
        "(loaded / replaced / unchanged), publication and crash safety; nothing is extracted again. A report "
        "already in the warehouse as read by an older extractor is replaced by the shard's newer reading "
        "(the cells it moved are listed). "
        "Exit 0 when every report loaded or was unchanged, 1 when some failed, 2 when DIR holds no shards.",
    )
    p.add_argument("dir", metavar="DIR", help="the folder given to `xxgk ingest --shards`")
    add_db(p)
    p.add_argument("--dataset", default="user", help="dataset name for these reports (default: %(default)s)")
    p.add_argument("--commit-every", type=_positive, default=500, metavar="K", help="publish progress every K reports")
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object on the last line")
    p.set_defaults(func=run)


def run(args) -> int:
    from pipelines.warehouse.ingest import ingest
    from pipelines.warehouse.shards import read_all, shard_names

    try:
        names = shard_names(args.dir)
    except FileNotFoundError as e:
        print(f"xxgk load-shards: {e}", file=sys.stderr)
        return 2
    if not names:
        print(f"xxgk load-shards: {args.dir}: no shards here", file=sys.stderr)
        return 2
    result = ingest(
        [],
        db=db_of(args),
        dataset=args.dataset,
        progress=not args.json,
        commit_every=args.commit_every,
        args={"shards": args.dir, "db": db_of(args), "dataset": args.dataset},
        source=read_all(args.dir, names),
    )
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        n_new = len(result.loaded) - len(result.replaced) - len(result.reextracted)
        print(
            f"{db_of(args)}: {len(names)} shards: loaded {n_new}, replaced {len(result.replaced)}, "
            f"newer reading {len(result.reextracted)}, unchanged {len(result.unchanged)}, failed {len(result.failed)}"
        )
        if result.reextracted or result.replaced:
            print_changes(db_of(args), result.run_id)
        for _, err in result.failed:
            print(f"  failed: {err}")
    sys.stdout.flush()
    return 1 if result.failed else 0
