"""Copies of the real text/Markdown/HTML reports in ../shared/real-reports, for volume tests and benchmarks.

Copy k of a report is the report as published with its agency's name extended by a department
(平潭综合实验区 → 平潭综合实验区商务局 …), so copies are distinct files and mostly distinct agencies: they
load as reports of their own instead of replacing each other. Where a name appears in the text in
another spelling the copy keeps the original agency, and a .txt and an .html of the same report are
the same agency and year: those replace one another, in the order of the walk, as in real
folders. Nothing else changes: every table, number and finding is the real report's.
"""

from __future__ import annotations

import json
from pathlib import Path

from .ingest_synth import BUREAUS

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-reports"
TEXT_FORMS = (".txt", ".md", ".html")
DEPARTMENTS = (
    "",  # copy 0: the report as published
    *BUREAUS,
    "审计局",
    "统计局",
    "医疗保障局",
    "市场监督管理局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "人力资源和社会保障局",
    "退役军人事务局",
    "信访局",
    "林业局",
    "体育局",
    "档案局",
    "地方志办公室",
    "机关事务管理局",
    "粮食和物资储备局",
    "科学技术局",
    "工业和信息化局",
)


def sources(real: Path = REAL) -> list[tuple[Path, str]]:
    """(file, agency as the truth names it) for every text, Markdown and HTML real report."""
    out = []
    for f in sorted(real.glob("*")):
        if f.suffix in TEXT_FORMS:
            truth = f.with_name(f.stem + ".truth.json")
            if truth.exists():
                out.append((f, json.loads(truth.read_text(encoding="utf-8"))["agency"]))
    return out


def copy_bytes(data: bytes, agency: str, k: int) -> bytes:
    """Copy k of a report's bytes (k = 0: unchanged). The real reports here are all UTF-8."""
    dept = DEPARTMENTS[k % len(DEPARTMENTS)]
    rounds = k // len(DEPARTMENTS)  # beyond one round of departments: a numbered 分局 as well
    suffix = dept + (f"第{rounds}分局" if rounds else "")
    if not suffix:
        return data
    return data.decode("utf-8").replace(agency, agency + suffix).encode("utf-8")


def write_copies(dst: Path, n: int, real: Path = REAL, per_dir: int = 200) -> list[Path]:
    """Write n files into dst (sub-folders of per_dir), cycling through the real reports; returns their paths."""
    src = [(f, f.read_bytes(), agency) for f, agency in sources(real)]
    if not src:
        raise FileNotFoundError(f"no text/Markdown/HTML real reports in {real}")
    out = []
    for i in range(n):
        f, data, agency = src[i % len(src)]
        k = i // len(src)
        sub = dst / f"{i // per_dir:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        p = sub / f"{i:06d}-{f.stem}{f.suffix}"
        p.write_bytes(copy_bytes(data, agency, k))
        out.append(p)
    return out
