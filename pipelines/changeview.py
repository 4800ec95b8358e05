"""The cells a replacement or a re-extraction moved, as a reader sees them (no streamlit here): where in the
template's words, the value before and after, why, in the UI's language.

Rows come from ``read.cell_changes`` (one report's history) or ``read.changed_cells`` (the sidebar's
selection); ``replacement_cells`` table_no 0 holds the report's own fields (agency, year, template), whose
before/after are texts, not numbers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import polars as pl

from pipelines import numfmt, templates
from pipelines.checks import text

REASONS = {
    "changed file": ("新版本文件", "new edition"),
    "extractor upgrade": ("提取程序升级", "extractor upgrade"),
    "re-extraction asked": ("按要求重读", "read again on request"),
}
COLUMNS = {
    "at": ("时间", "When"),
    "agency": ("机关", "Agency"),
    "year": ("年度", "Year"),
    "where": ("位置", "Where"),
    "old": ("原值", "Before"),
    "new": ("新值", "After"),
    "reason": ("原因", "Why"),
    "versions": ("提取程序版本", "Extractor version"),
}
_FIELDS = {"agency": "agency", "year": "year", "template": "template"}


def _en(lang: str) -> bool:
    return lang == "en"


def column(key: str, lang: str = "zh") -> str:
    zh, en = COLUMNS[key]
    return en if _en(lang) else zh


def reason(r: str | None, lang: str = "zh") -> str:
    zh, en = REASONS.get(r or "", (r or "", r or ""))
    return en if _en(lang) else zh


def location(table_no: int, row_key: str, col_key: str, lang: str = "zh") -> str:
    """Where the cell is, in the template's words (表三 · （一）予以公开 · 自然人; 机关名称)."""
    if table_no == 0:
        return text.location(_FIELDS.get(col_key, col_key), lang)
    if table_no == 2:
        return text.location(f"table2.{row_key}", lang)
    if table_no == 4:
        return text.location(f"table4.{col_key}", lang)
    return text.location(f"table{table_no}.{row_key}.{col_key}", lang)


def value(v: Any, state: str | None, txt: str | None, table_no: int, lang: str = "zh") -> str:
    """A cell's value on one side: the number; for a report field its text; no value: — with what it was
    (未填报 / 空白 / 横线), or — alone when the cell was not there."""
    if table_no == 0:
        return txt if txt else numfmt.DASH
    if not numfmt.missing(v):
        return numfmt.exact(v)
    if state is None:
        return numfmt.DASH
    meaning = numfmt.blank_meaning(state, lang)
    return f"{numfmt.DASH}（{meaning.split('：')[0]}）" if not _en(lang) else f"{numfmt.DASH} ({meaning.split(':')[0]})"


def versions(old: int | None, new: int | None, lang: str = "zh") -> str:
    none = "unversioned" if _en(lang) else "未记录"
    return f"{none if old is None else old} → {none if new is None else new}"


def keys(with_report: bool = True) -> list[str]:
    """The columns shown: with the report's name and year and without the extractor versions (a list over
    reports, at 1440 px), or without the report and with the versions (one report's page)."""
    skip = ("versions",) if with_report else ("agency", "year")
    return [k for k in COLUMNS if k not in skip]


@cache
def _order() -> dict[str, int]:
    """Template print order of the row, column and table-4 keys (the first version that has a key decides)."""
    out: dict[str, int] = {}
    for v in templates.versions():
        tpl = templates.get(v)
        for i, r in enumerate(tpl.table3_rows):
            out.setdefault(r.key, i)
        for i, k in enumerate(tpl.table4_keys):
            out.setdefault(k, i)
    for i, c in enumerate(templates.TABLE3_COLUMNS):
        out.setdefault(c, i)
    return out


def order(df: pl.DataFrame) -> pl.DataFrame:
    """Newest first; within a report, its fields, then the cells in the order the template prints them.
    (Sort the frame before building anything row by row beside the table, e.g. the pages' links.)"""
    o = _order()
    rows = df.to_dicts()

    def key(i: int) -> tuple:
        r = rows[i]
        at = r.get("at")
        return (
            -(at.timestamp() if at is not None else 0.0),
            r.get("agency_name") or "",
            r.get("report_year") or 0,
            r.get("report_id") or r.get("new_report_id") or "",
            int(r["table_no"]),
            o.get(r["row_key"], len(o)),
            r["row_key"],
            o.get(r["col_key"], len(o)),
            r["col_key"],
        )

    return df.select(pl.all().gather(sorted(range(len(rows)), key=key)))


def table(df: pl.DataFrame, lang: str = "zh", with_report: bool = True) -> pl.DataFrame:
    """The rows as the pages show them: every column a string in the UI's language (no None, no raw key)."""
    rows = order(df).to_dicts()
    shown = keys(with_report)
    out: dict[str, list[Any]] = {column(k, lang): [] for k in shown}
    for r in rows:
        t = int(r["table_no"])
        cells = {
            "at": r["at"].strftime("%Y-%m-%d %H:%M") if r.get("at") is not None else numfmt.DASH,
            "agency": r.get("agency_name") or numfmt.DASH,
            "year": numfmt.DASH if r.get("report_year") is None else str(r["report_year"]),
            "where": location(t, r["row_key"], r["col_key"], lang),
            "old": value(r["old_value"], r["old_state"], r["old_text"], t, lang),
            "new": value(r["new_value"], r["new_state"], r["new_text"], t, lang),
            "reason": reason(r["reason"], lang),
            "versions": versions(r["old_extractor_version"], r["new_extractor_version"], lang),
        }
        for k in shown:
            out[column(k, lang)].append(cells[k])
    return pl.DataFrame(out, schema=dict.fromkeys(out, pl.Utf8))
