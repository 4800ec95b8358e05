"""Report: what the parser makes of one Document, and its JSON form (spec/extract-json.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Cell states kept in the warehouse beside every value.
NUMBER, BLANK, DASH, MISSING, INFERRED = "number", "blank", "dash", "missing", "inferred"
STATES = (NUMBER, BLANK, DASH, MISSING, INFERRED)


@dataclass(slots=True)
class CellValue:
    value: int | float | None
    raw: str | None = None  # the source text this value was read from
    state: str = MISSING
    confidence: float = 1.0

    @classmethod
    def missing(cls) -> CellValue:
        return cls(None, None, MISSING)


@dataclass(slots=True)
class Finding:
    check: str
    severity: str  # error | warning | info
    where: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "severity": self.severity, "where": self.where, "message": self.message}


@dataclass
class Report:
    source: str
    sha256: str
    format: str
    agency: str | None = None
    region: dict[str, str | None] = field(default_factory=lambda: {"province": None, "city": None, "county": None})
    year: int | None = None
    template: str = "nonstandard"
    table2: dict[str, CellValue] = field(default_factory=dict)
    table3: dict[str, list[CellValue]] = field(default_factory=dict)
    table4: list[CellValue] = field(default_factory=lambda: [CellValue.missing() for _ in range(15)])
    fees_collected_yuan: float | None = None
    findings: list[Finding] = field(default_factory=list)
    text: str = ""
    ocr: bool = False
    meta: dict[str, Any] = field(default_factory=dict)  # how the parser read it (layouts, modes)
    extractor_version: int | None = None  # pipelines.extract.EXTRACTOR_VERSION that read it
    template_version: str | None = None  # digest of the template data it was read with

    def add(self, check: str, severity: str, where: str, message: str) -> None:
        self.findings.append(Finding(check, severity, where, message))

    def to_json(self) -> dict[str, Any]:
        """Exactly the object of spec/extract-json.md."""
        return {
            "source": self.source,
            "sha256": self.sha256,
            "agency": self.agency,
            "region": dict(self.region),
            "year": self.year,
            "template": self.template,
            "table2": {k: _num(v.value) for k, v in self.table2.items()},
            "table3": {k: [_num(c.value) for c in row] for k, row in self.table3.items()},
            "table4": [_num(c.value) for c in self.table4],
            "fees_collected_yuan": _num(self.fees_collected_yuan),
            "findings": [f.to_json() for f in self.findings],
        }


def _num(v: int | float | None) -> int | float | None:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v
