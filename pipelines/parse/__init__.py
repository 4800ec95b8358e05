"""Document → Report, driven by the template maps in pipelines/templates/.

The parser never looks at the file format: every reader's Document is cut into segments
(text lines, table rows), the segments into the template's sections, and each table's section
into label texts and chunks of numbers (tokens.py), which table2/3/4 place by the template maps.
"""

from __future__ import annotations

import re

from pipelines import templates
from pipelines.document import Document, ReadError
from pipelines.entities import resolve
from pipelines.parse import agency, cellines, meta
from pipelines.parse.segments import ORDINALS, segments, split_sections
from pipelines.parse.table2 import detect_version, parse_table2
from pipelines.parse.table3 import parse_table3
from pipelines.parse.table4 import parse_table4
from pipelines.parse.tokens import stream
from pipelines.report import CellValue, Report

_CORRECTED = re.compile(r"已将“(.+?)”更正为“(.+?)”")


def _place_agency(report: Report) -> None:
    """Region of the agency (GB/T 2260) and, where OCR garbled a region name in it, the fix."""
    if not report.agency:
        return
    ent = resolve(report.agency, None, report.text[:20000])
    report.region = {"province": ent.province, "city": ent.city, "county": ent.county}
    report.meta["entity"] = ent
    m = _CORRECTED.search(ent.note or "")
    if m and m.group(1) in report.agency:
        printed = report.agency
        report.agency = printed.replace(m.group(1), m.group(2))
        report.add(
            "P105 agency_corrected",
            "info",
            "agency",
            f"agency printed as {printed}: {m.group(1)} is no region in GB/T 2260, {m.group(2)} is one character away; read as {report.agency}",
        )
    elif ent.status != "resolved":
        report.add(
            "P106 agency_unresolved",
            "info",
            "agency",
            f"agency {report.agency} could not be placed in one region ({ent.status}); listed for a person to resolve",
        )


def _note_misnumbered(report: Report, misnumbered: dict[int, str]) -> None:
    for sec, printed in misnumbered.items():
        report.add(
            "P107 section_misnumbered",
            "info",
            f"table{sec}" if sec in (2, 3, 4) else "sections",
            f"section {ORDINALS[sec]} printed under another number ({printed}…); found by its own words",
        )


def _note_rebuilt_rows(report: Report, segs: list, rebuilt: cellines.Rebuilt) -> None:
    """Say how a table printed one cell per line was read: the blank cells told by the breaks (info),
    the rows whose breaks fit no reading (a warning: their missing cells were treated as lost)."""
    where = {2: "table2", 3: "table3", 4: "table4"}
    for seg in segs:
        if seg.kind != "row" or not seg.note or seg.section not in where:
            continue
        doubt = seg.note.startswith("breaks")
        report.add(
            "P314 cells_one_per_line_doubt" if doubt else "P311 cells_one_per_line",
            "warning" if doubt else "info",
            where[seg.section],
            f"table printed one cell per line; row {' '.join(c for c in seg.cells if c)[:60]}: {seg.note}",
        )


def _agency_and_year(report: Report, segs: list, doc: Document) -> None:
    """The year from the title (from the statistics period when the title has none), the agency from the
    strongest evidence, and the agency's region."""
    titles = meta.title_matches(segs, doc.meta.get("title"))
    report.year = titles[0][1] if titles else None
    report.agency = agency.choose(report, agency.candidates(segs, titles))
    if report.year is None:
        report.year = meta.period_year(report.text)
        if report.year is not None:
            report.add("P101 year_from_text", "info", "year", "no year in the title; taken from the statistics period")
    _place_agency(report)
    if report.year is None:
        report.add("P103 year_missing", "warning", "year", "no report year found")


def _template(report: Report, t2_version: str | None, t3_version: str, has_table2: bool) -> None:
    """The report's template version, and a finding when its tables disagree or table 2 is unrecognised."""
    report.template = t2_version or t3_version
    if t2_version and t2_version != t3_version:
        report.add(
            "P104 template_mixed",
            "info",
            "template",
            f"table 2 follows the {t2_version} template but table 3 the {t3_version} layout; each table kept as printed",
        )
    if t2_version is None:
        # Table 2 in the layout of table 3's version, so its keys exist (null) in the output
        if has_table2:
            report.add(
                "P203 table2_unrecognised",
                "warning",
                "table2",
                "table 2 headers match no template version; cells left null",
            )
        for k in templates.get(t3_version).table2_keys:
            report.table2.setdefault(k, CellValue.missing())


def parse(doc: Document) -> Report:
    report = Report(source=doc.source, sha256=doc.sha256 or "", format=doc.format, ocr=doc.ocr)
    rebuilt = cellines.rebuild(doc)
    segs, starts, misnumbered = split_sections(rebuilt.segs if rebuilt is not None else segments(doc))
    report.text = "\n".join(s.flat for s in segs)

    def region(sec: int) -> tuple[int, int] | None:
        if sec not in starts:
            return None
        later = [i for s, i in starts.items() if s > sec]
        return starts[sec], min(later) if later else len(segs)

    r2, r3, r4 = region(2), region(3), region(4)
    if r3 is None and r4 is None:
        raise ReadError(
            doc.source,
            "not an annual report: no section 三 (收到和处理政府信息公开申请情况) or 四 (行政复议、行政诉讼) found",
        )

    _note_misnumbered(report, misnumbered)
    _agency_and_year(report, segs, doc)

    t2_version = None
    if r2 is not None:
        st2 = stream(segs, *r2)
        t2_version = detect_version(st2)
        if t2_version is not None:
            parse_table2(st2, report, t2_version)

    t3_version = None
    if r3 is not None:
        t3_version = parse_table3(stream(segs, *r3), report, t2_version or templates.expected_version(report.year))
    if t3_version is None:
        raise ReadError(doc.source, "not an annual report: table 3 (收到和处理政府信息公开申请情况) has no rows")

    if doc.ocr:
        from pipelines.parse.ocrfix import fix_ocr_table3

        fix_ocr_table3(report)

    keys = templates.get(t3_version).table4_keys
    if r4 is not None:
        parse_table4(stream(segs, *r4), report, keys)
    else:
        report.add(
            "P401 table4_missing",
            "warning",
            "table4",
            "section 4 (administrative review and litigation) not found; cells left null",
        )

    _template(report, t2_version, t3_version, r2 is not None)

    if rebuilt is not None:
        _note_rebuilt_rows(report, segs, rebuilt)

    r6 = region(6)
    if r6 is not None:
        report.fees_collected_yuan = meta.fees_yuan("\n".join(s.flat for s in segs[r6[0] : r6[1]]))
    return report
