"""生成分析简报: the analysis briefing a 政务公开办 writes by hand each year, for the current filters, as
one self-contained HTML document (charts inline as SVG), and as PDF where headless Chromium is available.

Every figure comes from the read API (the pages' numbers) and is printed by pipelines.numfmt. Sections:
一 key figures of the latest year with their change; 二 the trends; 三 the rankings (districts, with the
optional warning thresholds of pipelines.settings highlighted); 四 refusal reasons grouped; 五 reviews and
lawsuits; 六 data quality; 七 sources. Synthetic data says so at the top. No streamlit here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet
from html import escape
from typing import Any

import polars as pl

from pipelines import charts, i18n, numfmt, read, settings
from pipelines.checks import text as check_text
from pipelines.read import Filters

CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; color: #222; margin: 28px auto; max-width: 980px;
       font-size: 14px; line-height: 1.6; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; border-bottom: 2px solid #2f6db5;
     padding-bottom: 3px; margin-top: 28px; }
.meta { color: #555; font-size: 13px; } .synthetic { background: #fff1e0; border: 1px solid #f3a712;
        padding: 6px 10px; margin: 10px 0; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.kpi { border: 1px solid #d5d9e0; border-radius: 6px; padding: 8px 10px; }
.kpi .v { font-size: 22px; } .kpi .l, .kpi .d { font-size: 12px; color: #555; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { border: 1px solid #d5d9e0; padding: 3px 6px; } th { background: #eef2f8; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } tr.warn td { background: #fde2dd; }
.note { color: #555; font-size: 12px; } .chart svg { max-width: 100%; height: auto; }
"""

