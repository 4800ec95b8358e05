"""One file in, one Report out: reader → parser → checks. No database is touched."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines import checks, readers
from pipelines.parse import parse
from pipelines.report import Report


def extract_bytes(data: bytes, source: str) -> Report:
    """Extract a report from bytes; `source` names it in errors and in the Report.

    Raises ReadError (one line naming the file) when the bytes cannot be read or are not a report.
    """
    doc = readers.read_bytes(data, source)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    report = parse(doc)
    checks.run(report)  # never optional: a report leaves here checked
    return report


def extract_file(path: str | Path) -> Report:
    """Extract the regular file at path. Anything else (a FIFO, a device, a directory) and a file over
    settings.MAX_FILE_BYTES are refused at once with a ReadError naming it."""
    return extract_bytes(readers.read_path_bytes(path), str(path))
