"""Whole-process ingest of real text/Markdown/HTML reports: the floor ratio and scaling with workers.

    .venv/bin/python bench/scale.py [--n 1500] [--rounds 2] [--skip-cluster] [--variants workers=1] [--baseline DIR]

The files are N copies of the real reports in ../shared/real-reports (tests/integration/realcopies.py:
each copy the report as published with its agency renamed, so they load as reports of their own).
Each figure is a whole process, started fresh, into a fresh warehouse, the runs interleaved round by
round (the machine is shared: every variant sees the same load), best of --rounds:

- floor: read every file, decode it, parse it with lxml and walk every cell (the least any reader
  of these files does), in one process;
- ingest with --workers 1 and --workers 2;
- ingest with --cluster local:2 (a LocalCluster of two worker processes, started by the run);
- load-shards of the same reports (written once by an ingest --shards beforehand): the loader alone,
  no extraction, i.e. how many reports a second the client of a cluster can take.

--variants keeps only the named ones (the floor always runs). --baseline DIR adds "baseline workers=1": the same
ingest by another checkout's code (e.g. main exported with `git archive`, a `.venv` beside it not needed: this
interpreter runs it with DIR first on its path, and the run checks that `pipelines` came from DIR), interleaved with
the others, so that before and after are measured in the same run against the same floor.

Peak RSS is the ingest process's own (the client, for the cluster run). Besides wall seconds, each variant's
CPU seconds (user + system of the process and its children, least over the rounds) and their ratio to the
floor's: on a shared machine other processes stretch the wall clock, not the work. For the cluster run the
CPU of the scheduler and workers it starts is included. Writes bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.realcopies import REAL, write_copies

FLOOR = """
import sys, os
import lxml.html
n = cells = 0
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        data = open(os.path.join(d, f), "rb").read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", "replace")
        if f.endswith(".html"):
            root = lxml.html.fromstring(data)
            for el in root.iter():
                if el.text:
                    cells += 1
        else:
            for line in text.splitlines():
                cells += len(line.split())
        n += 1
print(n, cells)
"""

RUN = """
import json, os, resource, sys, time
import pipelines
want = os.environ.get("XXGK_BENCH_TREE")
if want and not os.path.realpath(pipelines.__file__).startswith(os.path.realpath(want) + os.sep):
    sys.exit(f"pipelines imported from {pipelines.__file__}, not from {want}")
from pipelines.warehouse.ingest import ingest
src, db, workers, cluster = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] or None
if src.startswith("shards:"):
    from pipelines.warehouse.shards import read_all
    r = ingest([], db=db, progress=False, source=read_all(src[len("shards:"):]))
else:
    r = ingest([src], db=db, workers=workers, progress=False, cluster=cluster)
native = sys.modules.get("pipelines.native")  # the compiled parser and readers in use (a current build)?
print(json.dumps({"loaded": len(r.loaded), "unchanged": len(r.unchanged), "failed": len(r.failed),
                  "replaced": len(r.replaced), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "native": bool(native and native.active() is not None)}))
