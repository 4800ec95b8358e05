"""`xxgk fetch --ingest`: the saved reports into the warehouse through its one ingest entry point,
then the year and agency guessed from each item's title checked against the extracted report
(recorded in the manifest's `ingest` and `check` columns)."""

from __future__ import annotations

from pipelines import sqlq
from pipelines.fetch.classify import norm_title
from pipelines.fetch.crawl import STATE_DIR, FetchResult
from pipelines.fetch.manifest import write_manifest
from pipelines.fetch.state import State
from pipelines.sqlq import Sql


def verdict(guess_year: int | None, guess_agency: str | None, year: int | None, agency: str | None) -> str:
    """'ok', or what differs between the title's guesses and the extracted report."""
    notes = []
    if guess_year is None:
        notes.append("year not in the title")
    elif year is not None and int(year) != int(guess_year):
        notes.append(f"year differs: title {guess_year}, report {year}")
    a, b = norm_title(guess_agency), norm_title(agency)
    if not a:
        notes.append("agency not in the title")
    elif b and a not in b and b not in a:
        notes.append(f"agency differs: title {guess_agency}, report {agency}")
    return "; ".join(notes) or "ok"


_REPORT = Sql("SELECT agency, year FROM reports WHERE report_id = ?")


def _report(con, report_id: str) -> dict | None:
    """The loaded report's agency and year (report_id is the file's SHA-256). A literal statement
    on the warehouse layer's read-only connection: fetch sits below the read API."""
    row = sqlq.run(con.cursor(), _REPORT, [report_id]).fetchone()
    return {"agency": row[0], "year": row[1]} if row else None


def _record(c, t, outcome: str, error: str | None, rep: dict | None) -> str:
    """One saved file's ingest outcome and check in the state; the check's verdict ('' if not loaded)."""
    guess = c.execute(
        "SELECT year, agency FROM items WHERE task_id IN (?, ?) ORDER BY id LIMIT 1",
        (t["id"], t["parent_id"] if t["parent_id"] is not None else -1),
    ).fetchone()
    v = ""
    if rep is not None:
        v = verdict(guess["year"] if guess else None, guess["agency"] if guess else None, rep["year"], rep["agency"])
    c.execute(
        "INSERT OR REPLACE INTO ingested(task_id, outcome, error, report_agency, report_year, verdict)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (t["id"], outcome, error, rep["agency"] if rep else None, rep["year"] if rep else None, v),
    )
    return v


def ingest_fetched(res: FetchResult, db: str, dataset: str, progress: bool = True) -> dict:
    from pipelines.warehouse import db as dbm
    from pipelines.warehouse.ingest import ingest

    paths = [str(p) for p in res.saved]
    r = ingest(paths, db=db, dataset=dataset, progress=progress, args={"fetch": str(res.out), "dataset": dataset})
    outcome = dict.fromkeys(r.loaded, "loaded") | dict.fromkeys(r.unchanged, "unchanged")
    outcome |= {p: "failed" for p, _ in r.failed} | {p: "skipped" for p, _ in r.skipped}
    why = dict(r.failed) | dict(r.skipped)  # skipped: not a candidate report for ingest, with its reason
    state = State(res.out / STATE_DIR / "state.sqlite")
    lines: list[str] = []
    con = dbm.connect_read(db) if (r.loaded or r.unchanged) else None
    try:
        with state.tx() as c:
            for t in c.execute("SELECT * FROM tasks WHERE state='done' AND saved_path IS NOT NULL").fetchall():
                path = str(res.out / t["saved_path"])
                if path not in outcome:
                    continue
                loaded = con is not None and outcome[path] in ("loaded", "unchanged")
                v = _record(c, t, outcome[path], why.get(path), _report(con, t["sha256"]) if loaded else None)
                if v not in ("", "ok"):
                    lines.append(f"  check: {t['saved_path']}: {v}")
        write_manifest(state, res.out)
    finally:
        if con is not None:
            con.close()
        state.close()
    n_new = len(r.loaded) - len(r.replaced)
    head = (
        f"{db} ({dataset}): loaded {n_new}, replaced {len(r.replaced)}, unchanged {len(r.unchanged)}, "
        f"failed {len(r.failed)}" + (f", skipped {len(r.skipped)}" if r.skipped else "")
    )
    return {
        "db": db,
        "dataset": dataset,
        "loaded": r.loaded,
        "unchanged": r.unchanged,
        "failed": [{"path": p, "error": e} for p, e in r.failed],
        "skipped": [{"path": p, "reason": e} for p, e in r.skipped],
        "lines": [head] + [f"  failed: {e}" for _, e in r.failed] + lines,
    }
