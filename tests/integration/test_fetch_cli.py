"""`xxgk fetch` as a terminal user runs it: the per-column summary, the exit codes, --json, the
manifest as a spreadsheet opens it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pipelines.cli import main
from tests import fetch_sites
from tests.portal import Portal

FAST = ["--delay", "0", "--no-delay-floor"]


def site(p: Portal, dead: bool = False) -> str:
    p.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    items = [
        ("/nb/202403/t20240301_1.html", "甲局2023年政府信息公开工作年度报告"),
        ("/nb/202403/t20240302_2.html", '=HYPERLINK("http://x")乙局2023年政府信息公开工作年度报告'),
        ("/nb/202403/t20240303_3.html", "关于开展2023年度政府信息公开工作年度报告评议的通知"),
    ]
    p.add(items[0][0], fetch_sites.inline_report(items[0][1]))
    if not dead:
        p.add(items[1][0], fetch_sites.inline_report("乙局2023年政府信息公开工作年度报告"))
    return p.add("/nb/index.html", fetch_sites.list_page(items))


def test_summary_and_exit_codes(tmp_path, capsys):
    with Portal() as p:
        url = site(p)
        code = main(["fetch", url, "--out", str(tmp_path / "o"), *FAST])
        out, err = capsys.readouterr()
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == f"{url}: pages 1, items 3 (3 new), saved 2, skipped 1, failed 0"
        assert lines[1].startswith("run 1: 1 column(s), 4 requests in ") and "saved 2, skipped 1, failed 0" in lines[1]
        assert err == ""  # no progress drawn when stderr is not a terminal

        # the second run finds nothing new and fetches no article again
        n = len(p.log)
        assert main(["fetch", url, "--out", str(tmp_path / "o"), *FAST, "--json"]) == 0
        res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert res["columns"][0] == {"url": url, "pages": 1, "items": 3, "new": 0, "saved": 0, "skipped": 0,
                                     "failed": 0, "pending": 0}  # fmt: skip
        assert [h.path for h in p.log[n:]] == ["/robots.txt", "/nb/index.html"]
        assert len(res["saved"]) == 2


def test_exit_1_with_the_reason_and_a_safe_manifest(tmp_path, capsys):
    with Portal() as p:
        url = site(p, dead=True)
        code = main(["fetch", url, "--out", str(tmp_path / "o"), *FAST])
        out = capsys.readouterr().out
        assert code == 1
        assert f"  failed: {p.url('/nb/202403/t20240302_2.html')}: HTTP 404 (dead link)" in out.splitlines()
        with open(tmp_path / "o" / "manifest.csv", encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert [r["status"] for r in rows] == ["saved", "failed", "skipped"]
        assert rows[1]["title"].startswith("'=HYPERLINK")  # a spreadsheet shows it, does not run it
        assert rows[1]["reason"] == "HTTP 404 (dead link)"
        assert rows[2]["reason"] == "not an annual report (title)"
        # a later run does not ask for the dead link again (4xx is final) unless told to
        n = len(p.log)
        assert main(["fetch", url, "--out", str(tmp_path / "o"), *FAST]) == 0
        assert "1 earlier failure(s) not retried (use --retry-failed)" in capsys.readouterr().out
        assert "/nb/202403/t20240302_2.html" not in [h.path for h in p.log[n:]]
        assert main(["fetch", url, "--out", str(tmp_path / "o"), *FAST, "--retry-failed"]) == 1
        assert "/nb/202403/t20240302_2.html" in [h.path for h in p.log[n:]]


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["fetch", "ftp://x/y", "--out", str(tmp_path)]) == 2
    assert "not an http(s) URL: ftp://x/y" in capsys.readouterr().err


def test_allow_host_then_a_deleted_file_fetched_again(tmp_path, capsys):
    """An off-site item is skipped until its host is allowed; a saved file deleted by hand is the one
    thing a later run asks for again."""
    with Portal() as p, Portal() as other:
        other.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        other.add("/nb/t20240301_9.html", fetch_sites.inline_report("丙局2023年政府信息公开工作年度报告"))
        p.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        items = [(other.url("/nb/t20240301_9.html"), "丙局2023年政府信息公开工作年度报告")]
        url = p.add("/nb/index.html", fetch_sites.list_page(items))
        out = str(tmp_path / "o")
        assert main(["fetch", url, "--out", out, *FAST]) == 0
        assert "skipped 1" in capsys.readouterr().out and other.log == []
        assert main(["fetch", url, "--out", out, *FAST, "--allow-host", other.host, "--json"]) == 0
        res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert res["columns"][0]["saved"] == 1 and [h.path for h in other.log] == [
            "/robots.txt",
            "/nb/t20240301_9.html",
        ]
        Path(res["saved"][0]).unlink()
        assert main(["fetch", url, "--out", out, *FAST, "--allow-host", other.host, "--json"]) == 0
        res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert Path(res["saved"][0]).exists()
        assert [h.path for h in other.log].count("/nb/t20240301_9.html") == 2
