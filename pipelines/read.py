"""The query API of the dashboard: typed functions over a DuckDB connection → polars frames.

Rules kept here (and nowhere else):
- every value is a bound parameter; identifiers (columns, group dimensions, measures) come from the
  fixed allow-lists below, never from the caller's strings. Every statement is composed with
  pipelines.sqlq (constant ``Sql("…")`` fragments, identifiers and catalogue expressions checked against
  the allow-lists: ValueError before any SQL runs) and executed through ``sqlq.run`` / ``sqlq.frame``;
- aggregates read ``report_facts`` (one wide row per report) joined to ``reports`` for the filters — or, while
  they are fresh (same warehouse fingerprint), the tables refresh_aggregates builds: ``report_agg`` /
  ``report_agg_region`` (sums at the filters' grain) for queries with no agency filter or grouping, and
  ``report_dash`` (one row per report, no join) for the per-agency ones; every path gives the same frame;
- a ratio over a selection is sum(numerator) / sum(denominator), over the reports where both are known;
  a report whose cell is null is excluded and counted (``n_null``), never read as 0;
- a rate whose denominator is below ``min_cases`` is flagged ``low_n`` and left out of rankings.

No streamlit import: the bench and the tests call these functions directly.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

import polars as pl

from pipelines.sqlq import EMPTY, Pattern, Sql, expr, frame, ident, pick, run

MIN_CASES = 30

# ---------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class Filters:
    datasets: tuple[str, ...] = ()
    province: str | None = None
    city: str | None = None
    counties: tuple[str, ...] = ()
    agency_ids: tuple[str, ...] = ()
    agency_types: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    templates: tuple[str, ...] = ()

    def with_(self, **kw: Any) -> "Filters":
        return replace(self, **{k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()})


def _where(f: Filters, years: Sequence[int] | None = None) -> tuple[Sql, list[Any]]:
    """The WHERE clause (fixed fragments) and its bound parameters, for alias ``r`` = reports."""
    cl: list[Sql] = []
    p: list[Any] = []
    if f.datasets:
        cl.append(Sql("r.dataset = ANY(?::VARCHAR[])"))
        p.append(list(f.datasets))
    if f.province:
        cl.append(Sql("r.province = ?"))
        p.append(f.province)
    if f.city:
        cl.append(Sql("r.city = ?"))
        p.append(f.city)
    if f.counties:
        cl.append(Sql("r.county = ANY(?::VARCHAR[])"))
        p.append(list(f.counties))
    if f.agency_ids:
        cl.append(Sql("r.agency_id = ANY(?::VARCHAR[])"))
        p.append(list(f.agency_ids))
    if f.agency_types:
        cl.append(Sql("r.agency_type = ANY(?::VARCHAR[])"))
        p.append(list(f.agency_types))
    if f.year_from is not None:
        cl.append(Sql("r.year >= ?"))
        p.append(int(f.year_from))
    if f.year_to is not None:
        cl.append(Sql("r.year <= ?"))
        p.append(int(f.year_to))
    if f.templates:
        cl.append(Sql("r.template = ANY(?::VARCHAR[])"))
        p.append(list(f.templates))
    if years:
        cl.append(Sql("r.year = ANY(?::INTEGER[])"))
        p.append([int(y) for y in years])
    return (Sql("WHERE ") + Sql(" AND ").join(cl)) if cl else EMPTY, p


# ---------------------------------------------------------------------------------------------
# Measures (the allow-list of what can be aggregated)

DENIED = (
    "denied_state_secret",
    "denied_law_forbidden",
    "denied_three_safety",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_admin_query",
)
UNABLE = ("unable_not_held", "unable_need_create", "unable_unclear")
REJECTED = ("rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive", "rejected_confirm")
APPLICANTS = (
    "new_natural_person",
    "new_commercial",
    "new_research",
    "new_social_org",
    "new_legal_service",
    "new_other_org",
)
PROCEEDINGS = ("review", "suit_direct", "suit_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")


def _plus(cols: Iterable[str]) -> str:
    return "(" + " + ".join(f"x.{c}" for c in cols) + ")"


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


_M: list[Measure] = [
    Measure(
        "reports",
        "报告数",
        "Reports",
        "count",
        "1",
        group="coverage",
        basis_zh="所选范围内的报告份数",
        basis_en="number of reports in the selection",
    ),
    Measure(
        "agencies",
        "机关数",
        "Agencies",
        "count",
        "1",
        group="coverage",
        basis_zh="所选范围内不同机关数",
        basis_en="distinct agencies in the selection",
    ),
    Measure(
        "applications",
        "本年新收申请数",
        "New applications",
        "count",
        "x.new_received",
        basis_zh="表三 一、本年新收政府信息公开申请数量（总计列）",
        basis_en="table 3, new applications received (total column)",
    ),
    Measure(
        "carried_over",
        "上年结转申请数",
        "Carried over",
        "count",
        "x.carried_over",
        basis_zh="表三 二、上年结转政府信息公开申请数量",
        basis_en="table 3, carried over from last year",
    ),
    Measure(
        "total_handled",
        "办理总计",
        "Total handled",
        "count",
        "x.total_handled",
        basis_zh="表三 （七）总计",
        basis_en="table 3, total handled",
    ),
    Measure(
        "granted",
        "予以公开",
        "Granted",
        "count",
        "x.granted",
        group="outcomes",
        basis_zh="表三 （一）予以公开",
        basis_en="table 3, granted",
    ),
    Measure(
        "partial",
        "部分公开",
        "Partly granted",
        "count",
        "x.partial",
        group="outcomes",
        basis_zh="表三 （二）部分公开",
        basis_en="table 3, partly granted",
    ),
    Measure(
        "denied",
        "不予公开",
        "Withheld (legal exemptions)",
        "count",
        _plus(DENIED),
        group="outcomes",
        basis_zh="表三 （三）不予公开 1–8 之和",
        basis_en="table 3, withheld, sum of exemptions 1–8",
    ),
    Measure(
        "unable",
        "无法提供",
        "Unable to provide",
        "count",
        _plus(UNABLE),
        group="outcomes",
        basis_zh="表三 （四）无法提供 1–3 之和",
        basis_en="table 3, unable to provide, sum of 1–3",
    ),
    Measure(
        "rejected",
        "不予处理",
        "Not processed",
        "count",
        _plus(REJECTED),
        group="outcomes",
        basis_zh="表三 （五）不予处理 1–5 之和",
        basis_en="table 3, not processed, sum of 1–5",
    ),
    Measure(
        "other_total",
        "其他处理",
        "Other handling",
        "count",
        "x.other_total",
        group="outcomes",
        basis_zh="表三 （六）其他处理（2021 版三项之和）",
        basis_en="table 3, other handling (2021: sum of three rows)",
    ),
    Measure(
        "open_rate_A",
        "公开率（口径A）",
        "Disclosure rate (basis A)",
        "rate",
        "(x.granted + x.partial)",
        "x.total_handled",
        basis_zh="口径A：（予以公开＋部分公开）÷ 办理总计",
        basis_en="basis A: (granted + partly granted) ÷ total handled",
        group="outcomes",
    ),
    Measure(
        "open_rate_B",
        "公开率（口径B）",
        "Disclosure rate (basis B)",
        "rate",
        "x.granted",
        "x.total_handled",
        basis_zh="口径B：予以公开 ÷ 办理总计",
        basis_en="basis B: granted ÷ total handled",
        group="outcomes",
    ),
    Measure(
        "open_rate_C",
        "公开率（口径C）",
        "Disclosure rate (basis C)",
        "rate",
        "(x.granted + x.partial)",
        "(x.new_received + x.carried_over)",
        basis_zh="口径C：（予以公开＋部分公开）÷ 受理合计（本年新收＋上年结转）",
        basis_en="basis C: (granted + partly granted) ÷ received (new + carried over)",
        group="outcomes",
    ),
    Measure(
        "reviews",
        "行政复议数",
        "Administrative reviews",
        "count",
        "x.review_total",
        group="disputes",
        basis_zh="表四 行政复议 总计",
        basis_en="table 4, administrative reviews, total",
    ),
    Measure(
        "lawsuits",
        "行政诉讼数",
        "Lawsuits",
        "count",
        "(x.suit_direct_total + x.suit_after_review_total)",
        group="disputes",
        basis_zh="表四 未经复议直接起诉 总计＋复议后起诉 总计",
        basis_en="table 4, direct suits + suits after review, totals",
    ),
    Measure(
        "review_correction_rate",
        "复议纠错率",
        "Review correction rate",
        "rate",
        "x.review_corrected",
        "(x.review_total - x.review_pending)",
        group="disputes",
        basis_zh="行政复议 结果纠正 ÷（总计 − 尚未审结）",
        basis_en="reviews corrected ÷ (total − pending)",
    ),
    Measure(
        "suit_correction_rate",
        "诉讼纠错率",
        "Lawsuit correction rate",
        "rate",
        "(x.suit_direct_corrected + x.suit_after_review_corrected)",
        "(x.suit_direct_total - x.suit_direct_pending + x.suit_after_review_total - x.suit_after_review_pending)",
        group="disputes",
        basis_zh="行政诉讼（直接起诉＋复议后起诉）结果纠正 ÷（总计 − 尚未审结）",
        basis_en="lawsuits (direct + after review) corrected ÷ (total − pending)",
    ),
    Measure(
        "correction_rate",
        "纠错率",
        "Correction rate",
        "rate",
        "(x.review_corrected + x.suit_direct_corrected + x.suit_after_review_corrected)",
        "(x.review_total - x.review_pending + x.suit_direct_total - x.suit_direct_pending"
        " + x.suit_after_review_total - x.suit_after_review_pending)",
        group="disputes",
        basis_zh="复议与诉讼 结果纠正 ÷（总计 − 尚未审结）",
        basis_en="reviews and lawsuits corrected ÷ (total − pending)",
    ),
    Measure(
        "lawsuits_per_100",
        "每百件申请诉讼数",
        "Lawsuits per 100 applications",
        "rate",
        "(x.suit_direct_total + x.suit_after_review_total)",
        "x.new_received",
        scale=100.0,
        group="disputes",
        basis_zh="行政诉讼总数 ÷ 本年新收申请数 × 100",
        basis_en="lawsuits ÷ new applications × 100",
    ),
]
# Every table-3/4 column of report_facts as a plain count measure too (for the compare page).
_LABELS_T3 = {
    "new_natural_person": ("新收·自然人", "New · natural persons"),
    "new_commercial": ("新收·商业企业", "New · businesses"),
    "new_research": ("新收·科研机构", "New · research bodies"),
    "new_social_org": ("新收·社会公益组织", "New · social organisations"),
    "new_legal_service": ("新收·法律服务机构", "New · legal services"),
    "new_other_org": ("新收·其他", "New · other bodies"),
    "denied_state_secret": ("不予公开·国家秘密", "Withheld · state secret"),
    "denied_law_forbidden": ("不予公开·法律行政法规禁止", "Withheld · forbidden by law"),
    "denied_three_safety": ("不予公开·危及三安全一稳定", "Withheld · security and stability"),
    "denied_third_party": ("不予公开·保护第三方合法权益", "Withheld · third-party rights"),
    "denied_internal_affairs": ("不予公开·三类内部事务信息", "Withheld · internal affairs"),
    "denied_process_info": ("不予公开·四类过程性信息", "Withheld · process information"),
    "denied_enforcement_file": ("不予公开·行政执法案卷", "Withheld · enforcement files"),
    "denied_admin_query": ("不予公开·行政查询事项", "Withheld · administrative queries"),
    "unable_not_held": ("无法提供·本机关不掌握", "Unable · not held"),
    "unable_need_create": ("无法提供·需另行制作", "Unable · would need creating"),
    "unable_unclear": ("无法提供·补正后仍不明确", "Unable · still unclear"),
    "rejected_petition": ("不予处理·信访举报投诉类", "Not processed · petitions/complaints"),
    "rejected_duplicate": ("不予处理·重复申请", "Not processed · duplicate"),
    "rejected_publication": ("不予处理·要求提供公开出版物", "Not processed · publications"),
    "rejected_excessive": ("不予处理·无正当理由大量反复申请", "Not processed · excessive"),
    "rejected_confirm": ("不予处理·要求确认或重新出具", "Not processed · confirm/reissue"),
    "carried_forward": ("结转下年度继续办理", "Carried forward"),
}
_PROC_ZH = {"review": "行政复议", "suit_direct": "未经复议直接起诉", "suit_after_review": "复议后起诉"}
_PROC_EN = {"review": "Review", "suit_direct": "Direct suit", "suit_after_review": "Suit after review"}
_OUT_ZH = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
_OUT_EN = {
    "upheld": "upheld",
    "corrected": "corrected",
    "other": "other result",
    "pending": "pending",
    "total": "total",
}
for _c, (_zh, _en) in _LABELS_T3.items():
    _M.append(
        Measure(_c, _zh, _en, "count", f"x.{_c}", group="detail", basis_zh=f"表三 {_zh}", basis_en=f"table 3, {_en}")
    )
for _p in PROCEEDINGS:
    for _o in OUTCOMES:
        if _p == "review" and _o == "total":
            continue  # = 'reviews'
        _M.append(
            Measure(
                f"{_p}_{_o}",
                f"{_PROC_ZH[_p]}·{_OUT_ZH[_o]}",
                f"{_PROC_EN[_p]} · {_OUT_EN[_o]}",
                "count",
                f"x.{_p}_{_o}",
                group="detail",
                basis_zh=f"表四 {_PROC_ZH[_p]} {_OUT_ZH[_o]}",
                basis_en=f"table 4, {_PROC_EN[_p]}, {_OUT_EN[_o]}",
            )
        )

MEASURES: dict[str, Measure] = {m.key: m for m in _M}
OPEN_RATE = {"A": "open_rate_A", "B": "open_rate_B", "C": "open_rate_C"}

# Group dimensions: key → (SQL group expressions, output column names). Fixed text only.
BY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "year": (("r.year",), ("year",)),
    "province": (("r.province",), ("province",)),
    "city": (("r.province", "r.city"), ("province", "city")),
    "county": (("r.province", "r.city", "r.county"), ("province", "city", "county")),
    "agency": (("r.agency_id",), ("agency_id",)),
    "agency_type": (("r.agency_type",), ("agency_type",)),
    "dataset": (("r.dataset",), ("dataset",)),
    "template": (("r.template",), ("template",)),
}


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
)
FACT_COLUMNS = (
    ("new_received", "carried_over")
    + APPLICANTS
    + ("granted", "partial")
    + DENIED
    + UNABLE
    + REJECTED
    + ("other_total", "total_handled", "carried_forward")
    + tuple(f"{p}_{o}" for p in PROCEEDINGS for o in OUTCOMES)
)
# qualified names an expression may use: r = reports (or report_dash, which also holds the facts), x = report_facts
EXPR_COLUMNS = frozenset([f"r.{c}" for c in REPORT_COLUMNS + FACT_COLUMNS] + [f"x.{c}" for c in FACT_COLUMNS])
# positional aliases of aggregate's wide frame: m<i>_num / m<i>_den / m<i>_null for the i-th measure asked for
SLOTS = Pattern(r"m[0-9]+_(num|den|null)")


def _dx(sql: str, dash: bool) -> str:
    """Measure SQL is written over x.<col>; in report_dash the same columns are r.<col>."""
    return sql.replace("x.", "r.") if dash else sql


def _measure_exprs(m: Measure, dash: bool) -> tuple[Sql, Sql | None]:
    num = expr(_dx(m.num, dash), EXPR_COLUMNS)
    return num, expr(_dx(m.den, dash), EXPR_COLUMNS) if m.den else None


# (measure key, over report_dash?) → (numerator, denominator) as checked Sql
_MEASURE_SQL: dict[tuple[str, bool], tuple[Sql, Sql | None]] = {
    (k, dash): _measure_exprs(m, dash) for k, m in MEASURES.items() for dash in (False, True)
}
# group dimension → (group expressions, output column names) as checked Sql
_BY_SQL: dict[str, tuple[tuple[Sql, ...], tuple[Sql, ...]]] = {
    k: (tuple(expr(e, EXPR_COLUMNS) for e in es), tuple(ident(c, REPORT_COLUMNS, "group column") for c in cs))
    for k, (es, cs) in BY.items()
}


def measure_sql(key: str, dash: bool) -> tuple[Sql, Sql | None]:
    """(numerator, denominator) of an allow-listed measure, over report_facts x (or report_dash r when ``dash``)."""
    return pick((key, bool(dash)), _MEASURE_SQL, "measure")


@functools.lru_cache(maxsize=4096)
def _slot(i: int, part: str) -> Sql:
    return ident(f"m{i}_{part}", SLOTS, "measure slot")


def _check_by(by: Sequence[str]) -> None:
    for b in by:
        if b not in BY:
            raise ValueError(f"unknown group dimension {b!r}")


def _check_measures(measures: Sequence[str]) -> None:
    for m in measures:
        if m not in MEASURES:
            raise ValueError(f"unknown measure {m!r}")


def _measure_sql(m: Measure, i: int, dash: bool) -> list[Sql]:
    """SELECT items m<i>_num, m<i>_den, m<i>_null of measure ``m`` over the reports (x = facts, or r when ``dash``)."""
    a_num, a_den, a_null = _slot(i, "num"), _slot(i, "den"), _slot(i, "null")
    if m.key == "reports":
        return [
            Sql("count(*) AS {a}").format(a=a_num),
            Sql("NULL::DOUBLE AS {a}").format(a=a_den),
            Sql("0 AS {a}").format(a=a_null),
        ]
    if m.key == "agencies":
        return [
            Sql("count(DISTINCT r.agency_id) AS {a}").format(a=a_num),
            Sql("NULL::DOUBLE AS {a}").format(a=a_den),
            Sql("0 AS {a}").format(a=a_null),
        ]
    num, den = measure_sql(m.key, dash)
    if m.kind == "count":
        return [
            Sql("sum({num}) AS {a}").format(num=num, a=a_num),
            Sql("NULL::DOUBLE AS {a}").format(a=a_den),
            Sql("count(*) - count({num}) AS {a}").format(num=num, a=a_null),
        ]
    ok = Sql("({num}) IS NOT NULL AND ({den}) IS NOT NULL").format(num=num, den=den)
    return [
        Sql("sum({num}) FILTER (WHERE {ok}) AS {a}").format(num=num, ok=ok, a=a_num),
        Sql("sum({den}) FILTER (WHERE {ok}) AS {a}").format(den=den, ok=ok, a=a_den),
        Sql("count(*) FILTER (WHERE NOT ({ok})) AS {a}").format(ok=ok, a=a_null),
    ]


# ---------------------------------------------------------------------------------------------
# report_dash: every reports column the pages read + report_facts in one table (LEFT JOIN; has_facts marks
# the rows with facts), so aggregates need no join on the 64-character report_id (that join dominated
# every page: ~1 s at 1M reports on 2 cores), plus one integer rank column per report-list order (o_*),
# so a page of the list is a top-N on one integer. report_agg (pipelines/warehouse/aggregates.py) holds
# the sums at the filters' grain. Both are built by a writer (ingest / build_direct / bench) and used only
# while their fingerprint matches the warehouse; otherwise the queries fall back (same results, slower).

DASH_VERSION = 5  # bump when report_dash / report_agg change shape: older copies then count as stale
DASH_COLUMNS = (
    "report_id",
    "dataset",
    "province",
    "city",
    "county",
    "agency_id",
    "agency_name",
    "agency_type",
    "year",
    "template",
    "status",
    "n_findings",
    "format",
    "source_path",
    "sha256",
)
# report-list order → (ORDER BY over alias r, with report_id as the final tie-break; rank column in report_dash)
REPORT_SORT = {
    "year": "r.year DESC, r.agency_name",
    "agency": "r.agency_name, r.year DESC",
    "county": "r.county, r.agency_name, r.year DESC",
    "findings": "r.n_findings DESC, r.agency_name",
    "applications": "x.new_received DESC NULLS LAST, r.agency_name",
}
SOURCES_ORDER = "r.county, r.agency_name, r.year"
DASH_ORDERS = {**{f"o_{k}": v for k, v in REPORT_SORT.items()}, "o_sources": SOURCES_ORDER}
AGG_GRAIN = ("dataset", "province", "city", "county", "agency_type", "template", "year")
AGG_COARSE = ("dataset", "province", "city", "county", "year")  # report_agg_region
# the orders as checked Sql: report-list order → ORDER BY over r (x = facts) / its rank column in report_dash
_SORT_SQL = {k: expr(v, EXPR_COLUMNS) for k, v in REPORT_SORT.items()}
_RANK_SQL = {k: ident(f"o_{k}", DASH_ORDERS, "rank column") for k in REPORT_SORT}
_SOURCES_ORDER_SQL = expr(SOURCES_ORDER, EXPR_COLUMNS)
# build_dash's statements (fixed: composed once, here, from the allow-listed columns and orders)
_DASH_SELECT = Sql(
    "SELECT {cols}, x.report_id IS NOT NULL AS has_facts, x.* EXCLUDE (report_id) "
    "FROM reports r LEFT JOIN report_facts x ON x.report_id = r.report_id"
).format(cols=Sql(", ").join(Sql("r.{c}").format(c=ident(c, REPORT_COLUMNS, "column")) for c in DASH_COLUMNS))
_DASH_ROWS = Sql("CREATE OR REPLACE TEMP TABLE _dash_rows AS ") + _DASH_SELECT + Sql(" LIMIT 0")
_DASH_PARTS = "SELECT dataset, province FROM reports GROUP BY ALL ORDER BY dataset, province"
_DASH_ROWS_PART = (
    Sql("INSERT INTO _dash_rows ")
    + _DASH_SELECT
    + Sql(
        " WHERE r.dataset IS NOT DISTINCT FROM ? AND r.province IS NOT DISTINCT FROM ? "
        "ORDER BY r.city, r.county, r.year"
    )
)
# report-list ranks by sorting, not windows: row_number() over all reports kept the whole set in memory (over
# the writer's 256 MB near 2M reports); ORDER BY spills. Per order: the rows' positions in that order
# (_rank_o_*: rowid = rank - 1), then those ranks back in row order (_pos_o_*), all joined by position.
_RANK_KEYS = tuple(ident(k, DASH_ORDERS, "rank column") for k in DASH_ORDERS)
_DASH_RANK_STEPS = tuple(
    (
        Sql(
            "CREATE OR REPLACE TEMP TABLE _rank_{k} AS SELECT r.rowid AS _rid FROM _dash_rows r "
            "ORDER BY {o}, r.report_id"
        ).format(k=k, o=expr(_dx(DASH_ORDERS[str(k)], True), EXPR_COLUMNS)),
        Sql(
            "CREATE OR REPLACE TEMP TABLE _pos_{k} AS SELECT t.rowid + 1 AS {k} FROM _rank_{k} t ORDER BY t._rid"
        ).format(k=k),
        Sql("DROP TABLE _rank_{k}").format(k=k),
    )
    for k in _RANK_KEYS
)
_DASH_RANKS = Sql("CREATE OR REPLACE TEMP TABLE _dash_ranks AS SELECT * FROM {pos}").format(
    pos=Sql(" POSITIONAL JOIN ").join(Sql("_pos_{k}").format(k=k) for k in _RANK_KEYS)
)
_DASH_RANKS_DROP = tuple(Sql("DROP TABLE _pos_{k}").format(k=k) for k in _RANK_KEYS)
_FINGERPRINT = (
    "SELECT (SELECT count(*) FROM reports), (SELECT max(ingested_at) FROM reports)::VARCHAR, "
    "(SELECT count(*) FROM report_facts), (SELECT count(*) FROM findings), (SELECT count(*) FROM corrections), "
    "(SELECT max(greatest(created_at, coalesce(undone_at, created_at))) FROM corrections)::VARCHAR"
)

# Which source the queries use: None = the freshest available (report_agg > report_dash > join);
# "agg" / "dash" / "base" force one (tests compare the paths).
FORCE: str | None = None


def fingerprint(con, own: bool = False) -> str:
    """The warehouse's fingerprint. ``own``: on ``con`` itself (a writer inside its transaction sees its own
    writes); otherwise on a cursor (readers share a connection across threads)."""
    return repr((DASH_VERSION,) + tuple((con if own else con.cursor()).execute(_FINGERPRINT).fetchone()))


def build_dash(con, fp: str | None = None) -> int:
    """(Re)build report_dash on a writable connection; returns its row count. Call after every load
    (pipelines.warehouse.aggregates.refresh_aggregates calls it, in its transaction).

    The rank columns come from sorts of row numbers alone (see _DASH_RANK_STEPS) and are attached by
    position, so no sort carries the fact columns. The wide rows are stored in region order
    (dataset, province, city, county, year: DuckDB's zone maps then skip most of the table for a region
    filter), sorted one (dataset, province) at a time: one sort of all of them could not finish within the
    ingest writer's memory limit at a million reports."""
    fp = fp or fingerprint(con, own=True)
    run(con, _DASH_ROWS)
    for part in con.execute(_DASH_PARTS).fetchall():
        run(con, _DASH_ROWS_PART, list(part))
    for step in _DASH_RANK_STEPS:
        for q in step:
            run(con, q)
    run(con, _DASH_RANKS)
    for q in _DASH_RANKS_DROP:
        run(con, q)
    con.execute("CREATE OR REPLACE TABLE report_dash AS SELECT * FROM _dash_rows POSITIONAL JOIN _dash_ranks")
    con.execute("DROP TABLE _dash_rows")
    con.execute("DROP TABLE _dash_ranks")
    con.execute("CREATE OR REPLACE TABLE report_dash_meta (fingerprint VARCHAR)")
    con.execute("INSERT INTO report_dash_meta VALUES (?)", [fp])
    return int(con.execute("SELECT count(*) FROM report_dash").fetchone()[0])


