"""Table 4 (行政复议、行政诉讼): one row of 15 numbers, however the source breaks it up.

The header may be wider or narrower than the row, split into three tables, or missing; the values
come as 15 cells, three pieces of five, or one run of digits. We take the numbers after the
heading in order until they read as 15 cells, and use the group sums (总计 = 维持+纠正+其他+尚未审结)
to split runs of digits.
"""

from __future__ import annotations

from pipelines.parse.digits import TABLE4_GROUPS, Segmentation, Token, fill_lost, segment
from pipelines.parse.tokens import Chunk, Stream
from pipelines.report import BLANK, DASH, INFERRED, MISSING, NUMBER, CellValue, Report

N = 15
_CLAUSE = ("，", ",", "；", ";")
_SENTENCE_END = ("。", "，", ",", "；", ";")


def _in_sentence(ch: Chunk) -> bool:
    """Numbers inside a sentence (本年度，收到行政复议申请2件。), not table cells: a clause of the same
    sentence before them, or punctuation right after them."""
    clause = ch.label_before.rsplit("。", 1)[-1]
    return any(p in clause for p in _CLAUSE) or ch.after.startswith(_SENTENCE_END)


def parse_table4(st: Stream, report: Report, keys: tuple[str, ...]) -> bool:
    tokens, raw = _gather(st)
    if not tokens:
        report.add("P401 table4_missing", "warning", "table4", "table 4 has no numbers; its 15 cells were left null")
        return False
    sg = segment(tokens, N, TABLE4_GROUPS)
    if not sg.candidates and sg.gap_nulls and not sg.overflow:
        sg = fill_lost(tokens, N, TABLE4_GROUPS) or sg
    src = " ".join(raw)
    doubt = _doubt(sg, tokens, src)
    if doubt is not None:
        report.add(doubt[0], "warning", "table4", doubt[1])
        return False
    vals = sg.candidates[0]
    report.table4 = _cells(vals, tokens, sg, src)
    _note_zero_groups(report, keys)
    _note_reading(report, sg, vals, src)
    return True


def _gather(st: Stream) -> tuple[list[Token], list[str]]:
    """The numbers after the heading, in order, until they read as 15 cells (or cannot)."""
    tokens: list[Token] = []
    raw: list[str] = []
    for it in st.items:
        if it.kind != "chunk":
            continue
        ch = it.chunk
        assert ch is not None
        if not ch.grid and _in_sentence(ch):
            continue  # numbers in a sentence, not in the table
        toks = [t for t in ch.tokens if not (t.unit and t.unit not in ("件",))]
        if not ch.grid:
            toks = [t for t in toks if t.kind != "blank"]
        if not toks or (ch.all_blank() and not tokens):
            continue
        tokens.extend(toks)
        raw.append(ch.raw)
        sg = segment(tokens, N, TABLE4_GROUPS)
        if sg.candidates or sg.overflow or len(tokens) >= N:
            break
    return tokens, raw


def _doubt(sg: Segmentation, tokens: list[Token], src: str) -> tuple[str, str] | None:
    """(code, message) when the numbers cannot be read as 15 cells with certainty."""
    if sg.overflow:
        return "P403 table4_overflow", f"table 4 has {len(tokens)} numbers for 15 cells ({src}); cells left null"
    if sg.exhausted or sg.inconsistent:
        why = (
            "too many ways to tell"
            if sg.exhausted
            else f"{sg.inconsistent} ways, none with every group's total adding up"
        )
        return "P405 digits_ambiguous", f"table 4 digits ({src}) can be split {why}; cells left null"
    if sg.lost and len(sg.candidates) != 1:
        return (
            "P402 table4_cells_missing",
            f"table 4 has {N - sg.lost} numbers for 15 cells ({src}) and no gap shows where the lost ones stood: "
            f"{len(sg.candidates)} placements keep every group's total; cells left null",
        )
    if not sg.candidates:
        return (
            "P402 table4_cells_missing",
            f"table 4 has fewer numbers than 15 cells ({src}); which are missing cannot be told, cells left null",
        )
    if len(sg.candidates) > 1:
        return (
            "P405 digits_ambiguous",
            f"table 4 digits ({src}) split {len(sg.candidates)} ways consistent with the group sums, "
            f"e.g. {list(sg.candidates[0])} / {list(sg.candidates[1])}; cells left null",
        )
    return None


def _cells(vals: tuple, tokens: list[Token], sg: Segmentation, src: str) -> list[CellValue]:
    one_to_one = len(tokens) == N
    cells = []
    for i, v in enumerate(vals):
        tok = tokens[i] if one_to_one else None
        if v is None and sg.lost:
            cells.append(CellValue(None, None, MISSING))
        elif v is None:
            cells.append(CellValue(None, tok.text if tok else None, DASH if tok and tok.kind == "dash" else BLANK))
        else:
            state = NUMBER if (one_to_one or not sg.used_identity) else INFERRED
            cells.append(CellValue(v, tok.text if tok else src, state))
    conf = min((t.confidence for t in tokens), default=1.0)
    if conf < 1.0:
        for c in cells:
            c.confidence = conf
    return cells


def _note_reading(report: Report, sg: Segmentation, vals: tuple, src: str) -> None:
    """The inference a reading needed, if any (info)."""
    if sg.lost:
        shown = ", ".join("∅" if v is None else str(v) for v in vals)
        report.add(
            "P406 table4_lost_cells_inferred",
            "info",
            "table4",
            f"table 4 has {N - sg.lost} numbers for 15 cells ({src}) and no gap shows where the lost ones stood; "
            f"every placement that keeps each group's total = upheld + corrected + other + pending (counts never negative) "
            f"reads [{shown}]",
        )
    if sg.glued and sg.used_identity:
        report.add(
            "P404 digits_split",
            "info",
            "table4",
            f"table 4 printed as a run of digits ({src}); split as {list(vals)}, the only split in which "
            "every group's total equals the sum of its results",
        )


def _note_zero_groups(report: Report, keys: tuple[str, ...]) -> None:
    """A group printed with its 总计 0 and some results blank: the blanks can only be 0 (counts are
    never negative), but they stay blank as printed; the finding says so."""
    for parts, total in TABLE4_GROUPS:
        if report.table4[total].value != 0:
            continue
        blank = [keys[i] for i in parts if report.table4[i].value is None]
        if blank:
            report.add(
                "P407 table4_blank_under_zero_total",
                "info",
                f"table4.{keys[total]}",
                f"{keys[total]} is 0, so the blank {', '.join(blank)} can only be 0; left blank as printed",
            )
