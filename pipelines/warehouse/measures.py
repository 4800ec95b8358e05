"""The measure catalogue over ``report_facts``: what the dashboard can aggregate, and the allow-lists of the
columns it may name. Shared by the writer (``aggregates.py`` builds one report_agg column per measure part)
and the read API (``pipelines.read`` sums them), so it lives here, below both.

Every formula is fixed text over ``x`` = report_facts, checked once at import by ``sqlq.expr`` against the
column allow-lists (ValueError before any SQL runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from pipelines.sqlq import Sql, expr, ident, pick

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
PROC_ZH = {"review": "行政复议", "suit_direct": "未经复议直接起诉", "suit_after_review": "复议后起诉"}
PROC_EN = {"review": "Review", "suit_direct": "Direct suit", "suit_after_review": "Suit after review"}
OUT_ZH = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
OUT_EN = {
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
                f"{PROC_ZH[_p]}·{OUT_ZH[_o]}",
                f"{PROC_EN[_p]} · {OUT_EN[_o]}",
                "count",
                f"x.{_p}_{_o}",
                group="detail",
                basis_zh=f"表四 {PROC_ZH[_p]} {OUT_ZH[_o]}",
                basis_en=f"table 4, {PROC_EN[_p]}, {OUT_EN[_o]}",
            )
        )

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


AGG_GRAIN = ("dataset", "province", "city", "county", "agency_type", "template", "year")
AGG_COARSE = ("dataset", "province", "city", "county", "year")  # report_agg_region


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
