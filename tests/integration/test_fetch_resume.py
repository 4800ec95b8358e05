"""Killed at any point, `xxgk fetch` continues where it stopped and asks for nothing twice:
proved from the fixture server's log (every answer it sent whole, counted per URL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from pipelines.fetch import FetchOptions, fetch
from pipelines.fetch.crawl import Crawler
from tests import fetch_sites
from tests.portal import Portal

REPO = Path(__file__).resolve().parents[2]
FAST = ["--delay", "0", "--no-delay-floor", "--json"]


def build(p: Portal) -> str:
    """Two TRS list pages, six reports: three PDF attachments, three inline."""
    p.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    pages: list[list[tuple[str, str]]] = [[], []]
    for i in range(6):
        path = f"/nb/2024{i + 1:02d}/t2024{i + 1:02d}01_{i}.html"
        title = f"测试第{i + 1}局2023年政府信息公开工作年度报告"
        pages[i // 3].append((path, title))
        if i % 2:
            p.add(path, fetch_sites.inline_report(title))
        else:
            p.add(path, fetch_sites.article(title, f'<a href="/att/P0{i}.pdf">{title}.pdf</a>'))
            p.add(f"/att/P0{i}.pdf", fetch_sites.fake_pdf(f"r{i}") + b"x" * 20000, content_type="application/pdf")
    for k, items in enumerate(pages):
        name = "index.html" if k == 0 else f"index_{k}.html"
        p.add(f"/nb/{name}", fetch_sites.list_page(items, head_script=f'createPageHTML(2, {k}, "index", "html");'))
    return p.url("/nb/index.html")


def xxgk(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "fetch", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_download_then_rerun_fetches_nothing_twice(tmp_path):
    out = tmp_path / "out"
    with Portal() as p:
        url = build(p)
        p.stall_path = "/att/P02.pdf"  # the second attachment: the client is killed while receiving it
        first = xxgk(url, "--out", str(out), *FAST)
        assert p.stalled.wait(60), first.communicate()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(30)
        p.aborted = True
        p.release.set()
        n_first = len(p.log)
        assert (out / ".xxgk-fetch" / "state.sqlite").exists()

        second = xxgk(url, "--out", str(out), *FAST)
        stdout, stderr = second.communicate(timeout=120)
        assert second.returncode == 0, stderr
        res = json.loads(stdout.strip().splitlines()[-1])
        assert res["resumed"] is True  # the same run, continued

        whole = Counter(h.path for h in p.log if h.complete and h.status == 200 and h.path != "/robots.txt")
        assert max(whole.values()) == 1, [k for k, v in whole.items() if v > 1]  # nothing fetched twice
        cut = [h.path for h in p.log if not h.complete]
        assert cut == ["/att/P02.pdf"]  # the one answer cut off by the kill, asked again once
        assert whole["/att/P02.pdf"] == 1 and any(h.path == "/att/P02.pdf" for h in p.log[n_first:])
        # the re-run asked only for what the first run had not received
        before = {h.path for h in p.log[:n_first] if h.complete}
        assert not ({h.path for h in p.log[n_first:]} - {"/robots.txt", "/att/P02.pdf"}) & before
        assert len(whole) == 2 + 6 + 3  # 2 list pages, 6 articles, 3 attachments
        assert sum(c["saved"] for c in res["columns"]) == 6
        assert sorted(Path(s).suffix for s in res["saved"]) == [".html"] * 3 + [".pdf"] * 3
        assert not list((out / ".xxgk-fetch" / "spool").iterdir())


def test_killed_after_a_download_before_its_commit_reuses_the_spooled_body(tmp_path, monkeypatch):
    """A complete answer on disk but not yet recorded (killed in between): the re-run finishes it
    from the spool without asking the server again."""
    out = tmp_path / "out"
    opts = FetchOptions(delay_s=0.0, allow_below_floor=True)
    with Portal() as p:
        url = build(p)
        real = Crawler._on_file

        def crash(self, t, ans, body):
            raise KeyboardInterrupt  # as if killed right after the body was spooled

        monkeypatch.setattr(Crawler, "_on_file", crash)
        try:
            fetch([url], out, opts)
        except KeyboardInterrupt:
            pass
        monkeypatch.setattr(Crawler, "_on_file", real)
        spooled = sorted(x.suffix for x in (out / ".xxgk-fetch" / "spool").iterdir())
        assert spooled == [".body", ".json"]  # the first attachment, complete, not yet recorded
        n = len(p.log)
        res = fetch([url], out, opts)
        assert res.resumed and res.ok
        again = [h.path for h in p.log[n:]]
        assert "/att/P00.pdf" not in again  # finished from the spool
        assert Counter(h.path for h in p.log if h.path != "/robots.txt").most_common(1)[0][1] == 1
        assert sum(c.saved for c in res.columns) == 6
