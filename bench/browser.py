"""Browser benchmark: every dashboard page in headless Chromium at 10k and 1M reports.

    .venv/bin/python bench/browser.py [--sizes 10000,1000000] [--runs 5]

For each size a warehouse is built with `xxgk demo --direct --reports N` (cached under bench/.cache/, the
same files as bench/dashboard.py), the dashboard is started as `make run` starts it, and Debian's chromium
(Playwright) measures, at 1440 px:

- first load: the first page load after the server started (cold caches), `/`, over `--first-loads` server
  starts (p50 / p95: one load is one sample of a noisy quantity);
- direct load: each page's URL opened in a fresh tab (a new session), N times;
- sidebar navigation: a click on each page's entry in the sidebar, from the previous page, N rounds;
- filter change: on each page, the sidebar's 省份 switched between two provinces, N times;
- the floor, first: a one-widget Streamlit page served from this checkout (same config), loaded the same way,
  i.e. what a page load costs before any of the dashboard's work.

A load ends when the page is settled: Streamlit's "running" indicator is gone and nothing in the main area
has changed for 500 ms; the time is that of the last change (a MutationObserver in the page), so the quiet
window is not counted. p50 / p95 per page and kind; the server's "missing ScriptRunContext" warnings are
counted. Writes bench/results/browser.json and prints a table. Targets at 1M (2 cores): navigation and
filter change p50 <= 1 s, p95 <= 2 s; first load <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(ROOT))

from pipelines import settings

# url path → sidebar title (zh)
PAGES = {
    "": "总览",
    "applications": "申请量",
    "outcomes": "办理结果",
    "disputes": "复议诉讼",
    "compare": "对比",
    "map": "地图",
    "report": "报告",
    "quality": "数据质量",
    "checks": "校验规则",
    "import": "导入",
}
QUIET_MS = 500
TIMEOUT_S = 120

# Installed in every document: the time of the last change in the page (ms since the navigation began).
OBSERVER = """
(() => {
  window.__lastMut = performance.now();
  const start = () => new MutationObserver(() => { window.__lastMut = performance.now(); })
      .observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""
SETTLED = f"""
() => {{
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const h1 = document.querySelector('[data-testid="stMainBlockContainer"] h1');
  const failed = document.querySelector('[data-testid="stException"]');
  return !running && (!!h1 || !!failed) && performance.now() - window.__lastMut > {QUIET_MS};
}}
"""


def warehouse(n: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    p = CACHE / f"demo-{n}.duckdb"
    if not p.exists():
        t0 = time.perf_counter()
        tmp = p.with_name(p.name + ".building")
        tmp.unlink(missing_ok=True)
        subprocess.run(
            [str(ROOT / ".venv/bin/xxgk"), "demo", "--direct", "--reports", str(n), "--db", str(tmp)], check=True
        )
        os.replace(tmp, p)
        print(f"built {p.name} in {time.perf_counter() - t0:.0f} s", flush=True)
    return p


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, tries: int) -> bool:
    """Wait until the Streamlit server at ``url`` answers its health check (``tries`` × 0.2 s at most)."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return True
        except OSError:
            time.sleep(0.2)
    return False


def serve(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = _port()
    env = dict(os.environ, XXGK_DB=str(db))
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"DB={db}", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    if healthy(url, 1500):  # `make run` may first reinstall the package (pyproject.toml changed)
        return proc, url
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("the dashboard did not start: " + log.read_text(errors="replace")[-2000:])


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def settled_ms(page, since: float) -> float:
    """Wait until the page is settled; the ms from ``since`` (page clock) to its last change."""
    page.wait_for_function(SETTLED, timeout=TIMEOUT_S * 1000, polling=100)
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError(page.locator('[data-testid="stException"]').first.inner_text()[:500])
    return page.evaluate("() => window.__lastMut") - since


def load(ctx, url: str) -> tuple[object, float]:
    page = ctx.new_page()
    page.add_init_script(OBSERVER)
    page.goto(url, wait_until="commit")
    return page, settled_ms(page, 0.0)


def provinces(db: Path) -> list[str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT province FROM reports WHERE province IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 2"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def pick_province(page, name: str) -> float:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="省份")
    box.click(timeout=TIMEOUT_S * 1000)
    page.keyboard.type(name)
    t0 = page.evaluate("() => performance.now()")
    page.keyboard.press("Enter")
    # the view's state reaches the URL at the end of the run the choice started
    page.wait_for_function(
        "(n) => new URLSearchParams(location.search).get('prov') === n", arg=name, timeout=TIMEOUT_S * 1000
    )
    return settled_ms(page, t0)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[int(q) - 1]


def first_loads(db: Path, log: Path, times: int) -> list[float]:
    """``times`` more first loads of ``/``: each on a freshly started server, in a fresh browser context."""
    from playwright.sync_api import sync_playwright

    out = []
    for _ in range(times):
        proc, url = serve(db, log)
        try:
            with sync_playwright() as pw:
                b = pw.chromium.launch(executable_path=str(settings.chromium()), args=list(settings.CHROMIUM_ARGS))
                ctx = b.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
                _, ms = load(ctx, url + "/")
                out.append(ms)
                b.close()
        finally:
            stop(proc)
    return out


def bench_size(n: int, runs: int, first: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    db = warehouse(n)
    log = CACHE / f"browser-server-{n}.log"
    proc, url = serve(db, log)
    out: dict = {"reports": n, "pages": {}, "load_avg_before": os.getloadavg()}
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=str(settings.chromium()), args=list(settings.CHROMIUM_ARGS))
            ctx = b.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page, ms = load(ctx, url + "/")
            firsts = [ms]
            print(f"{n:>9,} first load {ms:,.0f} ms", flush=True)
            page.close()
            direct: dict[str, list[float]] = {p: [] for p in PAGES}
            nav: dict[str, list[float]] = {p: [] for p in PAGES}
            filt: dict[str, list[float]] = {p: [] for p in PAGES}
            provs = provinces(db)
            errors: dict[str, str] = {}
            for r in range(runs):
                for p in PAGES:  # a fresh tab each: a new session
                    c2 = b.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
                    try:
                        pg, ms = load(c2, f"{url}/{p}")
                        direct[p].append(ms)
                    except Exception as e:  # a page that fails is reported, the others still measured
                        errors.setdefault(p or "overview", f"direct: {str(e).splitlines()[0][:300]}")
                    c2.close()
                page, _ = load(ctx, url + "/")
                for p, title in list(PAGES.items())[1:] + [("", PAGES[""])]:
                    try:
                        link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first
                        t0 = page.evaluate("() => performance.now()")
                        link.click(timeout=TIMEOUT_S * 1000)
                        page.wait_for_function(
                            "(p) => location.pathname.replace(/^\\/+/, '') === p", arg=p, timeout=TIMEOUT_S * 1000
                        )
                        nav[p].append(settled_ms(page, t0))
                        if len(provs) >= 1:
                            filt[p].append(pick_province(page, provs[(r + 1) % len(provs)]))
                            filt[p].append(pick_province(page, provs[r % len(provs)]))
                    except Exception as e:
                        errors.setdefault(p or "overview", f"navigation/filter: {str(e).splitlines()[0][:300]}")
                page.close()
                print(f"{n:>9,} run {r + 1}/{runs} done", flush=True)
            ctx.close()
            b.close()
        for p in PAGES:
            out["pages"][p or "overview"] = {
                kind: {"p50_ms": round(pct(xs, 50)), "p95_ms": round(pct(xs, 95)), "n": len(xs)}
                for kind, xs in (("direct", direct[p]), ("navigation", nav[p]), ("filter", filt[p]))
                if xs
            }
        out["errors"] = errors
    finally:
        stop(proc)
    text = log.read_text(errors="replace")
    if first > 1:  # the other first loads, each on a server started afresh (the log above is the first run's)
        firsts += first_loads(db, CACHE / f"browser-server-{n}-restarts.log", first - 1)
    out["first_loads_ms"] = [round(x) for x in firsts]
    out["first_load_ms"] = round(pct(firsts, 50))
    out["first_load_p95_ms"] = round(pct(firsts, 95))
    print(f"{n:>9,} first loads {', '.join(f'{x:,.0f}' for x in firsts)} ms", flush=True)
    out["load_avg_after"] = os.getloadavg()  # the machine's load beside each size's figures
    out["scriptruncontext_warnings"] = text.count("missing ScriptRunContext")
    out["exceptions_in_log"] = text.count("Traceback")
    return out


# The floor's server: Streamlit's own, with the dashboard's server settings (app_pages.serve: no Nagle delay,
# Streamlit's front-end files from memory), on the one-widget page instead of app.py.
FLOOR_SERVE = """
import sys
from app_pages import serve
from streamlit.web import cli
serve.server_settings()
sys.argv = ["streamlit", "run", sys.argv[1], *sys.argv[2:], "--server.headless", "true",
            "--browser.gatherUsageStats", "false"]
cli.main(prog_name="streamlit")
"""

FLOOR_APP = """
import streamlit as st
st.set_page_config(page_title="floor", layout="wide")
st.sidebar.selectbox("省份", ["", "河南省"])
st.title("总览")
st.write("Streamlit's own cost: a page with one widget and a title")
"""


def bench_floor(runs: int, first: int = 3) -> dict:
    """The floor of a page load on this machine: a one-widget Streamlit app served the same way (no data, no
    charts), first loads over ``first`` server starts and direct loads in fresh tabs. The dashboard's loads are
    read against it."""
    from playwright.sync_api import sync_playwright

    app = CACHE / "floor_app.py"
    CACHE.mkdir(parents=True, exist_ok=True)
    app.write_text(FLOOR_APP)
    log = CACHE / "browser-floor.log"
    firsts: list[float] = []
    direct: list[float] = []
    for start in range(first):
        port = _port()
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-c", FLOOR_SERVE, str(app), "--server.port", str(port)],
            cwd=ROOT,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            if not healthy(url, 600):
                raise RuntimeError("the floor's page did not start: " + log.read_text(errors="replace")[-2000:])
            with sync_playwright() as pw:
                b = pw.chromium.launch(executable_path=str(settings.chromium()), args=list(settings.CHROMIUM_ARGS))
                for i in range(1 + (runs if start == 0 else 0)):
                    ctx = b.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
                    page, ms = load(ctx, url + "/")
                    (direct if i else firsts).append(ms)
                    ctx.close()
                b.close()
        finally:
            stop(proc)
    return {
        "first_load_ms": round(pct(firsts, 50)),
        "first_loads_ms": [round(x) for x in firsts],
        "direct": {"p50_ms": round(pct(direct, 50)), "p95_ms": round(pct(direct, 95)), "n": runs},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--first-loads", type=int, default=3, help="server starts whose first load is measured")
    a = ap.parse_args()
    if not settings.chromium().exists():
        sys.exit(f"{settings.chromium()} is missing (Debian's chromium)")
    res = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_avg_before": os.getloadavg(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sizes": [],
    }
    (HERE / "results").mkdir(exist_ok=True)
    res["floor"] = bench_floor(a.runs, a.first_loads)
    print(f"floor (a one-widget Streamlit page): first load p50 {res['floor']['first_load_ms']:,} ms, direct load "
          f"p50/p95 {res['floor']['direct']['p50_ms']:,}/{res['floor']['direct']['p95_ms']:,} ms", flush=True)  # fmt: skip
    for n in [int(s) for s in a.sizes.split(",")]:
        res["sizes"].append(bench_size(n, a.runs, a.first_loads))
        res["load_avg_after"] = os.getloadavg()
        # written after each size: a later size that fails keeps the earlier figures
        (HERE / "results" / "browser.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(f"\nload average before {res['load_avg_before']}, after {res['load_avg_after']}")
    print(f"{'page':<14}{'reports':>10}  {'direct p50/p95':>16}  {'navigation p50/p95':>20}  {'filter p50/p95':>16}")
    for s in res["sizes"]:
        print(f"first load at {s['reports']:,}: p50 {s['first_load_ms']:,} ms (p95 {s['first_load_p95_ms']:,}); ScriptRunContext warnings: "
              f"{s['scriptruncontext_warnings']}; load average {s['load_avg_before']} → {s['load_avg_after']}")  # fmt: skip
        for p, k in s["pages"].items():
            cells = [
                f"{k[x]['p50_ms']:,}/{k[x]['p95_ms']:,}" if x in k else "—" for x in ("direct", "navigation", "filter")
            ]
            print(f"{p:<14}{s['reports']:>10,}  {cells[0]:>16}  {cells[1]:>20}  {cells[2]:>16}")
        for p, e in s.get("errors", {}).items():
            print(f"{p:<14}{s['reports']:>10,}  FAILED {e}")


if __name__ == "__main__":
    main()
