"""Render a synthetic truth dict into the forms agencies publish: HTML (plain, GBK, Word export),
tab-separated text, DOCX and PDF. Blank (null) cells render empty; a lost cell is left out of its row.

All tables come from one grid model (cells with rowspan/colspan) built from the template YAML row
and column lists, so every form shows the same layout. Every rendered report says in its text
that it is synthetic demo data.
"""

from __future__ import annotations

import hashlib
import html as _html
import io
import random
import zipfile
from dataclasses import dataclass

from pipelines import templates
from pipelines.templates import TABLE3_COLUMNS
from pipelines.templates import get as get_template

SYNTHETIC_NOTE = "本报告为xxgk演示用合成数据，所有数字均为随机生成，不代表任何机关的真实情况。"

# Printed labels, from the template vocabulary (pipelines/templates/vocabulary.yaml): a row's number + label,
# a group's label (a rowspan over its sub-rows), the applicant columns after 自然人, table 4's headings.
T3_LABELS = {r.key: r.label for r in templates.ROWS}
T3_COL_HEAD = [templates.TABLE3_COLUMN_LABELS[c] for c in templates.APPLICANT_COLUMNS[1:]]
T4_HEAD = [templates.TABLE4_OUTCOME_ZH[o] for o in templates.TABLE4_OUTCOMES]
SECTIONS = [sec.label for sec in templates.SECTIONS]
FORMATS = ("html", "txt", "docx", "pdf")
EXT = {"html": "html", "txt": "txt", "docx": "docx", "pdf": "pdf"}


@dataclass
class C:
    """A grid cell: text, spans, and whether it is a value cell (None text = blank value)."""

    text: str | None
    rs: int = 1
    cs: int = 1
    value: bool = False


Grid = list[list[C]]


def fmt(v, signed: bool = False) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.4f}".rstrip("0").rstrip(".")
    v = int(v)
    return f"{v:+d}" if signed and v else str(v)


def table2_grid(t: dict) -> Grid:
    v = t["template"]
    tpl = get_template(v)
    g: Grid = []
    for block in tpl.table2_layout:
        cols = block.columns
        g.append([C(block.zh, cs=4)])
        head = [C(templates.TABLE2_CONTENT_HEADER[0])] + [C(c.zh) for c in cols]
        head[-1].cs = 4 - len(cols)
        g.append(head)
        for row in block.rows:
            cells = [C(row.zh)]
            for c in cols:
                cells.append(C(fmt(t["table2"][f"{row.key}_{c.key}"], signed=c.key == "change"), value=True))
            cells[-1].cs = 4 - len(cols)
            g.append(cells)
    return g


def table3_grid(t: dict, lost: set[tuple[str, int]]) -> Grid:
    keys = list(t["table3"])
    cols = templates.TABLE3_COLUMN_LABELS
    first, total = templates.APPLICANT_COLUMNS[0], templates.TOTAL_COLUMN
    g: Grid = [
        [C(templates.BALANCE_NOTE, rs=3, cs=3), C(templates.APPLICANT_HEADER, cs=7)],
        [C(cols[first], rs=2), C(templates.ORGANISATION_HEADER, cs=5), C(cols[total], rs=2)],
        [C(h) for h in T3_COL_HEAD],
    ]
    outcomes = templates.outcome_rows(keys)
    seen_groups: set[str] = set()
    for key in keys:
        row: list[C] = []
        if key == outcomes[0]:
            row.append(C(templates.OUTCOMES_HEADING, rs=len(outcomes) + 1))  # the outcomes and their 总计
        spec = templates.ROW[key]
        if spec.flow and not spec.total:
            row.append(C(T3_LABELS[key], cs=3))
        elif spec.group:
            if spec.group not in seen_groups:
                seen_groups.add(spec.group)
                row.append(
                    C(templates.GROUPS[spec.group].label, rs=sum(templates.ROW[k].group == spec.group for k in keys))
                )
            row.append(C(T3_LABELS[key]))
        else:
            row.append(C(T3_LABELS[key], cs=2))
        vals = t["table3"][key]
        cells = [C(fmt(x), value=True) for c, x in enumerate(vals) if (key, c) not in lost]
        if len(cells) < 7:  # a lost cell: the row is one cell short; the last cell stretches
            cells[-1].cs += 7 - len(cells)
        g.append(row + cells)
    return g


