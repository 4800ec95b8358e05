"""A local HTTP server for fetch tests: serves a site's pages from a dict, logs every request
(arrival and end times, method, path, status, bytes, whether the answer was sent whole, the
request's headers and form), answers conditional requests, and can stall one answer mid-body so a
test can kill the client while it is in flight. With `tls=(cert, key)` it serves HTTPS with that
certificate. No network: 127.0.0.1 only."""

from __future__ import annotations

import hashlib
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    etag: bool = False  # answer If-None-Match / If-Modified-Since with 304
    handler: object = None  # callable(method, query: dict, form: dict) -> (status, headers, body) or None (drop)


@dataclass
class Hit:
    t0: float
    t1: float
    method: str
    path: str  # path?query as requested
    status: int
    size: int
    complete: bool
    headers: dict
    form: dict


class Portal:
    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Hit] = []
        self.stall_path: str | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.aborted = False
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                portal._serve(self, "GET")

            def do_POST(self) -> None:
                portal._serve(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ----------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}{path}"

    # --- content -------------------------------------------------------------------------------------

    def add(self, path: str, body: bytes | str = b"", **kw) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **kw)
        return self.url(path)

    def hits(self, path: str | None = None, complete: bool | None = None) -> list[Hit]:
        return [
            h
            for h in self.log
            if (path is None or h.path == path or h.path.split("?")[0] == path)
            and (complete is None or h.complete == complete)
        ]

    # --- serving -------------------------------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        t0 = time.monotonic()
        form = {}
        if method == "POST":
            n = int(h.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(h.rfile.read(n).decode("utf-8"), keep_blank_values=True))
        parts = urlsplit(h.path)
        route = self.routes.get(h.path) or self.routes.get(parts.path)
        status, headers, body = (
            404,
            {"Content-Type": "text/html; charset=utf-8"},
            b"<html><body>Not Found</body></html>",
        )
        if route is not None:
            if route.handler is not None:
                answer = route.handler(method, dict(parse_qsl(parts.query)), form)
                if answer is None:  # drop the connection without an answer (a network error)
                    h.close_connection = True
                    self.log.append(Hit(t0, time.monotonic(), method, h.path, 0, 0, False, dict(h.headers), form))
                    return
                status, headers, body = answer
            else:
                status, body = route.status, route.body
                headers = {"Content-Type": route.content_type, **route.headers}
                if route.etag and status == 200:
                    tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    headers["ETag"] = tag
                    headers["Last-Modified"] = "Mon, 04 Mar 2024 08:00:00 GMT"
                    if h.headers.get("If-None-Match") == tag:
                        status, body = 304, b""
        complete = True
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if self.stall_path is not None and h.path.startswith(self.stall_path) and not self.stalled.is_set():
                half = len(body) // 2
                h.wfile.write(body[:half])
                h.wfile.flush()
                self.stalled.set()
                self.release.wait(30)
                if self.aborted:  # the test killed the client meanwhile: this answer never arrived
                    raise BrokenPipeError
                h.wfile.write(body[half:])
                h.wfile.flush()
            else:
                h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            complete = False
        t1 = time.monotonic()
        req_headers = {k.lower(): v for k, v in h.headers.items()}
        self.log.append(Hit(t0, t1, method, h.path, status, len(body), complete, req_headers, form))
