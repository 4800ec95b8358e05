"""The extraction's hottest modules compiled with mypyc, used only while they match their sources.

`python -c "import pipelines.native as n; n.main()"` (run by `make venv`; needs mypyc and a C compiler, ~2–5 min) compiles
MODULES into `.native/` beside the package, with a manifest holding a digest of every `.py` of the
package. `import pipelines` calls `install()`: when the manifest's digest equals the sources' digest now
(and the interpreter is the one it was built for), a finder serves those modules from their compiled
form; otherwise nothing changes and every module is imported from its source. So an edit of any source
turns the compiled modules off as a whole (never one stale module beside fresh ones: compiled modules
call each other directly) until the next build. XXGK_NATIVE=0 turns them off. Without a build
(no compiler, `.native/` absent) the package is pure Python, as it always was.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import os
import sys
from pathlib import Path

from pipelines import settings

PACKAGE = Path(__file__).resolve().parent
NATIVE_DIR = PACKAGE.parent / ".native"
MANIFEST = "manifest.json"
GROUP = "pipelines.native_group"  # mypyc's shared library: pipelines/native_group__mypyc.<abi>.so

# The per-report Python of an extraction: the parser, the text and HTML readers and the checks' engine.
MODULES = (
    "pipelines/checks/__init__.py",
    "pipelines/checks/evaluator.py",
    "pipelines/document.py",
    "pipelines/parse/__init__.py",
    "pipelines/parse/agency.py",
    "pipelines/parse/cellines.py",
    "pipelines/parse/digits.py",
    "pipelines/parse/meta.py",
    "pipelines/parse/ocrfix.py",
    "pipelines/parse/segments.py",
    "pipelines/parse/table2.py",
    "pipelines/parse/table3.py",
    "pipelines/parse/table4.py",
    "pipelines/parse/tokens.py",
    "pipelines/readers/html.py",
    "pipelines/readers/text.py",
)


def source_digest(package: Path = PACKAGE) -> str:
    """sha256 over every .py of the package (relative path and bytes), in path order."""
    h = hashlib.sha256()
    for p in sorted(package.rglob("*.py")):
        h.update(p.relative_to(package).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _abi() -> str:
    return f"{sys.implementation.cache_tag}-{importlib.machinery.EXTENSION_SUFFIXES[0]}"


class _Finder:
    """Serves the compiled modules named in the manifest from .native/ (and nothing else)."""

    def __init__(self, files: dict[str, str], root: Path):
        self.files = files
        self.root = root

    def find_spec(self, name, path=None, target=None):
        rel = self.files.get(name)
        if rel is None:
            return None
        so = str(self.root / rel)
        package = rel.rpartition("/")[2].startswith("__init__.")  # a package's __init__
        loader = (_PackageLoader if package else importlib.machinery.ExtensionFileLoader)(name, so)
        spec = importlib.machinery.ModuleSpec(name, loader, origin=so, is_package=package)
        if package:  # its submodules are where its source is (the compiled ones are served from here first)
            spec.submodule_search_locations = [str(PACKAGE.parent.joinpath(*name.split(".")))]
        spec.has_location = True
        return spec


class _PackageLoader(importlib.machinery.ExtensionFileLoader):
    """A compiled package __init__: mypyc's module sets its own __path__ (beside the .so, where no source is);
    the spec's is put back, so that the package's other submodules are found."""

    def create_module(self, spec):
        module = super().create_module(spec)
        module.__path__ = list(spec.submodule_search_locations)
        return module


def active(native_dir: Path = NATIVE_DIR, package: Path = PACKAGE) -> dict | None:
    """The manifest when the compiled modules may be used (built for this interpreter from these very
    sources, not turned off by XXGK_NATIVE=0), else None."""
    if not settings.native_enabled():
        return None
    try:
        manifest = json.loads((native_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("abi") != _abi():
        return None
    if manifest.get("digest") != source_digest(package):
        return None
    return manifest


def install() -> bool:
    """Put the finder first on sys.meta_path when the build is current; True when it did."""
    if any(isinstance(f, _Finder) for f in sys.meta_path):
        return True
    manifest = active()
    if manifest is None:
        return False
    sys.meta_path.insert(0, _Finder(manifest["files"], NATIVE_DIR))
    return True


# --- the build (`make native`) ---------------------------------------------------

_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
config, out, tmp, group, *paths = sys.argv[1:]
sys.argv[1:] = ["build_ext", "--build-lib", out, "--build-temp", tmp]
setup(name="xxgk_native", ext_modules=mypycify([*paths, "--config-file", config], opt_level="3", group_name=group))
"""


def _module_name(rel: str) -> str:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if rel.endswith(suffix):
            return rel[: -len(suffix)].replace("/", ".").removesuffix(".__init__")
    raise ValueError(f"not an extension module: {rel}")


def build(native_dir: Path = NATIVE_DIR, package: Path = PACKAGE) -> int:
    """Compile MODULES into native_dir; the manifest (written last) holds the digest of the sources as
    they were when the build began, so a source edited meanwhile leaves the build unused. 0 when built."""
    import shutil
    import subprocess
    import tempfile

    root = package.parent
    digest = source_digest(package)
    (native_dir / MANIFEST).unlink(missing_ok=True)  # from here until the end, no build is in use
    with tempfile.TemporaryDirectory(prefix="xxgk-native-") as tmp:
        out, work = Path(tmp) / "out", Path(tmp) / "work"
        # Run from an empty folder: setuptools would otherwise read the project's own pyproject.toml.
        cmd = [sys.executable, "-c", _SETUP, str(root / "pyproject.toml"), str(out), str(work), GROUP]
        # mypyc's and gcc's lines go to a log (they filled `make test`'s output); shown when the build fails
        native_dir.mkdir(parents=True, exist_ok=True)
        log = native_dir / "build.log"
        with log.open("wb") as f:
            done = subprocess.run(
                [*cmd, *(str(root / m) for m in MODULES)], cwd=tmp, stdout=f, stderr=subprocess.STDOUT
            )
        if done.returncode != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
            print("\n".join(tail), file=sys.stderr)
            print(f"pipelines.native: build failed (log: {log}); the package stays pure Python", file=sys.stderr)
            return done.returncode
        files = {}
        for so in sorted(out.rglob("*.so")):
            rel = so.relative_to(out).as_posix()
            dest = native_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            part = dest.with_name(dest.name + ".part")
            shutil.copyfile(so, part)
            os.replace(part, dest)  # a new file: a process that has the old one loaded keeps it intact
            files[_module_name(rel)] = rel
    want = {m.removesuffix(".py").replace("/", ".").removesuffix(".__init__") for m in MODULES}
    if not want <= set(files):
        print(f"pipelines.native: modules missing from the build: {sorted(want - set(files))}", file=sys.stderr)
        return 1
    manifest = {"digest": digest, "abi": _abi(), "files": files}
    part = native_dir / (MANIFEST + ".part")
    part.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(part, native_dir / MANIFEST)
    print(f"pipelines.native: {len(want)} modules compiled into {native_dir}", file=sys.stderr)
    return 0


def main() -> None:
    """`make native` (and `make venv`): build, exit 0 when built."""
    sys.exit(build())
