"""scan_text dispatches once a match on the alternative that matched (Match.lastgroup) and tracks whether
its last item is text in a flag; Token.cut replaces dataclasses.replace(t, text=t.text[lo:hi]) in the digit
searches. Each against the form it replaced, on texts built from the scanner's own vocabulary."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.parse.digits import Token
from pipelines.parse.tokens import DATE_UNITS, NOTE, SCAN, scan_text


def scan_text_before(text: str) -> list[tuple[str, object]]:
    """scan_text as it was (group tests in turn, _add_text looking at the last item)."""
    if "(" in text:
        text = NOTE.sub(" ", text)
    out: list[tuple[str, Any]] = []
    gap = False
    for m in SCAN.finditer(text):
        if m.group("space"):
            gap = True
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + " ")
            continue
        if m.group("num") is not None:
            num, ordmark = m.group("num"), m.group("ord")
            unit = m.group("unit") or ""
            if unit in DATE_UNITS:
                _add_text(out, m.group(0))
                gap = False
                continue
            if ordmark and not unit and "." not in num:
                digits, ordinal = num[:-1], num[-1]
                if digits and digits not in "+-":
                    plain = digits.isdigit()
                    out.append(("tok", Token(digits, "num" if plain else "dec", plain, gap, "")))
                out.append(("text", ordinal + ordmark))
            else:
                kind = "num" if num.isdecimal() else "dec"
                out.append(("tok", Token(num, kind, kind == "num", gap, unit)))
            gap = False
            continue
        if m.group("dash"):
            out.append(("tok", Token(m.group("dash"), "dash", False, gap, "")))
            gap = False
            continue
        _add_text(out, m.group("text"))
        gap = False
    return out


def _add_text(out: list[tuple[str, object]], t: str) -> None:
    if out and out[-1][0] == "text":
        out[-1] = ("text", str(out[-1][1]) + t)
    else:
        out.append(("text", t))


PIECES = st.sampled_from(
    [
        "0", "12", "0012", "3.5", "+4", "-", "-7", "—", "–", "/", "无", "\\", "——", " ", "  ", "\t", "\u3000",
        "件", "元", "万元", "年", "月", "日", "次", ".", "、", "(", ")", "(其中修订16件)", "(指2019年事项数)",
        "其他", "申请人", "a", "x1", "１２", "٣", "２.", "1.", "2、", "00000002.其他", "合计", "\n",
    ]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(PIECES, max_size=24).map("".join))
def test_scan_text_as_before(text):
    assert scan_text(text) == scan_text_before(text)


@settings(deadline=None)
@given(st.text(max_size=40))
def test_scan_text_as_before_any_text(text):
    assert scan_text(text) == scan_text_before(text)


@settings(deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=1, max_size=12),
    st.sampled_from(["num", "dec", "dash"]),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "件", "元"]),
    st.floats(0, 1),
    st.data(),
)
def test_token_cut_is_replace(text, kind, splittable, gap, unit, conf, data):
    t = Token(text, kind, splittable, gap, unit, conf)
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    assert t.cut(lo, hi) == replace(t, text=text[lo:hi])


WHITE = st.sampled_from(
    [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2003", "\u3000", "\u200b"]
)


@settings(deadline=None)
@given(st.lists(st.one_of(WHITE, st.text(max_size=4)), max_size=12).map("".join))
def test_white_space_dropped_by_split_as_by_the_regex(text):
    """label_key and the title, fee and first-sentence readers drop white space with str.split/join instead of
    re.sub(r"\\s+", "", …): the same characters (both ask Py_UNICODE_ISSPACE)."""
    from pipelines.parse.tokens import label_key

    assert label_key(text) == "".join(text.split()) == re.sub(r"\s+", "", text)
