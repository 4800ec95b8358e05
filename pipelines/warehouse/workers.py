"""The local extraction pool: worker processes that never outlive the process that started them.

A pool worker blocks on its task queue; when the ingest that owns it is killed (SIGKILL, the
out-of-memory killer) nothing tells it, so it used to live on as an orphan holding the warehouse
lock and memory. Now every worker

- asks the kernel to kill it when its parent dies (Linux prctl(PR_SET_PDEATHSIG), via ctypes), and
- where that is not available, watches its parent from a thread and exits when it is gone;

and it holds no lock: pipelines.warehouse.db closes a forked child's copy of the writer lock at
once. This is the one place a local pool is made (a cluster executor sits beside it).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a pool is made: a serial ingest needs neither it nor multiprocessing (~15 ms)
    from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_S = 1.0


def _set_pdeathsig(sig: int) -> bool:
    """prctl(PR_SET_PDEATHSIG, sig) on Linux; False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes.util  # here, not at import: it brings subprocess and shutil

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while True:
        threading.Event().wait(PARENT_POLL_S)
        if os.getppid() != parent_pid:
            os._exit(1)


def die_with_parent(parent_pid: int) -> None:
    """Make this process exit when parent_pid (its parent) dies. Pool initializer."""
    kernel = _set_pdeathsig(signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the kernel was asked to watch it
        os._exit(1)
    if not kernel:
        threading.Thread(target=_watch_parent, args=(parent_pid,), name="xxgk-parent-watch", daemon=True).start()
    gc.set_threshold(max(gc.get_threshold()[0], BATCH_GC_GEN0), *gc.get_threshold()[1:])  # see batch_gc


# Extraction allocates millions of short-lived objects (tokens, cells, check instances) and frees them by
# reference counting; at CPython's default first-generation threshold (700) the cyclic collector runs ~1,500
# times an ingest of 1,500 reports, each pass also walking the objects that just survived, for ~2 % of its
# CPU. 10,000 lets it run ~100 times at the same peak memory (bench/scale.py, README "fifth pass").
BATCH_GC_GEN0 = 10_000


@contextmanager
def batch_gc() -> Iterator[None]:
    """The cyclic collector's first threshold raised to BATCH_GC_GEN0 for a batch run, restored after."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], BATCH_GC_GEN0), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


_TRIM_AFTER_BYTES = 4 * 1024 * 1024


def release_memory(input_bytes: int) -> None:
    """After a big file, hand the heap it grew back to the system (glibc malloc_trim): an idle worker
    would otherwise keep the peak of its largest file for the rest of the run, beside the busy one."""
    if input_bytes < _TRIM_AFTER_BYTES or not sys.platform.startswith("linux"):
        return
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _context():
    import multiprocessing

    # fork: workers start at once with the parent's modules; they inherit no lock (see module doc).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool of `workers` extraction processes that exit when this process dies."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=die_with_parent, initargs=(os.getpid(),)
    )
