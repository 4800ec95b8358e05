"""A passing instance's CheckResult builds its `where` and `fields` only when asked for, and its instance's
bindings and operands likewise (only a failing or not assessable instance is printed). Asked for, they must
be exactly what the eager construction gives: here the eager form is the compiled evaluator (no plan) and
the fields built as evaluate_rule built them for every instance before."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import checks
from pipelines.checks import evaluator as ev

generate = pytest.importorskip("pipelines.demo.generate")


def eager(r, tables, sets):
    """evaluate_rule as it was: every instance's fields and where built, from the compiled form."""
    insts = ev.evaluate(r.formula, tables, sets, planned=False)
    out = []
    for inst in insts:
        fields = dict(inst.operands)
        fields.update(inst.bindings)
        fields.update(
            lhs=inst.lhs, rhs=inst.rhs, diff=None if inst.lhs is None or inst.rhs is None else inst.lhs - inst.rhs
        )
        if "c" in inst.bindings:
            fields["col_label"] = checks.COLUMN_LABELS.get(inst.bindings["c"], inst.bindings["c"])
        if "g" in inst.bindings:
            fields["group_label"] = checks.GROUP_LABELS.get(inst.bindings["g"], inst.bindings["g"])
        ok = inst.passed(r.tolerance)
        if ok:
            try:
                where = r.where.format_map(inst.bindings)
            except (KeyError, IndexError, ValueError):
                where = checks._fmt(r.where, fields)
            out.append(("pass", where, "", fields))
        elif ok is None:
            out.append(("not_assessable", checks._fmt(r.where, fields), checks._instance_label(inst.bindings), fields))
        else:
            out.append(("fail", checks._fmt(r.where, fields), checks._fmt(r.message, fields), fields))
    return out


def lazy(r, tables, sets):
    return [(x.status, x.where, x.message, x.fields) for x in checks.evaluate_rule(r, tables, sets)]


def test_lazy_results_equal_the_eager_ones_on_a_demo_corpus():
    truths = generate.generate(size=0.05, seed=11)
    statuses = set()
    for t in truths:
        t3 = {k: dict(zip(checks.TABLE3_COLUMNS, row)) for k, row in t["table3"].items()}
        tables = {"table3": t3, "table4": dict(zip(checks.TABLE4_KEYS, t["table4"])), "table2": dict(t["table2"])}
        sets = checks.sets_for(t3)
        for r in checks.rules("report"):
            if r.function is None:
                got = lazy(r, tables, sets)
                assert got == eager(r, tables, sets), (t["report_id"], r.id)
                statuses |= {g[0] for g in got}
    assert statuses == {"pass", "fail", "not_assessable"}  # every kind was compared


cell = st.one_of(st.none(), st.integers(0, 30), st.booleans(), st.floats(0, 30, allow_nan=False), st.just("x"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(cell, min_size=7, max_size=7), min_size=4, max_size=12), st.data())
def test_lazy_results_equal_the_eager_ones_on_any_table(rows, data):
    keys = data.draw(st.permutations(list(checks.BALANCE_ROWS) + ["granted", "other", "rows_x", "withdrawn"]))
    t3 = {k: dict(zip(checks.TABLE3_COLUMNS, v)) for k, v in zip(keys, rows)}
    tables = {"table3": t3, "table4": {}, "table2": {}}
    sets = checks.sets_for(t3)
    for r in checks.rules("report"):
        if r.function is None:
            assert lazy(r, tables, sets) == eager(r, tables, sets), r.id


def test_a_passing_result_reads_equals_and_prints_as_the_eager_one():
    """A passing instance's result (where and fields built when first read) is the CheckResult built eagerly
    with the same values: equal both ways, the same repr; assigning a field sets it outright."""
    r = checks.rule("C301")
    row = dict.fromkeys(checks.TABLE3_COLUMNS, 1)
    t3 = {k: dict(row) for k in checks.BALANCE_ROWS}
    t3[checks.BALANCE_ROWS[0]] = dict.fromkeys(checks.TABLE3_COLUMNS, 2)  # new + carried == handled + forward
    t3[checks.BALANCE_ROWS[2]] = dict.fromkeys(checks.TABLE3_COLUMNS, 2)
    results = checks.evaluate_rule(r, {"table3": t3, "table4": {}, "table2": {}}, checks.sets_for(t3))
    passed = [x for x in results if x.status == "pass"]
    assert passed and type(passed[0]) is not checks.CheckResult  # the lazy form was used
    for x in passed:
        e = checks.CheckResult(x.rule, "pass", x.where, "", dict(x.fields))
        assert x == e and e == x and repr(x) == repr(e)
        assert x.fields["lhs"] == x.fields["rhs"] == 3 and x.where
    x = passed[0]
    x.where, x.fields = "elsewhere", {"set": 1}
    assert (x.where, x.fields) == ("elsewhere", {"set": 1})
    assert x != checks.CheckResult(x.rule, "pass", "elsewhere", "", {})
