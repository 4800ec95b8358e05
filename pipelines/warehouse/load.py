"""One Report into the warehouse, in one transaction, idempotently.

Identity: report_id = sha256 of the file bytes. The same bytes again change nothing ('unchanged');
a different file for the same (dataset, agency_id, year) replaces the earlier report ('replaced',
with a row in `replacements`); anything else is 'loaded'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from pipelines import templates
from pipelines.entities import resolve
from pipelines.report import Report
from pipelines.templates import TABLE3_COLUMNS
from pipelines.warehouse import editions
from pipelines.warehouse.measures import REPORT_COLUMNS
from pipelines.warehouse.nopandas import without_pandas

LOADED, UNCHANGED, REPLACED = "loaded", "unchanged", "replaced"
# A file already in the warehouse, read again by a newer extractor (or on request): same report_id, new values.
REEXTRACTED = "reextracted"
# Why a report replaced another (replacements.reason).
CHANGED_FILE, UPGRADE, ASKED = "changed file", "extractor upgrade", "re-extraction asked"

# from the template vocabulary: table 4's keys, the table-3 rows whose 总计 column is a report_facts column of
# the same name, the rows another version merges (2019 其他处理 = the three 2021 rows), report_facts' columns
TABLE4_KEYS = templates.TABLE4_KEYS
FACT_ROWS = templates.FACT_ROWS
MERGED = templates.MERGED
APPLICANT_COLUMNS = templates.APPLICANT_COLUMNS  # the six applicant types; index 6 is 总计
TOTAL_COL = templates.TOTAL_COL

# Fixed column order of report_facts (the allow-list for its INSERT).
FACT_COLUMNS = ("report_id",) + templates.FACT_COLUMNS

_CELLS_SCHEMA = pa.schema(
    [
        ("report_id", pa.string()),
        ("table_no", pa.int8()),
        ("row_key", pa.string()),
        ("col_key", pa.string()),
        ("value", pa.float64()),
        ("raw", pa.string()),
        ("state", pa.string()),
        ("confidence", pa.float32()),
    ]
)

_WS = re.compile(r"\s+")
_SEVERITY_RANK = {"error": 2, "warning": 1}


@dataclass(slots=True)
class Agency:
    agency_id: str | None
    name: str | None
    agency_type: str | None
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None


def _resolver():
    """The agency resolver (pipelines.entities.resolve); a seam tests replace to load without it."""
    return resolve


def resolve_agency(report: Report) -> Agency:
    region = report.region or {}
    resolve_fn = _resolver()
    if resolve_fn is not None and report.agency:
        # the parser already placed the agency, with the report's text to settle ambiguous regions
        e = report.meta.get("entity") or resolve_fn(report.agency, region, text=report.text[:20000])
        if e is not None and getattr(e, "agency_id", None):
            return Agency(
                e.agency_id,
                getattr(e, "name", None) or report.agency,
                getattr(e, "agency_type", None),
                getattr(e, "province", None) or region.get("province"),
                getattr(e, "city", None) or region.get("city"),
                getattr(e, "county", None) or region.get("county"),
                getattr(e, "region_code", None),
            )
    # Fallback: the printed name without white space. No agency → no id (never invent one), so
    # such reports never replace each other.
    aid = _WS.sub("", report.agency) if report.agency else None
    return Agency(
        aid or None, report.agency, None, region.get("province"), region.get("city"), region.get("county"), None
    )


def status_of(findings: Iterable) -> str:
    worst = max((_SEVERITY_RANK.get(f.severity, 0) for f in findings), default=0)
    return ("ok", "warnings", "errors")[worst]


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def _sum_all(values: list[float | None]) -> float | None:
    """The sum, or NULL when any part is unknown: a blank or dash cell is not a 0 (never invent a number)."""
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def facts_from_values(t3: dict[str, list[float | None]], t4: list[float | None]) -> dict[str, float | None]:
    """The report_facts row (without report_id) from table 3 rows (7 values each) and table 4 (15)."""

    def total(row: str) -> float | None:
        vals = t3.get(row)
        return _num(vals[TOTAL_COL]) if vals and len(vals) > TOTAL_COL else None

    f: dict[str, float | None] = {row: total(row) for row in FACT_ROWS}
    first = t3.get(templates.FIRST_ROW) or []
    for i, fact in enumerate(templates.APPLICANT_FACTS):
        f[fact] = _num(first[i]) if i < len(first) else None
    for m in MERGED:  # the row itself, or the sum of its parts: NULL when any part is unknown (never a partial sum)
        f[m.fact] = total(m.row) if m.row in t3 else _sum_all([total(k) for k in m.parts])
    for i, key in enumerate(TABLE4_KEYS):
        f[key] = _num(t4[i]) if i < len(t4) else None
    return f


def _cells_table(report_id: str, report: Report) -> pa.Table:
    cols: dict[str, list] = {n: [] for n in _CELLS_SCHEMA.names}
    _add_cells(cols, report_id, report)
    return pa.table(cols, schema=_CELLS_SCHEMA)


def _add_cells(cols: dict[str, list], report_id: str, report: Report) -> None:
    """A report's cells appended to the columns ``cols`` (named as _CELLS_SCHEMA): a batch makes one table.
    Column by column (a list each), in the order table 2, table 3 row by row, table 4."""
    t2 = report.table2
    t3 = [(row_key, col_key, c) for row_key, row in report.table3.items() for col_key, c in zip(TABLE3_COLUMNS, row)]
    t4 = list(zip(TABLE4_KEYS, report.table4))
    cells = [*t2.values(), *(c for _, _, c in t3), *(c for _, c in t4)]
    cols["report_id"].extend([report_id] * len(cells))
    cols["table_no"].extend([2] * len(t2) + [3] * len(t3) + [4] * len(t4))
    cols["row_key"].extend([*t2, *(r for r, _, _ in t3), *(["table4"] * len(t4))])
    cols["col_key"].extend([*([""] * len(t2)), *(k for _, k, _ in t3), *(k for k, _ in t4)])
    cols["value"].extend([None if c.value is None else float(c.value) for c in cells])  # _num
    cols["raw"].extend([c.raw for c in cells])
    cols["state"].extend([c.state for c in cells])
    cols["confidence"].extend([float(c.confidence) for c in cells])


_INSERT_FACTS = (
    "INSERT INTO report_facts (" + ", ".join(FACT_COLUMNS) + ") VALUES (" + ", ".join("?" for _ in FACT_COLUMNS) + ")"
)


def load_report(
    con: duckdb.DuckDBPyConnection,
    report: Report,
    *,
    dataset: str,
    source_path: str,
    sha256: str,
    fmt: str | None = None,
    run_id: int | None = None,
) -> str:
    """Load one report in one transaction (the one loader, load_reports, with a batch of one).
    Returns 'loaded' | 'unchanged' | 'replaced'; raises what stopped it."""
    (out,) = load_reports(con, [LoadItem(report, source_path, sha256, fmt)], dataset=dataset, run_id=run_id)
    if isinstance(out, Exception):
        raise out
    return out


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:  # nothing to roll back (the failure was BEGIN's own)
        pass


def refresh_facts(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    """Recompute one report's report_facts row from v_cells (corrections applied).

    For the corrections command: call it in the same transaction as the correction, so the
    dashboard's wide facts agree with the corrected cells.
    """
    rows = con.execute(
        "SELECT table_no, row_key, col_key, value FROM v_cells WHERE report_id = ? AND table_no IN (3, 4)", [report_id]
    ).fetchall()
    t3: dict[str, list[float | None]] = {}
    t4: list[float | None] = [None] * len(TABLE4_KEYS)
    col_index = {c: i for i, c in enumerate(TABLE3_COLUMNS)}
    t4_index = {k: i for i, k in enumerate(TABLE4_KEYS)}
    for table_no, row_key, col_key, value in rows:
        if table_no == 3 and col_key in col_index:
            t3.setdefault(row_key, [None] * len(TABLE3_COLUMNS))[col_index[col_key]] = value
        elif table_no == 4 and col_key in t4_index:
            t4[t4_index[col_key]] = value
    facts = facts_from_values(t3, t4)
    con.execute("DELETE FROM report_facts WHERE report_id = ?", [report_id])
    con.execute(_INSERT_FACTS, [report_id] + [facts[c] for c in FACT_COLUMNS[1:]])


# --- many reports at a time ----------------------------------------------------------------------
# DuckDB spends ~2 ms on every statement and ~3 ms on every commit, so one report per
# transaction (nine statements) costs ~20 ms, more than extracting it. load_reports writes a
# batch with one statement per table and one commit, deciding each report's outcome in Python
# exactly as load_report would have, one after the other.


@dataclass(slots=True)
class LoadItem:
    report: Report
    source_path: str
    sha256: str
    fmt: str | None = None
    agency: Agency | None = None  # resolve_agency(report), when the caller has it already
    # UPGRADE or ASKED: the file is in the warehouse already and this is a new reading of it, which
    # replaces the old one in place (same report_id) and records what changed; None: an ordinary load.
    reextract: str | None = None


# One literal statement per table (identifiers are never spliced into SQL).
_DELETE_MANY = (
    "DELETE FROM cells WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
    "DELETE FROM findings WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
    "DELETE FROM report_texts WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
    "DELETE FROM report_facts WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
    "DELETE FROM reports WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
)
_REPORT_COLUMNS = REPORT_COLUMNS  # the reports table's columns, one list (measures.py, checked against schema.sql)
_INSERT_REPORTS_FROM = (
    "INSERT INTO reports ("
    + ", ".join(_REPORT_COLUMNS)
    + ") SELECT "
    + ", ".join(_REPORT_COLUMNS)
    + " FROM _xxgk_reports_in"
)
_INSERT_FACTS_FROM = (
    "INSERT INTO report_facts ("
    + ", ".join(FACT_COLUMNS)
    + ") SELECT "
    + ", ".join(FACT_COLUMNS)
    + " FROM _xxgk_facts_in"
)
_REPL_COLUMNS = (
    "run_id",
    "old_report_id",
    "new_report_id",
    "agency_id",
    "year",
    "old_source_path",
    "new_source_path",
    "at_",
    "reason",
    "old_extractor_version",
    "new_extractor_version",
)
_INSERT_REPLACEMENTS_FROM = (
    "INSERT INTO replacements (run_id, old_report_id, new_report_id, agency_id, year, old_source_path,"
    ' new_source_path, "at", reason, old_extractor_version, new_extractor_version)'
    " SELECT run_id, old_report_id, new_report_id, agency_id, year, old_source_path, new_source_path, at_,"
    " reason, old_extractor_version, new_extractor_version FROM _xxgk_repl_in"
)
_CHANGE_COLUMNS = (
    "run_id",
    "old_report_id",
    "new_report_id",
    "table_no",
    "row_key",
    "col_key",
    "old_value",
    "new_value",
    "old_state",
    "new_state",
    "old_text",
    "new_text",
)
_INSERT_CHANGES_FROM = (
    "INSERT INTO replacement_cells ("
    + ", ".join(_CHANGE_COLUMNS)
    + ") SELECT "
    + ", ".join(_CHANGE_COLUMNS)
    + " FROM _xxgk_changes_in"
)
_OLD_CELLS = (
    "SELECT report_id, table_no, row_key, col_key, value, state FROM cells"
    " WHERE report_id IN (SELECT unnest(?::VARCHAR[]))"
)
_OLD_FIELDS = "SELECT report_id, agency, year, template FROM reports WHERE report_id IN (SELECT unnest(?::VARCHAR[]))"
_INSERT_FINDINGS_FROM = (
    "INSERT INTO findings (report_id, seq, check_id, severity, location, message)"
    " SELECT report_id, seq, check_id, severity, location, message FROM _xxgk_findings_in"
)
_INSERT_TEXTS_FROM = "INSERT INTO report_texts (report_id, text) SELECT report_id, text FROM _xxgk_texts_in"
_INSERT_CELLS_FROM = "INSERT INTO cells SELECT * FROM _xxgk_cells_in"
_EXISTING = (
    "SELECT r.report_id, r.source_path, r.dataset, r.agency_id, r.year, r.extractor_version FROM reports r"
    " WHERE r.report_id IN (SELECT report_id FROM _xxgk_keys)"
    " UNION ALL SELECT r.report_id, r.source_path, r.dataset, r.agency_id, r.year, r.extractor_version"
    " FROM reports r"
    " JOIN (SELECT DISTINCT agency_id, year FROM _xxgk_keys WHERE agency_id IS NOT NULL AND year IS NOT NULL) k"
    " ON r.agency_id = k.agency_id AND r.year = k.year WHERE r.dataset = ?"
)


def load_reports(
    con: duckdb.DuckDBPyConnection, items: list[LoadItem], *, dataset: str, run_id: int | None = None
) -> list[str | Exception]:
    """Load reports in one transaction. Each result is what load_report would have returned had
    they been loaded one after the other in this order ('loaded' | 'unchanged' | 'replaced'; a
    later report of the batch replaces an earlier one for the same agency and year). If the batch
    cannot be written as a whole it is rolled back and each report is loaded on its own, so a bad
    report costs only itself: its result is then the exception."""
    with without_pandas():
        return _load_reports(con, items, dataset, run_id)


def _load_reports(con, items: list[LoadItem], dataset: str, run_id: int | None) -> list[str | Exception]:
    if len(items) > 1:
        try:
            return _load_batch(con, items, dataset, run_id)
        except Exception:
            pass  # rolled back: fall through to one report at a time
    out: list[str | Exception] = []
    for it in items:
        try:
            out.append(_load_batch(con, [it], dataset, run_id)[0])
        except Exception as e:
            out.append(e)
    return out


_FINDING_COLUMNS = ("report_id", "seq", "check_id", "severity", "location", "message")
_REPORT_TYPES = {
    "year": pa.int32(),
    "n_findings": pa.int32(),
    "run_id": pa.int64(),
    "ocr": pa.bool_(),
    "fees_collected_yuan": pa.float64(),
    "ingested_at": pa.timestamp("us"),
    "extractor_version": pa.int32(),
}


def _report_row(rid: str, it: LoadItem, ag: Agency, dataset: str, now: datetime, run_id: int | None) -> tuple:
    r = it.report
    return (
        rid,
        dataset,
        r.agency,
        ag.agency_id,
        ag.name,
        ag.agency_type,
        ag.province,
        ag.city,
        ag.county,
        ag.region_code,
        r.year,
        r.template,
        it.source_path,
        it.sha256,
        it.fmt or r.format,
        bool(r.ocr),
        _num(r.fees_collected_yuan),
        status_of(r.findings),
        len(r.findings),
        now,
        run_id,
        r.extractor_version,
        r.template_version,
    )


def _write_reports(con, register, chosen: list, dataset: str, now: datetime, run_id: int | None) -> None:
    """The chosen reports' rows, one statement per table."""
    rep_cols: dict[str, list] = {c: [] for c in _REPORT_COLUMNS}
    fact_cols: dict[str, list] = {c: [] for c in FACT_COLUMNS}
    find_cols: dict[str, list] = {c: [] for c in _FINDING_COLUMNS}
    cells: dict[str, list] = {n: [] for n in _CELLS_SCHEMA.names}  # one Arrow table for the batch, not one a report
    for rid, it, ag in chosen:
        r = it.report
        for c, v in zip(_REPORT_COLUMNS, _report_row(rid, it, ag, dataset, now, run_id)):
            rep_cols[c].append(v)
        facts = facts_from_values(
            {k: [c.value for c in row] for k, row in r.table3.items()}, [c.value for c in r.table4]
        )
        fact_cols["report_id"].append(rid)
        for c in FACT_COLUMNS[1:]:
            fact_cols[c].append(facts[c])
        for seq, f in enumerate(r.findings):
            for c, v in zip(find_cols, (rid, seq, f.check, f.severity, f.where, f.message)):
                find_cols[c].append(v)
        _add_cells(cells, rid, r)
    register(
        "_xxgk_reports_in", pa.table({c: pa.array(v, _REPORT_TYPES.get(c, pa.string())) for c, v in rep_cols.items()})
    )
    con.execute(_INSERT_REPORTS_FROM)
    if cells["report_id"]:
        register("_xxgk_cells_in", pa.table(cells, schema=_CELLS_SCHEMA))
        con.execute(_INSERT_CELLS_FROM)
    register(
        "_xxgk_facts_in",
        pa.table({c: pa.array(v, pa.string() if c == "report_id" else pa.float64()) for c, v in fact_cols.items()}),
    )
    con.execute(_INSERT_FACTS_FROM)
    if find_cols["report_id"]:
        register(
            "_xxgk_findings_in",
            pa.table({c: pa.array(v, pa.int32() if c == "seq" else pa.string()) for c, v in find_cols.items()}),
        )
        con.execute(_INSERT_FINDINGS_FROM)
    register(
        "_xxgk_texts_in",
        pa.table(
            {
                "report_id": pa.array([rid for rid, _, _ in chosen], pa.string()),
                "text": pa.array([it.report.text or "" for _, it, _ in chosen], pa.string()),
            }
        ),
    )
    con.execute(_INSERT_TEXTS_FROM)


