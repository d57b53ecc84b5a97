"""The machine a measurement was made on, in the words the README and reports quote."""

from __future__ import annotations

import os
import platform
import time


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what ``platform`` knows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> str:
    """``CPU model, N cores, OS release, Python X.Y.Z``."""
    return (f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")  # fmt: skip


def stamp() -> str:
    """The machine and today's date, for the first line of a benchmark's output."""
    return f"{describe()}; {time.strftime('%Y-%m-%d')}"