def table4_grid(t: dict) -> Grid:
    return [
        [C(templates.TABLE4_HEADING[0], cs=5), C(templates.TABLE4_HEADING[1], cs=10)],
        [C(h, rs=2) for h in T4_HEAD] + [C(templates.TABLE4_GROUP[g].zh, cs=5) for g in templates.TABLE4_GROUPS[1:]],
        [C(h) for h in T4_HEAD * 2],
        [C(fmt(x), value=True) for x in t["table4"]],
    ]


def lost_cells(t: dict) -> set[tuple[str, int]]:
    out = set()
    for f in t.get("faults", []):
        if f["kind"] == "lost_cell":
            _, key, col = f["where"].split(".")
            out.add((key, TABLE3_COLUMNS.index(col)))
    return out


def title(t: dict) -> str:
    return f"{t['agency']}{t['year']}年政府信息公开工作年度报告"


def prose(t: dict) -> dict[int, list[str]]:
    """Short synthetic prose per section (0-based index)."""
    a, y = t["agency"], t["year"]
    nr = t["table3"][templates.FIRST_ROW][templates.TOTAL_COL]
    applied = f"本年度共收到政府信息公开申请{nr}件。" if nr is not None else ""
    six = ["无其他需要报告的事项。"]
    if t.get("fees_collected_yuan") is not None:
        six = [f"本年度收取信息处理费{fmt(t['fees_collected_yuan'])}元。", "无其他需要报告的事项。"]
    return {
        0: [
            SYNTHETIC_NOTE,
            f"{y}年，{a}按照《中华人民共和国政府信息公开条例》要求，坚持以公开为常态、不公开为例外，"
            f"推进政府信息公开工作。{applied}",
        ],
        4: [f"存在的主要问题：公开内容的及时性有待提高。改进情况：{a}将加强培训，规范依申请公开办理流程。"],
        5: six,
    }


def _grids(t: dict) -> dict[int, Grid]:
    return {1: table2_grid(t), 2: table3_grid(t, lost_cells(t)), 3: table4_grid(t)}


# ---------------------------------------------------------------------------------------------- HTML


def _split_spans(text: str, rnd: random.Random) -> str:
    """Word export style: a number or a label cut into several <span>s."""
    if len(text) < 2 or rnd.random() < 0.5:
        return f"<span lang=EN-US style='font-size:10.5pt;font-family:仿宋_GB2312'>{_html.escape(text)}</span>"
    cut = rnd.randint(1, len(text) - 1)
    parts = [text[:cut], text[cut:]]
    return "".join(
        f"<span lang=EN-US style='font-size:10.5pt;mso-bidi-font-size:11.0pt'>{_html.escape(p)}</span>" for p in parts
    )


