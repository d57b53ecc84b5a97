"""The compiler options of the engine's programs: wide vectors where the CPU has them.

XLA's CPU backend asks LLVM for 256-bit vectors even on a CPU with AVX-512. The engine's
noisy runs spend much of a step on 64-bit integer work (the per-start SplitMix64 streams and
the table of the normal quantile), which 512-bit vectors do at twice the width: on the AMD
EPYC this was measured on (2 cores, AVX-512), 100,000 noisy Rosenbrock starts took 77-91 ms
instead of 86-105 ms, alternated process by process, and noiseless runs took the same time
(``python benchmarks/bench_engine_goals.py --only many-starts``). The numbers do not change:
the same bit for bit at 128 and 512 bits (``tests/test_engine_options.py``).

The options go to the engine's own programs only (``jax.jit(..., compiler_options=...)``),
never to the rest of the process's JAX. ``DESCENTLAB_CPU_VECTOR_WIDTH=N`` (128, 256 or 512
bits), read when the engine is first loaded, chooses the width; by default it is 512 on a CPU
with AVX-512 and XLA's own choice elsewhere. A JAX whose XLA does not know the option compiles
without it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import jax

ENVIRONMENT = "DESCENTLAB_CPU_VECTOR_WIDTH"
_WIDTHS = ("128", "256", "512")
_OPTION = "xla_cpu_prefer_vector_width"


def compiler_options() -> dict[str, int]:
    """The options the engine compiles with (empty: XLA's defaults)."""
    wanted = os.environ.get(ENVIRONMENT, "").strip()
    if wanted:
        if wanted not in _WIDTHS:
            raise ValueError(f"{ENVIRONMENT} must be one of {', '.join(_WIDTHS)} (bits), not "
                             f"{wanted!r}")  # fmt: skip
        return {_OPTION: int(wanted)}
    return {_OPTION: 512} if _has_avx512() else {}


def _has_avx512() -> bool:
    """Whether this CPU has AVX-512 (Linux says so in /proc/cpuinfo; elsewhere: no)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return "avx512f" in flags.split()


class Compiled:
    """``jax.jit(function, static_argnums=..., compiler_options=...)`` that falls back to the
    plain jit, once and for good, when this JAX or its XLA does not know the options."""

    def __init__(self, function, static_argnums, options: dict[str, int]) -> None:
        self.plain = jax.jit(function, static_argnums=static_argnums)
        self.tuned = None
        if options:
            with contextlib.suppress(TypeError):  # a JAX older than jit's compiler_options
                self.tuned = jax.jit(function, static_argnums=static_argnums,
                                     compiler_options=options)  # fmt: skip

    def __call__(self, *args):
        if self.tuned is None:
            return self.plain(*args)
        try:
            return self.tuned(*args)
        except RuntimeError as error:
            if "No such compile option" not in str(error):
                raise
            self.tuned = None
            return self.plain(*args)
