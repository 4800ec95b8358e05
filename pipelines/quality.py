"""The data-quality queries live in ``pipelines.read.quality``; this name stays for the pages and tools
that import ``pipelines.quality``."""

from pipelines.read.quality import (
    DEFAULT_DB,
    MISSING,
    OK,
    SEVERITIES,
    catalogue_frame,
    check_ids,
    connect,
    corrections,
    corrections_needing_review,
    datasets,
    db_path,
    failing_by_check,
    findings_of,
    matrix,
    matrix_years,
    report_checks,
)

__all__ = [
    "DEFAULT_DB",
    "MISSING",
    "OK",
    "SEVERITIES",
    "catalogue_frame",
    "check_ids",
    "connect",
    "corrections",
    "corrections_needing_review",
    "datasets",
    "db_path",
    "failing_by_check",
    "findings_of",
    "matrix",
    "matrix_years",
    "report_checks",
]
