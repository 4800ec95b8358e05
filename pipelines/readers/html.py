"""HTML → Document with lxml: text blocks and tables in page order.

Word-exported pages split one number over several <span>s, so inline elements are joined
without inserting anything; only block boundaries (p, div, br, li, …) separate text. Tables
become rectangular grids with rowspan/colspan resolved. The walk is iterative (lxml.etree.iterwalk)
so pathologically deep pages cannot exhaust the Python stack.
"""
from __future__ import annotations

import re
from itertools import islice

import lxml.etree

from pipelines.document import Cell, Document, ReadError, Table, TextBlock, normalize_text

# Content never shown as page text.
_SKIP = frozenset({
    "head", "title", "script", "style", "noscript", "template", "select", "textarea",
    "iframe", "object", "embed", "svg", "math", "button", "canvas", "audio", "video", "map",
})
# Elements whose start and end break the text into separate blocks.
_BLOCK = frozenset({
    "html", "body", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
    "dd", "section", "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre",
    "address", "form", "fieldset", "legend", "figure", "figcaption", "hr", "br", "center",
    "caption", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "details", "summary",
    "menu", "dir", "option", "label", "frameset", "frame", "noframes",
})
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_SPAN = re.compile(r"\s*(\d+)")
_MAX_COLSPAN = 1000  # the HTML standard's own cap
_MAX_GRID_CELLS = 200_000  # a real report table has a few hundred cells; appendices a few thousand
# A table holding another table is page layout (not data) when a cell around the inner table
# also carries this much prose of its own.
_LAYOUT_TEXT = 100


def _clean(s: str) -> str:
    """normalize_text, then every white-space run (newlines too) folded to one space."""
    return " ".join(normalize_text(s).split())


# Separators for batch normalisation: U+FDD0 and U+FDD1 are noncharacters (never in real text,
# but legal in XML, so lxml takes them in .text). They are NFKC-stable (no decomposition, never
# compose with a neighbour, combining class 0), so normalising "a␀b" gives normalize(a) + "␀" +
# normalize(b); they are neither white space nor zero-width, so normalize_text keeps them too.
_SEP = "\ufdd0"
# Stands for a table in the page text (followed by its number), between two _SEPs.
_TABLE_MARK = "\ufdd1"


def _clean_many(texts: list[str]) -> list[str]:
    """[_clean(t) for t in texts] with one normalize_text call over all of them."""
    if len(texts) < 2:
        return [_clean(t) for t in texts]
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:  # a text holds the separator itself
        return [_clean(t) for t in texts]
    return [" ".join(p.split()) for p in normalize_text(joined).split(_SEP)]


_HIDDEN_ATTR = re.compile(r"<[^>]*\shidden[\s=/>]", re.IGNORECASE)


class _Page:
    """Per-page settings for the walk; the hidden-element checks are switched off when the
    page text shows they cannot match (Word pages carry long styles on every element).

    check_hidden (a regex over the whole page, slow on long pages) is only worked out when the
    tree really has an element with a `hidden` attribute: without one it cannot change anything."""

    __slots__ = ("source", "check_style", "check_hidden", "text")

    def __init__(self, text: str, source: str):
        self.source = source
        self.text = text
        self.check_style = "isplay" in text or "ISPLAY" in text
        self.check_hidden = False

    def skip(self, el) -> bool:
        """Comments/PIs, non-content elements, and elements hidden by style or attribute."""
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP:
            return True
        if self.check_style:
            style = el.get("style")
            if style is not None and ("isplay" in style or "ISPLAY" in style) and _HIDDEN.search(style):
                return True
        return self.check_hidden and el.get("hidden") is not None


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


def _style_may_hide(style: str | None) -> bool:
    return style is not None and ("isplay" in style or "ISPLAY" in style)


def _prune(root, page: _Page) -> None:
    """Drop non-content and hidden elements up front (C-level where possible), so the walks
    below need no per-element checks."""
    lxml.etree.strip_elements(root, *_SKIP, with_tail=False)
    # Candidates in document order: an element with a `hidden` attribute, or a style that may
    # say display:none. Whether `hidden` counts at all depends on the page text (below).
    if page.check_style:
        found = [el for el in root.iter(lxml.etree.Element)
                 if el.get("hidden") is not None or _style_may_hide(el.get("style"))]
    else:
        found = [el for el in root.iter(lxml.etree.Element) if el.get("hidden") is not None]
    if not found:
        return _done(page)
    page.check_hidden = any(el.get("hidden") is not None for el in found) and (
        _HIDDEN_ATTR.search(page.text) is not None)
    if page.check_style or page.check_hidden:
        for el in found:
            if page.skip(el):
                _remove_keep_tail(el)
    _done(page)


def _done(page: _Page) -> None:
    """After pruning nothing left in the tree is hidden: the per-element checks are off."""
    page.check_style = page.check_hidden = False
    page.text = ""


def _mark_blocks(table) -> None:
    """Put a newline at the start and end of every block element inside a table, so a cell's
    text can be taken in one C-level call (tostring method="text") with blocks still apart."""
    for el in table.iter(*_INNER_BLOCK):
        el.text = "\n" + el.text if el.text else "\n"
        el.tail = "\n" + el.tail if el.tail else "\n"


