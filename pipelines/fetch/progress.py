"""Progress of a fetch on a terminal (rich): one line per column with its list pages, items,
saved, skipped and failed, redrawn at most a few times a second; messages (a host stopped, a
robots.txt unreachable) printed above it. Silent when stderr is not a terminal."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from pipelines.fetch.manifest import column_stats


def _fields(s) -> dict:
    return {
        "stats": f"pages {s.pages}  items {s.items} (+{s.new})  saved {s.saved}  skipped {s.skipped}  "
        f"failed {s.failed}" + (f"  pending {s.pending}" if s.pending else "")
    }


class FetchProgress:
    def __init__(self, enabled: bool, stream=None):
        stream = stream or sys.stderr
        self.enabled = enabled and stream.isatty()
        self.console = Console(file=stream, highlight=False)
        self.crawler = None
        self.bar: Progress | None = None
        self.ids: dict[int, int] = {}
        self.last = 0.0
        self.interval = 0.3

    def attach(self, crawler) -> None:
        self.crawler = crawler
        if not self.enabled:
            return
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}  {task.fields[stats]}"),  # one column: cut at its end only
            console=self.console,
        )
        for cid, url in zip(crawler.col_ids, crawler.urls):
            short = url.split("://", 1)[-1]
            short = (short if len(short) <= 24 else "…" + short[-23:]).ljust(24)  # the tail tells columns apart
            self.ids[cid] = self.bar.add_task(short, total=None, stats="")
        self.bar.start()

    def event(self, kind: str, payload) -> None:
        if kind in ("stop", "note"):
            (self.console.print if self.enabled else _plain)(f"xxgk fetch: {payload}")
        elif kind == "task":
            self.refresh(force=False)

    def refresh(self, force: bool = True) -> None:
        if self.bar is None or self.crawler is None:
            return
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        c = self.crawler
        for s, cid in zip(column_stats(c.state, c.col_ids, c.run_id), c.col_ids):
            self.bar.update(self.ids[cid], **_fields(s))
        self.last = time.monotonic()
        # the counts come from the state database: with a large one, redraw less often
        self.interval = max(0.3, 10 * (self.last - now))

    def close(self) -> None:
        if self.bar is not None:
            self.refresh(force=True)
            self.bar.stop()


def _plain(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
