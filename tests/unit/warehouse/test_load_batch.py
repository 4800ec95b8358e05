"""load_reports (a batch in one transaction) gives what load_report gives one report at a time."""

from __future__ import annotations

import random

import duckdb
import pytest

from pipelines.warehouse.db import ensure_schema
from pipelines.warehouse.load import LOADED, REPLACED, UNCHANGED, LoadItem, load_report, load_reports

from .test_load import make_report, no_entities  # noqa: F401  (fixture)

TABLES = {  # every table load writes, with its columns minus the load time
    "reports": "report_id, dataset, agency, agency_id, year, template, source_path, sha256, format, ocr,"
    " fees_collected_yuan, status, n_findings, run_id",
    "cells": "*",
    "report_facts": "*",
    "findings": "*",
    "report_texts": "*",
    "replacements": "run_id, old_report_id, new_report_id, agency_id, year, old_source_path, new_source_path, reason,"
    " old_extractor_version, new_extractor_version",
}


def fresh():
    c = duckdb.connect()
    ensure_schema(c)
    return c


def dump(con) -> dict[str, list]:
    return {t: sorted(map(repr, con.execute("SELECT " + cols + " FROM " + t).fetchall())) for t, cols in TABLES.items()}


def items(spec) -> list[LoadItem]:
    """spec: (sha, agency, year, dataset-less); paths name the position so replacements show order."""
    out = []
    for n, (sha, agency, year) in enumerate(spec):
        r = make_report(
            sha,
            agency=agency,
            year=year,
            base=n % 7,
            findings=[("C301 x", "error", "table3", f"f{n}")] if n % 3 == 0 else (),
        )
        r.extractor_version = 3 + n % 2  # each replacement records the version of the reading it replaces
        out.append(LoadItem(r, f"p{n}/{sha}.txt", sha, "txt"))
    return out


def one_by_one(con, its, dataset):
    return [
        load_report(con, it.report, dataset=dataset, source_path=it.source_path, sha256=it.sha256, fmt=it.fmt, run_id=7)
        for it in its
    ]


SPEC_BEFORE = [("a1", "西工区商务局", 2020), ("b1", "西工区财政局", 2020), ("c1", "老城区商务局", 2021)]
SPEC_BATCH = [
    ("a2", "西工区商务局", 2020),  # replaces a1 (in the warehouse)
    ("d1", "涧西区商务局", 2020),  # new
    ("d2", "涧西区商务局", 2020),  # replaces d1, written earlier in this batch
    ("b1", "西工区财政局", 2020),  # the same bytes as in the warehouse: unchanged
    ("d2", "涧西区商务局", 2020),  # the same bytes twice in the batch: unchanged
    ("e1", None, 2020),  # no agency: never replaces, never replaced
    ("e2", None, 2020),
    ("f1", "西工区商务局", None),  # no year likewise
    ("a1", "西工区商务局", 2020),  # a1 again after a2 replaced it: loaded anew, replacing a2
]


def test_batch_equals_one_at_a_time():
    seq, bat = fresh(), fresh()
    for c in (seq, bat):
        one_by_one(c, items(SPEC_BEFORE), "test")
    expected = one_by_one(seq, items(SPEC_BATCH), "test")
    got = load_reports(bat, items(SPEC_BATCH), dataset="test", run_id=7)
    assert got == expected == [REPLACED, LOADED, REPLACED, UNCHANGED, UNCHANGED, LOADED, LOADED, LOADED, REPLACED]
    assert dump(bat) == dump(seq)


def test_other_dataset_same_bytes_is_unchanged_and_never_replaced():
    seq, bat = fresh(), fresh()
    for c in (seq, bat):
        one_by_one(c, items([("x1", "西工区商务局", 2020)]), "other")
    spec = [("x1", "西工区商务局", 2020), ("x2", "西工区商务局", 2020)]
    assert (
        load_reports(bat, items(spec), dataset="test", run_id=7)
        == one_by_one(seq, items(spec), "test")
        == [UNCHANGED, LOADED]
    )
    assert dump(bat) == dump(seq)


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences_agree(seed):
    rng = random.Random(seed)
    agencies = ["西工区商务局", "西工区财政局", None]
    pool = [(f"s{rng.randrange(12)}", rng.choice(agencies), rng.choice([2020, 2021, None])) for _ in range(40)]
    # the same sha always with the same agency and year (it is the same file)
    first = {}
    spec = [first.setdefault(sha, (sha, a, y)) for sha, a, y in pool]
    seq, bat = fresh(), fresh()
    exp, got = [], []
    for i in range(0, len(spec), 9):
        exp += one_by_one(seq, items(spec[i : i + 9]), "test")
        got += load_reports(bat, items(spec[i : i + 9]), dataset="test", run_id=7)
    assert got == exp
    assert dump(bat) == dump(seq)


def test_a_report_that_cannot_be_written_costs_only_itself(monkeypatch):
    import pipelines.warehouse.load as load_mod

    its = items([("g1", "西工区商务局", 2020), ("g2", "西工区财政局", 2020), ("g3", "老城区商务局", 2020)])
    its[1].report.template = None
    real = load_mod.status_of

    def boom(findings):  # the second report breaks, in the batch and on its own
        if any(f.message == "boom" for f in findings):
            raise ValueError("cannot write this one")
        return real(findings)

    its[1].report.add("C301 x", "error", "table3", "boom")
    monkeypatch.setattr(load_mod, "status_of", boom)
    con = fresh()
    out = load_reports(con, its, dataset="test", run_id=7)
    assert out[0] == LOADED and out[2] == LOADED and isinstance(out[1], ValueError)
    assert sorted(r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()) == ["g1", "g3"]
    assert con.execute("SELECT count(*) FROM cells WHERE report_id = 'g2'").fetchone()[0] == 0
