"""Reports per second for every input format, full extraction vs the bare library floor.

    .venv/bin/python bench/extract.py [--min-seconds 1.0] [--rounds 3] [--cpu] [--breakdown] [--formats html,pdf]

PDF, HTML and text (.txt/.md) use the real reports in ../shared/real-reports; DOCX, DOC and OCR use fixtures
generated into a temp dir (DOCX by python-docx, DOC by LibreOffice from that DOCX, OCR from a
rendered image), plus `doc-demo` / `ocr-demo` rows on a demo-generator report (seed 1, the
busiest 2021 one: DOC via pipelines.demo.render_extra.render_doc, OCR on its 200-dpi page scan,
two A4 pages, ruled tables). Floors: bare pypdfium2 text of every page (PDF), lxml.html.fromstring (HTML),
zip open + read of word/document.xml (DOCX), the soffice conversion alone (DOC), the
tesseract run alone (OCR), the bytes decoded and cut into lines (text). "read ms" is the reader alone (bytes → Document, no parser).
--breakdown adds the phases of an HTML extraction, each against the floor (see html_breakdown).
Writes bench/results/extract.json.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL = ROOT.parent / "shared" / "real-reports"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

from pipelines.extract import extract_file
from pipelines.readers import read_file

T3_ROWS = [
    ("一、本年新收政府信息公开申请数量", [21, 2, 0, 1, 0, 0, 24]),
    ("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1]),
    ("（一）予以公开", [10, 1, 0, 0, 0, 0, 11]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [2, 0, 0, 0, 0, 0, 2]),
    ("（三）不予公开 1.属于国家秘密", [0] * 7),
    ("2.其他法律行政法规禁止公开", [0] * 7),
    ("3.危及“三安全一稳定”", [0] * 7),
    ("4.保护第三方合法权益", [1, 0, 0, 0, 0, 0, 1]),
    ("5.属于三类内部事务信息", [0] * 7),
    ("6.属于四类过程性信息", [0] * 7),
    ("7.属于行政执法案卷", [0] * 7),
    ("8.属于行政查询事项", [0] * 7),
    ("（四）无法提供 1.本机关不掌握相关政府信息", [5, 1, 0, 1, 0, 0, 7]),
    ("2.没有现成信息需要另行制作", [0] * 7),
    ("3.补正后申请内容仍不明确", [0] * 7),
    ("（五）不予处理 1.信访举报投诉类申请", [1, 0, 0, 0, 0, 0, 1]),
    ("2.重复申请", [0] * 7),
    ("3.要求提供公开出版物", [0] * 7),
    ("4.无正当理由大量反复申请", [0] * 7),
    ("5.要求行政机关确认或重新出具已获取信息", [0] * 7),
    ("（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [0] * 7),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [0] * 7),
    ("3.其他", [1, 0, 0, 0, 0, 0, 1]),
    ("（七）总计", [20, 2, 0, 1, 0, 0, 23]),
    ("四、结转下年度继续办理", [2, 0, 0, 0, 0, 0, 2]),
]
T3_HEAD = [
    "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
]
T4 = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]


def make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("某县商务局2023年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    d.add_paragraph("2023年，本局认真贯彻落实《中华人民共和国政府信息公开条例》。")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = d.add_table(rows=1 + len(T3_ROWS), cols=8)
    for c, h in enumerate(T3_HEAD):
        t.cell(0, c).text = h
    for r, (label, vals) in enumerate(T3_ROWS, start=1):
        t.cell(r, 0).text = label
        for c, v in enumerate(vals, start=1):
            t.cell(r, c).text = str(v)
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t4 = d.add_table(rows=2, cols=15)
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    for c, (h, v) in enumerate(zip(heads, T4)):
        t4.cell(0, c).text = h
        t4.cell(1, c).text = str(v)
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.add_paragraph("六、其他需要报告的事项")
    d.save(path)


def make_png(path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 28)
    rows = T3_ROWS[:4] + T3_ROWS[-2:]
    im = Image.new("L", (1500, 60 + 56 * len(rows)), 255)
    d = ImageDraw.Draw(im)
    d.text((20, 10), "三、收到和处理政府信息公开申请情况", font=font, fill=0)
    for i, (label, vals) in enumerate(rows):
        y = 60 + 56 * i
        d.line([(0, y), (1500, y)], fill=0, width=2)
        d.text((20, y + 10), label[:16], font=font, fill=0)
        for k, v in enumerate(vals):
            d.text((720 + 110 * k, y + 10), str(v), font=font, fill=0)
    im.save(path)


def demo_report() -> dict:
    from pipelines.demo.generate import generate

    corpus = [t for t in generate(seed=1, size=0.3) if t["template"] == "2021" and not t["faults"]]
    return max(corpus, key=lambda t: t["table3"]["new_received"][6] or 0)


def rate(fn, files: list[Path], min_seconds: float, clock=time.perf_counter) -> tuple[float, int]:
    """Reports per second over whole passes through `files`, repeated for ≥ min_seconds of `clock`."""
    runs = 0
    t0 = clock()
    while True:
        for f in files:
            fn(f)
        runs += len(files)
        elapsed = clock() - t0
        if elapsed >= min_seconds:
            return runs / elapsed, runs


def interleaved(fns: list, files: list[Path], min_seconds: float, clock) -> tuple[list[float], int]:
    """Reports per second of each of fns, measured together: every file goes through all of
    them in turn (the order rotating from pass to pass), each call timed by `clock`, for at least
    min_seconds of wall time. Whatever the machine does meanwhile (other load, CPU frequency,
    caches) then falls on every side alike, so their ratio holds steady where separate
    one-second windows wander by ±20 %."""
    spent = [0.0] * len(fns)
    passes = 0
    t_end = time.perf_counter() + min_seconds
    while passes == 0 or time.perf_counter() < t_end:
        k = passes % len(fns)
        order = list(range(k, len(fns))) + list(range(k))
        for f in files:
            for i in order:
                t0 = clock()
                fns[i](f)
                spent[i] += clock() - t0
        passes += 1
    runs = passes * len(files)
    return [runs / t for t in spent], runs


def floor_pdf(p: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(p.read_bytes())
    for i in range(len(pdf)):
        page = pdf[i]
        tp = page.get_textpage()
        tp.get_text_range()
        tp.close()
        page.close()
    pdf.close()


def floor_html(p: Path) -> None:
    floor_html_bytes(p.read_bytes())


def floor_text(p: Path) -> None:
    """Text and Markdown: the bytes decoded and cut into lines, nothing more."""
    p.read_bytes().decode("utf-8", errors="replace").splitlines()


def floor_html_bytes(data: bytes) -> None:
    import lxml.html

    lxml.html.fromstring(data)


def floor_docx(p: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(p.read_bytes())) as z:
        z.read("word/document.xml")


def floor_doc(p: Path) -> None:
    from pipelines.readers import doc

    doc.convert(p.read_bytes(), str(p), "docx", ".doc")


def floor_ocr(p: Path) -> None:
    import shutil

    subprocess.run(
        [shutil.which("tesseract"), str(p), "stdout", "-l", "chi_sim", "--psm", "6", "tsv"],
        capture_output=True,
        check=True,
        env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
    )


def html_breakdown(files: list[Path], min_seconds: float) -> dict:
    """ms per report of each phase of an HTML extraction, with the floor, file by file (CPU time).
    The libxml2 parse is the reader's own (same parser options, from the same bytes); "rest of the
    reader" is the reader's total less that parse. Shows which share of the 2× budget each takes."""
    import hashlib

    import lxml.etree

    from pipelines import checks, readers
    from pipelines.parse import parse
    from pipelines.readers import html as html_reader

    clock = time.process_time
    names = ("floor", "libxml2 parse", "reader", "parser", "checks", "sha256")
    spent = dict.fromkeys(names, 0.0)
    datas = [(f.read_bytes(), str(f)) for f in files]
    runs = 0
    t_end = time.perf_counter() + min_seconds
    while runs == 0 or time.perf_counter() < t_end:
        for data, src in datas:
            t0 = clock()
            floor_html_bytes(data)
            t1 = clock()
            lxml.etree.fromstring(data, parser=html_reader._parser())
            t2 = clock()
            doc = readers.read_bytes(data, src)
            t3 = clock()
            report = parse(doc)
            t4 = clock()
            checks.run(report)
            t5 = clock()
            hashlib.sha256(data).hexdigest()
            t6 = clock()
            for name, a, b in zip(names, (t0, t1, t2, t3, t4, t5), (t1, t2, t3, t4, t5, t6)):
                spent[name] += b - a
            runs += 1
    ms = {k: 1000 * v / runs for k, v in spent.items()}
    ms["rest of the reader"] = ms["reader"] - ms["libxml2 parse"]
    ms["extraction"] = ms["reader"] + ms["parser"] + ms["checks"] + ms["sha256"]
    return {
        "runs": runs,
        "ms": {k: round(v, 3) for k, v in ms.items()},
        "of_floor": {k: round(v / ms["floor"], 2) for k, v in ms.items()},
    }


