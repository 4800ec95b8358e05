"""Ingest throughput and memory: reports per second with 1 and 2 workers over N generated report
files, and the ingest process's peak RSS at two corpus sizes (it must not grow with N).

    .venv/bin/python bench/ingest.py [--n 10000] [--keep DIR]

Files are the shipped sample report with agency, year and one figure varied (distinct bytes, and
distinct agency/year pairs up to 8*10*40*3 = 9,600; beyond that later files replace earlier ones,
which is still a load). Each measurement runs `ingest` in a fresh process into a fresh warehouse.
Prints a table and writes bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "samples" / "000_502fd0f0e67df8d6.txt"
DISTRICTS = ("西工区", "老城区", "涧西区", "瀍河区", "洛龙区", "吉利区", "偃师区", "孟津区")
BUREAUS = (
    "商务局",
    "财政局",
    "教育局",
    "民政局",
    "司法局",
    "水利局",
    "农业农村局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "应急管理局",
)
TOWNS = (
    tuple(f"第{c}" for c in "一二三四五六七八九十")
    + tuple(f"第十{c}" for c in "一二三四五六七八九")
    + tuple(f"第二十{c}" for c in "一二三四五六七八九")
    + ("第二十", "第三十")
)


def generate(dst: Path, n: int) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    dst.mkdir(parents=True, exist_ok=True)
    per_year = len(DISTRICTS) * len(BUREAUS) * len(TOWNS)
    for i in range(n):
        j = i % per_year
        agency = DISTRICTS[j % 8] + TOWNS[(j // 8) % len(TOWNS)] + BUREAUS[(j // (8 * len(TOWNS))) % 10]
        year = 2019 + (i // per_year) % 3
        body = text.replace("西工区商务局", agency).replace("2020", str(year))
        body = body.replace("行政备案1条", f"行政备案{i}条")  # distinct bytes even when identities repeat
        sub = dst / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{i:06d}.txt").write_text(body, encoding="utf-8")


RUN = """
import json, resource, sys, time
from pipelines.warehouse.ingest import ingest
src, db, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.perf_counter()
r = ingest([src], db=db, workers=workers, progress=False)
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "loaded": len(r.loaded), "unchanged": len(r.unchanged),
                  "failed": len(r.failed), "replaced": len(r.replaced),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run(src: Path, workers: int, tmp: Path) -> dict:
    db = tmp / f"bench-{workers}-{src.name}.duckdb"
    for p in tmp.glob(db.name + "*"):
        p.unlink()
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(src), str(db), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["files"] = sum(1 for _ in src.rglob("*.txt"))
    res["reports_per_s"] = res["files"] / res["seconds"]
    res["workers"] = workers
    res["db_mb"] = db.stat().st_size / 1e6
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="report files in the large corpus (default 10000)")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    a = ap.parse_args()
    if not SAMPLE.exists():
        print(f"bench/ingest.py: {SAMPLE} not found", file=sys.stderr)
        return 2
    tmp = a.keep or Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    small_n = max(a.n // 4, 1)
    big, small = tmp / f"n{a.n}", tmp / f"n{small_n}"
    t = time.perf_counter()
    generate(big, a.n)
    generate(small, small_n)
    gen_s = time.perf_counter() - t
    rows = [run(big, 1, tmp), run(big, 2, tmp), run(small, 1, tmp)]
    print(f"generated {a.n + small_n} files in {gen_s:.1f} s;  load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'files':>7} {'workers':>7} {'seconds':>8} {'reports/s':>10} {'peak RSS MB':>12} "
        f"{'worker RSS MB':>14} {'db MB':>7} {'failed':>6}"
    )
    for r in rows:
        print(
            f"{r['files']:>7} {r['workers']:>7} {r['seconds']:>8.1f} {r['reports_per_s']:>10.1f} "
            f"{r['rss_mb']:>12.0f} {r['children_rss_mb']:>14.0f} {r['db_mb']:>7.1f} {r['failed']:>6}"
        )
    result = {
        "n": a.n,
        "small_n": small_n,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1m": os.getloadavg()[0],
        "runs": rows,
        "rss_growth_mb": rows[0]["rss_mb"] - rows[2]["rss_mb"],
    }
    out = ROOT / "bench" / "results" / "ingest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(
        f"peak RSS at {small_n} files {rows[2]['rss_mb']:.0f} MB, at {a.n} files {rows[0]['rss_mb']:.0f} MB; "
        f"wrote {out}"
    )
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
