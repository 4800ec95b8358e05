"""DOC (Word 97-2003) → Document: LibreOffice converts to DOCX, the DOCX reader reads it."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

from pipelines.document import Document, ReadError
from pipelines.readers import docx

TIMEOUT = 120.0

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


def convert(data: bytes, source: str, to: str = "docx", suffix: str = ".doc", timeout: float = TIMEOUT) -> bytes:
    """Convert a document with LibreOffice headless; returns the converted bytes."""
    exe = soffice()
    if exe is None:
        raise ReadError(source, f"cannot read {suffix}: LibreOffice (soffice) is not installed")
    with _lock, tempfile.TemporaryDirectory(prefix="xxgk-conv-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out_dir = Path(tmp) / "out"
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
            raise ReadError(source, f"LibreOffice conversion timed out after {timeout:.0f} s") from None
        outs = list(out_dir.glob(f"input.{to.split(':')[0]}")) if out_dir.exists() else []
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
