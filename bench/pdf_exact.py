"""Exactness of the PDF reader across a change: the same PDFs read by two checkouts, compared byte for byte.

    .venv/bin/python bench/pdf_exact.py corpus DIR [--demo 200]     # PDFs to compare (real, demo, generated)
    .venv/bin/python bench/pdf_exact.py run DIR OUT.jsonl [--root CHECKOUT]
    .venv/bin/python bench/pdf_exact.py compare A.jsonl B.jsonl

`corpus` copies every PDF of ../shared/real-reports and ../shared/samples, renders `--demo` reports of the
demo corpus (seeds 1–3, faulted ones included) and a few generated edge cases (grid per line, one-path grid,
no grid, rotated text, empty page, a scanned page) into DIR. `run` extracts each with the code of ROOT (default:
this checkout) and writes one line per file: the reader's blocks and page count, and the exact stdout of
`xxgk extract --json` (or its one-line error). `compare` counts identical and differing files (exit 1 on any
difference). A PDF reader change is exact when `compare` of a run before and after reports no difference.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def make_corpus(out: Path, n_demo: int) -> int:
    sys.path.insert(0, str(ROOT))
    from pipelines.demo.generate import generate
    from pipelines.demo.render import render

    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for sub in ("real-reports", "samples"):
        for p in sorted((SHARED / sub).glob("*.pdf")):
            shutil.copyfile(p, out / f"{sub}--{p.name}")
            count += 1
    per_seed = -(-n_demo // 3)
    for seed in (1, 2, 3):
        corpus = generate(seed=seed, size=0.3)
        faulted = [t for t in corpus if t["faults"]]
        clean = [t for t in corpus if not t["faults"]]
        # Faulted first (every fault kind), then clean ones spread over agencies, years and templates.
        picked = faulted[: per_seed // 3] + clean[:: max(1, len(clean) // per_seed)]
        for t in picked[:per_seed]:
            (out / f"demo-s{seed}--{t['report_id']}.pdf").write_bytes(render(t, "pdf"))
            count += 1
    for name, data in _generated().items():
        (out / f"gen--{name}.pdf").write_bytes(data)
        count += 1
    return count


def _generated() -> dict[str, bytes]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = {}
    for kind in ("lines", "one-path", "none", "rects", "rotated", "empty"):
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
        c.setFont("STSong-Light", 10)
        c.drawString(72, 790, "三、收到和处理政府信息公开申请情况")
        cols, rows = [72, 232, 282, 332, 382], [760, 736, 688, 664]
        if kind == "lines":
            for y in rows:
                c.line(cols[0], y, cols[-1], y)
            for x in cols:
                c.line(x, rows[0], x, rows[-1])
        elif kind == "one-path":
            c.grid(cols, rows)
        elif kind == "rects":
            for a, b in zip(rows, rows[1:]):
                for x0, x1 in zip(cols, cols[1:]):
                    c.rect(x0, b, x1 - x0, a - b)
        data = [
            (["一、本年新收申请数量"], ["12", "0", "345"], 744),
            (["（二）部分公开（区分处理", "的，只计这一情形，不计", "其他情形）"], ["7", "1", "8"], 708),
            (["（七）总计"], ["19", "1", "353"], 672),
        ]
        if kind != "empty":
            for label, nums, base in reversed(data):
                for k, n in enumerate(nums):
                    c.drawRightString(cols[k + 2] - 6, base, n)
                for j, part in enumerate(label):
                    c.drawString(cols[0] + 4, base + 6 * (len(label) - 1) - 12 * j, part)
        if kind == "rotated":
            c.saveState()
            c.translate(500, 400)
            c.rotate(90)
            c.drawString(0, 0, "四、政府信息公开行政复议、行政诉讼情况 1 2 3")
            c.restoreState()
        c.drawCentredString(297, 40, "- 4 -")
        c.showPage()
        c.save()
        out[kind] = buf.getvalue()
    try:
        from pipelines.demo.generate import generate
        from pipelines.demo.render_extra import render_scanned_pdf

        t = next(t for t in generate(seed=1, size=0.3) if not t["faults"])
        out["scanned"] = render_scanned_pdf(t)
    except Exception as e:  # no OCR stack: the other cases still compare
        print(f"scanned case skipped: {e}", file=sys.stderr)
    return out


def run(corpus: Path, out: Path, root: Path) -> int:
    sys.path.insert(0, str(root))
    import pipelines

    assert Path(pipelines.__file__).resolve().parents[1] == root.resolve(), pipelines.__file__
    from pipelines.commands import extract as extract_cmd
    from pipelines.document import ReadError
    from pipelines.readers import read_bytes

    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for p in sorted(corpus.glob("*.pdf")):
            data = p.read_bytes()
            try:
                doc = read_bytes(data, str(p))
                blocks = [[b.text, b.page, b.confidence] for b in doc.blocks]
                reader = {"pages": doc.pages, "ocr": doc.ocr, "blocks": blocks}
            except ReadError as e:
                reader = {"error": str(e)}
            stdout, stderr = io.StringIO(), io.StringIO()
            real_out, real_err = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = stdout, stderr
            try:
                rc = extract_cmd.run(argparse.Namespace(file=p, json=True))
            finally:
                sys.stdout, sys.stderr = real_out, real_err
            row = {"file": p.name, "reader": reader, "rc": rc, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def compare(a: Path, b: Path) -> int:
    ra = {r["file"]: r for r in map(json.loads, a.read_text(encoding="utf-8").splitlines())}
    rb = {r["file"]: r for r in map(json.loads, b.read_text(encoding="utf-8").splitlines())}
    same = [f for f in ra if f in rb and ra[f] == rb[f]]
    diff = [f for f in ra if f in rb and ra[f] != rb[f]]
    only = sorted(set(ra) ^ set(rb))
    errors = sum(1 for f in same if ra[f]["rc"] != 0)
    digest = hashlib.sha256("".join(ra[f]["stdout"] for f in sorted(same)).encode()).hexdigest()[:16]
    print(f"{len(same)} identical ({errors} of them refused alike), {len(diff)} differ, {len(only)} in one run only")
    print(f"digest of the identical extract --json outputs: {digest}")
    for f in diff[:20]:
        print(f"  differs: {f}")
        for part in ("reader", "stdout", "stderr", "rc"):
            if ra[f][part] != rb[f][part]:
                print(f"    {part}: {str(ra[f][part])[:300]}\n    {' ' * len(part)}  {str(rb[f][part])[:300]}")
    for f in only[:20]:
        print(f"  in one run only: {f}")
    return 1 if diff or only else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("dir", type=Path)
    c.add_argument("--demo", type=int, default=200)
    r = sub.add_parser("run")
    r.add_argument("dir", type=Path)
    r.add_argument("out", type=Path)
    r.add_argument("--root", type=Path, default=ROOT)
    m = sub.add_parser("compare")
    m.add_argument("a", type=Path)
    m.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.cmd == "corpus":
        print(f"{make_corpus(args.dir, args.demo)} PDFs in {args.dir}")
        return 0
    if args.cmd == "run":
        print(f"{run(args.dir, args.out, args.root)} PDFs read into {args.out}")
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