"""


CPU: dict[str, float] = {}  # CPU seconds (user + system) of the last timed command, its children included


def timed(cmd: list[str], tree: Path = ROOT) -> tuple[float, str]:
    """Wall seconds and stdout of a whole process; its CPU seconds in CPU["last"] (on a shared machine the
    CPU time is the steadier figure: other processes' load stretches the wall clock, not the work).
    tree: the checkout whose code the process runs (its working directory, first on its path)."""
    env = None
    if tree != ROOT:
        env = {**os.environ, "PYTHONPATH": str(tree), "XXGK_BENCH_TREE": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tree, env=env)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["last"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dt, out.stdout


def run_ingest(src: Path | str, tmp: Path, workers: int, cluster: str | None, tree: Path = ROOT) -> dict:
    db = tmp / "bench.duckdb"
    for p in tmp.glob("bench.duckdb*"):
        p.unlink()
    dt, out = timed([sys.executable, "-c", RUN, str(src), str(db), str(workers), cluster or ""], tree)
    res = json.loads(out.strip().splitlines()[-1])
    res["seconds"] = dt
    res["cpu_s"] = CPU["last"]
    return res


def _yes_no(v: bool | None) -> str:
    return "-" if v is None else ("yes" if v else "no")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1500)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--skip-cluster", action="store_true", help="no Dask run (distributed not installed)")
    ap.add_argument(
        "--variants", default="", help="comma-separated subset of workers=1,workers=2,cluster local:2,load-shards"
    )
    ap.add_argument("--baseline", type=Path, help="another checkout's root: its ingest with --workers 1 beside ours")
    a = ap.parse_args()
    if not REAL.is_dir():
        print(f"bench/scale.py: {REAL} not found", file=sys.stderr)
        return 2
    variants: dict = {"floor": None, "workers=1": (1, None), "workers=2": (2, None)}
    if not a.skip_cluster:
        variants["cluster local:2"] = (1, "local:2")
    variants["load-shards"] = "shards"
    if a.variants:
        keep = {v.strip() for v in a.variants.split(",") if v.strip()}
        unknown = keep - set(variants)
        if unknown:
            print(f"bench/scale.py: unknown variants {sorted(unknown)}", file=sys.stderr)
            return 2
        variants = {k: v for k, v in variants.items() if k == "floor" or k in keep}
    if a.baseline:
        if not (a.baseline / "pipelines" / "__init__.py").is_file():
            print(f"bench/scale.py: {a.baseline} holds no pipelines package", file=sys.stderr)
            return 2
        variants["baseline workers=1"] = (1, None, a.baseline.resolve())
    load_start = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-scale-"))
    try:
        src = tmp / "files"
        write_copies(src, a.n)
        mb = sum(p.stat().st_size for p in src.rglob("*") if p.is_file()) / 1e6
        shards = tmp / "shards"
        if "load-shards" in variants:  # the shards it loads, written once beforehand
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pipelines.cli",
                    "ingest",
                    str(src),
                    "--db",
                    str(tmp / "s.duckdb"),
                    "--shards",
                    str(shards),
                    "--json",
                ],
                capture_output=True,
                check=True,
                cwd=ROOT,
            )
        runs: dict[str, list[dict]] = {k: [] for k in variants}
        for r in range(a.rounds):
            order = list(variants) if r % 2 == 0 else list(reversed(variants))
            for name in order:
                if variants[name] is None:
                    dt, _ = timed([sys.executable, "-c", FLOOR, str(src)])
                    runs[name].append({"seconds": dt, "cpu_s": CPU["last"]})
                elif variants[name] == "shards":
                    runs[name].append(run_ingest(f"shards:{shards}", tmp, 1, None))
                else:
                    runs[name].append(run_ingest(src, tmp, *variants[name]))
                print(f"round {r + 1} {name}: {runs[name][-1]['cpu_s']:.2f} s CPU", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    best = {k: min(v, key=lambda x: x["seconds"]) for k, v in runs.items()}
    floor = best["floor"]["seconds"]
    cpu = {k: min(x["cpu_s"] for x in v) for k, v in runs.items()}  # least CPU of the rounds, per variant
    print(
        f"{a.n} real-report copies ({mb:.0f} MB), whole processes, best of {a.rounds}; "
        f"{os.cpu_count()} cores, load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"{'variant':<20} {'seconds':>8} {'reports/s':>10} {'× floor':>8} {'CPU s':>7} {'× floor CPU':>12} "
        f"{'peak RSS MB':>12} {'loaded':>7} {'failed':>6} {'compiled':>8}"
    )
    for k, b in best.items():
        rss = f"{b['rss_mb']:.0f}" if "rss_mb" in b else "-"
        print(
            f"{k:<20} {b['seconds']:>8.1f} {a.n / b['seconds']:>10.1f} {b['seconds'] / floor:>8.2f} "
            f"{cpu[k]:>7.1f} {cpu[k] / cpu['floor']:>12.2f} {rss:>12} "
            f"{b.get('loaded', '-'):>7} {b.get('failed', '-'):>6} {_yes_no(b.get('native')):>8}"
        )
    per_round = {
        k: [x["cpu_s"] / f["cpu_s"] for x, f in zip(v, runs["floor"])] for k, v in runs.items() if k != "floor"
    }
    print("CPU × the same round's floor, round by round:")
    for k, rs in per_round.items():
        print(f"  {k:<20} " + " ".join(f"{x:.2f}" for x in rs))
    out = ROOT / "bench" / "results" / "scale.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "n": a.n,
                "mb": mb,
                "cpu_count": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_1m": os.getloadavg()[0],
                "runs": runs,
                "best": best,
                "reports_per_s": {k: a.n / b["seconds"] for k, b in best.items()},
                "ratio_to_floor": {k: b["seconds"] / floor for k, b in best.items()},
                "cpu_s": cpu,
                "cpu_ratio_to_floor": {k: c / cpu["floor"] for k, c in cpu.items()},
                "cpu_ratio_per_round": per_round,
                "load_average_start_1m": load_start,
                "baseline": str(a.baseline) if a.baseline else None,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
