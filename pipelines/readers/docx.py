"""DOCX → Document by reading word/document.xml directly (lxml).

Direct XML rather than python-docx: it is faster and gives gridSpan / vMerge exactly, so merged
cells become a full grid (covered positions marked span_copy). Body paragraphs and tables are
kept in document order.

Memory is bounded by design: document.xml is streamed out of the zip into lxml's iterparse, each
top-level paragraph or table is read as soon as it ends and then dropped from the tree, and the
limits (pipelines.settings) are checked while reading, so an oversized document is refused before it
is whole in memory: the XML read (max_decompressed), the XML of one paragraph or table not yet
finished (max_part_bytes), table cells (max_cells) and text (max_chars).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from typing import IO

from lxml import etree

from pipelines import settings
from pipelines.document import Cell, Document, ReadError, Table, TextBlock, normalize_text

MAX_DECOMPRESSED = settings.DOCX_MAX_DECOMPRESSED
# Deflate cannot beat ~1030:1; real Word XML compresses 5–30:1. A large entry far above that
# is a bomb even when the declared total stays under the limit.
MAX_RATIO = settings.DOCX_MAX_RATIO
RATIO_MIN_SIZE = 10 * 1024 * 1024

_W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def read_bytes(data: bytes, source: str, *, max_decompressed: int = MAX_DECOMPRESSED, limits=None) -> Document:
    """`limits` (pipelines.readers.Limits, passed by the dispatcher) overrides max_decompressed."""
    budget = _Budget(
        source,
        max_decompressed if limits is None else limits.max_decompressed,
        settings.DOCX_MAX_PART_BYTES if limits is None else limits.max_part_bytes,
        settings.MAX_TABLE_CELLS if limits is None else limits.max_cells,
        settings.MAX_DOCUMENT_CHARS if limits is None else limits.max_chars,
    )
    zf, main = _open_main(data, source, budget.max_bytes)
    blocks: list = []
    try:
        with zf.open(main) as raw:
            budget.stream = raw
            _stream_blocks(budget, main, blocks)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as e:
        raise ReadError(source, f"corrupt DOCX ({main}: {e})") from None
    return Document(source=source, format="docx", blocks=blocks)


class _Budget:
    """The limits of one document, and the file object lxml reads document.xml through: it counts
    the bytes as they are decompressed and stops reading at a limit (the directory's sizes can lie)."""

    def __init__(self, source: str, max_bytes: int, max_part: int, max_cells: int, max_chars: int):
        self.source, self.max_bytes, self.max_part = source, max_bytes, max_part
        self.max_cells, self.max_chars = max_cells, max_chars
        self.stream: IO[bytes] | None = None
        self.read_bytes = 0  # XML read so far
        self.done_at = 0  # XML read when the last top-level element was read and dropped
        self.cells = 0
        self.chars = 0
        self.part = "document.xml"

    def read(self, n: int = -1) -> bytes:
        assert self.stream is not None  # set by read_bytes before lxml reads
        chunk = self.stream.read(n if n is not None and n >= 0 else 1 << 16)
        self.read_bytes += len(chunk)
        if self.read_bytes > self.max_bytes:
            self.refuse(f"{self.part} expands past the {self.max_bytes / 2**20:.0f} MB limit (zip bomb?)")
        if self.read_bytes - self.done_at > self.max_part:
            self.refuse(f"a paragraph or table of {self.part} is over the {self.max_part / 2**20:.0f} MB limit")
        return chunk

    def add(self, block) -> None:
        if isinstance(block, Table):
            self.cells += sum(len(r) for r in block.rows)
            self.chars += sum(len(c.text) for r in block.rows for c in r if not c.span_copy)
            if self.cells > self.max_cells:
                self.refuse(f"its tables have more than {self.max_cells} cells")
        else:
            self.chars += len(block.text)
        if self.chars > self.max_chars:
            self.refuse(f"more than {self.max_chars} characters of text")

    def refuse(self, why: str):
        raise ReadError(self.source, f"DOCX refused: {why}")


def _stream_blocks(budget: _Budget, main: str, blocks: list) -> None:
    """Read document.xml's body into blocks one top-level element at a time (see module doc)."""
    budget.part = main
    events = etree.iterparse(
        budget,
        events=("end",),
        tag=_BODY_TAGS,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    walker = root = None
    try:
        for _event, el in events:
            if walker is None:  # the first event: the root is known now
                root = el.getroottree().getroot()
                walker = _Walker(_namespace(root, budget.source))
            parent = el.getparent()
            if parent is None or parent.tag != walker.BODY or parent.getparent() is not root:
                continue  # inside a top-level element (read with it), or outside the body
            n = len(blocks)
            walker.body_child(el, blocks)
            for b in blocks[n:]:
                budget.add(b)
            # Drop what has been read: this element and everything before it in the body.
            el.clear(keep_tail=False)
            while el.getprevious() is not None:
                del parent[0]
            budget.done_at = budget.read_bytes
    except etree.XMLSyntaxError as e:
        raise ReadError(budget.source, f"corrupt DOCX (document.xml: {e.msg})") from None
    if walker is None and events.root is not None:  # no paragraph or table at all
        _namespace(events.root, budget.source)


def _namespace(root, source: str) -> str:
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns not in (_W_MAIN, _W_STRICT):
        raise ReadError(source, "not a Word document (unexpected document.xml namespace)")
    return ns


# The elements a body holds that become blocks (Walker.body_child), in either namespace.
_BODY_TAGS = tuple(
    f"{{{ns}}}{t}" for ns in (_W_MAIN, _W_STRICT) for t in ("p", "tbl", "sdt", "sdtContent", "customXml")
)


def _open_main(data: bytes, source: str, limit: int) -> tuple[zipfile.ZipFile, str]:
    """The zip and the name of its main document part, after the zip-bomb checks."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as e:
        raise ReadError(source, f"corrupt DOCX (not a valid zip: {e})") from None
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise ReadError(
            source,
            f"DOCX refused: {total / 2**20:.0f} MB uncompressed, over the {limit / 2**20:.0f} MB limit (zip bomb?)",
        )
    for i in infos:
        if i.file_size > RATIO_MIN_SIZE and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ReadError(
                source, f"DOCX refused: {i.filename} expands {i.file_size // max(i.compress_size, 1)}:1 (zip bomb?)"
            )
    names = {i.filename for i in infos}
    main = _main_part(zf, names) or "word/document.xml"
    if main not in names:
        raise ReadError(source, "not a Word document (no word/document.xml in the zip)")
    return zf, main


def _main_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """The officeDocument target named in _rels/.rels (usually word/document.xml)."""
    if "_rels/.rels" not in names:
        return None
    try:
        rels = etree.fromstring(zf.read("_rels/.rels"), _PARSER)
    except Exception:  # a broken rels file: fall back to the usual name
        return None
    for r in rels.iter(f"{{{_REL_NS}}}Relationship"):
        if r.get("Type", "").endswith("/officeDocument"):
            return posixpath.normpath(r.get("Target", "").lstrip("/"))
    return None


class _Walker:
    def __init__(self, ns: str):
        w = f"{{{ns}}}"
        self.w = w
        self.P, self.TBL, self.TR, self.TC = w + "p", w + "tbl", w + "tr", w + "tc"
        self.T, self.TAB, self.BR, self.CR = w + "t", w + "tab", w + "br", w + "cr"
        self.SDT, self.SDTC, self.HYPH = w + "sdt", w + "sdtContent", w + "noBreakHyphen"
        self.CUSTOM = w + "customXml"
        self.BODY = w + "body"
        self.TCPR, self.SPAN, self.VMERGE, self.VAL = w + "tcPr", w + "gridSpan", w + "vMerge", w + "val"
        self.TRPR, self.GBEFORE, self.GAFTER = w + "trPr", w + "gridBefore", w + "gridAfter"
        self.text_tags = (self.T, self.TAB, self.BR, self.CR, self.HYPH)

    def body(self, el, blocks: list) -> None:
        for child in el:
            self.body_child(child, blocks)

    def body_child(self, child, blocks: list) -> None:
        tag = child.tag
        if tag == self.P:
            for line in self.para(child).split("\n"):
                line = normalize_text(line).strip()
                if line:
                    blocks.append(TextBlock(line))
        elif tag == self.TBL:
            t = self.table(child)
            if t.rows:
                blocks.append(t)
        elif tag in (self.SDT, self.SDTC, self.CUSTOM):
            # Content controls and custom XML wrap ordinary paragraphs and tables.
            self.body(child, blocks)

    def para(self, p) -> str:
        """Runs joined with no separator: Word splits runs anywhere, even inside a number."""
        out = []
        for el in p.iter(*self.text_tags):
            tag = el.tag
            if tag == self.T:
                out.append(el.text or "")
            elif tag == self.TAB:
                out.append(" ")
            elif tag == self.HYPH:
                out.append("-")
            else:  # line break
                out.append("\n")
        return "".join(out)

    def cell_text(self, tc) -> str:
        parts = []
        for child in tc:
            if child.tag == self.P:
                parts.append(self.para(child).replace("\n", " "))
            elif child.tag == self.TBL:  # a nested table: flatten its text
                parts.extend(" ".join(c.text for c in row if not c.span_copy) for row in self.table(child).rows)
            elif child.tag in (self.SDT, self.SDTC, self.CUSTOM):
                parts.append(self.cell_text(child))
        return normalize_text(" ".join(p for p in parts if p.strip())).strip()

    def _int(self, el, tag, default=0) -> int:
        x = el.find(tag) if el is not None else None
        if x is None:
            return default
        try:
            return max(int(x.get(self.VAL, default)), 0)
        except ValueError:
            return default

    def _rows(self, tbl):
        for child in tbl:
            if child.tag == self.TR:
                yield child
            elif child.tag in (self.SDT, self.SDTC, self.CUSTOM):
                yield from self._rows(child)

    def _cells(self, tr):
        for child in tr:
            if child.tag == self.TC:
                yield child
            elif child.tag in (self.SDT, self.SDTC, self.CUSTOM):
                yield from self._cells(child)

    def table(self, tbl) -> Table:
        grid: list[list[Cell]] = []
        above: dict[int, str] = {}  # column → text of the vertical merge that covers it
        for tr in self._rows(tbl):
            trpr = tr.find(self.TRPR)
            row: list[Cell] = [Cell("") for _ in range(self._int(trpr, self.GBEFORE))]
            for tc in self._cells(tr):
                tcpr = tc.find(self.TCPR)
                span = max(self._int(tcpr, self.SPAN, 1), 1)
                vm = tcpr.find(self.VMERGE) if tcpr is not None else None
                col = len(row)
                if vm is not None and vm.get(self.VAL, "continue") != "restart" and col in above:
                    # Covered by the cell above: a copy, never a second value.
                    text = above[col]
                    row.extend(Cell(text, span_copy=True) for _ in range(span))
                    continue
                text = self.cell_text(tc)
                row.append(Cell(text))
                row.extend(Cell(text, span_copy=True) for _ in range(span - 1))
                for k in range(col, col + span):
                    if vm is not None:
                        above[k] = text
                    else:
                        above.pop(k, None)
            row.extend(Cell("") for _ in range(self._int(trpr, self.GAFTER)))
            grid.append(row)
        width = max((len(r) for r in grid), default=0)
        for r in grid:
            r.extend(Cell("") for _ in range(width - len(r)))
        return Table(grid)
