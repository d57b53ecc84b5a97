"""The playground's work in worker processes, each request under a limit of CPU time.

A run or a surface is computed in one of a pool of worker processes (pebble's ``ProcessPool``,
started with ``spawn``). The limit is on the CPU time the work takes, not on the wall clock: a
request must not be refused because the machine is busy with something else (a loaded two-core
machine had turned a 200-iteration request into a refusal). A watchdog thread in the worker
reads the process's CPU time and kills the process when the task passes its limit, whatever it
was doing: parsing an expression, compiling a JAX program, evaluating a surface or running
6 x 5000 iterations. A wall-clock limit several times longer stays behind it, for work that
waits instead of computing. The pool starts another worker in place of a killed one. The web
server's own process only routes requests and serves the page.

On the JAX engine a request may also spend :data:`COMPILE_ALLOWANCE` seconds compiling its
programs (the first time a shape of request is seen: compilation is bounded by the request's
size, which the schema caps, and is not the work the limit is about); the workers share a
compilation cache on disk, so a program compiled by a worker that was killed later is not
compiled again by the next.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import signal
import tempfile
import threading
from collections.abc import Callable
from typing import Any

#: CPU seconds a request's work may take in a worker (the queue before it is not counted).
TIME_LIMIT = 5.0
#: CPU seconds a request on the JAX engine may spend compiling, beside its work.
COMPILE_ALLOWANCE = {"numpy": 0.0, "jax": 30.0}
#: The wall-clock backstop, as a multiple of the CPU limit.
WALL_FACTOR = 6.0


class Workers:
    """A lazily started pool of ``processes`` workers that run playground requests."""

    def __init__(self, engine: str = "numpy", processes: int | None = None,
                 time_limit: float = TIME_LIMIT) -> None:  # fmt: skip
        self.engine = engine
        self.processes = processes or max(1, min(4, os.cpu_count() or 1))
        self.time_limit = time_limit
        self.cpu_limit = time_limit + COMPILE_ALLOWANCE.get(engine, 0.0)
        self._pool = None
        self._cache = None

    def _started(self):
        if self._pool is None:
            import pebble

            if self.engine == "jax":
                self._cache = tempfile.TemporaryDirectory(prefix="descentlab-jax-")
            self._pool = pebble.ProcessPool(
                max_workers=self.processes, initializer=_prepare_worker,
                initargs=(self.engine, None if self._cache is None else self._cache.name),
                context=multiprocessing.get_context("spawn"),
            )  # fmt: skip
        return self._pool

    async def call(self, function: Callable[..., Any], *args: Any, field: str) -> Any:
        """``function(*args)`` in a worker; past the limit, a BadRequest naming ``field``."""
        from pebble import ProcessExpired

        from descentlab.playground.api import BadRequest

        future = self._started().schedule(_within, args=(self.cpu_limit, function, *args),
                                          timeout=self.cpu_limit * WALL_FACTOR)  # fmt: skip
        try:
            return await asyncio.wrap_future(future)
        except (concurrent.futures.TimeoutError, ProcessExpired):
            raise BadRequest(field, f"the work took longer than the {self._allowed()} allowed: "
                             "ask for less (fewer iterations or optimizers, a smaller "
                             "grid)") from None  # fmt: skip
        except asyncio.CancelledError:
            future.cancel()  # the client went away: stop the worker's task too
            raise

    def _allowed(self) -> str:
        compile_seconds = self.cpu_limit - self.time_limit
        more = f", and {compile_seconds:g} s to compile" if compile_seconds else ""
        return f"{self.time_limit:g} s of CPU time{more}"

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join(timeout=10)
            self._pool = None
        if self._cache is not None:
            self._cache.cleanup()
            self._cache = None


def _within(cpu_seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, the worker killed if its process spends ``cpu_seconds`` of CPU time
    on it (every thread's, as XLA's compile and run use several)."""
    done = threading.Event()
    began = _cpu_time()

    def watch() -> None:
        while not done.wait(0.02):
            if _cpu_time() - began > cpu_seconds:
                os.kill(os.getpid(), signal.SIGKILL)  # pebble reports the worker as expired

    watchdog = threading.Thread(target=watch, daemon=True)
    watchdog.start()
    try:
        return function(*args)
    finally:
        done.set()
        watchdog.join()


def _cpu_time() -> float:
    times = os.times()
    return times.user + times.system


def _prepare_worker(engine: str, cache: str | None) -> None:
    """Import what a request needs once per worker, so the first request is not slower."""
    from descentlab.playground import api

    api.functions()
    api.optimizers()
    if engine == "jax":
        from descentlab import engines

        engines.load_jax_engine()
        import jax

        jax.config.update("jax_compilation_cache_dir", cache)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


__all__ = ["COMPILE_ALLOWANCE", "TIME_LIMIT", "WALL_FACTOR", "Workers"]
