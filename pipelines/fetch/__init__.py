"""`xxgk fetch`: collect annual reports from agencies' 政府信息公开年报 columns, politely and
resumably, into a folder ready for `xxgk ingest` (see README, "Fetching reports").

Layers: client (polite HTTP: robots, spacing, retries, challenges) → lists / article (pages read
with lxml) → crawl (the frontier in SQLite, the spool, saving) → manifest; load feeds what was
saved to the warehouse's one ingest entry point.
"""

from pipelines.fetch.crawl import FetchError, FetchOptions, FetchResult, fetch

__all__ = ["FetchError", "FetchOptions", "FetchResult", "fetch"]
