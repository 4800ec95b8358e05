"""The measure catalogue over ``report_facts``: what the dashboard can aggregate, and the allow-lists of the
columns it may name. Shared by the writer (``aggregates.py`` builds one report_agg column per measure part)
and the read API (``pipelines.read`` sums them), so it lives here, below both.

Every formula is fixed text over ``x`` = report_facts, checked once at import by ``sqlq.expr`` against the
column allow-lists (ValueError before any SQL runs).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines import templates
from pipelines.sqlq import Sql, expr, ident, pick

DENIED = templates.group_rows("denied")
UNABLE = templates.group_rows("unable")
REJECTED = templates.group_rows("rejected")
APPLICANTS = templates.APPLICANT_FACTS
PROCEEDINGS = templates.TABLE4_GROUPS
OUTCOMES = templates.TABLE4_OUTCOMES
PROC_ZH = {g: templates.TABLE4_GROUP[g].zh for g in PROCEEDINGS}
PROC_EN = {g: templates.TABLE4_GROUP[g].en for g in PROCEEDINGS}
OUT_ZH = templates.TABLE4_OUTCOME_ZH
OUT_EN = templates.TABLE4_OUTCOME_EN


@dataclass(frozen=True)
class Measure:
    key: str
    zh: str
    en: str
    kind: str  # count | rate
    num: str  # SQL expression over x = report_facts (fixed text, no values; checked by sqlq.expr at import)
    den: str | None = None
    scale: float = 1.0  # 100 for "per 100"
    basis_zh: str = ""
    basis_en: str = ""
    group: str = "applications"

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def basis(self, lang: str = "zh") -> str:
        return self.basis_zh if lang == "zh" else self.basis_en


# the catalogue, from pipelines/templates/measures.yaml (every table-3/4 fact column is a count measure too)
_M: list[Measure] = [
    Measure(
        m["key"],
        m["zh"],
        m["en"],
        m["kind"],
        m["num"],
        m.get("den"),
        float(m.get("scale", 1.0)),
        m.get("basis_zh", ""),
        m.get("basis_en", ""),
        m.get("group", "applications"),
    )
    for m in templates.measure_specs()
]
MEASURES: dict[str, Measure] = {m.key: m for m in _M}
OPEN_RATE = {"A": "open_rate_A", "B": "open_rate_B", "C": "open_rate_C"}

# ---------------------------------------------------------------------------------------------
# Allow-lists: the only names that reach SQL text. The column lists mirror schema.sql (a test checks them);
# the catalogues above (measure formulas, group expressions, report-list orders) are validated against them
# once, at import, into Sql fragments that the queries pick by an allow-listed key.

REPORT_COLUMNS = (
    "report_id",
    "dataset",
    "agency",
    "agency_id",
    "agency_name",
    "agency_type",
    "province",
    "city",
    "county",
    "region_code",
    "year",
    "template",
    "source_path",
    "sha256",
    "format",
    "ocr",
    "fees_collected_yuan",
    "status",
    "n_findings",
    "ingested_at",
    "run_id",
    "extractor_version",
    "template_version",
)
FACT_COLUMNS = templates.FACT_COLUMNS  # report_facts, after report_id
# qualified names an expression may use: r = reports (or report_dash, which also holds the facts), x = report_facts
EXPR_COLUMNS = frozenset([f"r.{c}" for c in REPORT_COLUMNS + FACT_COLUMNS] + [f"x.{c}" for c in FACT_COLUMNS])


def over_dash(sql: str, dash: bool) -> str:
    """Measure SQL is written over x.<col>; in report_dash the same columns are r.<col>."""
    return sql.replace("x.", "r.") if dash else sql


def _measure_exprs(m: Measure, dash: bool) -> tuple[Sql, Sql | None]:
    num = expr(over_dash(m.num, dash), EXPR_COLUMNS)
    return num, expr(over_dash(m.den, dash), EXPR_COLUMNS) if m.den else None


# (measure key, over report_dash?) → (numerator, denominator) as checked Sql
_MEASURE_SQL: dict[tuple[str, bool], tuple[Sql, Sql | None]] = {
    (k, dash): _measure_exprs(m, dash) for k, m in MEASURES.items() for dash in (False, True)
}


def measure_sql(key: str, dash: bool) -> tuple[Sql, Sql | None]:
    """(numerator, denominator) of an allow-listed measure, over report_facts x (or report_dash r when ``dash``)."""
    return pick((key, bool(dash)), _MEASURE_SQL, "measure")


def bounded(m: Measure) -> bool:
    """A share shown as 0–100 % (scale 1): its numerator is a part of its denominator, so a report whose numerator
    exceeds its denominator (or is negative) breaks the template's identities. Per-100 rates are not bounded."""
    return m.kind == "rate" and m.scale == 1.0


def _rate_conditions(key: str, dash: bool) -> tuple[Sql, Sql]:
    num, den = measure_sql(key, dash)
    assert den is not None  # a rate has a denominator
    known = Sql("({num}) IS NOT NULL AND ({den}) IS NOT NULL").format(num=num, den=den)
    if not bounded(MEASURES[key]):
        return known, Sql("FALSE")
    inside = Sql("({num}) >= 0 AND ({num}) <= ({den})").format(num=num, den=den)
    return (
        Sql("{known} AND {inside}").format(known=known, inside=inside),
        Sql("{known} AND NOT ({inside})").format(known=known, inside=inside),
    )


# (rate key, over report_dash?) → (ok, anomalous): ok = both parts known and, for a share, 0 ≤ num ≤ den (such a
# report enters the sums); anomalous = both known but outside (excluded from every aggregate, counted apart)
_RATE_SQL: dict[tuple[str, bool], tuple[Sql, Sql]] = {
    (k, dash): _rate_conditions(k, dash) for k, m in MEASURES.items() if m.kind == "rate" for dash in (False, True)
}


def rate_sql(key: str, dash: bool) -> tuple[Sql, Sql]:
    """(ok, anomalous) conditions of an allow-listed rate over report_facts x (or report_dash r when ``dash``)."""
    return pick((key, bool(dash)), _RATE_SQL, "rate")


AGG_GRAIN = ("dataset", "province", "city", "county", "agency_type", "template", "year")
AGG_COARSE = ("dataset", "province", "city", "county", "year")  # report_agg_region


def agg_col(key: str, part: str) -> str:
    """Column of report_agg for measure ``key``: part s (sum) / z (reports with facts, value null) of a count;
    n / d (sums over the reports where the rate is ok, see rate_sql) / z (reports with facts, either part unknown)
    / x (reports whose rate is anomalous: both parts known, outside 0–100 %) of a rate."""
    return f"m_{key}_{part}"


def agg_parts(m: Measure) -> tuple[str, ...]:
    """The report_agg columns' parts of a measure (none for reports / agencies: counted from n_reports / the
    agency table)."""
    if m.key in ("reports", "agencies"):
        return ()
    return ("s", "z") if m.kind == "count" else ("n", "d", "z", "x")


# every measure column of report_agg (the allow-list of agg_ident)
AGG_COLUMNS = frozenset(agg_col(m.key, part) for m in MEASURES.values() for part in agg_parts(m))


def agg_ident(key: str, part: str) -> Sql:
    """agg_col as checked Sql: ValueError unless it is a column report_agg has."""
    return ident(agg_col(key, part), AGG_COLUMNS, "aggregate column")
