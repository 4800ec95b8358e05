"""`xxgk demo`: write the synthetic demo corpus (files + NAME.truth.json), or with --direct fill a
warehouse straight from the generator (scale mode). All numbers are synthetic."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo", help="generate the synthetic demo corpus (labelled synthetic)", description=__doc__
    )
    p.add_argument("--city", default="洛阳市", help="prefecture-level city (default 洛阳市: real structure)")
    p.add_argument("--years", default="2019-2025", help="report years, e.g. 2019-2025 or 2021")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--size", type=float, default=1.0, help="scales the number of agencies (1.0 ≈ 1,500 reports)")
    p.add_argument("--out", default="data/demo", help="output directory for rendered files")
    p.add_argument("--formats", default="html,txt,docx,pdf", help="comma-separated subset of html,txt,docx,pdf")
    p.add_argument("--reports", type=int, default=None, help="number of reports (direct mode; default: the city)")
    p.add_argument("--direct", action="store_true", help="write straight into the warehouse, no files")
    p.add_argument(
        "--db",
        default=None,
        help="warehouse: with --direct, fill it straight from the generator; without, render the corpus "
        "to --out and ingest it (dataset demo) plus the shipped sample report (dataset sample)",
    )
    p.add_argument(
        "--cells",
        choices=("auto", "yes", "no"),
        default="auto",
        help="long-form cells in direct mode (auto: only up to 50,000 reports)",
    )
    p.set_defaults(func=run)


def _years(s: str) -> tuple[int, ...]:
    a, _, b = s.partition("-")
    lo, hi = int(a), int(b or a)
    if lo > hi or lo < 2019:
        raise ValueError(f"bad --years {s!r}: the template starts with report year 2019")
    return tuple(range(lo, hi + 1))


def run(args) -> int:
    import sys
    import time

    try:
        years = _years(args.years)
    except ValueError as e:
        print(f"xxgk demo: {e}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    if args.direct:
        args.db = args.db or "data/warehouse.duckdb"
        from pipelines.demo.direct import build_direct
        from pipelines.demo.generate import generate_batch

        n = args.reports if args.reports is not None else len(generate_batch(args.city, years, args.seed, args.size))
        cells = {"auto": None, "yes": True, "no": False}[args.cells]
        info = build_direct(args.db, n, seed=args.seed, with_cells=cells, city=args.city, size=args.size, years=years)
        print(
            f"xxgk demo --direct: {info['n_reports']:,} synthetic reports into {info['db_path']} "
            f"(dataset demo; {info['n_cells']:,} cells, {info['n_findings']:,} findings) in {info['seconds']:.1f} s "
            f"({info['reports_per_s']:,.0f} reports/s), file {info['file_bytes'] / 1e6:.1f} MB"
        )
        return 0

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    if args.db:
        from pipelines.demo.default import build_default

        info = build_default(args.db, out=args.out, seed=args.seed, size=args.size, formats=formats)
        print(
            f"xxgk demo: {info['reports_written']:,} synthetic reports written to {args.out} and, with the sample "
            f"report, {info['loaded']:,} loaded into {args.db} in {info['seconds']:.1f} s (corpus "
            f"{info['seconds_corpus']:.1f} s, ingest {info['seconds_ingest']:.1f} s, checks {info['seconds_post']:.1f} s)"
        )
        for _path, err in info["failed"]:
            print(f"  failed: {err}", file=sys.stderr)
        return 1 if info["failed"] else 0

    from pipelines.demo.corpus import write_corpus

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    try:
        summary = write_corpus(
            args.out, city=args.city, years=years, seed=args.seed, size=args.size, formats=formats, limit=args.reports
        )
    except ValueError as e:
        print(f"xxgk demo: {e}", file=sys.stderr)
        return 2
    by = ", ".join(f"{k} {v}" for k, v in sorted(summary["by_form"].items()))
    print(
        f"xxgk demo: {summary['n_reports']:,} synthetic reports ({by}) written to {summary['out']} "
        f"with .truth.json beside each, {summary['n_faulted']} with faults, in {time.perf_counter() - t0:.1f} s"
    )
    return 0
