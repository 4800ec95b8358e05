"""Write the rendered demo corpus to disk: each file plus NAME.truth.json beside it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pipelines.demo.generate import YEARS, generate
from pipelines.demo.render import EXT, FORMATS, pick_form, render, sha256


def write_corpus(
    out: str | Path,
    city: str = "洛阳市",
    years: tuple[int, ...] = YEARS,
    seed: int = 0,
    size: float = 1.0,
    formats: tuple[str, ...] = FORMATS,
    limit: int | None = None,
) -> dict:
    """Files go to OUT/<year>/<agency>.<ext>; the truth (extract-json shape + metadata) beside them."""
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"unknown format(s) {', '.join(bad) or '(none)'}; known: {', '.join(FORMATS)}")
    out = Path(out)
    truths = generate(city, tuple(years), seed, size)
    if limit is not None:
        truths = truths[:limit]
    by_form: Counter = Counter()
    for t in truths:
        form, variant = pick_form(t, seed, tuple(formats))
        data = render(t, form, variant, seed)
        d = out / str(t["year"])
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"{t['agency']}.{EXT[form]}"
        path.write_bytes(data)
        meta = dict(t, source=str(path), sha256=sha256(data), format=form, html_variant=variant or None)
        (d / f"{t['agency']}.truth.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        by_form[form + (f"/{variant}" if variant else "")] += 1
    return {
        "out": str(out),
        "n_reports": len(truths),
        "by_form": dict(by_form),
        "n_faulted": sum(bool(t["faults"]) for t in truths),
    }
