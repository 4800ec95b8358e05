"""Extraction speed of this checkout against an earlier commit, as whole runs in the same run.

    .venv/bin/python bench/extract_vs.py [--baseline 42deb97] [--rounds 7] [--passes 3] [--forms .pdf]

Each run is a whole process (`python -c`, interpreter start and imports included) that extracts every
real report of ../shared/real-reports (.txt, .md, .html, .pdf; the regression set) `--passes` times
with the tree's own `pipelines.extract.extract_file`. The baseline is `git archive`d into a temp dir;
the two trees run in turn (A B B A A B …) so that the machine's drift falls on both, and the ratio is
taken pair by pair. CPU seconds (user + system of the child) are the figure to quote on a shared
machine; wall seconds and the load average are printed beside them. Each run also counts the table-3
and table-4 cells equal to the truth, so the speed is never bought with misses.
Writes bench/results/extract_vs.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real-reports"
FORMS = (".txt", ".md", ".html", ".pdf")

# Run inside the tree under test (its folder first on sys.path): prints the cells right and read, and
# which pipelines it imported, so a run of the wrong tree cannot pass unnoticed.
DRIVER = """
import json, sys
from pathlib import Path
import pipelines
from pipelines.extract import extract_file
real, passes, forms = Path(sys.argv[1]), int(sys.argv[2]), set(sys.argv[3].split(","))
files = sorted(p for p in real.iterdir() if p.suffix in forms and (real / (p.stem + ".truth.json")).exists())
right = total = 0
for k in range(passes):
    for f in files:
        got = extract_file(f).to_json()
        if k:
            continue
        want = json.loads((real / (f.stem + ".truth.json")).read_text(encoding="utf-8"))
        for key, row in want["table3"].items():
            g = got["table3"].get(key) or [None] * 7
            right += sum(a == b for a, b in zip(g, row))
            total += len(row)
        right += sum(a == b for a, b in zip(got["table4"], want["table4"]))
        total += len(want["table4"])
print(json.dumps({"module": pipelines.__file__, "files": len(files), "right": right, "total": total}))
"""


def export(rev: str, dest: Path) -> Path:
    """The tree of `rev` (committed files only) in dest."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
    tar = dest / "tree.tar"
    tar.write_bytes(data)
    with tarfile.open(tar) as t:
        t.extractall(dest / "tree", filter="data")
    return dest / "tree"


def one_run(tree: Path, passes: int, forms: str = ",".join(FORMS)) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", DRIVER, str(REAL), str(passes), forms],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if not res["module"].startswith(str(tree)):
        raise SystemExit(f"the run of {tree} imported {res['module']}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, **res}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="42deb97", help="the commit to compare against (default 42deb97)")
    ap.add_argument("--rounds", type=int, default=7, help="runs of each tree (default 7)")
    ap.add_argument("--passes", type=int, default=3, help="passes over the reports in one run (default 3)")
    ap.add_argument("--forms", default=",".join(FORMS), help="file suffixes to extract (default: all of them)")
    args = ap.parse_args()
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline], capture_output=True, text=True, check=True
    ).stdout.strip()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        base = export(rev, Path(tmp))
        trees = {"current": ROOT, "baseline": base}
        runs: dict[str, list[dict]] = {"current": [], "baseline": []}
        one_run(ROOT, 1, args.forms), one_run(base, 1, args.forms)  # warm the page cache and .pyc files of both
        for i in range(args.rounds):
            order = ["current", "baseline"] if i % 2 == 0 else ["baseline", "current"]
            for name in order:
                runs[name].append(one_run(trees[name], args.passes, args.forms))
    load_after = os.getloadavg()
    ratios = {k: [c[k] / b[k] for c, b in zip(runs["current"], runs["baseline"])] for k in ("cpu", "wall")}
    out = {
        "current": head,
        "baseline": rev,
        "files": runs["current"][0]["files"],
        "passes": args.passes,
        "forms": args.forms,
        "rounds": args.rounds,
        "cells_right": {k: f"{v[0]['right']}/{v[0]['total']}" for k, v in runs.items()},
        "median_cpu_s": {k: statistics.median(r["cpu"] for r in v) for k, v in runs.items()},
        "median_wall_s": {k: statistics.median(r["wall"] for r in v) for k, v in runs.items()},
        "ratio_cpu": {"median": statistics.median(ratios["cpu"]), "min": min(ratios["cpu"]), "max": max(ratios["cpu"])},
        "ratio_wall": {
            "median": statistics.median(ratios["wall"]),
            "min": min(ratios["wall"]),
            "max": max(ratios["wall"]),
        },
        "load_avg_before": load_before,
        "load_avg_after": load_after,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
    }
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "extract_vs.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    n = out["files"] * args.passes
    print(f"{n} extractions a run ({out['files']} real reports × {args.passes}), {args.rounds} runs each, in turn")
    for k in ("current", "baseline"):
        print(
            f"  {k:8} {head if k == 'current' else rev}: CPU {out['median_cpu_s'][k]:.2f} s, "
            f"wall {out['median_wall_s'][k]:.2f} s (medians); cells right {out['cells_right'][k]}"
        )
    rc, rw = out["ratio_cpu"], out["ratio_wall"]
    print(
        f"  current/baseline: CPU {rc['median']:.3f} (min {rc['min']:.3f}, max {rc['max']:.3f}), wall {rw['median']:.3f}"
    )
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")


if __name__ == "__main__":
    main()
