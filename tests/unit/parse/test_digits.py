"""Digit-run segmentation: the truth is always among the splits, and a unique split is the truth."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.parse.digits import TABLE3_GROUPS, TABLE4_GROUPS, Token, compositions, segment


def glue(vals) -> list[Token]:
    return [Token("".join(str(v) for v in vals))]


def test_compositions_no_leading_zeros():
    assert list(compositions("100", 2)) == [(10, 0)]  # (1, 00) is no reading
    assert sorted(compositions("1010", 2)) == [(10, 10), (101, 0)]
    assert list(compositions("05", 2)) == [(0, 5)]
    assert list(compositions("05", 1)) == []
    assert list(compositions("0000000", 7)) == [(0,) * 7]


def test_real_run_from_pingtan_2021():
    # 新收 640020470 = 64,0,0,2,0,4,70: the row total leaves one split
    sg = segment(glue([64, 0, 0, 2, 0, 4, 70]), 7, TABLE3_GROUPS)
    assert sg.candidates == [(64, 0, 0, 2, 0, 4, 70)]
    assert sg.used_identity and sg.glued


def test_row_total_can_leave_two_splits():
    # 220000325: 22,0,0,0,0,3,25 and 2,20,0,0,0,3,25 both satisfy the row total
    sg = segment(glue([22, 0, 0, 0, 0, 3, 25]), 7, TABLE3_GROUPS)
    assert set(sg.candidates) == {(22, 0, 0, 0, 0, 3, 25), (2, 20, 0, 0, 0, 3, 25)}


def test_table4_seventeen_digits():
    sg = segment([Token("10203120001200000")], 15, TABLE4_GROUPS)
    assert sg.candidates == [(1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)]


def test_separated_tokens_taken_as_printed_even_if_identity_fails():
    toks = [Token(t) for t in "10 1 0 0 0 0 0 0 0 0 5 0 0 0 0".split()]
    sg = segment(toks, 15, TABLE4_GROUPS)
    assert sg.candidates == [(10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0)]
    assert not sg.used_identity


def test_lost_blank_cell_placed_at_the_gap():
    # "0 00000": six digits for seven cells, one gap in the text where a blank cell was
    sg = segment([Token("0"), Token("00000", gap_before=True)], 7, TABLE3_GROUPS)
    assert sg.candidates == [(0, None, 0, 0, 0, 0, 0)] and sg.gap_nulls == 1


def test_lost_cells_without_gaps_give_nothing():
    toks = [Token("0", gap_before=i > 0) for i in range(5)]
    sg = segment(toks, 7, TABLE3_GROUPS)
    assert sg.candidates == []  # 4 gaps, 2 cells lost: positions unknowable


def test_endless_run_is_given_up_not_hung():
    # 60 digits into 15 cells: too many readings to enumerate; reported as such, quickly
    sg = segment([Token("9" * 60)], 15, TABLE4_GROUPS)
    assert sg.candidates == [] and sg.exhausted


def test_too_many_values_is_overflow():
    assert segment([Token(str(i), splittable=False) for i in range(8)], 7).overflow


row7 = st.lists(st.integers(0, 999), min_size=6, max_size=6).map(lambda xs: tuple(xs) + (sum(xs),))


@settings(max_examples=200, deadline=None)
@given(row7)
def test_truth_is_among_splits_of_a_table3_row(vals):
    sg = segment(glue(vals), 7, TABLE3_GROUPS)
    assert vals in sg.candidates
    if len(sg.candidates) == 1:
        assert sg.candidates[0] == vals


group = st.lists(st.integers(0, 60), min_size=4, max_size=4).map(lambda xs: tuple(xs) + (sum(xs),))


@settings(max_examples=80, deadline=None)
@given(group, group, group, st.integers(1, 3))
def test_truth_is_among_splits_of_table4(a, b, c, pieces):
    vals = a + b + c
    if pieces == 1:
        toks = glue(vals)
    elif pieces == 3:
        toks = glue(a) + glue(b) + glue(c)
    else:
        toks = [Token(str(v)) for v in vals]
    sg = segment(toks, 15, TABLE4_GROUPS)
    assert vals in sg.candidates
    if pieces == 2:
        assert sg.candidates == [vals]