def parsed(p: Path) -> bool:
    r = extract_file(p).to_json()
    return any(v is not None for row in r["table3"].values() for v in row)


def _loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min-seconds", type=float, default=1.0)
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="the fast formats (pdf, html, docx) are measured for rounds × min-seconds, interleaved",
    )
    ap.add_argument(
        "--breakdown",
        action="store_true",
        help="also time the phases of an HTML extraction (libxml2 parse, the rest of the reader, "
        "parser, checks, sha256) against the floor, interleaved, by CPU time",
    )
    ap.add_argument(
        "--cpu",
        action="store_true",
        help="time PDF, HTML and DOCX (in-process, both sides) by this process's CPU time, "
        "not wall time: steadier on a shared machine; DOC and OCR (subprocesses) stay on wall time",
    )
    ap.add_argument(
        "--formats",
        default="",
        help="comma-separated subset of pdf,html,text,docx,doc,ocr,doc-demo,ocr-demo (default: all)",
    )
    args = ap.parse_args()
    only = {f.strip() for f in args.formats.split(",") if f.strip()}
    from pipelines.readers import doc as doc_reader
    from pipelines.readers import ocr

    results = []
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        tmp = Path(tmp)
        sets: list[tuple[str, list[Path], object, str | None]] = []
        pdfs = sorted(REAL.glob("*.pdf"))
        htmls = sorted(REAL.glob("*.html"))
        sets.append(("pdf", pdfs, floor_pdf, None if pdfs else f"no PDFs in {REAL}"))
        sets.append(("html", htmls, floor_html, None if htmls else f"no HTML in {REAL}"))
        texts = sorted([*REAL.glob("*.txt"), *REAL.glob("*.md")])
        texts = [p for p in texts if p.name != "SOURCES.md"]
        sets.append(("text", texts, floor_text, None if texts else f"no text or Markdown in {REAL}"))

        def wanted(*fmts: str) -> bool:  # fixtures are made only for the formats measured
            return not only or bool(only & set(fmts))

        dx = tmp / "report.docx"
        if wanted("docx", "doc"):
            make_docx(dx)
            sets.append(("docx", [dx], floor_docx, None))
        if not wanted("doc"):
            pass
        elif doc_reader.soffice():
            dc = tmp / "report.doc"
            dc.write_bytes(doc_reader.convert(dx.read_bytes(), str(dx), "doc", ".docx"))
            sets.append(("doc", [dc], floor_doc, None))
        else:
            sets.append(("doc", [], floor_doc, "soffice not installed"))
        if not wanted("ocr"):
            pass
        elif ocr.available() and FONT.exists():
            png = tmp / "report.png"
            make_png(png)
            sets.append(("ocr", [png], floor_ocr, None))
        else:
            sets.append(("ocr", [], floor_ocr, "tesseract chi_sim or the Noto CJK font missing"))
        demo = demo_report() if wanted("doc-demo", "ocr-demo") else None
        if not wanted("doc-demo"):
            pass
        elif doc_reader.soffice():
            from pipelines.demo.render_extra import render_doc

            dd = tmp / "demo.doc"
            dd.write_bytes(render_doc(demo))
            sets.append(("doc-demo", [dd], floor_doc, None))
        else:
            sets.append(("doc-demo", [], floor_doc, "soffice not installed"))
        if not wanted("ocr-demo"):
            pass
        elif ocr.available():
            from pipelines.demo.render_extra import render_scan

            dp = tmp / "demo.png"
            dp.write_bytes(render_scan(demo, dpi=200))
            sets.append(("ocr-demo", [dp], floor_ocr, None))
        else:
            sets.append(("ocr-demo", [], floor_ocr, "tesseract chi_sim missing"))

        for fmt, files, floor, skip in sets:
            if only and fmt not in only:
                continue
            if skip:
                results.append({"format": fmt, "files": 0, "skipped": skip})
                continue
            for f in files:  # warm up: imports, LibreOffice profile, caches
                extract_file(f)
            full = base = read = 0.0
            n_full = n_base = 0
            in_process = fmt in ("pdf", "html", "docx", "text")
            clock = time.process_time if args.cpu and in_process else time.perf_counter
            if in_process:
                # Interleaved, file by file: extraction, floor and reader alone see the same machine.
                (full, base, read), n_full = interleaved(
                    [extract_file, floor, read_file], files, args.min_seconds * args.rounds, clock
                )
                n_base = n_full
            else:  # seconds a file: a few runs each, one after the other
                r, n = rate(extract_file, files, args.min_seconds, clock)
                full, n_full = r, n
                r, n = rate(floor, files, args.min_seconds, clock)
                base, n_base = r, n
                read = rate(read_file, files, args.min_seconds, clock)[0]
            results.append(
                {
                    "format": fmt,
                    "files": len(files),
                    "clock": "cpu" if clock is time.process_time else "wall",
                    "reports_per_s": round(full, 3),
                    "floor_reports_per_s": round(base, 3),
                    "ratio": round(base / full, 2),
                    "ms_per_report": round(1000 / full, 1),
                    "floor_ms_per_report": round(1000 / base, 1),
                    "reader_only_ms_per_report": round(1000 / read, 1),
                    "runs": n_full,
                    "floor_runs": n_base,
                    "tables_parsed": all(parsed(f) for f in files),
                }
            )

    print(
        f"{'format':<8} {'files':>5} {'reports/s':>10} {'floor/s':>10} {'ratio':>6} {'ms/report':>10} {'floor ms':>9} {'read ms':>8}  parsed"
    )
    for r in results:
        if "skipped" in r:
            print(f"{r['format']:<8} {0:>5}  skipped: {r['skipped']}")
            continue
        print(
            f"{r['format']:<8} {r['files']:>5} {r['reports_per_s']:>10.2f} {r['floor_reports_per_s']:>10.2f} "
            f"{r['ratio']:>6.2f} {r['ms_per_report']:>10.1f} {r['floor_ms_per_report']:>9.1f} "
            f"{r['reader_only_ms_per_report']:>8.1f}  {r['tables_parsed']}"
        )
    breakdown = None
    if args.breakdown and htmls:
        breakdown = html_breakdown(htmls, args.min_seconds * args.rounds)
        print(f"HTML phases, ms per report (CPU time, {breakdown['runs']} runs; × floor):")
        for k in ("floor", "libxml2 parse", "rest of the reader", "parser", "checks", "sha256", "extraction"):
            print(f"  {k:<20} {breakdown['ms'][k]:>7.2f}  {breakdown['of_floor'][k]:>5.2f}×")
    out = ROOT / "bench" / "results" / "extract.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "min_seconds": args.min_seconds,
        "clock": "cpu (pdf, html, docx)" if args.cpu else "wall",
        "loadavg": _loadavg(),
        "note": "ratio = floor reports/s ÷ full reports/s (how many times slower than the bare library)",
    }
    out.write_text(
        json.dumps(
            {"meta": meta, "results": results, **({"html_breakdown": breakdown} if breakdown else {})},
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"clock: {meta['clock']}; load average {meta['loadavg']}")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
