"""The PDF reader's array steps against the one-by-one algorithms they replaced (kept here as oracles):
same lines, same snapped rules, same grid cells, same table cells in the same set order, on random input
with the awkward cases (equal extents, inverted boxes, touching and overlapping rules) made common."""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right

import numpy as np
import pytest

from pipelines.readers import pdf
from pipelines.readers.layout import Frag, group_lines


def _old_snap(rules):
    rules = sorted(rules)
    out = []
    anchor = None
    for pos, a, b in rules:
        if anchor is None or pos - anchor > pdf.SNAP:
            anchor = pos
        out.append((round(anchor, 1), a, b))
    return out


def _old_nearest(rules, pos, p, q, up):
    if up:
        k = bisect_left(pos, p) - 1
        while k >= 0:
            if rules[k][1] - 1 <= q <= rules[k][2] + 1:
                return pos[k]
            k -= 1
    else:
        k = bisect_right(pos, p)
        while k < len(rules):
            if rules[k][1] - 1 <= q <= rules[k][2] + 1:
                return pos[k]
            k += 1
    return None


def _old_cell(hs, vs, x, y):
    hs, vs = _old_snap(hs), _old_snap(vs)
    hpos, vpos = [r[0] for r in hs], [r[0] for r in vs]
    found = (
        _old_nearest(vs, vpos, x, y, True),
        _old_nearest(hs, hpos, y, x, True),
        _old_nearest(vs, vpos, x, y, False),
        _old_nearest(hs, hpos, y, x, False),
    )
    return None if None in found else found


def _old_beside_others(leaf):
    tabular = set()
    by_top = sorted(leaf, key=lambda k: k[1])
    for i, a in enumerate(by_top):
        for b in by_top[i + 1 :]:
            if b[1] >= a[3]:
                break
            if min(a[3], b[3]) - max(a[1], b[1]) > 1:
                tabular.add(a)
                tabular.add(b)
    return tabular


def _coord(rnd: random.Random, lo: float, hi: float) -> float:
    """Coordinates as PDFs give them: float32 values, often on a coarse grid so that ties are common."""
    v = rnd.choice([rnd.uniform(lo, hi), round(rnd.uniform(lo, hi) / 2.5) * 2.5, rnd.randint(int(lo), int(hi)) + 0.5])
    return float(np.float32(v))


def _rules(rnd: random.Random, n: int) -> list[tuple[float, float, float]]:
    out = []
    for _ in range(n):
        a, b = sorted((_coord(rnd, 0, 600), _coord(rnd, 0, 600)))
        out.append((_coord(rnd, 0, 800), a, b))
    return out + rnd.sample(out, min(len(out), rnd.randint(0, 5)))  # some drawn twice


@pytest.mark.parametrize("seed", range(4))
def test_group_lines_matches_the_one_by_one_grouping(seed):
    rnd = random.Random(seed)
    for _ in range(150):
        frags = []
        for _ in range(rnd.randint(1, 120)):
            x0 = _coord(rnd, 0, 500)
            top = _coord(rnd, 0, 100) if rnd.random() < 0.8 else rnd.choice([10.0, 20.0, 30.0])
            h = rnd.choice([9.0, 10.5, 12.0, 7.5, _coord(rnd, 0, 15), -3.0])  # -3: an inverted box
            frags.append(Frag(x0, top, x0 + rnd.choice([5.0, 10.5, 0.0]), top + h, "x"))
        want = [[id(f) for f in line] for line in group_lines(frags)]
        x0 = np.array([f.x0 for f in frags])
        y0 = np.array([f.y0 for f in frags])
        y1 = np.array([f.y1 for f in frags])
        order, line = pdf._group_lines(x0, y0, y1)
        got: list[list[int]] = []
        for i, li in zip(order.tolist(), line.tolist()):
            if li == len(got):
                got.append([])
            got[li].append(id(frags[i]))
        assert got == want


def test_snapped_positions_match_the_one_by_one_snap():
    rnd = random.Random(7)
    for _ in range(400):
        rules = _rules(rnd, rnd.randint(1, 60))
        got, _ = pdf._snapped(np.array([r[0] for r in rules]))
        want = dict(zip(sorted(r[0] for r in rules), (s[0] for s in _old_snap(rules))))
        assert got.tolist() == [want[r[0]] for r in rules]


def test_grid_cells_match_the_nearest_rule_walk():
    rnd = random.Random(11)
    for _ in range(150):
        hs, vs = _rules(rnd, rnd.randint(1, 40)), _rules(rnd, rnd.randint(1, 40))
        grid = pdf._Grid(np.array(hs), np.array(vs))
        xs = np.array([_coord(rnd, 0, 600) for _ in range(50)])
        ys = np.array([_coord(rnd, 0, 800) for _ in range(50)])
        assert grid.cells(xs, ys) == [_old_cell(hs, vs, x, y) for x, y in zip(xs.tolist(), ys.tolist())]
        old_vs = _old_snap(vs)
        old_vpos = [r[0] for r in old_vs]
        want = []
        for x, y in zip(xs.tolist(), ys.tolist()):
            i, j = bisect_left(old_vpos, x - 3), bisect_right(old_vpos, x + 3)
            want.append(any(old_vs[k][1] - 1 <= y <= old_vs[k][2] + 1 for k in range(i, j)))
        assert grid.vrule_between(xs - 3, xs + 3, ys).tolist() == want


def test_cells_beside_others_same_set_in_the_same_order():
    rnd = random.Random(5)
    for _ in range(2000):
        ys = sorted({round(rnd.uniform(0, 800), 1) for _ in range(rnd.randint(2, 15))} | {0.0, 800.0})
        xs = sorted({round(rnd.uniform(0, 600), 1) for _ in range(rnd.randint(2, 10))} | {0.0, 600.0})
        leaf = set()
        for _ in range(rnd.randint(0, 40)):
            a, b = sorted(rnd.sample(range(len(ys)), 2))
            c, d = sorted(rnd.sample(range(len(xs)), 2))
            leaf.add((xs[c], ys[a], xs[d], ys[b]))
        cells = list(leaf)
        rnd.shuffle(cells)
        assert list(pdf._beside_others(cells)) == list(_old_beside_others(cells))