def _load_batch(
    con: duckdb.DuckDBPyConnection, items: list[LoadItem], dataset: str, run_id: int | None
) -> list[str | Exception]:
    ags = [it.agency or resolve_agency(it.report) for it in items]
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    registered: list[str] = []

    def register(name: str, table: pa.Table) -> None:
        con.register(name, table)
        registered.append(name)

    try:
        register(
            "_xxgk_keys",
            pa.table(
                {
                    "report_id": pa.array([it.sha256 for it in items], pa.string()),
                    "agency_id": pa.array([ag.agency_id for ag in ags], pa.string()),
                    "year": pa.array([it.report.year for it in items], pa.int32()),
                }
            ),
        )
        plan = _Plan.of_existing(con, dataset, run_id, now)
        plan.outcomes = [plan.decide(i, it, ag) for i, (it, ag) in enumerate(zip(items, ags))]
        old_cells = _old_cells(con, [o for o, _ in plan.pairs()])
        carried = editions.snapshot(con, list(plan.heir))  # before their cells go
        if plan.delete:
            for stmt in _DELETE_MANY:
                con.execute(stmt, [plan.delete])
        if plan.repl["old_report_id"]:
            register("_xxgk_repl_in", pa.table({**plan.repl, "year": pa.array(plan.repl["year"], pa.int32())}))
            con.execute(_INSERT_REPLACEMENTS_FROM)
            changes = _changes(plan, old_cells, {rid: items[i].report for rid, i in plan.write.items()})
            if changes["old_report_id"]:
                register("_xxgk_changes_in", _changes_table(changes))
                con.execute(_INSERT_CHANGES_FROM)
        chosen = [(rid, items[i], ags[i]) for rid, i in plan.write.items()]
        if chosen:
            _write_reports(con, register, chosen, dataset, now, run_id)
            _keep_corrections(con, [o for o, n in plan.pairs() if o == n])
        if carried:
            editions.carry(con, carried, plan.heir, now)
        con.execute("COMMIT")
        return plan.outcomes
    except BaseException:
        _rollback(con)
        raise
    finally:
        for name in registered:
            try:
                con.unregister(name)
            except duckdb.Error:
                pass


