"""The synthetic demo generator: determinism, identities, faults, carry-over chain, renames."""

from __future__ import annotations

import json

import pytest

from pipelines.demo.generate import generate
from pipelines.templates import TABLE3_COLUMNS, get

COLS = TABLE3_COLUMNS
OUTCOME_EXCLUDE = {"new_received", "carried_over", "total_handled", "carried_forward"}


@pytest.fixture(scope="module")
def corpus():
    return generate(seed=0)


def _faulted_places(rep):
    return {f["where"] for f in rep["faults"]}


def identity_failures(rep) -> set[str]:
    """Every place where an identity fails, as table3.ROW.COL / table3.ROW / table4.GROUP."""
    t3, bad = rep["table3"], set()
    z = lambda v: 0 if v is None else v
    for key, row in t3.items():
        if None not in row and sum(row[:6]) != row[6]:
            bad.add(f"table3.{key}")
    for c in range(7):
        col = {k: z(r[c]) for k, r in t3.items()}
        if col["new_received"] + col["carried_over"] != col["total_handled"] + col["carried_forward"]:
            bad.add(f"table3.balance.{COLS[c]}")
        if sum(v for k, v in col.items() if k not in OUTCOME_EXCLUDE) != col["total_handled"]:
            bad.add(f"table3.outcomes.{COLS[c]}")
    t4 = rep["table4"]
    for g in range(3):
        part = t4[g * 5 : g * 5 + 5]
        if None not in part and sum(part[:4]) != part[4]:
            bad.add(f"table4.group{g}")
    return bad


def test_same_seed_same_output_and_other_seed_differs():
    a, b = generate(seed=3, size=0.3), generate(seed=3, size=0.3)
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
    c = generate(seed=4, size=0.3)
    assert [r["table3"] for r in a] != [r["table3"] for r in c]


def test_size_and_shape(corpus):
    assert 1300 <= len(corpus) <= 1800
    years = {r["year"] for r in corpus}
    assert years == set(range(2019, 2026))
    for r in corpus[:200]:
        t = get(r["template"])
        assert list(r["table3"]) == list(t.table3_keys)
        assert all(len(v) == 7 for v in r["table3"].values())
        assert len(r["table4"]) == 15
        assert list(r["table2"]) == list(t.table2_keys)
        assert r["synthetic"] is True and r["dataset"] == "demo"
        assert r["region"]["province"] == "河南省" and r["region"]["city"] == "洛阳市"
        assert (r["fees_collected_yuan"] is None) == (r["year"] < 2021)


def test_template_by_year_with_a_few_lagging(corpus):
    assert all(r["template"] == "2019" for r in corpus if r["year"] <= 2020)
    assert all(r["template"] == "2021" for r in corpus if r["year"] >= 2022)
    lag = [r for r in corpus if r["year"] == 2021 and r["template"] == "2019"]
    n2021 = sum(r["year"] == 2021 for r in corpus)
    assert 1 <= len(lag) <= 0.1 * n2021
    assert "other" in lag[0]["table3"] and "other_misc" not in lag[0]["table3"]


def test_identities_hold_unless_faulted(corpus):
    clean = [r for r in corpus if not r["faults"]]
    assert len(clean) > 0.9 * len(corpus)
    for r in clean:
        assert identity_failures(r) == set(), r["agency"]
        assert None not in r["table4"] and all(None not in v for v in r["table3"].values())


def test_faults_rate_and_effects(corpus):
    faulted = [r for r in corpus if r["faults"]]
    assert 0.03 * len(corpus) <= len(faulted) <= 0.08 * len(corpus)
    kinds = {f["kind"] for r in faulted for f in r["faults"]}
    assert kinds == {"identity", "blank", "lost_cell", "carry_mismatch"}
    for r in faulted:
        for f in r["faults"]:
            parts = f["where"].split(".")
            if f["kind"] == "identity":
                bad = identity_failures(r)
                assert bad, f
                if parts[0] == "table3":
                    key, col = parts[1], parts[2]
                    # the altered cell's row sum or a column identity of its column fails
                    assert (
                        f"table3.{key}" in bad or f"table3.balance.{col}" in bad or f"table3.outcomes.{col}" in bad
                    ), (f, bad)
                else:
                    g = get("2021").table4_keys.index(parts[1]) // 5
                    assert bad == {f"table4.group{g}"}
            elif f["kind"] == "blank":
                row = r["table3"][parts[1]]
                assert row[1:6] == [None] * 5  # blank where 0 is meant: treating blanks as 0 balances
                assert not {b for b in identity_failures(r) if not b.startswith("table3." + parts[1])}
            elif f["kind"] == "lost_cell":
                key, col = parts[1], parts[2]
                assert r["table3"][key][COLS.index(col)] is None
                assert isinstance(f["original"], int)
            elif f["kind"] == "carry_mismatch":
                assert identity_failures(r) == set()  # only the cross-year chain breaks
    # only the faulted cells are null
    for r in corpus:
        nulls = {f"table3.{k}" for k, v in r["table3"].items() if None in v}
        assert nulls <= {".".join(f["where"].split(".")[:2]) for f in r["faults"]}


