"""What the dashboard's 导入 page may read: uploads saved under safe names, and server folders only inside the
one root the operator allowed (settings.import_root), with symlinks and ``..`` resolved before the check.

No streamlit here: the page calls these, the tests call them directly.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

# what the readers take (they sniff the bytes; the extension only filters the upload dialog)
UPLOAD_TYPES = ("html", "htm", "txt", "md", "pdf", "docx", "doc", "png", "jpg", "jpeg", "tif", "tiff")


class Refused(ValueError):
    """A path the dashboard must not read. ``kind`` (off / empty / outside / not_dir) and ``args`` let the page
    say why in the user's language; str() is the English sentence."""

    def __init__(self, kind: str, message: str, **args: str):
        super().__init__(message)
        self.kind = kind
        self.args_ = args


def safe_name(client_name: str) -> str:
    """The client's file name reduced to a safe basename (never a path): letters, digits, CJK, . _ -"""
    base = PureWindowsPath(PurePosixPath(client_name or "").name).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\-]", "_", base).lstrip(".")[:120]
    stem, _, ext = base.rpartition(".")
    if not stem or ext.lower() not in UPLOAD_TYPES:
        base = (base or "upload")[:100] + ".bin"
    return base or "upload.bin"


def within(path: str | Path, root: Path) -> bool:
    """True when ``path``, with every symlink and .. resolved, is ``root`` or lies under it."""
    real = os.path.realpath(path)
    root_real = os.path.realpath(root)
    try:
        return os.path.commonpath([real, root_real]) == root_real
    except ValueError:  # different drives (not on Linux), or an empty path
        return False


def resolve_folder(text: str, root: Path | None) -> Path:
    """The folder a user typed, resolved inside ``root`` (relative paths are taken from the root).
    Refused when folder ingest is off (no root), when the folder lies outside the root (symlinks and ..
    resolved), or when it is not a folder."""
    if root is None:
        raise Refused(
            "off", "folder import is off on this server (the operator sets XXGK_IMPORT_ROOT to allow one folder)"
        )
    text = (text or "").strip()
    if not text or "\0" in text:
        raise Refused("empty", "no folder given")
    p = Path(text)
    if not p.is_absolute():
        p = root / p
    if not within(p, root):
        raise Refused("outside", f"{text}: outside the folder this server allows ({root})", path=text, root=str(root))
    real = Path(os.path.realpath(p))
    if not real.is_dir():
        raise Refused("not_dir", f"{text}: no such folder under {root}", path=text, root=str(root))
    return real


def files_within(paths: list[tuple[str, str | None]], root: Path) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Split walked (path, verdict) pairs into those inside ``root`` and the paths refused because a symlink
    leads outside it (a link inside the allowed folder must not open the rest of the server)."""
    ok, refused = [], []
    for p, verdict in paths:
        if within(p, root):
            ok.append((p, verdict))
        else:
            refused.append(p)
    return ok, refused
