"""The ingest path does not import pandas (~0.8 s of every run), and pandas still works after it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "samples"

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pipelines.warehouse.ingest import ingest
    r = ingest([sys.argv[1]], db=sys.argv[2], progress=False)
    after_ingest = "pandas" in sys.modules
    # A process that does use pandas later gets it as usual, from both libraries that asked for it.
    import duckdb, pandas, pyarrow as pa
    con = duckdb.connect(sys.argv[2], read_only=True)
    df = pandas.DataFrame({"a": [1, 2]})
    con.register("df_in", df)
    total = con.execute("SELECT sum(a) FROM df_in").fetchone()[0]
    n = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    frame = pa.table({"x": pa.array([1.5, None])}).to_pandas()
    print(json.dumps({"loaded": len(r.loaded), "pandas_after_ingest": after_ingest, "sum": int(total),
                      "reports": n, "frame": str(frame["x"].tolist())}))
    """
)


def test_ingest_does_not_import_pandas(tmp_path):
    files = sorted(p for p in SAMPLE.iterdir() if not p.name.endswith(".truth.json"))
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(files[0]), str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"loaded": 1, "pandas_after_ingest": False, "sum": 3, "reports": 1, "frame": "[1.5, nan]"}
