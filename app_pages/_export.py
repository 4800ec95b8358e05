"""Export builders for the compare page: CSV, Excel workbook (data / definitions / findings / sources), Parquet."""

from __future__ import annotations

import io

import polars as pl

from pipelines import csvsafe


def csv_bytes(table: pl.DataFrame) -> bytes:
    # UTF-8 with a BOM (spreadsheet programs then read the Chinese labels), formulas neutralised
    return csvsafe.csv_bytes(table)


def parquet_bytes(table: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    table.write_parquet(buf)
    return buf.getvalue()


def xlsx_bytes(sheets: dict[str, pl.DataFrame], notes: dict[str, str] | None = None) -> bytes:
    """One worksheet per frame, header row bold and frozen; ``notes`` go to a README sheet first."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True, "bg_color": "#DDE7F3"})
    if notes:
        ws = wb.add_worksheet("README")
        for i, (k, v) in enumerate(notes.items()):
            ws.write_string(i, 0, k, bold)
            ws.write_string(i, 1, v)
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
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(v))  # never a formula: text stays text
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()
