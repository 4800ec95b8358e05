"""Keep pandas out of processes that never use it.

duckdb (when a Python object is registered or scanned) and pyarrow (when an array is built from a
Python list) import pandas, ~0.8 s and ~60 MB, only to ask whether the object is a DataFrame. The
writer hands them Arrow tables only. While pandas has not been imported yet, `without_pandas()`
makes its import fail inside the block; both libraries answer "not a DataFrame" and import it again
next time they are asked, so a process that does use pandas later (the dashboard, a test) gets it
as usual. Where pandas is already imported (the dashboard's process), the block changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class _NoPandas:
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} is not imported by the warehouse writer", name=name)
        return None


_BLOCK = _NoPandas()


@contextmanager
def without_pandas() -> Iterator[None]:
    if "pandas" in sys.modules or _BLOCK in sys.meta_path:
        yield
        return
    sys.meta_path.insert(0, _BLOCK)
    try:
        yield
    finally:
        sys.meta_path.remove(_BLOCK)
