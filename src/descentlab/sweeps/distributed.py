"""Chunks of a sweep on Dask workers: a local cluster on the loopback, or one you started.

Each chunk is one task whose result (a few arrays per cell) streams back as it finishes; Dask
reruns the task of a worker that dies. Only this module imports Dask.
"""

from __future__ import annotations

import contextlib
import socket
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
        dashboard_address="127.0.0.1:0", silence_logs=40,  # any free port: runs side by side
    ) as local, distributed.Client(local) as local_client:  # fmt: skip
        yield local_client


#: Seconds a scheduler has to answer the first connection.
SCHEDULER_TIMEOUT = 5.0


def connect(address: str, timeout: float | None = None):
    """A client of the scheduler at ``address`` (``tcp://HOST:PORT``), or a clear error.

    The address is probed first (:func:`probe_scheduler`), so that a service that is not a
    Dask scheduler is named within ``timeout`` seconds instead of hanging the handshake."""
    timeout = SCHEDULER_TIMEOUT if timeout is None else timeout
    probe_scheduler(address, timeout)
    distributed = _dask()
    try:
        return distributed.Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise ValueError(f"scheduler {address!r} cannot be reached ({error})") from None


#: A Dask scheduler greets a new connection with a short message (its compression, Python
#: version and pickle protocol); a greeting longer than this is not one.
_GREETING_LIMIT = 65_536


def probe_scheduler(address: str, timeout: float = 5.0) -> None:
    """Check that ``address`` answers as a Dask scheduler does: on connecting, it sends a
    length-prefixed greeting naming its pickle protocol. Anything else, or silence for
    ``timeout`` seconds, is a ValueError that says what answered."""
    host, port = _host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.settimeout(timeout)
            header = _read(connection, 8)
            size = int.from_bytes(header, "little") if len(header) == 8 else -1
            if not 0 < size <= _GREETING_LIMIT:
                raise ValueError(f"scheduler {address!r}: the service there is not a Dask "
                                 f"scheduler (it answered {header[:40]!r})")  # fmt: skip
            greeting = _read(connection, size)
    except TimeoutError:
        silent = f"said nothing for {timeout:g} s, and a Dask scheduler greets at once"
        raise ValueError(f"scheduler {address!r}: the service there {silent}") from None
    except OSError as error:
        raise ValueError(f"scheduler {address!r} cannot be reached "
                         f"({error.strerror or error})") from None  # fmt: skip
    if b"pickle-protocol" not in greeting:
        raise ValueError(f"scheduler {address!r}: the service there is not a Dask scheduler "
                         f"(it answered {(header + greeting)[:40]!r})")  # fmt: skip


def _host_port(address: str) -> tuple[str, int]:
    rest = address.removeprefix("tcp://")
    host, colon, port = rest.rpartition(":")
    if (
        address.count("://") > (1 if address.startswith("tcp://") else 0)
        or not colon
        or not (port.isdigit() and 0 < int(port) < 65536)
    ):
        raise ValueError(f"scheduler must be tcp://HOST:PORT, not {address!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _read(connection: socket.socket, size: int) -> bytes:
    """Up to ``size`` bytes, fewer only if the other side closes."""
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def run_on(client, chunks: list[Chunk], function=run_chunk) -> Iterator[tuple[int, ChunkResult]]:
    """``(index, function(chunk))`` of every chunk, in the order they finish."""
    distributed = _dask()
    futures = {client.submit(function, chunk, pure=False): k for k, chunk in enumerate(chunks)}
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
