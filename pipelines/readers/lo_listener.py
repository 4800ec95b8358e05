"""A warm LibreOffice converter: one soffice listener, many conversions (run by a Python that has `uno`).

Not imported by xxgk: pipelines/readers/doc.py runs this file with the interpreter that has
LibreOffice's `uno` module (Debian's python3 with python3-uno; xxgk's own venv usually has none), and
talks to it over stdin/stdout, one JSON object a line:

    → {"in": "/tmp/…/input.doc", "out": "/tmp/…/input.docx", "filter": "MS Word 2007 XML"}
    ← {"ok": true}   or   {"ok": false, "error": "…"}

It starts soffice headless with a pipe acceptor and its own profile, connects once, and converts
each request with loadComponentFromURL/storeToURL, so a file costs a load and a save instead of a
LibreOffice start (~1.5 s). It prints {"ready": true} once connected. On stdin's end it terminates
soffice and exits; the parent kills its whole process group when a conversion hangs.
"""

import contextlib
import json
import os
import subprocess
import sys
import time


def _connect(name: str, proc: subprocess.Popen, timeout: float):
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:pipe,name={name};urp;StarOffice.ComponentContext"
    t_end = time.monotonic() + timeout
    while True:
        try:
            ctx = resolver.resolve(url)
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"soffice exited with status {proc.returncode} before accepting connections"
                ) from None
            if time.monotonic() > t_end:
                raise RuntimeError(f"soffice did not accept connections within {timeout:.0f} s") from None
            time.sleep(0.1)


def _props(**kw):
    from com.sun.star.beans import PropertyValue

    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def _convert(desktop, src: str, dst: str, filt: str) -> None:
    import uno

    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(src), "_blank", 0, _props(Hidden=True, ReadOnly=True, UpdateDocMode=0)
    )
    if doc is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        doc.storeToURL(uno.systemPathToFileUrl(dst), _props(FilterName=filt, Overwrite=True))
    finally:
        doc.close(True)


def main() -> int:
    soffice, profile, name = sys.argv[1], sys.argv[2], sys.argv[3]
    proc = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={name};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    out = sys.stdout
    desktop = None
    try:
        desktop = _connect(name, proc, float(os.environ.get("XXGK_LO_START_TIMEOUT", "60")))
        out.write(json.dumps({"ready": True}) + "\n")
        out.flush()
        for line in sys.stdin:
            req = json.loads(line)
            try:
                _convert(desktop, req["in"], req["out"], req["filter"])
                reply: dict[str, object] = {"ok": True}
            except Exception as e:
                why = str(e) if isinstance(e, RuntimeError) else f"{type(e).__name__}: {e}".strip()
                reply = {"ok": False, "error": why}
                if proc.poll() is not None:
                    reply["error"] = f"{why} (soffice exited with status {proc.returncode})"
                    out.write(json.dumps(reply, ensure_ascii=False) + "\n")
                    out.flush()
                    return 1
            out.write(json.dumps(reply, ensure_ascii=False) + "\n")
            out.flush()
        return 0
    except Exception as e:
        out.write(json.dumps({"ready": False, "error": f"{type(e).__name__}: {e}"}, ensure_ascii=False) + "\n")
        out.flush()
        return 1
    finally:
        if desktop is not None:
            with contextlib.suppress(Exception):  # soffice already gone
                desktop.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
