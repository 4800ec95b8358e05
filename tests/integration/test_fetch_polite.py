"""Politeness of `xxgk fetch`, measured from the fixture servers' logs: the spacing between two
requests to one host (the default, a lowered delay through the explicit flag, robots.txt's
Crawl-delay), one request at a time per host while hosts interleave, retries with growing backoff,
Retry-After, a dropped connection, robots.txt unreachable, the delay floor."""

from __future__ import annotations

import itertools
import statistics

import pytest

from pipelines import settings
from pipelines.cli import main
from pipelines.fetch import FetchError, FetchOptions, fetch
from tests import fetch_sites
from tests.portal import Portal


def small_column(p: Portal, n: int, robots: str = "User-agent: *\nAllow: /\n", tag: str = "") -> str:
    items = [
        (f"/nb/2024{i:02d}/t2024{i:02d}01_{i}.html", f"测试{tag}第{i}局2023年政府信息公开工作年度报告")
        for i in range(1, n + 1)
    ]
    p.add("/robots.txt", robots, content_type="text/plain")
    for path, title in items:
        p.add(path, fetch_sites.inline_report(title))
    return p.add("/nb/index.html", fetch_sites.list_page(items))


def gaps(log) -> list[float]:
    """Time between the starts of two consecutive requests, as the server saw them arrive. (The
    crawler waits the delay after each answer, so the idle time is longer still; but the server's
    end-of-answer time can trail the client's on a busy machine, so starts are what is measured.)"""
    return [b.t0 - a.t0 for a, b in itertools.pairwise(log)]


def test_default_delay_is_at_least_one_second(tmp_path):
    assert settings.FETCH_DELAY_S >= 1.0 and settings.FETCH_DELAY_FLOOR_S >= 1.0
    with Portal() as p:
        url = small_column(p, 1)
        res = fetch([url], tmp_path / "out")  # the defaults, no flag
        assert res.ok and len(p.log) == 3  # robots.txt, the list, the article
        assert min(gaps(p.log)) >= settings.FETCH_DELAY_S


def test_hosts_interleave_each_spaced_and_one_at_a_time(tmp_path):
    """Host A asks for Crawl-delay 0.6 s; host B gets the delay of 0.2 s given with the explicit flag."""
    with Portal() as a, Portal() as b:
        ua = small_column(a, 3, "User-agent: *\nCrawl-delay: 0.6\n", "A")
        ub = small_column(b, 3, tag="B")
        res = fetch([ua, ub], tmp_path / "out", FetchOptions(delay_s=0.2, allow_below_floor=True))
        assert res.ok and len(a.log) == len(b.log) == 5
        assert min(gaps(a.log)) >= 0.6
        assert min(gaps(b.log)) >= 0.2 and statistics.median(gaps(b.log)) < 0.6  # B's own delay, not A's
        for log in (a.log, b.log):  # one at a time: no request starts before the previous one ended
            assert all(y.t0 >= x.t1 for x, y in itertools.pairwise(log))
        # B's requests were made while A waited: the hosts interleave
        a_span = (a.log[1].t0, a.log[-1].t1)
        assert sum(a_span[0] < h.t0 < a_span[1] for h in b.log) >= 2


def test_retries_with_growing_backoff_then_success(tmp_path):
    with Portal() as p:
        url = small_column(p, 1)
        calls = {"n": 0}

        def flaky(method, query, form):
            calls["n"] += 1
            if calls["n"] == 1:
                return None  # connection dropped without an answer
            if calls["n"] == 2:
                return 503, {"Content-Type": "text/html"}, b"busy"
            return (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                fetch_sites.inline_report("测试局2023年政府信息公开工作年度报告").encode(),
            )

        p.add("/nb/202401/t20240101_1.html", handler=flaky)
        res = fetch([url], tmp_path / "out", FetchOptions(delay_s=0.0, allow_below_floor=True, backoff_s=0.2))
        assert res.ok and res.columns[0].saved == 1
        hits = p.hits("/nb/202401/t20240101_1.html")
        assert [h.status for h in hits] == [0, 503, 200]
        g = gaps(hits)
        assert g[0] >= 0.2 and g[1] >= 0.4  # 0.2 s, then doubled


def test_429_honours_retry_after_and_gives_up_after_retries(tmp_path):
    with Portal() as p:
        url = small_column(p, 2)
        p.add("/nb/202401/t20240101_1.html", b"slow down", status=429, headers={"Retry-After": "1"})
        p.add("/nb/202402/t20240201_2.html", b"down", status=500)
        res = fetch(
            [url], tmp_path / "out", FetchOptions(delay_s=0.0, allow_below_floor=True, backoff_s=0.05, retries=1)
        )
        h429 = p.hits("/nb/202401/t20240101_1.html")
        assert len(h429) == 2 and gaps(h429)[0] >= 1.0  # Retry-After: 1 wins over the 0.05 s backoff
        assert len(p.hits("/nb/202402/t20240201_2.html")) == 2  # the first try and one retry
        assert dict(res.failed) == {
            p.url("/nb/202401/t20240101_1.html"): "HTTP 429",
            p.url("/nb/202402/t20240201_2.html"): "HTTP 500",
        }


def test_unreachable_robots_txt_means_disallowed(tmp_path):
    """RFC 9309: robots.txt answering 5xx means the whole host is disallowed; nothing else is asked."""
    with Portal() as p:
        url = small_column(p, 1)
        p.add("/robots.txt", b"oops", status=503)
        res = fetch(
            [url], tmp_path / "out", FetchOptions(delay_s=0.0, allow_below_floor=True, backoff_s=0.01, retries=1)
        )
        assert [h.path for h in p.log] == ["/robots.txt", "/robots.txt"]
        assert res.columns[0].skipped == 1 and res.columns[0].pages == 0


def test_delay_floor_needs_the_explicit_flag(tmp_path, capsys):
    with pytest.raises(FetchError, match="below the floor"):
        FetchOptions(delay_s=0.2).check()
    code = main(["fetch", "http://127.0.0.1:9/nb/index.html", "--out", str(tmp_path), "--delay", "0.2"])
    assert code == 2 and "below the floor of 1 s" in capsys.readouterr().err
    assert not (tmp_path / ".xxgk-fetch").exists()  # refused before anything was touched
