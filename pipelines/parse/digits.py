"""Splitting runs of digits into cells.

Real reports lose the separators between table cells: `640020470` is the seven cells
64,0,0,2,0,4,70 of one table-3 row. A run can be split many ways; the template's own identities
(the row total is the sum of the applicant columns; a table-4 group's 总计 is the sum of its four
results) usually leave one. This module enumerates the splits that are possible at all and keeps
those that satisfy the identities; the caller decides what to do when more than one remains.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Iterator, Sequence

# A "sum group": cells[total] == sum(cells[i] for i in parts)
SumGroup = tuple[tuple[int, ...], int]

TABLE3_GROUPS: tuple[SumGroup, ...] = (((0, 1, 2, 3, 4, 5), 6),)
TABLE4_GROUPS: tuple[SumGroup, ...] = (
    ((0, 1, 2, 3), 4),
    ((5, 6, 7, 8), 9),
    ((10, 11, 12, 13), 14),
)

MAX_CANDIDATES = 20000


@dataclass(frozen=True, slots=True)
class Token:
    """One value-like token of a chunk.

    kind: 'num' (digits, maybe glued cells), 'dec' (a decimal/signed number: one cell),
    'dash' (-, —, /, 无: a cell meaning nothing/zero, kept null), 'blank' (an empty grid cell).
    `splittable` is False where the source gives cell boundaries (grid cells, PDF columns).
    `gap_before` marks white space before the token in text (a possible lost blank cell).
    """

    text: str
    kind: str = "num"
    splittable: bool = True
    gap_before: bool = False
    unit: str = ""  # 元, 万元, 件… printed after the number
    confidence: float = 1.0  # below 1 for OCR-read text


def compositions(run: str, k: int) -> Iterator[tuple[int, ...]]:
    """Every way to cut a digit string into k numbers without leading zeros."""
    n = len(run)
    if k <= 0 or k > n:
        return
    if k == 1:
        if n == 1 or run[0] != "0":
            yield (int(run),)
        return
    # the first part: run[:i]
    first_max = n - (k - 1)
    for i in range(1, first_max + 1):
        head = run[:i]
        if i > 1 and head[0] == "0":
            break
        for rest in compositions(run[i:], k - 1):
            yield (int(head),) + rest


def _ok(cells: Sequence[int | None], groups: Sequence[SumGroup]) -> bool:
    for parts, total in groups:
        if total >= len(cells):
            continue
        vals = [cells[i] for i in parts if i < len(cells)]
        t = cells[total]
        if t is None or any(v is None for v in vals):
            continue  # not assessable
        if sum(vals) != t:
            return False
    return True


@dataclass
class Segmentation:
    candidates: list[tuple[int | float | None, ...]]  # each exactly n cells
    used_identity: bool  # True where the identities were needed to narrow the splits
    glued: bool  # True where some token was cut into several cells
    gap_nulls: int  # cells taken as blank at white-space gaps (lost blank cells)
    overflow: bool = False  # more values than cells


def _token_value(t: Token) -> int | float | None:
    if t.kind == "num":
        return int(t.text)
    if t.kind == "dec":
        return float(t.text)
    return None


def segment(tokens: Sequence[Token], n: int, groups: Sequence[SumGroup] = ()) -> Segmentation:
    """All ways to read `tokens` as exactly n cells.

    Order of preference: tokens as they are (when there are n); glued digit runs cut into cells;
    and only when the digits cannot fill n cells, blank cells at white-space gaps.
    """
    if not tokens:
        return Segmentation([], False, False, 0)
    if len(tokens) == n:
        vals = tuple(_token_value(t) for t in tokens)
        return Segmentation([vals], False, False, 0)
    if len(tokens) > n:
        return Segmentation([], False, False, 0, overflow=True)

    # How many cells each token may stand for.
    ranges: list[range] = []
    for t in tokens:
        if t.kind == "num" and t.splittable:
            ranges.append(range(1, len(t.text) + 1))
        else:
            ranges.append(range(1, 2))
    max_cells = sum(r[-1] for r in ranges)

    if max_cells >= n:
        good = _dedupe(_split(tokens, ranges, n, groups))
        if good:
            # were the identities needed? only if the digits alone allow other splits
            loose = _split(tokens, ranges, n, (), limit=len(good) + 1)
            return Segmentation(good, len(_dedupe(loose)) > len(good), True, 0)
        cands = _dedupe(_split(tokens, ranges, n, (), limit=50))
        if len(cands) == 1:
            return Segmentation(cands, False, True, 0)  # the only split; its identity fails as printed
        return Segmentation(cands, False, True, 0)  # identities fail for every split

    # Fewer digits than cells: cells were lost. Blank cells can only be told where the text
    # shows a gap between tokens (a blank HTML cell became a space).
    missing = n - max_cells
    gaps = [i for i, t in enumerate(tokens) if i > 0 and t.gap_before]
    full = [tuple(v for v in _explode(tokens))]
    if len(gaps) != missing:
        return Segmentation([], False, False, missing)
    cells: list[int | float | None] = []
    vals = list(full[0])
    # Re-walk tokens to insert None before each gap token.
    k = 0
    for i, t in enumerate(tokens):
        if i in gaps:
            cells.append(None)
        width = len(t.text) if (t.kind == "num" and t.splittable) else 1
        cells.extend(vals[k:k + width])
        k += width
    return Segmentation([tuple(cells)], False, any(len(t.text) > 1 and t.kind == "num" and t.splittable for t in tokens), missing)


def _explode(tokens: Sequence[Token]) -> Iterator[int | float | None]:
    for t in tokens:
        if t.kind == "num" and t.splittable:
            yield from (int(ch) for ch in t.text)
        else:
            yield _token_value(t)


def _split(tokens: Sequence[Token], ranges: list[range], n: int, groups: Sequence[SumGroup] = (),
           limit: int = MAX_CANDIDATES) -> list[tuple]:
    """Every reading of the tokens as n cells in which every closed sum group holds.

    A depth-first walk over cell boundaries that checks a group as soon as its 总计 cell is read,
    and memoises what can follow a group boundary (groups are disjoint and in order), so a run of
    40 digits for table 4 costs thousands of steps, not billions.
    """
    ends = {total: parts for parts, total in groups}
    starts = {min(parts) for parts, _ in groups} | {0}
    sorted_starts = sorted(starts)
    cap_digits = [0] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        cap_digits[i] = cap_digits[i + 1] + ranges[i][-1]
    memo: dict[tuple[int, int, int], list[tuple]] = {}

    def rest(ti: int, off: int, ci: int, acc: tuple) -> list[tuple]:
        if ci == n:
            return [()] if ti == len(tokens) else []
        if ti == len(tokens):
            return []
        # feasibility: every remaining token needs a cell; every cell needs a digit
        left_tokens = len(tokens) - ti
        left_digits = cap_digits[ti] - off
        if n - ci < left_tokens or n - ci > left_digits:
            return []
        key = (ti, off, ci)
        boundary = ci in starts
        if boundary and key in memo:
            return memo[key]
        out: list[tuple] = []
        t = tokens[ti]
        if t.kind == "num" and t.splittable:
            run = t.text
            if run[off] == "0":
                lengths = [1]
            else:
                lengths = range(1, len(run) - off + 1)
            options = [(int(run[off:off + ln]), off + ln) for ln in lengths]
        else:
            options = [(_token_value(t), len(t.text) or 1)]
            off = 0
        for val, noff in options:
            width = len(t.text) if (t.kind == "num" and t.splittable) else (len(t.text) or 1)
            nti, noff2 = (ti + 1, 0) if noff >= width else (ti, noff)
            cells = acc + (val,)
            if ci in ends:
                g0 = max(x for x in sorted_starts if x <= ci)  # acc holds the cells since g0
                parts = [cells[k - g0] for k in ends[ci]]
                if val is not None and None not in parts and sum(parts) != val:
                    continue
            base = cells if not (ci + 1) in starts else ()
            for tail in rest(nti, noff2, ci + 1, base):
                out.append((val,) + tail)
                if len(out) > limit:
                    break
            if len(out) > limit:
                break
        if boundary:
            memo[key] = out
        return out

    return rest(0, 0, 0, ())


def _distributions(ranges: list[range], n: int) -> Iterator[tuple[int, ...]]:
    if not ranges:
        if n == 0:
            yield ()
        return
    rest_min = sum(r[0] for r in ranges[1:])
    rest_max = sum(r[-1] for r in ranges[1:])
    for k in ranges[0]:
        if rest_min <= n - k <= rest_max:
            for tail in _distributions(ranges[1:], n - k):
                yield (k,) + tail


def _dedupe(cands: list[tuple]) -> list[tuple]:
    seen = set()
    out = []
    for c in cands:
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out
