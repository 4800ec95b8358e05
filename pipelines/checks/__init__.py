"""The numbered check catalogue (catalogue.yaml) and the code that runs it on a Report.

`run(report)` appends a Finding per failing instance (check = "C301 table3_balance", …) and one
`info` finding per rule listing the instances that could not be assessed (a null operand), and
returns every CheckResult so callers can also count passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipelines import templates, yamldata
from pipelines.checks.evaluator import Instance, compile_formula, evaluate, parse_formula
from pipelines.report import Report

# Found from yamldata (never compiled): a compiled module's __file__ is its .so in .native/ (pipelines.native).
HERE = Path(yamldata.__file__).resolve().parent / "checks"

# the template vocabulary (pipelines/templates): columns, the balance's rows, table 4's groups and their labels
TABLE3_COLUMNS = templates.TABLE3_COLUMNS
APPLICANT_COLUMNS = templates.APPLICANT_COLUMNS
COLUMN_LABELS = templates.TABLE3_COLUMN_LABELS
BALANCE_ROWS = templates.FLOW_ROWS
TABLE4_KEYS = templates.TABLE4_KEYS
TABLE4_GROUPS = templates.TABLE4_GROUPS
GROUP_LABELS = {g: templates.TABLE4_GROUP[g].long for g in TABLE4_GROUPS}
DOCUMENT_ROWS = ("rules", "normative")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    scope: str
    severity: str
    formula: str
    tolerance: float
    not_assessable: str
    where: str
    message: str
    function: str | None = None
    title_zh: str = ""
    title_en: str = ""
    not_assessable_zh: str = ""
    not_assessable_en: str = ""

    @property
    def check(self) -> str:
        """The `check` field of a finding: id + short name."""
        return f"{self.id} {self.name}"


class CheckResult:
    """One instance of a rule on a report: status pass | fail | not_assessable, where, message and the fields
    they were written from. A plain class (compiled with mypyc: pipelines.native), equal and printed as the
    dataclass it was. A passing instance builds its where and fields when first read (_Passed)."""

    def __init__(
        self, rule: Rule, status: str, where: str, message: str = "", fields: dict[str, Any] | None = None
    ) -> None:
        self.rule = rule
        self.status = status
        self._where: str | None = where
        self.message = message
        self._fields: dict[str, Any] | None = {} if fields is None else fields

    @property
    def where(self) -> str:
        w = self._where
        if w is None:
            w = self._where = self._built_where()
        return w

    @where.setter
    def where(self, value: str) -> None:
        self._where = value

    @property
    def fields(self) -> dict[str, Any]:
        f = self._fields
        if f is None:
            f = self._fields = self._built_fields()
        return f

    @fields.setter
    def fields(self, value: dict[str, Any]) -> None:
        self._fields = value

    def _built_where(self) -> str:
        return ""  # never reached: an eager result holds its own

    def _built_fields(self) -> dict[str, Any]:
        return {}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckResult):
            return NotImplemented
        return (self.rule, self.status, self.where, self.message, self.fields) == (
            other.rule,
            other.status,
            other.where,
            other.message,
            other.fields,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __repr__(self) -> str:
        return (
            f"CheckResult(rule={self.rule!r}, status={self.status!r}, where={self.where!r},"
            f" message={self.message!r}, fields={self.fields!r})"
        )


def _load_rules(path: Path) -> tuple[Rule, ...]:
    d = yamldata.load(path.read_text(encoding="utf-8"))
    out = []
    seen = set()
    for r in d["rules"]:
        rule = Rule(
            id=str(r["id"]),
            name=r["name"],
            scope=r["scope"],
            severity=r["severity"],
            formula=r["formula"],
            tolerance=float(r.get("tolerance", 0)),
            not_assessable=r.get("not_assessable", "any_null"),
            where=r["where"],
            message=r["message"],
            function=r.get("function"),
            title_zh=r.get("title_zh", ""),
            title_en=r.get("title_en", ""),
            not_assessable_zh=r.get("not_assessable_zh", ""),
            not_assessable_en=r.get("not_assessable_en", ""),
        )
        if rule.id in seen:
            raise ValueError(f"duplicate check id {rule.id} in {path}")
        if rule.severity not in SEVERITIES:
            raise ValueError(f"{rule.id}: bad severity {rule.severity!r}")
        if rule.function is None:
            compile_formula(parse_formula(rule.formula))  # fail early on a bad formula; compiled once
        seen.add(rule.id)
        out.append(rule)
    return tuple(out)


@cache
def catalogue() -> tuple[Rule, ...]:
    """Every rule of catalogue.yaml, in file order."""
    return _load_rules(HERE / "catalogue.yaml")


@cache
def parser_codes() -> dict[str, str]:
    """The parser's finding ids (parser_codes.yaml): "P302 row_cells_missing" → its severity."""
    d = yamldata.load((HERE / "parser_codes.yaml").read_text(encoding="utf-8"))
    return {f"{c['id']} {c['name']}": c["severity"] for c in d["codes"]}


def known_check_ids() -> frozenset[str]:
    """Every finding id a warehouse may hold: the catalogue's rules and the parser's codes."""
    return frozenset({r.check for r in catalogue()} | set(parser_codes()))


def rules(scope: str | None = None) -> tuple[Rule, ...]:
    return tuple(r for r in catalogue() if scope is None or r.scope == scope)


def rule(rule_id: str) -> Rule:
    for r in catalogue():
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)


# --- contexts ---------------------------------------------------------------------------------


def _v(cell: Any) -> float | None:
    v = getattr(cell, "value", cell)
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


_NUMBER_TYPES = frozenset({int, float})


