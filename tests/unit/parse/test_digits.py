"""Digit-run segmentation: the truth is always among the splits, and a unique split is the truth."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipelines.parse.digits import (
    EXACT_MAX,
    TABLE3_GROUPS,
    TABLE4_GROUPS,
    Token,
    _dedupe,
    _Exhausted,
    _more_splits,
    _segment_digits,
    _split,
    compositions,
    segment,
    set_apart,
)


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


# --- the shortcuts give what the full searches give -------------------------------------------------

_token = st.one_of(
    st.builds(
        lambda text, splittable, gap: Token(text, "num", splittable, gap),
        st.text("0123456789", min_size=1, max_size=9) | st.text("0012", min_size=1, max_size=14),
        st.booleans(),
        st.booleans(),
    ),
    st.builds(lambda gap: Token("1.5", "dec", False, gap), st.booleans()),
    st.builds(lambda gap: Token("-", "dash", False, gap), st.booleans()),
)


def _ranges(tokens):
    return [range(1, len(t.text) + 1) if (t.kind == "num" and t.splittable) else range(1, 2) for t in tokens]


@settings(max_examples=200, deadline=None)
@given(st.lists(_token, min_size=1, max_size=6), st.sampled_from([3, 5, 7, 10, 15, 20]), st.integers(0, 4))
def test_counting_the_loose_splits_matches_listing_them(tokens, n, found):
    """_more_splits counts the walk _split lists (with no identity): the same answer, exhaustion included."""
    try:
        listed = len(_dedupe(_split(tokens, _ranges(tokens), n, (), limit=found + 1))) > found
    except _Exhausted:
        listed = True
    assert _more_splits(tokens, n, found) == listed


def test_counting_the_loose_splits_of_known_runs():
    assert _more_splits([Token("640020470")], 7, 1)  # 9 digits, 7 cells: several readings
    assert _more_splits([Token("1234567")], 7, 0) and not _more_splits([Token("1234567")], 7, 1)
    assert not _more_splits([Token("0000000")], 7, 1)
    assert _more_splits([Token("1" * 40)], 15, 10**9)  # more steps than the walk may take: counted as more


@settings(max_examples=150, deadline=None)
@given(st.lists(_token, min_size=1, max_size=8), st.sampled_from(["t3", "t4", "none"]))
# a decimal total (table 3's last cell read as 1.5): the compiled parser (pipelines.native) once refused a float
# where an int was annotated, with a TypeError the pure-Python parser never raised
@example([Token("0000"), Token("1.5", "dec"), Token("1.5", "dec"), Token("1.5", "dec")], "t3")
def test_one_digit_a_cell_reads_as_the_search_does(tokens, shape):
    """A row whose digits are exactly one a cell skips the search: the Segmentation is the search's."""
    groups = {"t3": TABLE3_GROUPS, "t4": TABLE4_GROUPS, "none": ()}[shape]
    tokens = set_apart(tokens)
    ranges = _ranges(tokens)
    n = sum(r[-1] for r in ranges)
    if n <= len(tokens) or n > EXACT_MAX:
        return  # not the shortcut's case (as many tokens as cells is read as printed)
    assert segment(tokens, n, groups) == _segment_digits(tokens, ranges, n, groups)


def test_one_digit_a_cell_known_rows():
    # 7 digits for table 3's 7 cells: the only reading, whether or not its total adds up
    assert segment([Token("1000001")], 7, TABLE3_GROUPS).candidates == [(1, 0, 0, 0, 0, 0, 1)]
    assert segment([Token("1000002")], 7, TABLE3_GROUPS).candidates == [(1, 0, 0, 0, 0, 0, 2)]
    assert segment([Token("1000002")], 7, TABLE3_GROUPS) == _segment_digits(
        [Token("1000002")], _ranges([Token("1000002")]), 7, TABLE3_GROUPS
    )
