"""How much memory a run will take, estimated before it starts, and the limits it must keep.

A run that would not fit is refused up front with the estimate and the way out, instead of
failing after minutes with a ``MemoryError`` (or being killed by the system).
"""

from __future__ import annotations

import os

#: The recorded path may take at most this many bytes unless ``record_limit`` says otherwise.
DEFAULT_RECORD_LIMIT = 2**30

#: Runs whose arrays take less than this are not checked against the available memory.
SMALL_RUN_BYTES = 64 * 2**20
_FLOAT = 8


def format_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 KB'``: decimal units, three significant digits."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.3g} {unit}" if unit != "bytes" else f"{int(n)} bytes"
        n /= 1000
    raise AssertionError("unreachable")


def recording_bytes(rows: int, recorded_starts: int, d: int) -> int:
    """Bytes of a recorded path: per row and start the point and the gradient (kept until the
    end to take norms), the value, and the stacked copy of points and values made at the end."""
    return rows * recorded_starts * (3 * d + 3) * _FLOAT


def working_bytes(starts: int, d: int, state_arrays: int) -> int:
    """Bytes a step needs: point, new point, gradient, the optimizer's state arrays and about
    four temporaries of the batch's size made by the update and the objective."""
    return starts * d * (7 + state_arrays) * _FLOAT


def available_memory() -> int | None:
    """Bytes the system can give without swapping (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_recording(rows: int, recorded_starts: int, d: int, limit: int) -> None:
    """Refuse a recording above ``limit`` bytes, saying how big it would be and what to do."""
    need = recording_bytes(rows, recorded_starts, d)
    if need > limit:
        raise ValueError(
            f"recording this run would take about {format_bytes(need)} ({rows} recorded "
            f"iterations x {recorded_starts} starts x {d} coordinates), more than record_limit = "
            f"{format_bytes(limit)}: record every k-th iteration (record=k, CLI --record-every), "
            "only some starts (record_starts=[...]), or nothing (record='none', CLI --final-only)"
        )


def check_working_memory(starts: int, d: int, state_arrays: int) -> None:
    """Refuse a run whose arrays alone would not fit in the memory available now."""
    need = working_bytes(starts, d, state_arrays)
    if need < SMALL_RUN_BYTES:
        return  # not worth asking the system
    available = available_memory()
    if available is not None and need > available:
        raise ValueError(
            f"this run needs about {format_bytes(need)} of memory for its arrays ({starts} "
            f"starts x {d} coordinates), more than the {format_bytes(available)} available: "
            "use fewer starts or fewer dimensions"
        )
