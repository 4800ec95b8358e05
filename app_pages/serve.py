"""Start the dashboard warm: ``python -m app_pages.serve [streamlit options]`` is ``streamlit run app.py
[options]`` with the heavy imports done and the warehouse opened before the server takes its first request.

Streamlit imports a page's modules only when the first session runs the script, so the first visitor of a
fresh server waited for pandas, pyarrow, altair, polars and DuckDB to import (~1.5 s of CPU on the 2-core
machine) and for the warehouse's first open. ``make run`` starts the server through here; the server is the
same Streamlit CLI (``streamlit.web.cli.main``, the ``streamlit`` command's own entry point). The landing
page is also run once before then (``landing``), so that the first visitor finds its queries and charts cached.
"""

from __future__ import annotations

import mimetypes
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def warm() -> None:
    import logging

    # st.cache_data checks its parameters when a module defines a cached function; before the server exists
    # it says so ("No runtime found"), although the cache itself is made on the first call, in the server
    from streamlit.runtime.caching import cache_data_api

    from app_pages import _warm

    log = logging.getLogger(cache_data_api.__name__)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        _warm.warm()
    finally:
        log.setLevel(level)
    from pipelines import read, settings
    from pipelines.warehouse import snapshots

    db = settings.db_path()
    if not db.is_file():
        return
    try:  # open the published file and read the sidebar's first query into DuckDB's buffers
        with snapshots.pool(db).use() as snap:
            read.datasets(snap)
    except Exception as e:  # only a head start: the pages say what is wrong with the warehouse, in the UI
        print(f"xxgk: warehouse not warmed: {db}: {e}", file=sys.stderr)
        return
    landing()


def landing() -> None:
    """Run the landing page once, as a first visitor would see it, before the server takes a request.

    Its queries (the sidebar's and the overview's) and its charts are then in the process's caches (the query
    cache is a resource cache and the chart memo a module's, both shared with the server's sessions, keyed by
    the published file's token: a newer warehouse is read afresh). The first visitor of a fresh server otherwise
    waited ~0.5-1 s at 1M reports for queries no one had asked yet. Streamlit's AppTest runs the script without a
    browser; its messages about running outside a server are not the server's and are silenced here."""
    import logging

    from streamlit.testing.v1 import AppTest

    quiet = [logging.getLogger(n) for n in ("streamlit", "streamlit.runtime.scriptrunner_utils.script_run_context")]
    levels = [lg.level for lg in quiet]
    for lg in quiet:
        lg.setLevel(logging.CRITICAL)
    try:
        at = AppTest.from_file(str(APP), default_timeout=300)
        at.run()
        if at.exception:
            print(f"xxgk: landing page not warmed: {at.exception[0].value}", file=sys.stderr)
    except Exception as e:  # a head start only, as above
        print(f"xxgk: landing page not warmed: {e}", file=sys.stderr)
    finally:
        for lg, lv in zip(quiet, levels):
            lg.setLevel(lv)


def nodelay() -> bool:
    """Turn Nagle's algorithm off on the server's connections, as Tornado's server did.

    Streamlit's Starlette server binds its own listening socket (``socket.socket(family)``, protocol 0), so
    asyncio's transports skip their usual ``TCP_NODELAY`` (they set it only on sockets whose protocol reads as
    TCP). Every response is written in two parts (headers, then body); with Nagle on, the body waits for the
    browser's delayed ACK of the headers: ~44 ms per small file on a kept-alive connection, i.e. ~0.5 s of
    the ~170 script files a first page load fetches over 6 connections, and the same stall on the websocket's
    small messages. Linux copies the option from the listening socket to every accepted one. Returns whether the
    server's socket function was found (the tests fail if a Streamlit release renames it)."""
    import socket

    from streamlit.web.server.starlette import starlette_server as server

    bind = getattr(server, "_bind_socket", None)
    if bind is None or getattr(bind, "_xxgk_nodelay", False):
        return bind is not None

    def bind_nodelay(*args, **kwargs):
        sock = bind(*args, **kwargs)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    bind_nodelay._xxgk_nodelay = True  # type: ignore[attr-defined]
    server._bind_socket = bind_nodelay
    return True


class MemoryStatic:
    """Streamlit's own front-end files (``static/…``, content-hashed names, cached by browsers for a year) served
    from memory, in front of Starlette's ``StaticFiles``.

    A fresh browser fetches ~170 of them for the first page of the dashboard (one chunk per kind of widget,
    chart and table). ``StaticFiles`` stats and reads each through a worker thread, ~1.6 ms of server CPU a
    file on this machine, on the same two cores the browser needs to compile and lay the page out. Here each
    file is read once and kept (~25 MB at most); every other path (index.html, the health check, anything not
    shipped) goes to Streamlit's handler unchanged. Only names listed from the package's own directory are
    served: a request path is a key in that list, never joined to a file path."""

    def __init__(self, app, directory: str) -> None:
        self.app = app
        root = Path(directory)
        self.files = {"/" + f.relative_to(root).as_posix(): f for f in (root / "static").rglob("*") if f.is_file()}
        self._cache: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {}

    def _entry(self, path: str) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        hit = self._cache.get(path)
        if hit is None:
            f = self.files[path]
            body = f.read_bytes()
            ctype = mimetypes.guess_type(f.name)[0] or "application/octet-stream"
            headers = [
                (b"content-type", ctype.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"public, immutable, max-age=31536000"),
            ]
            hit = self._cache[path] = (body, headers)
        return hit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path, root = scope["path"], scope.get("root_path", "")
            if root and path.startswith(root + "/"):
                path = path[len(root) :]
            if path in self.files:
                body, headers = self._entry(path)
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
        await self.app(scope, receive, send)


def static_from_memory() -> bool:
    """Put ``MemoryStatic`` in front of the handler Streamlit's Starlette server makes for its front end.
    Returns whether it could (the tests fail if a Streamlit release renames the function)."""
    from streamlit.web.server.starlette import starlette_static_routes as routes

    make = getattr(routes, "create_streamlit_static_handler", None)
    if make is None or getattr(make, "_xxgk_memory", False):
        return make is not None

    def make_memory(directory: str, *args, **kwargs):
        return MemoryStatic(make(directory, *args, **kwargs), directory)

    make_memory._xxgk_memory = True  # type: ignore[attr-defined]
    routes.create_streamlit_static_handler = make_memory
    return True


def server_settings() -> None:
    """The dashboard's two settings of Streamlit's own server, made before it starts (main; bench/browser.py's
    floor is served with them too, so that its loads compare like with like)."""
    nodelay()
    static_from_memory()


def main() -> None:
    warm()
    server_settings()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
