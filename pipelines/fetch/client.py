"""The polite HTTP client: robots.txt (protego), one request at a time per host with a delay
between them, retries with growing backoff, conditional requests, manual redirects (each hop
checked against robots and scope), bodies streamed to disk, and WAF challenges recognised.

The crawl runs in one thread, so "one request at a time per host" holds by construction; the
delay is kept per host, so two hosts' requests interleave without either waiting for the other."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
from protego import Protego

from pipelines.fetch import dom

CHALLENGE_STATUSES = (202, 412, 521)  # Tencent/Aliyun 202, 瑞数 412, 加速乐 521: a script to run first
MAX_REDIRECTS = 5
_SMALL_BODY_MAX = 512 * 1024  # robots.txt's limit (RFC 9309 asks for at least 500 KiB); error pages

# Outcome kinds of Client.get
OK = "ok"
NOT_MODIFIED = "not_modified"
HTTP_ERROR = "http_error"  # a 4xx (final), or 429/5xx after the retries
NETWORK = "network"
CHALLENGE = "challenge"
ROBOTS = "robots"
OFFSITE = "offsite"
BLOCKED = "blocked"  # the host was stopped earlier in this run
TOO_BIG = "too_big"
TLS = "tls"  # the certificate is not trusted: final until --insecure


@dataclass
class Options:
    user_agent: str
    delay_s: float
    retries: int
    backoff_s: float
    timeout_s: float
    max_bytes: int
    retry_after_max_s: float = 120.0
    obey_robots: bool = True
    verify_tls: bool = True


@dataclass
class Answer:
    kind: str
    url: str  # the final URL (after redirects)
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body_path: Path | None = None  # the body, streamed to disk (OK only)
    size: int = 0
    sha256: str | None = None
    error: str | None = None  # one line, for the manifest
    body: bytes = b""  # a body kept in memory: robots.txt, an error page (capped)
    retry_after: float | None = None

    @property
    def transient(self) -> bool:
        """Worth trying again on the next run (a 4xx or a robots rule is not)."""
        return self.kind in (NETWORK, CHALLENGE, BLOCKED, TLS) or (self.kind == HTTP_ERROR and _retryable(self.status))


def _retryable(status: int | None) -> bool:
    return status is not None and (status == 429 or (status >= 500 and status not in CHALLENGE_STATUSES))


def _retry_after(headers: httpx.Headers) -> float | None:
    v = headers.get("retry-after")
    if not v:
        return None
    if v.strip().isdigit():
        return float(v.strip())
    try:
        return max(0.0, parsedate_to_datetime(v).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Client:
    def __init__(
        self, opts: Options, sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] | None = None
    ):
        self.opts = opts
        self.http = httpx.Client(
            headers={"User-Agent": opts.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"},
            timeout=opts.timeout_s,
            follow_redirects=False,
            verify=opts.verify_tls,
        )
        self.sleep = sleep
        self.log = log or (lambda msg: None)
        self.free_at: dict[str, float] = {}  # host → monotonic time of its next allowed request
        self.robots: dict[str, Protego | bool] = {}  # host → rules, True (allow all), False (disallow all)
        self.blocked: dict[str, str] = {}  # host → why it was stopped in this run
        self.untrusted: dict[str, str] = {}  # host → its robots.txt failed TLS: so will every request to it
        self.requests = 0

    def close(self) -> None:
        self.http.close()

    # --- spacing ---------------------------------------------------------------------------------

    def delay_for(self, host: str) -> float:
        rules = self.robots.get(host)
        crawl = rules.crawl_delay(self.opts.user_agent) if isinstance(rules, Protego) else None
        return max(self.opts.delay_s, float(crawl or 0.0))

    def ready_at(self, host: str) -> float:
        return self.free_at.get(host, 0.0)

    def _wait(self, host: str) -> None:
        wait = self.free_at.get(host, 0.0) - time.monotonic()
        if wait > 0:
            self.sleep(wait)

    def _done(self, host: str, extra: float = 0.0) -> None:
        self.free_at[host] = time.monotonic() + max(self.delay_for(host), extra)

    # --- robots.txt --------------------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        if not self.opts.obey_robots:
            return True
        host = dom.host_of(url)
        if host not in self.robots:
            self.robots[host] = self._load_robots(url)
            self._done(host)  # the next request waits for the Crawl-delay just learnt
        rules = self.robots[host]
        return rules if isinstance(rules, bool) else rules.can_fetch(url, self.opts.user_agent)

    def _load_robots(self, url: str) -> Protego | bool:
        """RFC 9309: a 4xx means no rules; an unreachable robots.txt (5xx, network) means disallow all."""
        scheme, host = url.split("://", 1)[0], dom.host_of(url)
        target = f"{scheme}://{host}/robots.txt"
        for _ in range(MAX_REDIRECTS):
            ans = self._with_retries("GET", target, None, {}, None)
            if ans.kind == OK and ans.status and 300 <= ans.status < 400 and ans.headers.get("location"):
                target = dom.resolve(target, ans.headers["location"]) or target
                continue
            break
        if ans.kind == CHALLENGE:
            self.block(host, ans.error or "challenge")
            return False
        if ans.kind == OK and ans.status == 200:
            return Protego.parse(dom.to_text(ans.body, target))
        if ans.kind == HTTP_ERROR and ans.status is not None and 400 <= ans.status < 500:
            return True
        if ans.kind == TLS:
            self.untrusted[host] = ans.error or TLS
        self.log(f"{host}: robots.txt unreachable ({ans.error}); treating the host as disallowed (RFC 9309)")
        return False

    def block(self, host: str, why: str) -> None:
        self.blocked[host] = why

    # --- requests ------------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        method: str = "GET",
        data: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        spool: Path | None = None,
        in_scope: Callable[[str], bool] = lambda u: True,
    ) -> Answer:
        """One request, politely: robots, spacing, retries, redirects. A 200 body is streamed to
        `spool` (a temporary name; the caller renames it); other bodies are kept only to judge them."""
        cond = {}
        if etag:
            cond["If-None-Match"] = etag
        if last_modified:
            cond["If-Modified-Since"] = last_modified
        for _ in range(MAX_REDIRECTS + 1):
            host = dom.host_of(url)
            if host in self.blocked:
                return Answer(BLOCKED, url, error=f"host stopped earlier in this run: {self.blocked[host]}")
            if not self.allowed(url):
                if host in self.untrusted:  # a failure to report as such (and retry), not a robots rule
                    return Answer(TLS, url, error=self.untrusted[host])
                return Answer(ROBOTS, url, error="disallowed by robots.txt")
            ans = self._with_retries(method, url, data, cond, spool)
            if ans.kind == OK and ans.status and 300 <= ans.status < 400:
                target = dom.resolve(url, ans.headers.get("location"))
                if not target:
                    return Answer(HTTP_ERROR, url, ans.status, error=f"HTTP {ans.status} without a usable Location")
                if not in_scope(target):
                    return Answer(OFFSITE, target, ans.status, error=f"redirected off-site to {target}")
                url, method, data = target, "GET", None
                continue
            if ans.kind == CHALLENGE:
                self.block(host, ans.error or "challenge")
            return ans
        return Answer(HTTP_ERROR, url, error=f"more than {MAX_REDIRECTS} redirects")

    def _with_retries(self, method, url, data, cond, spool) -> Answer:
        host = dom.host_of(url)
        ans = Answer(NETWORK, url)
        for attempt in range(self.opts.retries + 1):
            ans = self._exchange(method, url, data, cond, spool)
            retry = ans.kind == NETWORK or (ans.kind == HTTP_ERROR and _retryable(ans.status))
            if not retry or attempt == self.opts.retries:
                break
            backoff = self.opts.backoff_s * (2**attempt)
            if ans.retry_after is not None:
                backoff = min(ans.retry_after, self.opts.retry_after_max_s)
            self.log(f"{url}: {ans.error}; retry {attempt + 1}/{self.opts.retries} in {backoff:.1f} s")
            self._done(host, backoff)
        return ans

    def _exchange(self, method, url, data, cond, spool) -> Answer:
        """Exactly one HTTP request (after the host's delay)."""
        host = dom.host_of(url)
        self._wait(host)
        self.requests += 1
        try:
            with self.http.stream(method, url, data=data, headers=cond) as r:
                return self._answer(r, url, spool)
        except httpx.HTTPError as e:
            if "CERTIFICATE_VERIFY_FAILED" in str(e):  # not worth a retry: the same certificate comes back
                why = "TLS certificate not trusted (an incomplete chain?); --insecure fetches it anyway"
                return Answer(TLS, url, error=why)
            return Answer(NETWORK, url, error=f"network error: {type(e).__name__}: {e}".strip().rstrip(":"))
        finally:
            self._done(host)

    def _answer(self, r: httpx.Response, url: str, spool: Path | None) -> Answer:
        headers = {k.lower(): v for k, v in r.headers.items()}
        status = r.status_code
        if status == 200 and spool is not None:
            return self._stream_body(r, url, headers, spool)
        body = b""
        for chunk in r.iter_bytes():
            body += chunk
            if len(body) > _SMALL_BODY_MAX:
                break
        if status in CHALLENGE_STATUSES:
            return Answer(CHALLENGE, url, status, headers, error=_challenge_msg(status, body))
        if status == 304:
            return Answer(NOT_MODIFIED, url, status, headers)
        if status == 200 or 300 <= status < 400:
            if status == 200 and dom.is_challenge_page(body, url):
                return Answer(CHALLENGE, url, status, headers, error=_challenge_msg(status, body))
            return Answer(OK, url, status, headers, body=body)
        error = f"HTTP {status}" + (" (dead link)" if status in (404, 410) else "")
        return Answer(HTTP_ERROR, url, status, headers, error=error, body=body, retry_after=_retry_after(r.headers))

    def _stream_body(self, r: httpx.Response, url: str, headers: dict, spool: Path) -> Answer:
        h = hashlib.sha256()
        size = 0
        tmp = spool.with_name(spool.name + ".part")
        with open(tmp, "wb") as f:
            for chunk in r.iter_bytes(65536):
                size += len(chunk)
                if size > self.opts.max_bytes:
                    f.close()
                    tmp.unlink(missing_ok=True)
                    return Answer(
                        TOO_BIG, url, 200, headers, error=f"larger than {self.opts.max_bytes // 2**20} MB; not kept"
                    )
                h.update(chunk)
                f.write(chunk)
        head = tmp.read_bytes()[:32768] if size <= 32 * 1024 else b""
        if head and dom.is_challenge_page(head, url):
            tmp.unlink(missing_ok=True)
            return Answer(CHALLENGE, url, 200, headers, error=_challenge_msg(200, head))
        return Answer(OK, url, 200, headers, tmp, size, h.hexdigest())


def _challenge_msg(status: int, body: bytes) -> str:
    return (
        f"HTTP {status} browser challenge ({len(body)}-byte script page): the site wants a browser that "
        "runs its script; xxgk fetch does not run scripts"
    )