def test_carried_over_chain(corpus):
    by = {(r["agency_id"], r["year"]): r for r in corpus}
    checked = mismatch = 0
    for (aid, y), r in by.items():
        prev = by.get((aid, y - 1))
        if prev is None or prev["faults"] or r["faults"]:
            if prev is not None and any(f["kind"] == "carry_mismatch" for f in r["faults"]):
                f = next(f for f in r["faults"] if f["kind"] == "carry_mismatch")
                c = COLS.index(f["where"].split(".")[2])
                assert r["table3"]["carried_over"][c] != prev["table3"]["carried_forward"][c]
                mismatch += 1
            continue
        assert r["table3"]["carried_over"] == prev["table3"]["carried_forward"], (aid, y)
        checked += 1
    assert checked > 1000 and mismatch >= 1
    # a chain that actually carries something (not only zeros)
    assert sum(r["table3"]["carried_over"][6] or 0 for r in corpus if r["year"] > 2019) > 50


def test_agencies_renamed_created_and_merged_by_year(corpus):
    names = {}
    for r in corpus:
        names.setdefault(r["agency_id"], {})[r["year"]] = r["agency"]
    gov = names["demo:410381:gov"]
    assert gov[2020] == "偃师市人民政府" and gov[2021] == "偃师区人民政府"
    assert set(names["demo:410306:gov"]) == {2019, 2020}  # 吉利区 merged into 孟津区 in 2021
    nr = names["demo:410381:natural_resources"]  # 偃师: county reform in 2020
    assert nr[2019] == "偃师市国土资源局" and nr[2020] == "偃师市自然资源和规划局"
    assert set(names["demo:410381:planning"]) == {2019}  # 规划局 merged away
    eco = names["demo:410322:ecology"] if "demo:410322:ecology" in names else None
    created = [
        a
        for a, ys in names.items()
        if a.split(":")[2] in ("emergency", "medical_security", "veterans") and min(ys) == 2020
    ]
    assert created, "some county bodies are created by the 2020 reform"
    assert names["demo:410300:emergency"][2019] == "洛阳市应急管理局"
    assert eco is None or eco[2019].endswith(("环境保护局", "生态环境局"))
    types = {r["agency_type"] for r in corpus}
    assert types == {"government", "department", "subdistrict"}
    subs = [r["agency"] for r in corpus if r["agency_type"] == "subdistrict"]
    assert "西工区王城路街道办事处" in subs


def test_heavy_tailed_numbers(corpus):
    depts = sorted(
        r["table3"]["new_received"][6] or 0
        for r in corpus
        if r["agency_type"] == "department"
        and not r["agency_id"].endswith(("natural_resources", "housing", "police", "hrss", "market"))
    )
    assert depts[len(depts) // 2] <= 5  # most departments: a handful a year
    govs = [r["table3"]["new_received"][6] for r in corpus if r["agency_type"] == "government" and not r["faults"]]
    assert max(govs) >= 100
    nat = sum(r["table3"]["new_received"][0] for r in corpus if not r["faults"])
    tot = sum(r["table3"]["new_received"][6] for r in corpus if not r["faults"])
    assert 0.75 < nat / tot < 0.95
    t4 = [r["table4"] for r in corpus if not r["faults"]]
    reviews = sorted((t[4] for t in t4), reverse=True)
    assert sum(reviews[: len(reviews) // 10]) >= 0.6 * sum(reviews)  # concentrated in a few agencies
    corrected, decided = sum(t[1] for t in t4), sum(t[4] - t[3] for t in t4)
    assert 0.08 <= corrected / decided <= 0.25
    amt = [r["table2"]["procurement_amount_wan"] for r in corpus if r["template"] == "2019"]
    assert any(isinstance(a, float) and round(a, 4) == a for a in amt)
    assert any(r["table2"]["license_change"] < 0 for r in corpus if r["template"] == "2019")
