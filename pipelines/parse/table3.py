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
from itertools import pairwise, product

from pipelines import templates
from pipelines.parse.digits import TABLE3_GROUPS, Segmentation, Token, fill_lost, segment, set_apart
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
    labels_seen, entries = _collect(st)
    chunks = [(e.chunk, e.anchor) for e in entries]
    n_split = sum(1 for a, b in pairwise(entries) if b.split and not a.split)
    if n_split:
        report.add(
            "P313 rows_on_one_line",
            "info",
            "table3",
            f"{n_split} line(s) held the numbers of two or more rows; each was cut into rows of 7 cells, "
            "every one of which keeps its total = the six applicant columns",
        )
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
            placed, unplaced, mode = _place_detached(entries, rows, version, report, (placed, unplaced))
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
        sg = segment(ch.tokens, N_COLS, TABLE3_GROUPS)
        if not sg.candidates and sg.gap_nulls and not sg.overflow:
            sg = fill_lost(ch.tokens, N_COLS, TABLE3_GROUPS) or sg
        segs[key] = sg

    chosen = _resolve(segs, rows, report)
    for key in rows:
        _fill_row(report, key, placed.get(key), segs.get(key), chosen.get(key, (None, None)), key in labels_seen)
    _note_zero_totals(report, rows)
    report.meta["table3"] = {"mode": mode, "version": version}
    return version


@dataclass(init=False)
class _Entry:
    """A chunk of numbers with the data-row labels around it: its own (same segment, `anchor`), and
    the labels printed on the lines between it and the previous / next chunk."""

    chunk: Chunk
    anchor: str | None
    before: list[str]
    after: list[str]
    split: bool = False  # cut from a line that held several rows' numbers

    # An __init__ of its own (as tokens.Chunk's): compiled by mypyc, where the generated one is Python.
    def __init__(self, chunk: Chunk, anchor: str | None, before: list[str], after: list[str], split: bool = False):
        self.chunk = chunk
        self.anchor = anchor
        self.before = before
        self.after = after
        self.split = split


def _collect(st: Stream) -> tuple[list[str], list[_Entry]]:
    """The data-row labels seen, and the chunks from the first row on with the labels around them."""
    labels_seen: list[str] = []
    entries: list[_Entry] = []
    pending: list[str] = []  # data-row labels since the last chunk
    started = False
    for it in st.items:
        if it.kind == "label":
            k = match_row(it.text)
            if k:
                labels_seen.append(k)
                pending.append(k)
                started = started or k == FIRST_ROW
            continue
        ch = it.chunk
        assert ch is not None
        anchor = match_row(ch.label_before) if ch.label_before else None
        started = started or anchor == FIRST_ROW
        if not started:
            continue  # before the first row: header junk (dash-filled header cells, stray numbers)
        if ch.all_blank() and anchor is None:
            continue  # a group label's empty row (（三）不予公开 …)
        for n, part in enumerate(_split_rows(ch) if len(ch.tokens) >= 2 * N_COLS else (ch,)):
            if entries and (n or not pending):
                before: list[str] = []
            else:
                before = pending
                if entries:
                    entries[-1].after = pending
            entries.append(_Entry(part, anchor if n == 0 else None, before, [], split=n > 0))
        pending = []
    if entries:
        entries[-1].after = pending
    return labels_seen, entries


def _split_rows(ch: Chunk) -> list[Chunk]:
    """Several rows' numbers on one line (two labels, then both rows' numbers): a chunk of k × 7
    cells, each token one cell, is k rows when every row of 7 keeps its 总计 = the six applicant
    columns; otherwise it stays one chunk (and is placed, or reported, as it is)."""
    k, rem = divmod(len(ch.tokens), N_COLS)
    if k < 2 or rem:
        return [ch]
    toks = set_apart(ch.tokens)
    if any(t.kind == "num" and t.splittable and len(t.text) > 1 for t in toks):
        return [ch]
    parts = [toks[i * N_COLS : (i + 1) * N_COLS] for i in range(k)]
    for p in parts:
        if any(t.kind in ("blank", "dash") for t in p):
            return [ch]
        vals = [float(t.text) for t in p]
        if sum(vals[:-1]) != vals[-1]:
            return [ch]
    return [
        Chunk(list(p), ch.seg_index, label_before=ch.label_before if i == 0 else "", grid=ch.grid)
        for i, p in enumerate(parts)
    ]


