"""One file in, one Report out: reader → parser → checks. No database is touched."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines import checks, readers, templates
from pipelines.parse import parse
from pipelines.report import Report

# What a file gives depends on this code and on the template data (pipelines/templates/*.yaml). Bump
# EXTRACTOR_VERSION whenever a change of the readers or the parser can give other values for a file
# already in a warehouse: `xxgk ingest` then re-extracts such files (their bytes unchanged) and records
# which cells moved. 1: the extractor before versions were recorded; 2: the layouts and agency names
# of issue 14 (one cell per line, lost cells placed by the identities, names from the signature …).
EXTRACTOR_VERSION = 2


def template_data_version() -> str:
    """A short digest of the template data files: another digest means other template knowledge."""
    return templates.data_version()


def extract_bytes(data: bytes, source: str, sha256: str | None = None) -> Report:
    """Extract a report from bytes; `source` names it in errors and in the Report. `sha256`: the bytes' digest
    when the caller has just computed it from these very bytes (ingest hashes every file before it decides to
    extract it: ~1 % of an ingest's CPU a second time).

    Raises ReadError (one line naming the file) when the bytes cannot be read or are not a report.
    """
    doc = readers.read_bytes(data, source)
    doc.sha256 = sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()
    report = parse(doc)
    report.extractor_version = EXTRACTOR_VERSION
    report.template_version = template_data_version()
    checks.run(report)  # never optional: a report leaves here checked
    return report


def extract_file(path: str | Path) -> Report:
    """Extract the regular file at path. Anything else (a FIFO, a device, a directory) and a file over
    settings.MAX_FILE_BYTES are refused at once with a ReadError naming it."""
    return extract_bytes(readers.read_path_bytes(path), str(path))