def _keep_corrections(con: duckdb.DuckDBPyConnection, reread: list[str]) -> None:
    """A report read again keeps its report_id, so its hand corrections (v_cells) still apply: its facts are
    computed from the corrected cells, as after the correction itself."""
    if not reread:
        return
    rows = con.execute(
        "SELECT DISTINCT report_id FROM corrections WHERE undone_at IS NULL AND report_id IN (SELECT unnest(?::VARCHAR[]))",
        [reread],
    ).fetchall()
    for (rid,) in rows:
        refresh_facts(con, rid)


class _Plan:
    """A batch's outcomes decided in order, as if its reports were loaded one after the other: what to
    write, what to delete, and the replacements (with why) to record."""

    def __init__(self, run_id: int | None, now: datetime):
        self.run_id, self.now = run_id, now
        self.present: dict[str, str] = {}  # report_id → source_path, in the warehouse or written by this batch
        self.versions: dict[str, int | None] = {}  # report_id → the extractor version that read it
        self.by_key: dict[tuple[str, int], dict[str, str]] = {}  # (agency_id, year) of this dataset → reports
        self.write: dict[str, int] = {}  # report_id → index of the item to write
        self.delete: list[str] = []  # warehouse reports replaced
        self.heir: dict[str, str] = {}  # each replaced warehouse report → the new edition replacing it in the end
        self.repl: dict[str, list] = {k: [] for k in _REPL_COLUMNS}
        self.outcomes: list[str | Exception] = []

    @classmethod
    def of_existing(cls, con: duckdb.DuckDBPyConnection, dataset: str, run_id: int | None, now: datetime) -> _Plan:
        """A plan that knows the batch's reports already in the warehouse (the keys registered as _xxgk_keys)
        and the reports of this dataset for the same agencies and years."""
        plan = cls(run_id, now)
        for rid, path, ds, aid, year, version in con.execute(_EXISTING, [dataset]).fetchall():
            plan.present[rid] = path
            plan.versions[rid] = version
            if ds == dataset and aid is not None and year is not None:
                plan.by_key.setdefault((aid, year), {})[rid] = path
        return plan

    def decide(self, i: int, it: LoadItem, ag: Agency) -> str:
        rid = it.sha256
        r = it.report
        key = (ag.agency_id, r.year) if ag.agency_id is not None and r.year is not None else None
        if rid in self.present:
            if not it.reextract:
                return UNCHANGED
            # a new reading of the same file: replaces the old one in place; it never displaces another
            # report of its agency and year (that would let an old file's new reading undo a new edition)
            old_path = self.present.pop(rid)
            for reports in self.by_key.values():
                reports.pop(rid, None)
            self._replace(rid, old_path, it, ag, it.reextract)
            outcome = REEXTRACTED
        else:
            outcome = REPLACED if key is not None and self._displace(key, it, ag) else LOADED
        self.present[rid] = it.source_path
        # its version as if already loaded: a later report of the batch replacing it records it (as it would
        # from the warehouse, had the two gone into separate batches)
        self.versions[rid] = r.extractor_version
        self.write[rid] = i
        if key:
            self.by_key.setdefault(key, {})[rid] = it.source_path
        return outcome

    def _displace(self, key: tuple[str, int], it: LoadItem, ag: Agency) -> bool:
        """A new file replaces every report of its agency and year (an earlier edition); True if there was one."""
        olds = self.by_key.pop(key, {})
        for old_id, old_path in olds.items():
            self.present.pop(old_id, None)
            self._replace(old_id, old_path, it, ag, CHANGED_FILE)
        return bool(olds)

    def _replace(self, old_id: str, old_path: str, it: LoadItem, ag: Agency, reason: str) -> None:
        new_id = it.sha256
        if old_id in self.write:
            del self.write[old_id]  # an earlier report of this batch: never written
            self.heir = {k: new_id if v == old_id else v for k, v in self.heir.items()}
        else:
            self.delete.append(old_id)
            if old_id != new_id:  # a new edition (a file read again keeps its corrections: _keep_corrections)
                self.heir[old_id] = new_id
        row = (
            self.run_id,
            old_id,
            it.sha256,
            ag.agency_id,
            it.report.year,
            old_path,
            it.source_path,
            self.now,
            reason,
            self.versions.get(old_id),
            it.report.extractor_version,
        )
        for k, v in zip(self.repl, row):
            self.repl[k].append(v)

    def pairs(self) -> list[tuple[str, str]]:
        """(old report_id, new report_id) of every replacement recorded, the old one in the warehouse."""
        return [
            (o, n)
            for o, n in zip(self.repl["old_report_id"], self.repl["new_report_id"])
            if o in self.delete and n in self.write
        ]


