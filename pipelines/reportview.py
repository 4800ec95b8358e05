"""One report laid out as the template prints it (no streamlit here): the report page's tables as HTML.

Sections 一 to 六 in the template's order; tables 2, 3 and 4 with the template's own row and column labels,
all from the template data (pipelines.templates: each version's table-2 blocks, table 3's rows and columns
with their groups, table 4's groups and outcomes), 总计 columns included. Every value cell shows the value in
force (``v_cells``: a correction by hand replaces the extracted value; the cell is marked and its hover says
what was extracted and why it was corrected). A cell a finding names is marked by the finding's severity
and its hover holds the finding's title and message; a finding on a whole row marks the row. A blank cell
prints — and its hover says what the report had there. Every text is escaped.

The report's text is cut into the same six sections (the parser's headings), so each section can be shown
beside its table.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines import i18n, numfmt, templates
from pipelines.checks import text as ftext
from pipelines.parse.segments import Seg, split_sections

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# The page's CSS for these tables (st.html keeps a <style> element; every class is prefixed xr-).
CSS = """
<style>
.xr-wrap{overflow-x:auto;margin:.25rem 0 .75rem 0}
table.xr{border-collapse:collapse;font-size:13px;line-height:1.35;width:100%;font-variant-numeric:tabular-nums}
table.xr th,table.xr td{border:1px solid #d0d4dc;padding:3px 6px;vertical-align:middle}
table.xr thead th{background:#f3f5f8;font-weight:600;text-align:center}
table.xr th.xr-l{background:#fafbfc;font-weight:normal;text-align:left}
table.xr th.xr-h{background:#fafbfc;font-weight:600;text-align:center}
table.xr th.xr-note{font-weight:normal;font-size:12px;color:#555}
table.xr td{text-align:right;white-space:nowrap;min-width:2.6em}
table.xr-t4,table.xr-t3en{table-layout:fixed}
table.xr-t3en th.xr-l{white-space:normal}
table.xr-t3en thead th{font-size:11.5px}
table.xr-t4 th,table.xr-t3 thead th{font-size:12px;padding:2px 3px}
table.xr td.xr-blank{color:#9aa0a6;text-align:center}
.xr-inferred{font-style:italic}
.xr-corr{color:#0b57d0;font-weight:600;background:#e8f0fe}
.xr-error{background:#fce8e6 !important;box-shadow:inset 3px 0 0 #d93025}
.xr-warning{background:#fef3e0 !important;box-shadow:inset 3px 0 0 #e8710a}
.xr-info{background:#eef3fb !important;box-shadow:inset 3px 0 0 #7baaf7}
.xr-rowmark{background:#fffaf2}
table.xr td[title],table.xr th[title]{cursor:help}
.xr-legend{font-size:12px;color:#555;margin:.25rem 0}
.xr-legend span.xr-sw{display:inline-block;padding:0 6px;margin-right:10px;border:1px solid #d0d4dc}
ul.xr-f{font-size:13px;margin:.25rem 0 .75rem 0;padding-left:1.2rem}
ul.xr-f li{margin:.15rem 0}
.xr-sev{display:inline-block;min-width:2.6em;text-align:center;border-radius:3px;font-size:12px;margin-right:4px}
.xr-sev-error{background:#fce8e6;color:#a50e0e}
.xr-sev-warning{background:#fef3e0;color:#8a4a00}
.xr-sev-info{background:#eef3fb;color:#174ea6}
.xr-text{font-size:13px;line-height:1.6;white-space:pre-wrap;margin:0}
</style>
"""

_UI = {
    "corrected": ("人工更正：提取值 {old}，更正为 {new}", "corrected by hand: extracted {old}, now {new}"),
    "because": ("理由：{reason}（{author}，{at}）", "reason: {reason} ({author}, {at})"),
    "inferred": ("推定值：原文缺失，由表内勾稽关系唯一确定", "inferred: lost in the report, fixed by the table's sums"),
    "confidence": ("识别置信度 {p}", "OCR confidence {p}"),
    "legend_error": ("错误", "error"),
    "legend_warning": ("警告", "warning"),
    "legend_info": ("提示", "note"),
    "legend_corr": ("人工更正", "corrected by hand"),
    "legend_blank": ("— 无数值（悬停看原因）", "— no value (hover for why)"),
    "legend_hover": ("悬停在标记的单元格上查看说明", "hover over a marked cell for its note"),
}


def _ui(key: str, lang: str, **fmt: Any) -> str:
    zh, en = _UI[key]
    s = en if lang == "en" else zh
    return s.format(**fmt) if fmt else s


def _e(s: Any) -> str:
    return html.escape(str(s), quote=True)


# ------------------------------------------------------------------------------------------ the marks


@dataclass
class Note:
    """One finding as the page prints it."""

    severity: str
    code: str
    title: str
    location: str
    message: str
    where: str  # the raw location (table3.ROW.COL …)

    def line(self, lang: str) -> str:
        text = f"[{self.code}] {self.title}"
        if self.message and self.message != self.title:
            text += ("：" if lang != "en" else ": ") + self.message
        return f"{ftext.severity(self.severity, lang)} · {text}"


@dataclass
class Marks:
    """The findings and corrections of one report, indexed by where they point."""

    lang: str
    by_loc: dict[str, list[Note]] = field(default_factory=dict)
    corrections: dict[tuple[int, str, str], dict] = field(default_factory=dict)

    @classmethod
    def build(cls, findings: Iterable[Mapping[str, Any]], corrections: Iterable[Mapping[str, Any]], lang: str):
        m = cls(lang)
        for f in findings:
            d = ftext.describe(f.get("check_id"), f.get("location"), f.get("message"), lang)
            loc = f.get("location") or ""
            note = Note(f.get("severity") or "info", d["code"], d["title"], d["location"], d["message"], loc)
            m.by_loc.setdefault(loc, []).append(note)
        for c in corrections:  # the latest correction in force of each cell (v_cells applies the same one)
            if c.get("undone_at") is None:
                m.corrections[(int(c["table_no"]), str(c["row_key"]), str(c["col_key"]))] = dict(c)
        for notes in m.by_loc.values():
            notes.sort(key=lambda n: SEVERITY_ORDER.get(n.severity, 3))
        return m

    def at(self, loc: str) -> list[Note]:
        return self.by_loc.get(loc, [])

    def under(self, prefix: str) -> list[Note]:
        """Every finding whose location is ``prefix`` or inside it."""
        return [n for loc, ns in self.by_loc.items() if loc == prefix or loc.startswith(prefix + ".") for n in ns]


def _worst(notes: list[Note]) -> str | None:
    return min((n.severity for n in notes), key=lambda s: SEVERITY_ORDER.get(s, 3), default=None)


# ------------------------------------------------------------------------------------------ cells


def _td(
    cell: Mapping[str, Any] | None,
    notes: list[Note],
    row_notes: list[Note],
    marks: Marks,
    key: tuple[int, str, str],
    signed: bool = False,
) -> str:
    """One value cell: the value in force, its marks and its hover text."""
    lang = marks.lang
    v = None if cell is None else cell.get("value")
    state = "missing" if cell is None else cell.get("state")
    classes: list[str] = []
    tips: list[str] = []
    if numfmt.missing(v):
        text = numfmt.DASH
        classes.append("xr-blank")
        tips.append(numfmt.blank_meaning(state if state in ("missing", "blank", "dash") else "missing", lang))
    else:
        text = numfmt.exact(v, signed=signed)
    if cell is not None and state == "inferred":
        classes.append("xr-inferred")
        tips.append(_ui("inferred", lang))
    if cell is not None and cell.get("corrected"):
        classes.append("xr-corr")
        tips.append(_ui("corrected", lang, old=numfmt.exact(cell.get("original_value")), new=numfmt.exact(v)))
        c = marks.corrections.get(key)
        if c:
            at = str(c.get("created_at") or "")[:16]
            tips.append(_ui("because", lang, reason=c.get("reason") or "", author=c.get("author") or "", at=at))
    conf = None if cell is None else cell.get("confidence")
    if conf is not None and not numfmt.missing(conf) and float(conf) < 1:
        tips.append(_ui("confidence", lang, p=numfmt.rate(conf)))
    sev = _worst(notes)
    if sev:
        classes.append(f"xr-{sev}")
    elif row_notes:
        classes.append("xr-rowmark")
    tips += [n.line(lang) for n in notes + row_notes]
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    if tips:
        attrs += f' title="{_e(chr(10).join(tips))}"'
    return f"<td{attrs}>{_e(text)}</td>"


def _th(
    text: str,
    cls: str = "xr-l",
    rs: int = 1,
    cs: int = 1,
    tip: str = "",
    notes: list[Note] | None = None,
    lang: str = "zh",
) -> str:
    classes = [cls]
    tips = [tip] if tip else []
    if notes:
        classes.append(f"xr-{_worst(notes)}")
        tips += [n.line(lang) for n in notes]
    span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
    title = f' title="{_e(chr(10).join(tips))}"' if tips else ""
    return f'<th class="{" ".join(classes)}"{span}{title}>{_e(text)}</th>'


def _cells_index(cells: Iterable[Mapping[str, Any]]) -> dict[tuple[int, str, str], Mapping[str, Any]]:
    return {(int(c["table_no"]), str(c["row_key"]), str(c["col_key"])): c for c in cells}


# ------------------------------------------------------------------------------------------ versions


def table3_rows(version: str | None, present: Iterable[str]) -> list[str]:
    """Table 3's rows for a report: its version's rows, plus any other row it has, in the template's print order."""
    known = templates.templates()
    base = set(known[version].table3_keys) if version in known else set(known[templates.versions()[-1]].table3_keys)
    rows = base | {k for k in present if k in templates.ROW}
    return [k for k in templates.ROW_KEYS if k in rows]


def table2_version(version: str | None, present: Iterable[str]) -> str:
    """The version whose table 2 the report's cells follow (a report may mix versions: P104), else its own."""
    keys = set(present)
    known = templates.templates()
    if not keys:
        return version if version in known else templates.versions()[-1]
    best = max(known.values(), key=lambda t: (len(keys & set(t.table2_keys)), t.version == version))
    return best.version


# ------------------------------------------------------------------------------------------ tables


def table3_html(version: str | None, cells: Iterable[Mapping[str, Any]], marks: Marks) -> str:
    lang, en = marks.lang, marks.lang == "en"
    idx = _cells_index(cells)
    rows = table3_rows(version, (k[1] for k in idx if k[0] == 3))
    cols = templates.TABLE3_COLUMNS
    # a column's head stands on its own: capitalised in English ("Natural persons", i18n.cell)
    name = (
        {k: i18n.cell(v, "en") for k, v in templates.TABLE3_COLUMN_PAGE_EN.items()}
        if en
        else templates.TABLE3_COLUMN_LABELS
    )
    first, total = templates.APPLICANT_COLUMNS[0], templates.TOTAL_COLUMN
    orgs = templates.APPLICANT_COLUMNS[1:]
    head = [
        "<tr>"
        + _th(templates.BALANCE_NOTE_EN if en else templates.BALANCE_NOTE, "xr-note", rs=3, cs=3)
        + _th(templates.APPLICANT_HEADER_EN if en else templates.APPLICANT_HEADER, "xr-h", cs=len(cols))
        + "</tr>",
        "<tr>"
        + _th(name[first], "xr-h", rs=2)
        + _th(templates.ORGANISATION_HEADER_EN if en else templates.ORGANISATION_HEADER, "xr-h", cs=len(orgs))
        + _th(name[total], "xr-h", rs=2)
        + "</tr>",
        "<tr>" + "".join(_th(name[c], "xr-h") for c in orgs) + "</tr>",
    ]
    outcomes = templates.outcome_rows(rows)
    body = []
    seen: set[str] = set()
    for key in rows:
        spec = templates.ROW[key]
        row_notes = marks.at(f"table3.{key}")
        label = spec.label_en if en else spec.number + spec.short  # numbering and words: template data
        tip = "" if en or spec.short == spec.printed else spec.label
        parts = []
        if outcomes and key == outcomes[0]:  # 三、本年度办理结果 spans the outcomes and their 总计
            heading = templates.OUTCOMES_HEADING_EN if en else templates.OUTCOMES_HEADING
            parts.append(_th(heading, "xr-h", rs=len(outcomes) + (templates.TOTAL_ROW in rows)))
        if spec.flow and not spec.total:
            parts.append(_th(label, cs=3, tip=tip, notes=row_notes, lang=lang))
        elif spec.group:
            if spec.group not in seen:
                seen.add(spec.group)
                g = templates.GROUPS[spec.group]
                n = sum(templates.ROW[k].group == spec.group for k in rows)
                parts.append(_th(g.label_en if en else g.label, "xr-h", rs=n))
            parts.append(_th(label, tip=tip, notes=row_notes, lang=lang))
        else:
            parts.append(_th(label, cs=2, tip=tip, notes=row_notes, lang=lang))
        for c in cols:
            k = (3, key, c)
            parts.append(_td(idx.get(k), marks.at(f"table3.{key}.{c}"), row_notes, marks, k))
        body.append("<tr>" + "".join(parts) + "</tr>")
    # the label columns: 三、本年度办理结果, the groups, the rows; then the seven values. In English the labels
    # are longer: fixed widths (the rows' labels wrap) leave the seven values a share of the column each
    if en:
        return _table("t3 xr-t3en", head, body, ["5.4em", "6em", "10em"] + ["auto"] * len(cols))
    return _table("t3", head, body, ["4.2em", "6.2em", "auto"] + ["3.4em"] * len(cols))


def table4_html(cells: Iterable[Mapping[str, Any]], marks: Marks) -> str:
    en = marks.lang == "en"
    idx = _cells_index(cells)
    outs = templates.TABLE4_OUTCOMES
    oname = (
        {k: i18n.cell(v, "en") for k, v in templates.TABLE4_OUTCOME_EN.items()} if en else templates.TABLE4_OUTCOME_ZH
    )
    heading = templates.TABLE4_HEADING_EN if en else templates.TABLE4_HEADING
    suits = templates.TABLE4_GROUPS[1:]  # 行政诉讼's two groups, under one heading
    gname = {g: templates.TABLE4_GROUP[g].en if en else templates.TABLE4_GROUP[g].zh for g in templates.TABLE4_GROUPS}
    head = [
        "<tr>" + _th(heading[0], "xr-h", cs=len(outs)) + _th(heading[1], "xr-h", cs=len(outs) * len(suits)) + "</tr>",
        "<tr>"
        + "".join(_th(oname[o], "xr-h", rs=2) for o in outs)
        + "".join(_th(gname[g], "xr-h", cs=len(outs)) for g in suits)
        + "</tr>",
        "<tr>" + "".join(_th(oname[o], "xr-h") for _ in suits for o in outs) + "</tr>",
    ]
    tds = []
    for g in templates.TABLE4_GROUPS:
        for o in outs:
            key = templates.table4_key(g, o)
            k = (4, "table4", key)
            tds.append(_td(idx.get(k), marks.at(f"table4.{key}"), [], marks, k))
    return _table("t4", head, ["<tr>" + "".join(tds) + "</tr>"])


def table2_html(version: str | None, cells: Iterable[Mapping[str, Any]], marks: Marks) -> str:
    lang, en = marks.lang, marks.lang == "en"
    idx = _cells_index(cells)
    v = table2_version(version, (k[1] for k in idx if k[0] == 2))
    blocks = templates.get(v).table2_layout
    width = 1 + max(len(b.columns) for b in blocks)
    content = templates.TABLE2_CONTENT_HEADER[en]
    body = []
    for b in blocks:
        body.append("<tr>" + _th(b.en if en else b.zh, "xr-h", cs=width) + "</tr>")
        heads = [_th(content, "xr-h")]
        for i, c in enumerate(b.columns):
            heads.append(_th(c.en if en else c.zh, "xr-h", cs=width - len(b.columns) if i == len(b.columns) - 1 else 1))
        body.append("<tr>" + "".join(heads) + "</tr>")
        for r in b.rows:
            row_notes = marks.at(f"table2.{r.key}")
            parts = [_th(r.en if en else r.zh, notes=row_notes, lang=lang)]
            for i, c in enumerate(b.columns):
                key = f"{r.key}_{c.key}"
                td = _td(
                    idx.get((2, key, "")),
                    marks.at(f"table2.{key}"),
                    row_notes,
                    marks,
                    (2, key, ""),
                    signed=c.key == "change",
                )
                if i == len(b.columns) - 1 and len(b.columns) < width - 1:
                    td = td.replace("<td", f'<td colspan="{width - len(b.columns)}"', 1)
                parts.append(td)
            body.append("<tr>" + "".join(parts) + "</tr>")
    return _table("t2", [], body)


def _table(name: str, head: list[str], body: list[str], widths: list[str] | None = None) -> str:
    cols = "<colgroup>" + "".join(f'<col style="width:{w}">' for w in widths) + "</colgroup>" if widths else ""
    thead = f"<thead>{''.join(head)}</thead>" if head else ""
    return f'<div class="xr-wrap"><table class="xr xr-{name}">{cols}{thead}<tbody>{"".join(body)}</tbody></table></div>'


def legend(lang: str) -> str:
    """What the marks mean (the swatches use the cells' own classes)."""
    items = [
        ("xr-error", _ui("legend_error", lang)),
        ("xr-warning", _ui("legend_warning", lang)),
        ("xr-info", _ui("legend_info", lang)),
        ("xr-corr", _ui("legend_corr", lang)),
        ("xr-blank", _ui("legend_blank", lang)),
    ]
    spans = "".join(f'<span class="xr-sw {c}">{_e(t)}</span>' for c, t in items)
    return f'<div class="xr-legend">{spans}{_e(_ui("legend_hover", lang))}</div>'


def findings_html(notes: list[Note], lang: str) -> str:
    """A list of findings (severity, code, title, where, message), worst first."""
    if not notes:
        return ""
    items = []
    for n in sorted(notes, key=lambda n: SEVERITY_ORDER.get(n.severity, 3)):
        where = f"{_e(n.location)}：" if n.location and lang != "en" else f"{_e(n.location)}: " if n.location else ""
        msg = "" if not n.message or n.message == n.title else (" — " + _e(n.message))
        items.append(
            f'<li><span class="xr-sev xr-sev-{_e(n.severity)}">{_e(ftext.severity(n.severity, lang))}</span>'
            f"{where}<b>[{_e(n.code)}] {_e(n.title)}</b>{msg}</li>"
        )
    return f'<ul class="xr-f">{"".join(items)}</ul>'


def text_html(text: str) -> str:
    return f'<p class="xr-text">{_e(text)}</p>'


# ------------------------------------------------------------------------------------------ the text


def section_texts(text: str | None, reflow: bool = False) -> dict[int, str]:
    """The report's text cut at the template's section headings: {0: before 一 (the title), 1: 一、总体情况 …}.
    A section the text does not have is absent. ``reflow`` (a PDF's text, for display): a paragraph's lines cut at
    the page's width joined again (``reflow_lines``)."""
    if not text:
        return {}
    segs = [Seg("text", text=line.strip()) for line in text.splitlines() if line.strip()]
    out_segs, _, _ = split_sections(segs)
    out: dict[int, list[str]] = {}
    for s in out_segs:
        out.setdefault(s.section, []).append(s.text)
    if reflow:
        full = _full_width([s.text for s in out_segs])
        out = {k: reflow_lines(v, full) for k, v in out.items()}
    return {k: "\n".join(v) for k, v in out.items()}


# A PDF's text keeps the page's line breaks: a paragraph reads as lines cut at the page's width. For display only
# (the stored text and the extraction are untouched), a line is joined to the next when it is as wide as the
# page's full lines (a paragraph's last line is shorter), ends no sentence and holds no gap (a table row's cells
# are printed with spaces between them), and the next line holds no gap and starts no heading or item.
_ENDS = tuple("。！？；：!?;:…")
_CLOSERS = "”’」』）)"
_ITEM = re.compile(
    r"(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十百]+[章节条])"
)
_GAP = re.compile(r"\S\s+\S")
_WIDE_ASCII = frozenset(",():;")  # a CJK PDF's full-width punctuation, extracted as ASCII
_MIN_FULL = 15.0  # a page's full line holds at least this many wide characters, or nothing is joined


def _width(s: str) -> float:
    """``s``'s width in wide characters (an ASCII letter or digit half of one)."""
    return sum(1.0 if ord(c) >= 0x2E80 or c in _WIDE_ASCII else 0.5 for c in s)


def _full_width(lines: list[str]) -> float:
    """The width of the page's full lines: the 90th percentile of the gap-free lines' widths (0 when fewer than 5)."""
    ws = sorted(_width(x) for x in lines if x and not _GAP.search(x))
    return ws[int(len(ws) * 0.9)] if len(ws) >= 5 else 0.0


def reflow_lines(lines: list[str], full: float) -> list[str]:
    """``lines`` with each paragraph's lines, cut at the page's width ``full``, joined into one; every other line
    as it is. Only line breaks go: the characters, in their order, are the same."""
    if full < _MIN_FULL:
        return list(lines)
    out: list[str] = []
    cont = False
    for line in lines:
        if cont and line and not _GAP.search(line) and not _ITEM.match(line):
            out[-1] += line
        else:
            out.append(line)
        cont = bool(line) and not _GAP.search(line) and _width(line) >= full - 2.5
        cont = cont and not line.rstrip(_CLOSERS).endswith(_ENDS)
    return out


def section_of(location: str | None) -> int:
    """Which section a finding belongs to: table2 → 2, table3 → 3, table4 → 4; the rest → 0 (the report as a whole)."""
    head = (location or "").split(".", 1)[0]
    for s in templates.SECTIONS:
        if s.table and head == f"table{s.table}":
            return s.no
    return 0
