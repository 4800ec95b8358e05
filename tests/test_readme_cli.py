"""The README's CLI examples still run: every line of its example block, as a user would type it, exits 0."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"Examples \(`tests/test_readme_cli.py`.*?```sh\n(.*?)```", text, re.S)
    assert m, "the README's example block is gone"
    return [line for line in m.group(1).splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.slow
def test_readme_cli_examples_run(tmp_path):
    lines = _examples()
    assert len(lines) >= 8 and all(line.split()[0] in ("xxgk",) or "=" in line.split()[0] for line in lines)
    shutil.copytree(ROOT / "data" / "samples", tmp_path / "data" / "samples")
    xxgk = [sys.executable, "-c", "import sys; from pipelines.cli import main; sys.exit(main())"]
    for line in lines:
        w = str(tmp_path / "w.duckdb")
        words = [w if x == "W" else (x[:-1] + w if x.endswith("=W") else x) for x in shlex.split(line)]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        while "=" in words[0]:  # VAR=value before the command
            k, v = words.pop(0).split("=", 1)
            env[k] = v
        assert words[0] == "xxgk"
        p = subprocess.run(xxgk + words[1:], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, (line, p.stdout[-2000:], p.stderr[-2000:])
    assert (tmp_path / "W-parquet-2" / "reports").is_dir()
