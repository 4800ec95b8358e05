"""Table 3 (收到和处理政府信息公开申请情况): chunks of numbers → the template's rows.

Two ways to place a chunk, tried in this order:
1. By order. The template fixes the order of its rows, and every damaged form we have seen
   (labels printed after their numbers, labels broken over lines, vertical group labels, a table
   split by a page break) still gives the rows' numbers top to bottom. When the number of chunks
   equals the number of rows of the layout, and no chunk sits right after the label of a
   different row, chunk i is row i.
2. By label. Each chunk right after a row's label is that row's; chunks with no label of their
   own fill, in order, the rows without numbers between two placed ones when the counts agree.
   Whatever stays unplaced is a finding.
Then each row's tokens are split into seven cells (digits.segment), and splits that the row
identity leaves open are settled, where possible, by the column identities of the whole table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import product

from pipelines import templates
from pipelines.parse.digits import TABLE3_GROUPS, Segmentation, Token, segment
from pipelines.parse.tokens import Chunk, Stream, label_key
from pipelines.report import BLANK, DASH, INFERRED, MISSING, NUMBER, CellValue, Report

N_COLS = len(templates.TABLE3_COLUMNS)
FLOW_ROWS = templates.FLOW_ROWS  # the balance's rows; every other row is an outcome
FIRST_ROW = templates.FIRST_ROW  # table 3 starts at 本年新收
MAX_COMBOS = 50000


@dataclass(frozen=True)
class _Spec:
    key: str
    match: tuple[str, ...]
    pattern: re.Pattern | None


@cache
def _specs() -> tuple[_Spec, ...]:
    """Row label specs of every template version, each key once."""
    seen: dict[str, _Spec] = {}
    for t in templates.templates().values():
        for r in t.table3_rows:
            if r.key not in seen:
                seen[r.key] = _Spec(r.key, r.match, r.pattern)
    return tuple(seen.values())


@cache
def layouts() -> dict[str, tuple[str, ...]]:
    """Row layouts of table 3 by version (2019: one 其他处理 row; 2021: three)."""
    return {v: t.table3_keys for v, t in templates.templates().items()}


@lru_cache(maxsize=4096)
def match_row(label: str) -> str | None:
    """The data row a label names; where several rows' labels are run together, the last one."""
    text = label_key(label)
    best: tuple[int, int, str] | None = None
    for spec in _specs():
        for kw in spec.match:
            i = text.rfind(kw)
            if i >= 0:
                cand = (i + len(kw), len(kw), spec.key)
                if best is None or cand[:2] > best[:2]:
                    best = cand
        if spec.pattern is not None:
            for m in spec.pattern.finditer(text):
                cand = (m.end(), m.end() - m.start(), spec.key)
                if best is None or cand[:2] > best[:2]:
                    best = cand
    if best is None:
        return _match_fuzzy(text)
    return best[2]


def _match_fuzzy(text: str) -> str | None:
    """One character off a long keyword (OCR's 谊期不补正 for 逾期不补正, 案知 for 案卷 in 行政执法案知):
    the row whose keyword is matched latest in the text, only when exactly one row matches."""
    hits: dict[str, int] = {}
    for spec in _specs():
        for kw in spec.match:
            n = len(kw)
            if n < 5:
                continue
            for i in range(len(text) - n + 1):
                window = text[i : i + n]
                if sum(a != b for a, b in zip(window, kw)) == 1:
                    hits[spec.key] = max(hits.get(spec.key, -1), i + n)
    if len(hits) == 1:
        return next(iter(hits))
    return None


