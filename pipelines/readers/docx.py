"""DOCX → Document by reading word/document.xml directly (lxml).

Direct XML rather than python-docx: it is faster and gives gridSpan / vMerge exactly, so merged
cells become a full grid (covered positions marked span_copy). Body paragraphs and tables are
kept in document order.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib

from lxml import etree

from pipelines.document import Cell, Document, ReadError, Table, TextBlock, normalize_text

MAX_DECOMPRESSED = 200 * 1024 * 1024
# Deflate cannot beat ~1030:1; real Word XML compresses 5–30:1. A large entry far above that
# is a bomb even when the declared total stays under the limit.
MAX_RATIO = 200
RATIO_MIN_SIZE = 10 * 1024 * 1024

_W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def read_bytes(data: bytes, source: str, *, max_decompressed: int = MAX_DECOMPRESSED, limits=None) -> Document:
    """`limits` (pipelines.readers.Limits, passed by the dispatcher) overrides max_decompressed."""
    if limits is not None:
        max_decompressed = limits.max_decompressed
    xml = _document_xml(data, source, max_decompressed)
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as e:
        raise ReadError(source, f"corrupt DOCX (document.xml: {e.msg})") from None
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns not in (_W_MAIN, _W_STRICT):
        raise ReadError(source, "not a Word document (unexpected document.xml namespace)")
    body = root.find(f"{{{ns}}}body")
    blocks: list = []
    if body is not None:
        _Walker(ns).body(body, blocks)
    return Document(source=source, format="docx", blocks=blocks)


def _document_xml(data: bytes, source: str, limit: int) -> bytes:
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
    try:
        with zf.open(main) as f:
            # The directory's sizes can lie: never decompress more than the limit.
            xml = f.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as e:
        raise ReadError(source, f"corrupt DOCX ({main}: {e})") from None
    if len(xml) > limit:
        raise ReadError(source, f"DOCX refused: {main} expands past the {limit / 2**20:.0f} MB limit (zip bomb?)")
    return xml


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
        self.TCPR, self.SPAN, self.VMERGE, self.VAL = w + "tcPr", w + "gridSpan", w + "vMerge", w + "val"
        self.TRPR, self.GBEFORE, self.GAFTER = w + "trPr", w + "gridBefore", w + "gridAfter"
        self.text_tags = (self.T, self.TAB, self.BR, self.CR, self.HYPH)

    def body(self, el, blocks: list) -> None:
        for child in el:
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
