"""Settings in one place: paths, the warehouse location, limits and thresholds.

Every command, page and module reads its configuration from here, never from ``os.environ`` directly,
so that one environment variable means the same thing everywhere (e.g. ``XXGK_DB`` for every command
and the dashboard). Values are read when asked for, so a test can set the environment per case.

| variable | default | meaning |
|---|---|---|
| ``XXGK_DB`` | ``data/xxgk.duckdb`` | the warehouse every command and the dashboard use |
| ``XXGK_AUTHOR`` | the login name | default author of hand corrections |
| ``XXGK_UPLOADS`` | ``<warehouse folder>/uploads`` | where the 导入 page stores uploaded files |
| ``XXGK_UPLOAD_MB`` | ``50`` | the 导入 page's per-file upload limit |
| ``XXGK_UPLOAD_COUNT`` | ``200`` | the 导入 page's limit on files per import |
| ``XXGK_UPLOAD_TOTAL_MB`` | ``500`` | the 导入 page's limit on the bytes of one import |
| ``XXGK_IMPORT_ROOT`` | unset | the one server folder (and its subfolders) the 导入 page may ingest from; unset: no folder ingest from the dashboard |
| ``XXGK_LIVE_S`` | ``3`` | how often (seconds) a dashboard page checks for a newly published warehouse |
| ``XXGK_ALIASES`` | ``data/aliases.yaml`` | the user's agency aliases (entities) |
| ``XXGK_WARN_OPEN_RATE_BELOW`` | unset | warning: a 公开率 below this share (e.g. ``0.4``) is highlighted |
| ``XXGK_WARN_CORRECTION_ABOVE`` | unset | warning: a 纠错率 above this share (e.g. ``0.2``) is highlighted |
| ``XXGK_ADCODES`` | the shipped table | a GB/T 2260 region-code CSV to use instead (entities) |
| ``XXGK_FETCH_CONTACT`` | none | an e-mail or URL appended to ``xxgk fetch``'s User-Agent |
| ``XXGK_DOC_CONVERTER`` | ``warm`` | ``warm``: one LibreOffice listener per process for .doc files; ``cold``: one soffice start a file |
| ``XXGK_CHROMIUM`` | ``/usr/bin/chromium`` | the headless Chromium (Debian's) that prints the briefing as PDF (and drives the browser tests and benchmark) |
| ``OPENBLAS_NUM_THREADS`` | ``1`` | set for xxgk's processes unless already set (``one_blas_thread``): xxgk makes no BLAS call |
| ``XXGK_NATIVE`` | ``1`` | ``0``: import the parser and readers from their sources even when a current compiled build exists (``pipelines/native.py``) |
| ``XXGK_UNO_PYTHON`` | ``python3``, ``/usr/bin/python3`` | the interpreter with LibreOffice's ``uno`` module (python3-uno) for the warm converter |

Limits on input (what one hostile or broken file may cost; the README lists them) are constants below:
every reader, `xxgk extract` and `xxgk ingest` take them from here.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data/xxgk.duckdb")

# Rates over fewer cases than this are marked 样本不足 and kept out of rankings (the sidebar can change it).
MIN_CASES = 30


def _share(name: str) -> float | None:
    try:
        v = float(os.environ.get(name) or "nan")
    except ValueError:
        return None
    return v if 0.0 <= v <= 1.0 else None


def warn_open_rate_below() -> float | None:
    """Optional warning threshold: a 公开率 below it is highlighted (rankings, briefing); None = off."""
    return _share("XXGK_WARN_OPEN_RATE_BELOW")


def warn_correction_above() -> float | None:
    """Optional warning threshold: a 纠错率 above it is highlighted (rankings, briefing); None = off."""
    return _share("XXGK_WARN_CORRECTION_ABOVE")


def db_path() -> Path:
    """The warehouse: ``XXGK_DB`` if set (and not empty), else data/xxgk.duckdb."""
    return Path(os.environ.get("XXGK_DB") or DEFAULT_DB)


def author_default() -> str | None:
    return os.environ.get("XXGK_AUTHOR") or None


def uploads_root() -> Path:
    return Path(os.environ.get("XXGK_UPLOADS") or (db_path().parent / "uploads"))


def upload_max_mb() -> int:
    try:
        return max(1, int(os.environ.get("XXGK_UPLOAD_MB") or 50))
    except ValueError:
        return 50


# --- limits on input -----------------------------------------------------------------------------
# Checked while a file is read, so that a file over a limit is refused before it is whole in memory;
# together they keep one extraction under ~0.5 GB and an ingest under 1 GB (bench/hostile.py).
MB = 1024 * 1024
MAX_FILE_BYTES = 200 * MB  # any input file: refused by its size, and reading stops there if it grows
MAX_TEXT_BYTES = 50 * MB  # text, HTML and Markdown files
MAX_BINARY_BYTES = 200 * MB  # PDF, Word and image files
MAX_PAGES = 200  # pages of a PDF
DOCX_MAX_DECOMPRESSED = 200 * MB  # uncompressed size of a DOCX's zip members, and of its document.xml as read
DOCX_MAX_RATIO = 200  # a zip member expanding more than this (and over 10 MB) is a zip bomb
DOCX_MAX_PART_BYTES = 32 * MB  # XML of one top-level paragraph or table of a DOCX (held in memory at once)
MAX_TABLE_CELLS = 200_000  # table cells of one HTML page or DOCX (a report has a few hundred)
MAX_HTML_TAGS = 1_000_000  # markup tags of one HTML page: bounds its parsed tree (a report page has ~5,000)
MAX_DOCUMENT_CHARS = 10_000_000  # text read out of one DOCX (a report has ~20,000 characters)
EXTRACT_TIMEOUT_S = 300.0  # one file's extraction time in `xxgk ingest`
INGEST_INFLIGHT_BYTES = 64 * MB  # input bytes being extracted at once by an ingest's workers (a larger file runs alone)


# Headless Chromium's flags, one list for the briefing's PDF, the browser tests and bench/browser.py: no
# sandbox (a container has no user namespaces), no GPU, and nothing that reaches the network on its own.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> Path:
    """The headless Chromium executable: ``XXGK_CHROMIUM`` if set, else Debian's /usr/bin/chromium."""
    return Path(os.environ.get("XXGK_CHROMIUM") or "/usr/bin/chromium")


