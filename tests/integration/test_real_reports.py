"""The regression set: every real report in ../shared/real-reports, in every form it comes in,
extracts to its hand-checked truth (all of table 3 and table 4, agency, year, template)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.extract import extract_file
from tests.conftest import REAL_REPORTS, REPO, SHARED

SHARED_SAMPLES = SHARED / "samples"

FORMS = (".txt", ".md", ".html", ".pdf")


def _cases() -> list:
    if not REAL_REPORTS.exists():
        return [
            pytest.param(
                None,
                None,
                marks=pytest.mark.skip(reason=f"../shared is absent ({REAL_REPORTS}): real-report regression skipped"),
            )
        ]
    out = []
    for truth in sorted(REAL_REPORTS.glob("*.truth.json")):
        stem = truth.name[: -len(".truth.json")]
        for ext in FORMS:
            src = REAL_REPORTS / (stem + ext)
            if src.exists():
                out.append(pytest.param(src, truth, id=stem + ext))
    return out


@pytest.mark.parametrize("src,truth", _cases())
def test_real_report_matches_truth(src: Path, truth: Path) -> None:
    want = json.loads(truth.read_text(encoding="utf-8"))
    got = extract_file(src).to_json()
    assert got["agency"] == want["agency"]
    assert got["year"] == want["year"]
    assert got["template"] == want["template"]
    assert list(got["table3"]) == list(want["table3"]), "table 3 rows differ"
    for key, row in want["table3"].items():
        assert got["table3"][key] == row, f"table3.{key}"
    assert got["table4"] == want["table4"]


def test_every_real_report_form_is_covered() -> None:
    """A new file in ../shared/real-reports must not be silently ignored by the regression."""
    if not REAL_REPORTS.exists():
        pytest.skip(f"../shared is absent ({REAL_REPORTS})")
    stems = {p.name[: -len(".truth.json")] for p in REAL_REPORTS.glob("*.truth.json")}
    inputs = [p for p in REAL_REPORTS.iterdir() if p.suffix in FORMS and p.name != "SOURCES.md"]
    assert inputs and all(p.stem in stems for p in inputs)
    assert len(_cases()) == len(inputs) == 24


SAMPLE = REPO / "data" / "samples" / "xigong-commerce-2020.txt"


def test_shipped_sample_matches_its_truth() -> None:
    want = json.loads((SAMPLE.parent / "xigong-commerce-2020.truth.json").read_text(encoding="utf-8"))
    got = extract_file(SAMPLE).to_json()
    for f in ("agency", "year", "template", "table2", "table3", "table4", "fees_collected_yuan"):
        assert got[f] == want[f], f
    # lost cells are reported, never filled: one finding per row that lost numbers
    lost = {f["where"] for f in got["findings"] if f["check"].startswith(("P301", "P302"))}
    assert lost == {f"table3.{k}" for k, row in want["table3"].items() if row == [None] * 7}


def test_shipped_sample_is_the_shared_sample() -> None:
    src = SAMPLE.parent.parent.parent / ".." / "shared" / "samples" / "000_502fd0f0e67df8d6.txt"
    if not src.exists():
        pytest.skip("../shared is absent")
    assert SAMPLE.read_bytes() == src.read_bytes()


def test_one_cell_per_line_sample_matches_its_truth() -> None:
    """The shared synthetic sample of layout 1 (every cell on its own line, CR-only breaks, blank
    cells only as longer runs of empty lines)."""
    src = SHARED_SAMPLES / "one-cell-per-line.txt"
    if not src.exists():
        pytest.skip(f"../shared is absent ({src})")
    want = json.loads(src.with_suffix(".truth.json").read_text(encoding="utf-8"))
    got = extract_file(src).to_json()
    for f in ("agency", "year", "template", "table3", "table4"):
        assert got[f] == want[f], f
    told = [f for f in got["findings"] if f["check"].startswith("P311")]
    assert {(f["where"], f["severity"]) for f in told} == {("table3", "info"), ("table4", "info")}
