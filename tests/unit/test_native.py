"""pipelines.native: the compiled modules are used only while every source is as it was built, never stale."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import native

REPO = Path(__file__).resolve().parents[2]


def _package(tmp: Path) -> Path:
    pkg = tmp / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "sub" / "mod.py").write_text("X = 1\n", encoding="utf-8")
    return pkg


def _manifest(native_dir: Path, **fields) -> None:
    native_dir.mkdir(exist_ok=True)
    (native_dir / native.MANIFEST).write_text(json.dumps(fields), encoding="utf-8")


def test_the_digest_changes_with_any_source_byte_or_name(tmp_path):
    pkg = _package(tmp_path)
    d0 = native.source_digest(pkg)
    assert d0 == native.source_digest(pkg)
    (pkg / "sub" / "mod.py").write_text("X = 2\n", encoding="utf-8")
    d1 = native.source_digest(pkg)
    (pkg / "sub" / "mod.py").rename(pkg / "sub" / "other.py")
    d2 = native.source_digest(pkg)
    (pkg / "sub" / "new.py").write_text("", encoding="utf-8")
    d3 = native.source_digest(pkg)
    assert len({d0, d1, d2, d3}) == 4


def test_a_build_is_active_only_for_these_sources_and_this_interpreter(tmp_path, monkeypatch):
    monkeypatch.delenv("XXGK_NATIVE", raising=False)
    pkg, nd = _package(tmp_path), tmp_path / ".native"
    assert native.active(nd, pkg) is None  # no build
    good = {"digest": native.source_digest(pkg), "abi": native._abi(), "files": {}}
    _manifest(nd, **good)
    assert native.active(nd, pkg) == good
    monkeypatch.setenv("XXGK_NATIVE", "0")
    assert native.active(nd, pkg) is None  # turned off
    monkeypatch.delenv("XXGK_NATIVE")
    _manifest(nd, **{**good, "abi": "cpython-39-.so"})
    assert native.active(nd, pkg) is None  # another interpreter's build
    _manifest(nd, **good)
    (pkg / "sub" / "mod.py").write_text("X = 1  # edited\n", encoding="utf-8")
    assert native.active(nd, pkg) is None  # a source edited since the build
    (nd / native.MANIFEST).write_text("{not json", encoding="utf-8")
    assert native.active(nd, pkg) is None


def _imported_from(root: Path, env: dict) -> dict:
    """Where each module was loaded from (its spec's origin: a compiled module's own __file__ is mypyc's)."""
    code = (
        "import json, pipelines, pipelines.parse.digits as d, pipelines.readers.html as h, pipelines.checks as c; "
        "import pipelines.checks.functions as f, pipelines.parse as p; "  # f: not compiled, in a compiled package
        "print(json.dumps([m.__spec__.origin for m in (pipelines, d, h, c, f, p)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
    )
    init, digits, html, checks, functions, parse = json.loads(out.stdout)
    return {"init": init, "digits": digits, "html": html, "checks": checks, "functions": functions, "parse": parse}


@pytest.mark.skipif(native.active() is None, reason="no current native build (make native)")
def test_a_source_edited_after_the_build_turns_every_compiled_module_off(tmp_path):
    """A copy of the package with its build: compiled modules in use; then one source edited (a module that is
    not compiled itself): every module is imported from its source again, until a new build."""
    root = tmp_path / "tree"
    root.mkdir()
    shutil.copytree(REPO / "pipelines", root / "pipelines", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(native.NATIVE_DIR, root / ".native")
    env = {k: v for k, v in os.environ.items() if k != "XXGK_NATIVE"}
    built = _imported_from(root, env)
    assert built["init"] == str(root / "pipelines" / "__init__.py")
    for name in ("digits", "html", "checks", "parse"):  # checks, parse: packages' __init__
        assert built[name].startswith(str(root / ".native" / "pipelines")) and built[name].endswith(".so")
    assert built["functions"] == str(root / "pipelines" / "checks" / "functions.py")  # found beside its source

    assert _imported_from(root, {**env, "XXGK_NATIVE": "0"})["digits"] == str(root / "pipelines/parse/digits.py")

    with open(root / "pipelines" / "settings.py", "a", encoding="utf-8") as f:
        f.write("\n# edited after the build\n")
    edited = _imported_from(root, env)
    assert edited["digits"] == str(root / "pipelines" / "parse" / "digits.py")
    assert edited["html"] == str(root / "pipelines" / "readers" / "html.py")
    assert edited["checks"] == str(root / "pipelines" / "checks" / "__init__.py")


def test_numpy_loaded_after_pipelines_starts_no_blas_threads():
    """pipelines.settings.one_blas_thread: numpy (loaded by pyarrow in every ingest) adds no OpenBLAS thread to an xxgk
    process, and a value the user set is kept."""
    if not Path("/proc/self/task").is_dir():
        pytest.skip("no /proc: threads not countable here")
    code = "import os, {first}; import numpy; print(len(os.listdir('/proc/self/task')), os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}

    def run(first: str, extra: dict) -> tuple[int, str]:
        out = subprocess.run(
            [sys.executable, "-c", code.format(first=first)],
            capture_output=True,
            text=True,
            check=True,
            env={**env, **extra},
            cwd=REPO,
        ).stdout.split()
        return int(out[0]), out[1]

    plain, _ = run("sys", {"OPENBLAS_NUM_THREADS": "2"})  # numpy as it starts by itself on two threads
    ours, value = run("pipelines", {})
    assert value == "1" and ours == plain - 1
    assert run("pipelines", {"OPENBLAS_NUM_THREADS": "2"}) == (plain, "2")
