"""extract_bytes takes the bytes' digest from a caller that has just computed it (ingest's prepare, a worker
that verified it) instead of hashing the file a second time: the report is the same."""

from __future__ import annotations

import hashlib

import pytest

from pipelines.extract import extract_bytes
from tests.conftest import REAL_REPORTS


def test_given_digest_gives_the_same_report():
    p = REAL_REPORTS / "pingtan-zone-2021.html"
    if not p.is_file():
        pytest.skip(f"{p} absent")
    data = p.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    assert extract_bytes(data, str(p), sha).to_json() == extract_bytes(data, str(p)).to_json()
    assert extract_bytes(data, str(p), sha).sha256 == sha
