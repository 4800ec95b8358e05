"""Named check functions for rules a formula cannot express (catalogue.yaml `function:`).

Each takes (rule, report) and returns a list of CheckResult (pass / fail / not_assessable).
"""

from __future__ import annotations

import re

from pipelines import templates
from pipelines.checks import TABLE4_KEYS, CheckResult, Rule, _fmt, _v
from pipelines.report import Report


def _versions() -> list[str]:
    from pipelines.templates import templates

    return list(templates().keys())  # oldest first


def _template_compare(rule: Rule, report: Report) -> tuple[int | None, dict]:
    from pipelines.templates import expected_version

    versions = _versions()
    expected = expected_version(report.year)
    fields = {"year": report.year, "template": report.template, "expected": expected}
    if expected is None or report.template not in versions:
        return None, fields
    return versions.index(report.template) - versions.index(expected), fields


def template_lag(rule: Rule, report: Report) -> list[CheckResult]:
    d, fields = _template_compare(rule, report)
    if d is None:
        return []  # year unknown or nonstandard: the parser reports those; nothing to compare
    if d < 0:
        return [CheckResult(rule, "fail", _fmt(rule.where, fields), _fmt(rule.message, fields), fields)]
    return [CheckResult(rule, "pass", "year", "", fields)]


def template_ahead(rule: Rule, report: Report) -> list[CheckResult]:
    d, fields = _template_compare(rule, report)
    if d is None:
        return []  # year unknown or nonstandard: the parser reports those; nothing to compare
    if d > 0:
        return [CheckResult(rule, "fail", _fmt(rule.where, fields), _fmt(rule.message, fields), fields)]
    return [CheckResult(rule, "pass", "year", "", fields)]


# "共收到政府信息公开申请75件", "受理政府信息公开申请 21 件", "收到政府信息公开申请1件", "新收…申请N件",
# "共收到70件申请". The number must be followed by 件 (table rows "…申请数量 21 0 0 …" are not prose).
_APPLICATIONS = (
    re.compile(
        r"(?:收到|受理|新收)(?:[^。；;，,\d件]{0,12}?)(?:政府信息公开|依申请公开)?申请(?!数量)[^\d。；;]{0,4}?(\d+)\s*件"
    ),
    re.compile(r"(?:收到|受理|新收)\s*(?:各类|各种)?\s*(\d+)\s*件[^。；;，,\d]{0,10}?申请"),
)
# "行政复议2起", "被申请行政复议 3 件", "发生行政复议案件1件".
_REVIEW = re.compile(r"行政复议(?:案件|申请)?[^\d。；;，,、]{0,6}?(\d+)\s*[起件]")


def _statements(patterns, text: str) -> list[tuple[int, str]]:
    out = []
    for pat in patterns:
        for m in pat.finditer(text or ""):
            out.append((int(m.group(1)), "".join(m.group(0).split())))  # white space dropped (as label_key)
    return out


def _na(rule: Rule, where: str, fields: dict) -> list[CheckResult]:
    return [CheckResult(rule, "not_assessable", where, "", fields)]


def prose_applications(rule: Rule, report: Report) -> list[CheckResult]:
    new_key, carried_key = templates.FLOW_IN  # 本年新收, 上年结转
    row = report.table3.get(new_key)
    new = _v(row[templates.TOTAL_COL]) if row and len(row) > templates.TOTAL_COL else None
    co_row = report.table3.get(carried_key)
    carried = _v(co_row[templates.TOTAL_COL]) if co_row and len(co_row) > templates.TOTAL_COL else None
    if new is None:
        return []  # nothing to compare with: silently not assessable (the prose is not even scanned)
    stated = _statements(_APPLICATIONS, report.text)
    fields = {new_key: new, carried_key: carried}
    if not stated:
        return []  # nothing stated: silently not assessable
    accepted = {new} | ({new + carried} if carried is not None else set())
    out = []
    for n, quote in stated:
        f = {**fields, "stated": n, "quote": quote}
        if any(abs(n - a) < 1e-9 for a in accepted):
            out.append(CheckResult(rule, "pass", rule.where, "", f))
        else:
            out.append(CheckResult(rule, "fail", _fmt(rule.where, f), _fmt(rule.message, f), f))
    return out


# table 4's first group (行政复议) total: what the prose's 行政复议N件 states
_REVIEW_TOTAL = templates.table4_key(templates.TABLE4_GROUPS[0], templates.TABLE4_TOTAL)


def prose_review(rule: Rule, report: Report) -> list[CheckResult]:
    total = _v(report.table4[TABLE4_KEYS.index(_REVIEW_TOTAL)]) if len(report.table4) == len(TABLE4_KEYS) else None
    if total is None:
        return []
    stated = _statements((_REVIEW,), report.text)
    if not stated:
        return []
    out = []
    for n, quote in stated:
        f = {_REVIEW_TOTAL: total, "stated": n, "quote": quote}
        if abs(n - total) < 1e-9:
            out.append(CheckResult(rule, "pass", rule.where, "", f))
        else:
            out.append(CheckResult(rule, "fail", _fmt(rule.where, f), _fmt(rule.message, f), f))
    return out
