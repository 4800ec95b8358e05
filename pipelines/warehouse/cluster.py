"""Extraction on a Dask cluster: the executor `xxgk ingest --cluster ADDRESS` uses beside the local pool.

Extraction is a pure function of a file's bytes, so it runs where Dask puts it; everything else stays
in this process, as in a local ingest: the walk, hashing and the unchanged/duplicate decisions
(ingest.prepare), and every write through the one loader, in the order of the walk, with the same
publication and crash safety (db.open_writer). The result is the warehouse a local ingest makes.

- ADDRESS: ``tcp://host:8786`` (a running ``dask scheduler``), or ``local:N`` for a LocalCluster of N
  worker processes on this machine (one thread each; it ends with the ingest).
- A task is a chunk of files (Dask's per-task cost stays small beside the extraction); it returns
  the extracted Reports (ingest.extract_chunk). The bytes travel with the task, unless the workers
  share the folder (``--shared``): then a task carries paths, the worker reads the file and checks
  that it still has the sha256 the walk saw.
- A worker lost mid-run: Dask reruns its tasks on the others. A chunk that keeps killing workers
  (Dask's KilledWorker) is split and its files go again one by one, so only the file that kills its
  worker fails, with one line naming it.

Dask is an optional extra: ``pip install 'xxgk[cluster]'``.
"""

from __future__ import annotations

import uuid

from pipelines.warehouse.ingest import ExtractorLost, Limits, extract_chunk, run_executor

CHUNK = 8  # files a task
INFLIGHT_PER_THREAD = 4  # chunks in flight per worker thread: workers never wait for the client
WAIT_FOR_WORKERS_S = 60.0


class ClusterError(Exception):
    """The cluster cannot be used: Dask missing, a malformed address, a scheduler out of reach."""


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            "--cluster needs Dask's distributed package: pip install 'xxgk[cluster]' (or: pip install distributed)"
        ) from None
    return distributed


def connect(address: str):
    """(client, close) for a scheduler address or ``local:N``; ClusterError when that cannot be had."""
    distributed = _distributed()
    address = address.strip()
    if address.startswith("local:"):
        try:
            n = int(address[len("local:") :])
        except ValueError:
            raise ClusterError(f"--cluster {address}: expected local:N with N worker processes") from None
        if n < 1:
            raise ClusterError(f"--cluster {address}: N must be at least 1")
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
        client = distributed.Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()

        return client, close
    if "://" not in address:
        address = "tcp://" + address
    try:
        client = distributed.Client(address, timeout="20s")
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"--cluster {address}: cannot reach the Dask scheduler ({e})") from None
    return client, client.close


class DaskExecutor:
    """ingest's Executor on a Dask client (see the module docstring); the backend of ingest.run_executor."""

    chunk = CHUNK

    def __init__(self, client, limits: Limits, shared: bool = False):
        self.client, self.limits, self.send_paths = client, limits, shared
        try:
            self.client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
        except TimeoutError:
            raise ClusterError(
                f"no Dask worker joined the scheduler within {WAIT_FOR_WORKERS_S:.0f} s (start some: dask worker ADDRESS)"
            ) from None
        threads = sum(self.client.nthreads().values()) or 1
        self.capacity = CHUNK * INFLIGHT_PER_THREAD * threads
        self.prefix = f"xxgk-extract-{uuid.uuid4().hex[:12]}"  # task keys of their own on a shared scheduler
        self.n = 0

    def run(self, items, prepare, finish) -> None:
        run_executor(items, self, self.limits, prepare, finish)

    def submit(self, jobs: list):
        self.n += 1
        # pure=False: a chunk is rerun when submitted again (after a split), never served from a cache
        return self.client.submit(
            extract_chunk, jobs, self.limits.timeout_s, self.limits.max_bytes, pure=False, key=f"{self.prefix}-{self.n}"
        )

    def result(self, fut) -> list[tuple]:
        from distributed import KilledWorker

        try:
            return fut.result()
        except KilledWorker as e:
            raise ExtractorLost(f"extraction killed its Dask worker every time it ran ({e})") from None
        finally:
            fut.release()

    def lost(self) -> bool:
        return False  # Dask keeps the other tasks going

    def close(self) -> None:
        pass  # the client belongs to the caller
