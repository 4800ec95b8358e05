"""A report's history: the readings that replaced one another, and which cells each replacement moved.

A replacement is a changed file for the same agency and year (reason 'changed file') or the same file
read again by a newer extractor ('extractor upgrade', or 're-extraction asked' with `xxgk ingest
--reextract`). `replacement_cells` holds every cell whose value, state or text differs between the two
readings; table_no 0 (row_key 'report') holds the report's own fields: agency, year, template.
"""

from __future__ import annotations

import polars as pl

from pipelines.read.filters import Filters, _and, _where
from pipelines.sqlq import Sql, frame

_CHANGES = Sql(
    'SELECT c.run_id, c.old_report_id, c.new_report_id, r."at", r.reason, r.old_extractor_version, '
    "r.new_extractor_version, rep.agency_name, rep.year AS report_year, rep.source_path, "
    "c.table_no, c.row_key, c.col_key, c.old_value, c.new_value, c.old_state, c.new_state, "
    "c.old_text, c.new_text "
    "FROM replacement_cells c "
    "LEFT JOIN replacements r ON r.old_report_id = c.old_report_id AND r.new_report_id = c.new_report_id "
    "AND r.run_id IS NOT DISTINCT FROM c.run_id "
    "LEFT JOIN reports rep ON rep.report_id = c.new_report_id "
    "WHERE (? IS NULL OR c.run_id = ?) AND (? IS NULL OR c.new_report_id = ? OR c.old_report_id = ?) "
    "ORDER BY c.run_id, rep.source_path, c.new_report_id, c.table_no, c.row_key, c.col_key LIMIT ?"
)

_REPLACEMENTS = Sql(
    'SELECT r.run_id, r."at", r.reason, r.old_report_id, r.new_report_id, r.old_source_path, r.new_source_path, '
    "r.old_extractor_version, r.new_extractor_version, "
    "(SELECT count(*) FROM replacement_cells c WHERE c.old_report_id = r.old_report_id "
    "AND c.new_report_id = r.new_report_id AND c.run_id IS NOT DISTINCT FROM r.run_id AND c.table_no > 0 "
    "AND c.old_value IS DISTINCT FROM c.new_value) AS n_values_changed "
    "FROM replacements r "
    "WHERE (? IS NULL OR r.run_id = ?) AND (? IS NULL OR r.new_report_id = ? OR r.old_report_id = ?) "
    'ORDER BY r."at", r.new_source_path LIMIT ?'
)


def cell_changes(con, run_id: int | None = None, report_id: str | None = None, limit: int = 100_000) -> pl.DataFrame:
    """The cells replacements moved (of one run, one report, or all), with why and the report's name."""
    return frame(con.cursor(), _CHANGES, [run_id, run_id, report_id, report_id, report_id, int(limit)])


def replacements(con, run_id: int | None = None, report_id: str | None = None, limit: int = 10_000) -> pl.DataFrame:
    """Replacements (of one run, one report, or all), each with how many cell values it changed."""
    return frame(con.cursor(), _REPLACEMENTS, [run_id, run_id, report_id, report_id, report_id, int(limit)])


_CHANGED = Sql(
    'SELECT x."at", x.reason, x.old_extractor_version, x.new_extractor_version, c.new_report_id AS report_id, '
    "r.agency_name, r.year AS report_year, c.table_no, c.row_key, c.col_key, c.old_value, c.new_value, "
    "c.old_state, c.new_state, c.old_text, c.new_text, count(*) OVER () AS n_total "
    "FROM replacement_cells c "
    "JOIN replacements x ON x.old_report_id = c.old_report_id AND x.new_report_id = c.new_report_id "
    "AND x.run_id IS NOT DISTINCT FROM c.run_id "
    "JOIN reports r ON r.report_id = c.new_report_id {w} "
    'ORDER BY x."at" DESC, r.agency_name, r.year, c.table_no, c.row_key, c.col_key LIMIT ?'
)
# a value that moved, or a report field (agency, year, template) whose text did; not a state alone
_MOVED = Sql(
    "(c.old_value IS DISTINCT FROM c.new_value OR (c.table_no = 0 AND c.old_text IS DISTINCT FROM c.new_text))"
)


def changed_cells(con, f: Filters = Filters(), limit: int = 500) -> pl.DataFrame:
    """The values replacements and re-extractions moved in the reports the filters select, newest first (at
    most ``limit`` rows; ``n_total`` counts them all)."""
    w, p = _where(f)
    return frame(con.cursor(), _CHANGED.format(w=_and(w, _MOVED)), [*p, int(limit)])