_META_QUERY = {t: "SELECT fingerprint FROM " + t for t in ("report_dash_meta", "report_agg_meta")}


def _meta_fp(cur, table: str) -> str | None:
    if table not in _META_QUERY:
        raise ValueError(f"not a fingerprint table: {table}")
    try:
        row = cur.execute(_META_QUERY[table]).fetchone()
    except Exception:  # noqa: BLE001 - table absent (duckdb.CatalogException)
        return None
    return row[0] if row else None


_FRESH: "weakref.WeakKeyDictionary[Any, tuple[bool, bool]]" = weakref.WeakKeyDictionary()


def freshness(con) -> tuple[bool, bool]:
    """(report_agg fresh, report_dash fresh): built from the warehouse as it is now (one fingerprint query).
    Remembered per read-only connection (its snapshot cannot change); checked on every call otherwise."""
    try:
        return _FRESH[con]
    except (KeyError, TypeError):
        pass
    cur = con.cursor()
    dash_fp = _meta_fp(cur, "report_dash_meta")
    if dash_fp is None:
        out = (False, False)
    else:
        now = fingerprint(con)
        out = (_meta_fp(cur, "report_agg_meta") == now, dash_fp == now)
    if cur.execute("SELECT current_setting('access_mode')").fetchone()[0] == "read_only":
        try:
            _FRESH[con] = out
        except TypeError:  # not weak-referenceable: just don't remember
            pass
    return out


