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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

_LOOP = re.compile(r"\s+for\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_]\w*)\s*$")


class FormulaError(ValueError):
    pass


@dataclass(frozen=True)
class Formula:
    lhs: ast.expr
    rhs: ast.expr
    loops: tuple[tuple[str, str], ...]  # (variable, set name), outermost first
    source: str


@cache
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
    ast.Compare,
    ast.Eq,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Subscript,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Call,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Store,
)


class Instance:
    """One evaluated instance of a rule (one column, one row, one group…): its loop bindings, its two sides and
    the operands it read. A plain class (compiled with mypyc: pipelines.native), equal and printed as the
    dataclass it was. An instance of a plan builds its bindings and operands when first read (_PlannedInstance)."""

    def __init__(
        self, bindings: dict[str, str], lhs: float | None, rhs: float | None, operands: dict[str, Any] | None = None
    ) -> None:
        self._bindings: dict[str, str] | None = bindings
        self.lhs = lhs
        self.rhs = rhs
        self._operands: dict[str, Any] | None = {} if operands is None else operands

    @property
    def bindings(self) -> dict[str, str]:
        b = self._bindings
        if b is None:
            b = self._bindings = self._built_bindings()
        return b

    @bindings.setter
    def bindings(self, value: dict[str, str]) -> None:
        self._bindings = value

    @property
    def operands(self) -> dict[str, Any]:
        o = self._operands
        if o is None:
            o = self._operands = self._built_operands()
        return o

    @operands.setter
    def operands(self, value: dict[str, Any]) -> None:
        self._operands = value

    def _built_bindings(self) -> dict[str, str]:
        return {}  # never reached: an eager instance holds its own

    def _built_operands(self) -> dict[str, Any]:
        return {}

    @property
    def assessable(self) -> bool:
        return self.lhs is not None and self.rhs is not None

    def passed(self, tolerance: float) -> bool | None:
        if self.lhs is None or self.rhs is None:
            return None
        return abs(self.lhs - self.rhs) <= tolerance + 1e-9

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instance):
            return NotImplemented
        return (self.bindings, self.lhs, self.rhs, self.operands) == (
            other.bindings,
            other.lhs,
            other.rhs,
            other.operands,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __repr__(self) -> str:
        return f"Instance(bindings={self.bindings!r}, lhs={self.lhs!r}, rhs={self.rhs!r}, operands={self.operands!r})"


class _Eval:
    """The state of one instance being evaluated: its tables, sets, loop bindings and the operands it read."""

    __slots__ = ("tables", "sets", "bindings", "operands")

    def __init__(self, tables: Mapping[str, Any], sets: Mapping[str, Iterable[str]], bindings: dict[str, str]):
        self.tables = tables
        self.sets = sets
        self.bindings = bindings
        self.operands: dict[str, Any] = {}


# --- the evaluator ------------------------------------------------------------------------------
# Each formula side is turned, once, into a tree of Python closures taking the _Eval of one instance: the
# dispatch on node types is paid once per formula, not once per node per instance. A node outside the
# grammar's shapes is refused here, when the formula is compiled (the catalogue compiles every rule as it
# loads, so a bad rule fails at once). The planned form below is this evaluator's precomputed path for
# integer operands (same instances, same operands; a test holds them equal).

_Fn = Callable[[_Eval], Any]


def _compile_key(node: ast.expr) -> Callable[[dict[str, str]], str] | None:
    """A key as a function of the bindings, or None when the node is not a well-formed key."""
    if isinstance(node, ast.Name):
        name = node.id
        return lambda b: b.get(name, name)
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)):
        text = str(node.value)
        return lambda b: text
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _compile_key(node.left), _compile_key(node.right)
        if left is None or right is None:
            return None
        return lambda b: left(b) + right(b)
    return None


