"""A small, safe evaluator for the catalogue's formulas.

Grammar (a subset of Python expressions, parsed with `ast`, every other node refused):

    rule     := expr '==' expr ( 'for' NAME 'in' NAME )*
    expr     := operand | expr ('+'|'-') expr | 'sum(' expr 'for' NAME 'in' NAME ')' | NUMBER | STRING
    operand  := TABLE '[' key ']' ( '[' key ']' )?
    key      := NAME | STRING | key '+' key          (a NAME is a loop variable if bound, else a literal)

Operands are looked up in a context of tables (`table3`, `table4`, `table2`, `prev_table3`, …); a
missing key or a null cell makes the value `None`, and `None` propagates through + and - and sum():
the instance is then *not assessable*.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping

_LOOP = re.compile(r"\s+for\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_]\w*)\s*$")


class FormulaError(ValueError):
    pass


@dataclass(frozen=True)
class Formula:
    lhs: ast.expr
    rhs: ast.expr
    loops: tuple[tuple[str, str], ...]  # (variable, set name), outermost first
    source: str


@lru_cache(maxsize=None)
def parse_formula(src: str) -> Formula:
    body = src.strip()
    loops: list[tuple[str, str]] = []
    while True:
        m = _LOOP.search(body)
        if not m:
            break
        # Only a trailing loop outside any parentheses belongs to the rule.
        head = body[: m.start()]
        if head.count("(") != head.count(")"):
            break
        loops.insert(0, (m.group(1), m.group(2)))
        body = head
    try:
        tree = ast.parse(body, mode="eval").body
    except SyntaxError as e:
        raise FormulaError(f"cannot parse formula {src!r}: {e.msg}") from None
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1 and isinstance(tree.ops[0], ast.Eq)):
        raise FormulaError(f"formula must be `LHS == RHS [for v in set]`: {src!r}")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise FormulaError(f"{type(node).__name__} not allowed in formula {src!r}")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id == "sum"):
            raise FormulaError(f"only sum() may be called in formula {src!r}")
    return Formula(tree.left, tree.comparators[0], tuple(loops), src)


_ALLOWED = (
    ast.Compare, ast.Eq, ast.BinOp, ast.Add, ast.Sub, ast.Subscript, ast.Name, ast.Load, ast.Constant,
    ast.Call, ast.GeneratorExp, ast.comprehension, ast.Store,
)


@dataclass
class Instance:
    """One evaluated instance of a rule (one column, one row, one group…)."""
    bindings: dict[str, str]
    lhs: float | None
    rhs: float | None
    operands: dict[str, Any] = field(default_factory=dict)

    @property
    def assessable(self) -> bool:
        return self.lhs is not None and self.rhs is not None

    def passed(self, tolerance: float) -> bool | None:
        if not self.assessable:
            return None
        return abs(self.lhs - self.rhs) <= tolerance + 1e-9


class _Eval:
    def __init__(self, tables: Mapping[str, Any], sets: Mapping[str, Iterable[str]], bindings: dict[str, str]):
        self.tables = tables
        self.sets = sets
        self.bindings = bindings
        self.operands: dict[str, Any] = {}

    def key(self, node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            return self.bindings.get(node.id, node.id)
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)):
            return str(node.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.key(node.left) + self.key(node.right)
        raise FormulaError(f"bad key: {ast.dump(node)}")

    def value(self, node: ast.expr) -> float | None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (int, float)):
                return node.value
            raise FormulaError("a string is not a number")
        if isinstance(node, ast.BinOp):
            a, b = self.value(node.left), self.value(node.right)
            if a is None or b is None:
                return None
            return a + b if isinstance(node.op, ast.Add) else a - b
        if isinstance(node, ast.Subscript):
            return self.lookup(node)
        if isinstance(node, ast.Call):
            (gen,) = node.args
            if not isinstance(gen, ast.GeneratorExp) or len(gen.generators) != 1:
                raise FormulaError("sum() takes one generator")
            comp = gen.generators[0]
            var, set_name = comp.target.id, comp.iter.id  # type: ignore[attr-defined]
            total: float | None = 0
            saved = self.bindings.get(var)
            for item in self.sets[set_name]:
                self.bindings[var] = item
                v = self.value(gen.elt)
                total = None if (v is None or total is None) else total + v
            if saved is None:
                self.bindings.pop(var, None)
            else:
                self.bindings[var] = saved
            return total
        raise FormulaError(f"cannot evaluate {type(node).__name__}")

    def lookup(self, node: ast.Subscript) -> float | None:
        keys: list[str] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Subscript):
            keys.insert(0, self.key(cur.slice))
            cur = cur.value
        if not isinstance(cur, ast.Name):
            raise FormulaError("operand must be TABLE[key]…")
        table = cur.id
        if table not in self.tables:
            raise FormulaError(f"unknown table {table!r}")
        v: Any = self.tables[table]
        for k in keys:
            if v is None:
                break
            v = v.get(k) if isinstance(v, dict) else None
        v = v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        self._record(table, keys, v)
        return v

    def _record(self, table: str, keys: list[str], v: float | None) -> None:
        prefix = "prev_" if table.startswith("prev_") else ""
        row = keys[0]
        names = {row}
        for b in self.bindings.values():  # table4[g + '_total'] is also {total}
            if row.startswith(b + "_"):
                names.add(row[len(b) + 1:])
        for n in names:
            self.operands[prefix + n] = v


def evaluate(formula: Formula | str, tables: Mapping[str, Any], sets: Mapping[str, Iterable[str]]) -> list[Instance]:
    """Every instance of the rule, one per combination of its loop variables."""
    f = parse_formula(formula) if isinstance(formula, str) else formula
    sets = {k: tuple(v) for k, v in sets.items()}
    out: list[Instance] = []

    def rec(i: int, bindings: dict[str, str]) -> None:
        if i == len(f.loops):
            ev = _Eval(tables, sets, dict(bindings))
            lhs, rhs = ev.value(f.lhs), ev.value(f.rhs)
            out.append(Instance(dict(bindings), lhs, rhs, ev.operands))
            return
        var, set_name = f.loops[i]
        if set_name not in sets:
            raise FormulaError(f"unknown set {set_name!r} in {f.source!r}")
        for item in sets[set_name]:
            rec(i + 1, {**bindings, var: item})

    rec(0, {})
    return out


Function = Callable[..., Any]