def _fast_cell_text(cell) -> str:
    return _clean(lxml.etree.tostring(cell, method="text", encoding="unicode", with_tail=False))


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

    The grid first holds (text index, span_copy) per position; the cell texts are cleaned in
    one batch (one NFKC pass over the whole table) and the Cells made at the end."""
    source = page.source
    rows = list(table.iter("tr")) if simple else _children_of_kind(table, _ROW, page)
    n_rows = len(rows)
    grid: list[list[tuple[int, bool] | None]] = [[] for _ in range(n_rows)]
    used = [False] * n_rows
    raw: list[str] = []  # texts still to clean
    done: dict[int, str] = {}  # index → text already clean (cells holding a nested table)
    n_cells = 0
    for r, tr in enumerate(rows):
        c = 0
        line = grid[r]
        left = n_rows - r
        for td in tr.iter("td", "th") if simple else _children_of_kind(tr, _CELL, page):
            while c < len(line) and line[c] is not None:
                c += 1
            k = len(raw)
            if simple or next(td.iter("table"), None) is None:
                raw.append(lxml.etree.tostring(td, method="text", encoding="unicode", with_tail=False))
            else:
                raw.append("")
                done[k] = _cell_text(td, page)
            rs_raw = td.get("rowspan")
            cs_raw = td.get("colspan")
            if rs_raw is None and cs_raw is None:
                n_cells += 1
                if n_cells > _MAX_GRID_CELLS:
                    raise ReadError(source, f"a table has more than {_MAX_GRID_CELLS} cells")
                used[r] = True
                if len(line) <= c:
                    line.extend([None] * (c + 1 - len(line)))
                line[c] = (k, False)
                c += 1
                continue
            # rowspan="0" means "to the end of the table"
            rs = left if rs_raw is not None and rs_raw.strip() == "0" else _span(rs_raw, left)
            cs = _span(cs_raw, _MAX_COLSPAN)
            n_cells += rs * cs
            if n_cells > _MAX_GRID_CELLS:
                raise ReadError(source, f"a table has more than {_MAX_GRID_CELLS} cells")
            for dr in range(rs):
                target = grid[r + dr]
                used[r + dr] = True
                if len(target) < c + cs:
                    target.extend([None] * (c + cs - len(target)))
                for dc in range(cs):
                    target[c + dc] = (k, bool(dr or dc))
            c += cs
    kept = [g for g, u in zip(grid, used) if u]
    if not kept:
        return None
    width = max(len(g) for g in kept)
    if width * len(kept) > _MAX_GRID_CELLS:
        raise ReadError(source, f"a table has more than {_MAX_GRID_CELLS} cells")
    texts = _clean_many(raw)
    for k, t in done.items():
        texts[k] = t
    # Positions no cell reaches (short rows) are blank, as a browser shows them.
    out = [[Cell(texts[e[0]], e[1]) if e is not None else Cell("") for e in g] + [Cell("") for _ in range(width - len(g))]
           for g in kept]
    return Table(rows=out)


def _nested_tables(table, page: _Page) -> list:
    """Tables inside table (at any depth) in document order, leaving out hidden content."""
    out = []
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


def parse_html(text: str, source: str):
    """The lxml root of a page or fragment, or None when there is no markup content at all."""
    # lxml.etree's HTML parser is lxml.html's without the per-element Python class lookup.
    parser = lxml.etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    root = lxml.etree.fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    if root is None:  # nothing but comments or white space
        return None
    # libxml2 silently drops whatever lies deeper than its depth limit; refuse rather than
    # return a page with content missing.
    for err in parser.error_log:
        if err.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in err.message:
            raise ReadError(source, f"HTML too deeply nested to read ({' '.join(err.message.split())[:80]})")
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


def _fast_blocks(root, page: _Page) -> list | None:
    """What _walk_blocks gives, with the per-element work done in C: every data table is read
    (in document order, as the walk meets them) and swapped for a marker element; every block
    element gets a separator before its text and before its tail; then the whole page is taken
    as text in one call, normalised once, and split at the separators.

    Returns None when the page text itself holds a separator character (the tree is then
    changed: the caller parses again and walks)."""
    if root.tag == "table":
        return None
    tables: list[list] = []
    for t in list(root.iter("table")):
        # Tables inside a data table already read are its own (detached with it): skip them.
        for anc in t.iterancestors():
            if anc is root:
                break
        else:
            continue
        if _is_layout(t, page):
            continue
        mark = lxml.etree.Element("xxgk-table")
        mark.text = _TABLE_MARK + str(len(tables))
        mark.tail = t.tail
        tables.append(_table_blocks(t, page))
        t.getparent().replace(t, mark)
    n_sep = 0
    for el in root.iter(*_BLOCK, "xxgk-table"):
        el.text = _SEP + el.text if el.text else _SEP
        if el is not root:
            el.tail = _SEP + el.tail if el.tail else _SEP
            n_sep += 2
        else:
            n_sep += 1
    text = normalize_text(lxml.etree.tostring(root, method="text", encoding="unicode", with_tail=False))
    if text.count(_SEP) != n_sep or text.count(_TABLE_MARK) != len(tables):
        return None
    blocks: list = []
    for part in text.split(_SEP):
        if part[:1] == _TABLE_MARK:
            blocks.extend(tables[int(part[1:])])
            continue
        t = " ".join(part.split())
        if t:
            blocks.append(TextBlock(t))
    return blocks


def read_text(text: str, source: str, *, encoding: str | None = None) -> Document:
    doc = Document(source=source, format="html", encoding=encoding)
    root = parse_html(text, source)
    if root is None:
        return doc
    blocks = doc.blocks
    title = root.find(".//title")
    if title is not None:
        t = _clean("".join(title.itertext()))
        if t:
            blocks.append(TextBlock(t))

    page = _Page(text, source)
    _prune(root, page)
    found = _fast_blocks(root, page)
    if found is None:  # the page holds a separator character: read it again the slow way
        root = parse_html(text, source)
        page = _Page(text, source)
        _prune(root, page)
        _walk_blocks(root, page, blocks)
    else:
        blocks.extend(found)
    title_meta = blocks[0].text if title is not None and blocks and isinstance(blocks[0], TextBlock) else None
    if title_meta:
        doc.meta["title"] = title_meta
    return doc
