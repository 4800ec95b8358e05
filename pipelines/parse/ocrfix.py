"""Misreads in OCR-read tables, caught and (where the arithmetic is certain) corrected.

OCR confuses digits (3/8, 1/7, 0/6). In table 3 every cell sits in two identities: its row
(总计 = the six applicant columns) and its column (新收 + 结转 = 办理 + 结转下年; 办理总计 = the
outcome rows). When exactly one cell breaks both its row and its column, and the value that would
mend the row also mends the column, that value is certain: the cell is corrected, marked inferred,
and a finding keeps the value that was read. Every other broken identity in an OCR report is
reported against its cells, so nothing uncertain passes silently.
"""

from __future__ import annotations

from pipelines import templates
from pipelines.report import INFERRED, CellValue, Report
from pipelines.templates import TABLE3_COLUMNS

# the balance's rows in print order: new + carried over (in) = handled + carried forward (out); handled is the
# outcomes' total
FLOW = templates.FLOW_IN + templates.FLOW_OUT
assert FLOW == templates.FLOW_ROWS and len(FLOW) == 4 and FLOW[2] == templates.TOTAL_ROW
OCR_CONFIDENCE = 0.8  # ceiling for any OCR-read cell: lower than any typed text


def _row_gap(row: list[CellValue]) -> int | None:
    vals = [c.value for c in row]
    known = [v for v in vals if v is not None]
    if len(known) != len(vals):
        return None
    return int(sum(known[:6]) - known[6])


def _col_gaps(report: Report, c: int) -> dict[str, int | None]:
    t3 = report.table3
    outcome = [k for k in t3 if k not in FLOW]

    def v(k):
        return t3[k][c].value if k in t3 else None

    a = [v(k) for k in FLOW]
    out: dict[str, int | None] = {"balance": None, "outcomes": None}
    if None not in a:
        out["balance"] = int(a[0] + a[1] - a[2] - a[3])
    outs = [v(k) for k in outcome]
    if a[2] is not None and None not in outs:
        out["outcomes"] = int(sum(outs) - a[2])
    return out


def fix_ocr_table3(report: Report) -> None:
    t3 = report.table3
    for row in t3.values():
        for cell in row:
            cell.confidence = min(cell.confidence, OCR_CONFIDENCE)
    for _ in range(3):  # a few passes: one fix can make the next one certain
        fixed = False
        bad_rows = {k: g for k, row in t3.items() if (g := _row_gap(row)) not in (None, 0)}
        for key, gap in bad_rows.items():
            cands = []
            for c in range(7):
                cell = t3[key][c]
                assert cell.value is not None and gap is not None  # a row with a gap has every cell
                # the value that mends the row if this cell is the misread one
                new = cell.value + gap if c == 6 else cell.value - gap
                if new < 0:
                    continue
                old = cell.value
                cell.value = new
                gaps = _col_gaps(report, c)
                row_ok = _row_gap(t3[key]) == 0
                col_ok = all(g in (0,) for g in gaps.values() if g is not None) and any(
                    g is not None for g in gaps.values()
                )
                cell.value = old
                before = _col_gaps(report, c)
                col_was_bad = any(g not in (None, 0) for g in before.values())
                if row_ok and col_ok and col_was_bad:
                    cands.append((c, new))
            if len(cands) == 1:
                c, new = cands[0]
                cell = t3[key][c]
                report.add(
                    "P501 ocr_corrected",
                    "warning",
                    f"table3.{key}.{TABLE3_COLUMNS[c]}",
                    f"OCR read {cell.value:g}; the row total and the column identities both require {new:g}, so it was corrected",
                )
                t3[key][c] = CellValue(new, cell.raw, INFERRED, cell.confidence)
                fixed = True
        if not fixed:
            break
    # Whatever still breaks an identity is reported on its row: the misread cell cannot be told.
    for key, row in t3.items():
        row_gap = _row_gap(row)
        if row_gap not in (None, 0):
            report.add(
                "P502 ocr_uncertain",
                "warning",
                f"table3.{key}",
                f"OCR-read row does not add up (applicant columns minus the total = {row_gap}); one of its cells is misread or the source is wrong",
            )
