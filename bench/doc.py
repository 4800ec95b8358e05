"""DOC files per second, warm LibreOffice listener vs one soffice start a file, as whole ingest runs.

    .venv/bin/python bench/doc.py [--n 20]

N demo reports (seed 1) are rendered to .doc (distinct reports); then `xxgk ingest` of that folder
runs twice in fresh processes into fresh warehouses, XXGK_DOC_CONVERTER=warm and =cold, interleaved
over --rounds. Each figure is the whole process (Python start, listener start, every conversion,
extraction, load). Writes bench/results/doc.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_docs(dst: Path, n: int) -> None:
    from pipelines.demo.generate import generate
    from pipelines.demo.render_extra import render_doc

    corpus = [t for t in generate(seed=1, size=0.3) if not t["faults"]][:n]
    dst.mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(corpus):
        (dst / f"{i:04d}.doc").write_bytes(render_doc(t))


def ingest(src: Path, db: Path, mode: str) -> dict:
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    env = {**os.environ, "XXGK_DOC_CONVERTER": mode}
    t = time.perf_counter()
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "xxgk"), "ingest", str(src), "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    dt = time.perf_counter() - t
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return {"seconds": dt, "loaded": len(res["loaded"]), "failed": len(res["failed"])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    from pipelines.readers import doc

    if doc.soffice() is None:
        print("bench/doc.py: LibreOffice (soffice) not installed", file=sys.stderr)
        return 2
    if doc.uno_python() is None:
        print("bench/doc.py: no python3 with LibreOffice's uno module (apt-get install python3-uno)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-doc-") as tmp:
        tmp = Path(tmp)
        make_docs(tmp / "docs", a.n)
        runs: dict[str, list[dict]] = {"warm": [], "cold": []}
        for r in range(a.rounds):
            for mode in ("warm", "cold") if r % 2 == 0 else ("cold", "warm"):
                runs[mode].append(ingest(tmp / "docs", tmp / f"{mode}.duckdb", mode))
    best = {m: min(rs, key=lambda x: x["seconds"]) for m, rs in runs.items()}
    fps = {m: a.n / b["seconds"] for m, b in best.items()}
    print(f"{a.n} DOC files, whole `xxgk ingest` runs (best of {a.rounds}); load average {os.getloadavg()[0]:.1f}")
    for m in ("warm", "cold"):
        b = best[m]
        print(f"  {m:<5} {b['seconds']:>7.1f} s  {fps[m]:>6.2f} files/s  loaded {b['loaded']} failed {b['failed']}")
    print(f"  warm is {fps['warm'] / fps['cold']:.1f}× cold")
    out = ROOT / "bench" / "results" / "doc.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "n": a.n,
                "load_average_1m": os.getloadavg()[0],
                "runs": runs,
                "files_per_s": fps,
                "warm_over_cold": fps["warm"] / fps["cold"],
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
