"""DOC (Word 97-2003) → Document: LibreOffice converts to DOCX, the DOCX reader reads it.

Two ways to run LibreOffice, same result:

- warm (the default when a Python with LibreOffice's `uno` module is found, e.g. Debian's python3 with
  python3-uno): one soffice listener per process, started at the first conversion and kept for the
  next (pipelines/readers/lo_listener.py), so a file costs a load and a save (~0.1–0.3 s), not a
  LibreOffice start (~1.5 s). A conversion that takes longer than the time limit has its listener
  killed (soffice with it) and is reported; the next file starts a fresh one.
- cold: one `soffice --convert-to` per file (no `uno`, or XXGK_DOC_CONVERTER=cold).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

from pipelines import settings
from pipelines.document import Document, ReadError
from pipelines.readers import docx

TIMEOUT = 120.0  # one conversion
START_TIMEOUT = 60.0  # a listener's start (not counted in a conversion's time)

# --convert-to's extensions and the filters LibreOffice names them by (for the listener).
_FILTERS = {"docx": "MS Word 2007 XML", "doc": "MS Word 97", "pdf": "writer_pdf_Export", "odt": "writer8"}

_lock = threading.Lock()
_profile: str | None = None


def _profile_dir() -> str:
    """One LibreOffice profile per process: a fresh profile costs seconds to create, and two
    soffice processes sharing one profile block each other."""
    global _profile
    if _profile is None:
        _profile = os.path.join(tempfile.gettempdir(), f"xxgk-lo-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        atexit.register(shutil.rmtree, _profile, True)
    return _profile


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


_uno_python: str | None | bool = False  # False: not looked for yet


def uno_python() -> str | None:
    """An interpreter that can `import uno` (XXGK_UNO_PYTHON, else python3 on PATH / in /usr/bin), or None."""
    global _uno_python
    if _uno_python is False:
        _uno_python = None
        for exe in settings.uno_python_candidates():
            path = shutil.which(exe)
            if not path:
                continue
            try:
                ok = (
                    subprocess.run([path, "-c", "import uno"], check=False, capture_output=True, timeout=30).returncode
                    == 0
                )
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                _uno_python = path
                break
    return _uno_python if isinstance(_uno_python, str) else None


class Listener:
    """One warm soffice (through lo_listener.py) for this process. Not thread-safe: hold _lock."""

    def __init__(self, python: str, exe: str):
        self.python, self.exe = python, exe
        self.proc: subprocess.Popen | None = None
        self.profile: str | None = None
        self.conversions = 0

    def _start(self, timeout: float) -> None:
        name = f"xxgk-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        # A profile of its own: a second soffice on the same profile hands its work to the first
        # and exits, and terminating either would end the other.
        if self.profile is None:
            self.profile = _profile_dir() + "-listener-" + uuid.uuid4().hex[:8]
            atexit.register(shutil.rmtree, self.profile, True)
        profile = "file://" + self.profile
        # Own process group: a hung conversion is killed with soffice and everything it started.
        self.proc = subprocess.Popen(
            [self.python, str(Path(__file__).with_name("lo_listener.py")), self.exe, profile, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
            encoding="utf-8",
            env={**settings.subprocess_env(), "XXGK_LO_START_TIMEOUT": f"{timeout:g}"},
        )
        reply = self._reply(timeout + 5)
        if not reply or not reply.get("ready"):
            why = (reply or {}).get("error") or "no answer"
            self.kill()
            raise RuntimeError(f"LibreOffice listener did not start ({why})")

    def _reply(self, timeout: float) -> dict | None:
        """The listener's next line, or None if it does not come within timeout seconds."""
        assert self.proc is not None and self.proc.stdout is not None
        box: list[str] = []
        stdout = self.proc.stdout
        t = threading.Thread(target=lambda: box.append(stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive() or not box or not box[0]:
            return None
        return json.loads(box[0])

    def convert(self, src: Path, dst: Path, filt: str, timeout: float) -> tuple[bool, str]:
        """(True, '') when dst was written; (False, why) otherwise. Raises TimeoutError when it hung."""
        if self.proc is None or self.proc.poll() is not None:
            self._start(START_TIMEOUT)
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps({"in": str(src), "out": str(dst), "filter": filt}) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            return False, "LibreOffice listener exited"
        reply = self._reply(timeout)
        if reply is None:
            alive = self.proc.poll() is None
            self.kill()
            if alive:
                raise TimeoutError
            return False, "LibreOffice exited during the conversion"
        self.conversions += 1
        return bool(reply.get("ok")), str(reply.get("error") or "")

    def close(self) -> None:
        """End the listener: it terminates soffice and waits for it (no process left behind)."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for f in (proc.stdin, proc.stdout):
            try:
                f and f.close()
            except OSError:
                pass


_listener: Listener | None = None


def _warm_listener(exe: str) -> Listener | None:
    global _listener
    if settings.doc_converter() != "warm":
        return None
    if _listener is None:
        py = uno_python()
        if py is None:
            return None
        _listener = Listener(py, exe)
        atexit.register(_listener.close)
    return _listener


def convert(data: bytes, source: str, to: str = "docx", suffix: str = ".doc", timeout: float = TIMEOUT) -> bytes:
    """Convert a document with LibreOffice headless; returns the converted bytes.

    `to` as soffice's --convert-to takes it: an extension, optionally ':' and a filter name."""
    exe = soffice()
    if exe is None:
        raise ReadError(source, f"cannot read {suffix}: LibreOffice (soffice) is not installed")
    ext, _, filt = to.partition(":")
    with _lock, tempfile.TemporaryDirectory(prefix="xxgk-conv-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        listener = _warm_listener(exe) if (filt or ext in _FILTERS) else None
        if listener is not None:
            dst = Path(tmp) / f"output.{ext}"
            try:
                ok, why = listener.convert(src, dst, filt or _FILTERS[ext], timeout)
            except TimeoutError:
                raise ReadError(source, f"LibreOffice conversion timed out after {timeout:.0f} s; killed") from None
            except RuntimeError:  # the listener cannot start here: one cold conversion instead
                ok, why = False, None
            if ok and dst.is_file():
                return dst.read_bytes()
            if why is not None:
                raise ReadError(source, f"LibreOffice could not convert the file ({why or 'no output'})")
        return _convert_cold(exe, src, Path(tmp) / "out", to, source, timeout)


def _convert_cold(exe: str, src: Path, out_dir: Path, to: str, source: str, timeout: float) -> bytes:
    cmd = [
        exe,
        f"-env:UserInstallation=file://{_profile_dir()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        to,
        "--outdir",
        str(out_dir),
        str(src),
    ]
    # Own process group, so a hung conversion can be killed with all its children.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ReadError(source, f"LibreOffice conversion timed out after {timeout:.0f} s; killed") from None
    outs = list(out_dir.glob(f"{src.stem}.{to.split(':')[0]}")) if out_dir.exists() else []
    if proc.returncode != 0 or not outs:
        tail = (err or b"").decode("utf-8", "replace").strip().splitlines()
        why = tail[-1] if tail else f"exit status {proc.returncode}, no output"
        raise ReadError(source, f"LibreOffice could not convert the file ({why})")
    return outs[0].read_bytes()


def read_bytes(data: bytes, source: str, *, timeout: float = TIMEOUT, limits=None) -> Document:
    converted = convert(data, source, "docx", ".doc", timeout)
    doc = docx.read_bytes(converted, source, limits=limits)
    doc.format = "doc"
    return doc
