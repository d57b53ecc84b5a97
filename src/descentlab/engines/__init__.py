"""The engines a run can execute on: NumPy (the default) and JAX (compiled).

Both run the same optimizers, schedules and catalog functions, written once against the array
API. ``engine="numpy"`` steps in Python over NumPy arrays: nothing to compile, every kind of run.
``engine="jax"`` compiles the whole run, gradient, noise, minibatches, online rounds, step
rules, update, stopping tests, divergence status and recording, into one ``jax.jit`` program
with ``lax.while_loop``, batched over starts and hyperparameter arrays, on whatever device JAX
has (see :mod:`descentlab.engines.jax_engine`); only callbacks (a Python call at every step)
stay on NumPy.
"""

from __future__ import annotations

import contextlib
import contextvars
import warnings
from collections.abc import Iterator

import numpy as np

ENGINES = ("numpy", "jax")
DTYPES = ("float64", "float32")

INSTALL_JAX = "pip install 'descentlab[jax]'"


class EngineUnavailable(ImportError):
    """The engine asked for needs a package that is not installed."""


def check_engine(engine: object) -> str:
    """``engine`` checked: one of :data:`ENGINES`."""
    if engine not in ENGINES:
        allowed = ", ".join(repr(name) for name in ENGINES)
        raise ValueError(f"engine must be one of {allowed}, not {engine!r}")
    return str(engine)


def check_dtype(dtype: object, engine: str) -> str:
    """``dtype`` as a name of :data:`DTYPES`; float32 only where the engine computes in it."""
    if dtype is None or dtype == "float64":
        return "float64"
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in DTYPES:
        raise ValueError(f"dtype must be float64 or float32, not {dtype!r}")
    if name == "float32" and engine != "jax":
        raise ValueError("dtype=float32 needs engine='jax'; the NumPy engine computes in float64")
    return name


def load_jax_engine():
    """The JAX engine's module, or :class:`EngineUnavailable` saying how to install JAX."""
    try:
        import jax  # noqa: F401
    except ImportError:
        raise EngineUnavailable(
            f"engine='jax' needs JAX, which is not installed: {INSTALL_JAX}"
        ) from None
    import descentlab.engines.jax_engine as module

    return module


class EngineFallbackWarning(UserWarning):
    """A run the default engine (JAX) cannot do went to the NumPy engine."""


_DEFAULT: contextvars.ContextVar[tuple[str, set]] = contextvars.ContextVar(
    "descentlab_engine", default=("numpy", set())
)


def default_engine() -> str:
    """The engine of runs that do not name one: NumPy, unless inside :func:`using`."""
    return _DEFAULT.get()[0]


@contextlib.contextmanager
def using(engine: str) -> Iterator[None]:
    """Run every ``minimize`` (and sweep) that names no engine on ``engine`` inside the block.

    What the command line's ``--engine jax`` does: experiments, comparisons, sweeps and tuning
    then run compiled. A run the JAX engine cannot do (one with a callback) runs on NumPy
    instead, with one warning; a run that asks for ``engine="jax"`` itself is refused instead.
    """
    engine = check_engine(engine)
    if engine == "jax":
        load_jax_engine()
    token = _DEFAULT.set((engine, set()))
    try:
        yield
    finally:
        _DEFAULT.reset(token)


def resolve(engine: object, jax_cannot: str | None) -> str:
    """The engine a run executes on: the one asked for, else the default. ``jax_cannot`` says
    what in the run the JAX engine does not do (None: nothing)."""
    if engine is not None:
        engine = check_engine(engine)
        if engine == "jax" and jax_cannot:
            raise ValueError(f"engine='jax' does not run {jax_cannot}: use engine='numpy'")
        return engine
    chosen, warned = _DEFAULT.get()
    if chosen == "jax" and jax_cannot:
        if jax_cannot not in warned:
            warned.add(jax_cannot)
            warnings.warn(f"the JAX engine does not run {jax_cannot}: those runs use the NumPy "
                          "engine", EngineFallbackWarning, stacklevel=3)  # fmt: skip
        return "numpy"
    return chosen