def has_dash(con) -> bool:
    """True when report_dash exists and was built from the warehouse as it is now."""
    return freshness(con)[1]


def has_agg(con) -> bool:
    """True when report_agg (and its small tables) exist and were built from the warehouse as it is now."""
    return freshness(con)[0]


def _route(con, agg_ok: bool = True) -> str:
    """'agg' | 'dash' | 'base' for a query; ``agg_ok`` = its filters and groups are at or above the grain."""
    if FORCE is not None:
        return "dash" if (FORCE == "agg" and not agg_ok) else FORCE
    agg, dash = freshness(con)
    if agg and agg_ok:
        return "agg"
    return "dash" if dash else "base"


def _and(w: Sql, cond: Sql) -> Sql:
    return (w + Sql(" AND ") if w else Sql("WHERE ")) + cond


def _facts_source(route: str) -> tuple[Sql, Sql]:
    """FROM clause (alias r = filters, x = facts) and the condition restricting it to reports with facts."""
    if route == "base":
        return Sql("reports r JOIN report_facts x ON x.report_id = r.report_id"), EMPTY
    return Sql("report_dash r"), Sql("r.has_facts")


def agg_col(key: str, part: str) -> str:
    """Column of report_agg for measure ``key``: part s (sum) / z (reports with facts, value null) of a count;
    n / d (sums where both known) / z (reports with facts, either unknown) of a rate."""
    return f"m_{key}_{part}"


