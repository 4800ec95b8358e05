"""The one CSV writer (pipelines.csvsafe): formula-looking text cells are neutralised, nothing else changes;
and no other code writes CSV."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest

from pipelines import csvsafe

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "cell, out",
    [
        ("=1+2", "'=1+2"),
        ("+86 123", "'+86 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("西工区商务局", "西工区商务局"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        ("＝全角", "＝全角"),  # a full-width sign is not a formula in any spreadsheet
    ],
)
def test_neutralise(cell, out):
    assert csvsafe.neutralise(cell) == out


def test_frame_text_columns_neutralised_numbers_kept():
    df = pl.DataFrame(
        {
            "name": ["=1+1", "普通", "@x", None, "-", "\tTAB"],
            "value": [-5, 3, 0, 1, -1, 2],
            "rate": [-0.5, 0.1, None, 1.0, 0.0, 2.0],
            "=col": ["a", "b", "c", "d", "e", "f"],
        }
    )
    got = csvsafe.neutralise_frame(df)
    assert got.columns == ["name", "value", "rate", "'=col"]
    assert got["name"].to_list() == ["'=1+1", "普通", "'@x", None, "'-", "'\tTAB"]
    assert got["value"].to_list() == [-5, 3, 0, 1, -1, 2]
    assert got["rate"].to_list() == [-0.5, 0.1, None, 1.0, 0.0, 2.0]
    data = csvsafe.csv_bytes(df)
    assert data.startswith(csvsafe.BOM)
    back = pl.read_csv(io.BytesIO(data[len(csvsafe.BOM) :]))
    assert back["name"].to_list() == ["'=1+1", "普通", "'@x", None, "'-", "'\tTAB"]
    assert back["value"].to_list() == [-5, 3, 0, 1, -1, 2]
    # no line of the CSV starts a cell with a formula character outside quotes
    assert not re.search(r"(^|,)[=+@]", data.decode("utf-8-sig"), re.M)


def test_categorical_column():
    df = pl.DataFrame({"k": ["=a", "b"]}, schema={"k": pl.Categorical})
    assert csvsafe.neutralise_frame(df)["k"].to_list() == ["'=a", "b"]


def test_no_other_csv_writer():
    """Every CSV the app and the CLI write goes through pipelines.csvsafe (a new export that called
    write_csv or the csv module directly would skip the neutralisation)."""
    offenders = []
    for p in [*ROOT.glob("app.py"), *ROOT.glob("app_pages/**/*.py"), *ROOT.glob("pipelines/**/*.py")]:
        if p.name == "csvsafe.py":
            continue
        text = p.read_text(encoding="utf-8")
        for pat in (r"\.write_csv\(", r"\bcsv\.writer\(", r"\bcsv\.DictWriter\(", r"\.to_csv\(", r"FORMAT\s+csv"):
            if re.search(pat, text, re.I):
                offenders.append(f"{p.relative_to(ROOT)}: {pat}")
    assert offenders == []
