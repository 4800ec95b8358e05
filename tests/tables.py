"""The tables a page shows in an AppTest run, in the page's order: the HTML tables (app_pages._htmltable, read
from the data its component draws) and the grids left (st.dataframe). Each has ``value`` as AppTest gives a
grid's (a pandas frame of the cells as shown), and for an HTML table its ``data`` (hovers, links)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app_pages import _htmltable


@dataclass
class Shown:
    key: str | None
    value: Any  # pandas.DataFrame
    data: dict | None = None  # the HTML table's payload (None: a grid)
    proto: Any = None

    def help(self, col: str) -> str:
        """The hover of column ``col``'s header ("" when none)."""
        if self.data is not None:
            return self.data["help"][self.data["columns"].index(col)] or ""
        cfg = json.loads(self.proto.columns or "{}")
        return (cfg.get(col) or {}).get("help") or ""

    def links(self, col: str) -> list[str | None]:
        """The drill-down address of each row in column ``col`` of an HTML table."""
        assert self.data is not None and self.data["hrefs"] is not None, f"{self.key}: no links"
        j = self.data["columns"].index(col)
        return [h[j] for h in self.data["hrefs"]]


def _walk(node):
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for _, c in sorted(children.items()):
            yield c
            yield from _walk(c)


def shown_tables(at) -> list[Shown]:
    out: list[Shown] = []
    for el in _walk(at.main):
        kind = getattr(el, "type", None)
        if kind == "dataframe":
            out.append(Shown(getattr(el, "key", None), el.value, None, el.proto))
        elif kind == "bidi_component" and el.proto.component_name == _htmltable.NAME:
            data = json.loads(el.proto.json)
            out.append(Shown(data.get("key"), _htmltable.frame_of(data).to_pandas(), data, el.proto))
    return out
