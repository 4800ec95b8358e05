"""Dashboard benchmark: the read-API queries of every page, timed server-side at 10k / 100k / 1M reports.

    .venv/bin/python bench/dashboard.py [--sizes 10000,100000,1000000] [--runs 5]

Warehouses are built with pipelines.demo.direct.build_direct (synthetic, seeded) and cached under
bench/.cache/ (reused when present); pipelines.warehouse.aggregates.refresh_aggregates is run on them when
their report_dash / report_agg are missing or stale (its timing is recorded). Each page = the same read.*
calls the page makes (uncached), with a typical filter (one city, three years) and with no filter; median
of N runs after one warm-up. The machine's load average is recorded (the timings are noisy on a shared box).
Prints a page × size table (ms) and writes bench/results/dashboard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipelines import read as R
from pipelines.read import Filters

TARGET_MS = 200.0
REFRESH: dict[int, dict] = {}  # refresh_aggregates timings of this run (when the cache needed one)


def warehouse(n: int) -> Path:
    cache = HERE / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / ".gitignore").write_text("*\n")
    p = cache / f"demo-{n}.duckdb"
    if not p.exists():
        from pipelines.demo.direct import build_direct

        tmp = p.with_name(p.name + ".building")
        tmp.unlink(missing_ok=True)
        t0 = time.perf_counter()
        info = build_direct(tmp, n, seed=0)
        os.replace(tmp, p)
        print(f"built {p.name}: {info['n_reports']} reports in {time.perf_counter() - t0:.1f} s", flush=True)
    import duckdb

    from pipelines.warehouse.db import WRITER_MEMORY

    # the ingest writer's memory limit: the rebuild must fit in it at every size measured here
    con = duckdb.connect(str(p), config={"memory_limit": WRITER_MEMORY})
    try:
        if not R.has_agg(con):  # as ingest / build_direct do after a load
            from pipelines.warehouse.aggregates import refresh_aggregates

            info = refresh_aggregates(con)
            con.execute("CHECKPOINT")
            REFRESH[n] = {**info, "memory_limit": WRITER_MEMORY}
            print(f"refresh_aggregates in {p.name}: {info}", flush=True)
    finally:
        con.close()
    return p


def pages(con, f: Filters, basis: str = "A") -> dict[str, list]:
    """Page → the read calls that page makes (see app_pages/*.py), as thunks."""
    base = Filters(datasets=f.datasets)
    region = Filters(datasets=f.datasets, province=f.province, city=f.city)
    yrs = R.years(con, f)
    latest = max(yrs) if yrs else None
    counties = list(
        R.regions(con, f)
        .filter((R.pl.col("city") == f.city) if f.city else R.pl.lit(True))["county"]
        .drop_nulls()
        .to_list()
    )[:5]
    measures = ["applications", R.OPEN_RATE[basis], "reviews", "lawsuits", "correction_rate"]
    rid = R.report_list(con, f, 1, 0, "year")["report_id"]
    rid = rid[0] if len(rid) else ""
    return {
        "sidebar": [
            lambda: R.datasets(con),
            lambda: R.regions(con, base),
            lambda: R.distinct_values(con, "agency_type", base),
            lambda: R.years(con, base),
            lambda: R.distinct_values(con, "template", base),
            lambda: R.search_agencies(con, region, "", 50, ()),
        ],
        "overview": [
            lambda: R.overview_kpis(con, f, basis),
            lambda: R.ranking(con, f, "applications", "county", 30, 30),
        ],
        "applications": [
            lambda: R.trend(con, f, ("applications", "carried_over", "total_handled")),
            lambda: R.applicant_mix(con, f, ("year",)),
            lambda: R.yoy(con, f, "applications", "county"),
            lambda: R.applicant_mix(con, f.with_(year_from=latest, year_to=latest), ("county",)),
        ],
        "outcomes": [
            lambda: R.outcome_composition(con, f, ("year",)),
            lambda: R.open_rate(con, f, basis, ("year",)),
            lambda: R.aggregate(con, f, tuple(R.OPEN_RATE.values()), ("year",)),
            lambda: R.refusal_reasons(con, f, ()),
            lambda: R.refusal_reasons(con, f, ("county",)),
            lambda: R.ranking(con, f, R.OPEN_RATE[basis], "county", 30, 50),
        ],
        "disputes": [
            lambda: R.disputes(con, f, ("year",)),
            lambda: R.disputes(con, f, ()),
            lambda: R.correction_rates(con, f, "county"),
        ],
        "compare": [
            lambda: R.compare(con, f, "county", counties, (), measures),
            lambda: R.report_findings(con, f.with_(counties=tuple(counties))),
            lambda: R.report_sources(con, f.with_(counties=tuple(counties))),
        ],
        "report": [
            lambda: R.report_count(con, f),
            lambda: R.report_list(con, f, 50, 0, "year"),
            lambda: R.report_detail(con, rid),
        ],
    }


def time_page(thunks, runs: int) -> float:
    for th in thunks:  # warm-up
        th()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for th in thunks:
            th()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=str(HERE / "results" / "dashboard.json"))
    a = ap.parse_args(argv)
    from pipelines.warehouse.db import connect_read

    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    results: dict = {
        "target_ms": TARGET_MS,
        "runs": a.runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "sizes": {},
    }
    for n in sizes:
        p = warehouse(n)
        con = connect_read(p)
        filters = {
            "no_filter": Filters(),
            "typical": Filters(province="河南省", city="洛阳市", year_from=2021, year_to=2023),
        }
        results["sizes"][n] = {"file_bytes": p.stat().st_size, "load_before": os.getloadavg()[0]}
        if n in REFRESH:
            results["sizes"][n]["refresh_aggregates"] = REFRESH[n]
        for fname, f in filters.items():
            res = {}
            for page, thunks in pages(con, f).items():
                res[page] = round(time_page(thunks, a.runs), 1)
            results["sizes"][n][fname] = res
            print(f"{n:>9,} {fname:<10} " + "  ".join(f"{k}={v:.0f}" for k, v in res.items()), flush=True)
        results["sizes"][n]["load_after"] = os.getloadavg()[0]
        con.close()

    pnames = list(next(iter(results["sizes"].values()))["no_filter"])
    print("\nmedian ms per page (all of its read-API queries, uncached), no filter / typical filter")
    print(f"{'page':<14}" + "".join(f"{n:>22,}" for n in sizes))
    for pg in pnames:
        cells = [
            f"{results['sizes'][n]['no_filter'][pg]:>9.0f} / {results['sizes'][n]['typical'][pg]:<9.0f}" for n in sizes
        ]
        print(f"{pg:<14}" + "".join(f"{c:>22}" for c in cells))
    worst = max(v for n in sizes for fl in ("no_filter", "typical") for v in results["sizes"][n][fl].values())
    print(f"\nslowest page: {worst:.0f} ms (target {TARGET_MS:.0f} ms)")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
