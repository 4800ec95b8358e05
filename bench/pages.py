"""Server side of every dashboard page: CPU of one script run (Streamlit's AppTest, in this process) at N reports.

    .venv/bin/python bench/pages.py [--reports 1000000] [--runs 3] [--baseline DIR]

The app is opened once (imports, the sidebar's queries), then for each page: its first run (the page's own
queries uncached: the overview's were run by the opening) and the runs after it (the read API's results
cached, as when a user comes back to a page or another user opens it with the same filters), CPU seconds
(user + sys, the median of the cached runs) and wall. No browser: this is the Python a page costs the server per run, the part bench/browser.py cannot
separate from Chromium's drawing. ``--baseline DIR``: the same pages from another checkout (e.g. an earlier
commit exported with ``git archive``) measured the same way right after, for a ratio in the same run. The
warehouse is bench/browser.py's (``xxgk demo --direct``, cached under bench/.cache/). Writes
bench/results/pages.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGES = ["overview", "applications", "outcomes", "disputes", "compare", "map", "report", "quality", "checks", "upload"]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(root: Path, db: Path, runs: int) -> dict:
    """In this process: every page of the checkout at ``root`` on ``db``, first run and ``runs`` more."""
    os.environ["XXGK_DB"] = str(db)
    sys.path.insert(0, str(root))
    os.chdir(root)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(root / "app.py"), default_timeout=600)
    at.run()
    out: dict = {}
    for p in PAGES:
        cpu, wall = [], []
        for _ in range(runs + 1):
            c0, w0 = _cpu(), time.perf_counter()
            at.switch_page(f"app_pages/{p}.py")
            at.run()
            cpu.append(round((_cpu() - c0) * 1000))
            wall.append(round((time.perf_counter() - w0) * 1000))
            if at.exception:
                raise RuntimeError(f"{p}: {at.exception[0].value}")
        out[p] = {"first_cpu_ms": cpu[0], "first_wall_ms": wall[0], "cpu_ms": sorted(cpu[1:])[len(cpu[1:]) // 2],
                  "wall_ms": sorted(wall[1:])[len(wall[1:]) // 2]}  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another checkout's root (its pages measured the same way)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:  # one checkout in a process of its own (modules of two checkouts cannot share one)
        print(json.dumps(measure(a.child.resolve(), a.db, a.runs)))
        return
    sys.path.insert(0, str(HERE))
    from browser import warehouse

    db = warehouse(a.reports)
    res: dict = {
        "reports": a.reports,
        "load_avg_before": os.getloadavg(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    for name, root in [("this", ROOT)] + ([("baseline", a.baseline)] if a.baseline else []):
        cmd = [sys.executable, __file__, "--runs", str(a.runs), "--child", str(root), "--db", str(db)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        res[name] = json.loads(done.stdout.strip().splitlines()[-1])
    res["load_avg_after"] = os.getloadavg()
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "pages.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(f"load average before {res['load_avg_before']}, after {res['load_avg_after']}")
    print(
        f"{'page':<14}{'first run CPU ms':>18}{'cached run CPU ms':>19}"
        + ("   baseline first / cached   ratio (cached)" if a.baseline else "")
    )
    for p in PAGES:
        t = res["this"][p]
        line = f"{p:<14}{t['first_cpu_ms']:>18,}{t['cpu_ms']:>19,}"
        if a.baseline:
            b = res["baseline"][p]
            line += f"   {b['first_cpu_ms']:>8,} / {b['cpu_ms']:>7,}   {b['cpu_ms'] / max(t['cpu_ms'], 1):>5.1f}x"
        print(line)


if __name__ == "__main__":
    main()
