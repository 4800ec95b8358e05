"""Exports of a page's tables: CSV, Excel workbook, Parquet, each holding exactly the table shown plus where
it came from (the page and its link, the filters, years, 口径, datasets, minimum cases, generation time):
a header block of ``# key: value`` lines in the CSV, a 说明 sheet in the workbook, key-value metadata in
the Parquet file's schema (``xxgk.view``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Callable

import polars as pl
import streamlit as st

from pipelines import csvsafe

EAGER_ROWS = 5000


def csv_bytes(table: pl.DataFrame, meta: dict[str, str] | None = None) -> bytes:
    """UTF-8 with a BOM (spreadsheet programs then read the Chinese labels), formulas neutralised; ``meta``
    as ``# key: value`` lines before the header (read back with ``comment_prefix="#"``)."""
    head = "".join(f"# {k}: {_one_cell(v)}\n" for k, v in (meta or {}).items())
    return csvsafe.BOM + (head + csvsafe.csv_text(table)).encode("utf-8")


def _one_cell(v: object) -> str:
    """A header-block value kept on one line and in one spreadsheet cell (no separators, no quotes)."""
    return " ".join(str(v).split()).replace(",", "，").replace('"', "”")


def read_csv(data: bytes, schema: dict | None = None) -> tuple[pl.DataFrame, dict[str, str]]:
    """An exported CSV back: (the table, its header block); ``schema``: the column types to read it with."""
    text = data.decode("utf-8-sig")
    meta = {}
    for line in text.splitlines():
        if not line.startswith("# "):
            break
        k, _, v = line[2:].partition(": ")
        meta[k] = v
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")), comment_prefix="#", infer_schema_length=None, schema_overrides=schema
    )
    return frame, meta


def parquet_bytes(table: pl.DataFrame, meta: dict[str, str] | None = None) -> bytes:
    import pyarrow.parquet as pq

    at = table.to_arrow()
    if meta:
        at = at.replace_schema_metadata(
            {**(at.schema.metadata or {}), b"xxgk.view": json.dumps(meta, ensure_ascii=False).encode()}
        )
    buf = io.BytesIO()
    pq.write_table(at, buf)
    return buf.getvalue()


def xlsx_bytes(
    sheets: dict[str, pl.DataFrame], notes: dict[str, str] | None = None, notes_title: str = "说明"
) -> bytes:
    """One worksheet per frame, header row bold and frozen; ``notes`` go to a first sheet (``notes_title``)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True, "bg_color": "#DDE7F3"})
    if notes:
        ws = wb.add_worksheet(notes_title[:31])
        for i, (k, v) in enumerate(notes.items()):
            ws.write_string(i, 0, k, bold)
            ws.write_string(i, 1, str(v))
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 100)
    for name, df in sheets.items():
        ws = wb.add_worksheet(name[:31])
        for j, c in enumerate(df.columns):
            ws.write_string(0, j, c, bold)
            ws.set_column(j, j, max(10, min(48, len(c) + 4)))
        for i, row in enumerate(df.iter_rows(), start=1):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, (int, float)):
                    if not math.isnan(v):  # NaN stays empty
                        ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(v))  # never a formula: text stays text
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def view_meta(title: str, years: str | None = None, notes: dict[str, str] | None = None) -> dict[str, str]:
    """Where a table comes from, in the UI's language: page, link, time, datasets, years, 口径, filters."""
    from app_pages._common import basis, filters, lang, min_cases, page_url, q, t
    from pipelines import read

    f = filters()
    L = lang()
    all_ = t("all")
    names = q("agency_names", tuple(f.agency_ids)) if f.agency_ids else {}
    ds = "、".join(f.datasets) if f.datasets else all_
    if st.session_state.get("_demo"):
        ds += f"（{t('demo_badge')}）"
    if years is None:
        years = (
            (f"{f.year_from}–{f.year_to}" if f.year_from is not None and f.year_from != f.year_to else str(f.year_from))
            if f.year_from is not None
            else all_
        )
    rows = {
        t("exp_page"): title,
        t("exp_link"): page_url(),
        t("exp_generated"): dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        t("dataset"): ds,
        t("years"): years,
        t("basis"): f"{basis()}：{read.MEASURES[read.OPEN_RATE[basis()]].basis(L)}",
        t("province"): f.province or all_,
        t("city"): f.city or all_,
        t("counties"): "、".join(f.counties) or all_,
        t("agency_types"): "、".join(f.agency_types) or all_,
        t("agencies"): "、".join(names.get(a, a) for a in f.agency_ids) or all_,
        t("templates"): "、".join(f.templates) or all_,
        t("min_cases"): str(min_cases()),
    }
    rows.update(notes or {})
    return rows


