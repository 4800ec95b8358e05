"""`xxgk fetch --insecure` against a local HTTPS portal whose certificate is self-signed (what a portal
with an incomplete chain looks like to a client): without the flag nothing is fetched, each URL fails
once (no retries) with a reason naming --insecure; with it the same column is fetched whole."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import pytest

from pipelines.cli import main
from tests import fetch_sites
from tests.portal import Portal

FAST = ["--delay", "0", "--no-delay-floor"]
TITLE = "甲局2023年政府信息公开工作年度报告"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl absent: no certificate to serve")


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def site(p: Portal) -> str:
    p.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    p.add("/nb/202403/t20240301_1.html", fetch_sites.inline_report(TITLE))
    return p.add("/nb/index.html", fetch_sites.list_page([("/nb/202403/t20240301_1.html", TITLE)]))


def manifest(out) -> list[dict]:
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_untrusted_certificate_refused_then_fetched_with_insecure(tmp_path, capsys, self_signed):
    out = tmp_path / "o"
    with Portal(tls=self_signed) as p:
        url = site(p)
        assert url.startswith("https://127.0.0.1:")

        assert main(["fetch", url, "--out", str(out), *FAST]) == 1
        o, e = capsys.readouterr()
        why = "TLS certificate not trusted (an incomplete chain?); --insecure fetches it anyway"
        assert o.splitlines()[0] == f"{url}: pages 0, items 0 (0 new), saved 0, skipped 0, failed 1"
        assert f"  failed: {url}: {why}" in o.splitlines()
        assert f"127.0.0.1:{p.server.server_address[1]}: robots.txt unreachable ({why})" in e
        # The handshake failed: no request reached the server, and none was retried.
        assert p.log == []
        assert [(r["status"], r["reason"]) for r in manifest(out)] == [("failed", why)]
        assert not (out / "reports").exists() or list((out / "reports").iterdir()) == []

        assert main(["fetch", url, "--out", str(out), *FAST, "--insecure", "--json"]) == 0
        res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert res["columns"][0]["saved"] == 1 and res["columns"][0]["failed"] == 0
        (saved,) = res["saved"]
        assert TITLE in open(saved, encoding="utf-8").read()
        assert [h.path for h in p.log] == ["/robots.txt", "/nb/index.html", "/nb/202403/t20240301_1.html"]
        # the failed list page was retried on this run (a TLS failure is not final) and is now saved
        assert [(r["status"], r["title"]) for r in manifest(out)] == [("saved", TITLE)]
