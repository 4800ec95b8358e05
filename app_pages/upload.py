"""导入 Import: upload report files (count and size limits) or, when the operator allowed one server folder
(XXGK_IMPORT_ROOT), a folder inside it; ingest them through the warehouse's ingest with each file's live
status; end with the summary. The new reports are on every page as soon as the ingest publishes them."""

from __future__ import annotations

import itertools
import re
import time
import uuid

import polars as pl
import streamlit as st

from app_pages import _htmltable
from app_pages._common import db_path, lang, report_link, t
from app_pages._common import table as table_
from pipelines import i18n, imports, settings

ss = st.session_state
MAX_MB, MAX_N, TOTAL_MB = settings.upload_max_mb(), settings.upload_max_count(), settings.upload_total_mb()
ROOT = settings.import_root()
STATUS = {  # ingest's live states and outcomes → the label shown
    "queued": "imp_queued",
    "extracting": "imp_extracting",
    "extracted": "imp_extracted",
    "loaded": "imp_loaded",
    "replaced": "imp_replaced",
    "reextracted": "imp_reextracted",
    "unchanged": "imp_unchanged",
    "failed": "imp_failed",
    "skipped": "imp_skipped",
    "refused": "imp_refused",
}
DONE = {"loaded", "replaced", "reextracted", "unchanged", "failed", "skipped", "refused"}
SKIP_REASONS = {  # ingest's reasons (pipelines.warehouse.ingest.companion_reason) → the label shown
    "hidden file": "skip_hidden",
    "hand-checked truth": "skip_truth",
    "JSON data": "skip_json",
    "a note": "skip_note",
}

st.title(t("page_import"))


def _table(rows: dict[str, dict]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            t("imp_file"): [r["name"] for r in rows.values()],
            # a status and the page's own reasons are cells of their own: capitalised in English (i18n.cell); a
            # failure's detail starts with the file's name, printed as it is
            t("status"): [i18n.cell(t(STATUS[r["status"]]), lang()) for r in rows.values()],
            t("imp_detail"): [
                i18n.failure_label(r.get("detail"), lang())
                if r["status"] == "failed"
                else i18n.cell(r.get("detail") or "", lang())
                for r in rows.values()
            ],
            "link": [
                report_link(r["sha"]) if r["status"] in ("loaded", "replaced", "reextracted", "unchanged") else ""
                for r in rows.values()
            ],
        },
        schema={t("imp_file"): pl.Utf8, t("status"): pl.Utf8, t("imp_detail"): pl.Utf8, "link": pl.Utf8},
    )


_redraws = itertools.count()


def _show(rows: dict[str, dict], where) -> None:
    """The files' live status (no links yet: a report opens once the import is published), drawn as every table
    is (app_pages._htmltable). Each redraw replaces the last in ``where``, under a key of its own: a key is
    used once a run."""
    shown = _table(rows).drop("link")
    with where.container():
        data = _htmltable.payload(shown)
        _htmltable.draw(data, f"imp_live_{next(_redraws)}")


def _counts(rows: dict[str, dict]) -> dict[str, int]:
    out = dict.fromkeys(STATUS, 0)
    for r in rows.values():
        out[r["status"]] += 1
    return out


def _summary(rows: dict[str, dict]) -> str:
    c = _counts(rows)
    return t(
        "import_done",
        loaded=c["loaded"],
        unchanged=c["unchanged"],
        replaced=c["replaced"] + c["reextracted"],  # a new reading replaces the earlier one too
        failed=c["failed"] + c["refused"],
        skipped=c["skipped"],
    )