def page_title() -> str:
    from app_pages._common import PAGES, page_key, t

    return next((t(title) for key, _, title, _ in PAGES if key == page_key()), page_key())


def _absolute_links(frame: pl.DataFrame, link_col: str | None, base: str | None = None) -> pl.DataFrame:
    """``link_col``'s relative links made absolute on ``base`` (this view's URL; read now when not given)."""
    from app_pages._common import page_url

    if not link_col or link_col not in frame.columns:
        return frame
    base = page_url() if base is None else base
    if "://" not in base:  # the server does not know the address the browser used: links stay relative
        return frame
    base = base[: base.rfind("/") + 1]
    col = pl.col(link_col)
    # a row with no drill-down ("") keeps no link
    return frame.with_columns(
        pl.when(col.is_null() | (col == ""))
        .then(col)
        .otherwise(pl.lit(base) + col.str.strip_prefix("./"))
        .alias(link_col)
    )


def offer(
    frame: pl.DataFrame | Callable[[], pl.DataFrame],
    name: str,
    key: str,
    *,
    title: str | None = None,
    sheets: dict[str, pl.DataFrame] | Callable[[], dict[str, pl.DataFrame]] | None = None,
    notes: dict[str, str] | None = None,
    years: str | None = None,
    link_col: str | None = None,
) -> None:
    """CSV / Excel / Parquet buttons for exactly ``frame`` (the table shown; a function giving it when the
    screen shows a page of a long table: printed only when a button is clicked). The workbook has the 说明
    sheet first, then the table, then ``sheets``. Every export of this run is listed in the session
    (``_exports``: key → frame, or the function) so that a test can hold it against the table shown."""
    from app_pages._common import page_url, t

    lazy = callable(frame)
    meta = view_meta(title or page_title(), years, notes)
    here = page_url()  # read in the script's run: a lazy table is printed when clicked, outside of it

    def table() -> pl.DataFrame:
        return _absolute_links(frame() if callable(frame) else frame, link_col, here)

    out = None if lazy else table()
    st.session_state.setdefault("_exports", {})[key] = {
        "frame": table if lazy else out,
        "meta": meta,
        "name": name,
        "sheets": None if callable(sheets) else sheets,
    }

    def data() -> pl.DataFrame:
        return out if out is not None else table()

    stamp = dt.date.today().isoformat()
    base = f"xxgk-{name}-{stamp}"
    # one row that wraps: in a half-width column the three buttons keep their whole labels
    row = st.container(horizontal=True, gap="small")
    c1 = c2 = c3 = row
    big = out is None or out.height > EAGER_ROWS  # built when clicked; a small table's CSV is built now (cheap)
    c1.download_button(
        t("download_csv"),
        (lambda: csv_bytes(data(), meta)) if big else csv_bytes(data(), meta),
        file_name=f"{base}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    c2.download_button(
        t("download_xlsx"),
        lambda: xlsx_bytes(
            {t("exp_data"): data(), **((sheets() if callable(sheets) else sheets) or {})}, meta, t("exp_notes")
        ),
        file_name=f"{base}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )
    c3.download_button(
        t("download_parquet"),
        lambda: parquet_bytes(data(), meta),
        file_name=f"{base}.parquet",
        mime="application/octet-stream",
        key=f"{key}_parquet",
        on_click="ignore",
    )
