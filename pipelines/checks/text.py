"""Findings as a reader sees them, in the UI's language: a check's title, where it points in the template's
words, and its message.

The warehouse keeps what the checks and the parser wrote (``check_id`` "C301 table3_balance", a location
such as ``table3.denied_process_info.natural_person``, a message). The titles come from the data files:
catalogue.yaml (``title_zh`` / ``title_en``) and parser_codes.yaml (``title_zh`` / ``title_en`` / ``note_zh``).
A catalogue message is written "中文; English": each UI shows its half. A parser message is English: the
Chinese UI shows the code's ``note_zh`` instead (``message``). Keys a message prints (``denied_process_info``) are named
as the template names them (不予公开·四类过程性信息).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml

from pipelines import templates
from pipelines.checks import HERE, catalogue

SEVERITY = {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示", "note"),
}
# what a location's first part names, when it is not a table
_PLACES = {
    "agency": ("机关名称", "agency name"),
    "year": ("年度", "year"),
    "template": ("格式版本", "template version"),
    "sections": ("章节", "sections"),
    "table2": ("表二", "table 2"),
    "table3": ("表三", "table 3"),
    "table4": ("表四", "table 4"),
}


def _en(lang: str) -> bool:
    return lang == "en"


@cache
def _titles() -> dict[str, tuple[str, str, str]]:
    """Check code (C301, P302) → (title_zh, title_en, note_zh)."""
    out = {r.id: (r.title_zh, r.title_en, "") for r in catalogue()}
    codes = yaml.safe_load((HERE / "parser_codes.yaml").read_text(encoding="utf-8"))["codes"]
    for c in codes:
        out[c["id"]] = (c.get("title_zh", ""), c.get("title_en", ""), c.get("note_zh", ""))
    return out


def code(check_id: str | None) -> str:
    """ "C301 table3_balance" → "C301"."""
    return (check_id or "").split(" ", 1)[0]


def title(check_id: str | None, lang: str = "zh") -> str:
    """The check's title in the UI's language (its code when the data files do not know it)."""
    c = code(check_id)
    zh, en, _ = _titles().get(c, ("", "", ""))
    return (en if _en(lang) else zh) or c


def severity(sev: str | None, lang: str = "zh") -> str:
    zh, en = SEVERITY.get(sev or "", (sev or "", sev or ""))
    return en if _en(lang) else zh


def location(loc: str | None, lang: str = "zh") -> str:
    """``table3.denied_process_info.natural_person`` → 表三 · （三）不予公开 6.属于四类过程性信息 · 自然人."""
    if not loc:
        return ""
    parts = loc.split(".")
    place = _PLACES.get(parts[0])
    if place is None:
        return loc
    out = [place[_en(lang)]]
    rest = parts[1:]
    if parts[0] == "table3" and rest:
        out.append(templates.row_name(rest[0], lang) if _en(lang) else templates.row_label(rest[0]))
        if len(rest) > 1:
            out.append(templates.column_name(rest[1], lang))
    elif parts[0] == "table4" and rest:
        out.append(templates.table4_name(rest[0], lang))
    elif parts[0] == "table2" and rest:
        out.append(templates.table2_name(rest[0], lang))
    return " · ".join(out)


@cache
def _key_pattern(lang: str, distinct_only: bool) -> tuple[re.Pattern, dict[str, str]]:
    names = templates.key_names(lang)
    keys = [k for k in names if names[k] != k and (not distinct_only or "_" in k)]
    keys.sort(key=len, reverse=True)
    pat = re.compile(r"(?<![A-Za-z_])(" + "|".join(map(re.escape, keys)) + r")(?![A-Za-z_])")
    return pat, names


def name_keys(text: str, lang: str = "zh") -> str:
    """Every template key printed in ``text`` replaced by its name. In English text only keys with an underscore
    are replaced (``other`` or ``total`` are also words there)."""
    pat, names = _key_pattern(lang, _en(lang))
    return pat.sub(lambda m: names[m.group(1)], text)


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_WORD = re.compile(r"[A-Za-z]{3,}")  # an English word (C301, P302 are codes; xxgk is a command)


def halves(msg: str) -> tuple[str, str] | None:
    """A bilingual message "中文; English" → (zh, en): split at the first "; " with Chinese before it and none
    after (a quote in the Chinese half may hold "; " too; an English-only message is not split)."""
    for m in re.finditer("; ", msg):
        zh, en = msg[: m.start()], msg[m.end() :]
        if _CJK.search(zh) and not _CJK.search(en):
            return zh, en
    return None


@cache
def _printed_labels() -> tuple[re.Pattern, dict[str, str]]:
    """The template's printed table-3 row labels (（七）总计, 1.本机关) → their English names, longest first."""
    names: dict[str, str] = {}
    for k, r in templates.ROW.items():
        for zh in {templates.row_label(k), r.number + r.short, r.zh}:
            if zh and _CJK.search(zh):
                names.setdefault(zh, templates.row_name(k, "en"))
    for k in templates.TABLE3_COLUMNS:
        names.setdefault(templates.column_name(k, "zh"), templates.column_name(k, "en"))
    keys = sorted(names, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))), names


