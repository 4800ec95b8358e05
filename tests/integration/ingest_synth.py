"""Synthetic report files for the ingest tests: the shipped sample's text with agency and year varied."""

from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "xigong-commerce-2020.txt"  # the shipped copy
DISTRICTS = ("西工区", "老城区", "涧西区", "瀍河区", "洛龙区", "吉利区", "偃师区", "孟津区")
BUREAUS = (
    "商务局",
    "财政局",
    "教育局",
    "民政局",
    "司法局",
    "水利局",
    "农业农村局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "应急管理局",
)


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def agency(i: int) -> str:
    return DISTRICTS[i % len(DISTRICTS)] + BUREAUS[(i // len(DISTRICTS)) % len(BUREAUS)]


def report_text(text: str, agency_name: str, year: int) -> str:
    return text.replace("西工区商务局", agency_name).replace("2020", str(year))


def write_reports(dst: Path, n: int, year: int = 2020, text: str | None = None) -> list[Path]:
    """n distinct report files (distinct agency; 80 agencies a year) as dst/NNN.txt."""
    text = text or sample_text()
    dst.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = dst / f"{i:04d}.txt"
        p.write_text(report_text(text, agency(i), year + i // 80), encoding="utf-8")
        out.append(p)
    return out
