"""Import the heavy libraries once, under a lock, before any page runs.

Streamlit runs every session's script in its own thread. When several sessions start at once on a fresh
server, their threads import pandas / altair / pyarrow side by side, and Python's import machinery, to avoid a
deadlock between module locks, can hand one thread a partially initialised module (seen: "partially initialized
module 'pandas' has no attribute 'Timestamp'" on the overview's chart). One lock here makes the first import
whole before anyone uses it; later calls cost nothing.
"""

from __future__ import annotations

import threading

_LOCK = threading.Lock()
_DONE = False


def warm() -> None:
    global _DONE
    if _DONE:
        return
    with _LOCK:
        if _DONE:
            return
        import altair  # noqa: F401
        import pandas  # noqa: F401
        import polars  # noqa: F401
        import pyarrow
        import pyarrow.parquet  # noqa: F401

        import app_pages._common
        import app_pages._export
        import app_pages._filters  # noqa: F401
        import pipelines.charts  # noqa: F401

        _DONE = True
