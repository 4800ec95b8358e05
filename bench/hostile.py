"""Peak memory on hostile input: huge-but-legal files that must be refused (or read) in bounded memory.

    .venv/bin/python bench/hostile.py [--keep DIR] [--cases docx,html,...] [--no-folder]

Generates the hostile set in a temporary folder (nothing big is committed), then runs, each in a
fresh process, `xxgk extract FILE --json` on every file and `xxgk ingest FOLDER --workers 2` on the
folder holding all of them plus the shipped sample report. For each run: exit code, the error line,
wall time, and peak memory — the largest single process (ru_maxrss from wait4) and the whole process
tree (every descendant's RSS summed, sampled every 20 ms from /proc). The promise: under 1 GB for
any single file and any folder. Prints a table and writes bench/results/hostile.json.

The set (what a red-team pass used against the readers):
- docx-150mb.docx   word/document.xml of ~150 MB (~20 MB zipped: under the zip-bomb ratio), paragraphs
                    of random Chinese and tables of random numbers
- html-table-49mb.html   one UTF-8 page, ~49 MB, one table of ~3 million cells
- html-table-gbk-43mb.html   the same in GBK (the decode path), ~43 MB
- html-tags-49mb.html    ~49 MB of small <p><span> elements and no table (a huge tree, not a table)
- text-49mb.txt     ~49 MB of report-like plain text lines with numbers
and the worst a reader still accepts, just under its limits (pipelines/settings.py):
- html-cells-under.html  ~49 MB, one table of 199,000 cells of ~80 characters each
- html-tags-under.html   ~49 MB with 990,000 tags
- docx-cells-under.docx  a table of 199,000 cells
- docx-text-under.docx   9.9 million characters of paragraphs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "samples"
XXGK = [sys.executable, "-m", "pipelines.cli"]
MB = 1024 * 1024
CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(path: Path, target: int, rng: random.Random) -> None:
    def cell() -> str:
        return (
            '<w:tc><w:tcPr><w:tcW w:w="1000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>'
            f"{rng.randrange(10**9)}</w:t></w:r></w:p></w:tc>"
        )

    def para() -> str:
        return (
            '<w:p><w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t>'
            + "".join(rng.choices(CJK, k=40))
            + "</w:t></w:r></w:p>"
        )

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        with z.open("word/document.xml", "w") as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                + f'<w:document xmlns:w="{_W}"><w:body>'.encode()
                + "<w:p><w:r><w:t>某某区人民政府2023年政府信息公开工作年度报告</w:t></w:r></w:p>".encode()
            )
            n = 0
            while n < target:
                rows = "".join("<w:tr>" + "".join(cell() for _ in range(7)) + "</w:tr>" for _ in range(30))
                b = ("".join(para() for _ in range(22)) + "<w:tbl>" + rows + "</w:tbl>").encode()
                f.write(b)
                n += len(b)
            f.write(b"</w:body></w:document>")


def _html_table(path: Path, target: int, rng: random.Random, encoding: str = "utf-8") -> None:
    head = (
        f'<!DOCTYPE html><html><head><meta charset="{encoding}"><title>某某区2023年政府信息公开工作年度报告</title>'
        "</head><body><p>三、收到和处理政府信息公开申请情况</p><table>"
    )
    with open(path, "wb") as f:
        f.write(head.encode(encoding))
        n = 0
        while n < target:
            chunk = b"".join(
                ("<tr>" + "".join(f"<td>{rng.randrange(10**5)}</td>" for _ in range(8)) + "</tr>").encode(encoding)
                for _ in range(500)
            )
            f.write(chunk)
            n += len(chunk)
        f.write("</table><p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>".encode(encoding))


def _html_tags(path: Path, target: int, rng: random.Random) -> None:
    with open(path, "wb") as f:
        f.write("<!DOCTYPE html><html><head><title>某某区年度报告</title></head><body>".encode())
        n = 0
        while n < target:
            chunk = "".join(
                f"<p><span>{rng.choice(CJK)}</span><span>{rng.randrange(100)}</span></p>" for _ in range(5000)
            ).encode()
            f.write(chunk)
            n += len(chunk)
        f.write(b"</body></html>")


def _text(path: Path, target: int, rng: random.Random) -> None:
    with open(path, "wb") as f:
        f.write("某某区人民政府2023年政府信息公开工作年度报告\n".encode())
        n = 0
        while n < target:
            chunk = "".join(
                "".join(rng.choices(CJK, k=12)) + " " + " ".join(str(rng.randrange(1000)) for _ in range(7)) + "\n"
                for _ in range(5000)
            ).encode()
            f.write(chunk)
            n += len(chunk)


def _html_cells_under(path: Path, rng: random.Random) -> None:
    cells, per_row = 199_000, 8
    with open(path, "wb") as f:
        f.write("<!DOCTYPE html><html><head><title>某某区年度报告</title></head><body><table>".encode())
        f.writelines(
            ("<tr>" + "".join(f"<td>{''.join(rng.choices(CJK, k=80))}</td>" for _ in range(per_row)) + "</tr>").encode()
            for r in range(cells // per_row)
        )
        f.write(b"</table></body></html>")


def _html_tags_under(path: Path, rng: random.Random) -> None:
    tags = 990_000  # start and end tags: 495,000 elements
    text = "".join(rng.choices(CJK, k=31))  # ~49 MB in all
    with open(path, "wb") as f:
        f.write("<!DOCTYPE html><html><head><title>某某区年度报告</title></head><body>".encode())
        f.writelines("".join(f"<p>{text}{i}</p>" for _ in range(1000)).encode() for i in range(tags // 2 // 1000))
        f.write(b"</body></html>")


def _docx_parts(path: Path, parts) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        with z.open("word/document.xml", "w") as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'.encode())
            for part in parts:
                f.write(part.encode())
            f.write(b"</w:body></w:document>")


def _docx_cells_under(path: Path, rng: random.Random) -> None:
    def tables():
        for _ in range(199_000 // 700):  # tables of 100 rows × 7 cells
            yield (
                "<w:tbl>"
                + "".join(
                    "<w:tr>"
                    + "".join(f"<w:tc><w:p><w:r><w:t>{rng.randrange(10**6)}</w:t></w:r></w:p></w:tc>" for _ in range(7))
                    + "</w:tr>"
                    for _ in range(100)
                )
                + "</w:tbl>"
            )

    _docx_parts(path, tables())


def _docx_text_under(path: Path, rng: random.Random) -> None:
    def paras():
        for _ in range(9_900_000 // 100 // 100):  # 100 paragraphs of 100 characters at a time
            yield "".join(f"<w:p><w:r><w:t>{''.join(rng.choices(CJK, k=100))}</w:t></w:r></w:p>" for _ in range(100))

    _docx_parts(path, paras())


CASES = {
    "docx": ("docx-150mb.docx", lambda p, r: _docx(p, 150 * MB, r)),
    "html": ("html-table-49mb.html", lambda p, r: _html_table(p, 49 * MB, r)),
    "html-gbk": ("html-table-gbk-43mb.html", lambda p, r: _html_table(p, 43 * MB, r, "gbk")),
    "html-tags": ("html-tags-49mb.html", lambda p, r: _html_tags(p, 49 * MB, r)),
    "text": ("text-49mb.txt", lambda p, r: _text(p, 49 * MB, r)),
    "html-cells-under": ("html-cells-under.html", _html_cells_under),
    "html-tags-under": ("html-tags-under.html", _html_tags_under),
    "docx-cells-under": ("docx-cells-under.docx", _docx_cells_under),
    "docx-text-under": ("docx-text-under.docx", _docx_text_under),
}


def generate(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, key in enumerate(names):
        name, make = CASES[key]
        p = folder / name
        if not p.exists():
            make(p, random.Random(i))
        out.append(p)
    for s in sorted(SAMPLE_DIR.glob("*")):
        if not s.name.endswith(".json"):
            shutil.copy(s, folder / s.name)  # one real report: the folder must still load it
    return out


# --- measuring ---------------------------------------------------------------------------------


def _children(pids: set[int]) -> set[int]:
    """Every descendant of pids (from /proc/*/stat's ppid)."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    s = f.read()
                parent[int(d)] = int(s[s.rindex(b")") + 2 :].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out = set(pids)
    grew = True
    while grew:
        grew = False
        for pid, pp in parent.items():
            if pp in out and pid not in out:
                out.add(pid)
                grew = True
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd: list[str], timeout: float = 900) -> dict:
    """Run cmd; its exit code, last stderr line, seconds, peak single-process and process-tree RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.is_set():
            peak_tree = max(peak_tree, sum(_rss_kb(p) for p in _children({proc.pid})))
            stop.wait(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    stop.set()
    th.join()
    seconds = time.perf_counter() - t0
    return {
        "rc": proc.returncode,
        "seconds": round(seconds, 1),
        "peak_tree_mb": round(peak_tree / 1024),
        "stderr": [x.split("\r")[-1] for x in err.splitlines() if x.strip()],
        "stdout_tail": out.strip().splitlines()[-1][:2000] if out.strip() else "",
    }


def _max_rss(cmd: list[str]) -> dict:
    """measure() plus the largest single process's peak RSS (ru_maxrss of the waited children)."""
    wrap = [
        sys.executable,
        "-c",
        (
            "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]);"
            " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"
        ),
        *cmd,
    ]
    res = measure(wrap)
    # The wrapper's last stderr line is the ru_maxrss; the command's own message is the line before.
    err = res.pop("stderr")
    try:
        res["peak_process_mb"] = round(int(err[-1]) / 1024)
        err = err[:-1]
    except (ValueError, IndexError):
        res["peak_process_mb"] = None
    res["message"] = (err[-1] if err else "")[:300]
    res["cmd"] = "xxgk " + " ".join(cmd[3:]) if cmd[:3] == XXGK else " ".join(cmd)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it (reused when present)")
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {','.join(CASES)}")
    ap.add_argument("--no-folder", action="store_true", help="skip the folder ingest")
    ap.add_argument("--folder-only", action="store_true", help="only the folder ingest")
    ap.add_argument("--workers", type=int, default=2, help="workers of the folder ingest (default 2)")
    a = ap.parse_args()
    names = [c for c in a.cases.split(",") if c]
    tmp = a.keep or Path(tempfile.mkdtemp(prefix="xxgk-hostile-"))
    folder = tmp / "set"
    t = time.perf_counter()
    files = generate(folder, names)
    gen_s = time.perf_counter() - t
    rows = []
    for f in [] if a.folder_only else files:
        r = _max_rss(XXGK + ["extract", str(f), "--json"])
        r["case"] = f.name
        r["size_mb"] = round(f.stat().st_size / MB, 1)
        rows.append(r)
        _print(r)
    if not a.no_folder:
        db = tmp / "hostile.duckdb"
        for p in tmp.glob("hostile.duckdb*"):
            p.unlink()
        r = _max_rss(XXGK + ["ingest", str(folder), "--db", str(db), "--workers", str(a.workers), "--json"])
        r["case"] = f"folder ({len(files)} hostile + sample), {a.workers} workers"
        r["size_mb"] = round(sum(p.stat().st_size for p in folder.iterdir()) / MB, 1)
        try:
            summary = json.loads(r["stdout_tail"])
            r["message"] = (
                f"loaded {len(summary['loaded'])}, failed {len(summary['failed'])}: "
                + "; ".join(x["error"] for x in summary["failed"])
            )[:400]
        except (ValueError, KeyError):
            r["message"] = r["stdout_tail"]
        rows.append(r)
        _print(r)
    result = {
        "generated_s": round(gen_s, 1),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1m": os.getloadavg()[0],
        "runs": rows,
        "max_peak_mb": max((max(r["peak_tree_mb"], r["peak_process_mb"] or 0) for r in rows), default=0),
    }
    out = ROOT / "bench" / "results" / "hostile.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"largest peak {result['max_peak_mb']} MB (promise: < 1024 MB); wrote {out}")
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _print(r: dict) -> None:
    print(
        f"{r['case']:<44} {r['size_mb']:>7.1f} MB  rc {r['rc']}  {r['seconds']:>6.1f} s  "
        f"peak process {r['peak_process_mb']} MB  tree {r['peak_tree_mb']} MB\n    {r['message']}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
