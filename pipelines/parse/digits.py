"""Splitting runs of digits into cells.

Real reports lose the separators between table cells: `640020470` is the seven cells
64,0,0,2,0,4,70 of one table-3 row. A run can be split many ways; the template's own identities
(the row total is the sum of the applicant columns; a table-4 group's 总计 is the sum of its four
results) usually leave one. This module enumerates the splits that are possible at all and keeps
those that satisfy the identities; the caller decides what to do when more than one remains.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

from pipelines import templates

# A "sum group": cells[total] == sum(cells[i] for i in parts)
SumGroup = tuple[tuple[int, ...], int]

# the row shapes, from the template vocabulary: a table-3 row's total is the sum of its applicant columns;
# each table-4 group's total is the sum of its four results
TABLE3_GROUPS: tuple[SumGroup, ...] = (templates.TABLE3_ROW_SUM,)
TABLE4_GROUPS: tuple[SumGroup, ...] = templates.TABLE4_SUMS

MAX_CANDIDATES = 20000
# Rows of at most this many cells whose digits are exactly one a cell are read without a search: every
# search here walks at most a few steps a digit when no cell can take two, far below MAX_STEPS.
EXACT_MAX = 30


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

    def cut(self, lo: int, hi: int) -> Token:
        """This token with its text cut to text[lo:hi], every other field kept (dataclasses.replace(t,
        text=t.text[lo:hi]), without its generic field walk: the digit searches cut tokens by the thousand)."""
        return Token(self.text[lo:hi], self.kind, self.splittable, self.gap_before, self.unit, self.confidence)


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
        known = [v for v in vals if v is not None]
        if t is None or len(known) != len(vals):
            continue  # not assessable
        if sum(known) != t:
            return False
    return True


@dataclass
class Segmentation:
    candidates: list[tuple[int | float | None, ...]]  # each exactly n cells
    used_identity: bool  # True where the identities were needed to narrow the splits
    glued: bool  # True where some token was cut into several cells
    gap_nulls: int  # cells taken as blank at white-space gaps (lost blank cells)
    overflow: bool = False  # more values than cells
    exhausted: bool = False  # too many possible splits to enumerate: treated as ambiguous
    inconsistent: int = 0  # number of possible splits when none satisfies the identities
    lost: int = 0  # cells lost without a trace, placed (and derived where certain) by the identities


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

    tokens = set_apart(tokens)
    # How many cells each token may stand for.
    ranges = [range(1, len(t.text) + 1) if (t.kind == "num" and t.splittable) else range(1, 2) for t in tokens]
    max_cells = sum(r[-1] for r in ranges)
    if max_cells == n and n <= EXACT_MAX:
        # Exactly one digit a cell: the only reading there is. The searches below would find it whether or
        # not its identities hold (then as the only split) and count no other: the same Segmentation.
        return Segmentation([tuple(_explode(tokens))], False, True, 0)
    if max_cells >= n:
        return _segment_digits(tokens, ranges, n, groups)
    return _segment_gaps(tokens, n, max_cells)


def _segment_digits(tokens: Sequence[Token], ranges: list[range], n: int, groups: Sequence[SumGroup]) -> Segmentation:
    """Enough digits for n cells: every split in which the sum groups hold (or the only split there is)."""
    try:
        if _total_last(tokens, n, groups):
            good = _dedupe(_split_total_last(tokens, n))
        elif _tiled(n, groups):
            good = _dedupe(_split_groups(tokens, n, groups))
        else:
            good = _dedupe(_split(tokens, ranges, n, groups))
    except _Exhausted:
        return Segmentation([], False, True, 0, exhausted=True)
    if good:
        # were the identities needed? only if the digits alone allow other splits
        return Segmentation(good, _more_splits(tokens, n, len(good)), True, 0)
    try:
        cands = _dedupe(_split(tokens, ranges, n, (), limit=50))
    except _Exhausted:
        return Segmentation([], False, True, 0, exhausted=True)
    if len(cands) == 1:
        return Segmentation(cands, False, True, 0)  # the only split; its identity fails as printed
    # several splits and none adds up: nothing to choose by, so no reading is certain
    return Segmentation([], False, True, 0, inconsistent=len(cands))


def _segment_gaps(tokens: Sequence[Token], n: int, max_cells: int) -> Segmentation:
    """Fewer digits than cells: cells were lost. Blank cells can only be told where the text shows a gap
    between tokens (a blank HTML cell became a space)."""
    missing = n - max_cells
    gaps = [i for i, t in enumerate(tokens) if i > 0 and t.gap_before]
    if len(gaps) != missing:
        return Segmentation([], False, False, missing)
    cells: list[int | float | None] = []
    vals = list(_explode(tokens))
    # Re-walk tokens to insert None before each gap token.
    k = 0
    for i, t in enumerate(tokens):
        if i in gaps:
            cells.append(None)
        width = len(t.text) if (t.kind == "num" and t.splittable) else 1
        cells.extend(vals[k : k + width])
        k += width
    return Segmentation(
        [tuple(cells)], False, any(len(t.text) > 1 and t.kind == "num" and t.splittable for t in tokens), missing
    )


def set_apart(tokens: Sequence[Token]) -> Sequence[Token]:
    """Text whose tokens are all set apart by white space, none with a leading zero, shows its cell
    boundaries: a short row there has lost cells, and its numbers are not cut further."""
    if (
        len(tokens) >= 3
        and all(t.gap_before for t in tokens[1:])
        and not any(len(t.text) > 1 and t.text[0] == "0" for t in tokens if t.kind == "num")
    ):
        from dataclasses import replace

        return [replace(t, splittable=False) if t.kind == "num" else t for t in tokens]
    return tokens


def _explode(tokens: Sequence[Token]) -> Iterator[int | float | None]:
    for t in tokens:
        if t.kind == "num" and t.splittable:
            yield from (int(ch) for ch in t.text)
        else:
            yield _token_value(t)


def _split(
    tokens: Sequence[Token], ranges: list[range], n: int, groups: Sequence[SumGroup] = (), limit: int = MAX_CANDIDATES
) -> list[tuple]:
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
    steps = [0]

    def rest(ti: int, off: int, ci: int, acc: tuple) -> list[tuple]:
        steps[0] += 1
        if steps[0] > MAX_STEPS:
            raise _Exhausted
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
        width = len(t.text) if (t.kind == "num" and t.splittable) else (len(t.text) or 1)
        for val, noff in _cell_options(t, off):
            nti, noff2 = (ti + 1, 0) if noff >= width else (ti, noff)
            cells = acc + (val,)
            if ci in ends and not _group_holds(cells, ci, ends[ci], sorted_starts):
                continue
            base = cells if (ci + 1) not in starts else ()
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


def _more_splits(tokens: Sequence[Token], n: int, found: int) -> bool:
    """Whether the digits alone (no identity) allow more than ``found`` readings as n cells, or more than can
    be counted (more than MAX_STEPS steps of the walk ``_split`` would take: treated as more).

    ``_split`` with no groups would answer by listing them; this counts the same walk instead, memoised on
    its state (token, offset, cell): the readings are the walk's complete paths (two paths part at one
    state, where their cells differ: a cell never has a leading zero), and its steps are the states it
    enters, each subtree the same wherever it is entered.
    """
    ntok = len(tokens)
    runs = [t.text if (t.kind == "num" and t.splittable) else "" for t in tokens]
    cap = [0] * (ntok + 1)
    for i in range(ntok - 1, -1, -1):
        cap[i] = cap[i + 1] + (len(runs[i]) if runs[i] else 1)
    memo: dict[tuple[int, int, int], tuple[int, int]] = {}

    def walk(ti: int, off: int, ci: int) -> tuple[int, int]:
        """(complete paths, states entered) from this state on."""
        if ci == n:
            return (1 if ti == ntok else 0), 1
        if ti == ntok:
            return 0, 1
        left = n - ci
        if left < ntok - ti or left > cap[ti] - off:
            return 0, 1
        key = (ti, off, ci)
        got = memo.get(key)
        if got is not None:
            return got
        paths, size = 0, 1
        run = runs[ti]
        if run:
            w = len(run)
            last = off + 1 if run[off] == "0" else w
            for noff in range(off + 1, last + 1):
                p, s = walk(ti + 1, 0, ci + 1) if noff >= w else walk(ti, noff, ci + 1)
                paths += p
                size += s
        else:
            paths, s = walk(ti + 1, 0, ci + 1)
            size += s
        memo[key] = (paths, size)
        return paths, size

    paths, size = walk(0, 0, 0)
    return paths > found or size > MAX_STEPS


def _cell_options(t: Token, off: int) -> list[tuple[int | float | None, int]]:
    """(value, offset after it) of each cell that can start at offset ``off`` of token ``t``: a splittable digit
    run gives every prefix (a leading 0 stands alone); any other token is one cell."""
    if t.kind == "num" and t.splittable:
        run = t.text
        lengths = [1] if run[off] == "0" else range(1, len(run) - off + 1)
        return [(int(run[off : off + ln]), off + ln) for ln in lengths]
    return [(_token_value(t), len(t.text) or 1)]


def _group_holds(cells: tuple, ci: int, parts: tuple[int, ...], sorted_starts: list[int]) -> bool:
    """Whether the sum group whose total is cell ci (just read, last of ``cells``) holds; unknown parts pass."""
    g0 = max(x for x in sorted_starts if x <= ci)  # cells holds the cells since g0
    vals = [cells[k - g0] for k in parts]
    val = cells[-1]
    return val is None or None in vals or sum(vals) == val


class _Exhausted(Exception):
    """The search passed MAX_STEPS: a run this long has too many readings to trust any."""


MAX_STEPS = 40_000


def _total_last(tokens: Sequence[Token], n: int, groups: Sequence[SumGroup]) -> bool:
    """Table 3's shape: one group, its total the last cell, the last token a digit run."""
    return (
        len(groups) == 1
        and groups[0][1] == n - 1
        and set(groups[0][0]) == set(range(n - 1))
        and tokens[-1].kind == "num"
        and tokens[-1].splittable
    )


