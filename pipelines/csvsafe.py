"""CSV out, safe to open in a spreadsheet: every CSV the app and the CLI write goes through here.

A spreadsheet program runs a cell that begins with = + - or @ as a formula (and one that begins with
a tab or carriage return after trimming it), so a name or note such as ``=HYPERLINK(...)`` could run
when an exported CSV is opened (CSV injection, OWASP). Text cells that begin so get a leading
apostrophe, which spreadsheets show as text and hide; numeric columns are left as numbers (a negative
number is data, not a formula). Column names are treated the same way.
"""

from __future__ import annotations

import polars as pl

# What a spreadsheet treats as the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
BOM = b"\xef\xbb\xbf"


def neutralise(value: str | None) -> str | None:
    """One text cell: prefixed with an apostrophe when a spreadsheet would read it as a formula."""
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Every text column (and every column name) neutralised; other columns unchanged."""
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype in (pl.Utf8, pl.Categorical) or isinstance(dtype, pl.Enum):
            col = col.cast(pl.Utf8)
            col = pl.when(col.str.contains(_FORMULA_RE)).then(pl.lit("'") + col).otherwise(col)
        exprs.append(col.alias(str(neutralise(name))))
    return df.select(exprs) if exprs else df


def csv_text(df: pl.DataFrame) -> str:
    """The frame as CSV text, formulas neutralised."""
    return neutralise_frame(df).write_csv()


def csv_bytes(df: pl.DataFrame, *, bom: bool = True) -> bytes:
    """The frame as UTF-8 CSV bytes (with a BOM by default, so spreadsheet programs read the Chinese
    labels correctly), formulas neutralised."""
    data = csv_text(df).encode("utf-8")
    return BOM + data if bom else data