def parse_table3(st: Stream, report: Report, hint_version: str | None) -> str | None:
    """Fill report.table3; return the layout version found ('2019' / '2021') or None."""
    items = st.items
    # Anchor: the data-row label right before each chunk (same segment).
    labels_seen: list[str] = []
    chunks: list[tuple[Chunk, str | None]] = []
    started = False
    for it in items:
        if it.kind == "label":
            k = match_row(it.text)
            if k:
                labels_seen.append(k)
                if k == FIRST_ROW:
                    started = True
            continue
        ch = it.chunk
        assert ch is not None
        anchor = match_row(ch.label_before) if ch.label_before else None
        if anchor == FIRST_ROW:
            started = True
        if not started and FIRST_ROW in labels_seen + [anchor]:
            continue
        if not started:
            # before the first row: header junk (dash-filled header cells, stray numbers)
            continue
        if ch.all_blank() and anchor is None:
            continue  # a group label's empty row (（三）不予公开 …)
        chunks.append((ch, anchor))

    if not chunks and not labels_seen:
        return None

    version = _layout_version(labels_seen, len(chunks), hint_version)
    rows = layouts()[version]

    placed = _place_by_order(chunks, rows, version)
    mode = "order"
    if placed is None:
        placed, unplaced = _place_by_label(chunks, rows, version)
        mode = "label"
        if unplaced:
            report.add(
                "P310 numbers_unplaced",
                "warning",
                "table3",
                f"{len(unplaced)} group(s) of numbers in table 3 could not be tied to a row: "
                + "; ".join(c.raw for c in unplaced[:5]),
            )

    # Split every placed chunk into seven cells.
    segs: dict[str, Segmentation] = {}
    for key, ch in placed.items():
        ch.tokens = trim_blanks(ch.tokens, N_COLS)
        segs[key] = segment(ch.tokens, N_COLS, TABLE3_GROUPS)

    chosen = _resolve(segs, rows, report)

    for key in rows:
        ch = placed.get(key)
        if ch is None:
            report.table3[key] = [CellValue.missing() for _ in range(N_COLS)]
            found = key in labels_seen
            report.add(
                "P301 row_missing",
                "warning",
                f"table3.{key}",
                "row label found but no numbers beside it; cells left null"
                if found
                else "row not found in the report; cells left null",
            )
            continue
        vals, state = chosen.get(key, (None, None))
        sg = segs[key]
        if vals is None:
            report.table3[key] = [CellValue(None, ch.raw, MISSING) for _ in range(N_COLS)]
            if sg.inconsistent:
                report.add(
                    "P305 digits_ambiguous",
                    "warning",
                    f"table3.{key}",
                    f"cells run together or lost ({ch.raw}): {sg.inconsistent} ways to read them as 7 cells and "
                    "none adds up to the row total; cells left null",
                )
            elif sg.exhausted:
                report.add(
                    "P305 digits_ambiguous",
                    "warning",
                    f"table3.{key}",
                    f"cells run together ({ch.raw}) and can be split too many ways to tell; cells left null",
                )
            elif sg.overflow:
                report.add(
                    "P303 row_overflow",
                    "warning",
                    f"table3.{key}",
                    f"row has more numbers than 7 cells ({ch.raw}); cells left null",
                )
            elif sg.gap_nulls or not sg.candidates:
                n_have = sum(1 for t in ch.tokens if t.kind != "blank")
                report.add(
                    "P302 row_cells_missing",
                    "warning",
                    f"table3.{key}",
                    f"row has {n_have} of 7 cells ({ch.raw}); which columns are missing cannot be told, so all 7 were left null",
                )
            continue
        report.table3[key] = _cells(vals, ch, state, sg)
        if sg.gap_nulls:
            report.add(
                "P302 row_cells_missing",
                "warning",
                f"table3.{key}",
                f"row has {N_COLS - sg.gap_nulls} of 7 cells ({ch.raw}); the missing cell(s) were placed at the gap(s) in the text and left null",
            )
    _note_zero_totals(report, rows)
    report.meta["table3"] = {"mode": mode, "version": version}
    return version