def _html_table(g: Grid, variant: str, rnd: random.Random) -> str:
    out = [
        '<table border="1" cellspacing="0" style="border-collapse:collapse;border:none">'
        if variant != "word"
        else "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
        "border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184'>"
    ]
    for i, row in enumerate(g):
        out.append("<tr>" if variant != "word" else f"<tr style='mso-yfti-irow:{i}'>")
        for c in row:
            attrs = (f' rowspan="{c.rs}"' if c.rs > 1 else "") + (f' colspan="{c.cs}"' if c.cs > 1 else "")
            if variant == "word":
                inner = "<span>&nbsp;</span>" if not c.text else _split_spans(c.text, rnd)
                out.append(
                    f"<td{attrs} style='border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;"
                    f"padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal align=center style='text-align:center'>"
                    f"{inner}</p></td>"
                )
            else:
                out.append(
                    f'<td{attrs} style="padding:0px 4px;border:1px solid windowtext" valign="center">'
                    f'<p style="text-indent:0em;">{_html.escape(c.text or "")}</p></td>'
                )
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def render_html(t: dict, variant: str = "plain", seed: int = 0) -> bytes:
    """variant: plain (UTF-8), gbk (GBK with <meta charset=gbk>), word (Word export, mso- styles, split spans)."""
    rnd = random.Random(f"{t['report_id']}:{seed}:html")
    charset = "gbk" if variant == "gbk" else "utf-8"
    text_p = prose(t)
    grids = _grids(t)
    tt = _html.escape(title(t))
    if variant == "word":
        head = (
            '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta http-equiv=Content-Type '
            f'content="text/html; charset={charset}"><meta name=Generator content="Microsoft Word 15">'
            f'<title>{tt}</title><style>p.MsoNormal{{mso-style-parent:"";margin:0cm;text-align:justify;'
            "font-size:10.5pt;font-family:等线}}</style></head><body lang=ZH-CN style='tab-interval:21.0pt'>"
            "<div class=WordSection1>"
        )
        para = lambda s: (
            f"<p class=MsoNormal style='text-indent:21.0pt'><span style='font-family:仿宋_GB2312'>{_html.escape(s)}</span></p>"
        )
        h = lambda s: f"<p class=MsoNormal><b><span style='font-family:黑体'>{_html.escape(s)}</span></b></p>"
        top = f"<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:16.0pt'>{tt}</span></b></p>"
        tail = "</div></body></html>"
    else:
        head = (
            f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{tt}</title></head><body>'
            '<div class="header"><a href="#">首页</a> &gt; <a href="#">政府信息公开</a> &gt; 政府信息公开年报</div>'
            f'<div class="article"><h1 class="title">{tt}</h1><div class="info">来源：{_html.escape(t["agency"])}'
            '（合成演示数据）</div><div class="content">'
        )
        para = lambda s: f'<p style="text-indent:2em;">{_html.escape(s)}</p>'
        h = lambda s: f'<p style="text-indent:2em;"><strong>{_html.escape(s)}</strong></p>'
        top = ""
        tail = '</div></div><div class="footer">主办单位：演示站点（synthetic）</div></body></html>'
    body = [head, top]
    for i, sec in enumerate(SECTIONS):
        body.append(h(sec))
        body += [para(s) for s in text_p.get(i, [])]
        if i in grids:
            body.append(_html_table(grids[i], variant, rnd))
    body.append(tail)
    s = "".join(body)
    if charset == "gbk":
        return s.encode("gbk")
    return s.encode("utf-8")


# ---------------------------------------------------------------------------------------------- text


def resolve(g: Grid) -> list[list[tuple[C, bool]]]:
    """The grid with spans resolved: (cell, is_span_copy) per position."""
    out: list[list[tuple[C, bool]]] = []
    pending: dict[tuple[int, int], C] = {}
    for i, row in enumerate(g):
        line: list[tuple[C, bool]] = []
        j = 0
        it = iter(row)
        while True:
            if (i, j) in pending:
                line.append((pending.pop((i, j)), True))
                j += 1
                continue
            c = next(it, None)
            if c is None:
                break
            for di in range(c.rs):
                for dj in range(c.cs):
                    if di or dj:
                        if di:
                            pending[(i + di, j + dj)] = c
            line.append((c, False))
            line += [(c, True)] * (c.cs - 1)
            j += c.cs
        out.append(line)
    return out


def _text_table(g: Grid) -> list[str]:
    lines = []
    for row in resolve(g):
        cells = []
        for c, copy in row:
            if c.value and not copy and c.text is None:
                continue  # text extracted from a page loses blank value cells
            if c.value and copy:
                continue
            cells.append("" if copy else (c.text or ""))
        lines.append("\t".join(cells))
    return lines


def render_text(t: dict) -> bytes:
    out = ["", title(t), ""]
    text_p = prose(t)
    grids = _grids(t)
    for i, sec in enumerate(SECTIONS):
        out += [sec, ""]
        for s in text_p.get(i, []):
            out += [s, ""]
        if i in grids:
            out += _text_table(grids[i]) + [""]
    return "\n".join(out).encode("utf-8")


# ---------------------------------------------------------------------------------------------- DOCX


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so the same input gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return buf.getvalue()