def _compile_lookup(node: ast.Subscript) -> _Fn:
    key_fns: list[Callable[[dict[str, str]], str]] = []
    cur: ast.expr = node
    while isinstance(cur, ast.Subscript):
        k = _compile_key(cur.slice)
        if k is None:
            raise FormulaError(f"bad key: {ast.dump(cur.slice)}")
        key_fns.insert(0, k)
        cur = cur.value
    if not isinstance(cur, ast.Name):
        raise FormulaError("operand must be TABLE[key]…")
    table = cur.id
    prefix = "prev_" if table.startswith("prev_") else ""
    unknown = f"unknown table {table!r}"
    key_fns_t = tuple(key_fns)
    n_keys = len(key_fns_t)

    def lookup(ev: _Eval) -> float | None:
        bindings = ev.bindings
        if n_keys == 2:
            keys = [key_fns_t[0](bindings), key_fns_t[1](bindings)]
        else:
            keys = [k(bindings) for k in key_fns_t]
        tables = ev.tables
        if table not in tables:
            raise FormulaError(unknown)
        v: Any = tables[table]
        for k in keys:
            if v is None:
                break
            v = v.get(k) if isinstance(v, dict) else None
        v = v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        # the operands the instance read: by row key, and by the part after a bound prefix
        # (table4[g + '_total'] is also {total})
        row = keys[0]
        names = {row}
        for b in bindings.values():
            if row.startswith(b + "_"):
                names.add(row[len(b) + 1 :])
        operands = ev.operands
        for n in names:
            operands[prefix + n] = v
        return v

    return lookup


def _compile_value(node: ast.expr) -> _Fn:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        value = node.value
        return lambda ev: value
    if isinstance(node, ast.BinOp):
        left, right = _compile_value(node.left), _compile_value(node.right)
        if isinstance(node.op, ast.Add):

            def add(ev: _Eval) -> float | None:
                a, b = left(ev), right(ev)
                return None if a is None or b is None else a + b

            return add

        def sub(ev: _Eval) -> float | None:
            a, b = left(ev), right(ev)
            return None if a is None or b is None else a - b

        return sub
    if isinstance(node, ast.Subscript):
        return _compile_lookup(node)
    if (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and isinstance(node.args[0], ast.GeneratorExp)
        and len(node.args[0].generators) == 1
        and isinstance(node.args[0].generators[0].target, ast.Name)
        and isinstance(node.args[0].generators[0].iter, ast.Name)
    ):
        gen = node.args[0]
        comp = gen.generators[0]
        assert isinstance(comp.target, ast.Name) and isinstance(comp.iter, ast.Name)  # checked above
        var, set_name = comp.target.id, comp.iter.id
        elt = _compile_value(gen.elt)

        def total_of(ev: _Eval) -> float | None:
            total: float | None = 0
            bindings = ev.bindings
            saved = bindings.get(var)
            for item in ev.sets[set_name]:
                bindings[var] = item
                v = elt(ev)
                total = None if (v is None or total is None) else total + v
            if saved is None:
                bindings.pop(var, None)
            else:
                bindings[var] = saved
            return total

        return total_of
    if isinstance(node, ast.Constant):
        raise FormulaError("a string is not a number")
    if isinstance(node, ast.Call):
        raise FormulaError("sum() takes one generator")
    raise FormulaError(f"cannot evaluate {type(node).__name__}")


# Keyed by id (hashing a Formula hashes its AST fields); the Formula is kept in the entry, so
# its id cannot be reused while the entry lives.
_COMPILED: dict[int, tuple[Formula, _Fn, _Fn]] = {}


def compile_formula(f: Formula) -> tuple[_Fn, _Fn]:
    """(lhs, rhs) of a parsed formula as closures over an _Eval; built once per formula."""
    entry = _COMPILED.get(id(f))
    if entry is None or entry[0] is not f:
        entry = _COMPILED[id(f)] = (f, _compile_value(f.lhs), _compile_value(f.rhs))
    return entry[1], entry[2]


# --- planned form ------------------------------------------------------------------------------
# For one formula and one content of its sets, every instance's lookups are fixed: which table
# and keys, which operand names they record, with which sign they enter each side. The plan
# works that out once (symbolically, with _Eval's own key rules); an instance is then a few dict
# lookups and a sum. Exact: integer sums do not depend on their order, and an instance with a
# float operand (or any table the plan did not foresee) is evaluated by the compiled form.


_Side = tuple[int, tuple[int, ...], tuple[int, ...]]  # constant, slots added, slots subtracted


@dataclass(frozen=True)
class _Plan:
    slots: tuple[tuple[str, tuple[str, ...]], ...]  # (table, keys) of each lookup, in order
    # per instance: bindings, lhs/rhs as (constant, slots added, slots subtracted), operands as ((name, slot), ...)
    instances: tuple[tuple[dict[str, str], _Side, _Side, tuple[tuple[str, int], ...]], ...]
    pairs: tuple[tuple[str, str, str], ...] | None = None  # the slots as (table, row, col), when all are


