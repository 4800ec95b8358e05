"""OCR misreads: corrected where the identities make the value certain, reported otherwise."""

from __future__ import annotations

from pipelines.parse import parse
from pipelines.report import INFERRED
from tests.unit.parse.helpers import consistent_values, report_lines, rows, text_doc


def ocr_doc(values):
    lines = report_lines("2021", t3_lines=[f"{label} " + " ".join(map(str, values[k])) for label, k in rows("2021")])
    doc = text_doc(lines)
    doc.ocr = True
    for b in doc.blocks:
        b.confidence = 0.9
    return doc


def test_a_single_misread_is_corrected_by_row_and_column():
    v = consistent_values("2021")
    v["granted"] = [16, 1, 0, 0, 0, 0, 11]  # OCR read 10 as 16
    r = parse(ocr_doc(v))
    assert r.to_json()["table3"]["granted"] == [10, 1, 0, 0, 0, 0, 11]
    cell = r.table3["granted"][0]
    assert cell.state == INFERRED and cell.confidence < 1
    f = [f for f in r.findings if f.check.startswith("P501")]
    assert len(f) == 1 and f[0].where == "table3.granted.natural_person" and "16" in f[0].message


def test_a_misread_that_cannot_be_located_is_flagged_not_fixed():
    v = consistent_values("2021")
    v["granted"] = [10, 1, 0, 0, 0, 0, 17]  # the total misread, and the column 总计 agrees with nothing
    v["total_handled"] = [12, 1, 0, 0, 0, 0, 19]
    r = parse(ocr_doc(v))
    out = r.to_json()["table3"]
    assert out["granted"] == [10, 1, 0, 0, 0, 0, 17]  # kept as read
    where = {f.where for f in r.findings if f.check.startswith("P502")}
    assert "table3.granted" in where


def test_every_ocr_cell_has_lowered_confidence():
    r = parse(ocr_doc(consistent_values("2021")))
    assert all(c.confidence < 1 for row in r.table3.values() for c in row)
    assert not [f for f in r.findings if f.check.startswith(("P501", "P502"))]