def message(check_id: str | None, msg: str | None, lang: str = "zh") -> str:
    """The message in the UI's language. A bilingual message ("中文; English": the catalogue's rules, the demo's
    faults) shows its own half. A one-language message (the parser's and the warehouse's are English) shows
    in English as written, and in Chinese as the code's ``note_zh`` (parser_codes.yaml), else its title. Keys
    and the template's printed labels are named in the UI's language; an English message that would still
    show Chinese shows the code's English title instead."""
    msg = msg or ""
    c = code(check_id)
    split = halves(msg)
    if _en(lang):
        text = name_keys(split[1] if split else msg, lang)
        pat, names = _printed_labels()
        text = pat.sub(lambda m: names[m.group(0)], text)
        return title(check_id, lang) if _CJK.search(text) else text
    if split:
        return name_keys(split[0], lang)
    text = name_keys(msg, lang)
    if _CJK.search(text) and not _WORD.search(text):  # written in Chinese only
        return text
    return _titles().get(c, ("", "", ""))[2] or title(check_id, lang)


def messages(findings: Any, lang: str = "zh") -> Any:
    """``message`` over a polars frame of findings (``check_id``, ``message``), as a Series in the rows' order:
    printed once per distinct pair and joined back (a findings list holds tens of thousands of rows and a few
    hundred distinct messages)."""
    import polars as pl  # here: the ingest path imports this module and has no use for polars

    pairs = findings.select("check_id", "message")
    keys = pairs.unique()
    printed = keys.with_columns(pl.Series("text", [message(c, m, lang) for c, m in keys.iter_rows()], dtype=pl.Utf8))
    joined = pairs.join(printed, on=["check_id", "message"], how="left", maintain_order="left", nulls_equal=True)
    return joined["text"].alias("message")


def describe(check_id: str | None, loc: str | None, msg: str | None, lang: str = "zh") -> dict[str, str]:
    """Everything a page shows of one finding: code, title, location and message, in the UI's language."""
    return {
        "code": code(check_id),
        "title": title(check_id, lang),
        "location": location(loc, lang),
        "message": message(check_id, msg, lang),
    }


# ------------------------------------------------------------------------------------------ formulas
# A rule's formula as the checks page prints it: every table reference named in the template's words (rows,
# columns, groups and outcomes from the template data), the sets it runs over from catalogue.yaml's
# set_labels; a rule run by a function has its formula written in both languages in the catalogue.
_T3_REF = re.compile(r"(prev_)?table3\[(\w+)\]\[(\w+)\]")
_T4_GROUP_REF = re.compile(r"table4\[(\w+) \+ '_(\w+)'\]")
_T4_REF = re.compile(r"table4\[(\w+)\]")
_T2_REF = re.compile(r"(prev_)?table2\[(\w+) \+ '_(\w+)'\]")
_SUM = re.compile(r"sum\((.+?) for (\w+) in (\w+)\)")
_FOR = re.compile(r"\s+for (\w+) in (\w+)\s*$")


@cache
def _catalogue_data() -> dict:
    return yaml.safe_load((HERE / "catalogue.yaml").read_text(encoding="utf-8"))


@cache
def _t2_columns() -> dict[str, tuple[str, str]]:
    """Table 2's column suffixes (issued, in_force …) → (zh as printed, en), the newest version's print winning."""
    out: dict[str, tuple[str, str]] = {}
    for v in templates.versions():
        for b in templates.get(v).table2_layout:
            for c in b.columns:
                out[c.key] = (c.zh, c.en)
    return out


def _set_label(name: str, lang: str) -> str:
    lab = _catalogue_data().get("set_labels", {}).get(name)
    return (lab["en"] if _en(lang) else lab["zh"]) if lab else name


def formula(rule_id: str, lang: str = "zh") -> str:
    """The rule's formula in the UI's language, table references named as the template names them:
    ``table3[new_received][c]`` → 表三（本年新收，c）/ table 3 (new, c)."""
    raw = next((r for r in _catalogue_data()["rules"] if str(r["id"]) == code(rule_id)), None)
    if raw is None:
        return ""
    en = _en(lang)
    text = raw.get("formula_en" if en else "formula_zh") or raw["formula"]
    sep = ", " if en else "，"

    def paren(table: str, parts: list[str], prev: bool = False) -> str:
        name = {"t2": ("表二", "table 2"), "t3": ("表三", "table 3"), "t4": ("表四", "table 4")}[table][en]
        if prev:
            name = f"last year's {name}" if en else f"上年{name}"
        return f"{name} ({sep.join(parts)})" if en else f"{name}（{sep.join(parts)}）"

    def t3(m: re.Match) -> str:
        row, col = m.group(2), m.group(3)
        r = templates.ROW.get(row)
        rname = (r.en if en else r.zh) if r else row
        cname = templates.column_name(col, lang) if col in templates.TABLE3_COLUMNS else col
        return paren("t3", [rname, cname], bool(m.group(1)))

    def t4_group(m: re.Match) -> str:
        o = m.group(2)
        oname = (templates.TABLE4_OUTCOME_EN if en else templates.TABLE4_OUTCOME_ZH).get(o, o)
        return paren("t4", [m.group(1), oname])

    def t4(m: re.Match) -> str:
        return paren("t4", [templates.table4_name(m.group(1), lang)])

    def t2(m: re.Match) -> str:
        zh, en_ = _t2_columns().get(m.group(3), (m.group(3), m.group(3)))
        return paren("t2", [m.group(2), en_ if en else zh], bool(m.group(1)))

    text = _T3_REF.sub(t3, text)
    text = _T4_GROUP_REF.sub(t4_group, text)
    text = _T4_REF.sub(t4, text)
    text = _T2_REF.sub(t2, text)
    text = _SUM.sub(lambda m: f"Σ({m.group(1)}{sep}{m.group(2)} ∈ {_set_label(m.group(3), lang)})", text)
    loop = _FOR.search(text)
    if loop:
        where = f"{loop.group(1)} ∈ {_set_label(loop.group(2), lang)}"
        text = text[: loop.start()] + (f" (for {where})" if en else f"（{where}）")
    return text.replace("==", "=")
