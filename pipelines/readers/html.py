"""HTML → Document with lxml: text blocks and tables in page order.

Word-exported pages split one number over several <span>s, so inline elements are joined
without inserting anything; only block boundaries (p, div, br, li, …) separate text. Tables
become rectangular grids with rowspan/colspan resolved.

Memory: a parsed page costs ~250 bytes per element, so a 50 MB page of small tags would take
gigabytes; before libxml2 builds anything, the page's bytes are counted (memchr speed) and a page
with more tags or table cells than pipelines.settings allows is refused (_check_markup). The tree is
then at most a few hundred MB whatever the page.

Speed: the page is parsed once by libxml2 (from its bytes when they are UTF-8), hidden elements
are found from the page source, and one XSLT pass (C, libxslt) writes the whole page out as text
with separators, tables as records of rows and cells (_fast_blocks). Python only splits that
text, builds the grids and reads the rare tables holding other tables. A page whose own text
holds a separator character is read by an element walk instead (_walk_blocks, iterative, so
pathologically deep pages cannot exhaust the Python stack).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from itertools import islice

import lxml.etree

from pipelines import settings
from pipelines.document import Cell, Document, ReadError, Table, TextBlock, normalize_chars

# Content never shown as page text.
_SKIP = frozenset(
    {
        "head",
        "title",
        "script",
        "style",
        "noscript",
        "template",
        "select",
        "textarea",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "button",
        "canvas",
        "audio",
        "video",
        "map",
    }
)
# Elements whose start and end break the text into separate blocks.
_BLOCK = frozenset(
    {
        "html",
        "body",
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "blockquote",
        "pre",
        "address",
        "form",
        "fieldset",
        "legend",
        "figure",
        "figcaption",
        "hr",
        "br",
        "center",
        "caption",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "details",
        "summary",
        "menu",
        "dir",
        "option",
        "label",
        "frameset",
        "frame",
        "noframes",
    }
)
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_SPAN = re.compile(r"\s*(\d+)")
_MAX_COLSPAN = 1000  # the HTML standard's own cap
_MAX_GRID_CELLS = settings.MAX_TABLE_CELLS  # a real report table has a few hundred cells; appendices a few thousand
_MAX_TAGS = settings.MAX_HTML_TAGS  # a real report page has a few thousand
# A table holding another table is page layout (not data) when a cell around the inner table
# also carries this much prose of its own.
_LAYOUT_TEXT = 100


def _clean(s: str) -> str:
    """normalize_text, then every white-space run (newlines too) folded to one space."""
    return " ".join(normalize_chars(s).split())


# Separators in text read out of the tree: noncharacters of planes 14–16 (never in real text,
# but legal in XML, so lxml and libxslt pass them through). They are NFKC-stable (unassigned:
# no decomposition, never composed with a neighbour, combining class 0), so normalising "a␀b"
# gives normalize(a) + "␀" + normalize(b); they are neither white space nor zero-width, so
# normalisation keeps them. In UTF-8 they start with F3 or F4, bytes Chinese pages hardly ever
# hold, so one byte search (memchr) shows a page cannot contain them.
_SEP = "\U0010fffe"  # a block boundary
_TABLE = "\U0010ffff"  # a table record begins (its rows follow)
_TR = "\U000ffffe"  # a row begins
_TD = "\U000fffff"  # before a cell's rowspan, its colspan and its text
_END = "\U000efffe"  # the table record ends
_BUILT = "\U000effff"  # a table already read in Python, by its number
_SEPARATORS = (_SEP, _TABLE, _TR, _TD, _END, _BUILT)
# The separators written as character references (then the page text could hold them).
_SEPARATOR_REF = re.compile(
    r"&#(?:[xX]0*(?:10|[eEfF])[fF]{3}[eEfF]|0*(?:111411[01]|104857[45]|98303[89]))(?![0-9a-fA-F])"
)


def _clean_many(texts: list[str]) -> list[str]:
    """[_clean(t) for t in texts] with one normalisation over all of them."""
    if len(texts) < 2:
        return [_clean(t) for t in texts]
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:  # a text holds the separator itself
        return [_clean(t) for t in texts]
    return [" ".join(p.split()) for p in normalize_chars(joined).split(_SEP)]


# Hidden content. Where it may be is found in the page's UTF-8 bytes (fast literal searches on the lower-cased
# bytes, so any mix of cases is found: dIsPlAy:none), so the tree is only searched for the elements named there:
# a style saying display:none or a `hidden` attribute can only be on an element whose start tag holds it. Each
# candidate is then checked on the parsed element itself. (CSS rules in <style> and entity-escaped styles are
# not honoured; no real report page hides content that way.) One path for every page: a page decoded from
# GBK is searched in its UTF-8 bytes too, so both forms of a page give the same Document.
_HIDE_ATTR_TEXT = re.compile(r"\shidden(?=[\s=/>])", re.IGNORECASE)
_TAG_NAME = re.compile(r"<([A-Za-z][^\s/<>]*)")
_HIDE_SEARCH = (
    (re.compile(_HIDDEN.pattern.encode()), (b"isplay",), 1),
    (re.compile(_HIDE_ATTR_TEXT.pattern.encode()), (b"idden",), 2),
    re.compile(_TAG_NAME.pattern.encode()),
    b"<",
)


class _Page:
    """The page being read: its source name, for errors."""

    __slots__ = ("source",)

    def __init__(self, source: str):
        self.source = source

    @staticmethod
    def skip(el) -> bool:
        """Comments/PIs and non-content elements (hidden ones are already pruned)."""
        tag = el.tag
        return not isinstance(tag, str) or tag in _SKIP


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return style is not None and _HIDDEN.search(style) is not None


def _remove_keep_tail(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _hiding_tags(src: bytes) -> set[str]:
    """The tag names of the elements that may be hidden (an inline display:none or a hidden attribute in their
    start tag), read from the page's UTF-8 bytes."""
    names: set[str] = set()
    style, attr, tag_name, lt_char = _HIDE_SEARCH
    src = src.lower()  # bytes.lower keeps every position
    # Case-insensitive regexes cannot use a fast literal search: find the words with bytes.find, then match there.
    for rx, words, back in (style, attr):
        for word in words:
            i = src.find(word)
            while i >= 0:
                m = rx.match(src, i - back) if i >= back else None
                if m is not None:
                    lt = src.rfind(lt_char, 0, m.start())
                    tag = tag_name.match(src, lt) if lt >= 0 else None
                    if tag is not None:
                        names.add(tag.group(1).decode("ascii", "replace").lower())
                i = src.find(word, i + 1)
    return names


