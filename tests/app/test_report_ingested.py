"""The report page on reports that went through the real ingest (texts stored, OCR flags), not only
on the direct-mode warehouse the other app tests use."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    from pipelines.warehouse.ingest import ingest

    d = tmp_path_factory.mktemp("ingested")
    shutil.copy(REPO / "data" / "samples" / "xigong-commerce-2020.txt", d / "sample.txt")
    ocr = shutil.which("tesseract") is not None
    if ocr:
        from pipelines.demo.generate import generate
        from pipelines.demo.render_extra import render_scan

        t = [x for x in generate(seed=1, size=0.2) if not x["faults"]][0]
        (d / "scan.png").write_bytes(render_scan(t))
    db = d / "w.duckdb"
    res = ingest([d / "sample.txt"] + ([d / "scan.png"] if ocr else []), db=db, dataset="x", progress=False)
    assert not res.failed
    return db, ocr


def _open(db: Path, rid: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("XXGK_DB", str(db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/report.py")
    at.query_params["report"] = rid
    at.run()
    return at


@pytest.mark.slow
def test_report_page_with_stored_text_and_findings(ingested, monkeypatch):
    db, _ = ingested
    with duckdb.connect(str(db), read_only=True) as con:
        rid, n = con.execute("SELECT report_id, n_findings FROM reports WHERE NOT ocr").fetchone()
    at = _open(db, rid, monkeypatch)
    assert not at.exception
    page = "\n".join(h.proto.body for h in at.get("html"))
    assert "[P302]" in page  # the sample's lost cells are shown as findings, on their rows
    assert n > 0
    # sections 一 to 六 in the template's order, each with its own text beside it
    from pipelines import templates

    heads = [h.value for h in at.subheader]
    assert heads == [s.label for s in templates.SECTIONS]
    assert "第二十条第(五)项" in page and "无其他需要报告的事项" in page and "政府集中采购" in page


def test_ocr_report_is_marked_on_its_page(ingested, monkeypatch):
    db, ocr = ingested
    if not ocr:
        pytest.skip("tesseract is missing: no OCR report to show")
    with duckdb.connect(str(db), read_only=True) as con:
        rid = con.execute("SELECT report_id FROM reports WHERE ocr").fetchone()[0]
    at = _open(db, rid, monkeypatch)
    assert not at.exception
    assert any("OCR" in w.value for w in at.warning)


def test_a_pdfs_text_reads_in_paragraphs_on_its_page(tmp_path, monkeypatch):
    """A PDF's stored text keeps the page's line breaks; the report page shows its paragraphs joined (the stored
    text is as extracted)."""
    from pipelines import reportview
    from pipelines.warehouse.ingest import ingest
    from tests.conftest import shared_path

    db = tmp_path / "pdf.duckdb"
    res = ingest(
        [shared_path("real-reports", "hongze-district-government-2024.pdf")], db=db, dataset="real", progress=False
    )
    assert not res.failed
    with duckdb.connect(str(db), read_only=True) as con:
        rid, fmt, text = con.execute(
            "SELECT report_id, format, text FROM reports JOIN report_texts USING (report_id)"
        ).fetchone()
    assert fmt == "pdf" and "中国特\n色社会主义思想" in text  # stored as extracted
    at = _open(db, rid, monkeypatch)
    assert not at.exception
    page = "\n".join(h.proto.body for h in at.get("html"))
    para = reportview.section_texts(text, reflow=True)[1].splitlines()[1]
    assert para.startswith("2024年,淮安市洪泽区人民政府") and para.endswith("高质量发展。")
    assert reportview.text_html(reportview.section_texts(text, reflow=True)[1]) in page
    assert "中国特\n色社会主义思想" not in page
