"""``python -m app_pages.serve`` (what ``make run`` starts): the heavy imports and the warehouse's first open
happen before the server takes a request, and the server is Streamlit's own CLI on app.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_warm_imports_and_opens_the_warehouse(db, monkeypatch):
    from app_pages import serve
    from pipelines import settings
    from pipelines.warehouse import snapshots

    monkeypatch.setenv("XXGK_DB", str(db))
    serve.warm()
    assert "altair" in sys.modules and "pyarrow" in sys.modules and "app_pages._common" in sys.modules
    pool = snapshots.pool(settings.db_path())
    assert pool.open_snapshots() and pool.open_snapshots()[0].token == pool.token()


def test_a_missing_warehouse_is_no_error(tmp_path, monkeypatch):
    from app_pages import serve

    monkeypatch.setenv("XXGK_DB", str(tmp_path / "none.duckdb"))
    serve.warm()  # the dashboard opens on the import page instead


def test_serve_is_streamlit_run_app_py():
    out = subprocess.run(
        [sys.executable, "-m", "app_pages.serve", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "streamlit run" in out.stdout.replace("\n", " ") or "Usage" in out.stdout