def agg_parts(m: Measure) -> tuple[str, ...]:
    """The report_agg columns' parts of a measure (none for reports / agencies: counted from n_reports / the
    agency table)."""
    if m.key in ("reports", "agencies"):
        return ()
    return ("s", "z") if m.kind == "count" else ("n", "d", "z")


# every measure column of report_agg (the allow-list of agg_ident)
AGG_COLUMNS = frozenset(agg_col(m.key, part) for m in MEASURES.values() for part in agg_parts(m))


def agg_ident(key: str, part: str) -> Sql:
    """agg_col as checked Sql: ValueError unless it is a column report_agg has."""
    return ident(agg_col(key, part), AGG_COLUMNS, "aggregate column")


def _group_sql(by: Sequence[str]) -> tuple[list[Sql], list[Sql]]:
    """(group expressions, output column names) of allow-listed group dimensions."""
    groups = [pick(b, _BY_SQL, "group dimension") for b in by]
    return [e for es, _ in groups for e in es], [c for _, cs in groups for c in cs]


def _wide_agg(con, f: Filters, ms: list[Measure], by: tuple[str, ...], years: Sequence[int] | None) -> pl.DataFrame:
    """The wide frame of ``aggregate`` from report_agg / report_agg_region (+ report_agg_agency for distinct
    agencies). One plain sum per part in SQL (planning cost grows with the expressions); the rest in polars."""
    gx, gc = _group_sql(by)
    w, p = _where(f, years)
    w = _and(w, Sql("r.n_reports > 0"))  # cells holding only reports without facts are not groups
    coarse = not (f.agency_types or f.templates or {"agency_type", "template"} & set(by))
    table = Sql("report_agg_region") if coarse else Sql("report_agg")
    grp = (Sql(" GROUP BY ") + Sql(", ").join(gx)) if gx else EMPTY
    gsel = [Sql("{e} AS {c}").format(e=e, c=c) for e, c in zip(gx, gc)]
    sel = gsel + [Sql("sum(r.n_reports) AS n_reports")]
    post: list[pl.Expr] = []
    agencies = False
    for i, m in enumerate(ms):
        if m.key == "reports":
            post += [
                pl.col("n_reports").alias(f"m{i}_num"),
                pl.lit(None, pl.Float64).alias(f"m{i}_den"),
                pl.lit(0, pl.Int64).alias(f"m{i}_null"),
            ]
        elif m.key == "agencies":
            agencies = True
            post += [
                pl.col("_agencies").fill_null(0).alias(f"m{i}_num"),
                pl.lit(None, pl.Float64).alias(f"m{i}_den"),
                pl.lit(0, pl.Int64).alias(f"m{i}_null"),
            ]
        elif m.kind == "count":
            sel += [
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "s"), a=_slot(i, "num")),
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "z"), a=_slot(i, "null")),
            ]
            post += [pl.lit(None, pl.Float64).alias(f"m{i}_den"), pl.col(f"m{i}_null").cast(pl.Int64).fill_null(0)]
        else:
            sel += [
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "n"), a=_slot(i, "num")),
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "d"), a=_slot(i, "den")),
                Sql("sum(r.{c}) AS {a}").format(c=agg_ident(m.key, "z"), a=_slot(i, "null")),
            ]
            post += [pl.col(f"m{i}_null").cast(pl.Int64).fill_null(0)]
    order = (Sql(" ORDER BY ") + Sql(", ").join(gx)) if gx else EMPTY
    if agencies:
        wa, pa = _where(f, years)
        asel = Sql(", ").join(gsel + [Sql("count(DISTINCT r.agency_key) AS _n")])
        if "year" in by:  # agencies with one cell in the year are additive; the rest are counted distinct
            sel.append(Sql("sum(r.n_agencies_1) AS _ag1"))
            agq = Sql("SELECT {sel} FROM report_agg_agency r {w}{grp}").format(
                sel=asel, w=_and(wa, Sql("r.dup")), grp=grp
            )
            tot = Sql("coalesce(m._ag1, 0) + coalesce(ag._n, 0)")
        else:
            agq = Sql("SELECT {sel} FROM report_agg_agency r {w}{grp}").format(sel=asel, w=wa, grp=grp)
            tot = Sql("ag._n")
        sql = Sql("SELECT {sel} FROM {table} r {w}{grp}").format(sel=Sql(", ").join(sel), table=table, w=w, grp=grp)
        on = Sql(" AND ").join(Sql("m.{c} IS NOT DISTINCT FROM ag.{c}").format(c=c) for c in gc) or Sql("TRUE")
        morder = (Sql(" ORDER BY ") + Sql(", ").join(Sql("m.{c}").format(c=c) for c in gc)) if gc else EMPTY
        wide = frame(
            con.cursor(),
            Sql("SELECT m.*, {tot} AS _agencies FROM ({sql}) m LEFT JOIN ({agq}) ag ON {on}{morder}").format(
                tot=tot, sql=sql, agq=agq, on=on, morder=morder
            ),
            p + pa,
        )
    else:
        wide = frame(
            con.cursor(),
            Sql("SELECT {sel} FROM {table} r {w}{grp}{order}").format(
                sel=Sql(", ").join(sel), table=table, w=w, grp=grp, order=order
            ),
            p,
        )
    wide = wide.with_columns(pl.col("n_reports").cast(pl.Int64).fill_null(0))
    return wide.with_columns(post) if post else wide


