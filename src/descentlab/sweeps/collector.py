"""Python's cyclic garbage collector paused while a sweep builds its rows.

A sweep's bookkeeping makes hundreds of thousands of small objects at once (a tuple per cell,
a dict per setting parsed back, the store's parameters), none of them in a cycle. Each such
burst sets off full collections that walk every object of the process (NumPy's, pandas', JAX's
modules): on the benchmark sweep's 50,000 cells, 60-90 ms per table built, more than building
it (measured with ``benchmarks/bench_sweep.py``). Reference counting still frees everything;
only the search for cycles waits until the block ends. The user's own code (a chunk's run) is
never inside such a block.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; the collector as it was after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
