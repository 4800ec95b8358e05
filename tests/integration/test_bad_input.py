"""The hostile batch: broken and malicious files made here, mixed with good reports in several
forms. Every bad file is exactly one failure whose one-line error names it; every good file loads
with the right numbers; the warehouse holds exactly the good reports, whole, and nothing else."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import duckdb
import pytest

from pipelines.demo.generate import generate
from pipelines.demo.render import render_docx, render_html, render_pdf, render_text
from pipelines.warehouse.ingest import ingest


def _truths():
    corpus = [t for t in generate(seed=3, size=0.2) if not t["faults"]]
    seen, out = set(), []
    for t in corpus:  # distinct agency-years, so none replaces another
        if (t["agency"], t["year"]) not in seen:
            seen.add((t["agency"], t["year"]))
            out.append(t)
    return out[:6]


def _zip_bomb() -> bytes:
    """A DOCX-looking zip whose document.xml inflates to 300 MB of zeros (compressed ~300 KB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                f.write(chunk)
    return buf.getvalue()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    t = _truths()
    good = {
        "plain.html": render_html(t[0], "plain"),
        # GBK bytes under a page that declares UTF-8: the wrong encoding label must not garble it
        "wrong-charset.html": render_html(t[1], "gbk").replace(b'charset="gbk"', b'charset="utf-8"'),
        "report.pdf.html": render_pdf(t[2]),  # a PDF with an HTML name: bytes decide, not names
        "report.docx": render_docx(t[3]),
        "report.txt": render_text(t[4]),
        # a report page carrying scripts whose text looks like table rows
        "scripts.html": render_html(t[5], "plain").replace(
            b"</body>",
            b"<script>var rows='\xe4\xb8\x80\xe3\x80\x81\xe6\x9c\xac\xe5\xb9\xb4\xe6\x96\xb0\xe6\x94\xb6 9 9 9 9 9 9 9';"
            b"document.write('<table><tr><td>999</td></tr></table>')</script></body>",
        ),
    }
    truth_of = dict(zip(good, t))
    for name, data in good.items():
        (d / name).write_bytes(data)
    (d / "copy-of-plain.htm").write_bytes(good["plain.html"])  # the same bytes under another name
    pdf = render_pdf(t[0])
    bad = {
        "empty.html": b"",
        "random.pdf": os.urandom(20000),
        "truncated.pdf": pdf[: len(pdf) // 2],
        "bomb.docx": _zip_bomb(),
        "news.html": "<html><head><title>关于做好春节期间安全生产工作的通知</title></head><body><p>各单位：请认真落实。</p>"
        "<table><tr><td>1</td><td>2</td></tr></table></body></html>".encode(),
        "huge.html": None,  # written below: 100 MB
        "binary.txt": bytes(range(256)) * 64,
    }
    for name, data in bad.items():
        if data is not None:
            (d / name).write_bytes(data)
    with open(d / "huge.html", "wb") as f:  # over the text-size limit
        f.write(b"<html><body>")
        row = b"<p>" + "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1".encode() + b"</p>\n"
        for _ in range((100 << 20) // len(row)):
            f.write(row)
    try:
        from reportlab.pdfgen import canvas

        buf = io.BytesIO()
        c = canvas.Canvas(buf, encrypt="secret")
        c.drawString(100, 700, "locked")
        c.save()
        (d / "encrypted.pdf").write_bytes(buf.getvalue())
        bad["encrypted.pdf"] = b""
    except ImportError:
        pass
    os.symlink(d / "missing.html", d / "dangling.html")
    bad["dangling.html"] = b""
    (d / "loop").symlink_to(d)
    bad["loop"] = b""
    return d, truth_of, set(bad)


def test_hostile_batch(hostile, tmp_path):
    d, truth_of, bad_names = hostile
    db = tmp_path / "w.duckdb"
    res = ingest([d], db=db, dataset="hostile", workers=2, progress=False)

    failed = {Path(p).name: err for p, err in res.failed}
    assert set(failed) == bad_names
    for name, err in failed.items():
        assert name in err and "\n" not in err, err  # one line naming the file
    assert "encrypted" in failed["encrypted.pdf"]
    assert "not an annual report" in failed["news.html"]
    assert "200 MB" in failed["bomb.docx"] or "uncompressed" in failed["bomb.docx"]
    assert "loop" in failed["loop"]
    # the same bytes under two names: the first one walked (sorted order) loads, the other is unchanged
    assert [Path(p).name for p in res.unchanged] == ["plain.html"]
    assert sorted(Path(p).name for p in res.loaded) == sorted(set(truth_of) - {"plain.html"} | {"copy-of-plain.htm"})
    truth_of["copy-of-plain.htm"] = truth_of.pop("plain.html")

    con = duckdb.connect(str(db), read_only=True)
    try:
        # exactly the good reports, each whole: facts, text and a full set of table-3/4 cells
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == len(truth_of)
        assert con.execute("SELECT count(*) FROM report_facts").fetchone()[0] == len(truth_of)
        assert con.execute("SELECT count(*) FROM report_texts").fetchone()[0] == len(truth_of)
        per = con.execute(
            "SELECT r.source_path, count(*) FILTER (WHERE c.table_no = 4) FROM reports r "
            "JOIN cells c USING (report_id) GROUP BY 1"
        ).fetchall()
        assert all(n == 15 for _, n in per) and len(per) == len(truth_of)
        for name, t in truth_of.items():
            row = con.execute(
                "SELECT agency, year, x.new_received, x.total_handled FROM reports r JOIN report_facts x USING (report_id) "
                "WHERE source_path = ?",
                [str(d / name)],
            ).fetchone()
            assert row == (t["agency"], t["year"], t["table3"]["new_received"][6], t["table3"]["total_handled"][6]), (
                name
            )
        # the script's fake row never became a number
        assert con.execute("SELECT count(*) FROM cells WHERE value = 999").fetchone()[0] == 0
        assert con.execute("SELECT outcome, count(*) FROM ingest_files GROUP BY 1 ORDER BY 1").fetchall() == [
            ("failed", len(bad_names)),
            ("loaded", len(truth_of)),
            ("unchanged", 1),
        ]
    finally:
        con.close()
