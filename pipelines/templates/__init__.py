"""The template vocabulary, as data: the one module that reads pipelines/templates/*.yaml.

- ``2019.yaml``, ``2021.yaml``: one file per version (its table-2 blocks, its table-3 rows with how their
  labels are matched, its table-4 keys). Adding a version (the day the format is revised) is a new YAML
  file here, not new parser code.
- ``vocabulary.yaml``: what the versions share: table 3's columns, rows (numbering, printed and short
  labels, zh/en names, outcome group, balance flow, the demo's share), the rows of one version that are a
  sum of rows of another (2019 其他处理 = the three 2021 rows), table 4's groups and outcomes.
- ``measures.yaml``: the dashboard's measures over those rows.

Every other module (parser, checks, loader, read API, pages, demo) asks here; none spells a row key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines import yamldata

HERE = Path(__file__).parent


@cache
def _vocabulary() -> dict:
    return yamldata.load((HERE / "vocabulary.yaml").read_text(encoding="utf-8"))


_V = _vocabulary()
_T3 = _V["table3"]
_T4 = _V["table4"]

# ---------------------------------------------------------------------------------------------
# The report's sections


@dataclass(frozen=True)
class Section:
    no: int  # 1..6
    number: str  # 一、
    zh: str
    en: str
    table: int | None  # the statistical table the section holds (2, 3, 4)

    @property
    def label(self) -> str:
        return self.number + self.zh


SECTIONS: tuple[Section, ...] = tuple(
    Section(i, s["number"], s["zh"], s["en"], s.get("table")) for i, s in enumerate(_V["sections"], start=1)
)


# ---------------------------------------------------------------------------------------------
# Table 3: columns

TABLE3_COLUMNS: tuple[str, ...] = tuple(c["key"] for c in _T3["columns"])
TABLE3_COLUMN_LABELS: dict[str, str] = {c["key"]: c["zh"] for c in _T3["columns"]}
TABLE3_COLUMN_EN: dict[str, str] = {c["key"]: c["en"] for c in _T3["columns"]}
# the English report page's column headers (``page_en`` where ``en`` is too long for a narrow column)
TABLE3_COLUMN_PAGE_EN: dict[str, str] = {c["key"]: c.get("page_en", c["en"]) for c in _T3["columns"]}
APPLICANT_COLUMNS: tuple[str, ...] = tuple(c["key"] for c in _T3["columns"] if c.get("applicant"))
TOTAL_COLUMN: str = next(c["key"] for c in _T3["columns"] if not c.get("applicant"))
TOTAL_COL = TABLE3_COLUMNS.index(TOTAL_COLUMN)  # index of 总计 among the seven cells
ORGANISATION_HEADER: str = _T3["organisation_header"]
ORGANISATION_HEADER_EN: str = _T3["organisation_header_en"]
OUTCOMES_HEADING: str = _T3["outcomes_heading"]
OUTCOMES_HEADING_EN: str = _T3["outcomes_heading_en"]
APPLICANT_HEADER: str = _T3["applicant_header"]
APPLICANT_HEADER_EN: str = _T3["applicant_header_en"]
BALANCE_NOTE: str = _T3["balance_note"]
BALANCE_NOTE_EN: str = _T3["balance_note_en"]
# row shape for digit-run splitting: (applicant column indexes, index of their total)
TABLE3_ROW_SUM: tuple[tuple[int, ...], int] = (tuple(TABLE3_COLUMNS.index(c) for c in APPLICANT_COLUMNS), TOTAL_COL)


# ---------------------------------------------------------------------------------------------
# Table 3: rows


@dataclass(frozen=True)
class Row:
    key: str
    number: str  # 一、 / （一） / 1.
    printed: str  # the label as the template prints it, after its number
    zh: str
    en: str
    short: str  # what the report page shows after the number
    group: str | None = None  # outcome group (denied / unable / rejected / other)
    flow: str | None = None  # in / out: the balance's rows
    total: bool = False  # the outcomes' total (（七）总计)
    share: float | None = None  # the demo's share of the outcomes
    number_en: str = ""  # 1. / (1): the English report page's numbering
    printed_en: str = ""  # the printed label in English

    @property
    def label(self) -> str:
        """Number + printed label (1.属于国家秘密)."""
        return self.number + self.printed

    @property
    def label_en(self) -> str:
        """The row as the English report page prints it ("(1) Granted")."""
        return f"{self.number_en} {self.printed_en or self.en}".strip()


@dataclass(frozen=True)
class Group:
    key: str
    number: str
    zh: str
    en: str
    number_en: str = ""

    @property
    def label(self) -> str:
        return self.number + self.zh

    @property
    def label_en(self) -> str:
        return f"{self.number_en} {self.en}".strip()


ROWS: tuple[Row, ...] = tuple(
    Row(
        key=r["key"],
        number=r["number"],
        printed=r["printed"],
        zh=r["zh"],
        en=r["en"],
        short=r.get("short", r["printed"]),
        group=r.get("group"),
        flow=r.get("flow"),
        total=bool(r.get("total")),
        share=r.get("share"),
        number_en=r.get("number_en", ""),
        printed_en=r.get("printed_en", ""),
    )
    for r in _T3["rows"]
)
ROW: dict[str, Row] = {r.key: r for r in ROWS}
ROW_KEYS: tuple[str, ...] = tuple(ROW)  # every version's rows in print order (2019 其他处理 before the 2021 three)
GROUPS: dict[str, Group] = {
    k: Group(k, g["number"], g["zh"], g["en"], g.get("number_en", "")) for k, g in _T3["groups"].items()
}
FLOW_IN: tuple[str, ...] = tuple(r.key for r in ROWS if r.flow == "in")
FLOW_OUT: tuple[str, ...] = tuple(r.key for r in ROWS if r.flow == "out")
FLOW_ROWS: tuple[str, ...] = tuple(r.key for r in ROWS if r.flow)  # the balance's four rows
FIRST_ROW: str = ROWS[0].key  # table 3 starts here (本年新收)
TOTAL_ROW: str = next(r.key for r in ROWS if r.total)  # （七）总计 = sum of the outcome rows
CARRIED_OVER_ROW: str = FLOW_IN[-1]  # 上年结转: last year's 结转下年度继续办理
CARRIED_FORWARD_ROW: str = next(k for k in FLOW_OUT if k != TOTAL_ROW)  # 结转下年度继续办理


def group_rows(group: str) -> tuple[str, ...]:
    """The rows of an outcome group (denied → the eight 不予公开 rows), in print order."""
    if group not in GROUPS:
        raise KeyError(group)
    return tuple(r.key for r in ROWS if r.group == group)


def outcome_rows(keys: tuple[str, ...] | list[str]) -> list[str]:
    """Of ``keys``, the outcome rows (every row but the balance's four)."""
    return [k for k in keys if k not in FLOW_ROWS]


@dataclass(frozen=True)
class Merged:
    """A row of one version equal to the sum of rows of another (2019 其他处理 = 2021 （六） 1–3)."""

    row: str
    parts: tuple[str, ...]
    fact: str  # its report_facts column


MERGED: tuple[Merged, ...] = tuple(Merged(m["row"], tuple(m["parts"]), m["fact"]) for m in _T3["merged"])


def merged_parts(row: str | None) -> tuple[str, ...]:
    """The rows another version splits ``row`` into (() if none)."""
    return next((m.parts for m in MERGED if m.row == row), ())


def row_label(key: str) -> str:
    """A row's label as the template prints it, its group's before it: （三）不予公开 6.属于四类过程性信息."""
    r = ROW.get(key)
    if r is None:
        return key
    text = r.number + r.short
    return f"{GROUPS[r.group].label} {text}" if r.group else text


def page_label(key: str) -> str:
    """The report page's label of a row: the group's label before its first row, then number + short label."""
    r = ROW.get(key)
    if r is None:
        return key
    text = r.number + r.short
    if r.group and group_rows(r.group)[0] == key:
        return f"{GROUPS[r.group].label} {text}"
    return text


# ---------------------------------------------------------------------------------------------
# Table 4


@dataclass(frozen=True)
class T4Group:
    key: str
    zh: str  # 未经复议直接起诉
    long: str  # 行政诉讼（未经复议直接起诉）
    page: str  # 行政诉讼·未经复议直接起诉
    en: str


TABLE4_GROUPS: tuple[str, ...] = tuple(g["key"] for g in _T4["groups"])
TABLE4_GROUP: dict[str, T4Group] = {
    g["key"]: T4Group(g["key"], g["zh"], g["long"], g["page"], g["en"]) for g in _T4["groups"]
}
TABLE4_OUTCOMES: tuple[str, ...] = tuple(o["key"] for o in _T4["outcomes"])
TABLE4_OUTCOME_ZH: dict[str, str] = {o["key"]: o["zh"] for o in _T4["outcomes"]}
TABLE4_OUTCOME_EN: dict[str, str] = {o["key"]: o["en"] for o in _T4["outcomes"]}
TABLE4_TOTAL: str = next(o["key"] for o in _T4["outcomes"] if o.get("total"))
TABLE4_HEADING: tuple[str, ...] = tuple(_T4["heading_zh"])
TABLE4_HEADING_EN: tuple[str, ...] = tuple(_T4["heading_en"])
TABLE4_KEYS: tuple[str, ...] = tuple(f"{g}_{o}" for g in TABLE4_GROUPS for o in TABLE4_OUTCOMES)


def table4_key(group: str, outcome: str) -> str:
    return f"{group}_{outcome}"


# each group's cells sum to its total: (indexes of the parts, index of the total) among the 15 values
TABLE4_SUMS: tuple[tuple[tuple[int, ...], int], ...] = tuple(
    (
        tuple(TABLE4_KEYS.index(table4_key(g, o)) for o in TABLE4_OUTCOMES if o != TABLE4_TOTAL),
        TABLE4_KEYS.index(table4_key(g, TABLE4_TOTAL)),
    )
    for g in TABLE4_GROUPS
)


# ---------------------------------------------------------------------------------------------
# report_facts: one wide row per report (the 总计 column of table-3 rows, the applicant mix of the first
# row, the merged rows' facts, table 4)

APPLICANT_FACTS: tuple[str, ...] = tuple(f"new_{c}" for c in APPLICANT_COLUMNS)  # FIRST_ROW's applicant columns


def _fact_rows() -> tuple[str, ...]:
    """Table-3 rows every version has (their 总计 is a fact column of the same name), in print order."""
    vs = list(templates().values())
    return tuple(k for k in ROW_KEYS if all(k in t.table3_keys for t in vs))


@dataclass(frozen=True)
class RowSpec:
    key: str
    match: tuple[str, ...]
    pattern: re.Pattern | None


_T2 = _V["table2"]
TABLE2_CONTENT_HEADER: tuple[str, str] = (_T2["content_header"]["zh"], _T2["content_header"]["en"])


@dataclass(frozen=True)
class T2Label:
    key: str  # row key (rules) or column suffix (issued)
    zh: str  # as the version prints it
    en: str


@dataclass(frozen=True)
class T2Block:
    """One clause of table 2 as a version prints it: its heading, rows and columns (cell key = row_column)."""

    clause: str  # 一
    zh: str  # 第二十条第（一）项
    en: str
    rows: tuple[T2Label, ...]
    columns: tuple[T2Label, ...]


def _t2_block(b: dict) -> T2Block:
    clause = _T2["clauses"][b["clause"]]
    printed = b.get("printed") or b["columns"]
    return T2Block(
        clause=b["clause"],
        zh=clause["zh"],
        en=clause["en"],
        rows=tuple(T2Label(r["key"], r.get("printed", r["key"]), _T2["rows_en"][r["key"]]) for r in b["rows"]),
        columns=tuple(T2Label(c, p, _T2["columns_en"][c]) for c, p in zip(b["columns"], printed)),
    )


@dataclass(frozen=True)
class Template:
    version: str
    years: tuple[int, ...]
    table2_headers: tuple[str, ...]
    table2_blocks: tuple[dict, ...]
    table3_rows: tuple[RowSpec, ...]
    table4_keys: tuple[str, ...]

    @property
    def table3_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.table3_rows)

    @property
    def table2_keys(self) -> tuple[str, ...]:
        return tuple(f"{row['key']}_{col}" for b in self.table2_blocks for row in b["rows"] for col in b["columns"])

    @property
    def table2_layout(self) -> tuple[T2Block, ...]:
        """Table 2's clauses with their printed row labels and column headers, in print order."""
        return tuple(_t2_block(b) for b in self.table2_blocks)


