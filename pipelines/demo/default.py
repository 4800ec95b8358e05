"""The embedded default warehouse that `make run` builds when none exists.

The synthetic demo corpus (dataset 'demo', rendered to files and read back through the real
extraction pipeline, so the dashboard shows what xxgk really extracts) plus the one real report
xxgk ships (data/samples, dataset 'sample').
"""

from __future__ import annotations

import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"
REPORT_SUFFIXES = {".html", ".htm", ".shtml", ".txt", ".md", ".pdf", ".docx", ".doc"}


def report_files(folder: Path) -> list[Path]:
    """Report files under a corpus folder: everything but the truth files beside them."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


def build_default(
    db: str | Path,
    out: str | Path = "data/demo",
    seed: int = 0,
    size: float = 1.0,
    formats: tuple[str, ...] = ("html", "txt", "docx", "pdf"),
    workers: int = 2,
    progress: bool = True,
) -> dict:
    from pipelines.demo.corpus import write_corpus
    from pipelines.warehouse.ingest import ingest

    t0 = time.perf_counter()
    out = Path(out)
    corpus = write_corpus(out, seed=seed, size=size, formats=formats)
    t1 = time.perf_counter()
    demo = ingest(report_files(out), db=db, dataset="demo", workers=workers, progress=progress)
    sample = ingest(report_files(SAMPLES), db=db, dataset="sample", workers=1, progress=False)
    t2 = t3 = time.perf_counter()  # cross-year checks and aggregates ran in the ingest's last publish
    return {
        "reports_written": corpus["n_reports"],
        "loaded": len(demo.loaded) + len(sample.loaded),
        "failed": demo.failed + sample.failed,
        "seconds_corpus": t1 - t0,
        "seconds_ingest": t2 - t1,
        "seconds_post": t3 - t2,
        "seconds": t3 - t0,
    }
