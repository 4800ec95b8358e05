"""Settings in one place: paths, the warehouse location, limits and thresholds.

Every command, page and module reads its configuration from here, never from ``os.environ`` directly,
so that one environment variable means the same thing everywhere (e.g. ``XXGK_DB`` for every command
and the dashboard). Values are read when asked for, so a test can set the environment per case.

| variable | default | meaning |
|---|---|---|
| ``XXGK_DB`` | ``data/xxgk.duckdb`` | the warehouse every command and the dashboard use |
| ``XXGK_AUTHOR`` | the login name | default author of hand corrections |
| ``XXGK_UPLOADS`` | ``<warehouse folder>/uploads`` | where the 导入 page stores uploaded files |
| ``XXGK_UPLOAD_MB`` | ``50`` | the 导入 page's per-file upload limit |
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data/xxgk.duckdb")

# Rates over fewer cases than this are marked 样本不足 and kept out of rankings (the sidebar can change it).
MIN_CASES = 30


def db_path() -> Path:
    """The warehouse: ``XXGK_DB`` if set (and not empty), else data/xxgk.duckdb."""
    return Path(os.environ.get("XXGK_DB") or DEFAULT_DB)


def author_default() -> str | None:
    return os.environ.get("XXGK_AUTHOR") or None


def uploads_root() -> Path:
    return Path(os.environ.get("XXGK_UPLOADS") or (db_path().parent / "uploads"))


def upload_max_mb() -> int:
    try:
        return max(1, int(os.environ.get("XXGK_UPLOAD_MB") or 50))
    except ValueError:
        return 50