def live_refresh_s() -> float:
    """Seconds between a page's checks for a newly published warehouse (it then reruns on the new data)."""
    try:
        return max(0.5, float(os.environ.get("XXGK_LIVE_S") or 3))
    except ValueError:
        return 3.0


def _int_env(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name) or default))
    except ValueError:
        return default


def table_rows() -> int:
    """Rows of a dashboard table on one page (a longer table is paged; its export has every row)."""
    return _int_env("XXGK_TABLE_ROWS", 200)


def upload_max_count() -> int:
    """Files per import on the 导入 page."""
    return _int_env("XXGK_UPLOAD_COUNT", 200)


def upload_total_mb() -> int:
    """Megabytes per import on the 导入 page (all files together)."""
    return _int_env("XXGK_UPLOAD_TOTAL_MB", 500)


def import_root() -> Path | None:
    """The server folder the 导入 page may ingest from (resolved: symlinks and .. followed), or None: the
    dashboard then offers uploads only, so no dashboard user can make the server read a path of their choosing."""
    raw = os.environ.get("XXGK_IMPORT_ROOT")
    if not raw:
        return None
    root = Path(os.path.realpath(os.path.expanduser(raw)))
    return root if root.is_dir() else None


def subprocess_env(**defaults: str) -> dict[str, str]:
    """The environment for a helper process (tesseract, soffice): this one's, with ``defaults`` for the
    variables it does not set (e.g. OMP_THREAD_LIMIT=1: one thread per OCR process, the pool runs several)."""
    return {**defaults, **os.environ}