def render_docx(t: dict) -> bytes:
    from datetime import datetime

    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    cp = d.core_properties
    cp.created = cp.modified = datetime(2020, 1, 1)
    cp.author = cp.last_modified_by = "xxgk demo (synthetic)"
    st = d.styles["Normal"]
    st.font.size = Pt(10.5)
    st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    d.add_paragraph(title(t)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    text_p = prose(t)
    grids = _grids(t)
    for i, sec in enumerate(SECTIONS):
        d.add_paragraph().add_run(sec).bold = True
        for s in text_p.get(i, []):
            d.add_paragraph(s)
        if i in grids:
            _docx_table(d, grids[i])
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip(buf.getvalue())


def _docx_table(d, g: Grid) -> None:
    """Table with merged cells as w:gridSpan / w:vMerge, built as one XML string (python-docx's
    cell().merge() is quadratic, and element-by-element building is slow)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    res = resolve(g)
    n = max(len(r) for r in res)
    tab = d.add_table(rows=0, cols=n)
    tab.style = "Table Grid"
    rows = []
    for row in res:
        tcs, j = [], 0
        while j < len(row):
            c, copy = row[j]
            pr = (f'<w:gridSpan w:val="{c.cs}"/>' if c.cs > 1 else "") + (
                ("<w:vMerge/>" if copy else '<w:vMerge w:val="restart"/>') if c.rs > 1 else ""
            )
            run = f"<w:r><w:t>{_html.escape(c.text, quote=False)}</w:t></w:r>" if c.text and not copy else ""
            tcs.append(f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p>{run}</w:p></w:tc>")
            j += c.cs
        rows.append("<w:tr>" + "".join(tcs) + "</w:tr>")
    frag = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
    for tr in list(frag):
        tab._tbl.append(tr)


# ---------------------------------------------------------------------------------------------- PDF

_FONT = "STSong-Light"


def render_pdf(t: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    body = ParagraphStyle("b", fontName=_FONT, fontSize=10.5, leading=16, firstLineIndent=21, wordWrap="CJK")
    head = ParagraphStyle("h", parent=body, firstLineIndent=0)
    ttl = ParagraphStyle("t", parent=body, fontSize=15, leading=22, alignment=1, firstLineIndent=0)
    cell = ParagraphStyle("c", fontName=_FONT, fontSize=7.5, leading=9.5, wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title(t),
        author="xxgk demo (synthetic)",
        invariant=1,
    )

    def footer(canvas, _doc):
        canvas.setFont(_FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"- {canvas.getPageNumber()} -")

    flow = [Paragraph(title(t), ttl), Spacer(1, 6)]
    text_p = prose(t)
    grids = _grids(t)
    width = A4[0] - 36 * mm
    for i, sec in enumerate(SECTIONS):
        flow.append(Paragraph(sec, head))
        flow += [Paragraph(s, body) for s in text_p.get(i, [])]
        if i in grids:
            flow.append(_pdf_table(grids[i], i, width, cell, Table, TableStyle, colors, Paragraph))
            flow.append(Spacer(1, 6))
    doc.build(flow, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _pdf_table(g: Grid, section: int, width: float, style, Table, TableStyle, colors, Paragraph):
    res = resolve(g)
    n = max(len(r) for r in res)
    data = [["" for _ in range(n)] for _ in res]
    spans = []
    placed: set[int] = set()
    for i, row in enumerate(res):
        for j, (c, copy) in enumerate(row):
            if copy or id(c) in placed:
                continue
            placed.add(id(c))
            data[i][j] = Paragraph(c.text, style) if c.text and not c.value and len(c.text) > 6 else (c.text or "")
            if c.rs > 1 or c.cs > 1:
                spans.append(("SPAN", (j, i), (j + c.cs - 1, i + c.rs - 1)))
    if section == 2:  # table 3: three label columns, seven value columns
        lw = width * 0.46
        widths = [lw * 0.22, lw * 0.2, lw * 0.58] + [(width - lw) / 7] * 7
    else:
        widths = [width / n] * n
    tab = Table(data, colWidths=widths)
    tab.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), _FONT, 7.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
            + spans
        )
    )
    return tab


# ---------------------------------------------------------------------------------------------- files


def pick_form(t: dict, seed: int, formats: tuple[str, ...]) -> tuple[str, str]:
    """(format, html variant) for one report: mostly HTML, some text, some DOCX/PDF; deterministic."""
    weights = {"html": 0.75, "txt": 0.16, "docx": 0.045, "pdf": 0.045}  # DOCX/PDF are the slow ones
    rnd = random.Random(f"{t['report_id']}:{seed}:form")
    fs = [f for f in FORMATS if f in formats]
    f = rnd.choices(fs, [weights[x] for x in fs])[0]
    variant = rnd.choices(["plain", "gbk", "word"], [0.5, 0.25, 0.25])[0] if f == "html" else ""
    return f, variant


def render(t: dict, form: str, variant: str = "plain", seed: int = 0) -> bytes:
    if form == "html":
        return render_html(t, variant or "plain", seed)
    if form == "txt":
        return render_text(t)
    if form == "docx":
        return render_docx(t)
    if form == "pdf":
        return render_pdf(t)
    raise ValueError(f"unknown format {form!r}; known: {', '.join(FORMATS)}")


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()