def _gather(root, names: set[str]) -> tuple:
    """(the first <title>, the tables, the hidden elements of the names' tags): the root's descendants, in
    document order, in one walk of the tree. A walk costs ~0.2 ms on a page just parsed, and lxml's
    tag-filtered iterators look one match ahead, so even root.find(".//title") walked the whole tree."""
    title = None
    tables: list = []
    hidden: list = []
    for el in root.iterdescendants("title", "table", *names):
        tag = el.tag
        if tag in names and _hidden(el):
            hidden.append(el)
        if tag == "table":
            tables.append(el)
        elif tag == "title" and title is None:
            title = el
    return title, tables, hidden


def _prune(root, hidden: list) -> None:
    """Drop non-content and hidden elements up front, so the reading below needs no per-element checks.
    hidden: _gather's, found before this (one inside a subtree stripped here is detached with it: removing
    it then changes nothing in the tree)."""
    lxml.etree.strip_elements(root, *_SKIP, with_tail=False)
    # Outermost first is not needed: removing an element inside one already removed is harmless.
    for el in hidden:
        _remove_keep_tail(el)


def _mark_blocks(table) -> None:
    """Put a newline at the start and end of every block element inside a table, so a cell's
    text can be taken in one C-level call (tostring method="text") with blocks still apart."""
    for el in table.iter(*_INNER_BLOCK):
        el.text = "\n" + el.text if el.text else "\n"
        el.tail = "\n" + el.tail if el.tail else "\n"


def _cell_text(cell, page: _Page) -> str:
    """Text of one td/th: inline pieces joined as they are, blocks separated by one space;
    nested tables are left out (they are emitted as tables of their own)."""
    parts: list[str] = []
    walker = lxml.etree.iterwalk(cell, events=("start", "end"))
    for event, el in walker:
        if el is cell:
            if event == "start" and el.text:
                parts.append(el.text)
            continue
        tag = el.tag
        if event == "start":
            if page.skip(el) or tag == "table":
                walker.skip_subtree()
                if tag in _BLOCK:
                    parts.append("\n")
                continue
            if tag in _BLOCK:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if isinstance(tag, str) and tag in _BLOCK:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
    return _clean("".join(parts))


