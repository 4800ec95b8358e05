"""One formula evaluator: the compiled closures, with a precomputed plan for integer operands. The plan must
give exactly what the compiled form gives (instances, sides, operands), on real shapes of data."""

from __future__ import annotations

import pytest

from pipelines.checks.evaluator import FormulaError, evaluate

RULES = [
    ("t[a] + t[b] == t[c] + t[d]", {"t": {"a": 3, "b": 4, "c": 5, "d": 2}}, {}),
    (
        "t[k][c] == sum(t[r][c] for r in rs) for c in cs",
        {"t": {"k": {"x": 6, "y": 1}, "p": {"x": 4, "y": 1}, "q": {"x": 2, "y": None}}},
        {"rs": ["p", "q"], "cs": ["x", "y"]},
    ),
    (
        "t[g + '_total'] == t[g + '_a'] + t[g + '_b'] - t[g + '_c'] for g in gs",
        {"t": {"r_total": 5, "r_a": 3, "r_b": 4, "r_c": 2, "s_total": 1.5, "s_a": 1.25, "s_b": 0.25, "s_c": 0}},
        {"gs": ["r", "s"]},
    ),
]


@pytest.mark.parametrize("formula, tables, sets", RULES)
def test_plan_and_compiled_form_agree(formula, tables, sets):
    planned = evaluate(formula, tables, sets)
    compiled = evaluate(formula, tables, sets, planned=False)
    assert [(i.bindings, i.lhs, i.rhs, i.operands) for i in planned] == [
        (i.bindings, i.lhs, i.rhs, i.operands) for i in compiled
    ]
    assert planned  # and something was evaluated


def test_a_malformed_formula_fails_when_compiled():
    with pytest.raises(FormulaError, match="a string is not a number"):
        evaluate("t[a] == 'x'", {"t": {"a": 1}}, {})
    with pytest.raises(FormulaError, match="operand must be"):
        evaluate("t[a] == sum(1)[0]", {"t": {"a": 1}}, {})
