"""One file in, one Report out: reader → parser → checks. No database is touched."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines.report import Report


def extract_bytes(data: bytes, source: str) -> Report:
    """Extract a report from bytes; `source` names it in errors and in the Report.

    Raises ReadError (one line naming the file) when the bytes cannot be read or are not a report.
    """
    from pipelines import readers
    from pipelines.parse import parse

    doc = readers.read_bytes(data, source)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    report = parse(doc)
    try:
        from pipelines import checks
    except ImportError:  # the check catalogue is optional while it is being built
        checks = None
    if checks is not None and hasattr(checks, "run"):
        checks.run(report)
    return report


def extract_file(path: str | Path) -> Report:
    """Extract the regular file at path. Anything else (a FIFO, a device, a directory) and a file over
    settings.MAX_FILE_BYTES are refused at once with a ReadError naming it."""
    from pipelines.readers import read_path_bytes

    return extract_bytes(read_path_bytes(path), str(path))
