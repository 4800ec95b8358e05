"""Helpers to build Reports directly from numbers (no parser involved)."""

from __future__ import annotations

import pytest

from pipelines.report import CellValue, Report

ROWS_2021 = (
    "new_received",
    "carried_over",
    "granted",
    "partial",
    "denied_state_secret",
    "denied_law_forbidden",
    "denied_three_safety",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_admin_query",
    "unable_not_held",
    "unable_need_create",
    "unable_unclear",
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirm",
    "other_overdue_correction",
    "other_overdue_fee",
    "other_misc",
    "total_handled",
    "carried_forward",
)
ROWS_2019 = tuple(r for r in ROWS_2021 if not r.startswith("other_"))
ROWS_2019 = ROWS_2019[:20] + ("other",) + ROWS_2019[20:]


def row(*applicants: float | None, total: float | None = "sum"):
    """Seven cells: six applicant values, then the total (their sum unless given)."""
    assert len(applicants) == 6
    if total == "sum":
        total = None if None in applicants else sum(applicants)
    return [CellValue(v, state="number" if v is not None else "blank") for v in (*applicants, total)]


def make_report(year=2021, template="2021", rows=None, table4=None, text="", agency="测试局") -> Report:
    keys = ROWS_2021 if template == "2021" else ROWS_2019
    t3 = {k: row(0, 0, 0, 0, 0, 0) for k in keys}
    for k, v in (rows or {}).items():
        t3[k] = v
    r = Report(source="test", sha256="0" * 64, format="txt", agency=agency, year=year, template=template, text=text)
    r.table3 = t3
    r.table4 = [CellValue(v, state="number") for v in (table4 or [0] * 15)]
    return r


@pytest.fixture
def balanced_2021():
    """21 new (20 natural persons, 1 company), 2 carried over; 20 granted, 2 not held, 1 forward."""
    return make_report(
        rows={
            "new_received": row(20, 1, 0, 0, 0, 0),
            "carried_over": row(2, 0, 0, 0, 0, 0),
            "granted": row(19, 1, 0, 0, 0, 0),
            "unable_not_held": row(2, 0, 0, 0, 0, 0),
            "total_handled": row(21, 1, 0, 0, 0, 0),
            "carried_forward": row(1, 0, 0, 0, 0, 0),
        }
    )
