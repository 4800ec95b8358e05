"""`xxgk fetch` overhead: a whole crawl of a local fixture portal with the delay set to 0, against the
floor of the same requests made by a bare httpx loop, each in a fresh process, interleaved.

    .venv/bin/python bench/fetch.py [--n 400] [--rounds 3]

The portal (tests/portal.py) is a TRS column of N reports, 20 per list page, each an article with a
PDF attachment: N/20 list pages + N articles + N files (+ robots.txt). What is measured is what the
crawler adds per request (parsing, the SQLite frontier, the spool, the manifest) — in real use the
politeness delay (1 s per host) dominates everything. Also: the re-run (nothing new: one conditional
list request per column) and the crawler's peak RSS. Prints a table, writes bench/results/fetch.json.
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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import fetch_sites
from tests.portal import Portal

PER_PAGE = 20
FLOOR = """
import sys, httpx
urls = sys.stdin.read().split()
with httpx.Client(headers={"User-Agent": "floor"}) as c:
    for u in urls:
        c.get(u).read()
"""


def build(p: Portal, n: int) -> str:
    p.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    pages = -(-n // PER_PAGE)
    items = []
    for i in range(n):
        path = f"/nb/{2024 - i % 5}01/t{2024 - i % 5}0101_{i}.html"
        title = f"测试第{i}局{2023 - i % 5}年政府信息公开工作年度报告"
        p.add(path, fetch_sites.article(title, f'<a href="/att/P0{i}.pdf">{title}.pdf</a>'))
        p.add(f"/att/P0{i}.pdf", fetch_sites.fake_pdf(f"r{i}") + os.urandom(30000), content_type="application/pdf")
        items.append((path, title))
    for k in range(pages):
        name = "index.html" if k == 0 else f"index_{k}.html"
        js = f'createPageHTML({pages}, {k}, "index", "html");'
        p.add(f"/nb/{name}", fetch_sites.list_page(items[k * PER_PAGE : (k + 1) * PER_PAGE], head_script=js), etag=True)
    return p.url("/nb/index.html")


def run(cmd: list[str], stdin: str | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB so far) of a child process. CPU time is what the
    crawler itself costs; wall time on a shared machine also holds other people's work."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, input=stdin, text=True, check=False, cwd=ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    fetch_t, floor_t, rerun_t, rss, fetch_cpu, floor_cpu = [], [], [], [], [], []
    with Portal() as p:
        url = build(p, a.n)
        for _ in range(a.rounds):
            with tempfile.TemporaryDirectory() as d:
                n0 = len(p.log)
                xxgk = [
                    sys.executable,
                    "-m",
                    "pipelines.cli",
                    "fetch",
                    url,
                    "--out",
                    d,
                    "--delay",
                    "0",
                    "--no-delay-floor",
                ]
                w, c, m = run([*xxgk, "--json"])
                fetch_t.append(w)
                fetch_cpu.append(c)
                rss.append(m)
                urls = [p.url(h.path) for h in p.log[n0:]]
                n_requests = len(urls)
                w2, c2, _ = run([sys.executable, "-c", FLOOR], "\n".join(urls))
                floor_t.append(w2)
                floor_cpu.append(c2)
                n1 = len(p.log)
                w3, _, _ = run([*xxgk, "--json"])
                rerun_t.append(w3)
                rerun_requests = len(p.log) - n1
    f, fl = statistics.median(fetch_t), statistics.median(floor_t)
    fc, flc = statistics.median(fetch_cpu), statistics.median(floor_cpu)
    res = {
        "machine": f"{platform.node()} {os.cpu_count()} cpu, load {os.getloadavg()[0]:.1f}",
        "n_reports": a.n,
        "requests": n_requests,
        "fetch_s": round(f, 2),
        "floor_httpx_s": round(fl, 2),
        "ratio": round(f / fl, 2),
        "overhead_ms_per_request": round((f - fl) / n_requests * 1000, 2),
        "fetch_cpu_s": round(fc, 2),
        "floor_cpu_s": round(flc, 2),
        "cpu_ratio": round(fc / flc, 2),
        "cpu_ms_per_request": round(fc / n_requests * 1000, 2),
        "rerun_s": round(statistics.median(rerun_t), 2),
        "rerun_requests": rerun_requests,
        "peak_rss_mb": round(rss[0], 1),  # after the first child, so it is the crawler's own
        "runs": {"fetch": fetch_t, "floor": floor_t, "rerun": rerun_t, "fetch_cpu": fetch_cpu, "floor_cpu": floor_cpu},
    }
    print(f"{a.n} reports, {n_requests} requests: xxgk fetch {f:.2f} s wall / {fc:.2f} s CPU, bare httpx {fl:.2f} s "
          f"/ {flc:.2f} s CPU (wall {f / fl:.2f}x, CPU {fc / flc:.2f}x, {res['cpu_ms_per_request']} ms CPU per request); "
          f"re-run {res['rerun_s']} s with {rerun_requests} requests; peak RSS {res['peak_rss_mb']} MB")  # fmt: skip
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fetch.json").write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