def _layout_version(labels_seen: list[str], n_chunks: int, hint: str | None) -> str:
    """The layout of table 3, newest version first: one whose own rows' labels were seen (2021's （六） 1–3,
    2019's one-row 其他处理) or whose row count equals the number of chunks; else the hint, else the oldest."""
    lay = layouts()
    for v in reversed(templates.versions()):
        if len(lay[v]) == n_chunks or any(k in labels_seen for k in templates.version_only_rows(v)):
            return v
    return hint if hint in lay else templates.versions()[0]


def _note_zero_totals(report: Report, rows: tuple[str, ...]) -> None:
    """Where （七）总计 is 0 in a column, every outcome cell of that column must be 0 (counts are
    never negative). The cells stay null — the source left them blank — but the finding says so."""
    th = report.table3.get(templates.TOTAL_ROW)
    if not th:
        return
    zero_cols = [c for c in range(N_COLS) if th[c].value == 0]
    if not zero_cols:
        return
    outcome = [k for k in rows if k not in FLOW_ROWS]
    for f in report.findings:
        if f.check.startswith(("P301", "P302")) and f.where.startswith("table3."):
            key = f.where.split(".")[1]
            if key in outcome and all(report.table3[key][c].value is None for c in zero_cols):
                f.message += (
                    "; （七）总计 is 0 in every column, so these cells can only be 0"
                    if len(zero_cols) == N_COLS
                    else f"; （七）总计 is 0 in {len(zero_cols)} column(s), so those cells can only be 0"
                )


def trim_blanks(tokens: list[Token], n: int) -> list[Token]:
    """Blank grid cells beyond the table's width are layout (a ragged Markdown row), not values."""
    toks = list(tokens)
    while len(toks) > n and toks[-1].kind == "blank":
        toks.pop()
    while len(toks) > n and toks[0].kind == "blank":
        toks.pop(0)
    return toks


def _place_by_order(chunks, rows, version) -> dict[str, Chunk] | None:
    if len(chunks) != len(rows):
        return None
    for (ch, anchor), key in zip(chunks, rows):
        if anchor is None or anchor == key:
            continue
        if key in templates.merged_parts(anchor):
            continue  # a row of another version that is a group label here (2019 其他处理 in 2021)
        return None
    return {key: ch for (ch, _), key in zip(chunks, rows)}


def _place_by_label(chunks, rows, version) -> tuple[dict[str, Chunk], list[Chunk]]:
    pos = {k: i for i, k in enumerate(rows)}
    placed: dict[str, Chunk] = {}
    slots: list[tuple[int | None, Chunk]] = []  # (row index or None, chunk) in document order
    for ch, anchor in chunks:
        if anchor not in pos and set(templates.merged_parts(anchor)) & set(pos):
            anchor = None  # another version's row, a group label here (2019 其他处理 in 2021)
        if anchor in pos and anchor not in placed:
            placed[anchor] = ch
            slots.append((pos[anchor], ch))
        else:
            slots.append((None, ch))
    unplaced: list[Chunk] = []
    # Unanchored chunks between two anchored ones fill the empty rows between them, in order.
    i = 0
    while i < len(slots):
        if slots[i][0] is not None:
            i += 1
            continue
        j = i
        while j < len(slots) and slots[j][0] is None:
            j += 1
        lo = max((s[0] for s in slots[:i] if s[0] is not None), default=-1)
        hi = min((s[0] for s in slots[j:] if s[0] is not None), default=len(rows))
        free = [rows[r] for r in range(lo + 1, hi) if rows[r] not in placed]
        run = [s[1] for s in slots[i:j]]
        if len(free) == len(run):
            for key, ch in zip(free, run):
                placed[key] = ch
        else:
            unplaced.extend(run)
        i = j
    return placed, unplaced


