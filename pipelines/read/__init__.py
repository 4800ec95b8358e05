"""The query API of the dashboard: typed, read-only functions over a DuckDB connection → polars frames.

One module per subject:

| module | what it answers |
|---|---|
| ``filters``   | ``Filters`` → WHERE clause; the filter options (datasets, regions, years, agency search) |
| ``route``     | which source a query reads (report_agg / report_dash / base tables) by freshness |
| ``aggregate`` | ``aggregate``: allow-listed measures × group dimensions → a long frame |
| ``measures``  | the measure catalogue (defined in ``pipelines.warehouse.measures``) and the export's definitions |
| ``volumes``   | applications: overview KPIs, trend, ranking, applicant mix, year-on-year |
| ``outcomes``  | outcome composition, refusal reasons, disclosure rates |
| ``disputes``  | administrative reviews and lawsuits, correction rates |
| ``compare``   | counties or agencies × years × measures |
| ``reports``   | the report list, sources, findings, one report's detail |
| ``quality``   | checks failing per report, the agency × year matrix |
| ``history``   | replacements and re-extractions, and the cells each one moved |

Rules kept in every module:
- every value is a bound parameter; identifiers (columns, group dimensions, measures) come from fixed
  allow-lists, never from the caller's strings. Every statement is composed with pipelines.sqlq (constant
  ``Sql("…")`` fragments, identifiers and catalogue expressions checked against the allow-lists: ValueError
  before any SQL runs) and executed through ``sqlq.run`` / ``sqlq.frame``;
- aggregates read ``report_facts`` (one wide row per report) joined to ``reports`` for the filters — or, while
  they are fresh (same warehouse fingerprint), the tables ``pipelines.warehouse.aggregates`` builds:
  ``report_agg`` / ``report_agg_region`` (sums at the filters' grain) for queries with no agency filter or
  grouping, and ``report_dash`` (one row per report, no join) for the per-agency ones; every path gives the
  same frame;
- a ratio over a selection is sum(numerator) / sum(denominator), over the reports where both are known;
  a report whose cell is null is excluded and counted (``n_null``), never read as 0;
- a rate whose denominator is below ``min_cases`` is flagged ``low_n`` and left out of rankings.

Nothing here writes: report_dash, the aggregates and the fingerprint are built by the warehouse layer
(``pipelines.warehouse.dash`` / ``aggregates``). No streamlit import: the bench and the tests call these
functions directly. ``from pipelines import read`` then ``read.<name>`` reaches every public name.
"""

from __future__ import annotations

import polars as pl

from pipelines.read.aggregate import BY, SLOTS, _check_by, _check_measures, _group_sql, _slot, aggregate, pivot
from pipelines.read.compare import compare, compare_table
from pipelines.read.disputes import correction_rates, disputes
from pipelines.read.filters import (
    Filters,
    _and,
    _where,
    agency_names,
    datasets,
    distinct_values,
    regions,
    search_agencies,
    years,
)
from pipelines.read.geo import map_values, map_view
from pipelines.read.history import cell_changes, changed_cells, replacements
from pipelines.read.measures import definitions
from pipelines.read.outcomes import OUTCOME_MEASURES, REFUSAL_GROUPS, open_rate, outcome_composition, refusal_reasons
from pipelines.read.quality import (
    MATRIX_SORTS,
    SEVERITIES,
    check_ids,
    corrections_needing_review,
    failing_by_check_f,
    findings_list,
    matrix_page,
)
from pipelines.read.quality import MISSING as QUALITY_MISSING
from pipelines.read.reports import (
    OriginalUnavailable,
    original_file,
    report_count,
    report_dataset,
    report_detail,
    report_findings,
    report_list,
    report_sources,
)
from pipelines.read.route import _facts_source, _route, freshness, has_agg, has_dash
from pipelines.read.volumes import OVERVIEW_MEASURES, applicant_mix, overview_kpis, ranking, trend, yoy
from pipelines.settings import MIN_CASES
from pipelines.warehouse.dash import (  # writers, re-exported for older callers
    DASH_COLUMNS,
    DASH_ORDERS,
    DASH_VERSION,
    REPORT_SORT,
    SOURCES_ORDER,
    build_dash,
    fingerprint,
)
from pipelines.warehouse.measures import (
    AGG_COARSE,
    AGG_COLUMNS,
    AGG_GRAIN,
    APPLICANTS,
    DENIED,
    EXPR_COLUMNS,
    FACT_COLUMNS,
    MEASURES,
    OPEN_RATE,
    OUTCOMES,
    PROCEEDINGS,
    REJECTED,
    REPORT_COLUMNS,
    UNABLE,
    Measure,
    agg_col,
    agg_ident,
    agg_parts,
    measure_sql,
)

# Which source the queries use: None = the freshest available (report_agg > report_dash > join);
# "agg" / "dash" / "base" force one (tests compare the paths). Read by route._route at every query.
FORCE: str | None = None

__all__ = [
    "map_values",
    "map_view",
    "MATRIX_SORTS",
    "QUALITY_MISSING",
    "SEVERITIES",
    "check_ids",
    "failing_by_check_f",
    "corrections_needing_review",
    "findings_list",
    "matrix_page",
    "AGG_COARSE",
    "AGG_COLUMNS",
    "AGG_GRAIN",
    "APPLICANTS",
    "BY",
    "DASH_COLUMNS",
    "DASH_ORDERS",
    "DASH_VERSION",
    "DENIED",
    "EXPR_COLUMNS",
    "FACT_COLUMNS",
    "FORCE",
    "Filters",
    "MEASURES",
    "MIN_CASES",
    "Measure",
    "OPEN_RATE",
    "OUTCOMES",
    "OUTCOME_MEASURES",
    "OVERVIEW_MEASURES",
    "PROCEEDINGS",
    "REFUSAL_GROUPS",
    "REJECTED",
    "REPORT_COLUMNS",
    "REPORT_SORT",
    "SLOTS",
    "SOURCES_ORDER",
    "UNABLE",
    "_and",
    "_check_by",
    "_check_measures",
    "_facts_source",
    "_group_sql",
    "_route",
    "_slot",
    "_where",
    "agency_names",
    "agg_col",
    "agg_ident",
    "agg_parts",
    "aggregate",
    "applicant_mix",
    "build_dash",
    "cell_changes",
    "changed_cells",
    "compare",
    "compare_table",
    "correction_rates",
    "datasets",
    "definitions",
    "disputes",
    "distinct_values",
    "fingerprint",
    "freshness",
    "has_agg",
    "has_dash",
    "measure_sql",
    "open_rate",
    "outcome_composition",
    "overview_kpis",
    "pivot",
    "pl",
    "ranking",
    "refusal_reasons",
    "regions",
    "report_count",
    "report_detail",
    "report_findings",
    "report_list",
    "replacements",
    "report_sources",
    "original_file",
    "OriginalUnavailable",
    "report_dataset",
    "search_agencies",
    "trend",
    "years",
    "yoy",
]