def _layout_version(labels_seen: list[str], n_chunks: int, hint: str | None) -> str:
    """The layout of table 3, newest version first: one whose own rows' labels were seen (2021's （六） 1–3,
    2019's one-row 其他处理) or whose row count equals the number of chunks; else the hint, else the oldest."""
    lay = layouts()
    for v in reversed(templates.versions()):
        if len(lay[v]) == n_chunks or any(k in labels_seen for k in templates.version_only_rows(v)):
            return v
    return hint if hint in lay else templates.versions()[0]


def _detached_anchors(entries: list[_Entry], side: str, rows: tuple[str, ...]) -> list[str | None]:
    """Anchors where labels stand on lines of their own: a run of k chunks without a label of their
    own or between them takes, in order, the k labels printed right before it (side 'before') or
    right after it ('after'), when there are exactly k; a chunk's own label always wins."""
    out: list[str | None] = [e.anchor for e in entries]
    i = 0
    while i < len(entries):
        if entries[i].anchor is not None:
            i += 1
            continue
        j = i + 1
        while j < len(entries) and not entries[j].before and entries[j].anchor is None:
            j += 1  # entries[i:j]: a run of chunks with no label of their own or between them
        if side == "before":
            labels = list(entries[i].before)
        else:
            labels = list(entries[j - 1].after)
            if j < len(entries) and labels and labels[-1] == entries[j].anchor:
                labels.pop()  # the next chunk's own label, printed on its line
        # another version's row that is a group label here (2019 其他处理 in 2021)
        labels = [k for k in labels if k in rows or not set(templates.merged_parts(k)) & set(rows)]
        if len(labels) == j - i:
            out[i:j] = labels
        i = j
    return out


def _place_detached(entries, rows, version, report, base):
    """Labels printed on lines of their own, away from their numbers (PDF → Markdown): place the
    numbers by the labels right before them, or right after them, when that places more rows and
    the table's column identities can be checked and all hold; when both readings pass and
    disagree, neither is taken."""
    trials = []
    for side in ("before", "after"):
        anchors = _detached_anchors(entries, side, rows)
        placed, unplaced = _place_by_label([(e.chunk, a) for e, a in zip(entries, anchors)], rows, version)
        fails, holds = _placement_checks(placed, rows)
        if len(unplaced) < len(base[1]) and fails == 0 and holds > 0:
            trials.append((side, placed, unplaced))
    if not trials:
        return (*base, "label")
    readings = {tuple((k, ch.raw) for k, ch in sorted(p.items())) for _, p, _ in trials}
    if len(readings) > 1:
        report.add(
            "P315 labels_detached_ambiguous",
            "warning",
            "table3",
            "row labels stand apart from their numbers, and reading each label with the numbers after it "
            "and with the numbers before it both keep the table's identities; neither was taken",
        )
        return (*base, "label")
    side, placed, unplaced = trials[0]
    report.add(
        "P312 labels_detached",
        "info",
        "table3",
        f"row labels stand on lines of their own; each was read with the numbers printed {'after' if side == 'before' else 'before'} "
        "it, the only reading that places them and keeps every identity of the table",
    )
    return placed, unplaced, f"label-{side}"


def _placement_checks(placed: dict[str, Chunk], rows: tuple[str, ...]) -> tuple[int, int]:
    """(failing, holding) identities when the placed chunks are read as they stand: each row's
    总计 and the table's column identities (a row whose reading is not unique counts as unknown)."""
    vals: dict[str, tuple] = {}
    fails = 0
    for key, ch in placed.items():
        sg = segment(trim_blanks(ch.tokens, N_COLS), N_COLS, TABLE3_GROUPS)
        if len(sg.candidates) != 1:
            fails += bool(sg.inconsistent)
            continue
        row = sg.candidates[0]
        vals[key] = row
        known = [x for x in row if x is not None]
        if len(known) == N_COLS and sum(known[:-1]) != known[-1]:
            fails += 1
    col_fails, holds = _column_checks(vals, rows)
    return fails + col_fails, holds