class _NoPlan(Exception):
    pass


_SET_NAMES: dict[int, tuple[Formula, tuple[str, ...]]] = {}


def _set_names(f: Formula) -> tuple[str, ...]:
    """The sets a formula loops or sums over (cached per formula, like compile_formula)."""
    entry = _SET_NAMES.get(id(f))
    if entry is None or entry[0] is not f:
        entry = _SET_NAMES[id(f)] = (f, _find_set_names(f))
    return entry[1]


def _find_set_names(f: Formula) -> tuple[str, ...]:
    names = [s for _, s in f.loops]
    for side in (f.lhs, f.rhs):
        for node in ast.walk(side):
            if isinstance(node, ast.comprehension) and isinstance(node.iter, ast.Name):
                names.append(node.iter.id)
    return tuple(dict.fromkeys(names))


def _plan_lookup(node: ast.Subscript, b: dict[str, str], sign: int, terms: list, record: list, slots: dict) -> None:
    """A lookup of a planned formula: its slot (table, keys) added to terms with its sign, and the operand
    names it records (by row key, and by the part after a bound prefix)."""
    keys: list[str] = []
    cur: ast.expr = node
    while isinstance(cur, ast.Subscript):
        k = _compile_key(cur.slice)
        if k is None:
            raise _NoPlan
        keys.insert(0, k(b))
        cur = cur.value
    if not isinstance(cur, ast.Name):
        raise _NoPlan
    slot = slots.setdefault((cur.id, tuple(keys)), len(slots))
    terms.append((sign, slot))
    prefix = "prev_" if cur.id.startswith("prev_") else ""
    row = keys[0]
    names = [row] + [row[len(v) + 1 :] for v in b.values() if row.startswith(v + "_")]
    record.extend((prefix + n, slot) for n in dict.fromkeys(names))


