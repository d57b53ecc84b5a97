"""Chunks of a sweep on Dask workers: a local cluster on the loopback, or one you started.

Each chunk is one task whose result (a few arrays per cell) streams back as it finishes; Dask
reruns the task of a worker that dies. Only this module imports Dask.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from descentlab.sweeps.cells import Chunk, ChunkResult, run_chunk

NEEDS_DASK = "Dask is needed for workers and schedulers: pip install 'descentlab[distributed]'"


@contextlib.contextmanager
def cluster(client: object = None, workers: int | None = None) -> Iterator[object]:
    """The client to use: ``client`` as given, a local cluster of ``workers`` processes on
    127.0.0.1 that stops when the block ends, or None (run here)."""
    if client is not None and workers is not None:
        raise ValueError("give either client (an existing cluster) or workers, not both")
    if workers is None:
        yield client
        return
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, not {workers!r}")
    distributed = _dask()
    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=40,
    ) as local, distributed.Client(local) as local_client:  # fmt: skip
        yield local_client


def connect(address: str, timeout: float = 5.0):
    """A client of the scheduler at ``address`` (``tcp://HOST:PORT``), or a clear error."""
    distributed = _dask()
    try:
        return distributed.Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise ValueError(f"scheduler {address!r} cannot be reached ({error})") from None


def run_on(client, chunks: list[Chunk]) -> Iterator[tuple[int, ChunkResult]]:
    """``(index, result)`` of every chunk, in the order they finish."""
    distributed = _dask()
    futures = {client.submit(run_chunk, chunk, pure=False): k for k, chunk in enumerate(chunks)}
    for future in distributed.as_completed(futures):
        yield futures[future], future.result()


def worker_count(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def _dask():
    try:
        import distributed
    except ImportError:
        raise ImportError(NEEDS_DASK) from None
    return distributed