def aliases_path() -> Path | None:
    """``XXGK_ALIASES``: the user's agency alias file, when set (else the entities module's default)."""
    v = os.environ.get("XXGK_ALIASES")
    return Path(v) if v else None


def one_blas_thread() -> None:
    """``OPENBLAS_NUM_THREADS`` defaults to 1 in xxgk's processes: numpy's OpenBLAS starts a thread a core when it is
    loaded (pyarrow loads it in every ingest), ~0.05–0.09 s CPU a process, and xxgk makes no BLAS call (no matrix
    product anywhere). A value the user set is kept. Called by ``import pipelines``, before numpy can be loaded."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def native_enabled() -> bool:
    """``XXGK_NATIVE``: ``0`` turns the compiled modules (pipelines.native) off."""
    return os.environ.get("XXGK_NATIVE", "1") != "0"


def adcodes_path() -> str | None:
    """``XXGK_ADCODES``: a region-code table to use instead of the shipped one, when set."""
    return os.environ.get("XXGK_ADCODES") or None


# --- limits and thresholds (one place; the modules that apply them import these) ----------------------------

INGEST_COMMIT_EVERY = 500  # files between two publishes of an ingest
INGEST_LOAD_BATCH = 256  # reports written to the warehouse together (one transaction; 64 cost ~5 % more CPU an ingest)
INGEST_LOAD_BATCH_CHARS = 8_000_000  # ... or fewer, when their texts are this long together (memory stays bounded)
WRITER_MEMORY = "256MB"  # DuckDB buffer pool of the warehouse writer; it spills to disk beyond this
CROSSYEAR_CHUNK = 500  # agencies per pass of the cross-year checks


# --- xxgk fetch: politeness defaults ------------------------------------------------------------
# One request at a time per host, at least FETCH_DELAY_S between the end of one request and the start
# of the next; `--delay` below FETCH_DELAY_FLOOR_S is refused unless `--no-delay-floor` is given (for a
# server you own, e.g. the test suite's fixture portals). robots.txt's Crawl-delay raises the delay.
FETCH_DELAY_S = 1.0
FETCH_DELAY_FLOOR_S = 1.0
FETCH_RETRIES = 3  # retries after the first try for network errors, 429 and 5xx
FETCH_BACKOFF_S = 2.0  # first backoff; doubles at each retry (a Retry-After up to FETCH_RETRY_AFTER_MAX_S wins)
FETCH_RETRY_AFTER_MAX_S = 120.0
FETCH_TIMEOUT_S = 30.0
FETCH_MAX_BYTES = MAX_FILE_BYTES  # a larger download is abandoned: ingest would refuse it
FETCH_MAX_PAGES = 500  # list pages per column, against a pager that never ends


def fetch_user_agent() -> str:
    """The User-Agent of `xxgk fetch`: names the project so a site's operator can see who is asking.

    ``XXGK_FETCH_CONTACT`` (an e-mail or URL) is appended when set, as polite crawlers do.
    """
    from pipelines import __version__

    contact = os.environ.get("XXGK_FETCH_CONTACT")
    extra = f"; +{contact}" if contact else ""
    return f"xxgk-fetch/{__version__} (xxgk government information-disclosure annual report collector{extra})"


def doc_converter() -> str:
    """'warm' (one LibreOffice listener per process) or 'cold' (one soffice start per .doc file)."""
    v = (os.environ.get("XXGK_DOC_CONVERTER") or "warm").strip().lower()
    return v if v in ("warm", "cold") else "warm"


def uno_python_candidates() -> list[str]:
    """Interpreters to try, in order, for one that has LibreOffice's ``uno`` module."""
    own = os.environ.get("XXGK_UNO_PYTHON")
    return [own] if own else ["python3", "/usr/bin/python3"]