def _plan(f: Formula, sets: Mapping[str, tuple[str, ...]]) -> _Plan:
    slots: dict[tuple[str, tuple[str, ...]], int] = {}
    instances = []

    def linear(node: ast.expr, b: dict[str, str], sign: int, terms: list, record: list) -> Any:
        """Adds node's lookups to terms (with sign) and record; returns its constant part."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int) and not isinstance(node.value, bool):
                return sign * node.value
            raise _NoPlan
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            c = linear(node.left, b, sign, terms, record)
            return c + linear(node.right, b, sign if isinstance(node.op, ast.Add) else -sign, terms, record)
        if isinstance(node, ast.Subscript):
            _plan_lookup(node, b, sign, terms, record, slots)
            return 0
        if (
            isinstance(node, ast.Call)
            and len(node.args) == 1
            and isinstance(node.args[0], ast.GeneratorExp)
            and len(node.args[0].generators) == 1
        ):
            comp = node.args[0].generators[0]
            if not (isinstance(comp.target, ast.Name) and isinstance(comp.iter, ast.Name)) or comp.ifs:
                raise _NoPlan
            c = 0
            for item in sets[comp.iter.id]:
                c += linear(node.args[0].elt, {**b, comp.target.id: item}, sign, terms, record)
            return c
        raise _NoPlan

    def rec(i: int, b: dict[str, str]) -> None:
        if i == len(f.loops):
            record: list = []
            lt: list = []
            rt: list = []
            lc = linear(f.lhs, b, 1, lt, record)
            rc = linear(f.rhs, b, 1, rt, record)

            def split(c: int, terms: list) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
                return c, tuple(s for sign, s in terms if sign > 0), tuple(s for sign, s in terms if sign < 0)

            instances.append((dict(b), split(lc, lt), split(rc, rt), tuple(record)))
            return
        var, set_name = f.loops[i]
        for item in sets[set_name]:
            rec(i + 1, {**b, var: item})

    rec(0, {})
    pairs = tuple((t, k[0], k[1]) for t, k in slots) if all(len(k) == 2 for _, k in slots) else None
    return _Plan(tuple(slots), tuple(instances), pairs)


_PLANS: dict[tuple, _Plan | None] = {}
_ABSENT = object()
_MAX_PLANS = 512


def _plan_for(f: Formula, sets: Mapping[str, tuple[str, ...]]) -> _Plan | None:
    names = _set_names(f)
    if any(n not in sets for n in names):
        return None  # the compiled form raises as it always did
    key = (id(f), f, *(sets[n] for n in names))
    try:
        return _PLANS[key]
    except KeyError:
        pass
    try:
        plan = _plan(f, sets)
    except _NoPlan:
        plan = None
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


_NONE_OR_INT = frozenset({int, type(None)})


def _fetch(plan: _Plan, tables: Mapping[str, Any]) -> list[Any] | None:
    """The plan's slot values the quick way: every slot a TABLE[row][col] that is there, every
    value an int or None (a whole report's table 3, as the parser leaves it). None otherwise."""
    if plan.pairs is None:
        return None
    try:
        values = [tables[t][row][col] for t, row, col in plan.pairs]
    except (KeyError, TypeError, IndexError):
        return None
    return values if set(map(type, values)) <= _NONE_OR_INT else None


def _run_plan(plan: _Plan, tables: Mapping[str, Any]) -> list[Instance] | None:
    values = _fetch(plan, tables)
    if values is not None:
        return _instances(plan, values)
    values = []
    append = values.append
    for table, keys in plan.slots:
        v: Any = tables.get(table, _ABSENT)
        if v is _ABSENT:
            return None
        if len(keys) == 2 and type(v) is dict:  # table3[row][col], the bulk of every plan
            v = v.get(keys[0])
            if v is not None:
                v = v.get(keys[1]) if isinstance(v, dict) else None
        else:
            for k in keys:
                if v is None:
                    break
                v = v.get(k) if isinstance(v, dict) else None
        if v is None or type(v) is int:
            append(v)
        elif isinstance(v, float) or (isinstance(v, int) and not isinstance(v, bool)):
            return None  # floats (and int subclasses): the compiled form keeps the tree's order
        else:
            append(None)
    return _instances(plan, values)


class _PlannedInstance(Instance):
    """An instance of a plan: its sides computed, its bindings and operands (read only to describe a failing
    instance) built when first asked for. Attribute for attribute the Instance the compiled form gives."""

    def __init__(self, bindings: dict[str, str], lhs: int | None, rhs: int | None, values: list, record: tuple):
        self._bindings = None
        self._operands = None
        self.lhs = lhs
        self.rhs = rhs
        self._plan_bindings = bindings  # the plan's own dict: copied when asked for
        self._values = values
        self._record = record

    def _built_bindings(self) -> dict[str, str]:
        return dict(self._plan_bindings)

    def _built_operands(self) -> dict[str, Any]:
        values = self._values
        return {name: values[slot] for name, slot in self._record}


def _instances(plan: _Plan, values: list) -> list[Instance]:
    return [
        _PlannedInstance(bindings, _side(values, *lhs), _side(values, *rhs), values, record)
        for bindings, lhs, rhs, record in plan.instances
    ]


def _side(values: list, const: int, plus: tuple[int, ...], minus: tuple[int, ...]) -> int | None:
    """const + Σ values[plus] − Σ values[minus]; None when any of them is None (integers only,
    so the order of the sum does not matter; a None makes sum() raise TypeError)."""
    try:
        return const + sum([values[i] for i in plus]) - sum([values[i] for i in minus])
    except TypeError:
        return None


def evaluate(
    formula: Formula | str, tables: Mapping[str, Any], sets: Mapping[str, Iterable[str]], *, planned: bool = True
) -> list[Instance]:
    """Every instance of the rule, one per combination of its loop variables. planned=False: by the compiled
    form alone, never a plan (what the plans are tested against)."""
    f = parse_formula(formula) if isinstance(formula, str) else formula
    tsets = {k: tuple(v) for k, v in sets.items()}
    plan = _plan_for(f, tsets) if planned else None
    if plan is not None:
        done = _run_plan(plan, tables)
        if done is not None:
            return done
    lhs_fn, rhs_fn = compile_formula(f)
    out: list[Instance] = []
    loops = f.loops
    n_loops = len(loops)

    def rec(i: int, bindings: dict[str, str]) -> None:
        if i == n_loops:
            ev = _Eval(tables, tsets, dict(bindings))
            lhs = lhs_fn(ev)
            rhs = rhs_fn(ev)
            out.append(Instance(dict(bindings), lhs, rhs, ev.operands))
            return
        var, set_name = loops[i]
        if set_name not in tsets:
            raise FormulaError(f"unknown set {set_name!r} in {f.source!r}")
        for item in tsets[set_name]:
            rec(i + 1, {**bindings, var: item})

    rec(0, {})
    return out


Function = Callable[..., Any]
