"""html._gather (one walk of a new tree for the title, the tables and the hidden elements) against the searches it
replaced: root.find(".//title") before pruning, then after stripping the non-content elements
[el for el in root.iter(*names) if _hidden(el)], and after pruning list(root.iter("table"))."""

from __future__ import annotations

import lxml.etree
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.readers import html

_TAGS = ["div", "span", "em", "p", "table", "tr", "td", "title", "head", "script", "style", "noscript", "form"]
_ATTRS = ["", " hidden", ' style="display:none"', ' style="COLOR:red; Display : None"', ' style="display:block"']


def _attached(el, root) -> bool:
    return any(anc is root for anc in el.iterancestors())


def _check(page: str) -> None:
    raw = page.encode("utf-8")
    root = lxml.etree.fromstring(raw, html._parser())
    if root is None:
        return
    names = html._hiding_tags(raw)
    title, tables, hidden = html._gather(root, names)
    assert title is root.find(".//title")
    # The old order: strip, then look for hidden elements among what is left.
    lxml.etree.strip_elements(root, *html._SKIP, with_tail=False)
    old_hidden = [el for el in root.iter(*names) if html._hidden(el)] if names else []
    assert [el for el in hidden if _attached(el, root)] == [el for el in old_hidden if el is not root]
    for el in old_hidden:
        html._remove_keep_tail(el)
    old_tree = lxml.etree.tostring(root)
    # The new order removes the same elements: those inside stripped subtrees change nothing.
    root2 = lxml.etree.fromstring(raw, html._parser())
    _, tables2, hidden2 = html._gather(root2, names)
    html._prune(root2, hidden2)
    assert lxml.etree.tostring(root2) == old_tree
    assert [t for t in tables2 if _attached(t, root2)] == list(root2.iter("table"))


@st.composite
def _trees(draw, depth: int = 0) -> str:
    n = draw(st.integers(0, 4 if depth < 3 else 0))
    parts = []
    for _ in range(n):
        tag = draw(st.sampled_from(_TAGS))
        attr = draw(st.sampled_from(_ATTRS))
        text = draw(st.sampled_from(["", "一", "本年收到12件", " x "]))
        tail = draw(st.sampled_from(["", "尾", " 3 "]))
        parts.append(f"<{tag}{attr}>{text}{draw(_trees(depth + 1))}</{tag}>{tail}")
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_trees())
def test_gather_matches_the_searches(body):
    _check(f"<html><head><title>题</title></head><body>{body}</body></html>")
    _check(f"<html><body>{body}</body></html>")


def test_gather_edge_pages():
    for page in (
        "<html><head><title hidden>隐</title><style hidden>x</style></head><body><p>正文</p></body></html>",
        '<html><body><div style="display:none"><table><tr><td>1</td></tr></table></div>'
        "<table><tr><td><table><tr><td>2</td></tr></table></td></tr></table></body></html>",
        "<html><body><noscript><div hidden>a<table><tr><td>3</td></tr></table></div>b</noscript>c"
        "<title>晚</title><em hidden>d</em>e</body></html>",
        '<html><body><table style="DISPLAY:NONE"><tr><td>4</td></tr></table><title>二</title></body></html>',
        "<html><body><p>无</p></body></html>",
    ):
        _check(page)
