"""The playground's work in worker processes, each request under a hard time limit.

A run or a surface is computed in one of a pool of worker processes (pebble's ``ProcessPool``,
started with ``spawn``); a task that is still busy when the limit is reached is killed with its
process, whatever it was doing: parsing an expression, compiling a JAX program, evaluating a
surface or running 6 x 5000 iterations. The pool starts another worker in its place. The web
server's own process only routes requests and serves the page, so it stays responsive while
the workers compute, and the workers use every core.

On the JAX engine the workers share a compilation cache on disk, so a program compiled by a
worker that was killed later is not compiled again by the next.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import tempfile
from collections.abc import Callable
from typing import Any

#: Seconds a request's work may take in a worker (the queue before it is not counted).
TIME_LIMIT = 5.0


class Workers:
    """A lazily started pool of ``processes`` workers that run playground requests."""

    def __init__(self, engine: str = "numpy", processes: int | None = None,
                 time_limit: float = TIME_LIMIT) -> None:  # fmt: skip
        self.engine = engine
        self.processes = processes or max(1, min(4, os.cpu_count() or 1))
        self.time_limit = time_limit
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
        """``function(*args)`` in a worker; past the time limit, a BadRequest naming ``field``."""
        from descentlab.playground.api import BadRequest

        future = self._started().schedule(function, args=args, timeout=self.time_limit)
        try:
            return await asyncio.wrap_future(future)
        except concurrent.futures.TimeoutError:
            raise BadRequest(field, f"the work took longer than the {self.time_limit:g} s "
                             "allowed: ask for less (fewer iterations or optimizers, a "
                             "smaller grid)") from None  # fmt: skip
        except asyncio.CancelledError:
            future.cancel()  # the client went away: stop the worker's task too
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join(timeout=10)
            self._pool = None
        if self._cache is not None:
            self._cache.cleanup()
            self._cache = None


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
