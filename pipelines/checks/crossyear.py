"""Cross-year checks (catalogue scope `cross-year`, ids C4xx), run on the warehouse after ingest.

`run_crossyear(con)` compares each report with the same agency's report of the year before
(same dataset, same agency_id; values from v_cells, so corrections count) and writes the results
into `findings` for the affected reports. Idempotent: the previous C4xx findings of the agencies
concerned are deleted first; `reports.n_findings` / `status` are brought up to date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import duckdb

from pipelines import templates
from pipelines.checks import TABLE3_COLUMNS, CheckResult, Rule, _fmt, evaluate_rule, rules

PREFIX = "C4"
_T3_ROWS = (templates.CARRIED_OVER_ROW, templates.CARRIED_FORWARD_ROW)  # C401: this year's vs last year's
_T2_SUFFIXES = ("_in_force", "_issued", "_repealed")


def _has_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = ? AND table_type = 'VIEW'", [name]
        ).fetchone()
    )


def _reports(con, agency_ids: Iterable[str] | None) -> list[tuple]:
    sql = (
        "SELECT report_id, dataset, agency_id, year, template, ingested_at FROM reports"
        " WHERE agency_id IS NOT NULL AND year IS NOT NULL"
    )
    params: list[Any] = []
    if agency_ids is not None:
        ids = list(agency_ids)
        if not ids:
            return []
        sql += " AND agency_id IN (" + ", ".join("?" for _ in ids) + ")"
        params += ids
    return con.execute(sql, params).fetchall()


def _values(con, report_ids: list[str]) -> dict[str, dict[str, Any]]:
    """{report_id: {"table3": {row: {col: v}}, "table2": {key: v}}} for the rows the rules use."""
    src = "v_cells" if _has_view(con, "v_cells") else "cells"
    out: dict[str, dict[str, Any]] = {rid: {"table3": {}, "table2": {}} for rid in report_ids}
    if not report_ids:
        return out
    # one statement (executemany costs a statement a row)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _xxgk_cy_ids AS SELECT unnest(?::VARCHAR[]) AS report_id", [list(report_ids)]
    )
    rows = con.execute(
        "SELECT c.report_id, c.table_no, c.row_key, c.col_key, c.value FROM " + src + " c"  # src: fixed name
        " JOIN _xxgk_cy_ids USING (report_id)"
        " WHERE (c.table_no = 3 AND c.row_key IN (?, ?))"
        "    OR (c.table_no = 2 AND (c.row_key LIKE ? OR c.row_key LIKE ? OR c.row_key LIKE ?))",
        [*_T3_ROWS, *("%" + s for s in _T2_SUFFIXES)],
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS _xxgk_cy_ids")
    for rid, table_no, row_key, col_key, value in rows:
        if table_no == 3:
            out[rid]["table3"].setdefault(row_key, {})[col_key] = value
        else:
            out[rid]["table2"][row_key] = value
    return out


def _na_info(r: Rule, results: list[CheckResult]) -> list[tuple[str, str, str, str]]:
    out = [(r.check, r.severity, res.where, res.message) for res in results if res.status == "fail"]
    na = [res for res in results if res.status == "not_assessable"]
    if na and len(na) < len(results):  # partly assessable: say which instances were not
        labels = "、".join(res.message for res in na if res.message)
        out.append(
            (
                r.check,
                "info",
                na[0].where.split(".")[0],
                f"不可评估（运算项为空）: {labels}; not assessable ({len(na)} of {len(results)}: an operand is null)",
            )
        )
    return out


def compute(con: duckdb.DuckDBPyConnection, agency_ids: Iterable[str] | None = None) -> dict[str, list[tuple]]:
    """{report_id: [(check, severity, where, message)…]} for every cross-year failure."""
    reps = _reports(con, agency_ids)
    by_agency: dict[tuple, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for rid, dataset, aid, year, template, ingested in reps:
        by_agency[(dataset, aid)][int(year)].append((rid, template, ingested))
    vals = _values(con, [r[0] for r in reps])
    cy_rules = {r.id: r for r in rules("cross-year")}
    out: dict[str, list[tuple]] = defaultdict(list)
    sets = {"columns": TABLE3_COLUMNS, "document_rows": ("rules", "normative")}
    for _key, years in by_agency.items():
        present = sorted(years)
        for y in present:
            prev_list = years.get(y - 1)
            for rid, template, _ in years[y]:
                if prev_list:
                    prid, ptemplate, _ = max(prev_list, key=lambda t: (t[2] is not None, t[2]))
                    tables = {
                        "table3": vals[rid]["table3"],
                        "table2": vals[rid]["table2"],
                        "prev_table3": vals[prid]["table3"],
                        "prev_table2": vals[prid]["table2"],
                    }
                    for rule_id, rule in cy_rules.items():
                        if rule.function:
                            continue
                        if rule_id == "C402" and not (template == "2021" and ptemplate == "2021"):
                            continue  # 现行有效 exists only in the 2021 table 2
                        if rule_id == "C401" and not (
                            vals[rid]["table3"].get(_T3_ROWS[0]) and vals[prid]["table3"].get(_T3_ROWS[1])
                        ):
                            continue
                        out[rid].extend(_na_info(rule, evaluate_rule(rule, tables, sets)))
        # C403: a gap between the first and the last year → a finding on the next report after it
        if "C403" in cy_rules and len(present) >= 2:
            rule = cy_rules["C403"]
            have = set(present)
            for y in range(present[0] + 1, present[-1]):
                if y in have:
                    continue
                before = max(p for p in present if p < y)
                after = min(p for p in present if p > y)
                f = {"missing": y, "before": before, "after": after}
                for rid, _, _ in years[after]:
                    out[rid].append((rule.check, rule.severity, _fmt(rule.where, f), _fmt(rule.message, f)))
    return {rid: items for rid, items in out.items() if items}


def reports_with_findings(con: duckdb.DuckDBPyConnection, agency_ids: list[str] | None) -> list[str]:
    """Reports holding cross-year findings now (of ``agency_ids``, default all): the ones a rerun replaces.
    The findings are written by pipelines.warehouse.writer.write_crossyear; nothing here writes."""
    params: list[object]
    if agency_ids is None:
        sql, params = "SELECT DISTINCT report_id FROM findings WHERE check_id LIKE ?", [PREFIX + "%"]
    elif not agency_ids:
        return []
    else:
        sql = (
            "SELECT DISTINCT f.report_id FROM findings f JOIN reports r USING (report_id)"
            " WHERE f.check_id LIKE ? AND r.agency_id = ANY(?::VARCHAR[])"
        )
        params = [PREFIX + "%", list(agency_ids)]
    return [r[0] for r in con.execute(sql, params).fetchall()]