def _children_of_kind(root, kinds: frozenset[str], page: _Page):
    """Descendants of root with a tag in kinds, not descending into them nor into nested tables
    (nor into skipped content). Found with lxml's C-level tag-filtered iteration; each hit is
    then kept when no element between it and root is of a kind, a table or skipped."""
    out = []
    for el in root.iter(*kinds):
        if el is root:
            continue
        if page.skip(el):
            continue
        for anc in el.iterancestors():
            if anc is root:
                out.append(el)
                break
            tag = anc.tag
            if tag in kinds or tag == "table" or page.skip(anc):
                break
    return out


_INNER_BLOCK = tuple(sorted(_BLOCK - {"html", "body", "table", "thead", "tbody", "tfoot", "tr", "td", "th"}))
_ROW = frozenset({"tr"})
_CAPTION = frozenset({"caption"})
_CELL = frozenset({"td", "th"})


def _span(value: str | None, cap: int) -> int:
    if not value:
        return 1
    m = _SPAN.match(value)
    if not m:
        return 1
    n = int(m.group(1)[:7])
    return max(1, min(n, cap))


def _build_table(table, page: _Page, simple: bool) -> Table | None:
    """simple: table holds no nested table, so every tr/td below it is its own.

    The cell texts are cleaned in one batch (one NFKC pass over the whole table)."""
    rows = list(table.iter("tr")) if simple else _children_of_kind(table, _ROW, page)
    raw: list[str] = []  # texts still to clean
    done: dict[int, str] = {}  # index → text already clean (cells holding a nested table)
    spans: list[list[tuple[str | None, str | None]]] = []
    for tr in rows:
        line = []
        for td in tr.iter("td", "th") if simple else _children_of_kind(tr, _CELL, page):
            if simple or next(td.iter("table"), None) is None:
                raw.append(lxml.etree.tostring(td, method="text", encoding="unicode", with_tail=False))
            else:
                done[len(raw)] = _cell_text(td, page)
                raw.append("")
            line.append((td.get("rowspan"), td.get("colspan")))
        spans.append(line)
    texts = _clean_many(raw)
    for k, t in done.items():
        texts[k] = t
    it = iter(texts)
    return _grid([[(next(it), rs, cs) for rs, cs in line] for line in spans], page.source)


def _count(n_cells: int, more: int, source: str) -> int:
    n_cells += more
    if n_cells > _MAX_GRID_CELLS:
        raise ReadError(source, f"a table has more than {_MAX_GRID_CELLS} cells")
    return n_cells


def _grid(rows: Sequence[Sequence[tuple[str, str | None, str | None]]], source: str) -> Table | None:
    """A rectangular grid from rows of (clean text, rowspan, colspan) as the page gives them:
    spans resolved (the copies marked span_copy), rows no cell reaches dropped, short rows
    padded with blanks, as a browser shows them."""
    n_rows = len(rows)
    grid: list[list[Cell | None]] = [[] for _ in range(n_rows)]
    used = [False] * n_rows
    holed: set[int] = set()  # rows padded with None (positions no cell may reach)
    n_cells = 0
    for r, cells in enumerate(rows):
        line = grid[r]
        if not line and not any(rs or cs for _, rs, cs in cells):
            # Nothing spans into or within this row (most rows of a report table).
            if cells:
                n_cells = _count(n_cells, len(cells), source)
                line.extend([Cell(text) for text, _, _ in cells])
                used[r] = True
            continue
        n_cells = _place_row(grid, r, cells, used, holed, n_cells, source)
    for r in holed:  # (`None in row` would call Cell.__eq__ on every cell)
        grid[r] = [e if e is not None else Cell("") for e in grid[r]]
    kept = [g for g, u in zip(grid, used) if u]
    if not kept:
        return None
    width = max(len(g) for g in kept)
    if width * len(kept) > _MAX_GRID_CELLS:
        raise ReadError(source, f"a table has more than {_MAX_GRID_CELLS} cells")
    for g in kept:
        if len(g) < width:
            g.extend([Cell("") for _ in range(width - len(g))])
    return Table(rows=kept)  # type: ignore[arg-type]  # every None was replaced above


