"""The measure catalogue as the read API shows it (``pipelines.warehouse.measures`` defines it: the writer's
aggregates need it too) and the definitions & 口径 sheet of an export."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines.settings import MIN_CASES
from pipelines.warehouse.measures import MEASURES


def definitions(measures: Sequence[str], lang: str = "zh", min_cases: int = MIN_CASES) -> pl.DataFrame:
    """The definitions & 口径 sheet of an export."""
    rows = []
    for k in measures:
        m = MEASURES[k]
        rows.append(
            {
                "measure": k,
                "label_zh": m.zh,
                "label_en": m.en,
                "kind": m.kind,
                "basis_zh": m.basis_zh,
                "basis_en": m.basis_en,
                "numerator_sql": m.num,
                "denominator_sql": m.den or "",
                "scale": m.scale,
                "note": (
                    f"比率 = Σ分子 ÷ Σ分母（分子、分母均非空的报告）；0 < 分母 < {min_cases} 标记为 low_n"
                    if m.kind == "rate"
                    else "合计 = Σ（空值报告不计入，见 n_null）"
                ),
            }
        )
    return pl.DataFrame(rows)
