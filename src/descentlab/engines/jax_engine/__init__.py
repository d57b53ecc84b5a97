"""The JAX engine: ``minimize(..., engine="jax")`` as one compiled program.

- :mod:`~descentlab.engines.jax_engine.run`: the front of the engine (a run, its result);
- :mod:`~descentlab.engines.jax_engine.loop`: the compiled loop (``lax.while_loop``);
- :mod:`~descentlab.engines.jax_engine.problem`: the problem's functions as JAX traces them;
- :mod:`~descentlab.engines.jax_engine.setup`: optimizers and schedules as pytrees, x64.

Only this package imports JAX; :func:`descentlab.engines.load_jax_engine` imports it on demand.
"""

from descentlab.engines.jax_engine.run import (
    FunctionRaised,
    NotTraceable,
    gradient_function,
    run,
    trace_count,
)

__all__ = ["FunctionRaised", "NotTraceable", "gradient_function", "run", "trace_count"]
