"""The crawl: columns' list pages → items → articles → report files under DIR/reports, with the
state that makes it resumable in DIR/.xxgk-fetch.

Crash safety (a SIGKILL at any point): a 200 body is streamed to DIR/.xxgk-fetch/spool/<task>.body
(renamed from .part once complete, with its headers in <task>.json beside it), then the task's
consequences (new items and tasks, the saved file's row) are committed in one SQLite transaction,
then the body is moved to its saved name or deleted. At start, bodies left in the spool are
finished from disk — a complete response is never asked for twice; only a request cut off in
flight is asked again.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from urllib.parse import unquote

from pipelines import settings
from pipelines.fetch import classify, client, dom, lists
from pipelines.fetch.article import link_name, parse_article
from pipelines.fetch.client import Answer, Client
from pipelines.fetch.dom import Link
from pipelines.fetch.lists import Req
from pipelines.fetch.state import State, now

STATE_DIR = ".xxgk-fetch"
REPORTS_DIR = "reports"


# The tasks columns _set may write (state.py's schema), and its one statement over all of them: a column is
# set when its flag is true, else kept (no statement is composed at run time).
_TASK_ORDER = tuple(
    "state reason retry run_id fetched_at status_code final_url etag last_modified content_type size sha256 "
    "saved_path title".split()
)
_TASK_COLUMNS = frozenset(_TASK_ORDER)
_SET_TASK = (
    "UPDATE tasks SET " + ", ".join(f"{c} = CASE WHEN ? THEN ? ELSE {c} END" for c in _TASK_ORDER) + " WHERE id=?"
)


class FetchError(Exception):
    """A usage problem (bad option, DIR busy): one line for the user."""


@dataclass
class FetchOptions:
    delay_s: float = settings.FETCH_DELAY_S
    allow_below_floor: bool = False  # the explicit flag that lets delay_s go under the floor
    retries: int = settings.FETCH_RETRIES
    backoff_s: float = settings.FETCH_BACKOFF_S
    timeout_s: float = settings.FETCH_TIMEOUT_S
    max_bytes: int = settings.FETCH_MAX_BYTES
    allow_hosts: tuple[str, ...] = ()  # other hosts (lower-case host[:port]) whose items and files may be fetched
    any_path: bool = False  # follow pager links outside the column's folder
    retry_failed: bool = False  # also retry final failures (4xx, stubs) of earlier runs
    user_agent: str = field(default_factory=settings.fetch_user_agent)
    obey_robots: bool = True
    verify_tls: bool = True  # --insecure: many portals serve an incomplete certificate chain

    def check(self) -> None:
        if self.delay_s < settings.FETCH_DELAY_FLOOR_S and not self.allow_below_floor:
            raise FetchError(
                f"--delay {self.delay_s:g} is below the floor of {settings.FETCH_DELAY_FLOOR_S:g} s between requests "
                "to one host; add --no-delay-floor only for a server you run yourself"
            )
        if self.delay_s < 0 or self.retries < 0 or self.backoff_s < 0:
            raise FetchError("--delay, --retries and --backoff must not be negative")


@dataclass
class ColumnStats:
    url: str
    pages: int = 0
    items: int = 0
    new: int = 0
    saved: int = 0
    skipped: int = 0
    failed: int = 0
    pending: int = 0


@dataclass
class FetchResult:
    run_id: int
    resumed: bool
    out: Path
    manifest: Path
    columns: list[ColumnStats]
    saved: list[Path]  # every report file saved for these columns (this run and earlier ones)
    failed: list[tuple[str, str]]  # (url, reason) of this run
    stopped_hosts: dict[str, str]
    requests: int
    seconds: float
    earlier_failures: int = 0  # final failures of earlier runs, not retried
    ingest: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped_hosts

    def to_json(self) -> dict:
        return {
            "run": self.run_id,
            "resumed": self.resumed,
            "manifest": str(self.manifest),
            "requests": self.requests,
            "columns": [vars(c) for c in self.columns],
            "saved": [str(p) for p in self.saved],
            "failed": [{"url": u, "reason": r} for u, r in self.failed],
            "stopped_hosts": self.stopped_hosts,
            "ingest": self.ingest,
        }


def _disposition_name(value: str | None) -> str | None:
    """The file name of a Content-Disposition header (RFC 6266/5987; a raw GBK or UTF-8 name too)."""
    if not value:
        return None
    msg = Message()
    msg["content-disposition"] = value
    name = msg.get_filename()
    if name:
        try:  # servers send UTF-8/GBK bytes that arrive as latin-1 characters
            raw = name.encode("latin-1")
            name = raw.decode("utf-8") if _utf8(raw) else raw.decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        return unquote(name) if "%" in name else name
    return None


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


class Crawler:
    def __init__(self, urls: Sequence[str], out: str | Path, opts: FetchOptions, on_event: Callable | None = None):
        opts.check()
        self.urls = list(dict.fromkeys(u.strip() for u in urls if u.strip()))
        if not self.urls:
            raise FetchError("no column URL given")
        bad = [u for u in self.urls if not lists.start_request(u).url]
        if bad:
            raise FetchError(f"not an http(s) URL: {bad[0]}")
        self.opts = opts
        self.out = Path(out)
        self.meta = self.out / STATE_DIR
        self.spool = self.meta / "spool"
        self.spool.mkdir(parents=True, exist_ok=True)
        (self.out / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
        self._lock = open(self.meta / "lock", "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise FetchError(f"{self.out}: another xxgk fetch is running on this folder") from None
        self.state = State(self.meta / "state.sqlite")
        self.on_event = on_event or (lambda kind, msg: None)
        self.client = Client(
            client.Options(
                user_agent=opts.user_agent,
                delay_s=opts.delay_s,
                retries=opts.retries,
                backoff_s=opts.backoff_s,
                timeout_s=opts.timeout_s,
                max_bytes=opts.max_bytes,
                retry_after_max_s=settings.FETCH_RETRY_AFTER_MAX_S,
                obey_robots=opts.obey_robots,
                verify_tls=opts.verify_tls,
            ),
            log=lambda m: self.on_event("note", m),
        )
        self.run_id = 0
        self.resumed = False
        self.col_ids: list[int] = []
        self.col_hosts: dict[int, str] = {}  # column → its host
        self.col_prefix: dict[int, str] = {}

    def close(self) -> None:
        self.client.close()
        self.state.close()
        self._lock.close()

    # --- setup -------------------------------------------------------------------------------------

    def start(self) -> None:
        args = json.dumps({"urls": self.urls, "delay_s": self.opts.delay_s}, ensure_ascii=False)
        self.run_id, self.resumed = self.state.begin_run(args)
        for url in self.urls:
            req = lists.start_request(url)
            prefix = lists.column_dir(dom.clean_url(url.split("#", 1)[0]))
            cid = self.state.column(url, req.key, prefix, dom.host_of(req.url))
            self.col_ids.append(cid)
            self.col_prefix[cid] = prefix
            with self.state.tx() as c:
                c.execute(
                    "INSERT OR IGNORE INTO tasks(key, kind, host, method, url, data, pager, column_id) "
                    "VALUES (?, 'list', ?, ?, ?, ?, ?, ?)",
                    (req.key, dom.host_of(req.url), req.method, req.url, _data_json(req), req.pager, cid),
                )
                if not self.resumed:  # a new run walks every column's list again
                    c.execute("UPDATE tasks SET state='pending' WHERE key=? AND kind='list'", (req.key,))
        if not self.resumed:
            self.state.reopen(self.col_ids, self.opts.retry_failed)
            self._rescope()
        self._recover_spool()
        self._refetch_missing()

    def _rescope(self) -> None:
        """Items skipped as off-site get their task when the host is now allowed (--allow-host)."""
        marks = ",".join("?" * len(self.col_ids))
        rows = self.state.all(
            f"SELECT * FROM items WHERE state='skipped' AND reason LIKE 'off-site%' AND column_id IN ({marks})",
            tuple(self.col_ids),
        )
        for it in rows:
            if self._host_ok(it["url"], it["column_id"]):
                with self.state.tx() as c:
                    tid = self._task_for_item(c, it["url"], it["title"], it["column_id"])
                    c.execute("UPDATE items SET task_id=?, state=NULL, reason=NULL WHERE id=?", (tid, it["id"]))

    def _recover_spool(self) -> None:
        for p in self.spool.glob("*.part"):
            p.unlink(missing_ok=True)  # a download cut off: asked again
        for body in self.spool.glob("*.body"):
            tid = int(body.stem) if body.stem.isdigit() else -1
            row = self.state.one("SELECT state, saved_path FROM tasks WHERE id=?", (tid,))
            if row is None:
                self._drop_spool(tid)
            elif row["state"] != "pending":  # committed, then killed before the move
                target = self.out / row["saved_path"] if row["saved_path"] else None
                if target is not None and not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(body, target)
                self._drop_spool(tid)
        for meta in self.spool.glob("*.json"):
            if not meta.with_suffix(".body").exists():
                meta.unlink(missing_ok=True)

    def _refetch_missing(self) -> None:
        """A saved file deleted by hand since is due again (the only case a saved file is asked twice)."""
        rows = self.state.all("SELECT sha256, path, task_id FROM files")
        gone = [r for r in rows if not (self.out / r["path"]).exists()]
        if not gone:
            return
        with self.state.tx() as c:
            for r in gone:
                c.execute("DELETE FROM files WHERE sha256=?", (r["sha256"],))
                c.execute("UPDATE tasks SET state='pending', reason=NULL, saved_path=NULL WHERE id=?", (r["task_id"],))

    def _drop_spool(self, tid: int) -> None:
        for suffix in (".body", ".json", ".body.part"):
            (self.spool / f"{tid}{suffix}").unlink(missing_ok=True)

    # --- scope ---------------------------------------------------------------------------------------

    def _host_ok(self, url: str, column_id: int | None) -> bool:
        """On the column's own host, or on one allowed with --allow-host."""
        host = dom.host_of(url)
        if host in self.opts.allow_hosts:
            return True
        if column_id not in self.col_hosts:
            row = self.state.one("SELECT host FROM columns WHERE id=?", (column_id,))
            self.col_hosts[column_id or 0] = row["host"] if row is not None else ""
        return host == self.col_hosts[column_id or 0]

    # --- the loop ------------------------------------------------------------------------------------

    def run(self) -> None:
        while True:
            hosts = self.state.pending_hosts(set(self.client.blocked))
            if not hosts:
                break
            pick = min(hosts, key=lambda r: (self.client.ready_at(r["host"]), r["id"]))
            task = self.state.task_by_id(int(pick["id"]))
            self._process(task)
            self.on_event("task", task)

    def finish(self) -> None:
        with self.state.tx() as c:
            for cid in self.col_ids:
                left = c.execute(
                    "SELECT COUNT(*) FROM tasks WHERE column_id=? AND kind='list' AND state IN ('pending', 'failed')",
                    (cid,),
                ).fetchone()[0]
                if not left:
                    c.execute("UPDATE columns SET complete_run=? WHERE id=?", (self.run_id, cid))
        # the loop ended by itself: the run is over, even with tasks left for a stopped host (they
        # are due in the next run); only a killed or interrupted run is continued as the same run
        self.state.finish_run(self.run_id)

    # --- one task --------------------------------------------------------------------------------------

    def _process(self, t) -> None:
        body = self.spool / f"{t['id']}.body"
        ans = self._from_spool(t, body) if body.exists() else self._request(t, body)
        kind = ans.kind
        if kind == client.OK:
            self._on_body(t, ans, body)
        elif kind == client.NOT_MODIFIED:
            cached = self.state.one("SELECT body, content_type FROM pages WHERE task_id=?", (t["id"],))
            if cached is None:  # cannot happen unless the cache was removed: ask again, unconditionally
                self._done(t, "failed", reason="304 without a cached page", retry=1)
            else:
                self._on_list(t, ans, bytes(cached["body"]), cached["content_type"], not_modified=True)
        elif kind == client.CHALLENGE:
            host = dom.host_of(ans.url)
            left = self.state.pending_count(host) - 1
            self.on_event(
                "stop",
                f"{host}: {ans.error}. Stopped this host ({left} request(s) left pending); "
                "re-run later, or save its reports from a browser by hand",
            )
            self._done(t, "failed", ans, reason=ans.error, retry=1)
        elif kind == client.BLOCKED:
            pass  # left pending; the loop skips stopped hosts
        elif kind in (client.ROBOTS, client.OFFSITE):
            self._done(t, "skipped", ans, reason=ans.error, retry=1)
        else:  # HTTP_ERROR, NETWORK, TOO_BIG
            self._done(t, "failed", ans, reason=ans.error, retry=1 if ans.transient else 0)

    def _request(self, t, body: Path) -> Answer:
        etag = lm = None
        cached = t["kind"] == "list" and t["method"] == "GET"
        if cached and self.state.one("SELECT 1 FROM pages WHERE task_id=?", (t["id"],)):
            etag, lm = t["etag"], t["last_modified"]
        cid = t["column_id"]
        ans = self.client.get(
            t["url"],
            method=t["method"],
            data=dict(json.loads(t["data"])) if t["data"] else None,
            etag=etag,
            last_modified=lm,
            spool=body,
            in_scope=lambda u: self._host_ok(u, cid),
        )
        if ans.kind == client.OK and ans.body_path is not None:
            meta = {
                "status": ans.status,
                "url": ans.url,
                "headers": ans.headers,
                "size": ans.size,
                "sha256": ans.sha256,
            }
            tmp = body.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, body.with_suffix(".json"))
            os.replace(ans.body_path, body)
            ans.body_path = body
        return ans

    def _from_spool(self, t, body: Path) -> Answer:
        meta = json.loads(body.with_suffix(".json").read_text(encoding="utf-8"))
        return Answer(client.OK, meta["url"], meta["status"], meta["headers"], body, meta["size"], meta["sha256"])

    def _done(
        self, t, state: str, ans: Answer | None = None, reason: str | None = None, retry: int = 0, **cols
    ) -> None:
        with self.state.tx() as c:
            self._set(c, t["id"], state, ans, reason, retry, **cols)
        self._drop_spool(t["id"])

    def _set(self, c, tid: int, state: str, ans: Answer | None, reason: str | None, retry: int = 0, **cols) -> None:
        values = {
            "state": state,
            "reason": reason,
            "retry": retry,
            "run_id": self.run_id,
            "fetched_at": now(),
            "status_code": ans.status if ans else None,
            "final_url": ans.url if ans else None,
            **cols,
        }
        unknown = values.keys() - _TASK_COLUMNS
        if unknown:  # column names go into the statement: only the tasks table's own
            raise ValueError(f"not a tasks column: {sorted(unknown)}")
        c.execute(_SET_TASK, (*(x for k in _TASK_ORDER for x in (k in values, values.get(k))), tid))

    def _on_body(self, t, ans: Answer, body: Path) -> None:
        ct = (ans.headers.get("content-type") or "").split(";")[0].strip().lower() or None
        if t["kind"] == "list":
            self._on_list(t, ans, body.read_bytes(), ct)
        elif t["kind"] == "article":
            self._on_article(t, ans, body, ct)
        else:
            self._on_file(t, ans, body)

    # --- list pages --------------------------------------------------------------------------------------

    def _on_list(self, t, ans: Answer, data: bytes, ct: str | None, not_modified: bool = False) -> None:
        req = Req(t["url"], t["method"], tuple(json.loads(t["data"])) if t["data"] else (), t["pager"])
        page = lists.parse_list(data, ans.url or t["url"], ct, req)
        cid = t["column_id"]
        complete_before = self.state.one("SELECT complete_run FROM columns WHERE id=?", (cid,))
        walked = complete_before is not None and complete_before["complete_run"] is not None
        with self.state.tx() as c:
            new = sum(self._add_item(c, cid, t["url"], ln) for ln in page.items)
            # a column walked to its end before: a page with nothing new ends this walk (incremental)
            if not (walked and new == 0):
                for r in page.pages:
                    self._add_page(c, cid, t, r)
            if (
                not not_modified
                and t["method"] == "GET"
                and (ans.headers.get("etag") or ans.headers.get("last-modified"))
            ):
                c.execute(
                    "INSERT OR REPLACE INTO pages(task_id, body, content_type) VALUES (?, ?, ?)", (t["id"], data, ct)
                )
            self._set(
                c,
                t["id"],
                "done",
                ans,
                f"{page.shape}: {len(page.items)} items, {new} new" + (" (not modified)" if not_modified else ""),
                etag=ans.headers.get("etag") if not not_modified else t["etag"],
                last_modified=ans.headers.get("last-modified") if not not_modified else t["last_modified"],
                content_type=ct,
            )
        self._drop_spool(t["id"])

    def _add_page(self, c, cid: int, parent, r: Req) -> None:
        if r.method == "GET" and not self.opts.any_path:
            same = dom.host_of(r.url) == dom.host_of(parent["url"])
            if not same or not (r.url.startswith(self.col_prefix.get(cid, "")) or r.pager or "dataproxy" in r.url):
                return
        if dom.host_of(r.url) != dom.host_of(parent["url"]):
            return
        row = c.execute("SELECT id, state, run_id FROM tasks WHERE key=?", (r.key,)).fetchone()
        if row is None:
            c.execute(
                "INSERT INTO tasks(key, kind, host, method, url, data, pager, column_id, parent_id) "
                "VALUES (?, 'list', ?, ?, ?, ?, ?, ?, ?)",
                (r.key, dom.host_of(r.url), r.method, r.url, _data_json(r), r.pager, cid, parent["id"]),
            )
        elif row["state"] != "pending" and row["run_id"] != self.run_id:
            c.execute("UPDATE tasks SET state='pending' WHERE id=?", (row["id"],))

    def _add_item(self, c, cid: int, list_url: str, ln: Link) -> bool:
        """Record a list entry; True when it is new to this column."""
        row = c.execute("SELECT id FROM items WHERE column_id=? AND url=?", (cid, ln.url)).fetchone()
        if row is not None:
            c.execute("UPDATE items SET seen_run=? WHERE id=?", (self.run_id, row["id"]))
            return False
        state = reason = None
        tid = None
        if not self._host_ok(ln.url, cid):
            state, reason = "skipped", f"off-site link to {dom.host_of(ln.url)} (allow it with --allow-host)"
        elif classify.title_kind(ln.title) == classify.NOT_REPORT:
            state, reason = "skipped", "not an annual report (title)"
        else:
            tid = self._task_for_item(c, ln.url, ln.title, cid)
        c.execute(
            "INSERT INTO items(column_id, list_url, url, title, year, agency, task_id, state, reason, first_run, seen_run,"
            " decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cid,
                list_url,
                ln.url,
                ln.title,
                classify.guess_year(ln.title),
                classify.guess_agency(ln.title),
                tid,
                state,
                reason,
                self.run_id,
                self.run_id,
                now(),
            ),
        )
        return True

    def _task_for_item(self, c, url: str, title: str | None, cid: int) -> int:
        kind = "file" if lists.looks_like_document(url) and not lists.looks_like_article(url) else "article"
        c.execute(
            "INSERT OR IGNORE INTO tasks(key, kind, host, url, column_id, title) VALUES (?, ?, ?, ?, ?, ?)",
            (url, kind, dom.host_of(url), url, cid, title),
        )
        return int(c.execute("SELECT id FROM tasks WHERE key=?", (url,)).fetchone()[0])

    # --- articles --------------------------------------------------------------------------------------

    def _on_article(self, t, ans: Answer, body: Path, ct: str | None) -> None:
        head = body.read_bytes()[:65536]
        sn = classify.sniff(head, None, body)
        if sn.kind not in ("html", None) and sn.kind != "txt":  # the link was a download after all
            self._on_file(t, ans, body)
            return
        art = parse_article(body.read_bytes(), ans.url)
        if art.refresh_to is not None:
            why = f"deleted article: the page is a stub that redirects to {art.refresh_to}"
            self._done(t, "failed", ans, reason=why, content_type=ct)
            return
        list_kind = classify.title_kind(t["title"])
        page_kind = classify.title_kind(art.title)
        self._refine_guesses(t["id"], art.title)
        if list_kind != classify.REPORT and page_kind == classify.NOT_REPORT:
            self._done(t, "skipped", ans, reason=f"not an annual report (article title: {art.title})", content_type=ct)
        elif art.inline:
            self._save(t, ans, body, art.title or t["title"], "html", "text/html")
        elif art.attachments:
            self._add_attachments(t, ans, art.attachments, art.title or t["title"], ct)
        elif classify.REPORT in (list_kind, page_kind):
            why = "report article without the report's text or an attachment (scanned images?): save it by hand"
            self._done(t, "failed", ans, reason=why, content_type=ct)
        else:
            self._done(
                t, "skipped", ans, reason="not an annual report (no report text, no attachment)", content_type=ct
            )

    def _refine_guesses(self, tid: int, title: str | None) -> None:
        """A list may cut titles short; the article's own title fills year and agency it lacked."""
        if not title or classify.title_kind(title) == classify.NOT_REPORT:
            return
        with self.state.tx() as c:
            c.execute("UPDATE items SET year=? WHERE task_id=? AND year IS NULL", (classify.guess_year(title), tid))
            c.execute(
                "UPDATE items SET agency=? WHERE task_id=? AND agency IS NULL", (classify.guess_agency(title), tid)
            )

    def _add_attachments(self, t, ans: Answer, links: list[Link], title: str, ct: str | None) -> None:
        with self.state.tx() as c:
            for ln in links:
                ok = self._host_ok(ln.url, t["column_id"])
                c.execute(
                    "INSERT OR IGNORE INTO tasks(key, kind, host, url, column_id, parent_id, title, state, reason, retry)"
                    " VALUES (?, 'file', ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        ln.url,
                        dom.host_of(ln.url),
                        ln.url,
                        t["column_id"],
                        t["id"],
                        title if len(links) == 1 else (ln.title or title),
                        "pending" if ok else "skipped",
                        None if ok else f"off-site attachment on {dom.host_of(ln.url)} (allow it with --allow-host)",
                        0 if ok else 1,
                    ),
                )
            self._set(c, t["id"], "done", ans, f"{len(links)} attachment(s)", content_type=ct)
        self._drop_spool(t["id"])

    # --- files ---------------------------------------------------------------------------------------

    def _on_file(self, t, ans: Answer, body: Path) -> None:
        cd_name = _disposition_name(ans.headers.get("content-disposition"))
        name = cd_name or link_name(Link(ans.url, t["title"] or ""))
        with open(body, "rb") as f:
            head = f.read(65536)
        sn = classify.sniff(head, name, body)
        size = ans.size
        if sn.kind == "html" and dom.is_challenge_page(head, ans.url):
            self._process_challenge_late(t, ans)
            return
        if size < classify.MIN_DOCUMENT_BYTES or sn.kind is None:
            what = (
                f"{size}-byte stub" if size < classify.MIN_DOCUMENT_BYTES else f"{size} bytes of no known document type"
            )
            self._done(
                t, "failed", ans, reason=f"not a report file: {what} (magic bytes {head[:8].hex(' ') or 'none'})"
            )
            return
        if sn.kind == "html":
            self._done(
                t,
                "failed",
                ans,
                reason="an HTML page where a file was linked (an error page?)",
                content_type="text/html",
            )
            return
        self._save(t, ans, body, t["title"] or name, sn.ext or "bin", sn.content_type, original=name)

    def _process_challenge_late(self, t, ans: Answer) -> None:
        host = dom.host_of(ans.url)
        self.client.block(host, "browser challenge")
        self.on_event("stop", f"{host}: browser challenge instead of a file; stopped this host")
        self._done(t, "failed", ans, reason="browser challenge instead of the file", retry=1)

    def _save(
        self, t, ans: Answer, body: Path, title: str | None, ext: str, ct: str | None, original: str | None = None
    ) -> None:
        sha = ans.sha256
        existing = self.state.one("SELECT path FROM files WHERE sha256=?", (sha,))
        if existing is not None:
            with self.state.tx() as c:
                self._set(
                    c, t["id"], "skipped", ans, f"same file as {existing['path']}", sha256=sha, size=ans.size,
                    saved_path=existing["path"], content_type=ct,
                )  # fmt: skip
            self._drop_spool(t["id"])
            return
        rel = (
            Path(REPORTS_DIR)
            / classify.safe_host(dom.host_of(ans.url))
            / f"{classify.safe_stem(title, t['url'])}.{ext}"
        )
        with self.state.tx() as c:
            c.execute("INSERT INTO files(sha256, path, task_id) VALUES (?, ?, ?)", (sha, str(rel), t["id"]))
            note = f"saved ({original})" if original and original != title else "saved"
            self._set(c, t["id"], "done", ans, note, sha256=sha, size=ans.size, saved_path=str(rel), content_type=ct)
        target = self.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(body, target)
        self._drop_spool(t["id"])