def aggregate(
    con,
    f: Filters,
    measures: Sequence[str],
    by: Sequence[str] = (),
    *,
    years: Sequence[int] | None = None,
    min_cases: int = MIN_CASES,
    lang: str = "zh",
) -> pl.DataFrame:
    """Long frame: [by columns…, measure, label, kind, value, numerator, denominator, basis, n_reports, n_null, low_n].

    ``value`` of a rate = scale × sum(numerator) / sum(denominator) over reports where both are known;
    null when the denominator is 0. ``low_n`` = denominator < min_cases (rates only)."""
    by = tuple(by)
    _check_by(by)
    _check_measures(measures)
    gcols = [c for b in by for c in BY[b][1]]
    ms = [MEASURES[k] for k in measures]
    route = _route(con, agg_ok="agency" not in by and not f.agency_ids)
    if route == "agg":
        wide = _wide_agg(con, f, ms, by, years)
    else:
        gx, gc = _group_sql(by)
        sel = [Sql("{e} AS {c}").format(e=e, c=c) for e, c in zip(gx, gc)]
        if "agency" in by:
            sel += [Sql("min(r.agency_name) AS agency_name"), Sql("min(r.county) AS agency_county")]
        sel.append(Sql("count(*) AS n_reports"))
        for i, m in enumerate(ms):
            sel += _measure_sql(m, i, route != "base")
        w, p = _where(f, years)
        src, cond = _facts_source(route)
        if cond:
            w = _and(w, cond)
        sql = Sql("SELECT {sel} FROM {src} {w}").format(sel=Sql(", ").join(sel), src=src, w=w)
        if gx:
            sql += Sql(" GROUP BY {g} ORDER BY {g}").format(g=Sql(", ").join(gx))
        wide = frame(con.cursor(), sql, p)
    keep = gcols + (["agency_name", "agency_county"] if "agency" in by else []) + ["n_reports"]
    lazy = wide.lazy()
    parts = []
    for i, m in enumerate(ms):
        num = pl.col(f"m{i}_num").cast(pl.Float64)
        den = pl.col(f"m{i}_den").cast(pl.Float64)
        if m.kind == "rate":
            value = pl.when(den > 0).then(num / den * m.scale).otherwise(None)
            low = den.is_null() | (den < min_cases)
        else:
            value = num
            low = pl.lit(False)
        parts.append(
            lazy.select(
                *keep,
                pl.lit(m.key).alias("measure"),
                pl.lit(m.label(lang)).alias("label"),
                pl.lit(m.kind).alias("kind"),
                value.alias("value"),
                num.alias("numerator"),
                den.alias("denominator"),
                pl.lit(m.basis(lang)).alias("basis"),
                pl.col(f"m{i}_null").cast(pl.Int64).alias("n_null"),
                low.alias("low_n"),
            )
        )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="vertical_relaxed").collect()  # one plan for all measures