def _fill_row(
    report: Report,
    key: str,
    ch: Chunk | None,
    sg: Segmentation | None,
    choice: tuple[tuple | None, str | None],
    label_seen: bool,
) -> None:
    """One row's cells from its chosen reading, or nulls with the finding that says why."""
    if ch is None or sg is None:
        report.table3[key] = [CellValue.missing() for _ in range(N_COLS)]
        report.add(
            "P301 row_missing",
            "warning",
            f"table3.{key}",
            "row label found but no numbers beside it; cells left null"
            if label_seen
            else "row not found in the report; cells left null",
        )
        return
    vals, state = choice
    if vals is None:
        report.table3[key] = [CellValue(None, ch.raw, MISSING) for _ in range(N_COLS)]
        _note_unread(report, key, ch, sg)
        return
    report.table3[key] = _cells(vals, ch, state or NUMBER, sg)
    if sg.lost and len(sg.candidates) == 1:
        report.add(
            "P307 lost_cells_inferred",
            "info",
            f"table3.{key}",
            f"row has {N_COLS - sg.lost} of 7 cells ({ch.raw}) and no gap shows where the lost one(s) stood; "
            f"every placement that keeps the total = the six applicant columns (counts never negative) reads {_fmt(vals)}",
        )
    if sg.gap_nulls:
        report.add(
            "P302 row_cells_missing",
            "warning",
            f"table3.{key}",
            f"row has {N_COLS - sg.gap_nulls} of 7 cells ({ch.raw}); the missing cell(s) were placed at the gap(s) in the text and left null",
        )


