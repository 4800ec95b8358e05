"""Renderers and the `xxgk demo` command: determinism, encodings, blanks and lost cells, labels."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from pipelines.cli import main
from pipelines.demo.generate import generate
from pipelines.demo.render import SYNTHETIC_NOTE, render, render_html, render_text

FORMS = [("html", "plain"), ("html", "gbk"), ("html", "word"), ("txt", ""), ("docx", ""), ("pdf", "")]


@pytest.fixture(scope="module")
def corpus():
    return generate(seed=2, size=0.3)


def _with(corpus, kind):
    return next(t for t in corpus if any(f["kind"] == kind for f in t["faults"]))


@pytest.mark.parametrize("form,variant", FORMS)
def test_render_is_deterministic(corpus, form, variant):
    t = corpus[3]
    assert render(t, form, variant) == render(dict(t), form, variant)


def test_gbk_page_declares_and_uses_gbk(corpus):
    t = corpus[0]
    b = render_html(t, "gbk")
    with pytest.raises(UnicodeDecodeError):
        b.decode("utf-8")
    s = b.decode("gbk")
    assert '<meta charset="gbk">' in s and t["agency"] in s and SYNTHETIC_NOTE in s


def test_html_table3_spans_and_lost_cell(corpus):
    t = _with(corpus, "lost_cell")
    f = next(f for f in t["faults"] if f["kind"] == "lost_cell")
    key = f["where"].split(".")[1]
    s = render_html(t, "plain").decode()
    assert 'rowspan="3" colspan="3"' in s and 'colspan="7"' in s  # header like government pages
    n_out = (
        sum(1 for k in t["table3"] if k not in ("new_received", "carried_over", "total_handled", "carried_forward")) + 1
    )
    assert f'rowspan="{n_out}"' in s  # 三、本年度办理结果 spans every outcome row
    from pipelines.demo.render import T3_LABELS

    row = s[s.index(T3_LABELS[key]) :].split("</tr>")[0]
    assert row.count("<td") == 6  # after the label: six of seven value cells


def test_word_export_splits_spans_and_uses_mso(corpus):
    s = render_html(corpus[1], "word").decode()
    assert "mso-" in s and "class=MsoNormal" in s
    assert re.search(r"</span><span[^>]*>", s)  # a label or number cut across spans


def test_text_loses_blank_cells(corpus):
    t = _with(corpus, "blank")
    f = next(f for f in t["faults"] if f["kind"] == "blank")
    key = f["where"].split(".")[1]
    from pipelines.demo.render import T3_LABELS

    lines = render_text(t).decode().splitlines()
    line = next(x for x in lines if T3_LABELS[key] in x)
    values = [c for c in line.split("\t")[line.split("\t").index(T3_LABELS[key]) + 1 :] if c != ""]
    assert len(values) == sum(v is not None for v in t["table3"][key]) < 7
    title = f"{t['agency']}{t['year']}年政府信息公开工作年度报告"
    assert title in lines and SYNTHETIC_NOTE in lines


def test_docx_merged_header_and_fixed_zip(corpus):
    b = render(corpus[0], "docx")
    z = zipfile.ZipFile(io.BytesIO(b))
    xml = z.read("word/document.xml").decode()
    assert '<w:gridSpan w:val="7"/>' in xml and '<w:vMerge w:val="restart"/>' in xml
    assert {i.date_time for i in z.infolist()} == {(2020, 1, 1, 0, 0, 0)}


def test_pdf_text_footer_and_fees(corpus):
    import pypdfium2

    t = next(x for x in corpus if x["year"] >= 2021)
    pdf = pypdfium2.PdfDocument(render(t, "pdf"))
    text = "\n".join(pdf[i].get_textpage().get_text_bounded() for i in range(len(pdf)))
    assert "- 1 -" in text and "本报告为xxgk演示用合成数据" in text
    assert f"本年度收取信息处理费{int(t['fees_collected_yuan'])}元" in text
    assert "（七）总计" in text


def test_demo_command_writes_files_and_truth(tmp_path, capsys):
    out = tmp_path / "demo"
    args = ["demo", "--size", "0.1", "--years", "2020-2021", "--seed", "4", "--out", str(out)]
    assert main(args) == 0
    msg = capsys.readouterr().out
    files = sorted(p for p in out.rglob("*") if p.is_file() and not p.name.endswith(".truth.json"))
    truths = sorted(out.rglob("*.truth.json"))
    assert len(files) == len(truths) > 20
    assert f"{len(files)} synthetic reports" in msg
    t = json.loads(truths[0].read_text(encoding="utf-8"))
    assert t["synthetic"] is True and t["dataset"] == "demo" and t["year"] in (2020, 2021)
    assert (out / str(t["year"]) / f"{t['agency']}.{t['format']}").exists()
    first = {p.relative_to(out): p.read_bytes() for p in files}
    assert main(args) == 0  # same seed: identical bytes
    assert {p.relative_to(out): p.read_bytes() for p in files} == first
    assert {p.suffix for p in files} >= {".html", ".txt"}


def test_demo_command_direct(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    assert main(["demo", "--direct", "--reports", "250", "--db", str(db)]) == 0
    assert "250 synthetic reports" in capsys.readouterr().out
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM report_facts").fetchone()[0] == 250
    assert main(["demo", "--years", "2015-2016", "--out", str(tmp_path)]) == 2