def _resolve(segs: dict[str, Segmentation], rows: tuple[str, ...], report: Report):
    """Pick one split per row; where the row identity leaves several, use the column identities."""
    chosen: dict[str, tuple[tuple | None, str]] = {}
    ambiguous: list[str] = []
    for key, sg in segs.items():
        if len(sg.candidates) == 1:
            chosen[key] = (sg.candidates[0], INFERRED if sg.used_identity else NUMBER)
        elif len(sg.candidates) > 1:
            ambiguous.append(key)
    if ambiguous:
        options = [segs[k].candidates for k in ambiguous]
        n_combos = 1
        for o in options:
            n_combos *= len(o)
        best: list[tuple] = []
        best_fail = None
        if n_combos <= MAX_COMBOS:
            fixed = {k: v[0] for k, v in chosen.items() if v[0] is not None}
            for combo in product(*options):
                trial = dict(fixed)
                trial.update(zip(ambiguous, combo))
                fails = _column_failures(trial, rows)
                if best_fail is None or fails < best_fail:
                    best, best_fail = [combo], fails
                elif fails == best_fail:
                    best.append(combo)
        for idx, key in enumerate(ambiguous):
            picks = {c[idx] for c in best}
            if len(picks) == 1:
                vals = next(iter(picks))
                chosen[key] = (vals, INFERRED)
                report.add(
                    "P304 digits_split",
                    "info",
                    f"table3.{key}",
                    f"cells run together ({segs[key].candidates and _fmt_run(segs[key])}); the split "
                    f"{list(vals)} is the only one consistent with the table's identities",
                )
            else:
                opts = sorted(picks) if picks else segs[key].candidates[:6]
                report.add(
                    "P305 digits_ambiguous",
                    "warning",
                    f"table3.{key}",
                    f"cells run together and can be split {len(opts)} ways consistent with the identities "
                    f"(e.g. {', '.join(str(list(o)) for o in list(opts)[:3])}); cells left null",
                )
                chosen[key] = (None, MISSING)
    glued = [
        k for k, sg in segs.items() if sg.glued and k in chosen and chosen[k][0] is not None and k not in ambiguous
    ]
    if glued:
        report.add(
            "P306 digits_run_together",
            "info",
            "table3",
            f"cells of {len(glued)} row(s) were printed without separators and were split digit by digit "
            "(a unique split, checked against the row totals)",
        )
    return chosen


def _fmt_run(sg: Segmentation) -> str:
    return f"{len(sg.candidates)} splits fit the row total"


def _column_failures(vals: dict[str, tuple], rows: tuple[str, ...]) -> int:
    outcome = [k for k in rows if k not in FLOW_ROWS]
    fails = 0
    for c in range(N_COLS):

        def v(k):
            row = vals.get(k)
            return None if row is None else row[c]

        ins, outs_ = [v(k) for k in templates.FLOW_IN], [v(k) for k in templates.FLOW_OUT]
        if None not in ins and None not in outs_ and sum(ins) != sum(outs_):
            fails += 1
        total = v(templates.TOTAL_ROW)
        outs = [v(k) for k in outcome]
        if total is not None and None not in outs and sum(outs) != total:
            fails += 1
    return fails


def _cells(vals: tuple, ch: Chunk, state: str, sg: Segmentation) -> list[CellValue]:
    out = _cells_raw(vals, ch, state, sg)
    conf = min((t.confidence for t in ch.tokens), default=1.0)
    if conf < 1.0:
        for c in out:
            c.confidence = conf
    return out


def _cells_raw(vals: tuple, ch: Chunk, state: str, sg: Segmentation) -> list[CellValue]:
    out: list[CellValue] = []
    one_to_one = len(ch.tokens) == N_COLS
    for i, v in enumerate(vals):
        tok: Token | None = ch.tokens[i] if one_to_one else None
        raw = tok.text if tok is not None else ch.raw
        if v is None:
            if tok is not None and tok.kind == "dash":
                out.append(CellValue(None, raw, DASH))
            else:
                out.append(CellValue(None, raw if tok is not None else None, BLANK))
        else:
            st = NUMBER if (one_to_one or not sg.used_identity) else state
            out.append(CellValue(v, raw, st))
    return out