def _note_unread(report: Report, key: str, ch: Chunk, sg: Segmentation) -> None:
    """Why a placed row stays null (ambiguous readings found by _resolve say so there)."""
    where = f"table3.{key}"
    if sg.inconsistent:
        report.add(
            "P305 digits_ambiguous",
            "warning",
            where,
            f"cells run together or lost ({ch.raw}): {sg.inconsistent} ways to read them as 7 cells and "
            "none adds up to the row total; cells left null",
        )
    elif sg.exhausted:
        report.add(
            "P305 digits_ambiguous",
            "warning",
            where,
            f"cells run together ({ch.raw}) and can be split too many ways to tell; cells left null",
        )
    elif sg.overflow:
        report.add(
            "P303 row_overflow", "warning", where, f"row has more numbers than 7 cells ({ch.raw}); cells left null"
        )
    elif sg.gap_nulls or not sg.candidates:
        n_have = sum(1 for t in ch.tokens if t.kind != "blank")
        report.add(
            "P302 row_cells_missing",
            "warning",
            where,
            f"row has {n_have} of 7 cells ({ch.raw}); which columns are missing cannot be told, so all 7 were left null",
        )


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
    total = templates.row_name(templates.TOTAL_ROW, "en")  # a parser message is English (the UI names it in zh)
    for f in report.findings:
        if f.check.startswith(("P301", "P302")) and f.where.startswith("table3."):
            key = f.where.split(".")[1]
            if key in outcome and all(report.table3[key][c].value is None for c in zero_cols):
                f.message += (
                    f"; {total} is 0 in every column, so these cells can only be 0"
                    if len(zero_cols) == N_COLS
                    else f"; {total} is 0 in {len(zero_cols)} column(s), so those cells can only be 0"
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
    for (_ch, anchor), key in zip(chunks, rows):
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
    """Pick one reading per row; where the row identity leaves several, use the column identities.

    A digit run goes to the reading with the fewest failing column identities when that reading is
    unique; a row that lost cells only to a reading under which every column identity holds.
    """
    chosen: dict[str, tuple[tuple | None, str]] = {}
    ambiguous: list[str] = []
    for key, sg in segs.items():
        if len(sg.candidates) == 1:
            chosen[key] = (sg.candidates[0], INFERRED if sg.used_identity else NUMBER)
        elif sg.lost and any(None in c for c in sg.candidates):
            # a placement that leaves a lost cell open cannot be ruled out by any identity
            _note_ambiguous(report, key, sg, set(sg.candidates), False)
            chosen[key] = (None, MISSING)
        elif len(sg.candidates) > 1:
            ambiguous.append(key)
    if ambiguous:
        best, best_fail = _best_combos(segs, ambiguous, chosen, rows)
        for idx, key in enumerate(ambiguous):
            sg = segs[key]
            picks = {c[idx] for c in best}
            if len(picks) == 1 and not (sg.lost and best_fail):
                vals = next(iter(picks))
                chosen[key] = (vals, INFERRED)
                _note_pick(report, key, sg, vals)
            else:
                _note_ambiguous(report, key, sg, picks, bool(best_fail))
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


def _best_combos(segs, ambiguous, chosen, rows) -> tuple[list[tuple], int | None]:
    """The combinations of the ambiguous rows' readings with the fewest failing column identities."""
    options = [segs[k].candidates for k in ambiguous]
    n_combos = 1
    for o in options:
        n_combos *= len(o)
    best: list[tuple] = []
    best_fail: int | None = None
    if n_combos > MAX_COMBOS:
        return best, best_fail
    fixed = {k: v[0] for k, v in chosen.items() if v[0] is not None}
    for combo in product(*options):
        trial = dict(fixed)
        trial.update(zip(ambiguous, combo))
        fails = _column_failures(trial, rows)
        if best_fail is None or fails < best_fail:
            best, best_fail = [combo], fails
        elif fails == best_fail:
            best.append(combo)
    return best, best_fail


def _note_pick(report: Report, key: str, sg: Segmentation, vals: tuple) -> None:
    if sg.lost:
        report.add(
            "P307 lost_cells_inferred",
            "info",
            f"table3.{key}",
            f"row lost {sg.lost} cell(s) without a trace; of the {len(sg.candidates)} XX only {_fmt(vals)} keeps every column identity of the table",
        )
    else:
        report.add(
            "P304 digits_split",
            "info",
            f"table3.{key}",
            f"cells run together ({_fmt_run(sg)}); the split {list(vals)} is the only one consistent with the "
            "table's identities",
        )


def _note_ambiguous(report: Report, key: str, sg: Segmentation, picks: set, failing: bool) -> None:
    opts = sorted(picks, key=lambda o: tuple(-1 if v is None else v for v in o)) if picks else sg.candidates[:6]
    examples = ", ".join(_fmt(o) for o in list(opts)[:3])
    if sg.lost:
        if not picks:
            why = "too many combinations with other rows' readings to weigh"
        elif failing and len(picks) == 1:
            why = "none of them keeps every column identity"
        else:
            why = f"{len(opts)} of them fit the column identities equally"

        report.add(
            "P302 row_cells_missing",
            "warning",
            f"table3.{key}",
            f"row has {N_COLS - sg.lost} of 7 cells and no gap shows where the lost one(s) stood: "
            f"{len(sg.candidates)} readings keep the row's total and {why} (e.g. {examples}); cells left null",
        )
        return
    report.add(
        "P305 digits_ambiguous",
        "warning",
        f"table3.{key}",
        f"cells run together and can be split {len(opts)} ways consistent with the identities (e.g. {examples}); "
        "cells left null",
    )


def _fmt(vals: tuple) -> str:
    return "[" + ", ".join("∅" if v is None else str(v) for v in vals) + "]"


def _fmt_run(sg: Segmentation) -> str:
    return f"{len(sg.candidates)} splits fit the row total"


def _column_failures(vals: dict[str, tuple], rows: tuple[str, ...]) -> int:
    return _column_checks(vals, rows)[0]


def _column_checks(vals: dict[str, tuple], rows: tuple[str, ...]) -> tuple[int, int]:
    """(failing, holding) column identities of table 3 (C301 balance, C302 outcomes sum, per
    column) that the values let us assess."""
    outcome = [k for k in rows if k not in FLOW_ROWS]
    fails = holds = 0
    for c in range(N_COLS):

        def v(k: str, c: int = c) -> int | float | None:
            row = vals.get(k)
            return None if row is None else row[c]

        ins = _known([v(k) for k in templates.FLOW_IN])
        outs_ = _known([v(k) for k in templates.FLOW_OUT])
        if ins is not None and outs_ is not None:
            ok = sum(ins) == sum(outs_)
            fails, holds = fails + (not ok), holds + ok
        total = v(templates.TOTAL_ROW)
        outs = _known([v(k) for k in outcome])
        if total is not None and outs is not None:
            ok = sum(outs) == total
            fails, holds = fails + (not ok), holds + ok
    return fails, holds


def _known(values: list[int | float | None]) -> list[int | float] | None:
    """The values when every one is known, else None."""
    out = [x for x in values if x is not None]
    return out if len(out) == len(values) else None


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
    whole = "" if one_to_one else ch.raw  # the chunk's text, once (every cell of a cut row shows it)
    for i, v in enumerate(vals):
        tok: Token | None = ch.tokens[i] if one_to_one else None
        raw = tok.text if tok is not None else whole
        if v is None:
            if sg.lost:
                out.append(CellValue(None, None, MISSING))
            elif tok is not None and tok.kind == "dash":
                out.append(CellValue(None, raw, DASH))
            else:
                out.append(CellValue(None, raw if tok is not None else None, BLANK))
        else:
            st = NUMBER if (one_to_one or not sg.used_identity) else state
            out.append(CellValue(v, raw, st))
    return out
