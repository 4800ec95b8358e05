"""Table 2 (主动公开政府信息情况): rows by label, columns by the version's block layout."""

from __future__ import annotations

from pipelines import templates
from pipelines.parse.digits import Token, segment
from pipelines.parse.tokens import Stream, label_key
from pipelines.report import DASH, NUMBER, CellValue, Report


def detect_version(st: Stream) -> str | None:
    """Which version's headers table 2 carries (本年制发件数 … vs 本年新制作数量 …)."""
    text = label_key(" ".join(i.text for i in st.items if i.kind == "label"))
    scores = {}
    for v, t in templates.templates().items():
        scores[v] = sum(1 for h in t.table2_headers if label_key(h)[:5] in text)
    best = max(scores.items(), key=lambda kv: kv[1], default=(None, 0))
    if best[1] == 0:
        return None
    # a tie is no evidence
    if list(scores.values()).count(best[1]) > 1:
        return None
    return best[0]


def _value(tok: Token, col: str) -> float | int | None:
    if tok.kind in ("dash", "blank"):
        return None
    v: float | int = int(tok.text) if tok.kind == "num" else float(tok.text)
    if col.endswith("amount_wan") and tok.unit == "元":
        v = round(v / 10000, 6)
    return v


def parse_table2(st: Stream, report: Report, version: str) -> None:
    t = templates.get(version)
    rowspecs = [(row, b["columns"]) for b in t.table2_blocks for row in b["rows"]]
    # Longest labels first so 行政规范性文件 / 其他对外管理服务事项 win over shorter ones.
    order = sorted(range(len(rowspecs)), key=lambda i: -max(len(m) for m in rowspecs[i][0]["match"]))
    done: set[str] = set()
    for it in st.items:
        ch = it.chunk
        if it.kind != "chunk" or ch is None or not ch.label_before:
            continue
        lab = label_key(ch.label_before)
        for i in order:
            row, cols = rowspecs[i]
            if row["key"] in done:
                continue
            if any(lab.endswith(m) or lab == m for m in row["match"]):
                _fill(report, row["key"], cols, ch.tokens)
                done.add(row["key"])
                break
    for row, cols in rowspecs:
        for c in cols:
            report.table2.setdefault(f"{row['key']}_{c}", CellValue.missing())


def _fill(report: Report, key: str, cols: list[str], tokens: list[Token]) -> None:
    toks = list(tokens)
    # Trailing blank grid cells beyond the block's width are layout.
    while len(toks) > len(cols) and toks[-1].kind == "blank":
        toks.pop()
    if len(toks) < len(cols):
        # digits run together ("000" → 0,0,0): take the split only when it is the only one
        sg = segment(toks, len(cols))
        if len(sg.candidates) == 1 and not sg.gap_nulls:
            vals = sg.candidates[0]
            raw = " ".join(tk.text for tk in tokens)
            for c, v in zip(cols, vals):
                report.table2[f"{key}_{c}"] = CellValue(v, raw, NUMBER)
            return
    if len(toks) != len(cols):
        raw = " ".join(tk.text for tk in tokens)
        report.add(
            "P201 table2_cells",
            "warning",
            f"table2.{key}",
            f"row has {len(toks)} value(s) for {len(cols)} column(s) ({raw}); cells left null",
        )
        for c in cols:
            report.table2[f"{key}_{c}"] = CellValue(None, raw or None, "missing")
        return
    for c, tk in zip(cols, toks):
        v = _value(tk, c)
        state = NUMBER if v is not None else (DASH if tk.kind == "dash" else "blank")
        report.table2[f"{key}_{c}"] = CellValue(v, tk.text + tk.unit if tk.text else None, state)
        if tk.unit == "元" and c.endswith("amount_wan"):
            report.add(
                "P202 unit_converted",
                "info",
                f"table2.{key}_{c}",
                f"amount printed as {tk.text} yuan; stored as {v} (10,000 yuan)",
            )
