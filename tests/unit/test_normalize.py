"""normalize_text / nfkc: the fast path for full-width characters equals NFKC exactly."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.document import nfkc, normalize_chars, normalize_text

# Full-width forms, spaces, combining marks (which compose with what the fast path writes),
# CJK, ASCII and a few other compatibility characters.
ALPHABET = st.sampled_from(
    [chr(c) for c in range(0xFF01, 0xFF5F)]
    + list("\u00a0\u3000\u0301\u0308\u0327\u2460\u2162\u3392\ufb01")
    + list("一二三（）。，：；年度报告")
    + list("aAeE0123456789 ,.()\n\t")
    + ["\u200b", "\ufeff", "\u00ad"]
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_nfkc_equals_unicodedata(s):
    assert nfkc(s) == unicodedata.normalize("NFKC", s)


def test_examples():
    assert normalize_text("（一）予以公开\u3000１２\u00a0件\u200b") == "(一)予以公开 12 件"
    assert normalize_chars("a\u3000\u3000b\u200b\n") == "a  b\n"
    assert nfkc("ａ\u0301") == "á"  # the replaced letter composes with the mark after it