T = {
    "title": ("政府信息公开工作年度报告 分析简报", "Government information disclosure: analysis briefing"),
    "scope": ("范围", "Scope"),
    "years": ("年度", "Years"),
    "generated": ("生成时间", "Generated"),
    "all": ("全部", "All"),
    "synthetic": (
        "本简报包含合成的演示数据，数字不代表任何真实机关。",
        "This briefing includes synthetic demo data: the figures describe no real agency.",
    ),
    "s1": ("一、主要指标（{y} 年，较上年）", "1. Key figures ({y}, vs the previous year)"),
    "s2": ("二、逐年趋势", "2. Trends"),
    "s3": ("三、区县排名（{y} 年合计）", "3. Districts ranked ({y} total)"),
    "s3_one": ("三、区县排名（{y} 年）", "3. Districts ranked ({y})"),
    "s4": ("四、不予公开、无法提供、不予处理的理由", "4. Reasons for withholding, inability and non-processing"),
    "s5": ("五、行政复议、行政诉讼", "5. Administrative reviews and lawsuits"),
    "s6": ("六、数据质量", "6. Data quality"),
    "s7": ("七、报告来源", "7. Sources"),
    "rank": ("名次", "Rank"),
    "district": ("区县", "District"),
    "value": ("数值", "Value"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "reports": ("报告数", "Reports"),
    "group": ("类别", "Group"),
    "reason": ("理由", "Reason"),
    "count": ("件数", "Cases"),
    "share": ("占比", "Share"),
    "proceeding": ("类别", "Proceeding"),
    "check": ("校验规则", "Check"),
    "n_reports": ("涉及报告数", "Reports"),
    "n_findings": ("发现数", "Findings"),
    "agency": ("机关", "Agency"),
    "year": ("年度", "Year"),
    "file": ("来源文件", "Source file"),
    "warn_open": ("公开率低于预警值 {v}", "disclosure rate below the warning value {v}"),
    "warn_corr": ("纠错率高于预警值 {v}", "correction rate above the warning value {v}"),
    # count phrases: English "[[one|many]]" resolved by i18n.plural for the count n (Chinese needs none)
    "low_n_note": (
        "{n} 个对象因样本不足未参与排名。",
        "{n} [[entity|entities]] left out of the ranking for too few cases.",
    ),
    "no_findings": ("所选范围内没有校验发现。", "No findings in the selection."),
    "more_sources": ("另有 {n} 份报告未列出。", "{n} more [[report|reports]] not listed."),
    "city_level": ("（市级机关）", "(city level)"),
}


def _t(key: str, lang: str, **fmt: Any) -> str:
    zh, en = T[key]
    s = en if lang == "en" else zh
    if "[[" in s:
        s = i18n.plural(s, fmt.get("n"))
    return s.format(**fmt) if fmt else s


def _table(
    headers: list[str], rows: list[list[Any]], numeric: AbstractSet[int] = frozenset(), warn: list[bool] | None = None
) -> str:
    # headers capitalised as the dashboard's (i18n.heading; Chinese has no case): table 4's outcomes are data labels
    h = "".join(f"<th>{escape(i18n.heading(str(x), 'en'))}</th>" for x in headers)
    body = []
    for i, r in enumerate(rows):
        cls = ' class="warn"' if warn and warn[i] else ""
        tds = "".join(f"<td{' class=n' if j in numeric else ''}>{escape(str(v))}</td>" for j, v in enumerate(r))
        body.append(f"<tr{cls}>{tds}</tr>")
    return f"<table><thead><tr>{h}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _svg(chart: Any, width: int, lang: str) -> str:
    """The chart inline as SVG; where it has nothing to draw, the dashboard's sentence that says so."""
    empty = charts.nothing_to_draw(charts.spec(chart))
    if empty:
        return f'<p class="note">{escape(i18n.t(empty, lang))}</p>'
    try:
        return '<div class="chart">' + charts.to_svg(chart, width=width) + "</div>"
    except Exception as e:
        return f'<p class="note">[chart: {escape(type(e).__name__)}]</p>'


def _span(y0: int | None, y1: int | None) -> str:
    """A range of years as printed: 2019–2024; one year once (2020, not 2020–2020)."""
    return str(y0) if y0 == y1 else f"{y0}–{y1}"


def _scope(con, f: Filters, lang: str) -> tuple[str, int | None, int | None]:
    ys = read.years(con, f)
    y0 = f.year_from or (min(ys) if ys else None)
    y1 = f.year_to or (max(ys) if ys else None)
    parts = [p for p in (f.province, f.city) if p] + list(f.counties)
    if f.agency_ids:
        parts += list(read.agency_names(con, list(f.agency_ids)).values())
    if f.datasets:
        parts.append("/".join(i18n.dataset_label(d, lang) for d in f.datasets))  # by label, never the key
    return ((", " if lang == "en" else "、").join(parts) or _t("all", lang)), y0, y1


def _key_figures(k: pl.DataFrame, basis: str, L: str) -> list[str]:
    """一 key figures: the latest year's figures with their change."""
    out: list[str] = []
    latest = int(k.select(pl.col("year").max()).item())
    out.append(f"<h2>{escape(_t('s1', L, y=latest))}</h2><div class='kpis'>")
    order = [m if m != "open_rate_A" else read.OPEN_RATE.get(basis, "open_rate_A") for m in read.OVERVIEW_MEASURES]
    for m in order:
        rows = k.filter((pl.col("year") == latest) & (pl.col("measure") == m))
        if rows.is_empty():
            continue
        r = rows.row(0, named=True)
        meas = read.MEASURES[m]
        label = numfmt.with_low_n(r["label"], bool(r["low_n"]) and r["kind"] == "rate", L)
        d = numfmt.change(r["change"], r["kind"], meas.scale, L) if r["change"] is not None else numfmt.DASH
        out.append(
            f"<div class='kpi'><div class='l'>{escape(label)}</div>"
            f"<div class='v'>{escape(numfmt.value(r['value'], r['kind'], meas.scale))}</div>"
            f"<div class='d'>{escape(d)}</div></div>"
        )
    out.append("</div>")
    return out


def _trends(con, f: Filters, k: pl.DataFrame, min_cases: int, L: str, charts_inline: bool) -> list[str]:
    """二 trends."""
    out: list[str] = []
    out.append(f"<h2>{escape(_t('s2', L))}</h2>")
    if charts_inline:
        out.append(_svg(charts.trend(k.filter(pl.col("measure") == "applications"), L), 900, L))
        out.append(_svg(charts.trend(k.filter(pl.col("kind") == "rate"), L, min_cases=min_cases), 900, L))
        comp = read.outcome_composition(con, f, ("year",), L)
        if not comp.is_empty():
            out.append(
                _svg(
                    charts.stacked(comp, "year", "label", L, x_title=_t("year", L), color_title=_t("group", L)), 900, L
                )
            )
    return out


def _rankings(con, f: Filters, basis: str, min_cases: int, y0: int | None, y1: int | None, L: str) -> list[str]:
    """三 rankings, with the warning thresholds."""
    out: list[str] = []
    one = y0 == y1
    out.append(f"<h2>{escape(_t('s3_one' if one else 's3', L, y=_span(y0, y1)))}</h2>")
    warn_open, warn_corr = settings.warn_open_rate_below(), settings.warn_correction_above()
    for m, thr, above in (
        ("applications", None, False),
        (read.OPEN_RATE.get(basis, "open_rate_A"), warn_open, False),
        ("correction_rate", warn_corr, True),
    ):
        ranked, low = read.ranking(con, f, m, "county", min_cases, 30, True, L)
        if ranked.is_empty():
            continue
        meas = read.MEASURES[m]
        out.append(f"<h3>{escape(meas.label(L))}</h3>")
        if thr is not None:
            key = "warn_corr" if above else "warn_open"
            out.append(f"<p class='note'>{escape(_t(key, L, v=numfmt.rate(thr)))}</p>")
        rows, warn = [], []
        for r in ranked.iter_rows(named=True):
            # a city's own agencies by its name: over several cities "（市级机关）" alone names no one
            city = r.get("city") or ""
            name = r["county"] or (f"{city} " if L == "en" and city else city) + _t("city_level", L)
            row = [r["rank"], name, numfmt.value(r["value"], meas.kind, meas.scale)]
            if meas.kind == "rate":
                row += [numfmt.count(r["numerator"]), numfmt.count(r["denominator"])]
            rows.append(row + [numfmt.count(r["n_reports"])])
            v = r["value"]
            warn.append(thr is not None and v is not None and (v > thr if above else v < thr))
        heads = [_t("rank", L), _t("district", L), meas.label(L)]
        if meas.kind == "rate":
            heads += [_t("numerator", L), _t("denominator", L)]
        out.append(_table(heads + [_t("reports", L)], rows, {0, 2, 3, 4, 5}, warn))
        if not low.is_empty():
            out.append(f"<p class='note'>{escape(_t('low_n_note', L, n=numfmt.count(low.height)))} "
                       f"{escape(numfmt.low_n_rule(min_cases, L))}</p>")  # fmt: skip
    return out


def _refusals(con, f: Filters, L: str) -> list[str]:
    """四 refusal reasons, grouped."""
    out: list[str] = []
    out.append(f"<h2>{escape(_t('s4', L))}</h2>")
    rr = read.refusal_reasons(con, f, (), L)
    if not rr.is_empty():
        rows = [
            [r["group_label"], r["label"], numfmt.count(r["value"]), numfmt.rate(r["share"])]
            for r in rr.sort("group", "value", descending=[False, True]).iter_rows(named=True)
        ]
        out.append(_table([_t("group", L), _t("reason", L), _t("count", L), _t("share", L)], rows, {2, 3}))
    return out


def _disputes(con, f: Filters, min_cases: int, L: str) -> list[str]:
    """五 reviews and lawsuits."""
    out: list[str] = []
    out.append(f"<h2>{escape(_t('s5', L))}</h2>")
    d = read.disputes(con, f, (), L)
    if not d.is_empty():
        wide = d.pivot(on="outcome_label", index="proceeding_label", values="value", aggregate_function="first")
        cols = [c for c in wide.columns if c != "proceeding_label"]
        rows = [[r["proceeding_label"], *[numfmt.count(r[c]) for c in cols]] for r in wide.iter_rows(named=True)]
        out.append(_table([_t("proceeding", L), *cols], rows, set(range(1, len(cols) + 1))))
    cr = read.aggregate(con, f, ["correction_rate", "lawsuits_per_100"], (), min_cases=min_cases, lang=L)
    for r in cr.iter_rows(named=True):
        meas = read.MEASURES[r["measure"]]
        v = numfmt.with_low_n(numfmt.value(r["value"], meas.kind, meas.scale), bool(r["low_n"]), L)
        colon, op, sep, cl = (": ", " (", "; ", ")") if L == "en" else ("：", "（", "；", "）")
        out.append(
            f"<p>{escape(r['label'])}{colon}<b>{escape(v)}</b>{op}{escape(_t('numerator', L))} "
            f"{escape(numfmt.count(r['numerator']))} ÷ {escape(_t('denominator', L))} "
            f"{escape(numfmt.count(r['denominator']))}{sep}{escape(r['basis'])}{cl}</p>"
        )
    return out


def _quality(con, f: Filters, L: str) -> list[str]:
    """六 data quality."""
    out: list[str] = []
    out.append(f"<h2>{escape(_t('s6', L))}</h2>")
    q = read.failing_by_check_f(con, f, ("error", "warning"))
    if q.is_empty():
        out.append(f"<p>{escape(_t('no_findings', L))}</p>")
    else:
        rows = [
            # each check by its code and title in the briefing's language (catalogue data), never its raw key
            [
                f"{check_text.code(r['check_id'])} {check_text.title(r['check_id'], L)}",
                numfmt.count(r["n_reports"]),
                numfmt.count(r["n_findings"]),
            ]
            for r in q.iter_rows(named=True)
        ]
        out.append(_table([_t("check", L), _t("n_reports", L), _t("n_findings", L)], rows, {1, 2}))
    return out


def _file_name(path: str | None) -> str:
    """A source as the briefing names it: the file's name, never the server's folders (the report page does the
    same); the demo's synthetic://… names are kept whole (their last part is only a year)."""
    p = str(path or "")
    return p if p.startswith("synthetic://") else p.replace("\\", "/").rsplit("/", 1)[-1]


def _sources(con, f: Filters, L: str) -> list[str]:
    """七 sources."""
    out: list[str] = []
    out.append(f"<h2>{escape(_t('s7', L))}</h2>")
    n = read.report_count(con, f)
    src = read.report_sources(con, f, None, 200)
    rows = [[r["agency_name"] or "", r["year"], _file_name(r["source_path"])] for r in src.iter_rows(named=True)]
    out.append(_table([_t("agency", L), _t("year", L), _t("file", L)], rows))
    if n > src.height:
        out.append(f"<p class='note'>{escape(_t('more_sources', L, n=numfmt.count(n - src.height)))}</p>")
    return out


def build(
    con,
    f: Filters = Filters(),
    basis: str = "A",
    min_cases: int = settings.MIN_CASES,
    lang: str = "zh",
    now: dt.datetime | None = None,
    charts_inline: bool = True,
) -> str:
    """The briefing as one HTML document (UTF-8, styles and SVG charts inline)."""
    L = lang
    scope, y0, y1 = _scope(con, f, L)
    now = now or dt.datetime.now()
    colon = ": " if L == "en" else "："
    out = [
        f'<!doctype html><html lang="{"en" if L == "en" else "zh-CN"}"><head><meta charset="utf-8">',
        f"<title>{escape(_t('title', L))}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(_t('title', L))}</h1>",
        f'<p class="meta">{escape(_t("scope", L))}{colon}{escape(scope)} · {escape(_t("years", L))}{colon}{_span(y0, y1)} · '
        f"{escape(_t('generated', L))}{colon}{now:%Y-%m-%d %H:%M}</p>",
    ]
    ds = read.datasets(con)
    if "demo" in (f.datasets or tuple(ds["dataset"].to_list() if not ds.is_empty() else ())):
        out.append(f'<p class="synthetic">{escape(_t("synthetic", L))}</p>')

    # 一 key figures
    k = read.overview_kpis(con, f, basis, min_cases, L)
    if k.is_empty():
        out.append("</body></html>")
        return "".join(out)
    out += _key_figures(k, basis, L)
    out += _trends(con, f, k, min_cases, L, charts_inline)
    out += _rankings(con, f, basis, min_cases, y0, y1, L)
    out += _refusals(con, f, L)
    out += _disputes(con, f, min_cases, L)
    out += _quality(con, f, L)
    out += _sources(con, f, L)
    out.append("</body></html>")
    return "".join(out)


def to_pdf(html: str) -> bytes | None:
    """The briefing as PDF through headless Chromium (Debian's chromium + playwright); None when unavailable."""
    exe = settings.chromium()
    if not exe.exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(exe), args=list(settings.CHROMIUM_ARGS))
        try:
            page = b.new_page()
            page.set_content(html, wait_until="load")
            return page.pdf(format="A4", print_background=True, margin={"top": "12mm", "bottom": "12mm"})
        finally:
            b.close()
