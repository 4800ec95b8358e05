"""The readers over real published reports in ../shared/real-reports (skipped when absent)."""

import json
from pathlib import Path

import pytest

from pipelines.document import Table
from pipelines.readers import read_file

REAL = Path(__file__).resolve().parents[3].parent / "shared" / "real-reports"
LABEL = "一、本年新收政府信息公开申请数量"

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real reports not available at {REAL}")


def _pingtan_years():
    return sorted(p.stem for p in REAL.glob("pingtan-zone-*.html")) if REAL.is_dir() else []


def _rows_starting_with(doc, label):
    """Each row's own cells (span copies dropped) for rows whose first cell is label."""
    out = []
    for b in doc.blocks:
        if isinstance(b, Table):
            for r in b.rows:
                own = [c.text for c in r if not c.span_copy]
                if own and own[0] == label:
                    out.append(own)
    return out


def test_pingtan_2021_table3_new_received_row():
    doc = read_file(REAL / "pingtan-zone-2021.html")
    truth = json.loads((REAL / "pingtan-zone-2021.truth.json").read_text(encoding="utf-8"))
    want = [LABEL] + [str(v) for v in truth["table3"]["new_received"]]
    assert _rows_starting_with(doc, LABEL) == [want]
    assert doc.format == "html" and doc.encoding == "utf-8"
    assert doc.blocks[0].text.startswith("平潭综合实验区2021年度政府信息公开工作年度报告")


@pytest.mark.parametrize("stem", _pingtan_years())
def test_pingtan_every_year_new_received_and_table4(stem):
    doc = read_file(REAL / f"{stem}.html")
    truth = json.loads((REAL / f"{stem}.truth.json").read_text(encoding="utf-8"))
    assert _rows_starting_with(doc, LABEL) == [[LABEL] + [str(v) for v in truth["table3"]["new_received"]]]
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 3
    # table 4's value row is its last non-blank row (2020 ends with a row of blank cells, as published)
    last = [r for r in tables[2].rows if any(c.text for c in r)][-1]
    assert [c.text for c in last if not c.span_copy] == [str(v) for v in truth["table4"]]
    # grids are rectangular
    for t in tables:
        assert len({len(r) for r in t.rows}) == 1


def test_shuyang_markdown_tables():
    doc = read_file(REAL / "shuyang-county-government-2025.md")
    assert doc.format == "md"
    rows = [r for b in doc.blocks if isinstance(b, Table) for r in b.texts()]
    assert ["本年新收政府信息公开申请数量", "705", "3", "0", "0", "5", "0", "713"] in rows
    assert ["27", "10", "9", "15", "61"] in rows


def test_shanghai_markdown_ragged_rows_kept():
    doc = read_file(REAL / "shanghai-government-office-2025.md")
    rows = [r for b in doc.blocks if isinstance(b, Table) for r in b.texts()]
    assert ["一、本年新收政府信息公开申请数量", "1259", "36", "0", "0", "0", "0", "1295"] in rows
    assert ["1.属于国家秘密", "4", "0", "0", "0", "0", "0", "4", ""] in rows
    assert ["40", "0", "10", "5", "55", "2", "0", "4", "6", "12", "6", "0", "9", "7", "22"] in rows
