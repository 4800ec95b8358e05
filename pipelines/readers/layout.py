"""Positioned fragments → lines of text, shared by the PDF and OCR readers.

A fragment is a character (PDF) or a word (OCR) with a box in top-down coordinates
(y grows downwards, like an image). Lines are rebuilt from geometry, not from the order
the producer happened to write the fragments in.
"""

from __future__ import annotations

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
    """Group fragments into lines, top to bottom; each line sorted left to right.

    A fragment joins a line when each one's vertical centre lies within the other's extent:
    robust to baseline jitter and mixed font sizes (digits' boxes are taller than CJK ones),
    while a cell's text that is merely offset by half a line stays apart.
    """
    if not frags:
        return []
    order = sorted(frags, key=lambda f: f.y0 + f.y1)
    lines: list[list[Frag]] = []
    tops: list[float] = []
    bots: list[float] = []
    for f in order:
        y0, y1 = f.y0, f.y1
        c = (y0 + y1) / 2
        best, best_d = -1, 0.0
        # Only the last few lines can still qualify, since fragments come sorted by centre.
        k = len(lines) - 1
        stop = max(-1, k - 4)
        while k > stop:
            lt, lb = tops[k], bots[k]
            lc = (lt + lb) / 2
            if lt <= c <= lb and y0 <= lc <= y1:
                d = abs(c - lc)
                if best < 0 or d < best_d:
                    best, best_d = k, d
            k -= 1
        if best >= 0:
            lines[best].append(f)
        else:
            lines.append([f])
            tops.append(y0)
            bots.append(y1)
    for ln in lines:
        ln.sort(key=lambda f: f.x0)
    idx = sorted(range(len(lines)), key=tops.__getitem__)
    return [lines[i] for i in idx]


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
