"""Let a run on big arrays reuse the memory its last step freed, instead of asking the system.

The optimizers' steps are pure: every step makes new arrays and drops the old ones. NumPy takes
their memory from ``malloc``, and glibc serves a block above its mmap threshold (at most
32 MiB) with fresh pages from the kernel and returns it on free. Fresh pages are zeroed and
faulted in on first touch, which costs more than the arithmetic: one AMSGrad step on 10 million
coordinates took ~4,200 page faults and 170 ms, and 110 ms once freed blocks were kept
(``benchmarks/bench_engines.py``). So while a run's arrays are that big, glibc is told to keep
such blocks in the heap (``mallopt``), and each step's arrays land in the memory the step
before released: the steps allocate nothing new from the system.

Afterwards the thresholds are set to 32 MiB and 64 MiB, where glibc's own adaptive thresholds
settle once a block that big has been freed. On other C libraries this does nothing.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

#: Arrays at least this big are the ones glibc would hand out as fresh pages.
BIG_ARRAY_BYTES = 32 * 2**20

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_KEEP = 2**30  # during the run: blocks up to 1 GiB come from, and go back to, the heap
_SETTLED = (32 * 2**20, 64 * 2**20)  # (mmap, trim) where glibc's adaptive values end up


@functools.cache
def _mallopt():
    """glibc's ``mallopt``, or None where the C library has none."""
    import ctypes.util  # here: it imports subprocess and tempfile, and most runs are small

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.mallopt
    except (OSError, AttributeError):
        return None


@contextlib.contextmanager
def reuse_freed_memory(array_bytes: int) -> Iterator[None]:
    """Keep freed blocks in the heap while arrays of ``array_bytes`` come and go."""
    mallopt = None if array_bytes < BIG_ARRAY_BYTES else _mallopt()
    if mallopt is None:
        yield
        return
    mallopt(_M_MMAP_THRESHOLD, _KEEP)
    mallopt(_M_TRIM_THRESHOLD, _KEEP)
    try:
        yield
    finally:
        mallopt(_M_MMAP_THRESHOLD, _SETTLED[0])
        mallopt(_M_TRIM_THRESHOLD, _SETTLED[1])
