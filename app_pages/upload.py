"""导入 Import: upload report files (size-limited) or name a folder on the server, then ingest them with a
progress bar through the warehouse's ingest function; show what was loaded and what failed, with reasons."""

import os
import re
import unicodedata
import uuid
from pathlib import Path, PurePosixPath, PureWindowsPath

import polars as pl
import streamlit as st

from app_pages._common import db_path, t

MAX_MB = int(os.environ.get("XXGK_UPLOAD_MB", "50"))
EXTS = ["html", "htm", "txt", "md", "pdf", "docx", "doc"]
BATCHES = 20

st.title(t("page_import"))


def safe_name(client_name: str) -> str:
    """The client's file name reduced to a safe basename (never a path): letters, digits, CJK, . _ -"""
    base = PureWindowsPath(PurePosixPath(client_name or "").name).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\-]", "_", base).lstrip(".")[:120]
    stem, _, ext = base.rpartition(".")
    if not stem or ext.lower() not in EXTS:
        base = (base or "upload")[:100] + ".bin"
    return base or "upload.bin"


def uploads_root() -> Path:
    return Path(os.environ.get("XXGK_UPLOADS", str(db_path().parent / "uploads")))


def run_ingest(paths: list[str], dataset: str) -> None:
    try:
        from pipelines.warehouse.ingest import ingest, walk
    except ImportError as e:
        st.error(t("import_unavailable", e=e))
        return
    files = [p for p, err in walk(paths)]
    if not files:
        st.warning(t("import_none"))
        return
    bar = st.progress(0.0, text=t("importing", i=0, n=len(files)))
    loaded, unchanged, replaced, failed = [], [], [], []
    size = max(1, -(-len(files) // BATCHES))  # ceil: at most BATCHES swaps of the warehouse file
    for i in range(0, len(files), size):
        chunk = files[i : i + size]
        try:
            r = ingest(chunk, db_path(), dataset=dataset, workers=1, progress=False)
        except Exception as e:  # noqa: BLE001 - the whole chunk failed: say why, per file
            failed += [(p, f"{type(e).__name__}: {e}") for p in chunk]
        else:
            loaded += r.loaded
            unchanged += r.unchanged
            replaced += r.replaced
            failed += list(r.failed)
        done = min(i + size, len(files))
        bar.progress(done / len(files), text=t("importing", i=done, n=len(files)))
    st.success(
        t("import_done", loaded=len(loaded), unchanged=len(unchanged), replaced=len(replaced), failed=len(failed))
    )
    if loaded:
        st.dataframe(pl.DataFrame({"loaded": [str(p) for p in loaded]}), hide_index=True, width="stretch")
    if failed:
        st.subheader(t("import_failed"))
        st.dataframe(
            pl.DataFrame({"path": [str(p) for p, _ in failed], "error": [str(e) for _, e in failed]}),
            hide_index=True,
            width="stretch",
        )


dataset = st.text_input(t("import_dataset"), value="user", key="imp_ds", max_chars=40)
dataset = re.sub(r"[^\w\-]", "_", dataset.strip()) or "user"
if dataset == "demo":
    dataset = "user"  # 'demo' is reserved for the synthetic corpus

files = st.file_uploader(
    t("upload"),
    type=EXTS,
    accept_multiple_files=True,
    max_upload_size=MAX_MB,
    help=t("upload_help", mb=MAX_MB),
    key="imp_files",
)
folder = st.text_input(t("server_folder"), key="imp_folder")

if st.button(t("import_go"), type="primary", key="imp_go"):
    paths: list[str] = []
    if files:
        dest = uploads_root() / uuid.uuid4().hex
        dest.mkdir(parents=True, exist_ok=True)
        used: set[str] = set()
        for uf in files:
            if uf.size > MAX_MB * 1024 * 1024:
                st.warning(t("import_toobig", name=uf.name, mb=MAX_MB))
                continue
            name = safe_name(uf.name)
            while name in used:
                name = "_" + name
            used.add(name)
            target = dest / name
            target.write_bytes(uf.getbuffer())
            paths.append(str(target))
    if folder.strip():
        p = Path(folder.strip()).expanduser()
        if p.is_dir():
            paths.append(str(p.resolve()))
        else:
            st.error(t("import_bad_folder", p=str(p)))
    if paths:
        run_ingest(paths, dataset)
    else:
        st.warning(t("import_none"))