def _load(path: Path) -> Template:
    d = yamldata.load(path.read_text(encoding="utf-8"))
    rows = tuple(
        RowSpec(r["key"], tuple(r.get("match") or ()), re.compile(r["pattern"]) if r.get("pattern") else None)
        for r in d["table3"]["rows"]
    )
    return Template(
        version=str(d["version"]),
        years=tuple(d.get("years", ())),
        table2_headers=tuple(d["table2"]["headers"]),
        table2_blocks=tuple(d["table2"]["blocks"]),
        table3_rows=rows,
        table4_keys=tuple(d["table4"]["keys"]),
    )


@cache
def templates() -> dict[str, Template]:
    """Every known version, oldest first (the YAML files with a ``version``; the others are shared vocabulary)."""
    out = {}
    for p in sorted(HERE.glob("*.yaml")):
        if p.stem in ("vocabulary", "measures"):
            continue
        t = _load(p)
        out[t.version] = t
    return out


@cache
def data_version() -> str:
    """A digest of every template data file (name and bytes): changes whenever the template knowledge does."""
    h = hashlib.sha256()
    for p in sorted(HERE.glob("*.yaml")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def get(version: str) -> Template:
    return templates()[version]


def versions() -> tuple[str, ...]:
    """Every known version, oldest first."""
    return tuple(templates())


def version_only_rows(version: str) -> tuple[str, ...]:
    """Rows no other version has (their label alone tells the version: 2019 其他处理 row, 2021 （六） 1–3)."""
    others = {k for v, t in templates().items() if v != version for k in t.table3_keys}
    return tuple(k for k in get(version).table3_keys if k not in others)


FACT_ROWS: tuple[str, ...] = _fact_rows()
# report_facts columns in schema order: balance-in rows, applicant mix, outcome rows, merged facts, balance-out
# rows, table 4
FACT_COLUMNS: tuple[str, ...] = (
    tuple(k for k in FACT_ROWS if k in FLOW_IN)
    + APPLICANT_FACTS
    + tuple(k for k in FACT_ROWS if k not in FLOW_ROWS)
    + tuple(m.fact for m in MERGED)
    + tuple(k for k in FACT_ROWS if k in FLOW_OUT)
    + TABLE4_KEYS
)


# ---------------------------------------------------------------------------------------------
# Measures (measures.yaml)


@cache
def measure_specs() -> tuple[dict, ...]:
    """The dashboard's measures as dicts (key, zh, en, kind, num, den, scale, group, basis_zh, basis_en), the
    detail measures last; ``{GROUP}`` in a formula expanded to the sum of that outcome group's rows."""
    d = yamldata.load((HERE / "measures.yaml").read_text(encoding="utf-8"))
    sums = {g: "(" + " + ".join(f"x.{k}" for k in group_rows(g)) + ")" for g in GROUPS}

    def expand(f: str | None) -> str | None:
        return None if f is None else f.format(**sums)

    out = [{**m, "num": expand(m["num"]), "den": expand(m.get("den"))} for m in d["measures"]]
    det = d["detail"]
    rows: list[tuple[str, str, str, str]] = []  # (fact column, zh, en, table)
    a = det["applicants"]
    rows += [
        (f"new_{c}", f"{a['zh']}·{TABLE3_COLUMN_LABELS[c]}", f"{a['en']} · {TABLE3_COLUMN_EN[c]}", "3")
        for c in APPLICANT_COLUMNS
    ]
    for g in det["groups"]:
        gr = GROUPS[g]
        rows += [(k, f"{gr.zh}·{ROW[k].zh}", f"{gr.en} · {ROW[k].en}", "3") for k in group_rows(g)]
    rows += [(k, ROW[k].zh, ROW[k].en, "3") for k in det["rows"]]
    if det.get("table4"):
        for g in TABLE4_GROUPS:
            gz, ge = TABLE4_GROUP[g].zh, TABLE4_GROUP[g].en
            for o in TABLE4_OUTCOMES:
                rows.append((table4_key(g, o), f"{gz}·{TABLE4_OUTCOME_ZH[o]}", f"{ge} · {TABLE4_OUTCOME_EN[o]}", "4"))
    taken = {m["num"] for m in out if not m.get("den")}
    for col, zh, en, table in rows:
        if f"x.{col}" in taken:
            continue  # already a measure (review total = reviews)
        if table == "3":
            basis_zh, basis_en = f"表三 {zh}", f"table 3, {en}"
        else:
            basis_zh, basis_en = f"表四 {zh.replace('·', ' ')}", f"table 4, {en.replace(' · ', ', ')}"
        out.append(
            {
                "key": col,
                "zh": zh,
                "en": en,
                "kind": "count",
                "num": f"x.{col}",
                "den": None,
                "group": "detail",
                "basis_zh": basis_zh,
                "basis_en": basis_en,
            }
        )
    return tuple(out)


def expected_version(year: int | None) -> str | None:
    """The version a report for `year` should use (the newest whose first year is <= year)."""
    if year is None:
        return None
    best = None
    for v, t in templates().items():
        if t.years and min(t.years) <= year:
            best = v
    return best


# ---------------------------------------------------------------------------------------------
# Names of keys as people read them (findings' locations and messages, exports)


def row_name(key: str, lang: str = "zh") -> str:
    """A table-3 row's name with its outcome group (不予公开·国家秘密 / Withheld · state secret); the key if unknown."""
    r = ROW.get(key)
    if r is None:
        return key
    name = r.en if lang == "en" else r.zh
    if r.group:
        g = GROUPS[r.group]
        return f"{g.en} · {name}" if lang == "en" else f"{g.zh}·{name}"
    return name


def column_name(key: str, lang: str = "zh") -> str:
    """A table-3 column's name (自然人 / natural persons); the key if unknown."""
    return (TABLE3_COLUMN_EN if lang == "en" else TABLE3_COLUMN_LABELS).get(key, key)


def table4_name(key: str, lang: str = "zh") -> str:
    """A table-4 cell's name (行政复议·结果维持 / Review · upheld); the key if unknown."""
    for g in TABLE4_GROUPS:
        for o in TABLE4_OUTCOMES:
            if table4_key(g, o) == key:
                if lang == "en":
                    return f"{TABLE4_GROUP[g].en} · {TABLE4_OUTCOME_EN[o]}"
                return f"{TABLE4_GROUP[g].long}·{TABLE4_OUTCOME_ZH[o]}"
    return key


@cache
def _table2_names() -> dict[str, tuple[str, str]]:
    """Every table-2 row key and cell key of every version → (zh, en); the newest version's print wins."""
    out: dict[str, tuple[str, str]] = {}
    for t in templates().values():
        for b in t.table2_layout:
            for r in b.rows:
                out[r.key] = (r.zh, r.en)
                for c in b.columns:
                    out[f"{r.key}_{c.key}"] = (f"{r.zh}·{c.zh}", f"{r.en} · {c.en}")
    return out


def table2_name(key: str, lang: str = "zh") -> str:
    """A table-2 row or cell's name (规章·本年制发件数 / Rules · Issued this year); the key if unknown."""
    names = _table2_names().get(key)
    return key if names is None else names[lang == "en"]


def key_names(lang: str = "zh") -> dict[str, str]:
    """Every key a finding's text may print (table-3 rows and columns, table-4 and table-2 cells) → its name.
    (Table-3 columns: warehouses built before the demo named its blank cells in words hold messages that print
    the column keys, "应填 0 处空白：natural_person、commercial".)"""
    out = {k: column_name(k, lang) for k in TABLE3_COLUMNS}
    out.update({k: table2_name(k, lang) for k in _table2_names()})
    out.update({k: table4_name(k, lang) for k in TABLE4_KEYS})
    out.update({k: row_name(k, lang) for k in ROW_KEYS})
    return out


def cell_label(table_no: int, row_key: str, col_key: str, lang: str = "zh") -> str:
    """A cell as a reader names it, in the template's terms: 表三 上年结转 · 总计 / Table 3 … · Total,
    表四 行政复议 · 维持 … (table 2: its printed row and column labels)."""
    en = lang == "en"
    if table_no == 3:
        r = ROW.get(row_key)
        row = (r.en if en else r.zh) if r else row_key
        col = (TABLE3_COLUMN_EN if en else TABLE3_COLUMN_LABELS).get(col_key, col_key)
        return f"{'Table 3' if en else '表三'} {row} · {col}"
    if table_no == 4:
        for g in TABLE4_GROUPS:
            for o in TABLE4_OUTCOMES:
                if table4_key(g, o) == col_key:
                    group = TABLE4_GROUP[g].en if en else TABLE4_GROUP[g].page
                    return (
                        f"{'Table 4' if en else '表四'} {group} · {(TABLE4_OUTCOME_EN if en else TABLE4_OUTCOME_ZH)[o]}"
                    )
        return f"{'Table 4' if en else '表四'} {col_key}"
    return f"{'Table 2' if en else '表二'} {table2_name(row_key, lang)}"
