"""`xxgk fetch URL... --out DIR`: collect reports from 政府信息公开年报 columns (pipelines.fetch)."""

from __future__ import annotations

import json
import sys

from pipelines import settings
from pipelines.commands import add_db, db_of


def register(sub) -> None:
    p = sub.add_parser(
        "fetch",
        help="collect annual reports from agencies' 政府信息公开年报 columns",
        description="Walk each column's list pages (every page), follow each item, and save the report "
        "(the attachment, or the article page when the tables are inline) under DIR/reports, with "
        "DIR/manifest.csv. Polite (robots.txt, one request at a time per host, a delay between "
        "requests) and resumable (run it again to continue or to fetch only what is new). "
        "Exit 0 when nothing failed, 1 when something failed (reasons in the manifest), 2 on a usage error.",
    )
    p.add_argument("urls", nargs="+", metavar="URL", help="column URLs (list pages of 政府信息公开年报)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for reports, manifest and crawl state")
    p.add_argument(
        "--delay",
        type=float,
        default=settings.FETCH_DELAY_S,
        metavar="S",
        help=f"seconds between two requests to one host (default {settings.FETCH_DELAY_S:g}; "
        f"not below {settings.FETCH_DELAY_FLOOR_S:g} without --no-delay-floor; robots.txt Crawl-delay raises it)",
    )
    p.add_argument(
        "--no-delay-floor",
        action="store_true",
        help="allow --delay below the floor: only for a server you run yourself (e.g. tests)",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=settings.FETCH_RETRIES,
        help="retries of network errors, 429 and 5xx (default %(default)s)",
    )
    p.add_argument(
        "--backoff",
        type=float,
        default=settings.FETCH_BACKOFF_S,
        metavar="S",
        help="first wait before a retry, doubled at each (default %(default)s s)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=settings.FETCH_TIMEOUT_S,
        metavar="S",
        help="per request (default %(default)s s)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also fetch items and attachments on HOST (repeatable; default: the column's own host only)",
    )
    p.add_argument("--any-path", action="store_true", help="follow pager links outside the column's folder")
    p.add_argument("--retry-failed", action="store_true", help="also retry what failed for good before (4xx, stubs)")
    p.add_argument(
        "--insecure",
        action="store_true",
        help="accept a TLS certificate that does not verify (portals often serve an incomplete chain)",
    )
    p.add_argument("--ingest", action="store_true", help="then load the saved reports into the warehouse")
    add_db(p, help="warehouse for --ingest (default: $XXGK_DB, else data/xxgk.duckdb)")
    p.add_argument("--dataset", default="user", help="dataset name for --ingest (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object on the last line")
    p.set_defaults(func=run)


def _summary(res) -> list[str]:
    lines = []
    for c in res.columns:
        lines.append(
            f"{c.url}: pages {c.pages}, items {c.items} ({c.new} new), saved {c.saved}, skipped {c.skipped}, "
            f"failed {c.failed}" + (f", pending {c.pending}" if c.pending else "")
        )
    tot = {k: sum(getattr(c, k) for c in res.columns) for k in ("pages", "saved", "skipped", "failed", "pending")}
    lines.append(
        f"{'resumed run' if res.resumed else 'run'} {res.run_id}: {len(res.columns)} column(s), {res.requests} requests "
        f"in {res.seconds:.1f} s; saved {tot['saved']}, skipped {tot['skipped']}, failed {tot['failed']}"
        + (f", pending {tot['pending']}" if tot["pending"] else "")
        + f"; {len(res.saved)} report files in {res.out / 'reports'}; manifest {res.manifest}"
    )
    for url, why in res.failed:
        lines.append(f"  failed: {url}: {why}")
    for host, why in res.stopped_hosts.items():
        lines.append(f"  stopped host {host}: {why}")
    if res.earlier_failures:
        lines.append(f"  {res.earlier_failures} earlier failure(s) not retried (use --retry-failed)")
    return lines


def run(args) -> int:
    from pipelines.fetch import FetchError, FetchOptions, fetch

    try:
        opts = FetchOptions(
            delay_s=args.delay,
            allow_below_floor=args.no_delay_floor,
            retries=args.retries,
            backoff_s=args.backoff,
            timeout_s=args.timeout,
            allow_hosts=tuple(h.strip().lower() for h in args.allow_host if h.strip()),
            any_path=args.any_path,
            retry_failed=args.retry_failed,
            verify_tls=not args.insecure,
        )
        opts.check()
        res = fetch(args.urls, args.out, opts, progress=not args.json)
    except FetchError as e:
        print(f"xxgk fetch: {e}", file=sys.stderr)
        return 2
    code = 0 if res.ok else 1
    if args.ingest:
        from pipelines.fetch.load import ingest_fetched

        db = db_of(args)
        res.ingest = ingest_fetched(res, db=db, dataset=args.dataset, progress=not args.json)
        if res.ingest["failed"]:
            code = 1
    if args.json:
        print(json.dumps(res.to_json(), ensure_ascii=False))
    else:
        print("\n".join(_summary(res)))
        if res.ingest is not None:
            print("\n".join(res.ingest["lines"]))
    sys.stdout.flush()
    return code
