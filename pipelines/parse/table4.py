"""Table 4 (行政复议、行政诉讼): one row of 15 numbers, however the source breaks it up.

The header may be wider or narrower than the row, split into three tables, or missing; the values
come as 15 cells, three pieces of five, or one run of digits. We take the numbers after the
heading in order until they read as 15 cells, and use the group sums (总计 = 维持+纠正+其他+尚未审结)
to split runs of digits.
"""

from __future__ import annotations

from pipelines.parse.digits import TABLE4_GROUPS, Token, segment
from pipelines.parse.tokens import Stream
from pipelines.report import DASH, INFERRED, NUMBER, BLANK, CellValue, Report

N = 15
_PROSE = ("。", "，", ",")


def parse_table4(st: Stream, report: Report, keys: tuple[str, ...]) -> bool:
    tokens: list[Token] = []
    raw: list[str] = []
    for it in st.items:
        if it.kind != "chunk":
            continue
        ch = it.chunk
        assert ch is not None
        if not ch.grid and any(p in ch.label_before for p in _PROSE):
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
    if not tokens:
        report.add("P401 table4_missing", "warning", "table4", "table 4 has no numbers; its 15 cells were left null")
        return False
    sg = segment(tokens, N, TABLE4_GROUPS)
    src = " ".join(raw)
    if sg.overflow:
        report.add(
            "P403 table4_overflow",
            "warning",
            "table4",
            f"table 4 has {len(tokens)} numbers for 15 cells ({src}); cells left null",
        )
        return False
    if sg.exhausted or sg.inconsistent:
        why = (
            "too many ways to tell"
            if sg.exhausted
            else f"{sg.inconsistent} ways, none with every group's 总计 adding up"
        )
        report.add(
            "P405 digits_ambiguous", "warning", "table4", f"table 4 digits ({src}) can be split {why}; cells left null"
        )
        return False
    if not sg.candidates:
        report.add(
            "P402 table4_cells_missing",
            "warning",
            "table4",
            f"table 4 has fewer numbers than 15 cells ({src}); which are missing cannot be told, cells left null",
        )
        return False
    if len(sg.candidates) > 1:
        report.add(
            "P405 digits_ambiguous",
            "warning",
            "table4",
            f"table 4 digits ({src}) split {len(sg.candidates)} ways consistent with the group sums, "
            f"e.g. {list(sg.candidates[0])} / {list(sg.candidates[1])}; cells left null",
        )
        return False
    vals = sg.candidates[0]
    one_to_one = len(tokens) == N
    cells = []
    for i, v in enumerate(vals):
        tok = tokens[i] if one_to_one else None
        if v is None:
            cells.append(CellValue(None, tok.text if tok else None, DASH if tok and tok.kind == "dash" else BLANK))
        else:
            state = NUMBER if (one_to_one or not sg.used_identity) else INFERRED
            cells.append(CellValue(v, tok.text if tok else src, state))
    conf = min((t.confidence for t in tokens), default=1.0)
    if conf < 1.0:
        for c in cells:
            c.confidence = conf
    report.table4 = cells
    if sg.glued and sg.used_identity:
        report.add(
            "P404 digits_split",
            "info",
            "table4",
            f"table 4 printed as a run of digits ({src}); split as {list(vals)}, the only split in which "
            "every group's 总计 equals the sum of its results",
        )
    return True
