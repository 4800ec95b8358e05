"""The dashboard's tables drawn as a plain HTML table by a small Streamlit component (``st.components.v2``).

Why not st.dataframe: its grid (Glide Data Grid, drawn on a canvas) was the largest cost of a page in the
browser. Measured at 1M reports on the 2-core machine (bench/browser.py's navigation, Chromium's CPU):
总览's navigation settled in ~0.8 s with its two grids and in ~0.4-0.5 s without them; the first grid of a
page costs most, so a page gains only when none is left. A table of at most a page of rows (``settings.
table_rows``) is cheap as HTML, wraps long text instead of cutting it, and lets each cell carry its own hover
(the meaning of —, the rule of 样本不足). Sorting by a header, which the grid offered, is not offered: every
table arrives sorted by the read API, and the exports carry every row.

The drill-down links stay in the tab: a click on 打开 sends the row's index to Python (a trigger value, one
run only) and the page navigates there as before, without reloading the app; a middle click or Ctrl-click
follows the link's own address in a new tab, as any link does. The cells are set as text by the script
below (``textContent``): nothing of the data is parsed as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

NAME = "xxgk_table"
# a table taller than this scrolls under its header, as the grid did (st.dataframe's default: ~10 rows)
HEIGHT = 440
# a column whose every cell is at most this long stays on one line (labels, numbers); longer text wraps
NOWRAP_CHARS = 12

_CSS = """
:host { display: block; }
.wrap { overflow: auto; max-width: 100%; }
.wrap.box { max-height: var(--h, 440px); }
table { border-collapse: collapse; width: 100%; font-family: var(--st-font, inherit);
        font-size: 0.875rem; color: var(--st-text-color, inherit); line-height: 1.45; }
th, td { padding: 0.3rem 0.55rem; border-bottom: 1px solid var(--st-border-color, rgba(49,51,63,0.12));
         text-align: left; vertical-align: top; }
th { font-weight: 600; white-space: nowrap; position: sticky; top: 0; z-index: 1;
     background: var(--st-background-color, #fff);
     box-shadow: inset 0 -1px 0 var(--st-border-color, rgba(49,51,63,0.3)); border-bottom: none; }
th[title] { text-decoration: underline dotted; text-underline-offset: 3px; cursor: help; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.n { white-space: nowrap; }
td[title] { cursor: help; }
tbody tr:hover { background: var(--st-secondary-background-color, rgba(151,166,195,0.12)); }
a { color: var(--st-link-color, var(--st-primary-color, #0068c9)); text-decoration: none; white-space: nowrap; }
a:hover { text-decoration: underline; }
"""

# data: {columns: [str], right: [bool], nowrap: [bool], help: [str|null], rows: [[str]],
#        titles: [[str|null]] | null, hrefs: [[str|null]] | null, height: int | null}
_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let wrap = parentElement.querySelector('.wrap');
  if (!wrap) { wrap = document.createElement('div'); parentElement.appendChild(wrap); }
  wrap.className = data.height ? 'wrap box' : 'wrap';
  if (data.height) wrap.style.setProperty('--h', data.height + 'px');
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  data.columns.forEach((name, j) => {
    const th = document.createElement('th');
    th.textContent = name;
    if (data.right[j]) th.className = 'r';
    if (data.help[j]) th.title = data.help[j];
    head.appendChild(th);
  });
  const body = table.createTBody();
  data.rows.forEach((row, i) => {
    const tr = body.insertRow();
    row.forEach((text, j) => {
      const td = tr.insertCell();
      if (data.right[j]) td.className = 'r'; else if (data.nowrap[j]) td.className = 'n';
      const tip = data.titles && data.titles[i] ? data.titles[i][j] : null;
      if (tip) td.title = tip;
      const href = data.hrefs && data.hrefs[i] ? data.hrefs[i][j] : null;
      if (href) {
        const a = document.createElement('a');
        a.href = href;
        a.textContent = text;
        a.addEventListener('click', (e) => {
          if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          setTriggerValue('open', [i, j]);
        });
        td.appendChild(a);
      } else {
        td.textContent = text;
      }
    });
  });
  wrap.replaceChildren(table);
}
"""


def payload(
    shown: pl.DataFrame,
    *,
    right: Sequence[bool] | None = None,
    help: Sequence[str | None] | None = None,
    titles: Sequence[Sequence[str | None]] | None = None,
    hrefs: Sequence[Sequence[str | None]] | None = None,
    height: int | None = HEIGHT,
) -> dict[str, Any]:
    """What the component draws: ``shown``'s headers and text cells; which columns are right-aligned (numbers;
    none by default)
    and which are kept on one line (every cell short); each header's hover; each cell's hover (``titles``) and
    drill-down address (``hrefs``), row by row; the height past which the table scrolls under its header (None:
    as tall as its rows). Pure (no streamlit): the tests read a table from it."""
    rows = [["" if v is None else str(v) for v in r] for r in shown.iter_rows()]
    widest = [max((len(r[j]) for r in rows), default=0) for j in range(shown.width)]
    return {
        "columns": list(shown.columns),
        "right": list(right) if right is not None else [False] * shown.width,
        "nowrap": [w <= NOWRAP_CHARS for w in widest],
        "help": list(help) if help is not None else [None] * shown.width,
        "rows": rows,
        "titles": [list(t) for t in titles] if titles is not None else None,
        "hrefs": [list(h) for h in hrefs] if hrefs is not None else None,
        "height": height,
    }


def row_hrefs(shown: pl.DataFrame, col: str, links: Sequence[str | None]) -> list[list[str | None]]:
    """``hrefs`` for a table whose column ``col`` opens each row's link (none where a row has no link)."""
    j = shown.columns.index(col)
    return [[(link or None) if k == j else None for k in range(shown.width)] for link in links]


def frame_of(data: Mapping[str, Any]) -> pl.DataFrame:
    """The table a payload draws, as a frame of its text cells (for the tests, and what a reader sees)."""
    cols = data["columns"]
    return (
        pl.DataFrame([list(r) for r in data["rows"]], schema=cols, orient="row")
        if data["rows"]
        else (pl.DataFrame(schema=dict.fromkeys(cols, pl.Utf8)))
    )


_mount: Any = None


def draw(data: Mapping[str, Any], key: str) -> tuple[int, int] | None:
    """Draw the table; the (row, column) of the link clicked, in the run that click started (else None)."""
    import streamlit as st

    global _mount
    if _mount is None:
        _mount = st.components.v2.component(NAME, css=_CSS, js=_JS)
    mount = _mount
    res = mount(key=key, data={**data, "key": key}, on_open_change=lambda: None)
    hit = getattr(res, "open", None)
    if isinstance(hit, list) and len(hit) == 2 and all(isinstance(x, int) for x in hit):
        return hit[0], hit[1]
    return None