def pivot(long: pl.DataFrame, index: Sequence[str]) -> pl.DataFrame:
    """Wide view of ``aggregate``: one column per measure (value only)."""
    if long.is_empty():
        return long
    return long.pivot(on="measure", index=list(index), values="value", aggregate_function="first")


# ---------------------------------------------------------------------------------------------
# Filter options


def datasets(con) -> pl.DataFrame:
    if _route(con) == "agg":
        return frame(
            con.cursor(),
            Sql("SELECT dataset, sum(n_all)::BIGINT AS n FROM report_agg GROUP BY dataset ORDER BY dataset"),
            [],
        )
    return frame(con.cursor(), Sql("SELECT dataset, count(*) AS n FROM reports GROUP BY dataset ORDER BY dataset"), [])


def regions(con, f: Filters = Filters()) -> pl.DataFrame:
    """province, city, county, n for the selected datasets (the region hierarchy)."""
    w, p = _where(Filters(datasets=f.datasets))
    src, n = (
        (Sql("report_agg_region r"), Sql("sum(r.n_all)::BIGINT"))
        if _route(con) == "agg"
        else (Sql("reports r"), Sql("count(*)"))
    )
    return frame(
        con.cursor(),
        Sql(
            "SELECT r.province, r.city, r.county, {n} AS n FROM {src} {w} GROUP BY ALL "
            "ORDER BY r.province NULLS LAST, r.city NULLS LAST, r.county NULLS LAST"
        ).format(n=n, src=src, w=w),
        p,
    )


def years(con, f: Filters = Filters()) -> list[int]:
    w, p = _where(Filters(datasets=f.datasets))
    src = Sql("report_agg_region r") if _route(con) == "agg" else Sql("reports r")
    rows = run(
        con.cursor(),
        Sql("SELECT DISTINCT r.year FROM {src} {w} ORDER BY 1").format(src=src, w=_and(w, Sql("r.year IS NOT NULL"))),
        p,
    ).fetchall()
    return [int(r[0]) for r in rows]


_DISTINCT_COLUMNS = ("template", "agency_type", "dataset", "province")


def distinct_values(con, column: str, f: Filters = Filters()) -> list[str]:
    """Distinct values of an allow-listed column (template, agency_type)."""
    col = ident(column, _DISTINCT_COLUMNS, "column")  # ValueError for any other
    w, p = _where(Filters(datasets=f.datasets))
    src = Sql("report_agg r") if _route(con) == "agg" else Sql("reports r")
    rows = run(
        con.cursor(),
        Sql("SELECT DISTINCT r.{c} FROM {src} {w} ORDER BY 1").format(
            c=col, src=src, w=_and(w, Sql("r.{c} IS NOT NULL").format(c=col))
        ),
        p,
    ).fetchall()
    return [r[0] for r in rows]


def search_agencies(con, f: Filters, text: str = "", limit: int = 50, include: Sequence[str] = ()) -> pl.DataFrame:
    """Agencies within the region/dataset filters whose name contains ``text`` (at most ``limit``, by name),
    plus the ids in ``include`` (already selected) so a selection never disappears.
    From report_agencies (one row per agency × name × region × type × dataset, built by refresh) when fresh."""
    base = Filters(
        datasets=f.datasets, province=f.province, city=f.city, counties=f.counties, agency_types=f.agency_types
    )
    agg = _route(con) == "agg"
    src, n = (Sql("report_agencies r"), Sql("sum(r.n)::BIGINT")) if agg else (Sql("reports r"), Sql("count(*)"))
    w, p = _where(base)
    w = _and(w, Sql("r.agency_id IS NOT NULL"))
    if text:
        w = _and(w, Sql("contains(r.agency_name, ?)"))
        p.append(text)
    head = Sql(
        "SELECT r.agency_id, min(r.agency_name) AS agency_name, min(r.county) AS county, {n} AS n FROM {src} "
    ).format(n=n, src=src)
    tail = Sql(" GROUP BY r.agency_id ORDER BY agency_name, r.agency_id LIMIT ?")
    if agg:
        # report_agencies is ranked by (name, id, …) in o_name: an agency's first row there carries its min name, so
        # the first ``limit`` distinct agencies of a prefix in o_name order are exactly the answer's agencies.
        k = max(4 * int(limit), 64)
        while True:
            pre = run(
                con.cursor(),
                Sql("SELECT r.agency_id FROM {src} {w} ORDER BY r.o_name LIMIT ?").format(src=src, w=w),
                p + [k],
            ).fetchall()
            ids = list(dict.fromkeys(i for (i,) in pre))[: max(int(limit), 0)]
            if len(pre) < k or len(ids) >= int(limit):
                break
            k *= 4
        out = frame(con.cursor(), head + _and(w, Sql("r.agency_id = ANY(?::VARCHAR[])")) + tail, p + [ids, int(limit)])
    else:
        out = frame(con.cursor(), head + w + tail, p + [int(limit)])
    missing = [i for i in include if i not in set(out["agency_id"].to_list())]
    if missing:
        more = frame(
            con.cursor(),
            head + Sql("WHERE r.agency_id = ANY(?::VARCHAR[]) GROUP BY r.agency_id ORDER BY r.agency_id"),
            [list(missing)],
        )
        out = pl.concat([more, out], how="vertical_relaxed")
    return out


