"""Fuzz read_bytes: whatever the bytes, the result is a Document or a ReadError naming the file."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.document import Document, ReadError, Table, TextBlock
from pipelines.readers import read_bytes

TOKENS = [
    "<html>",
    "</html>",
    "<body>",
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<th>",
    "<td rowspan='2'>",
    "<td colspan='3'>",
    "<td rowspan='0' colspan='-1'>",
    "<td colspan='99999999'>",
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<br>",
    "<span>",
    "</span>",
    "<o:p>",
    "</o:p>",
    "&nbsp;",
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "<title>",
    "</title>",
    "<?xml version='1.0'?>",
    "<meta charset='gbk'>",
    "| a | b |",
    "|---|---|",
    "\n",
    "# ",
    "\\|",
    "一、",
    "１２３",
    "（一）",
    "\u200b",
    "\u3000",
    "\x00",
    "\ufeff",
    "%PDF-",
    "<caption>",
    "<thead>",
    "<table><tr><td>",
]

html_ish = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=60).map("".join)
encoded = st.tuples(html_ish, st.sampled_from(["utf-8", "gb18030", "utf-16"])).map(
    lambda t: t[0].encode(t[1], errors="replace")
)


def _check(data: bytes) -> None:
    try:
        doc = read_bytes(data, "fuzz.html")
    except ReadError as e:
        msg = str(e)
        assert msg.startswith("fuzz.html: ") and "\n" not in msg
        return
    assert isinstance(doc, Document)
    for b in doc.blocks:
        assert isinstance(b, (TextBlock, Table))
        if isinstance(b, Table):
            assert len({len(r) for r in b.rows}) <= 1 or doc.format == "md"


SETTINGS = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data):
    _check(data)


@SETTINGS
@given(encoded)
def test_html_ish_text(data):
    _check(data)