def _place_row(grid: list, r: int, cells, used: list[bool], holed: set[int], n_cells: int, source: str) -> int:
    """Row r's cells placed in the first free positions, spans copied over the rows and columns they cover.
    Returns the table's cell count so far."""
    line = grid[r]
    n_rows = len(grid)
    c = 0
    left = n_rows - r
    for text, rs_raw, cs_raw in cells:
        while c < len(line) and line[c] is not None:
            c += 1
        if not rs_raw and not cs_raw:
            n_cells = _count(n_cells, 1, source)
            used[r] = True
            if len(line) <= c:
                line.extend([None] * (c + 1 - len(line)))
                holed.add(r)
            line[c] = Cell(text)
            c += 1
            continue
        # rowspan="0" means "to the end of the table"
        rs = left if rs_raw is not None and rs_raw.strip() == "0" else _span(rs_raw, left)
        cs = _span(cs_raw, _MAX_COLSPAN)
        n_cells = _count(n_cells, rs * cs, source)
        for dr in range(rs):
            target = grid[r + dr]
            used[r + dr] = True
            if len(target) < c + cs:
                target.extend([None] * (c + cs - len(target)))
                holed.add(r + dr)
            for dc in range(cs):
                target[c + dc] = Cell(text, bool(dr or dc))
        c += cs
    return n_cells


def _nested_tables(table, page: _Page) -> list:
    """Tables inside table (at any depth) in document order, leaving out hidden content."""
    out: list = []
    if next(islice(table.iter("table"), 1, None), None) is None:
        return out
    walker = lxml.etree.iterwalk(table, events=("start",))
    for _event, el in walker:
        if el is table:
            continue
        if page.skip(el):
            walker.skip_subtree()
        elif el.tag == "table":
            out.append(el)
    return out


def _is_layout(table, page: _Page) -> bool:
    """A table wrapping other tables together with prose is page layout: walk it as text."""
    if next(islice(table.iter("table"), 1, None), None) is None:
        return False
    rows = _children_of_kind(table, _ROW, page)
    cells_per_row = [_children_of_kind(tr, _CELL, page) for tr in rows]
    if all(len(cells) <= 1 for cells in cells_per_row):
        return True
    for cells in cells_per_row:
        for td in cells:
            if next(td.iter("table"), None) is not None and len(_cell_text(td, page)) > _LAYOUT_TEXT:
                return True
    return False


def _table_blocks(table, page: _Page) -> list:
    """A data table, its caption before it, and every table nested in it after it, in order."""
    blocks: list = []
    nested = _nested_tables(table, page)
    _mark_blocks(table)
    for t in [table, *nested]:
        simple = t is not table or not nested
        simple = simple and next(islice(t.iter("table"), 1, None), None) is None
        for cap in _children_of_kind(t, _CAPTION, page):
            text = _cell_text(cap, page)
            if text:
                blocks.append(TextBlock(text))
        built = _build_table(t, page, simple)
        if built is not None:
            blocks.append(built)
    return blocks


def _parser():
    # lxml.etree's HTML parser is lxml.html's without the per-element Python class lookup.
    return lxml.etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )


def _check_depth(parser, source: str) -> None:
    # libxml2 silently drops whatever lies deeper than its depth limit; refuse rather than
    # return a page with content missing.
    for err in parser.error_log:
        if err.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in err.message:
            raise ReadError(source, f"HTML too deeply nested to read ({' '.join(err.message.split())[:80]})")


def _check_markup(data: bytes, source: str, limits=None) -> None:
    """Refuse a page whose tree would be too large, from its bytes, before libxml2 builds it: every
    element needs a '<', every table cell a '<td' or '<th' (upper bounds: comments and scripts count).
    limits: pipelines.readers.Limits (max_tags, max_cells), else the settings."""
    max_tags = limits.max_tags if limits is not None else _MAX_TAGS
    max_cells = limits.max_cells if limits is not None else _MAX_GRID_CELLS
    tags = data.count(b"<")
    if tags > max_tags:
        raise ReadError(source, f"HTML refused: more than {max_tags} tags")
    if tags > max_cells:  # only then can it hold that many cells
        low = data.lower()
        cells = low.count(b"<td") + low.count(b"<th") - low.count(b"<thead")
        if cells > max_cells:
            raise ReadError(source, f"HTML refused: more than {max_cells} table cells")