def _tiled(n: int, groups: Sequence[SumGroup]) -> bool:
    """Table 4's shape: groups of consecutive cells, each ending in its total, covering all n."""
    at = 0
    for parts, total in groups:
        if list(parts) != list(range(at, total)) or total < at:
            return False
        at = total + 1
    return at == n and bool(groups)


def _slice(tokens: Sequence[Token], a: tuple[int, int], b: tuple[int, int]) -> list[Token]:
    """Tokens between positions a=(ti, off) and b=(tj, off) (b exclusive), digit runs cut."""
    (ti, oa), (tj, ob) = a, b
    out = []
    for k in range(ti, tj + 1):
        t = tokens[k]
        lo = oa if k == ti else 0
        hi = ob if k == tj else len(t.text)
        if lo >= hi:
            continue
        if t.kind == "num" and t.splittable:
            out.append(t if (lo, hi) == (0, len(t.text)) else t.cut(lo, hi))
        elif (lo, hi) == (0, len(t.text)):
            out.append(t)
        else:
            return []  # a fixed token cannot be cut
    return out


def _total_ends(
    tokens: Sequence[Token], widths: list[int], ti: int, off: int
) -> Iterator[tuple[int, int, int, int | float | None]]:
    """Possible (tj, e, k, total) for a total cell ending at (tj, e) with k digits, from (ti, off) on."""
    for tj in range(ti, len(tokens)):
        t = tokens[tj]
        if not (t.kind == "num" and t.splittable):
            if tj > ti or off == 0:
                yield tj, widths[tj], widths[tj], _token_value(t)
            continue
        lo = off if tj == ti else 0
        for e in range(lo + 1, widths[tj] + 1):
            for k in range(1, e - lo + 1):
                tail = t.text[e - k : e]
                if k > 1 and tail[0] == "0":
                    continue
                yield tj, e, k, int(tail)


