"""A step rule inside the compiled loop: the rule's own search (``optimizers/step_rules.py``,
written once for both engines) with ``lax.while_loop`` and the traced problem, then the move
``x + t d`` and the optimizer's state scaled to it, as the NumPy engine's ``apply_rule`` does."""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from descentlab.optimizers.step_rules import StepContext


def initial_memory(rule, n: int, d: int, dtype) -> dict:
    """The rule's memory before the first search, and the step that led to the start (NaN)."""
    return {"memory": rule.initial_memory(n, d, jnp, dtype), "step": jnp.full(n, jnp.nan, dtype)}


def ruled(rule, problem, optimizer, minimum, x, fx, g, active, proposed, state, extra: dict):
    """``(x_new, state, extra, calls)``: the rule's choice along ``proposed - x`` for the
    active starts (the others stay), the state scaled by it, and the batch calls it made."""
    update = jnp.where(active[:, None], proposed - x, 0.0)  # done: no search
    ctx = StepContext(x, fx, g, update, lambda points, rows: problem.f(points),
                      lambda points, rows: problem.grad(points), minimum, extra["memory"], jnp,
                      lax.while_loop)  # fmt: skip
    t, memory, calls = rule.multipliers(ctx)
    moved = x + t[:, None] * update
    step = norm(moved - x) / norm(g)
    extra = dict(extra, memory=memory, step=step.astype(x.dtype))
    return moved, optimizer.scale_update(state, t), extra, calls.astype(jnp.int32)


def norm(v):
    """The Euclidean norm of each start's row (the loop's gradient test uses it too)."""
    return jnp.sqrt(jnp.sum(v * v, axis=-1))