def parse_html(text: str | None, source: str, *, raw: bytes | None = None, limits=None):
    """The lxml root of a page or fragment, or None when there is no markup content at all.
    raw: text's exact UTF-8 bytes, when the caller has them (text may then be None)."""
    parser = _parser()
    data = raw if raw is not None else (text or "").encode("utf-8", "surrogatepass")
    _check_markup(data, source, limits)
    root = lxml.etree.fromstring(data, parser=parser)
    if root is None:  # nothing but comments or white space
        return None
    _check_depth(parser, source)
    return root


def _walk_blocks(root, page: _Page, blocks: list) -> None:
    """Text blocks and tables of the page in order, by a walk over every element (the slow,
    general path: used when the page text itself holds the separators of _fast_blocks)."""
    buf: list[str] = []

    def flush() -> None:
        if buf:
            t = _clean("".join(buf))
            buf.clear()
            if t:
                blocks.append(TextBlock(t))

    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if page.skip(el):
                walker.skip_subtree()
                continue
            if tag == "table" and not _is_layout(el, page):
                flush()
                blocks.extend(_table_blocks(el, page))
                walker.skip_subtree()
                continue
            if tag in _BLOCK:
                flush()
            if el.text:
                buf.append(el.text)
        else:
            if isinstance(tag, str) and tag in _BLOCK:
                flush()
            if el.tail and el is not root:
                buf.append(el.tail)
    flush()


def _xslt_source() -> bytes:
    """The page as text with separators, in one libxslt pass: a block element is wrapped in
    _SEP; a table (one without nested tables) becomes a record
        _SEP (caption _SEP)* _TABLE (_TR (_TD rowspan _TD colspan _TD text)*)* _END _SEP
    whose cell texts keep inner blocks apart by newlines; inline elements add nothing, so a
    number split over Word's <span>s comes out whole."""

    def names(tags) -> str:
        return "|".join(sorted(tags))

    def text(s: str) -> str:
        return f"<xsl:text>{s}</xsl:text>"

    nl = "<xsl:text>&#10;</xsl:text>"
    return f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="{names(_BLOCK - {"table"})}|xxgk-layout|xxgk-built">{text(_SEP)}<xsl:apply-templates/>{text(_SEP)}</xsl:template>
