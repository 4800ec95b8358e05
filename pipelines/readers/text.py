"""Plain text and Markdown → Document.

Plain text: one TextBlock per non-empty line. Markdown: pipe tables become Table blocks with
every row kept exactly as written (real conversions have ragged rows, repeated separator rows,
prose between rows: nothing is padded or merged), '#' headings become TextBlocks without the
marks, every other line one TextBlock. A table interrupted by any non-table line (blank lines
included) ends; the next pipe rows start a new Table.
"""

from __future__ import annotations

import re

from pipelines.document import Cell, Document, Table, TextBlock, normalize_chars

_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_ATX = re.compile(r"^#{1,6}[ \t]+\S")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_SEP_CELL = re.compile(r"^:?-+:?$")
_THEMATIC_BREAK = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TABLE_OPEN = re.compile(r"<table\b", re.IGNORECASE)
_HTML_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _clean(s: str) -> str:
    # normalize_text's folding of spaces is implied by split(): every character it folds is white space to split()
    return " ".join(normalize_chars(s).split())


def _lines(text: str) -> list[str]:
    return text.splitlines()


def read_plain(text: str, source: str, *, encoding: str | None = None) -> Document:
    doc = Document(source=source, format="txt", encoding=encoding)
    breaks = 0
    for line in _lines(text):
        breaks += 1
        t = _clean(line)
        if t:
            doc.blocks.append(TextBlock(t, breaks=breaks))
            breaks = 0
    return doc


def _split_cells(s: str) -> list[str]:
    """s is a stripped line holding at least one unescaped pipe."""
    parts = _UNESCAPED_PIPE.split(s)
    if s.startswith("|"):
        parts = parts[1:]
    if parts and s.endswith("|") and not s.endswith("\\|"):
        parts = parts[:-1]
    return [_inline(p.replace("\\|", "|")) for p in parts]


def _inline(s: str) -> str:
    if "<" in s:  # most cells hold neither a <br> nor bold marks: no regex pass for them
        s = _BR.sub(" ", s)
    if "**" in s:
        s = _BOLD.sub(r"\1", s)
    return _clean(s)


def _has_pipe(s: str) -> bool:
    return _UNESCAPED_PIPE.search(s) is not None


def _is_separator(cells: list[str], table: Table | None, seen_separator: bool) -> bool:
    """A delimiter row. A row of single dashes ("| - | - |") is usually data meaning "none",
    so it counts as a separator only right under a table's first row."""
    if not cells or not all(_SEP_CELL.match(c) for c in cells):
        return False
    if any("---" in c or ":" in c for c in cells):
        return True
    return table is not None and len(table.rows) == 1 and not seen_separator


def _html_table_end(lines: list[str], start: int) -> int:
    """Index of the line closing the <table> opened on lines[start] (nesting counted)."""
    depth = 0
    for j in range(start, len(lines)):
        depth += len(_HTML_TABLE_OPEN.findall(lines[j])) - len(_HTML_TABLE_CLOSE.findall(lines[j]))
        if depth <= 0:
            return j
    return len(lines) - 1


def looks_like_markdown(text: str) -> bool:
    """Pipe tables with a delimiter row, rows framed by pipes, or ATX headings."""
    framed = 0
    for line in _lines(text)[:5000]:
        s = line.strip()
        if not s:
            continue
        if _ATX.match(s):
            return True
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            framed += 1
            cells = _split_cells(s)
            if cells and all(_SEP_CELL.match(c) for c in cells) and any("-" * 3 in c for c in cells):
                return True
            if framed >= 2:
                return True
    return False


def _is_row(s: str, table: Table | None, lines: list[str], i: int) -> bool:
    """Whether line i (stripped: s, holding a pipe) is a table row: framed by pipes, inside a table, or
    "a | b" without framing pipes when a delimiter row follows."""
    if s.startswith("|") or table is not None:
        return True
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    nxt_cells = _split_cells(nxt) if _has_pipe(nxt) else []
    return _is_separator(nxt_cells, None, False)


def read_markdown(text: str, source: str, *, encoding: str | None = None) -> Document:
    doc = Document(source=source, format="md", encoding=encoding)
    blocks = doc.blocks
    lines = _lines(text)
    table: Table | None = None
    seen_sep = False
    i = -1
    while i + 1 < len(lines):
        i += 1
        line = lines[i]
        s = line.strip()
        if not s:
            table = None
            continue
        if _HTML_TABLE_OPEN.search(s):
            # PDF-to-Markdown converters emit complex tables as HTML: read them as HTML.
            end = _html_table_end(lines, i)
            from pipelines.readers.html import read_text as read_html

            chunk = read_html("\n".join(lines[i : end + 1]), source)
            blocks.extend(chunk.blocks)
            table = None
            i = end
            continue
        if s.startswith("#"):
            m = _HEADING.match(s)
            if m and (m.group(2) is None or s[len(m.group(1)) :][:1] in (" ", "\t")):
                table = None
                t = _inline(m.group(2) or "")
                if t:
                    blocks.append(TextBlock(t))
                continue
        if _has_pipe(s):
            if _is_row(s, table, lines, i):
                cells = _split_cells(s)
                if not cells:
                    continue
                if _is_separator(cells, table, seen_sep):
                    seen_sep = True
                    if table is None:
                        table = Table(rows=[])
                        blocks.append(table)
                    continue
                if table is None:
                    table = Table(rows=[])
                    blocks.append(table)
                    seen_sep = False
                table.rows.append([Cell(c) for c in cells])
                continue
        table = None
        if _THEMATIC_BREAK.match(s):
            continue
        t = _inline(s)
        if t:
            blocks.append(TextBlock(t))
    doc.blocks = [b for b in blocks if not (isinstance(b, Table) and not b.rows)]
    return doc