def agency_names(con, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    src = Sql("report_agencies") if _route(con) == "agg" else Sql("reports")
    rows = run(
        con.cursor(),
        Sql(
            "SELECT agency_id, min(agency_name) FROM {src} WHERE agency_id = ANY(?::VARCHAR[]) GROUP BY agency_id"
        ).format(src=src),
        [list(ids)],
    ).fetchall()
    return {a: n for a, n in rows}


# ---------------------------------------------------------------------------------------------
# Page queries


OVERVIEW_MEASURES = ("reports", "agencies", "applications", "open_rate_A", "reviews", "lawsuits", "correction_rate")


def overview_kpis(con, f: Filters, basis: str = "A", min_cases: int = MIN_CASES, lang: str = "zh") -> pl.DataFrame:
    """KPIs per year (long form), with the change vs the previous year (``prev``, ``change``)."""
    ms = [OPEN_RATE.get(basis, "open_rate_A") if m == "open_rate_A" else m for m in OVERVIEW_MEASURES]
    long = aggregate(con, f, ms, ("year",), min_cases=min_cases, lang=lang)
    if long.is_empty():
        return long
    long = (
        long.sort(["measure", "year"])
        .with_columns(
            pl.col("value").shift(1).over("measure").alias("prev"),
            pl.col("year").shift(1).over("measure").alias("prev_year"),
        )
        .with_columns(
            pl.when(pl.col("prev_year") == pl.col("year") - 1)
            .then(pl.col("value") - pl.col("prev"))
            .otherwise(None)
            .alias("change")
        )
    )
    return long


def trend(con, f: Filters, measures: Sequence[str], min_cases: int = MIN_CASES, lang: str = "zh") -> pl.DataFrame:
    return aggregate(con, f, measures, ("year",), min_cases=min_cases, lang=lang)


def ranking(
    con,
    f: Filters,
    measure: str,
    by: str = "county",
    min_cases: int = MIN_CASES,
    limit: int | None = 30,
    descending: bool = True,
    lang: str = "zh",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(ranked rows, low-n rows excluded from the ranking). Rank 1 = largest (or smallest if not descending)."""
    if by not in ("county", "agency", "city", "agency_type"):
        raise ValueError(by)
    long = aggregate(con, f, [measure], (by,), min_cases=min_cases, lang=lang)
    if long.is_empty():
        return long, long
    ok = long.filter(~pl.col("low_n") & pl.col("value").is_not_null()).sort(
        "value", descending=descending, nulls_last=True
    )
    ok = ok.with_row_index("rank", offset=1)
    low = long.filter(pl.col("low_n") | pl.col("value").is_null())
    if limit:
        ok = ok.head(limit)
    return ok, low


def applicant_mix(con, f: Filters, by: Sequence[str] = (), lang: str = "zh") -> pl.DataFrame:
    return aggregate(con, f, APPLICANTS, by, lang=lang)


def yoy(con, f: Filters, measure: str = "applications", by: str = "county", lang: str = "zh") -> pl.DataFrame:
    """Value per group and year with the change vs the previous year (absolute and relative)."""
    long = aggregate(con, f, [measure], (by, "year"), lang=lang)
    if long.is_empty():
        return long
    keys = list(BY[by][1])
    # sorted by keys + year, each group is contiguous: the previous row is the group's previous year when all
    # keys equal (null = null, as in .over(keys)); same values as shift(1).over(keys), without hashing strings
    long = long.sort(keys + ["year"])
    same = pl.lit(True)
    for k in keys:
        same = same & pl.col(k).eq_missing(pl.col(k).shift(1)).fill_null(False)
    return long.with_columns(
        pl.when(same).then(pl.col("value").shift(1)).alias("prev"),
        pl.when(same).then(pl.col("year").shift(1)).alias("prev_year"),
    ).with_columns(
        pl.when(pl.col("prev_year") == pl.col("year") - 1).then(pl.col("value") - pl.col("prev")).alias("change"),
        pl.when((pl.col("prev_year") == pl.col("year") - 1) & (pl.col("prev") > 0))
        .then((pl.col("value") - pl.col("prev")) / pl.col("prev"))
        .alias("change_pct"),
    )


OUTCOME_MEASURES = ("granted", "partial", "denied", "unable", "rejected", "other_total")


def outcome_composition(con, f: Filters, by: Sequence[str] = ("year",), lang: str = "zh") -> pl.DataFrame:
    """Outcome counts per group with their share of the groups' outcome sum."""
    long = aggregate(con, f, OUTCOME_MEASURES, by, lang=lang)
    if long.is_empty():
        return long
    keys = [c for b in by for c in BY[b][1]]
    tot = pl.col("value").sum().over(keys) if keys else pl.col("value").sum()
    return long.with_columns((pl.col("value") / tot).alias("share"))


REFUSAL_GROUPS = {
    "legal": ("不予公开（法定事由）", "Withheld (legal exemptions)", DENIED),
    "practical": ("无法提供", "Unable to provide", UNABLE),
    "procedural": ("不予处理及其他处理", "Not processed / other", REJECTED + ("other_total",)),
}


def refusal_reasons(con, f: Filters, by: Sequence[str] = (), lang: str = "zh") -> pl.DataFrame:
    """Every refusal reason with its group (legal / practical / procedural) and its share within the group set."""
    cols = DENIED + UNABLE + REJECTED + ("other_total",)
    long = aggregate(con, f, cols, by, lang=lang)
    if long.is_empty():
        return long
    gmap = {c: g for g, (_, _, cs) in REFUSAL_GROUPS.items() for c in cs}
    glabel = {g: (zh if lang == "zh" else en) for g, (zh, en, _) in REFUSAL_GROUPS.items()}
    keys = [c for b in by for c in BY[b][1]]
    tot = pl.col("value").sum().over(keys) if keys else pl.col("value").sum()
    return long.with_columns(pl.col("measure").replace_strict(gmap).alias("group")).with_columns(
        pl.col("group").replace_strict(glabel).alias("group_label"), (pl.col("value") / tot).alias("share")
    )


def open_rate(
    con, f: Filters, basis: str = "A", by: Sequence[str] = ("year",), min_cases: int = MIN_CASES, lang: str = "zh"
) -> pl.DataFrame:
    if basis not in OPEN_RATE:
        raise ValueError(basis)
    return aggregate(con, f, [OPEN_RATE[basis]], by, min_cases=min_cases, lang=lang)


def disputes(con, f: Filters, by: Sequence[str] = ("year",), lang: str = "zh") -> pl.DataFrame:
    """Table 4 counts per proceeding (行政复议 / 直接起诉 / 复议后起诉) × outcome, long form."""
    ms = [f"{p}_{o}" if not (p == "review" and o == "total") else "reviews" for p in PROCEEDINGS for o in OUTCOMES]
    long = aggregate(con, f, ms, by, lang=lang)
    if long.is_empty():
        return long
    pmap, omap = {}, {}
    for p in PROCEEDINGS:
        for o in OUTCOMES:
            k = "reviews" if (p == "review" and o == "total") else f"{p}_{o}"
            pmap[k], omap[k] = p, o
    pl_ = _PROC_ZH if lang == "zh" else _PROC_EN
    ol_ = _OUT_ZH if lang == "zh" else _OUT_EN
    return long.with_columns(
        pl.col("measure").replace_strict(pmap).alias("proceeding"),
        pl.col("measure").replace_strict(omap).alias("outcome"),
    ).with_columns(
        pl.col("proceeding").replace_strict(pl_).alias("proceeding_label"),
        pl.col("outcome").replace_strict(ol_).alias("outcome_label"),
    )


def correction_rates(con, f: Filters, by: str = "county", min_cases: int = MIN_CASES, lang: str = "zh") -> pl.DataFrame:
    return aggregate(
        con,
        f,
        ["review_correction_rate", "suit_correction_rate", "correction_rate", "lawsuits_per_100"],
        (by,),
        min_cases=min_cases,
        lang=lang,
    )


def compare(
    con,
    f: Filters,
    level: str,
    entities: Sequence[str],
    years_: Sequence[int],
    measures: Sequence[str],
    min_cases: int = MIN_CASES,
    lang: str = "zh",
) -> pl.DataFrame:
    """Entities (counties or agency ids) × years × measures, long form with numerator/denominator/basis."""
    if level not in _COMPARE_LEVELS:
        raise ValueError(level)
    field, group, id_col, name_col = _COMPARE_LEVELS[level]
    g = f.with_(**{field: tuple(entities)}) if entities else f
    out = aggregate(con, g, measures, (group, "year"), years=years_ or None, min_cases=min_cases, lang=lang)
    if out.is_empty():
        return out
    return out.with_columns(pl.col(id_col).alias("entity_id"), pl.col(name_col).alias("entity"))


# compare level → (Filters field, aggregate grouping, id column, display column)
_COMPARE_LEVELS = {
    "county": ("counties", "county", "county", "county"),
    "agency": ("agency_ids", "agency", "agency_id", "agency_name"),
}


def compare_table(long: pl.DataFrame) -> pl.DataFrame:
    """The comparison as exported: one row per entity × year × measure."""
    if long.is_empty():
        return pl.DataFrame(
            schema={
                "entity_id": pl.Utf8,
                "entity": pl.Utf8,
                "year": pl.Int64,
                "measure": pl.Utf8,
                "label": pl.Utf8,
                "value": pl.Float64,
                "numerator": pl.Float64,
                "denominator": pl.Float64,
                "basis": pl.Utf8,
                "n_reports": pl.Int64,
                "n_null": pl.Int64,
                "low_n": pl.Boolean,
            }
        )
    return long.select(
        "entity_id",
        "entity",
        "year",
        "measure",
        "label",
        "value",
        "numerator",
        "denominator",
        "basis",
        "n_reports",
        "n_null",
        "low_n",
    ).sort("entity", "year", "measure")


def report_sources(con, f: Filters, years_: Sequence[int] | None = None, limit: int = 50_000) -> pl.DataFrame:
    w, p = _where(f, years_)
    p.append(int(limit))
    route = _route(con, agg_ok=False)
    order = Sql("r.o_sources") if route != "base" else _SOURCES_ORDER_SQL + Sql(", r.report_id")
    src = Sql("report_dash r") if route != "base" else Sql("reports r")
    return frame(
        con.cursor(),
        Sql(
            "SELECT r.report_id, r.dataset, r.agency_name, r.province, r.city, r.county, "
            "r.year, r.template, r.format, r.source_path, r.sha256, r.status FROM {src} {w} "
            "ORDER BY {order} LIMIT ?"
        ).format(src=src, w=w, order=order),
        p,
    )


def report_findings(con, f: Filters, years_: Sequence[int] | None = None, limit: int = 50_000) -> pl.DataFrame:
    w, p = _where(f, years_)
    p.append(int(limit))
    route = _route(con)
    if route == "agg":  # findings pre-joined with their report's filter columns
        sql = Sql(
            "SELECT r.report_id, r.agency_name, r.year, r.seq, r.check_id, r.severity, r.location, r.message "
            "FROM report_findings_dash r {w} "
            "ORDER BY r.agency_name, r.year, r.report_id, r.seq LIMIT ?"
        ).format(w=w)
    else:
        src = Sql("report_dash r") if route == "dash" else Sql("reports r")
        sql = Sql(
            "SELECT r.report_id, r.agency_name, r.year, fi.seq, fi.check_id, fi.severity, fi.location, "
            "fi.message FROM {src} JOIN findings fi ON fi.report_id = r.report_id {w} "
            "ORDER BY r.agency_name, r.year, r.report_id, fi.seq LIMIT ?"
        ).format(src=src, w=w)
    return frame(con.cursor(), sql, p)


def report_count(con, f: Filters) -> int:
    w, p = _where(f)
    route = _route(con, agg_ok=not f.agency_ids)
    coarse = not (f.agency_types or f.templates)
    src, n = pick(
        route,
        {
            "agg": (
                Sql("report_agg_region r") if coarse else Sql("report_agg r"),
                Sql("coalesce(sum(r.n_all), 0)::BIGINT"),
            ),
            "dash": (Sql("report_dash r"), Sql("count(*)")),
            "base": (Sql("reports r"), Sql("count(*)")),
        },
        "route",
    )
    return int(run(con.cursor(), Sql("SELECT {n} FROM {src} {w}").format(n=n, src=src, w=w), p).fetchone()[0])


# the report list's columns; facts over x = report_facts, or r = report_dash (dash=True)
_LIST_COLS_T = Sql(
    "r.report_id, r.dataset, r.agency_name, r.agency_type, r.county, r.year, r.template, r.status, "
    "r.n_findings, {x}.new_received, {x}.total_handled, "
    "CASE WHEN {x}.total_handled > 0 THEN ({x}.granted + {x}.partial) / {x}.total_handled END "
    "AS open_rate_A, r.source_path"
)
_LIST_COLS = {False: _LIST_COLS_T.format(x=Sql("x")), True: _LIST_COLS_T.format(x=Sql("r"))}


def report_list(con, f: Filters, limit: int = 50, offset: int = 0, sort: str = "year") -> pl.DataFrame:
    """One page of the report list (ties broken by report_id). From report_dash: a top-N on the order's
    precomputed rank column; otherwise the page's ids are picked first (top-N over the filter), then joined.
    The 'applications' order lists only reports with facts."""
    if sort not in REPORT_SORT:
        raise ValueError(sort)
    w, p = _where(f)
    order = pick(sort, _SORT_SQL, "report order")
    p += [int(limit), int(offset)]
    if _route(con, agg_ok=False) != "base":
        if sort == "applications":
            w = _and(w, Sql("r.has_facts"))
        rank = pick(sort, _RANK_SQL, "report order")
        return frame(
            con.cursor(),
            Sql("SELECT {cols} FROM report_dash r {w} ORDER BY r.{rank} LIMIT ? OFFSET ?").format(
                cols=_LIST_COLS[True], w=w, rank=rank
            ),
            p,
        )
    if sort == "applications":
        ids = Sql(
            "SELECT r.report_id FROM reports r JOIN report_facts x ON x.report_id = r.report_id {w} "
            "ORDER BY {order}, r.report_id LIMIT ? OFFSET ?"
        ).format(w=w, order=order)
    else:
        ids = Sql("SELECT r.report_id FROM reports r {w} ORDER BY {order}, r.report_id LIMIT ? OFFSET ?").format(
            w=w, order=order
        )
    return frame(
        con.cursor(),
        Sql(
            "SELECT {cols} FROM reports r LEFT JOIN report_facts x ON x.report_id = r.report_id "
            "WHERE r.report_id IN ({ids}) ORDER BY {order}, r.report_id"
        ).format(cols=_LIST_COLS[False], ids=ids, order=order),
        p,
    )


def report_detail(con, report_id: str) -> dict[str, Any] | None:
    """One report: its reports row (dict), cells, findings, text and facts row."""
    cur = con.cursor()
    head = frame(cur, Sql("SELECT * FROM reports WHERE report_id = ?"), [report_id])
    if head.is_empty():
        return None
    cells = frame(
        cur,
        Sql(
            "SELECT table_no, row_key, col_key, value, raw, state, confidence FROM cells "
            "WHERE report_id = ? ORDER BY table_no, row_key, col_key"
        ),
        [report_id],
    )
    findings = frame(
        cur,
        Sql("SELECT seq, check_id, severity, location, message FROM findings WHERE report_id = ? ORDER BY seq"),
        [report_id],
    )
    # fetchall, not fetchone: a long text comes back as a streaming result, and DuckDB refuses the
    # next statement on this cursor until that result is read to its end
    text = next(iter(cur.execute("SELECT text FROM report_texts WHERE report_id = ?", [report_id]).fetchall()), None)
    facts = frame(cur, Sql("SELECT * FROM report_facts WHERE report_id = ?"), [report_id])
    return {
        "report": head.row(0, named=True),
        "cells": cells,
        "findings": findings,
        "text": text[0] if text else None,
        "facts": facts.row(0, named=True) if not facts.is_empty() else None,
    }


def definitions(measures: Sequence[str], lang: str = "zh", min_cases: int = MIN_CASES) -> pl.DataFrame:
    """The definitions & 口径 sheet of an export."""
    rows = []
    for k in measures:
        m = MEASURES[k]
        rows.append(
            {
                "measure": k,
                "label_zh": m.zh,
                "label_en": m.en,
                "kind": m.kind,
                "basis_zh": m.basis_zh,
                "basis_en": m.basis_en,
                "numerator_sql": m.num,
                "denominator_sql": m.den or "",
                "scale": m.scale,
                "note": (
                    f"比率 = Σ分子 ÷ Σ分母（分子、分母均非空的报告）；分母 < {min_cases} 标记为 low_n"
                    if m.kind == "rate"
                    else "合计 = Σ（空值报告不计入，见 n_null）"
                ),
            }
        )
    return pl.DataFrame(rows)