<xsl:template match="table">{text(_SEP)}<xsl:for-each select=".//caption">{text(_SEP)}<xsl:apply-templates mode="cell"/>{text(_SEP)}</xsl:for-each>{text(_TABLE)}<xsl:for-each select=".//tr">{text(_TR)}<xsl:for-each select=".//td|.//th">{text(_TD)}<xsl:value-of select="@rowspan"/>{text(_TD)}<xsl:value-of select="@colspan"/>{text(_TD)}<xsl:apply-templates mode="cell"/></xsl:for-each></xsl:for-each>{text(_END + _SEP)}</xsl:template>
<xsl:template match="{names(_INNER_BLOCK)}" mode="cell">{nl}<xsl:apply-templates mode="cell"/>{nl}</xsl:template>
</xsl:stylesheet>""".encode()


_XSLT_SOURCE = _xslt_source()
_local = threading.local()  # one compiled stylesheet per thread: concurrent readers never share one


def _transform():
    xslt = getattr(_local, "xslt", None)
    if xslt is None:
        xslt = _local.xslt = lxml.etree.XSLT(lxml.etree.fromstring(_XSLT_SOURCE))
    return xslt


def _fast_blocks(root, page: _Page, tables: list) -> list:
    """What _walk_blocks gives, with the per-element work done in C. Tables holding other
    tables are settled first in Python (page layout → read as text; data → read here and
    swapped for a marker); then one XSLT pass writes the page out with separators (see
    _xslt_source), normalised once and split back into blocks and tables. tables: the root's
    descendant tables in document order, gathered before _prune (a pruned one is detached from
    the root: skipped below like the tables of a table already read)."""
    built: list[list] = []
    for t in tables:
        if next(islice(t.iter("table"), 1, None), None) is None:
            continue  # no nested table: the stylesheet reads it
        # Tables inside a data table already read are its own (detached with it): skip them.
        for anc in t.iterancestors():
            if anc is root:
                break
        else:
            continue
        if _is_layout(t, page):
            t.tag = "xxgk-layout"  # its rows and cells are blocks of text
            continue
        mark = lxml.etree.Element("xxgk-built")
        mark.text = _BUILT + str(len(built))
        mark.tail = t.tail
        built.append(_table_blocks(t, page))
        t.getparent().replace(t, mark)
    # White space is folded below, per block and cell (split/join): only the characters here.
    out = normalize_chars(str(_transform()(root)))
    blocks: list = []
    for part in out.split(_SEP):
        if not part or part.isspace():  # block boundaries meet (nested blocks): nothing between
            continue
        first = part[0]
        if first == _TABLE:
            table = _grid(_records(part), page.source)
            if table is not None:
                blocks.append(table)
        elif first == _BUILT:
            blocks.extend(built[int(part[1:])])
        else:
            t = " ".join(part.split())
            if t:
                blocks.append(TextBlock(t))
    return blocks


def _records(part: str) -> list[list[tuple[str, str, str]]]:
    """The rows of one table record: (clean text, rowspan, colspan) per cell."""
    rows = []
    for row in part[1:-1].split(_TR)[1:]:
        f = row.split(_TD)
        rows.append([(" ".join(f[i + 2].split()), f[i], f[i + 1]) for i in range(1, len(f) - 2, 3)])
    return rows


_SEPARATOR_REF_BYTES = re.compile(_SEPARATOR_REF.pattern.encode("ascii"))


def _has_separators(raw: bytes) -> bool:
    """Whether the page may hold one of the separators, as a character (its UTF-8 lead byte) or a reference."""
    return b"\xf3" in raw or b"\xf4" in raw or _SEPARATOR_REF_BYTES.search(raw) is not None


def read_text(
    text: str | None, source: str, *, encoding: str | None = None, raw: bytes | None = None, limits=None
) -> Document:
    """raw: the page's bytes when they are exactly text in UTF-8 (spares encoding it again);
    text may then be None. limits: pipelines.readers.Limits (else the settings)."""
    doc = Document(source=source, format="html", encoding=encoding)
    if raw is None:  # one path: every page is read from its UTF-8 bytes (see _prune)
        raw = text.encode("utf-8", "surrogatepass") if text is not None else b""
    root = parse_html(None, source, raw=raw, limits=limits)
    if root is None:
        return doc
    _read_root(root, doc, raw)
    return doc


def read_utf8(data: bytes, source: str, *, limits=None) -> Document | None:
    """A page whose start reads as UTF-8, parsed from its bytes without decoding them in Python;
    None when libxml2 meets a byte or character that strict UTF-8 text would not hold (the
    caller then decodes the page itself and reads it with read_text)."""
    doc = Document(source=source, format="html", encoding="utf-8")
    parser = _parser()
    _check_markup(data, source, limits)
    root = lxml.etree.fromstring(data, parser=parser)
    for err in parser.error_log:
        if err.type_name in ("ERR_INVALID_ENCODING", "ERR_INVALID_CHAR") or "Char 0x" in err.message:
            return None
    _check_depth(parser, source)
    if root is None:
        return doc
    _read_root(root, doc, data)
    return doc


def _read_root(root, doc: Document, raw: bytes) -> None:
    source = doc.source
    blocks = doc.blocks
    title, tables, hidden = _gather(root, _hiding_tags(raw))
    if title is not None:
        t = _clean("".join(title.itertext()))
        if t:
            blocks.append(TextBlock(t))

    page = _Page(source)
    _prune(root, hidden)
    if root.tag == "table" or _has_separators(raw):
        # The page text holds a separator character: walk the tree element by element.
        _walk_blocks(root, page, blocks)
    else:
        blocks.extend(_fast_blocks(root, page, tables))
    title_meta = blocks[0].text if title is not None and blocks and isinstance(blocks[0], TextBlock) else None
    if title_meta:
        doc.meta["title"] = title_meta