_Cells = dict[tuple[int, str, str], tuple[float | None, str | None, str | None]]


def _old_cells(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, _Cells]:
    """The cells (value, state) and fields (agency, year, template) of reports about to be replaced."""
    out: dict[str, _Cells] = {}
    if not ids:
        return out
    for rid, t, row, col, value, state in con.execute(_OLD_CELLS, [ids]).fetchall():
        out.setdefault(rid, {})[(t, row, col)] = (value, state, None)
    for rid, agency, year, template in con.execute(_OLD_FIELDS, [ids]).fetchall():
        out.setdefault(rid, {}).update(_fields(agency, year, template))
    return out


def _fields(agency: str | None, year: int | None, template: str | None) -> _Cells:
    """The report's own fields as pseudo-cells (table 0): text in the third place, the year as a value."""
    return {
        (0, "report", "agency"): (None, None, agency),
        (0, "report", "year"): (_num(year), None, None),
        (0, "report", "template"): (None, None, template),
    }


def _new_cells(report: Report) -> _Cells:
    t = _cells_table("", report).to_pydict()
    cells: _Cells = {
        (tn, row, col): (v, st, None)
        for tn, row, col, v, st in zip(t["table_no"], t["row_key"], t["col_key"], t["value"], t["state"])
    }
    cells.update(_fields(report.agency, report.year, report.template))
    return cells


def _changes(plan: _Plan, old_cells: dict[str, _Cells], new_reports: dict[str, Report]) -> dict[str, list]:
    """Every cell whose value, state or text differs between each replaced report and its replacement."""
    out: dict[str, list] = {k: [] for k in _CHANGE_COLUMNS}
    for old_id, new_id in plan.pairs():
        old = old_cells.get(old_id)
        if old is None:
            continue
        new = _new_cells(new_reports[new_id])
        for k in sorted(set(old) | set(new), key=lambda k: (k[0], k[1], k[2])):
            o, n = old.get(k, (None, None, None)), new.get(k, (None, None, None))
            if o == n:
                continue
            row = (plan.run_id, old_id, new_id, *k, o[0], n[0], o[1], n[1], o[2], n[2])
            for c, v in zip(out, row):
                out[c].append(v)
    return out


def _changes_table(changes: dict[str, list]) -> pa.Table:
    types = {"run_id": pa.int64(), "table_no": pa.int8(), "old_value": pa.float64(), "new_value": pa.float64()}
    return pa.table({c: pa.array(v, types.get(c, pa.string())) for c, v in changes.items()})