def _row_values(cells: Iterable[Any]) -> list[float | None]:
    """[_v(c) for c in cells], with the common types (int, float, None) decided without isinstance."""
    out: list[float | None] = []
    append = out.append
    for c in cells:
        v = getattr(c, "value", c)
        t = type(v)
        if t in _NUMBER_TYPES:
            append(v)
        elif v is None:
            append(None)
        else:
            append(v if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
    return out


def table3_dict(table3: Mapping[str, Iterable[Any]]) -> dict[str, dict[str, float | None]]:
    """{row: [CellValue×7]} → {row: {col: value}}."""
    cols = TABLE3_COLUMNS
    return {row: dict(zip(cols, _row_values(cells))) for row, cells in table3.items()}


def table4_dict(table4: Iterable[Any]) -> dict[str, float | None]:
    return dict(zip(TABLE4_KEYS, (_v(c) for c in table4)))


def table2_dict(table2: Mapping[str, Any]) -> dict[str, float | None]:
    return {k: _v(c) for k, c in table2.items()}


def sets_for(t3: Mapping[str, Any], t4: Mapping[str, Any] | None = None) -> dict[str, tuple[str, ...]]:
    """The sets a formula may loop over, restricted to the keys the report really has."""
    present = tuple(t3.keys())
    return {
        "columns": TABLE3_COLUMNS,
        "applicant_columns": APPLICANT_COLUMNS,
        "table3_rows": present,
        "outcome_rows": tuple(k for k in present if k not in BALANCE_ROWS),
        "table4_groups": TABLE4_GROUPS,
        "document_rows": DOCUMENT_ROWS,
    }


def report_context(report: Report) -> dict[str, Any]:
    return {
        "table3": table3_dict(report.table3),
        "table4": table4_dict(report.table4),
        "table2": table2_dict(report.table2),
    }


class _Fields(dict):
    """The fields a template is formatted with: an unknown field prints as itself, never raises."""

    def __missing__(self, k: str) -> str:
        return "{" + k + "}"


def _fmt(template: str, fields: Mapping[str, Any]) -> str:
    return template.format_map(_Fields({k: _num(v) for k, v in fields.items()}))


def _num(v: Any) -> Any:
    if v is None:
        return "空"
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, float):
        return round(v, 4)
    return v


def _instance_label(bindings: Mapping[str, str]) -> str:
    return ", ".join(COLUMN_LABELS.get(v, GROUP_LABELS.get(v, v)) for v in bindings.values())


def _instance_fields(inst: Instance) -> dict[str, Any]:
    """The descriptive fields of an instance (its operands, bindings, sides and labels), for where/message."""
    fields: dict[str, Any] = dict(inst.operands)
    fields.update(inst.bindings)
    fields.update(
        lhs=inst.lhs, rhs=inst.rhs, diff=None if inst.lhs is None or inst.rhs is None else inst.lhs - inst.rhs
    )
    if "c" in inst.bindings:
        fields["col_label"] = COLUMN_LABELS.get(inst.bindings["c"], inst.bindings["c"])
    if "g" in inst.bindings:
        fields["group_label"] = GROUP_LABELS.get(inst.bindings["g"], inst.bindings["g"])
    return fields


class _Passed(CheckResult):
    """A passing instance: its `where` and `fields` are built only when asked for (only a failing or not
    assessable instance is printed, and most instances pass). Equal to the eager CheckResult."""

    def __init__(self, rule: Rule, inst: Instance):
        self.rule = rule
        self.status = "pass"
        self.message = ""
        self._where = None
        self._fields = None
        self._inst = inst

    def _built_fields(self) -> dict[str, Any]:
        return _instance_fields(self._inst)

    def _built_where(self) -> str:
        try:
            return self.rule.where.format_map(self._inst.bindings)
        except (KeyError, IndexError, ValueError):
            return _fmt(self.rule.where, self.fields)


def evaluate_rule(r: Rule, tables: Mapping[str, Any], sets: Mapping[str, Iterable[str]]) -> list[CheckResult]:
    """Every instance of a formula rule as a CheckResult."""
    out: list[CheckResult] = []
    tol = r.tolerance + 1e-9
    for inst in evaluate(r.formula, tables, sets):
        lhs, rhs = inst.lhs, inst.rhs
        if lhs is not None and rhs is not None and abs(lhs - rhs) <= tol:  # Instance.passed, inlined
            out.append(_Passed(r, inst))
            continue
        fields = _instance_fields(inst)
        where = _fmt(r.where, fields)
        if lhs is None or rhs is None:
            out.append(CheckResult(r, "not_assessable", where, _instance_label(inst.bindings), fields))
        else:
            out.append(CheckResult(r, "fail", where, _fmt(r.message, fields), fields))
    return out


def record(report_add, r: Rule, results: list[CheckResult]) -> None:
    """Findings for one rule's results: one per failure, one info line for the not assessable."""
    for res in results:
        if res.status == "fail":
            report_add(r.check, r.severity, res.where, res.message)
    na = [res for res in results if res.status == "not_assessable"]
    if na:
        labels = "、".join(res.message for res in na if res.message) or str(len(na))
        where = na[0].where.split(".")[0] if len(na) > 1 else na[0].where
        report_add(
            r.check,
            "info",
            where,
            f"不可评估（运算项为空）: {labels}; not assessable ({len(na)} of {len(results)}: an operand is null)",
        )


def run(report: Report) -> list[CheckResult]:
    """Run every report-level rule on `report`, appending findings; returns every result."""
    from pipelines.checks import functions

    tables = report_context(report)
    sets = sets_for(tables["table3"], tables["table4"])
    results: list[CheckResult] = []
    for r in rules("report"):
        if r.function:
            res = getattr(functions, r.function)(r, report)
        else:
            res = evaluate_rule(r, tables, sets)
        record(report.add, r, res)
        results.extend(res)
    return results