def _split_groups(tokens: Sequence[Token], n: int, groups: Sequence[SumGroup]) -> list[tuple]:
    """Group by group: choose each group's total (a tail ending the group) first, then split what
    lies before it into the group's parts summing to that total; memoised on the group start."""
    widths = [len(t.text) if (t.kind == "num" and t.splittable) else max(len(t.text), 1) for t in tokens]
    memo: dict[tuple[int, int, int], list[tuple]] = {}
    steps = [0]

    def group(gi: int, ti: int, off: int) -> list[tuple]:
        if gi == len(groups):
            return [()] if ti == len(tokens) else []
        key = (gi, ti, off)
        if key in memo:
            return memo[key]
        parts, _total = groups[gi]
        out: list[tuple] = []
        cells_left = n - (min(parts))
        for tj, e, k, total in _total_ends(tokens, widths, ti, off):
            steps[0] += 1
            if steps[0] > MAX_STEPS:
                raise _Exhausted
            # cells after this group need at least one digit each
            rest_digits = (widths[tj] - e) + sum(widths[tj + 1 :])
            if rest_digits < cells_left - len(parts) - 1:
                continue
            if total is None:
                continue
            body = _slice(tokens, (ti, off), (tj, e - k))
            if len(body) > len(parts) or not body:
                continue
            nxt = (tj, e) if e < widths[tj] else (tj + 1, 0)
            tails = None
            for vals in _sum_split(body, len(parts), total, steps):
                if tails is None:
                    tails = group(gi + 1, *nxt)
                for tail in tails:
                    out.append(vals + (total,) + tail)
                    if len(out) > MAX_CANDIDATES:
                        memo[key] = out
                        return out
        memo[key] = out
        return out

    return group(0, 0, 0)


