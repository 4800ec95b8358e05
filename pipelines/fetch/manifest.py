"""The manifest: one row per item a column lists (one per file when an article has several),
derived from the state database and written as DIR/manifest.csv after every run.

Rows: column, list page, article URL, title, guessed year and agency, file URL, saved path (relative
to DIR), SHA-256, content type, size, status (saved / skipped / failed / pending), reason, fetched
at, and after ``--ingest`` the ingest outcome and the check of the guesses against the report.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import polars as pl

from pipelines import csvsafe
from pipelines.fetch.state import State

COLUMNS = (
    "column",
    "list_page",
    "article_url",
    "title",
    "year",
    "agency",
    "file_url",
    "saved_path",
    "sha256",
    "content_type",
    "size",
    "status",
    "reason",
    "fetched_at",
    "ingest",
    "check",
)
_STATUS = {"done": "saved", "skipped": "skipped", "failed": "failed", "pending": "pending"}
_INT_COLUMNS = ("year", "size")


def _task_row(t, ing) -> dict:
    status = _STATUS.get(t["state"], t["state"])
    if t["state"] == "done" and not t["saved_path"]:
        status = "saved"
    row = {
        "file_url": t["url"] if t["kind"] == "file" or t["saved_path"] else "",
        "saved_path": t["saved_path"] or "",
        "sha256": t["sha256"] or "",
        "content_type": t["content_type"] or "",
        "size": t["size"] if t["size"] is not None else "",
        "status": status,
        "reason": t["reason"] or "",
        "fetched_at": t["fetched_at"] or "",
        "_run": t["run_id"],
        "_task": t["id"],
    }
    if ing is not None:
        row["ingest"] = ing["outcome"] + (f": {ing['error']}" if ing["error"] else "")
        row["check"] = ing["verdict"] or ""
    return row


def rows(state: State, column_ids: list[int] | None = None) -> list[dict]:
    """The manifest rows, items in the order their columns listed them; `_run` is the run that
    decided the row, `_column` its column id."""
    cols = {r["id"]: r["url"] for r in state.all("SELECT id, url FROM columns")}
    tasks = {r["id"]: r for r in state.all("SELECT * FROM tasks WHERE kind != 'list'")}
    ingested = {r["task_id"]: r for r in state.all("SELECT * FROM ingested")}
    children: dict[int, list] = defaultdict(list)
    for task in tasks.values():
        if task["parent_id"] is not None:
            children[task["parent_id"]].append(task)
    first_item: dict[int, tuple[int, int]] = {}
    out = []
    for it in state.all("SELECT * FROM items ORDER BY column_id, id"):
        if column_ids is not None and it["column_id"] not in column_ids:
            continue
        base = {
            "column": cols.get(it["column_id"], ""),
            "list_page": it["list_url"],
            "article_url": it["url"],
            "title": it["title"] or "",
            "year": it["year"] if it["year"] is not None else "",
            "agency": it["agency"] or "",
            "_column": it["column_id"],
        }
        t = tasks.get(it["task_id"]) if it["task_id"] is not None else None
        if t is None:
            out.append(
                {**base, "status": it["state"] or "pending", "reason": it["reason"] or "", "_run": it["first_run"]}
            )
            continue
        first = first_item.setdefault(t["id"], (it["id"], it["column_id"]))
        kids = children.get(t["id"], [])
        parts = [_task_row(k, ingested.get(k["id"])) for k in kids] if kids and not t["saved_path"] else []
        parts = parts or [_task_row(t, ingested.get(t["id"]))]
        for p in parts:
            row = {**base, **p}
            if first[0] != it["id"]:  # the same article or file listed again (another column, another page)
                row["status"] = "skipped"
                row["reason"] = f"listed also in {cols.get(first[1], '')}; kept once"
                row["_run"] = it["first_run"]
            out.append(row)
    for lt in state.all("SELECT * FROM tasks WHERE kind='list' AND state != 'done' ORDER BY column_id, id"):
        if column_ids is None or lt["column_id"] in column_ids:  # a list page that could not be read
            row = {"column": cols.get(lt["column_id"], ""), "list_page": lt["url"], "_column": lt["column_id"]}
            out.append({**row, **_task_row(lt, None), "file_url": ""})
    return out


def write_manifest(state: State, out: Path) -> Path:
    """DIR/manifest.csv through the one CSV writer (pipelines.csvsafe: formulas neutralised, BOM so a
    spreadsheet reads the Chinese), replaced atomically."""
    all_rows = rows(state)
    data = {c: [r.get(c) for r in all_rows] for c in COLUMNS}
    for c in COLUMNS:
        if c not in _INT_COLUMNS:
            data[c] = [None if v is None or v == "" else str(v) for v in data[c]]
        else:
            data[c] = [None if v is None or v == "" else int(v) for v in data[c]]
    schema = {c: (pl.Int64 if c in _INT_COLUMNS else pl.Utf8) for c in COLUMNS}
    path = out / "manifest.csv"
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_bytes(csvsafe.csv_bytes(pl.DataFrame(data, schema=schema)))
    os.replace(tmp, path)
    return path


def column_stats(state: State, column_ids: list[int], run: int):
    """Per column, what this run did: list pages fetched, items listed (new ones), and the rows
    saved, skipped, failed or left pending in this run."""
    from pipelines.fetch.crawl import ColumnStats

    cols = {r["id"]: r["url"] for r in state.all("SELECT id, url FROM columns")}
    stats = {cid: ColumnStats(cols[cid]) for cid in column_ids}
    for r in state.all(
        "SELECT column_id, COUNT(*) AS n FROM tasks WHERE kind='list' AND run_id=? AND state='done' GROUP BY column_id",
        (run,),
    ):
        if r["column_id"] in stats:
            stats[r["column_id"]].pages = r["n"]
    for r in state.all(
        "SELECT column_id, COUNT(*) AS n, SUM(first_run=?) AS new FROM items WHERE seen_run=? GROUP BY column_id",
        (run, run),
    ):
        if r["column_id"] in stats:
            stats[r["column_id"]].items, stats[r["column_id"]].new = r["n"], r["new"] or 0
    for row in rows(state, column_ids):
        s = stats[row["_column"]]
        if row["status"] == "pending":
            s.pending += 1
        elif row.get("_run") == run:
            setattr(s, row["status"], getattr(s, row["status"]) + 1)
    return [stats[c] for c in column_ids]


def failed_rows(state: State, column_ids: list[int], run: int) -> tuple[list[tuple[str, str]], int]:
    """(url, reason) of what failed in this run, and how many final failures of earlier runs remain."""
    failed, earlier = [], 0
    seen = set()
    for row in rows(state, column_ids):
        if row["status"] != "failed":
            continue
        url = row.get("file_url") or row.get("article_url") or row["list_page"]
        if row.get("_run") == run:
            if url not in seen:
                seen.add(url)
                failed.append((url, row["reason"]))
        else:
            earlier += 1
    return failed, earlier
