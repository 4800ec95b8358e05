"""``python -m app_pages.serve`` (what ``make run`` starts): the heavy imports and the warehouse's first open
happen before the server takes a request, and the server is Streamlit's own CLI on app.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_the_landing_page_is_warmed_for_the_first_visitor(db, monkeypatch):
    """serve.warm() runs the landing page once: the first visitor's queries and charts are then cached."""
    from app_pages import _common, serve
    from pipelines import charts, read
    from tests.app.conftest import assert_ok, new_app

    monkeypatch.setenv("XXGK_DB", str(db))
    _common._q.clear()
    calls: list[str] = []
    for name in ("overview_kpis", "ranking", "regions", "years"):
        real = getattr(read, name)

        def counted(*a, _real=real, _name=name, **k):
            calls.append(_name)
            return _real(*a, **k)

        monkeypatch.setattr(read, name, counted)
    serve.warm()
    assert sorted(set(calls)) == ["overview_kpis", "ranking", "regions", "years"]  # the landing page ran
    warmed = len(calls)
    assert charts._MEMO  # and drew its charts
    at = new_app()
    at.run()  # the first visitor: the overview, default view
    assert_ok(at)
    assert at.title[0].value == "总览"
    assert len(calls) == warmed  # every query it asked was answered from the cache


def test_the_servers_connections_send_without_waiting_for_acks():
    """serve.nodelay(): the listening socket Streamlit binds has TCP_NODELAY, and so has every connection it
    accepts (a response's body is not held back until the browser acknowledges its headers)."""
    import socket

    from streamlit.web.server.starlette import starlette_server

    from app_pages import serve

    assert serve.nodelay() is True
    assert serve.nodelay() is True  # idempotent: wrapped once
    listener = starlette_server._bind_socket("127.0.0.1", 0, 8)
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        client = socket.create_connection(listener.getsockname(), timeout=5)
        listener.setblocking(True)
        conn, _ = listener.accept()
        try:
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        finally:
            conn.close()
            client.close()
    finally:
        listener.close()


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_streamlits_front_end_files_are_served_from_memory_with_the_same_answer(monkeypatch):
    """serve.static_from_memory(): Streamlit's hashed front-end files come from memory with the body and type
    Streamlit's own handler gives; every other path (the page, a name not shipped, a path that climbs out of
    the directory) is still Streamlit's handler's to answer."""
    from starlette.applications import Starlette
    from starlette.testclient import TestClient
    from streamlit import file_util
    from streamlit.web.server.starlette import starlette_static_routes as routes

    from app_pages import serve

    plain = TestClient(Starlette(routes=routes.create_streamlit_static_assets_routes(None)))
    monkeypatch.setattr(routes, "create_streamlit_static_handler", routes.create_streamlit_static_handler)
    assert serve.static_from_memory() is True
    mounted = routes.create_streamlit_static_assets_routes(None)
    handler = mounted[0].app
    assert isinstance(handler, serve.MemoryStatic)
    fast = TestClient(Starlette(routes=mounted))

    js = sorted(p for p in (Path(file_util.get_static_dir()) / "static" / "js").iterdir() if p.suffix == ".js")
    for f in (js[0], js[-1]):
        url = "/static/js/" + f.name
        a, b = plain.get(url), fast.get(url)
        assert a.status_code == b.status_code == 200
        assert b.content == a.content == f.read_bytes()
        assert b.headers["content-type"].split(";")[0] == a.headers["content-type"].split(";")[0]
        assert b.headers["cache-control"] == a.headers["cache-control"] == "public, immutable, max-age=31536000"
        assert url in handler._cache  # served from memory
        head = fast.head(url)
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) == f.stat().st_size
    page = fast.get("/")  # the page itself: Streamlit's handler, not cached
    assert page.status_code == 200 and "<html" in page.text.lower() and "/" not in handler._cache
    for odd in ("/static/js/not-shipped.js", "/static/../../../../etc/passwd", "/static/js/../../../../etc/passwd"):
        a, b = plain.get(odd), fast.get(odd)  # Streamlit's answer (its page, as for any unknown path), not a file
        assert (b.status_code, b.content) == (a.status_code, a.content)
        assert b"root:" not in b.content
    assert not any("passwd" in k or "not-shipped" in k for k in handler._cache)