def _data_json(r: Req) -> str | None:
    return json.dumps(list(r.data), ensure_ascii=False) if r.data else None


def fetch(
    urls: Sequence[str],
    out: str | Path,
    opts: FetchOptions | None = None,
    progress: bool = False,
) -> FetchResult:
    """Fetch the report files of the columns at `urls` into `out`; resumable; see the module doc.
    Messages (a host stopped) go to stderr; with `progress`, a live per-column display too."""
    from pipelines.fetch.manifest import column_stats, failed_rows, write_manifest
    from pipelines.fetch.progress import FetchProgress

    t0 = time.monotonic()
    show = FetchProgress(progress)
    crawler = Crawler(urls, out, opts or FetchOptions(), show.event)
    try:
        crawler.start()
        show.attach(crawler)
        try:
            crawler.run()
        except KeyboardInterrupt:  # Ctrl-C: the manifest shows what was done; a re-run continues
            write_manifest(crawler.state, crawler.out)
            raise
        finally:
            show.close()
        crawler.finish()
        path = write_manifest(crawler.state, crawler.out)
        stats = column_stats(crawler.state, crawler.col_ids, crawler.run_id)
        failed, earlier = failed_rows(crawler.state, crawler.col_ids, crawler.run_id)
        saved_rows = crawler.state.all(
            "SELECT DISTINCT saved_path FROM tasks WHERE state='done' AND saved_path IS NOT NULL ORDER BY saved_path"
        )
        saved = [crawler.out / r["saved_path"] for r in saved_rows if (crawler.out / r["saved_path"]).exists()]
        return FetchResult(
            run_id=crawler.run_id,
            resumed=crawler.resumed,
            out=crawler.out,
            manifest=path,
            columns=stats,
            saved=saved,
            failed=failed,
            stopped_hosts=dict(crawler.client.blocked),
            requests=crawler.client.requests,
            seconds=time.monotonic() - t0,
            earlier_failures=earlier,
        )
    finally:
        crawler.close()