def _split_total_last(tokens: Sequence[Token], n: int) -> list[tuple]:
    """Read the total first (a tail of the last run), then split what is left into n-1 cells that
    sum to it: no part may exceed the total, which cuts the search to almost nothing."""
    last = tokens[-1]
    out: list[tuple] = []
    steps = [0]
    for k in range(1, len(last.text) + 1):
        tail = last.text[-k:]
        if k > 1 and tail[0] == "0":
            continue
        total = int(tail)
        head = last.text[:-k]
        rest = list(tokens[:-1]) + ([last.cut(0, len(head))] if head else [])
        if not rest or len(rest) > n - 1:
            continue
        for parts in _sum_split(rest, n - 1, total, steps):
            out.append(parts + (total,))
            if len(out) > MAX_CANDIDATES:
                return out
    return out


def _sum_split(tokens: list[Token], m: int, total: int | float, steps: list[int]) -> Iterator[tuple]:
    """Readings of tokens as m cells (None for blank/dash) whose numbers sum to `total`."""
    lens = [len(t.text) if (t.kind == "num" and t.splittable) else 1 for t in tokens]
    suffix = [0] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + lens[i]

    def walk(ti: int, off: int, left: int, acc: tuple, s: float) -> Iterator[tuple]:
        steps[0] += 1
        if steps[0] > MAX_STEPS:
            raise _Exhausted
        if left == 0:
            if ti == len(tokens) and s == total:
                yield acc
            return
        if ti == len(tokens) or left < len(tokens) - ti or left > suffix[ti] - off:
            return
        # what is left cannot reach the total even if one part took every spare digit
        spare = suffix[ti] - off - left + 1
        if spare < 19 and s + left * (10**spare - 1) < total:
            return
        t = tokens[ti]
        if not (t.kind == "num" and t.splittable):
            v = _token_value(t)
            ns = s + (v or 0)
            if ns <= total:
                yield from walk(ti + 1, 0, left - 1, acc + (v,), ns)
            return
        run = t.text
        maxlen = 1 if run[off] == "0" else len(run) - off
        for ln in range(1, maxlen + 1):
            v = int(run[off : off + ln])
            if s + v > total:
                break  # longer parts only grow
            noff = off + ln
            if noff == len(run):
                yield from walk(ti + 1, 0, left - 1, acc + (v,), s + v)
            else:
                yield from walk(ti, noff, left - 1, acc + (v,), s + v)

    yield from walk(0, 0, m, (), 0)


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


MAX_PLACEMENTS = 20000


def fill_lost(tokens: Sequence[Token], n: int, groups: Sequence[SumGroup]) -> Segmentation | None:
    """Readings of a row that lost cells without a trace: fewer values than cells and no gap in the
    text to show where the blanks were.

    Every placement of the lost cells among the printed ones (printed order kept) is tried; in each,
    a lost cell is derived where a sum group makes it certain (the group's other cells known, or its
    total already reached: counts are never negative), and a placement under which a group cannot
    hold is dropped. The distinct readings left are the candidates, lost cells not derived left None;
    one candidate means every placement that fits the identities reads the same numbers. None when
    a token may stand for several cells (a digit run): then nothing is certain enough to try.
    """
    tokens = set_apart(tokens)
    if not tokens or any(t.kind == "num" and t.splittable and len(t.text) > 1 for t in tokens):
        return None
    k = n - len(tokens)
    if k <= 0:
        return None
    vals = [_token_value(t) for t in tokens]
    seen: dict[tuple, None] = {}
    for i, lost in enumerate(combinations(range(n), k)):
        if i >= MAX_PLACEMENTS:
            return Segmentation([], False, False, 0, exhausted=True, lost=k)
        lost_set = set(lost)
        printed = iter(vals)
        cells = [None if j in lost_set else next(printed) for j in range(n)]
        if _derive(cells, lost_set, groups):
            seen.setdefault(tuple(cells), None)
    return Segmentation(list(seen), True, False, 0, lost=k)


def _derive(cells: list, lost: set[int], groups: Sequence[SumGroup]) -> bool:
    """Fill the lost cells each sum group makes certain, in place; False when a group cannot hold."""
    for parts, total in groups:
        idx = (*parts, total)
        unknown = [j for j in idx if j in lost]
        if any(cells[j] is None and j not in lost for j in idx):
            continue  # a printed blank in the group: nothing to assess or derive
        known = sum(cells[j] for j in parts if j not in lost)
        if not unknown:
            if known != cells[total]:
                return False
        elif unknown == [total]:
            cells[total] = known
        elif total not in lost:
            rest = cells[total] - known
            if rest < 0:
                return False
            if len(unknown) == 1 or rest == 0:
                for j in unknown:
                    cells[j] = rest if len(unknown) == 1 else 0
    return True
