"""descentlab's optimizers in an optax training loop: :func:`transform`.

``descentlab.optax.transform(dl.Adam(alpha=1e-3))`` is an ``optax.GradientTransformation``
over any pytree of parameters: ``init(params)`` gives each leaf the descentlab optimizer's
state (its fields as full arrays, so the state keeps its shapes inside ``jax.jit``,
``lax.scan`` and ``fori_loop``), and ``update(grads, state, params)`` calls the optimizer's own
pure ``step(x, grad, state)`` on each leaf and returns ``x_new - x`` as the update, which
``optax.apply_updates`` adds back. It chains (``optax.chain(optax.clip_by_global_norm(1.0),
transform(...))``: the optimizer sees the clipped gradients) and jits.

The update is the difference of two points, so ``params + update`` equals the descentlab step
to rounding (the last bit), not bit for bit; against optax's own optimizers the tests hold
200 steps of a small network to 1e-10.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from descentlab.adapters._instance import check_fits, check_instance
from descentlab.optimizers import Optimizer as Update


class TransformState(NamedTuple):
    """The descentlab optimizer's state of every leaf, in the parameters' tree."""

    leaves: Any


def transform(optimizer: Update) -> optax.GradientTransformation:
    """The descentlab ``optimizer`` as an optax gradient transformation.

    ``params`` must be given to ``update`` when the optimizer's step depends on the point (a
    weight decay); without it the step is taken from zero, which is the same update for
    every other optimizer here.
    """
    check_instance(optimizer)

    def init(params) -> TransformState:
        leaves, _ = jax.tree_util.tree_flatten_with_path(params)
        for path, leaf in leaves:
            _check_leaf(optimizer, leaf, jax.tree_util.keystr(path))
        return TransformState(jax.tree.map(lambda p: _full_state(optimizer, p), params))

    def update(updates, state: TransformState, params=None):
        grads, treedef = jax.tree.flatten(updates)
        if params is None:
            _check_needs_no_point(optimizer)
            points = [jnp.zeros_like(g) for g in grads]
        else:
            points = treedef.flatten_up_to(params)
        states = treedef.flatten_up_to(state.leaves)
        steps, new_states = [], []
        for x, g, s in zip(points, grads, states, strict=True):
            x_new, s_new = optimizer.step(x, g, s)
            steps.append((x_new - x).astype(g.dtype))
            new_states.append(_keep_shapes(s_new, s))
        return treedef.unflatten(steps), TransformState(treedef.unflatten(new_states))

    return optax.GradientTransformation(init, update)


def _check_leaf(optimizer: Update, leaf, where: str) -> None:
    """Refuse a leaf the optimizer cannot update as it is: a complex one (the updates are
    written for real numbers, and optax's complex algebra is not theirs), or one that an array
    hyperparameter (one value per row) does not fit."""
    dtype = jnp.result_type(leaf)
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"parameter {where or '(the root)'} is {dtype}: descentlab's optimizers "
                        "update real floating-point parameters (for a complex one, optimize its "
                        "real and imaginary parts as two real leaves)")  # fmt: skip
    check_fits(optimizer, tuple(jnp.shape(leaf)), f"parameter {where or '(the root)'}")


def _full_state(optimizer: Update, p) -> NamedTuple:
    """The initial state with every field a full array of the leaf's shape and dtype (the
    step count an integer scalar), so its shapes never change from step to step."""
    state = optimizer.init(p)
    fields = {name: jnp.broadcast_to(jnp.asarray(value, dtype=p.dtype), jnp.shape(p))
              for name, value in state._asdict().items() if name != "count"}  # fmt: skip
    return state._replace(count=jnp.zeros((), dtype=jnp.int32), **fields)


def _keep_shapes(new: NamedTuple, old: NamedTuple) -> NamedTuple:
    """``new`` in the dtypes (and integer count) of ``old``: a step can promote a float32
    state through a float64 number."""
    pairs = zip(new, old, strict=True)
    return type(new)(*(jnp.asarray(n, dtype=jnp.result_type(o)) for n, o in pairs))


def _check_needs_no_point(optimizer: Update) -> None:
    decay = getattr(optimizer, "weight_decay", 0.0)
    if not (isinstance(decay, float) and decay == 0.0):
        raise ValueError(f"{optimizer.name} with weight_decay needs the parameters: call "
                         "update(grads, state, params)")  # fmt: skip


__all__ = ["TransformState", "transform"]
