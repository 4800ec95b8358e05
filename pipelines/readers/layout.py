"""Positioned fragments → lines of text, shared by the PDF and OCR readers.

A fragment is a character (PDF) or a word (OCR) with a box in top-down coordinates
(y grows downwards, like an image). Lines are rebuilt from geometry, not from the order
the producer happened to write the fragments in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(slots=True)
class Frag:
    x0: float
    y0: float  # top
    x1: float
    y1: float  # bottom
    text: str
    conf: float = 1.0

    @property
    def h(self) -> float:
        return self.y1 - self.y0


def group_lines(frags: list[Frag]) -> list[list[Frag]]:
    """Group fragments into lines, top to bottom; each line sorted left to right (the rule: nearest_lines)."""
    if not frags:
        return []
    order = sorted(frags, key=lambda f: f.y0 + f.y1)
    decided, tops = nearest_lines([f.y0 for f in order], [f.y1 for f in order])
    lines: list[list[Frag]] = [[] for _ in tops]
    for f, k in zip(order, decided):
        lines[k].append(f)
    for ln in lines:
        ln.sort(key=lambda f: f.x0)
    idx = sorted(range(len(lines)), key=tops.__getitem__)
    return [lines[i] for i in idx]


def nearest_lines(y0s: Sequence[float], y1s: Sequence[float]) -> tuple[list[int], list[float]]:
    """Boxes (top y0, bottom y1; sorted by vertical centre) into lines: each box's line number, and each
    line's top, numbered in the order the lines were opened. The PDF reader (over arrays of characters)
    and the OCR reader (over word fragments) both group by this one rule.

    A box joins a line when each one's vertical centre lies within the other's extent: robust to
    baseline jitter and mixed font sizes (digits' boxes are taller than CJK ones), while a cell's text
    that is merely offset by half a line stays apart. Of the lines that qualify, the nearest by centre;
    a line keeps the extent of the box that opened it.
    """
    tops: list[float] = []
    bots: list[float] = []
    cens: list[float] = []  # each line's centre, computed once
    decided: list[int] = []
    n = 0
    for a, b in zip(y0s, y1s):
        c = (a + b) / 2
        best, best_d = -1, 0.0
        # Only the last few lines can still qualify, since boxes come sorted by centre.
        k = n - 1
        stop = k - 4 if k > 3 else -1
        while k > stop:
            lc = cens[k]
            if a <= lc <= b and tops[k] <= c <= bots[k]:
                d = abs(c - lc)
                if best < 0 or d < best_d:
                    best, best_d = k, d
            k -= 1
        if best < 0:
            best = n
            n += 1
            tops.append(a)
            bots.append(b)
            cens.append(c)
        decided.append(best)
    return decided, tops


def split_runs(line: list[Frag], gap_em: float = 0.4) -> list[list[Frag]]:
    """Split a sorted line where the horizontal gap exceeds `gap_em` of the text height:
    the pieces are the space-separated tokens (table cells, spaced words)."""
    runs: list[list[Frag]] = []
    cur: list[Frag] = []
    prev = None
    for f in line:
        if prev is not None:
            ph, fh = prev.y1 - prev.y0, f.y1 - f.y0
            if f.x0 - prev.x1 > gap_em * (ph if ph < fh else fh):
                runs.append(cur)
                cur = []
        cur.append(f)
        prev = f
    if cur:
        runs.append(cur)
    return runs


def join_wrapped(parts: list[str]) -> str:
    """Join the lines of one wrapped cell: no space between CJK characters (Chinese wraps
    mid-word), one space otherwise."""
    out = ""
    for p in parts:
        if not p:
            continue
        if out and not (_wide(out[-1]) and _wide(p[0])):
            out += " "
        out += p
    return out


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80
