"""Template versions as data: one YAML file per version (see spec/template.md).

Adding a version (the day the format is revised) is a new YAML file here, not new parser code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent

TABLE3_COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
TABLE3_COLUMN_LABELS = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_org": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}


@dataclass(frozen=True)
class RowSpec:
    key: str
    match: tuple[str, ...]
    pattern: re.Pattern | None


@dataclass(frozen=True)
class Template:
    version: str
    years: tuple[int, ...]
    table2_headers: tuple[str, ...]
    table2_blocks: tuple[dict, ...]
    table3_rows: tuple[RowSpec, ...]
    table4_keys: tuple[str, ...]

    @property
    def table3_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.table3_rows)

    @property
    def table2_keys(self) -> tuple[str, ...]:
        return tuple(f"{row['key']}_{col}" for b in self.table2_blocks for row in b["rows"] for col in b["columns"])


def _load(path: Path) -> Template:
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = tuple(
        RowSpec(r["key"], tuple(r.get("match") or ()), re.compile(r["pattern"]) if r.get("pattern") else None)
        for r in d["table3"]["rows"]
    )
    return Template(
        version=str(d["version"]),
        years=tuple(d.get("years", ())),
        table2_headers=tuple(d["table2"]["headers"]),
        table2_blocks=tuple(d["table2"]["blocks"]),
        table3_rows=rows,
        table4_keys=tuple(d["table4"]["keys"]),
    )


@cache
def templates() -> dict[str, Template]:
    """Every known version, oldest first."""
    out = {}
    for p in sorted(HERE.glob("*.yaml")):
        t = _load(p)
        out[t.version] = t
    return out


def get(version: str) -> Template:
    return templates()[version]


def expected_version(year: int | None) -> str | None:
    """The version a report for `year` should use (the newest whose first year is <= year)."""
    if year is None:
        return None
    best = None
    for v, t in templates().items():
        if t.years and min(t.years) <= year:
            best = v
    return best
