"""The per-file time limit holds in any thread: SIGALRM in the main thread, a timer elsewhere (a Dask
worker runs tasks in a thread of its own, the 导入 page runs ingest in one)."""

from __future__ import annotations

import threading
import time

from pipelines.warehouse import ingest as ing

SAMPLE_TXT = "data/samples/xigong-commerce-2020.txt"


def _slow_extract(data, source, sha256=None):
    t_end = time.monotonic() + 30
    while time.monotonic() < t_end:  # Python instructions: where the limit can interrupt
        pass
    raise AssertionError("not interrupted")


def _in_thread(fn):
    box = []
    t = threading.Thread(target=lambda: box.append(fn()))
    t.start()
    t.join(60)
    return box[0]


def test_time_limit_in_a_worker_thread(monkeypatch):
    monkeypatch.setattr("pipelines.extract.extract_bytes", _slow_extract)
    t0 = time.monotonic()
    got = _in_thread(lambda: ing.extract_job(b"x", "slow.txt", 0.5))
    assert got == ("err", "slow.txt: extraction took longer than 0.5 s; skipped")
    assert time.monotonic() - t0 < 10


def test_time_limit_in_the_main_thread(monkeypatch):
    monkeypatch.setattr("pipelines.extract.extract_bytes", _slow_extract)
    assert ing.extract_job(b"x", "slow.txt", 0.5) == ("err", "slow.txt: extraction took longer than 0.5 s; skipped")


def test_a_file_within_the_limit_is_not_interrupted_later():
    data = open(SAMPLE_TXT, "rb").read()
    ing.extract_job(data, "warm-up.txt", None)  # imports done

    def two_files():  # in one thread: the first file's timer must not fire into the second, or after
        first = ing.extract_job(data, "a.txt", 2)
        time.sleep(2.5)
        return first, ing.extract_job(data, "b.txt", 30)

    (s1, r1), (s2, r2) = _in_thread(two_files)
    assert (s1, s2, r1.year, r2.source) == ("ok", "ok", 2020, "b.txt")
