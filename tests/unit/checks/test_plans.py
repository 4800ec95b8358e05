"""Planned evaluation (per formula and set contents) against the compiled form it short-cuts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.checks import evaluator as ev
from pipelines.checks import rules, sets_for

COLS = ("natural", "commercial", "total")
ROWS = ("new_received", "carried_over", "granted", "other", "total_handled", "carried_forward")
SETS = {"columns": COLS, "applicant_columns": COLS[:2], "outcome_rows": ("granted", "other"), "table3_rows": ROWS}
FORMULAS = [
    "table3[new_received][c] + table3[carried_over][c] == table3[total_handled][c] + table3[carried_forward][c] for c in columns",
    "table3[total_handled][c] == sum(table3[r][c] for r in outcome_rows) for c in columns",
    "table3[r][total] == sum(table3[r][a] for a in applicant_columns) for r in table3_rows",
    "table3[total_handled][total] - 3 == table3[granted][total] - (table3[other][total] - 2) - 1",
]


def compiled(f, tables, sets):
    """The compiled form alone: what evaluate() gave before plans."""
    return ev.evaluate(f, tables, sets, planned=False)


def key(insts):
    return [(i.bindings, i.lhs, i.rhs, i.operands) for i in insts]


cell = st.one_of(st.none(), st.integers(-5, 50), st.booleans(), st.just("x"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(cell, min_size=3, max_size=3), min_size=len(ROWS), max_size=len(ROWS)), st.sampled_from(FORMULAS)
)
def test_plan_equals_compiled_form(values, formula):
    tables = {"table3": {r: dict(zip(COLS, v)) for r, v in zip(ROWS, values)}}
    f = ev.parse_formula(formula)
    planned = ev.evaluate(f, tables, SETS)
    assert ev._plan_for(f, {k: tuple(v) for k, v in SETS.items()}) is not None  # the plan was used
    assert key(planned) == key(compiled(f, tables, SETS))


def test_null_operand_makes_instance_not_assessable_and_is_recorded():
    tables = {"table3": {r: {"natural": 1, "commercial": 1, "total": 2} for r in ROWS}}
    tables["table3"]["other"]["natural"] = None
    (nat, com, tot) = ev.evaluate(FORMULAS[1], tables, SETS)
    assert (nat.lhs, nat.rhs, nat.assessable) == (1, None, False)
    assert nat.operands["other"] is None and nat.operands["granted"] == 1
    assert (com.lhs, com.rhs, com.passed(0)) == (1, 2, False)


def test_float_operand_is_evaluated_in_the_formulas_own_order():
    # 0.1 + 0.2 != 0.3 in floating point; the plan must not reorder the sum, so it hands floats
    # to the compiled form.
    tables = {"table3": {r: {"natural": 0, "commercial": 0, "total": 0} for r in ROWS}}
    tables["table3"]["granted"]["natural"] = 0.1
    tables["table3"]["other"]["natural"] = 0.2
    tables["table3"]["total_handled"]["natural"] = 0.3
    f = ev.parse_formula(FORMULAS[1])
    plan = ev._plan_for(f, {k: tuple(v) for k, v in SETS.items()})
    assert ev._run_plan(plan, tables) is None
    assert key(ev.evaluate(f, tables, SETS)) == key(compiled(f, tables, SETS))


def test_unknown_table_still_raises():
    f = ev.parse_formula("tableX[a] == 1")
    try:
        ev.evaluate(f, {"table3": {}}, SETS)
    except ev.FormulaError as e:
        assert "tableX" in str(e)
    else:
        raise AssertionError("no FormulaError")


def test_catalogue_rules_all_planned_on_a_full_report(balanced_2021):
    from pipelines.checks import report_context

    tables = report_context(balanced_2021)
    sets = {k: tuple(v) for k, v in sets_for(tables["table3"], tables["table4"]).items()}
    formula_rules = [r for r in rules("report") if not r.function]
    assert len(formula_rules) >= 4
    for r in formula_rules:
        f = ev.parse_formula(r.formula)
        assert ev._plan_for(f, sets) is not None, r.id
        assert key(ev.evaluate(f, tables, sets)) == key(compiled(f, tables, sets))