def run_ingest(rows: dict[str, dict], dataset: str) -> None:
    """Ingest the queued files of ``rows`` (path → row), updating each row's status as the ingest reports it."""
    from pipelines.warehouse.ingest import ingest

    todo = [r.get("file", p) for p, r in rows.items() if r["status"] == "queued"]
    bar = st.progress(0.0, text=t("importing", i=0, n=len(rows)))
    live = st.empty()
    last = [0.0]

    def redraw(force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - last[0] < 0.3:
            return
        last[0] = now
        done = sum(r["status"] in DONE for r in rows.values())
        bar.progress(done / max(1, len(rows)), text=t("importing", i=done, n=len(rows)))
        _show(rows, live)

    def on_file(path: str, status: str, detail: str | None, sha: str | None) -> None:
        r = rows.get(path)
        if r is None:  # a file found inside a folder
            r = rows[path] = {"name": path, "status": "queued"}
        if status == "skipped" and detail:
            detail = next((t(k) for prefix, k in SKIP_REASONS.items() if detail.startswith(prefix)), detail)
        r["status"], r["detail"] = status, detail
        if sha:
            r["sha"] = sha
        redraw()

    redraw(force=True)
    if todo:
        try:
            ingest(
                todo,
                db_path(),
                dataset=dataset,
                workers=1,
                progress=False,
                commit_every=max(10, len(todo) // 10),  # new reports show up while a long import runs
                args={"source": "dashboard import", "files": len(todo), "dataset": dataset},
                on_file=on_file,
            )
        except Exception as e:
            for r in rows.values():
                if r["status"] not in DONE:
                    r["status"], r["detail"] = "failed", f"{type(e).__name__}: {e}"
    redraw(force=True)
    live.empty()
    bar.empty()


def queue_uploads(files, rows: dict[str, dict]) -> bool:
    """Save the uploads under safe names in a fresh folder; False (with a message) when over the limits."""
    if len(files) > MAX_N:
        st.error(t("import_too_many", n=len(files), max=MAX_N))
        return False
    total = sum(f.size for f in files)
    if total > TOTAL_MB * 1024 * 1024:
        st.error(t("import_too_large", mb=f"{total / 1024 / 1024:,.1f}", max=TOTAL_MB))
        return False
    dest = settings.uploads_root() / uuid.uuid4().hex
    dest.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for uf in files:
        name = imports.safe_name(uf.name)
        while name in used:
            name = "_" + name
        used.add(name)
        target = dest / name
        if uf.size > MAX_MB * 1024 * 1024:
            rows[str(target)] = {"name": uf.name, "status": "refused", "detail": t("import_toobig", mb=MAX_MB)}
            continue
        target.write_bytes(uf.getbuffer())
        rows[str(target)] = {"name": uf.name, "status": "queued"}
    return True


def queue_folder(text: str, rows: dict[str, dict]) -> bool:
    """The files of a folder inside the allowed root (symlinks leading outside it refused, one line each)."""
    from pipelines.document import shown_path
    from pipelines.warehouse.ingest import walk

    try:
        folder = imports.resolve_folder(text, ROOT)
    except imports.Refused as e:
        st.error(t("import_refused", why=t(f"refused_{e.kind}", **e.args_)))
        return False
    assert ROOT is not None  # folder ingest is offered only under XXGK_IMPORT_ROOT
    found, outside = imports.files_within(list(walk([folder])), ROOT)
    for p, _ in found:  # keyed as ingest reports a path (shown_path: a non-UTF-8 name as \xNN); read by its own
        rows[shown_path(p)] = {"name": shown_path(p), "status": "queued", "file": p}
    for p in outside:
        rows[shown_path(p)] = {"name": shown_path(p), "status": "refused", "detail": t("import_outside_root")}
    return True


# the dataset: its key only where the user types it (and in the command-line hint); named by its label elsewhere
DEFAULT_DS = "user"  # what `xxgk ingest` uses too
typed = st.text_input(
    t("import_dataset"),
    key="imp_ds",
    max_chars=40,
    placeholder=i18n.dataset_label(DEFAULT_DS, lang()),
    help=t("import_dataset_help", default=i18n.dataset_label(DEFAULT_DS, lang())),
)
dataset = re.sub(r"[^\w\-]", "_", typed.strip()) or DEFAULT_DS
if dataset == "demo":
    dataset = DEFAULT_DS  # 'demo' is reserved for the synthetic corpus
st.caption(t("import_into", label=i18n.dataset_label(dataset, lang()), ds=dataset))

files = st.file_uploader(
    t("upload"),
    type=list(imports.UPLOAD_TYPES),
    accept_multiple_files=True,
    max_upload_size=MAX_MB,
    key="imp_files",
)
st.caption(t("upload_help", mb=MAX_MB, n=MAX_N, total=TOTAL_MB))
if ROOT is not None:
    folder = st.text_input(t("server_folder"), key="imp_folder")
    st.caption(t("server_folder_help", root=str(ROOT)))
else:
    folder = ""
    st.caption(t("folder_off"))

if st.button(t("import_go"), type="primary", key="imp_go"):
    rows: dict[str, dict] = {}
    ok = True
    if files:
        ok = queue_uploads(files, rows)
    if ok and folder.strip():
        ok = queue_folder(folder, rows)
    if ok and not rows:
        st.warning(t("import_none"))
    elif ok:
        run_ingest(rows, dataset)
        ss["_import_last"] = {"rows": rows, "dataset": dataset, "at": time.strftime("%Y-%m-%d %H:%M:%S")}

last = ss.get("_import_last")
if last:  # kept in the session: the page reruns when the new warehouse is published
    rows = last["rows"]
    c = _counts(rows)
    (st.warning if c["failed"] or c["refused"] else st.success)(
        _summary(rows)
        + f" · {t('dataset')}{'：' if lang() != 'en' else ': '}{i18n.dataset_label(last['dataset'], lang())}"
    )
    table_(_table(rows), "imp_rows", link="link")  # published now: each loaded report opens (打开 / ↗)
